"""Reads of the feedback inbox (palautteet) for pages and the command line.

Every read is scoped by organization: another organization's interaction is a 404, never a 403,
so its existence is not revealed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from somevahti.archive.models import ArchiveRecord, RecordKind
from somevahti.channels.models import Channel, ChannelAdministrator
from somevahti.core.roles import ROLE_PERMISSIONS, Perm
from somevahti.people.models import Absence, Organization, Person

from .models import CannedReply, Interaction, InteractionEvent, WebhookDelivery

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


@dataclass(frozen=True)
class PostShown:
    """The post a comment belongs to, as the feedback page shows it."""

    text: str
    permalink: str = ""


_OUR_POST_KINDS = (RecordKind.POST_PUBLISHED, RecordKind.POST_EDITED)


def post_of(*, interaction: Interaction) -> PostShown | None:
    """The post the interaction belongs to, when Somevahti has it.

    A post published through Somevahti is in the archive under its platform id (the newest
    version when it was edited); a post made straight on the platform comes in as one of our
    own interactions (from_us) when the platform sends it.
    """
    post_id = interaction.post_platform_id
    if not post_id or post_id == interaction.platform_id:
        return None
    record = (
        ArchiveRecord.objects.filter(channel_id=interaction.channel_id, kind__in=_OUR_POST_KINDS, source_id=post_id)
        .order_by("-sequence")
        .only("text", "payload")
        .first()
    )
    if record is not None:
        return PostShown(text=record.text, permalink=str((record.payload or {}).get("url") or ""))
    received = Interaction.objects.filter(channel_id=interaction.channel_id, platform_id=post_id).first()
    return PostShown(text=received.text, permalink=received.permalink) if received else None


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


# --- platform deliveries that need attention (toimitukset) --------------------------------------

# A delivery still waiting after this long was not picked up: the background worker may be down.
WAITING_TOO_LONG = dt.timedelta(minutes=5)
DELIVERY_PLATFORMS = ("facebook", "instagram")  # the channels Meta's deliveries are for


def read_page_ids(*, platform: str, body: bytes) -> frozenset[str]:
    """The platform ids of the pages a stored delivery is for, as far as its body can be read."""
    if platform == "meta":
        from somevahti.connectors.meta.webhooks import page_ids

        return page_ids(body)
    return frozenset()


def encode_page_ids(ids: frozenset[str]) -> str:
    """",id,id," — so that one page is found with a plain `contains` on every database."""
    return "," + ",".join(sorted(ids)) + "," if ids else ""


def delivery_page_ids(delivery: WebhookDelivery) -> frozenset[str]:
    if delivery.page_ids is not None:
        return frozenset(p for p in delivery.page_ids.split(",") if p)
    return read_page_ids(platform=delivery.platform, body=bytes(delivery.body))


def channels_by_page(page_ids: frozenset[str]) -> dict[str, list[Channel]]:
    """The channels (of any organization) whose platform id is one of these; one query."""
    found: dict[str, list[Channel]] = {}
    if page_ids:
        for channel in Channel.objects.filter(platform__in=DELIVERY_PLATFORMS, platform_id__in=sorted(page_ids)).select_related("organization").order_by("name"):
            found.setdefault(channel.platform_id, []).append(channel)
    return found


def _delivery_managers() -> frozenset[str]:
    """The roles that may manage channels, and so see the deliveries for them."""
    return frozenset(role for role, perms in ROLE_PERMISSIONS.items() if Perm.MANAGE_CHANNELS in perms)


def sole_organization() -> bool:
    return Organization.objects.count() == 1


@dataclass(frozen=True)
class DeliveryScope:
    """Whose platform deliveries a person may see, and what of them.

    Deliveries carry no organization: Meta sends one app's deliveries for all its pages, and
    one delivery may hold comments to several municipalities' pages. The choice:

    * The page and its actions need `Perm.MANAGE_CHANNELS` (channel management and connection
      health; communications leads). Channel administrators and everyone else get 403.
    * *Sees all* — every delivery, its body, the technical error and every channel it is for —
      is for instance administrators: a Django superuser (who runs the instance and holds the
      Meta app's secret), or, on an instance with a single organization, that organization's
      managers, since every delivery is then theirs.
    * Otherwise a manager sees the deliveries that name at least one of their organization's
      Facebook pages or Instagram accounts, with only those channels named, never the body
      (it may hold comments to another municipality's page) nor the technical error text.
      Deliveries that cannot be read name no page and are shown to instance administrators only.
    * Anyone who sees a delivery may try it again (processing stores each organization's own
      items, and nothing twice); giving up stops the retries for everyone, so a manager may give
      up only a delivery whose pages are all their organization's.
    """

    organization: Organization
    sees_all: bool
    own_page_ids: frozenset[str]

    def may_see(self, page_ids: frozenset[str]) -> bool:
        return self.sees_all or bool(page_ids & self.own_page_ids)

    def may_give_up(self, page_ids: frozenset[str]) -> bool:
        return self.sees_all or (bool(page_ids) and page_ids <= self.own_page_ids)


def delivery_scope(*, user: Any, organization: Organization) -> DeliveryScope:
    own = frozenset(
        pid
        for pid in Channel.objects.filter(organization=organization, platform__in=DELIVERY_PLATFORMS).values_list(
            "platform_id", flat=True
        )
        if pid
    )
    return DeliveryScope(
        organization=organization, sees_all=bool(getattr(user, "is_superuser", False)) or sole_organization(), own_page_ids=own
    )


def deliveries_needing_attention(*, now: dt.datetime) -> QuerySet[WebhookDelivery]:
    """Instance-wide: the failed deliveries (retries left or not) and those waiting too long."""
    return WebhookDelivery.objects.filter(
        Q(state=WebhookDelivery.State.FAILED) | Q(state=WebhookDelivery.State.PENDING, received_at__lt=now - WAITING_TOO_LONG)
    ).order_by("-received_at", "-pk")


def visible_deliveries(*, scope: DeliveryScope, now: dt.datetime, given_up: bool = False) -> QuerySet[WebhookDelivery]:
    """The deliveries needing attention (or those given up) that this scope may see, newest first.

    Page ids are read from the journal only (never joined with the main database's channels);
    a delivery not read yet (still waiting) is read here.
    """
    deliveries = (
        WebhookDelivery.objects.filter(state=WebhookDelivery.State.GIVEN_UP).order_by("-received_at", "-pk")
        if given_up
        else deliveries_needing_attention(now=now)
    )
    if scope.sees_all:
        return deliveries
    if not scope.own_page_ids:
        return deliveries.none()
    known = Q()
    for pid in scope.own_page_ids:
        known |= Q(page_ids__contains=f",{pid},")
    ids = list(deliveries.filter(known).values_list("pk", flat=True))
    for pk, platform, body in deliveries.filter(page_ids__isnull=True).values_list("pk", "platform", "body").iterator():
        if read_page_ids(platform=platform, body=bytes(body)) & scope.own_page_ids:
            ids.append(pk)
    return deliveries.filter(pk__in=ids)


def delivery_for_user(*, pk: int, scope: DeliveryScope) -> WebhookDelivery:
    """A delivery this scope may see, or 404 — also for one that is someone else's."""
    delivery = WebhookDelivery.objects.filter(pk=pk).first()
    if delivery is None or not scope.may_see(delivery_page_ids(delivery)):
        raise Http404(_("No such delivery."))
    return delivery


def deliveries_needing_attention_count(*, scope: DeliveryScope, now: dt.datetime) -> int:
    return visible_deliveries(scope=scope, now=now).count()


@dataclass
class DeliveryRecipient:
    email: str
    language: str
    deliveries: list[WebhookDelivery]


def delivery_recipients(*, deliveries: list[WebhookDelivery], today: dt.date) -> list[DeliveryRecipient]:
    """Who is told about these deliveries, and about which: the people who may see them."""
    from django.contrib.auth import get_user_model

    people = [
        p
        for p in Person.objects.filter(roles__role__in=_delivery_managers()).distinct()
        if p.is_active_on(today) and p.email
    ]
    language_of = {p.user_id: p.language for p in people if p.user_id and p.language}
    by_email: dict[str, DeliveryRecipient] = {}

    def tell(email: str, language: str, delivery: WebhookDelivery) -> None:
        recipient = by_email.setdefault(email.lower(), DeliveryRecipient(email=email, language=language, deliveries=[]))
        if delivery not in recipient.deliveries:
            recipient.deliveries.append(delivery)

    instance_admins = list(get_user_model().objects.filter(is_superuser=True, is_active=True).exclude(email=""))
    single = sole_organization()
    page_owner = dict(
        Channel.objects.filter(platform__in=DELIVERY_PLATFORMS).exclude(platform_id="").values_list("platform_id", "organization_id")
    )
    for delivery in deliveries:
        for user in instance_admins:
            tell(user.email, language_of.get(user.pk, ""), delivery)
        owners = {page_owner[pid] for pid in delivery_page_ids(delivery) if pid in page_owner}
        for person in people:
            if single or person.organization_id in owners:
                tell(person.email, person.language, delivery)
    return sorted(by_email.values(), key=lambda r: r.email)
