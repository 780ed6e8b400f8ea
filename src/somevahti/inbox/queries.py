"""Reads of the feedback inbox (palautteet) for pages and the command line.

Every read is scoped by organization: another organization's interaction is a 404, never a 403,
so its existence is not revealed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from somevahti.channels.models import Channel, ChannelAdministrator
from somevahti.people.models import Absence, Organization, Person

from .models import CannedReply, Interaction, InteractionEvent

# Values of the state filter besides the model's own states.
STATE_OPEN = "open"
STATE_ALL = "all"
SORT_DEADLINE = "deadline"
SORT_NEWEST = "newest"
ASSIGNEE_MINE = "mine"
ASSIGNEE_NOBODY = "nobody"


@dataclass(frozen=True)
class InboxFilter:
    """What the list shows; the defaults are the open items, the most urgent first."""

    state: str = STATE_OPEN
    channel_id: int | None = None
    kind: str = ""
    assignee: str = ""  # "", ASSIGNEE_MINE or ASSIGNEE_NOBODY
    sort: str = SORT_DEADLINE


class UnknownState(ValueError):
    """A state filter that is neither a state of an interaction nor "open" or "all"."""


def state_filter_values() -> list[str]:
    return [STATE_OPEN, STATE_ALL, *Interaction.State.values]


def interaction_for_user(*, pk: int, organization: Organization | None) -> Interaction:
    """The organization's interaction, or 404 — also for another organization's interaction."""
    item = (
        Interaction.objects.filter(pk=pk, organization=organization).select_related("channel", "assignee").first()
        if organization is not None
        else None
    )
    if item is None:
        raise Http404(_("No such feedback item."))
    return item


def inbox_items(*, organization: Organization, filters: InboxFilter, person: Person | None = None) -> QuerySet[Interaction]:
    """The organization's interactions as the list and the command show them."""
    items = Interaction.objects.filter(organization=organization).select_related("channel", "assignee")
    if filters.state == STATE_OPEN:
        items = items.filter(state__in=Interaction.OPEN_STATES)
    elif filters.state != STATE_ALL:
        if filters.state not in Interaction.State.values:
            raise UnknownState(filters.state)
        items = items.filter(state=filters.state)
    if filters.channel_id is not None:
        items = items.filter(channel_id=filters.channel_id)
    if filters.kind:
        items = items.filter(kind=filters.kind)
    if filters.assignee == ASSIGNEE_MINE:
        items = items.filter(assignee=person) if person is not None else items.none()
    elif filters.assignee == ASSIGNEE_NOBODY:
        items = items.filter(assignee__isnull=True)
    if filters.sort == SORT_NEWEST:
        return items.order_by("-created_at", "-pk")
    # Items without a deadline (our own posts, items that need no answer) come last.
    return items.order_by(
        Case(When(deadline__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField()),
        F("deadline").asc(),
        "created_at",
        "pk",
    )


def organization_channels(*, organization: Organization) -> QuerySet[Channel]:
    return Channel.objects.filter(organization=organization).order_by("name", "key")


def thread_of(*, interaction: Interaction) -> list[Interaction]:
    """Every interaction of the same discussion (thread or post), oldest first, this one included."""
    key = Q(thread_id=interaction.thread_id) if interaction.thread_id else Q(post_platform_id=interaction.post_platform_id)
    if not interaction.thread_id and not interaction.post_platform_id:
        return [interaction]
    items = Interaction.objects.filter(key, organization_id=interaction.organization_id, channel_id=interaction.channel_id)
    if interaction.post_platform_id:
        # The post itself is shown above the discussion, not in it.
        items = items.exclude(platform_id=interaction.post_platform_id)
    return list(items.select_related("assignee").order_by("created_at", "pk"))


def post_of(*, interaction: Interaction) -> Interaction | None:
    """The post the interaction belongs to, when Somevahti has it (our own posts come in as from_us)."""
    if not interaction.post_platform_id or interaction.post_platform_id == interaction.platform_id:
        return None
    return Interaction.objects.filter(channel_id=interaction.channel_id, platform_id=interaction.post_platform_id).first()


def interaction_history(*, interaction: Interaction) -> list[InteractionEvent]:
    return list(interaction.events.select_related("actor").order_by("at", "id"))


@dataclass(frozen=True)
class Assignable:
    person: Person
    role: str
    away: bool


def assignable_people(*, interaction: Interaction, at: dt.datetime) -> list[Assignable]:
    """The channel's current administrators, editors and moderators who work in the organization.

    Someone on leave is listed (a colleague may still hand them an item for their return) but
    marked as away.
    """
    periods = (
        ChannelAdministrator.objects.filter(channel_id=interaction.channel_id, since__lte=at)
        .filter(Q(until__isnull=True) | Q(until__gt=at))
        .filter(person__organization_id=interaction.organization_id)
        .select_related("person")
        .order_by("person__name", "since")
    )
    day = at.date()
    people: dict[int, Assignable] = {}
    candidates = [p for p in periods if p.person.is_active_on(day)]
    away = set(
        Absence.objects.filter(person_id__in=[p.person_id for p in candidates], start__lte=at, end__gt=at).values_list(
            "person_id", flat=True
        )
    )
    for period in candidates:
        people.setdefault(
            period.person_id, Assignable(person=period.person, role=period.role, away=period.person_id in away)
        )
    return list(people.values())


def canned_replies(*, organization: Organization, language: str = "") -> list[CannedReply]:
    """The organization's canned replies and official positions, those in `language` first."""
    rows = list(CannedReply.objects.filter(organization=organization).order_by("kind", "language", "title", "pk"))
    if language:
        rows.sort(key=lambda c: (c.language != language, c.kind, c.language, c.title.casefold()))
    return rows


def canned_for_user(*, pk: int, organization: Organization | None) -> CannedReply:
    row = CannedReply.objects.filter(pk=pk, organization=organization).first() if organization is not None else None
    if row is None:
        raise Http404(_("No such canned reply."))
    return row
