"""Adding to the archive. Nothing here updates or deletes a record."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext as _

from somevahti.channels.models import Channel
from somevahti.core import audit
from somevahti.people.models import Organization

from . import search
from .models import DEFAULT_RETENTION_DAYS, ArchiveRecord, DisposalLog, RecordKind, RetentionPolicy

GENESIS = "0" * 64


def canonical(record: ArchiveRecord) -> bytes:
    """The bytes a record's hash covers: every field that tells what happened, in a fixed form."""
    fields = {
        "organization": record.organization_id,
        "sequence": record.sequence,
        "kind": record.kind,
        "channel": record.channel_id,
        "platform": record.platform,
        "source_id": record.source_id,
        "author": record.author,
        "text": record.text,
        "payload": record.payload,
        "occurred_at": record.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "previous_hash": record.previous_hash,
    }
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder).encode()


def record_hash(record: ArchiveRecord) -> str:
    return hashlib.sha256(canonical(record)).hexdigest()


@dataclass(frozen=True)
class ArchiveEntry:
    """One record to append, as `archive()` takes it."""

    kind: str
    text: str
    occurred_at: dt.datetime
    channel: Channel | None = None
    source_id: str = ""
    author: str = ""
    payload: dict[str, Any] | None = None


INSERT_BATCH = 500


def archive(
    *,
    organization: Any,
    kind: str,
    text: str,
    occurred_at: dt.datetime,
    channel: Channel | None = None,
    source_id: str = "",
    author: str = "",
    payload: dict[str, Any] | None = None,
) -> ArchiveRecord:
    """Append one record to the organization's chain."""
    entry = ArchiveEntry(
        kind=kind, text=text, occurred_at=occurred_at, channel=channel, source_id=source_id, author=author, payload=payload
    )
    return archive_many(organization=organization, entries=[entry])[0]


@transaction.atomic
def archive_many(*, organization: Any, entries: Sequence[ArchiveEntry]) -> list[ArchiveRecord]:
    """Append records to the organization's chain in the order given, all of them or none.

    The same chain as that many calls of `archive()`, for a fraction of the queries: one lock,
    one read of the chain's end, one INSERT per INSERT_BATCH records. `bulk_create` skips the
    signals of signals.py, so the stems are set here before the insert and the index is added
    after it, in the same transaction.
    """
    if not entries:
        return []
    # Writers of one organization take turns (a row lock on the organization), so two records
    # can never take the same place in the chain.
    Organization.objects.select_for_update().filter(pk=organization.pk).values_list("pk", flat=True).first()
    last = (
        ArchiveRecord.objects.filter(organization=organization)
        .order_by("-sequence")
        .only("sequence", "record_hash")
        .first()
    )
    sequence = last.sequence if last else 0
    previous_hash = last.record_hash if last else GENESIS
    records: list[ArchiveRecord] = []
    for entry in entries:
        sequence += 1
        record = ArchiveRecord(
            organization=organization,
            sequence=sequence,
            kind=entry.kind,
            channel=entry.channel,
            platform=entry.channel.platform if entry.channel else (entry.payload or {}).get("platform", ""),
            source_id=entry.source_id[:300],
            author=entry.author[:300],
            text=entry.text,
            payload=json.loads(json.dumps(entry.payload or {}, cls=DjangoJSONEncoder)),
            occurred_at=entry.occurred_at,
            previous_hash=previous_hash,
        )
        record.record_hash = previous_hash = record_hash(record)
        record.search_text = search.stem_text(record.text)
        records.append(record)
    ArchiveRecord.objects.bulk_create(records, batch_size=INSERT_BATCH)
    search.index_rows([(record.pk, record.search_text) for record in records])
    return records


# --- search index, chain verification, retention, import ---


VERIFY_CHUNK = 5000


def index_record(record: ArchiveRecord) -> None:
    """Make a new record findable. Called by the post_save signal (see signals.py)."""
    if record.removed_from_search_at is None:
        search.index_rows([(record.pk, record.search_text)])


# Chain verification (eheyden tarkistus) ------------------------------------------------------


class BreakReason:
    CONTENT_CHANGED = "content_changed"
    LINK_BROKEN = "link_broken"
    SEQUENCE_MISSING = "sequence_missing"


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken_sequence: int | None = None
    reason: str = ""  # one of BreakReason, empty when ok

    def describe(self) -> str:
        if self.ok:
            return _("The chain is intact: %(count)s records checked.") % {"count": self.checked}
        messages = {
            BreakReason.CONTENT_CHANGED: _(
                "Record %(sequence)s has been changed after it was archived: its content no longer matches its hash."
            ),
            BreakReason.LINK_BROKEN: _(
                "Record %(sequence)s does not link to the record before it: the record before it has been changed or replaced."
            ),
            BreakReason.SEQUENCE_MISSING: _("Record %(sequence)s is missing from the chain."),
        }
        return messages[self.reason] % {"sequence": self.first_broken_sequence}


