"""Every change of state in the inbox: ingesting, assigning, replying, hiding, closing."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from somevahti.archive.models import RecordKind
from somevahti.archive.services import ArchiveEntry, archive, archive_many
from somevahti.channels.connections import connector_for_channel, record_connection_outcome
from somevahti.channels.models import Channel, ChannelAdministrator, ChannelConnection
from somevahti.checks import PublicContacts, check_text
from somevahti.checks.queries import public_contacts
from somevahti.checks.services import check_for_organization
from somevahti.connectors.base import (
    Cursor,
    IncomingInteraction,
    InteractionKind,
    InteractionRef,
    Outcome,
    Result,
    Verb,
)
from somevahti.core import audit
from somevahti.core.audit import Actor
from somevahti.guideline.queries import rule_parameters
from somevahti.people.models import Absence, Person

from .deadlines import deadline_for, parse_clock
from .models import Interaction, InteractionEvent, Reply

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)

MAX_REPLY_LENGTH = 8000


class InboxError(Exception):
    """Something a person asked for cannot be done; the message says why, translated."""


class ReplyBlocked(InboxError):
    def __init__(self, message: str, findings: list[Any]) -> None:
        super().__init__(message)
        self.findings = findings


class ReplyNeedsConfirmation(ReplyBlocked):
    """Warnings were found: the person confirms with a reason, which is audited."""


# --- ingest -----------------------------------------------------------------------------------


@dataclass
class IngestResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    answered_on_platform: int = 0
    kinds: Counter[str] = field(default_factory=Counter)


def _same_day_parameters(organization: Any) -> tuple[dt.time, dt.time]:
    params = rule_parameters(organization=organization, code="MAINT-SAME-DAY")
    return parse_clock(params.get("cutoff", "14:00")), parse_clock(params.get("due", "16:00"))


def _check(organization: Any, text: str, contacts: PublicContacts | None = None) -> tuple[list[dict[str, Any]], bool]:
    if contacts is None:
        findings = check_for_organization(organization=organization, text=text, lang="fi")
    else:
        findings = check_text(text, lang="fi", contacts=contacts)
    stored = [{"type": f.type, "severity": str(f.severity), "start": f.start, "end": f.end, "rule": f.rule} for f in findings]
    return stored, any(f.severity == "block" for f in findings)


def _event(interaction: Interaction, verb: str, at: dt.datetime, **fields: Any) -> None:
    InteractionEvent.objects.create(interaction=interaction, verb=verb, at=at, **fields)


def _open_state(interaction: Interaction) -> str:
    if interaction.first_response_at is not None:
        return Interaction.State.ANSWERED
    return Interaction.State.ASSIGNED if interaction.assignee_id else Interaction.State.NEW


Checked = dict[str, tuple[list[dict[str, Any]], bool]]


def check_texts(*, organization: Any, texts: Iterable[str]) -> Checked:
    """Content checks of incoming texts, run before a transaction so it stays short."""
    contacts = public_contacts(organization=organization)  # read once, not once a text
    return {text: _check(organization, text, contacts) for text in set(texts) if text}


class _Writes:
    """Where ingest reads and writes: straight to the database, one item at a time."""

    def find(self, channel: Channel, platform_id: str, *, lock: bool) -> Interaction | None:
        found = Interaction.objects.filter(channel=channel, platform_id=platform_id)
        return (found.select_for_update() if lock else found).first()

    def add(self, interaction: Interaction) -> None:
        interaction.save(force_insert=True)

    def update(self, interaction: Interaction, fields: list[str]) -> None:
        interaction.save(update_fields=fields)

    def event(self, interaction: Interaction, verb: str, at: dt.datetime, **fields: Any) -> None:
        _event(interaction, verb, at, **fields)

    def archive(self, organization: Any, entry: ArchiveEntry) -> None:
        archive_many(organization=organization, entries=[entry])


class _BatchWrites(_Writes):
    """The same reads and writes against rows read beforehand, kept and written in bulk by `flush`.

    What an item changes is seen by the items after it (a comment and its edit in one batch),
    exactly as if each had been written at once.
    """

    LOOKUP_CHUNK = 500

    def __init__(self) -> None:
        self.known: dict[tuple[int, str], Interaction] = {}
        self.new: list[Interaction] = []
        self.changed: dict[int, tuple[Interaction, set[str]]] = {}
        self.events: list[InteractionEvent] = []
        self.entries: dict[int, tuple[Any, list[ArchiveEntry]]] = {}

    def read(self, channel: Channel, items: Sequence[IncomingInteraction]) -> None:
        """Lock the channel's stored interactions that these items are about (or answer)."""
        ids = sorted({item.platform_id for item in items} | {item.parent_id for item in items if item.from_us and item.parent_id})
        for start in range(0, len(ids), self.LOOKUP_CHUNK):
            stored = (
                Interaction.objects.select_for_update()
                .filter(channel=channel, platform_id__in=ids[start : start + self.LOOKUP_CHUNK])
                .order_by("pk")  # rows locked in one order by every worker
            )
            for interaction in stored:
                self.known.setdefault((channel.pk, interaction.platform_id), interaction)

    def find(self, channel: Channel, platform_id: str, *, lock: bool) -> Interaction | None:
        return self.known.get((channel.pk, platform_id))

    def add(self, interaction: Interaction) -> None:
        self.known[(interaction.channel_id, interaction.platform_id)] = interaction
        self.new.append(interaction)

    def update(self, interaction: Interaction, fields: list[str]) -> None:
        if interaction.pk is not None:  # a new one is inserted as it ends up
            self.changed.setdefault(interaction.pk, (interaction, set()))[1].update(fields)

    def event(self, interaction: Interaction, verb: str, at: dt.datetime, **fields: Any) -> None:
        self.events.append(InteractionEvent(interaction=interaction, verb=verb, at=at, **fields))

    def archive(self, organization: Any, entry: ArchiveEntry) -> None:
        self.entries.setdefault(organization.pk, (organization, []))[1].append(entry)

    def flush(self) -> None:
        Interaction.objects.bulk_create(self.new, batch_size=self.LOOKUP_CHUNK)
        for interaction, fields in self.changed.values():
            interaction.save(update_fields=sorted(fields))
        InteractionEvent.objects.bulk_create(self.events, batch_size=self.LOOKUP_CHUNK)
        for _pk, (organization, entries) in sorted(self.entries.items()):
            archive_many(organization=organization, entries=entries)


