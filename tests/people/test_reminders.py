"""Holiday-note reminders (MAINT-HOLIDAY-NOTE): the business day before, and the day back."""

from __future__ import annotations

import datetime as dt

from django.core import mail

from somevahti.core.calendar import HELSINKI, local_midnight
from somevahti.people.models import Absence, HolidayNoteReminder, WorkProfile
from somevahti.people.notifications import send_holiday_note_reminders
from tests.factories import AbsenceFactory, PersonFactory


def morning(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 7, 0, tzinfo=HELSINKI)


def whole_days(person, first: dt.date, last: dt.date, **fields) -> Absence:  # type: ignore[no-untyped-def]
    return AbsenceFactory(
        person=person, start=local_midnight(first), end=local_midnight(last + dt.timedelta(days=1)), all_day=True, **fields
    )


def with_profiles(person):  # type: ignore[no-untyped-def]
    WorkProfile.objects.create(person=person, platform="Facebook", address="https://www.facebook.com/aino.joroinen")
    WorkProfile.objects.create(person=person, platform="LinkedIn", address="https://www.linkedin.com/in/ainovirtanen")
    return person


def test_reminder__sent_once_on_the_friday_before_a_monday_absence_in_finnish(person, smtp_server, settings):
    settings.LANGUAGE_CODE = "fi"  # the organization's language when the person has chosen none
    with_profiles(person)
    whole_days(person, dt.date(2026, 8, 3), dt.date(2026, 8, 14))  # Monday to Friday two weeks later
    assert send_holiday_note_reminders(now=morning(2026, 7, 30)) == 0  # Thursday: too early
    assert send_holiday_note_reminders(now=morning(2026, 7, 31)) == 1  # Friday
    assert send_holiday_note_reminders(now=morning(2026, 7, 31)) == 0  # once
    assert send_holiday_note_reminders(now=morning(2026, 8, 1)) == 0  # nor again on Saturday
    [message] = smtp_server.to(person.email)
    # Django's Finnish dates show the language: 3. elokuuta 2026.
    assert "3. elokuuta 2026" in message["Subject"]
    body = message.get_content()
    assert "14. elokuuta 2026" in body
    assert "https://www.facebook.com/aino.joroinen" in body and "https://www.linkedin.com/in/ainovirtanen" in body
    assert HolidayNoteReminder.objects.filter(kind="set").count() == 1


def test_reminder__remove_note_on_the_first_business_day_back(person, smtp_server):
    with_profiles(person)
    whole_days(person, dt.date(2026, 8, 3), dt.date(2026, 8, 14))  # back on Monday 17 August
    assert send_holiday_note_reminders(now=morning(2026, 8, 14)) == 0
    assert send_holiday_note_reminders(now=morning(2026, 8, 15)) == 0  # Saturday
    assert send_holiday_note_reminders(now=morning(2026, 8, 17)) == 1
    assert send_holiday_note_reminders(now=morning(2026, 8, 17)) == 0
    [message] = smtp_server.to(person.email)
    assert "https://www.facebook.com/aino.joroinen" in message.get_content()
    assert HolidayNoteReminder.objects.get().kind == HolidayNoteReminder.Kind.REMOVE


def test_reminder__before_midsummer_it_comes_on_thursday(person):
    with_profiles(person)
    # Monday 22 June 2026; Friday 19 June is Midsummer Eve and Saturday Midsummer Day.
    whole_days(person, dt.date(2026, 6, 22), dt.date(2026, 7, 10))
    assert send_holiday_note_reminders(now=morning(2026, 6, 17)) == 0
    assert send_holiday_note_reminders(now=morning(2026, 6, 18)) == 1
    assert len(mail.outbox) == 1


def test_reminder__absences_back_to_back_are_one_period(person):
    with_profiles(person)
    whole_days(person, dt.date(2026, 8, 3), dt.date(2026, 8, 7))
    whole_days(person, dt.date(2026, 8, 10), dt.date(2026, 8, 14), kind=Absence.Kind.TRAINING)
    assert send_holiday_note_reminders(now=morning(2026, 7, 31)) == 1
    assert send_holiday_note_reminders(now=morning(2026, 8, 7)) == 0  # no set-note for the second week
    assert send_holiday_note_reminders(now=morning(2026, 8, 10)) == 0  # nor a remove-note between them
    assert send_holiday_note_reminders(now=morning(2026, 8, 17)) == 1


def test_reminder__moved_absence_gets_a_new_reminder(person):
    with_profiles(person)
    absence = whole_days(person, dt.date(2026, 8, 3), dt.date(2026, 8, 14))
    assert send_holiday_note_reminders(now=morning(2026, 7, 31)) == 1
    absence.start, absence.end = local_midnight(dt.date(2026, 8, 4)), local_midnight(dt.date(2026, 8, 15))
    absence.save()
    assert send_holiday_note_reminders(now=morning(2026, 8, 3)) == 1


def test_reminder__not_for_an_absence_shorter_than_a_whole_day(person):
    with_profiles(person)
    AbsenceFactory(
        person=person, all_day=False,
        start=dt.datetime(2026, 8, 3, 9, 0, tzinfo=HELSINKI), end=dt.datetime(2026, 8, 3, 15, 0, tzinfo=HELSINKI),
    )
    assert send_holiday_note_reminders(now=morning(2026, 7, 31)) == 0


def test_reminder__not_for_people_without_work_profiles(person):
    whole_days(person, dt.date(2026, 8, 3), dt.date(2026, 8, 14))
    assert send_holiday_note_reminders(now=morning(2026, 7, 31)) == 0
    assert mail.outbox == []


def test_reminder__in_the_persons_own_language(organization):
    person = with_profiles(PersonFactory(organization=organization, language="sv"))
    whole_days(person, dt.date(2026, 8, 3), dt.date(2026, 8, 14))
    send_holiday_note_reminders(now=morning(2026, 7, 31))
    [message] = mail.outbox
    assert "augusti" in message.subject


def test_reminder__not_for_someone_who_has_left(organization):
    person = with_profiles(PersonFactory(organization=organization, active_until=dt.date(2026, 7, 1)))
    whole_days(person, dt.date(2026, 8, 3), dt.date(2026, 8, 14))
    assert send_holiday_note_reminders(now=morning(2026, 7, 31)) == 0
