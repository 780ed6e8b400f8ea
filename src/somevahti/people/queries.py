"""Reads of people and their absences that are reused or checked against the organization."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from somevahti.core.calendar import HELSINKI, local_midnight

from .models import Absence, CalendarFeed, Person, PersonRole, WorkProfile


def people_of(*, organization: Any) -> QuerySet[Person]:
    """Everyone in the organization, also those who have left, with what the list shows."""
    return (
        Person.objects.filter(organization=organization)
        .select_related("unit", "supervisor")
        .prefetch_related(Prefetch("roles", queryset=PersonRole.objects.order_by("role")))
        .order_by("name")
    )


def person_in_organization(*, person_id: int, organization: Any) -> Person:
    """The person, or 404 when they belong to another organization (or none)."""
    person = Person.objects.filter(pk=person_id, organization=organization).first()
    if person is None:
        raise Http404(_("No such person in this organization."))
    return person


@dataclass(frozen=True)
class PersonAbsences:
    upcoming: list[Absence]  # not yet over, soonest first
    past: list[Absence]  # over, latest first
    feeds: list[CalendarFeed]
    work_profiles: list[WorkProfile]


def _with_days(absences: QuerySet[Absence]) -> list[Absence]:
    """Each absence with `first_day` and `last_day` in Helsinki (whole-day ends are exclusive)."""
    rows = list(absences)
    for absence in rows:
        start, end = absence.start.astimezone(HELSINKI), absence.end.astimezone(HELSINKI)
        absence.first_day = start.date()  # type: ignore[attr-defined]
        absence.last_day = (end - dt.timedelta(days=1)).date() if absence.all_day else end.date()  # type: ignore[attr-defined]
    return rows


def absences_of(*, person: Person, now: dt.datetime, past_limit: int = 50) -> PersonAbsences:
    absences = Absence.objects.filter(person=person).select_related("feed")
    return PersonAbsences(
        upcoming=_with_days(absences.filter(end__gt=now).order_by("start", "pk")),
        past=_with_days(absences.filter(end__lte=now).order_by("-start", "-pk")[:past_limit]),
        feeds=list(CalendarFeed.objects.filter(person=person).order_by("created_at", "pk")),
        work_profiles=list(WorkProfile.objects.filter(person=person).order_by("platform", "address")),
    )


def feeds_to_refresh(*, today: dt.date) -> list[int]:
    """Ids of the feeds of people who still work in their organization."""
    feeds = CalendarFeed.objects.select_related("person").order_by("pk")
    return [f.pk for f in feeds if f.person.is_active_on(today)]


def absences_for_reminders(*, today: dt.date, days_back: int = 400, days_ahead: int = 60) -> QuerySet[Absence]:
    """Absences near `today` of people who have work profiles (MAINT-HOLIDAY-NOTE)."""
    return (
        Absence.objects.filter(
            person__work_profiles__isnull=False,
            end__gt=local_midnight(today - dt.timedelta(days=days_back)),
            start__lt=local_midnight(today + dt.timedelta(days=days_ahead)),
        )
        .distinct()
        .select_related("person", "person__organization")
        .order_by("person_id", "start", "pk")
    )