_WRITE_AT_ONCE = _Writes()


def ingest_interactions(
    *, channel: Channel, items: Iterable[IncomingInteraction], now: dt.datetime | None = None, checked: Checked | None = None
) -> IngestResult:
    """Store what a platform sent, idempotently: the same item twice is one interaction."""
    now = now or timezone.now()
    result = IngestResult()
    cutoff, due = _same_day_parameters(channel.organization)
    for item in items:
        for attempt in range(2):
            try:
                with transaction.atomic():
                    _ingest_one(
                        channel=channel, item=item, now=now, cutoff=cutoff, due=due, result=result, checked=checked,
                        writes=_WRITE_AT_ONCE,
                    )
                break
            except IntegrityError:
                # Another process stored the same item a moment ago: read it and go on as an update.
                if attempt:
                    raise
    return result


@transaction.atomic
def ingest_interaction_batch(
    *,
    batch: Sequence[tuple[Channel, Sequence[IncomingInteraction]]],
    now: dt.datetime | None = None,
    checked: Mapping[int, Checked] | None = None,
) -> IngestResult:
    """Store the items of several channels as `ingest_interactions` would one channel after
    another, with a handful of queries for the whole batch instead of about ten for each item.

    The interactions the items are about are read and locked first; interactions, events and
    archive records are then written in bulk, each organization's records in one append.
    Raises IntegrityError if another process stored one of the items meanwhile; nothing of the
    batch is then stored, and the caller takes the items one by one (`ingest_interactions`).
    """
    now = now or timezone.now()
    result = IngestResult()
    writes = _BatchWrites()
    for channel, items in batch:
        writes.read(channel, items)
        cutoff, due = _same_day_parameters(channel.organization)
        for item in items:
            _ingest_one(
                channel=channel, item=item, now=now, cutoff=cutoff, due=due, result=result,
                checked=(checked or {}).get(channel.pk), writes=writes,
            )
    writes.flush()
    return result


