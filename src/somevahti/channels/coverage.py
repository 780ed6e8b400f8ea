"""Administrator coverage (MAINT-ADMINS).

"Kunnan palvelussa on oltava useampi nimetty ylläpitäjä, jotta palvelun päivittäminen hoidetaan
katkeamatta myös lomien aikana."

An administrator is available at an instant when one of their administrator periods (admin or
editor; moderators do not count) contains it, they are an active person, and no absence of
theirs contains it. A gap is a maximal half-open interval [start, end) inside the window in
which fewer administrators than required are available and the set of them stays the same.

The core (`coverage_gaps`) is plain Python over aware datetimes; `channel_gaps` loads a
channel's rows and calls it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from somevahti.core.calendar import local_midnight

Interval = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Gap:
    start: dt.datetime
    end: dt.datetime
    available: tuple[str, ...]  # keys (e-mails) of those available, sorted


def _utc(moment: dt.datetime) -> dt.datetime:
    """Aware datetimes that share a tzinfo compare and subtract by wall clock, ignoring fold: in
    Helsinki's autumn hour 03:30+03:00 would sort after 03:10+02:00. UTC has no such hour."""
    if moment in (dt.datetime.min.replace(tzinfo=dt.UTC), dt.datetime.max.replace(tzinfo=dt.UTC)):
        return moment
    return moment.astimezone(dt.UTC)


def _utc_all(intervals: Iterable[Interval]) -> list[Interval]:
    return [(_utc(s), _utc(e)) for s, e in intervals]


def _union(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _subtract(base: list[Interval], holes: list[Interval]) -> list[Interval]:
    """base minus holes; both sorted and disjoint."""
    result: list[Interval] = []
    j = 0
    for start, end in base:
        cursor = start
        while j < len(holes) and holes[j][1] <= cursor:
            j += 1
        k = j
        while k < len(holes) and holes[k][0] < end:
            if holes[k][0] > cursor:
                result.append((cursor, holes[k][0]))
            cursor = max(cursor, holes[k][1])
            k += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def availability(
    *, periods: Sequence[Interval], active: Interval | None, absences: Sequence[Interval], window: Interval
) -> list[Interval]:
    """When one person is available as administrator inside the window (in UTC)."""
    lo, hi = _utc(window[0]), _utc(window[1])
    if active is not None:
        lo, hi = max(lo, _utc(active[0])), min(hi, _utc(active[1]))
    clipped = [(max(s, lo), min(e, hi)) for s, e in _utc_all(periods)]
    return _subtract(_union(clipped), _union(_utc_all(absences)))


def coverage_gaps(
    *, window: Interval, available: dict[str, list[Interval]], min_admins: int
) -> list[Gap]:
    """Gaps in a window, given each administrator's availability intervals. Times come out in UTC."""
    start, end = _utc(window[0]), _utc(window[1])
    if start >= end:
        return []
    events: dict[dt.datetime, list[tuple[str, int]]] = {}
    for key, intervals in available.items():
        for s, e in _utc_all(intervals):
            s, e = max(s, start), min(e, end)
            if s < e:
                events.setdefault(s, []).append((key, 1))
                events.setdefault(e, []).append((key, -1))
    events.setdefault(start, [])
    events.setdefault(end, [])
    moments = sorted(events)
    count: dict[str, int] = {}
    gaps: list[Gap] = []
    for i, moment in enumerate(moments[:-1]):
        for key, delta in events[moment]:
            count[key] = count.get(key, 0) + delta
        present = tuple(sorted(k for k, n in count.items() if n > 0))
        nxt = moments[i + 1]
        if moment < start or moment >= end or len(present) >= min_admins:
            continue
        if gaps and gaps[-1].end == moment and gaps[-1].available == present:
            gaps[-1] = Gap(gaps[-1].start, nxt, present)
        else:
            gaps.append(Gap(moment, nxt, present))
    return gaps


def date_window(start: dt.date, days: int) -> Interval:
    """Local midnight of `start` to local midnight `days` days later (Helsinki)."""
    return local_midnight(start), local_midnight(start + dt.timedelta(days=days))


def active_interval(active_from: dt.date | None, active_until: dt.date | None) -> Interval:
    """A person's active dates as instants; until is the last day, included."""
    lo = local_midnight(active_from) if active_from else dt.datetime.min.replace(tzinfo=dt.UTC)
    hi = local_midnight(active_until + dt.timedelta(days=1)) if active_until else dt.datetime.max.replace(tzinfo=dt.UTC)
    return lo, hi
