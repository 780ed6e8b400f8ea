import datetime as dt

from somevahti.core.calendar import HELSINKI
from somevahti.guideline.models import Finding
from somevahti.guideline.services import evaluate_rules
from somevahti.inbox.escalation import send_daily_summaries, send_deadline_reminders
from somevahti.inbox.models import Interaction
from somevahti.inbox.services import assign_interaction, ingest_interactions
from tests.factories import make_user_person
from tests.inbox.test_ingest_and_reply import comment

MORNING = dt.datetime(2026, 11, 25, 9, 0, tzinfo=HELSINKI)  # Wednesday; due 16:00 the same day


def setup_comment(channel, admin_person):
    ingest_interactions(channel=channel, items=[comment(created_at=MORNING)], now=MORNING)
    item = Interaction.objects.get()
    assign_interaction(interaction=item, assignee=admin_person, by=None)
    _, lead = make_user_person(channel.organization, roles=["comms_lead"], name="Kaisa Viestintä")
    return item, lead


def test_reminder__at_two_the_assignee_gets_one_email_through_smtp(channel, admin_person, smtp_server):
    setup_comment(channel, admin_person)
    assert send_deadline_reminders(now=MORNING.replace(hour=13, minute=59)) == {"warning": 0, "overdue": 0}
    assert send_deadline_reminders(now=MORNING.replace(hour=14, minute=5)) == {"warning": 1, "overdue": 0}
    assert send_deadline_reminders(now=MORNING.replace(hour=14, minute=10)) == {"warning": 0, "overdue": 0}
    [message] = smtp_server.to(admin_person.email)
    assert "16:00" in message["Subject"]
    assert "Milloin uimahalli aukeaa?" in message.get_content()


def test_escalation__past_the_deadline_the_comms_lead_is_told_and_the_rule_finds_it(channel, admin_person, smtp_server):
    _, lead = setup_comment(channel, admin_person)
    late = MORNING.replace(hour=16, minute=5)
    assert send_deadline_reminders(now=late)["overdue"] == 1
    assert len(smtp_server.to(lead.email)) == 1
    evaluate_rules(organization=channel.organization, now=late)
    finding = Finding.objects.get(rule_code="MAINT-SAME-DAY", resolved_at__isnull=True)
    assert "Matti Meikäläinen" in finding.text


def test_escalation__an_answered_comment_is_not_escalated(channel, admin_person, smtp_server):
    item, _ = setup_comment(channel, admin_person)
    Interaction.objects.filter(pk=item.pk).update(first_response_at=MORNING.replace(hour=10), state="answered")
    assert send_deadline_reminders(now=MORNING.replace(hour=17)) == {"warning": 0, "overdue": 0}
    assert smtp_server.messages == []


def test_escalation__mail_server_down_means_it_is_tried_again_later(channel, admin_person, settings):
    setup_comment(channel, admin_person)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2}}}
    assert send_deadline_reminders(now=MORNING.replace(hour=14, minute=5))["warning"] == 0
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert send_deadline_reminders(now=MORNING.replace(hour=14, minute=10))["warning"] == 1


def test_daily_summary__goes_to_the_comms_lead_with_the_counts(channel, admin_person, mailoutbox):
    from somevahti.inbox.escalation import daily_summary

    _, lead = setup_comment(channel, admin_person)
    next_morning = MORNING + dt.timedelta(days=1)
    assert daily_summary(organization=channel.organization, now=next_morning) == {
        "open": 1, "overdue": 1, "received": 1, "answered": 0,
    }
    assert send_daily_summaries(now=next_morning) == 1
    assert mailoutbox[0].to == [lead.email] and "/palautteet/" in mailoutbox[0].body
