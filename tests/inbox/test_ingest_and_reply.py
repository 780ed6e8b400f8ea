import datetime as dt

import pytest

from somevahti.connectors.base import Author, IncomingInteraction, InteractionKind, Outcome, Verb
from somevahti.core.models import AuditEvent
from somevahti.inbox.models import Interaction, InteractionEvent, Reply
from somevahti.inbox.services import (
    InboxError,
    ReplyBlocked,
    ReplyNeedsConfirmation,
    assign_interaction,
    auto_assign,
    hide_interaction,
    ingest_interactions,
    mark_no_answer_needed,
    poll_channel,
    send_reply,
)

T0 = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)  # 11:00 in Helsinki, a Wednesday


def comment(pid="c1", text="Milloin uimahalli aukeaa?", verb=Verb.ADD, **kw):
    return IncomingInteraction(
        platform_id=pid, kind=kw.pop("kind", InteractionKind.COMMENT), verb=verb, text=text,
        author=Author("u1", "Matti Meikäläinen"), created_at=kw.pop("created_at", T0),
        channel_platform_id="1234567890", post_id="1234567890_1", **kw,
    )


def test_ingest__same_item_twice_gives_one_interaction_with_a_deadline(channel):
    ingest_interactions(channel=channel, items=[comment()], now=T0)
    result = ingest_interactions(channel=channel, items=[comment()], now=T0)
    assert result.created == 0 and result.unchanged == 1
    item = Interaction.objects.get()
    assert item.state == "new" and item.deadline.isoformat() == "2026-11-25T14:00:00+00:00"


def test_ingest__an_edit_keeps_the_history_and_a_removal_keeps_the_copy(channel):
    ingest_interactions(channel=channel, items=[comment()], now=T0)
    ingest_interactions(channel=channel, items=[comment(text="Milloin uimahalli aukeaa jouluna?", verb=Verb.EDITED)], now=T0)
    ingest_interactions(channel=channel, items=[comment(text="", verb=Verb.REMOVED)], now=T0)
    item = Interaction.objects.get()
    assert item.state == "removed" and item.text == "Milloin uimahalli aukeaa jouluna?"
    edit = InteractionEvent.objects.get(verb="edited")
    assert edit.text_before == "Milloin uimahalli aukeaa?"
    assert list(item.events.values_list("verb", flat=True)) == ["received", "edited", "platform_removed"]


def test_ingest__identity_code_in_a_citizens_comment_is_flagged(channel):
    ingest_interactions(channel=channel, items=[comment(text="Naapurin hetu on 131052-308T!")], now=T0)
    item = Interaction.objects.get()
    assert item.has_blocking_finding and item.findings[0]["type"] == "FI_HETU"


def test_ingest__our_own_reply_on_the_platform_answers_the_comment(channel):
    ingest_interactions(channel=channel, items=[comment()], now=T0)
    ours = comment(pid="c2", text="Huomenna klo 6.", parent_id="c1", from_us=True, created_at=T0 + dt.timedelta(minutes=30))
    ingest_interactions(channel=channel, items=[ours], now=T0)
    first = Interaction.objects.get(platform_id="c1")
    assert first.state == "answered" and first.first_response_at == T0 + dt.timedelta(minutes=30)
    assert not Interaction.objects.get(platform_id="c2").expects_answer


def test_poll__fetches_new_comments_once_with_the_cursor(channel, platform):
    platform.add_comment("Onko kirjasto auki lauantaina?", created_at=T0)
    assert poll_channel(channel=channel, now=T0).created == 1
    assert poll_channel(channel=channel, now=T0).created == 0
    platform.add_comment("Entä sunnuntaina?", created_at=T0)
    assert poll_channel(channel=channel, now=T0).created == 1


def test_poll__expired_token_marks_the_connection_and_emails_admins(channel, platform, admin_person, mailoutbox):
    platform.fail_next.append(Outcome.UNAUTHORIZED)
    assert poll_channel(channel=channel, now=T0) is None
    channel.connection.refresh_from_db()
    assert channel.connection.health == "unauthorized"
    assert [m.to for m in mailoutbox] == [[admin_person.email]]


def test_reply__goes_out_through_the_platform_and_answers(channel, platform, admin_person):
    ingest_interactions(channel=channel, items=[comment()], now=T0)
    item = Interaction.objects.get()
    reply = send_reply(interaction=item, text="Uimahalli aukeaa maanantaina klo 6.", by=admin_person.user, now=T0)
    item.refresh_from_db()
    assert reply.status == "sent" and item.state == "answered" and item.first_response_at == T0
    assert platform.replies == [("c1", "Uimahalli aukeaa maanantaina klo 6.")]
    assert AuditEvent.objects.filter(action="inbox.reply_sent").exists()