def _ingest_one(
    *,
    channel: Channel,
    item: IncomingInteraction,
    now: dt.datetime,
    cutoff: dt.time,
    due: dt.time,
    result: IngestResult,
    checked: Checked | None,
    writes: _Writes,
) -> None:
    def check(text: str) -> tuple[list[dict[str, Any]], bool]:
        if checked is not None and text in checked:
            return checked[text]
        return _check(channel.organization, text)

    existing = writes.find(channel, item.platform_id, lock=True)
    if existing is None:
        expects = not item.from_us and item.verb in (Verb.ADD, Verb.EDITED)
        findings, blocking = check(item.text) if item.text else ([], False)
        state = Interaction.State.NEW
        if item.from_us:
            state = Interaction.State.CLOSED
        elif item.verb == Verb.REMOVED:
            state = Interaction.State.REMOVED
        elif item.verb == Verb.HIDDEN:
            state = Interaction.State.HIDDEN
        interaction = Interaction(
            organization_id=channel.organization_id,
            channel=channel,
            kind=str(item.kind),
            platform_id=item.platform_id,
            post_platform_id=item.post_id,
            parent_platform_id=item.parent_id,
            thread_id=item.thread_id or item.post_id,
            author_platform_id=item.author.platform_id,
            author_name=item.author.name[:300],
            author_handle=item.author.handle[:300],
            text=item.text,
            media_urls=list(item.media_urls),
            permalink=item.permalink[:1000],
            platform_extra=dict(item.extra),
            from_us=item.from_us,
            created_at=item.created_at,
            received_at=now,
            state=state,
            expects_answer=expects and state == Interaction.State.NEW,
            deadline=deadline_for(item.created_at, cutoff=cutoff, due=due) if expects else None,
            findings=findings,
            has_blocking_finding=blocking,
        )
        writes.add(interaction)
        writes.event(interaction, "received", now, text_after=item.text, data={"verb": str(item.verb), "raw": dict(item.raw)})
        writes.archive(channel.organization, _archive_entry(channel, item, RecordKind.INTERACTION_RECEIVED))
        if item.verb in (Verb.REMOVED, Verb.HIDDEN):
            writes.archive(channel.organization, _archive_entry(channel, item, _PLATFORM_KINDS[item.verb], occurred_at=now))
        result.created += 1
        result.kinds[str(item.kind)] += 1
        if item.from_us and item.parent_id:
            result.answered_on_platform += _mark_answered_on_platform(channel, item, now, writes)
        return
    interaction = existing
    if item.verb in (Verb.ADD, Verb.EDITED):
        if item.text and item.text != interaction.text:
            before = interaction.text
            interaction.text = item.text
            interaction.findings, interaction.has_blocking_finding = check(item.text)
            writes.update(interaction, ["text", "findings", "has_blocking_finding", "updated_at"])
            writes.event(interaction, "edited", now, text_before=before, text_after=item.text, data={"raw": dict(item.raw)})
            writes.archive(channel.organization, _archive_entry(channel, item, RecordKind.INTERACTION_EDITED, occurred_at=now))
            result.updated += 1
        else:
            result.unchanged += 1
        return
    new_state = {
        Verb.REMOVED: Interaction.State.REMOVED,
        Verb.HIDDEN: Interaction.State.HIDDEN,
        Verb.UNHIDDEN: _open_state(interaction),
    }[item.verb]
    if interaction.state == new_state:
        result.unchanged += 1
        return
    interaction.state = new_state
    writes.update(interaction, ["state", "updated_at"])
    writes.event(interaction, f"platform_{item.verb}", now, data={"raw": dict(item.raw)})
    writes.archive(channel.organization, _archive_entry(channel, item, _PLATFORM_KINDS[item.verb], occurred_at=now))
    result.updated += 1