def _records_in_order(organization: Organization, chunk: int) -> Iterator[ArchiveRecord]:
    """Every record of the organization by sequence, a chunk at a time (keyset, not OFFSET)."""
    after = 0
    while True:
        rows = list(
            ArchiveRecord.objects.filter(organization=organization, sequence__gt=after)
            .order_by("sequence")
            .defer("search_text", "recorded_at", "removed_from_search_at")[:chunk]
        )
        if not rows:
            return
        yield from rows
        after = rows[-1].sequence


def verify_chain(*, organization: Organization, chunk: int = VERIFY_CHUNK) -> VerifyResult:
    """Recompute every hash in order and check each link and the sequence; name the first break.

    A changed record shows as CONTENT_CHANGED at its own sequence; a changed record whose hash
    was also rewritten shows as LINK_BROKEN at the next one; a deleted record as SEQUENCE_MISSING.
    (Removing the newest records leaves no gap; the count in the audit log and exports tells.)
    """
    checked = 0
    expected_sequence = 1
    previous = GENESIS
    for record in _records_in_order(organization, chunk):
        if record.sequence != expected_sequence:
            return VerifyResult(False, checked, expected_sequence, BreakReason.SEQUENCE_MISSING)
        if record.previous_hash != previous:
            return VerifyResult(False, checked, record.sequence, BreakReason.LINK_BROKEN)
        if record_hash(record) != record.record_hash:
            return VerifyResult(False, checked, record.sequence, BreakReason.CONTENT_CHANGED)
        checked += 1
        expected_sequence += 1
        previous = record.record_hash
    return VerifyResult(True, checked)


def verify_chain_audited(*, organization: Organization, by: Any = None, request: Any = None) -> VerifyResult:
    result = verify_chain(organization=organization)
    audit.record(
        "archive.chain_verified",
        target=organization,
        actor=by,
        request=request,
        data={"ok": result.ok, "checked": result.checked, "first_broken_sequence": result.first_broken_sequence, "reason": result.reason},
    )
    return result


# Retention (säilytysajat) --------------------------------------------------------------------


def retention_days(*, organization: Organization) -> dict[str, int | None]:
    """The retention of each record kind: the organization's own decision or the default."""
    days = dict(DEFAULT_RETENTION_DAYS)
    for policy in RetentionPolicy.objects.filter(organization=organization):
        days[policy.kind] = policy.days
    return days


# Bounds of a retention period: shorter than a month would let a record leave search before an
# information request about it is likely answered; a century is "for good" in all but name.
MIN_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 36500


class RetentionError(ValueError):
    """A retention period that cannot be set; the message says which one and why."""


def check_retention_days(*, kind: str, days: int | None) -> None:
    """Raise RetentionError unless `days` is a period the archive accepts for `kind` (None: for good)."""
    if kind not in RecordKind.values:
        raise RetentionError(_("%(kind)s is not a kind of archive record.") % {"kind": kind})
    if days is None:
        return
    if isinstance(days, bool) or not isinstance(days, int) or not MIN_RETENTION_DAYS <= days <= MAX_RETENTION_DAYS:
        raise RetentionError(
            _("The retention of “%(kind)s” must be a whole number of days from %(min)s to %(max)s.")
            % {"kind": RecordKind(kind).label, "min": MIN_RETENTION_DAYS, "max": MAX_RETENTION_DAYS}
        )


@transaction.atomic
def set_retention_policy(*, organization: Organization, kind: str, days: int | None, by: Any = None) -> RetentionPolicy:
    check_retention_days(kind=kind, days=days)
    previous = retention_days(organization=organization).get(kind)
    policy, _created = RetentionPolicy.objects.update_or_create(organization=organization, kind=kind, defaults={"days": days})
    audit.record("archive.retention_policy_set", target=policy, actor=by, data={"kind": kind, "days": days, "previous_days": previous})
    return policy


def set_retention_policies(
    *, organization: Organization, days_by_kind: dict[str, int | None], by: Any = None,
) -> list[RetentionPolicy]:
    """Set the retention of several kinds at once: every value is checked first, and either all
    change or none does. Kinds whose period stays the same are left alone (and not audited).

    Nothing leaves search here, however much shorter a period becomes: records are disposed of
    only by the scheduled run (`apply_retention`, every night), which logs what it removed."""
    for kind, days in days_by_kind.items():
        check_retention_days(kind=kind, days=days)
    current = retention_days(organization=organization)
    changed: list[RetentionPolicy] = []
    with transaction.atomic():
        for kind, days in sorted(days_by_kind.items()):
            if current.get(kind) == days:
                continue
            changed.append(set_retention_policy(organization=organization, kind=kind, days=days, by=by))
    return changed