def test_reply__with_an_identity_code_is_blocked_and_nothing_is_sent(channel, platform, admin_person):
    ingest_interactions(channel=channel, items=[comment()], now=T0)
    with pytest.raises(ReplyBlocked):
        send_reply(interaction=Interaction.objects.get(), text="Hetusi 131052-308T on väärin.", by=admin_person.user)
    assert platform.replies == [] and not Reply.objects.exists()


def test_reply__with_a_warning_needs_a_reason_which_is_audited(channel, platform, admin_person):
    ingest_interactions(channel=channel, items=[comment()], now=T0)
    item = Interaction.objects.get()
    with pytest.raises(ReplyNeedsConfirmation):
        send_reply(interaction=item, text="Soita minulle numeroon 040 123 4567.", by=admin_person.user)
    send_reply(interaction=item, text="Soita minulle numeroon 040 123 4567.", by=admin_person.user, override_reason="Työpuhelin")
    assert AuditEvent.objects.get(action="inbox.reply_warning_overridden").data["reason"] == "Työpuhelin"


def test_reply__to_a_comment_removed_meanwhile_says_so_and_marks_it_removed(channel, platform, admin_person):
    ingest_interactions(channel=channel, items=[comment()], now=T0)
    platform.removed.add("c1")
    item = Interaction.objects.get()
    reply = send_reply(interaction=item, text="Kiitos kysymyksestä.", by=admin_person.user)
    item.refresh_from_db()
    assert reply.status == "failed" and reply.outcome == "not_found" and item.state == "removed"
    with pytest.raises(InboxError):
        send_reply(interaction=item, text="Kiitos.", by=admin_person.user)


def test_hide__hides_on_the_platform_and_keeps_our_copy(channel, platform, admin_person):
    ingest_interactions(channel=channel, items=[comment(text="Naapurin hetu on 131052-308T!")], now=T0)
    item = Interaction.objects.get()
    assert hide_interaction(interaction=item, hidden=True, by=admin_person.user).ok
    item.refresh_from_db()
    assert platform.hidden == {"c1": True} and item.state == "hidden" and "131052-308T" in item.text


def test_assign__by_hand_and_automatically_to_an_available_admin(channel, platform, admin_person, organization):
    from somevahti.channels.models import ChannelAdministrator
    from tests.factories import AbsenceFactory, make_user_person

    _, away = make_user_person(organization, roles=["channel_admin"], name="Bertta Lomalla")
    ChannelAdministrator.objects.create(channel=channel, person=away, role="admin", since=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    AbsenceFactory(person=away, start=T0 - dt.timedelta(days=1), end=T0 + dt.timedelta(days=5))
    ingest_interactions(channel=channel, items=[comment(), comment(pid="c2")], now=T0)
    first, second = Interaction.objects.order_by("platform_id")
    assert auto_assign(interaction=first, now=T0) == admin_person
    assign_interaction(interaction=second, assignee=away, by=None)
    second.refresh_from_db()
    assert second.assignee == away and second.state == "assigned"


def test_assign__someone_from_another_organization_is_refused(channel):
    from tests.factories import OrganizationFactory, PersonFactory

    ingest_interactions(channel=channel, items=[comment()], now=T0)
    stranger = PersonFactory(organization=OrganizationFactory(slug="varkaus"))
    with pytest.raises(InboxError):
        assign_interaction(interaction=Interaction.objects.get(), assignee=stranger, by=None)


def test_no_answer_needed__requires_a_reason(channel):
    ingest_interactions(channel=channel, items=[comment()], now=T0)
    item = Interaction.objects.get()
    with pytest.raises(InboxError):
        mark_no_answer_needed(interaction=item, reason="  ", by=None)
    mark_no_answer_needed(interaction=item, reason="Pelkkä kiitos", by=None)
    item.refresh_from_db()
    assert item.state == "closed" and not item.expects_answer


def test_archive__everything_received_and_sent_is_kept_in_order(channel, platform, admin_person):
    from somevahti.archive.models import ArchiveRecord

    ingest_interactions(channel=channel, items=[comment()], now=T0)
    ingest_interactions(channel=channel, items=[comment()], now=T0)  # a repeat adds nothing
    ingest_interactions(channel=channel, items=[comment(text="Milloin uimahalli aukeaa jouluna?", verb=Verb.EDITED)], now=T0)
    item = Interaction.objects.get()
    send_reply(interaction=item, text="Jouluaattona klo 8–12.", by=admin_person.user, now=T0)
    hide_interaction(interaction=item, hidden=True, by=admin_person.user)
    kinds = list(ArchiveRecord.objects.order_by("sequence").values_list("kind", flat=True))
    assert kinds == ["interaction_received", "interaction_edited", "reply_sent", "interaction_hidden"]
    first, second = ArchiveRecord.objects.order_by("sequence")[:2]
    assert second.previous_hash == first.record_hash
    assert (first.text, first.source_id, first.author) == ("Milloin uimahalli aukeaa?", "c1", "Matti Meikäläinen")
