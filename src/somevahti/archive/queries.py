"""Reading the archive: search for the page, the command and exports."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from somevahti.channels.models import Channel
from somevahti.core.calendar import local_midnight
from somevahti.people.models import Organization

from . import search
from .models import ArchiveRecord, DisposalLog


@dataclass(frozen=True)
class ArchiveQuery:
    """What was asked: the words and the filters (written into the audit log and manifests)."""

    query: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    channel: str = ""  # channel key
    kind: str = ""
    author: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("date_from", "date_to"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


@dataclass
class SearchResult:
    total: int
    records: list[ArchiveRecord] = field(default_factory=list)


def archive_queryset(*, organization: Organization, criteria: ArchiveQuery) -> QuerySet[ArchiveRecord]:
    """The records in search that match, newest first. Records retention took out never match."""
    qs = ArchiveRecord.objects.filter(organization=organization, removed_from_search_at__isnull=True)
    groups = search.query_groups(criteria.query)
    if groups:
        if search.uses_fts5():
            qs = qs.filter(
                pk__in=RawSQL(
                    f"SELECT rowid FROM {search.FTS_TABLE} WHERE {search.FTS_TABLE} MATCH %s",
                    [search.fts5_expression(groups)],
                )
            )
        else:
            qs = qs.filter(search.tsquery_match(groups))
    elif criteria.query.strip():
        return qs.none()  # only punctuation: nothing can match
    if criteria.date_from:
        qs = qs.filter(occurred_at__gte=local_midnight(criteria.date_from))
    if criteria.date_to:
        qs = qs.filter(occurred_at__lt=local_midnight(criteria.date_to + dt.timedelta(days=1)))
    if criteria.channel:
        # The channel's id first, then a plain equality: a join to channels led PostgreSQL to a
        # plan 2.5 times slower than the hand-written query on a million records.
        channel_id = Channel.objects.filter(organization=organization, key=criteria.channel).values_list("pk", flat=True).first()
        if channel_id is None:
            return qs.none()
        qs = qs.filter(channel_id=channel_id)
    if criteria.kind:
        qs = qs.filter(kind=criteria.kind)
    if criteria.author.strip():
        qs = qs.filter(author__icontains=criteria.author.strip())
    return qs.order_by("-occurred_at", "-sequence")


def search_archive(
    *,
    organization: Organization,
    query: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    channel: str = "",
    kind: str = "",
    author: str = "",
    limit: int = 25,
    offset: int = 0,
) -> SearchResult:
    """One page of matching records, newest first, and how many match in all."""
    criteria = ArchiveQuery(
        query=query, date_from=date_from, date_to=date_to, channel=channel, kind=kind, author=author
    )
    qs = archive_queryset(organization=organization, criteria=criteria)
    total = qs.count()
    if total <= offset:
        return SearchResult(total=total)
    # Sort only the ids, then load the page's rows: ordering thousands of whole rows (text,
    # payload, hashes) is what made a common word slow.
    ids = list(qs.values_list("pk", flat=True)[offset : offset + limit])
    by_id = ArchiveRecord.objects.select_related("channel").defer("search_text").in_bulk(ids)
    return SearchResult(total=total, records=[by_id[pk] for pk in ids if pk in by_id])


def record_for_user(*, organization: Organization, sequence: int) -> ArchiveRecord:
    """One record of the organization by its place in the chain; 404 for anything else,
    including records that retention took out of search."""
    record = (
        ArchiveRecord.objects.select_related("channel")
        .filter(organization=organization, sequence=sequence, removed_from_search_at__isnull=True)
        .first()
    )
    if record is None:
        raise Http404
    return record


# Retention ---------------------------------------------------------------------------------


def records_in_search_by_kind(*, organization: Organization) -> dict[str, int]:
    """How many records of each kind search can still find."""
    rows = (
        ArchiveRecord.objects.filter(organization=organization, removed_from_search_at__isnull=True)
        .values("kind").annotate(count=Count("pk")).order_by()
    )
    return {row["kind"]: row["count"] for row in rows}


def records_due_by_kind(
    *, organization: Organization, days_by_kind: dict[str, int | None], now: dt.datetime,
) -> dict[str, int]:
    """How many records still in search are already past the given periods: the next scheduled
    run of retention would take them out of search (a period None keeps them for good)."""
    due: dict[str, int] = {}
    for kind, days in days_by_kind.items():
        if days is None:
            due[kind] = 0
            continue
        due[kind] = ArchiveRecord.objects.filter(
            organization=organization, kind=kind, removed_from_search_at__isnull=True,
            occurred_at__lte=now - dt.timedelta(days=days),
        ).count()
    return due


def disposal_log(*, organization: Organization, limit: int = 100) -> list[DisposalLog]:
    """The newest disposals first: what left search, when and in which run."""
    return list(DisposalLog.objects.filter(organization=organization).order_by("-at", "-pk")[:limit])