_PLATFORM_KINDS = {
    Verb.REMOVED: RecordKind.INTERACTION_REMOVED,
    Verb.HIDDEN: RecordKind.INTERACTION_HIDDEN,
    Verb.UNHIDDEN: RecordKind.INTERACTION_UNHIDDEN,
}


def _archive_entry(
    channel: Channel, item: IncomingInteraction, kind: str, *, occurred_at: dt.datetime | None = None
) -> ArchiveEntry:
    """What came from the platform goes into the archive as received (payload included)."""
    return ArchiveEntry(
        kind=kind,
        channel=channel,
        text=item.text,
        occurred_at=occurred_at or item.created_at,
        source_id=item.platform_id,
        author=item.author.name or item.author.handle,
        payload={"kind": str(item.kind), "verb": str(item.verb), "platform": dict(item.raw)},
    )


def _mark_answered_on_platform(channel: Channel, item: IncomingInteraction, now: dt.datetime, writes: _Writes) -> int:
    """An administrator answered straight on the platform: the comment is answered."""
    parent = writes.find(channel, item.parent_id, lock=False)
    if parent is None or parent.first_response_at is not None:
        return 0
    parent.first_response_at = item.created_at
    if parent.state in Interaction.OPEN_STATES:
        parent.state = Interaction.State.ANSWERED
    writes.update(parent, ["first_response_at", "state", "updated_at"])
    writes.event(parent, "answered_on_platform", now, data={"reply": item.platform_id})
    return 1


def poll_channel(*, channel: Channel, now: dt.datetime | None = None) -> IngestResult | None:
    """Fetch what is new since the channel's cursor (the fallback to webhooks)."""
    now = now or timezone.now()
    connection, _created = ChannelConnection.objects.get_or_create(channel=channel)
    if connection.retry_after and connection.retry_after > now:
        return None
    batch = connector_for_channel(channel).fetch_interactions(Cursor(connection.cursor))
    if batch.outcome != Outcome.OK:
        record_connection_outcome(
            channel=channel, result=Result(batch.outcome, message=batch.message, retry_after=batch.retry_after), now=now
        )
        return None
    result = ingest_interactions(channel=channel, items=batch.items, now=now)
    ChannelConnection.objects.filter(pk=connection.pk).update(cursor=batch.cursor.value, last_fetched_at=now)
    record_connection_outcome(channel=channel, result=Result(Outcome.OK), now=now)
    return result


# --- people's actions -------------------------------------------------------------------------


def _require_same_organization(interaction: Interaction, person: Person) -> None:
    if person.organization_id != interaction.organization_id:
        raise InboxError(_("That person is not in this organization."))


@transaction.atomic
def assign_interaction(*, interaction: Interaction, assignee: Person, by: Actor) -> Interaction:
    """Hand a comment to a colleague. Its deadline does not move."""
    _require_same_organization(interaction, assignee)
    interaction.assignee = assignee
    if interaction.state == Interaction.State.NEW:
        interaction.state = Interaction.State.ASSIGNED
    interaction.save(update_fields=["assignee", "state", "updated_at"])
    _event(interaction, "assigned", timezone.now(), actor=by if by and by.is_authenticated else None, data={"assignee": assignee.email})
    audit.record("inbox.interaction_assigned", target=interaction, actor=by, data={"assignee": assignee.email})
    return interaction


