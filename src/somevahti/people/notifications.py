"""Holiday-note reminders (MAINT-HOLIDAY-NOTE): "työprofiilissa maininta lomasta".

The guideline asks that a work profile tells when its keeper is on holiday. On the business day
before an absence of at least one whole day the person is reminded to set the note on each of
their work profiles, and on the day they are back at work, to remove it. Absences that follow
each other with no business day between are one period and get one pair of reminders. Each
reminder goes once for the period's dates; a moved absence gets new ones.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from somevahti.core import audit
from somevahti.core.calendar import (
    HELSINKI,
    is_business_day,
    local_midnight,
    next_business_day,
    previous_business_day,
)

from .models import Absence, HolidayNoteReminder, Person, WorkProfile
from .queries import absences_for_reminders

logger = logging.getLogger(__name__)


@dataclass
class Period:
    """Absences back to back: from the first one's start to the last one's end."""

    first: Absence
    last: Absence
    start: dt.datetime
    end: dt.datetime

    @property
    def first_day(self) -> dt.date:
        return self.start.astimezone(HELSINKI).date()

    @property
    def last_day(self) -> dt.date:
        """The last day away (the end is the first moment back)."""
        end = self.end.astimezone(HELSINKI)
        return end.date() - dt.timedelta(days=1) if end.time() == dt.time(0) else end.date()

    @property
    def reminder_day(self) -> dt.date:
        return previous_business_day(self.first_day)

    @property
    def return_day(self) -> dt.date:
        """The first business day on or after the end."""
        day = self.end.astimezone(HELSINKI).date()
        return day if is_business_day(day) else next_business_day(day)


def covers_a_whole_day(absence: Absence) -> bool:
    """True when the absence holds at least one whole day, midnight to midnight in Helsinki."""
    start = absence.start.astimezone(HELSINKI)
    first_midnight = start.date() if start.time() == dt.time(0) else start.date() + dt.timedelta(days=1)
    return local_midnight(first_midnight + dt.timedelta(days=1)) <= absence.end


def periods(absences: list[Absence]) -> list[Period]:
    """One person's whole-day absences, sorted by start, joined where no business day is between."""
    result: list[Period] = []
    for absence in absences:
        if not covers_a_whole_day(absence):
            continue
        if result:
            current = result[-1]
            if absence.start.astimezone(HELSINKI).date() <= current.return_day:
                if absence.end > current.end:
                    current.end, current.last = absence.end, absence
                continue
        result.append(Period(first=absence, last=absence, start=absence.start, end=absence.end))
    return result


def send_holiday_note_reminders(*, now: dt.datetime) -> int:
    """Send the reminders due today; return how many went out."""
    today = now.astimezone(HELSINKI).date()
    by_person: dict[int, list[Absence]] = defaultdict(list)
    people: dict[int, Person] = {}
    for absence in absences_for_reminders(today=today):
        by_person[absence.person_id].append(absence)
        people[absence.person_id] = absence.person
    sent = 0
    for person_id, absences in by_person.items():
        person = people[person_id]
        if not person.is_active_on(today):
            continue
        for period in periods(absences):
            # Due on the business day before; also later (a weekend run, an absence added late)
            # as long as the absence has not begun.
            if period.reminder_day <= today < period.first_day:
                sent += _send_once(person=person, period=period, kind=HolidayNoteReminder.Kind.SET)
            # Due on the day back; the next business day catches a missed run.
            if period.return_day <= today <= next_business_day(period.return_day):
                sent += _send_once(person=person, period=period, kind=HolidayNoteReminder.Kind.REMOVE)
    return sent


def _send_once(*, person: Person, period: Period, kind: str) -> int:
    absence = period.first if kind == HolidayNoteReminder.Kind.SET else period.last
    try:
        with transaction.atomic():
            _reminder, created = HolidayNoteReminder.objects.get_or_create(
                absence=absence, kind=kind, absence_start=period.start, absence_end=period.end
            )
            if not created:
                return 0
            message = reminder_message(person=person, period=period, kind=kind)
            message.send()
            audit.record(
                "people.holiday_note_reminder_sent",
                target=absence,
                organization_id=person.organization_id,
                data={"kind": kind, "to": person.email, "start": period.start.isoformat(), "end": period.end.isoformat()},
            )
    except Exception:  # one failed message must not stop the others; the next run tries again
        logger.exception("Holiday-note reminder to person %s failed", person.pk)
        return 0
    return 1


def reminder_message(*, person: Person, period: Period, kind: str) -> EmailMessage:
    """The reminder in the person's language (Finnish unless they chose another)."""
    profiles = list(WorkProfile.objects.filter(person=person).order_by("platform", "address"))
    context = {
        "person": person,
        "profiles": profiles,
        "first_day": period.first_day,
        "last_day": period.last_day,
        "return_day": period.return_day,
        "summary": period.first.summary,
        "organization": person.organization,
    }
    name = "set" if kind == HolidayNoteReminder.Kind.SET else "remove"
    with translation.override(person.language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"people/email/holiday_note_{name}_subject.txt", context)
        body = render_to_string(f"people/email/holiday_note_{name}_body.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body.strip() + "\n", to=[person.email])
