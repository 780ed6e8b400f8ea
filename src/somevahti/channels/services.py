"""Reads and changes of channels and their administrators."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction

from somevahti.core import audit
from somevahti.core.audit import Actor
from somevahti.people.models import Absence

from .coverage import Gap, Interval, active_interval, availability, coverage_gaps
from .models import Channel, ChannelAdministrator

FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


def channel_gaps(*, channel: Channel, window: Interval, min_admins: int) -> list[Gap]:
    """Coverage gaps of one channel in [window)."""
    return gaps_for_channels(channels=[channel], window=window, min_admins=min_admins)[channel.pk]


def gaps_for_channels(*, channels: list[Channel], window: Interval, min_admins: int) -> dict[int, list[Gap]]:
    """Coverage gaps of several channels, with three queries in all."""
    admins = list(
        ChannelAdministrator.objects.filter(
            channel__in=channels, role__in=ChannelAdministrator.COUNTS_FOR_COVERAGE, since__lt=window[1]
        )
        .exclude(until__lte=window[0])
        .select_related("person")
    )
    person_ids = {a.person_id for a in admins}
    absences: dict[int, list[Interval]] = defaultdict(list)
    for person_id, start, end in Absence.objects.filter(
        person_id__in=person_ids, start__lt=window[1], end__gt=window[0]
    ).values_list("person_id", "start", "end"):
        absences[person_id].append((start, end))
    result: dict[int, list[Gap]] = {}
    for channel in channels:
        periods: dict[int, list[Interval]] = defaultdict(list)
        people = {}
        for admin in admins:
            if admin.channel_id == channel.pk:
                periods[admin.person_id].append((admin.since, admin.until or FAR_FUTURE))
                people[admin.person_id] = admin.person
        available = {
            people[pid].email: availability(
                periods=p,
                active=active_interval(people[pid].active_from, people[pid].active_until),
                absences=absences.get(pid, []),
                window=window,
            )
            for pid, p in periods.items()
        }
        result[channel.pk] = coverage_gaps(window=window, available=available, min_admins=min_admins)
    return result


def administrators_leaving(*, organization: Any, today: dt.date) -> list[ChannelAdministrator]:
    """Administrator periods that outlast the person's time in the organization."""
    leaving = []
    for admin in ChannelAdministrator.objects.filter(
        channel__organization=organization, person__active_until__isnull=False
    ).exclude(channel__status=Channel.Status.ARCHIVED).select_related("person", "channel"):
        person_end = active_interval(None, admin.person.active_until)[1]
        if (admin.until is None or admin.until > person_end) and (admin.until is None or admin.until.date() > today):
            leaving.append(admin)
    return leaving


class ChannelError(ValueError):
    """A change that would break a channel's facts (another organization's person, a period ending before it starts)."""


@transaction.atomic
def add_administrator(
    *, channel: Channel, person: Any, role: str, since: dt.datetime, until: dt.datetime | None, by: Actor
) -> ChannelAdministrator:
    if person.organization_id != channel.organization_id:
        raise ChannelError("the person belongs to another organization")
    if until is not None and until <= since:
        raise ChannelError("the period ends before it starts")
    admin = ChannelAdministrator.objects.create(channel=channel, person=person, role=role, since=since, until=until)
    audit.record(
        "channels.administrator_added", target=admin, actor=by,
        data={"channel": channel.key, "person": person.email, "role": role},
    )
    return admin


@transaction.atomic
def end_administrator(*, administrator: ChannelAdministrator, until: dt.datetime, by: Actor) -> ChannelAdministrator:
    if until <= administrator.since:
        raise ChannelError("the period ends before it starts")
    administrator.until = until
    administrator.save(update_fields=["until"])
    audit.record(
        "channels.administrator_ended", target=administrator, actor=by, data={"until": until.isoformat()}
    )
    return administrator