def available_responders(*, channel: Channel, at: dt.datetime) -> list[Person]:
    """The channel's administrators, editors and moderators at work at `at`."""
    admins = ChannelAdministrator.objects.filter(channel=channel, since__lte=at).filter(
        Q(until__isnull=True) | Q(until__gt=at)
    ).select_related("person")
    away = set(Absence.objects.filter(start__lte=at, end__gt=at).values_list("person_id", flat=True))
    day = at.date()
    people = {a.person.pk: a.person for a in admins if a.person.pk not in away and a.person.is_active_on(day)}
    return sorted(people.values(), key=lambda p: p.name)


def auto_assign(*, interaction: Interaction, now: dt.datetime | None = None) -> Person | None:
    """Give the interaction to the available responder with the fewest open items."""
    now = now or timezone.now()
    candidates = available_responders(channel=interaction.channel, at=now)
    if not candidates:
        return None
    load = dict(
        Interaction.objects.filter(assignee__in=candidates, state__in=Interaction.OPEN_STATES)
        .values_list("assignee")
        .annotate(n=Count("id"))
        .values_list("assignee", "n")
    )
    chosen = min(candidates, key=lambda p: (load.get(p.pk, 0), p.name))
    assign_interaction(interaction=interaction, assignee=chosen, by=None)
    return chosen


def send_reply(
    *,
    interaction: Interaction,
    text: str,
    by: Actor,
    override_reason: str = "",
    now: dt.datetime | None = None,
) -> Reply:
    """Check the reply, record the attempt, send it through the platform, record the outcome."""
    text = text.strip()
    if not text:
        raise InboxError(_("The reply is empty."))
    if len(text) > MAX_REPLY_LENGTH:
        raise InboxError(_("The reply is too long (at most %(max)s characters).") % {"max": MAX_REPLY_LENGTH})
    if interaction.state == Interaction.State.REMOVED:
        raise InboxError(_("The comment has been removed from the platform; it cannot be answered there."))
    findings = check_for_organization(organization=interaction.organization, text=text, lang="fi")
    if any(f.severity == "block" for f in findings):
        raise ReplyBlocked(_("The reply contains something that must not be published."), findings)
    warnings = [f for f in findings if f.severity == "warn"]
    if warnings and not override_reason.strip():
        raise ReplyNeedsConfirmation(_("Check the warnings; to send anyway, give a reason."), warnings)
    author = cast("User | None", by if by is not None and by.is_authenticated else None)
    reply = Reply.objects.create(interaction=interaction, text=text, author=author, idempotency_key=uuid.uuid4().hex)
    if warnings:
        audit.record(
            "inbox.reply_warning_overridden",
            target=interaction,
            actor=by,
            data={"reason": override_reason.strip(), "types": sorted({f.type for f in warnings})},
        )
    ref = InteractionRef(
        platform_id=interaction.platform_id, kind=InteractionKind(interaction.kind), extra=dict(interaction.platform_extra)
    )
    result = connector_for_channel(interaction.channel).reply(ref, text)
    now = now or timezone.now()
    return _record_reply_outcome(reply=reply, result=result, by=by, now=now)