@dataclass
class RetentionResult:
    disposals: list[DisposalLog] = field(default_factory=list)

    @property
    def removed(self) -> int:
        return sum(d.count for d in self.disposals)


@transaction.atomic
def apply_retention(*, organization: Organization, now: dt.datetime, chunk: int = 5000, run: str = "") -> RetentionResult:
    """Take records past their retention out of search and log the disposal.

    `run` names this run in the disposal log (the nightly task passes its result id); without
    one a new id is made, so the log always tells which disposals happened together.

    A record is kept for its full period: it leaves search when `occurred_at + days <= now`.
    The row itself stays, so the hash chain still verifies; only search forgets it. (Blanking
    the text and keeping the hash would also hide the content, but then the chain could no
    longer be recomputed, so we keep the row as it is.)
    """
    run = (run or uuid.uuid4().hex)[:64]
    result = RetentionResult()
    for kind, days in sorted(retention_days(organization=organization).items()):
        if days is None:
            continue
        cutoff = now - dt.timedelta(days=days)
        expired = ArchiveRecord.objects.filter(
            organization=organization, kind=kind, occurred_at__lte=cutoff, removed_from_search_at__isnull=True
        )
        count = 0
        while True:
            rows = list(expired.order_by("pk").values_list("pk", "search_text")[:chunk])
            if not rows:
                break
            search.unindex_rows(rows)
            count += ArchiveRecord.objects.filter(pk__in=[pk for pk, _text in rows]).update(removed_from_search_at=now)
        if count:
            log = DisposalLog.objects.create(organization=organization, kind=kind, count=count, up_to=cutoff, at=now, run=run)
            audit.record(
                "archive.records_disposed",
                target=log,
                data={"kind": kind, "count": count, "occurred_up_to": cutoff.isoformat(), "retention_days": days, "run": run},
            )
            result.disposals.append(log)
    return result


# Search audit (906/2019 §17) ------------------------------------------------------------------


def record_search(*, organization: Organization, criteria: dict[str, Any], total: int, by: Any = None, request: Any = None) -> None:
    """Every time someone sees archive search results: who, what they asked, how many matched."""
    audit.record(
        "archive.searched", organization_id=organization.pk, actor=by, request=request, data={**criteria, "count": total}
    )


def record_viewed(*, record: ArchiveRecord, by: Any = None, request: Any = None) -> None:
    audit.record("archive.record_viewed", target=record, actor=by, request=request, data={"sequence": record.sequence})


# Import of platform history (Meta's "download your information") ------------------------------


@dataclass(frozen=True)
class ImportResult:
    format: str
    added: int
    already_there: int

    def summary(self) -> str:
        return _("%(format)s: %(added)s records added, %(skipped)s already in the archive.") % {
            "format": self.format,
            "added": self.added,
            "skipped": self.already_there,
        }


@transaction.atomic
def import_platform_export(
    *, organization: Organization, channel: Channel, raw: bytes, name: str = "", by: Any = None
) -> ImportResult:
    """Append the posts and comments of a Facebook or Instagram export as IMPORTED records.

    Items already archived (same format, time and text) are skipped, so importing the same
    file twice adds nothing. A bad file raises ImportFileError before anything is stored.
    """
    from .imports import parse_export

    fmt, items = parse_export(raw, name=name)
    items.sort(key=lambda item: item.occurred_at)
    wanted = {item.source_id: item for item in items}
    existing: set[str] = set()
    ids = list(wanted)
    for start in range(0, len(ids), 500):
        existing.update(
            ArchiveRecord.objects.filter(
                organization=organization, kind=RecordKind.IMPORTED, source_id__in=ids[start : start + 500]
            ).values_list("source_id", flat=True)
        )
    added = 0
    for source_id, item in wanted.items():
        if source_id in existing:
            continue
        archive(
            organization=organization,
            kind=RecordKind.IMPORTED,
            text=item.text,
            occurred_at=item.occurred_at,
            channel=channel,
            source_id=source_id,
            author=item.author,
            payload={"import_format": fmt, "file": name, "item": item.payload},
        )
        added += 1
    result = ImportResult(format=fmt, added=added, already_there=len(wanted) - added)
    audit.record(
        "archive.imported",
        target=channel,
        actor=by,
        data={"format": fmt, "file": name, "added": added, "already_there": result.already_there},
    )
    return result