@transaction.atomic
def _record_reply_outcome(*, reply: Reply, result: Result, by: Actor, now: dt.datetime) -> Reply:
    interaction = Interaction.objects.select_for_update().get(pk=reply.interaction_id)
    reply.outcome = str(result.outcome)
    reply.message = result.message[:2000]
    if result.ok:
        reply.status = Reply.Status.SENT
        reply.platform_id = result.platform_id
        reply.url = result.url[:1000]
        reply.sent_at = now
        if interaction.first_response_at is None:
            interaction.first_response_at = now
        interaction.state = Interaction.State.ANSWERED
        interaction.save(update_fields=["first_response_at", "state", "updated_at"])
        _event(interaction, "answered", now, actor=by if by and by.is_authenticated else None, text_after=reply.text)
        archive(
            organization=interaction.organization,
            kind=RecordKind.REPLY_SENT,
            channel=interaction.channel,
            text=reply.text,
            occurred_at=now,
            source_id=reply.platform_id,
            author=interaction.channel.name,
            payload={"in_reply_to": interaction.platform_id, "url": reply.url, "by": by.get_username() if by else ""},
        )
        audit.record("inbox.reply_sent", target=interaction, actor=by, data={"reply": reply.platform_id})
    else:
        reply.status = Reply.Status.FAILED
        if result.outcome == Outcome.NOT_FOUND:
            interaction.state = Interaction.State.REMOVED
            interaction.save(update_fields=["state", "updated_at"])
            _event(interaction, "platform_removed", now, data={"noticed": "reply"})
        audit.record("inbox.reply_failed", target=interaction, actor=by, data={"outcome": reply.outcome})
    reply.save()
    if result.outcome in (Outcome.UNAUTHORIZED, Outcome.RATE_LIMITED, Outcome.FAILED):
        record_connection_outcome(channel=interaction.channel, result=result, now=now)
    return reply


def hide_interaction(*, interaction: Interaction, hidden: bool, by: Actor) -> Result:
    """Hide (or show again) on the platform; Somevahti keeps its own copy either way."""
    ref = InteractionRef(platform_id=interaction.platform_id, kind=InteractionKind(interaction.kind), extra=dict(interaction.platform_extra))
    result = connector_for_channel(interaction.channel).hide(ref, hidden)
    now = timezone.now()
    with transaction.atomic():
        if result.ok:
            interaction.state = Interaction.State.HIDDEN if hidden else _open_state(interaction)
            interaction.save(update_fields=["state", "updated_at"])
            _event(interaction, "hidden" if hidden else "unhidden", now, actor=by if by and by.is_authenticated else None)
            archive(
                organization=interaction.organization,
                kind=RecordKind.INTERACTION_HIDDEN if hidden else RecordKind.INTERACTION_UNHIDDEN,
                channel=interaction.channel,
                text=interaction.text,
                occurred_at=now,
                source_id=interaction.platform_id,
                author=interaction.author_name,
                payload={"by": by.get_username() if by else ""},
            )
            audit.record("inbox.interaction_hidden" if hidden else "inbox.interaction_unhidden", target=interaction, actor=by)
        elif result.outcome == Outcome.NOT_FOUND:
            interaction.state = Interaction.State.REMOVED
            interaction.save(update_fields=["state", "updated_at"])
            _event(interaction, "platform_removed", now, data={"noticed": "hide"})
    if result.outcome in (Outcome.UNAUTHORIZED, Outcome.RATE_LIMITED, Outcome.FAILED):
        record_connection_outcome(channel=interaction.channel, result=result, now=now)
    return result


@transaction.atomic
def mark_no_answer_needed(*, interaction: Interaction, reason: str, by: Actor) -> Interaction:
    reason = reason.strip()
    if not reason:
        raise InboxError(_("Give a reason why no answer is needed."))
    interaction.expects_answer = False
    interaction.no_answer_reason = reason[:2000]
    interaction.state = Interaction.State.CLOSED
    interaction.save(update_fields=["expects_answer", "no_answer_reason", "state", "updated_at"])
    _event(interaction, "no_answer_needed", timezone.now(), actor=by if by and by.is_authenticated else None, data={"reason": reason})
    audit.record("inbox.marked_no_answer_needed", target=interaction, actor=by, data={"reason": reason})
    return interaction


@transaction.atomic
def close_interaction(*, interaction: Interaction, by: Actor) -> Interaction:
    interaction.state = Interaction.State.CLOSED
    interaction.save(update_fields=["state", "updated_at"])
    _event(interaction, "closed", timezone.now(), actor=by if by and by.is_authenticated else None)
    audit.record("inbox.interaction_closed", target=interaction, actor=by)
    return interaction
