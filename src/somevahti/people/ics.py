"""iCalendar files and feeds as absences (poissaolot kalenterista).

`parse_absences` reads what Outlook and Google really export: VTIMEZONE blocks named with
Windows zone names ("FLE Standard Time"), TZID parameters, UTC times, floating times, Google's
X-WR-TIMEZONE, all-day events, recurring series with EXDATE and overridden or cancelled
occurrences. RFC 5545 itself is left to `icalendar`, `x-wr-timezone` and
`recurring-ical-events`; this module only decides what counts as an absence.

Choices made here:

- Every event in the calendar is an absence, also one marked free (TRANSP:TRANSPARENT). The
  person gives us their absence calendar on purpose, and both Outlook and Google mark all-day
  events free by default, so a holiday would otherwise be lost.
- Cancelled events (STATUS:CANCELLED), and cancelled occurrences of a series, are left out.
- Events that take no time (a timed event with no end) are not absences and are left out.
- Floating times (no zone) are Helsinki time (Europe/Helsinki).
- Recurring series are expanded only within [window_start, window_end), and at most
  `max_occurrences` occurrences are accepted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events
import x_wr_timezone
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

HELSINKI = ZoneInfo("Europe/Helsinki")
MAX_OCCURRENCES = 5000


class CalendarError(ValueError):
    """The calendar cannot be used; the message says what is wrong and where."""


@dataclass(frozen=True)
class CalendarAbsence:
    uid: str  # the event's UID, plus the occurrence for recurring events
    start: dt.datetime  # aware
    end: dt.datetime  # aware, exclusive
    all_day: bool
    summary: str


def parse_absences(
    data: bytes,
    *,
    window_start: dt.datetime,
    window_end: dt.datetime,
    max_bytes: int,
    max_occurrences: int = MAX_OCCURRENCES,
) -> list[CalendarAbsence]:
    """The absences in an iCalendar file that touch [window_start, window_end), by start."""
    if len(data) > max_bytes:
        raise file_too_large(size=len(data), max_bytes=max_bytes)
    text = _decode(data)
    _require_icalendar(text)
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except ValueError as exc:
        raise _broken(text, exc) from exc
    if not calendars:
        raise CalendarError(_("The file is not an iCalendar file: it has no calendar in it."))
    found: dict[str, CalendarAbsence] = {}
    for calendar in calendars:
        _check_components(calendar, text)
        calendar = _to_standard(calendar)
        for absence in _occurrences(calendar, window_start, window_end, max_occurrences, len(found)):
            found[absence.uid] = absence
    return sorted(found.values(), key=lambda a: (a.start, a.uid))


def file_too_large(*, size: int, max_bytes: int) -> CalendarError:
    return CalendarError(
        _("The calendar file is too large: %(size)s. The largest allowed is %(max)s.")
        % {"size": filesizeformat(size), "max": filesizeformat(max_bytes)}
    )


# --- reading --------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Old Outlook exports are sometimes Windows-1252.
        return data.decode("cp1252", errors="replace")


def _require_icalendar(text: str) -> None:
    head = text.lstrip()[:200]
    if head[:15].upper() == "BEGIN:VCALENDAR":
        return
    lowered = head.lower()
    if lowered.startswith("<"):
        raise CalendarError(_("The file is a web page (HTML), not an iCalendar file."))
    if lowered.startswith(("{", "[")):
        raise CalendarError(_("The file is JSON data, not an iCalendar file."))
    if not head:
        raise CalendarError(_("The file is empty."))
    raise CalendarError(_("The file is not an iCalendar file: it should begin with BEGIN:VCALENDAR."))


def _broken(text: str, exc: Exception) -> CalendarError:
    """icalendar names the bad content but not its line; find the line so the person can."""
    quoted = re.search(r"'([^']+)'", str(exc))
    if quoted:
        for number, line in enumerate(text.splitlines(), start=1):
            if quoted.group(1) in line:
                return CalendarError(
                    _("The calendar file is broken on line %(line)s and cannot be read: %(problem)s")
                    % {"line": number, "problem": exc}
                )
    return CalendarError(_("The calendar file is broken and cannot be read: %(problem)s") % {"problem": exc})


def _line_of(text: str, name: str, value: str) -> int | None:
    """Line number (1-based, as in the file) of a property line with this name and value."""
    pattern = re.compile(rf"^{re.escape(name)}[;:]", re.IGNORECASE)
    # Folded lines (RFC 5545 3.1) continue with a space or a tab; count physical lines.
    logical: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line[:1] in (" ", "\t") and logical:
            first, content = logical[-1]
            logical[-1] = (first, content + line[1:])
        else:
            logical.append((number, line))
    for number, line in logical:
        if pattern.match(line) and value in line:
            return number
    for number, line in logical:
        if pattern.match(line):
            return number
    return None


def _event_label(event: Any) -> str:
    summary = str(event.get("SUMMARY", "") or "").strip()
    uid = str(event.get("UID", "") or "").strip()
    if summary and uid:
        return f"“{summary}” ({uid})"
    return f"“{summary or uid or '?'}”"


def _check_components(calendar: icalendar.Calendar, text: str) -> None:
    """Broken values, unknown zones and backwards events, named before anything is expanded."""
    for component in calendar.walk():
        for name, problem in getattr(component, "errors", []) or []:
            line = _line_of(text, str(name), _bad_value(str(problem)) or "")
            if line is not None:
                raise CalendarError(
                    _("The calendar file is broken on line %(line)s: the %(property)s value cannot be read (%(problem)s).")
                    % {"line": line, "property": name, "problem": problem}
                )
            raise CalendarError(
                _("The calendar file is broken: the %(property)s value cannot be read (%(problem)s).")
                % {"property": name, "problem": problem}
            )
    for event in calendar.walk("VEVENT"):
        start_prop = event.get("DTSTART")
        if start_prop is None:
            raise CalendarError(_("The event %(event)s has no start (DTSTART).") % {"event": _event_label(event)})
        for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
            prop = event.get(name)
            if prop is None:
                continue
            tzid = prop.params.get("TZID") if hasattr(prop, "params") else None
            moment = getattr(prop, "dt", None)
            if tzid and isinstance(moment, dt.datetime) and moment.tzinfo is None:
                raise CalendarError(
                    _("The event %(event)s uses the time zone “%(zone)s”, which is not known and is not described in the file.")
                    % {"event": _event_label(event), "zone": tzid}
                )
        end_prop = event.get("DTEND")
        if end_prop is not None:
            start, end = _comparable(start_prop.dt), _comparable(end_prop.dt)
            if end < start:
                raise CalendarError(
                    _("The event %(event)s ends before it starts.") % {"event": _event_label(event)}
                )
        duration = event.get("DURATION")
        if duration is not None and isinstance(duration.dt, dt.timedelta) and duration.dt < dt.timedelta(0):
            raise CalendarError(_("The event %(event)s ends before it starts.") % {"event": _event_label(event)})


def _bad_value(problem: str) -> str | None:
    match = re.search(r"Got: '(.*)'", problem)
    return match.group(1) if match else None


def _comparable(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=HELSINKI)
    return dt.datetime.combine(value, dt.time(0), tzinfo=HELSINKI)


def _to_standard(calendar: icalendar.Calendar) -> icalendar.Calendar:
    try:
        return x_wr_timezone.to_standard(calendar)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CalendarError(
            _("The calendar's time zone “%(zone)s” (X-WR-TIMEZONE) is not known.")
            % {"zone": str(calendar.get("X-WR-TIMEZONE", ""))}
        ) from exc


def _recurring_uids(calendar: icalendar.Calendar) -> set[str]:
    """UIDs whose events repeat: their occurrences get the occurrence in the uid."""
    uids = set()
    for event in calendar.walk("VEVENT"):
        if event.get("RRULE") is not None or event.get("RDATE") is not None or event.get("RECURRENCE-ID") is not None:
            uids.add(str(event.get("UID", "")))
    return uids


def _occurrences(
    calendar: icalendar.Calendar, window_start: dt.datetime, window_end: dt.datetime, limit: int, already: int
) -> Iterator[CalendarAbsence]:
    recurring = _recurring_uids(calendar)
    try:
        query = recurring_ical_events.CalendarQuery(calendar, keep_recurrence_attributes=False)
        # `after` yields in order of start and lazily, so an endless rule stops at the window.
        count = already
        for event in query.after(window_start):
            start = _aware(event["DTSTART"].dt)
            if start >= window_end:
                break
            if str(event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            count += 1
            if count > limit:
                raise CalendarError(
                    _("The calendar has more than %(max)s events in the period that is read. Export a shorter period.")
                    % {"max": limit}
                )
            absence = _absence(event, recurring)
            if absence is not None and absence.end > window_start:
                yield absence
    except CalendarError:
        raise
    except recurring_ical_events.PeriodEndBeforeStart as exc:
        raise CalendarError(_("An event in the calendar ends before it starts: %(problem)s") % {"problem": exc}) from exc
    except (recurring_ical_events.InvalidCalendar, icalendar.InvalidCalendar, ValueError) as exc:
        raise CalendarError(_("The calendar file is broken and cannot be read: %(problem)s") % {"problem": exc}) from exc


def _aware(value: dt.date | dt.datetime) -> dt.datetime:
    """Dates are Helsinki midnights; floating times are Helsinki time; zoned times stay the instant."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=HELSINKI)
        return value.astimezone(HELSINKI)
    return dt.datetime.combine(value, dt.time(0), tzinfo=HELSINKI)


def _absence(event: Any, recurring: set[str]) -> CalendarAbsence | None:
    raw_start = event["DTSTART"].dt
    all_day = not isinstance(raw_start, dt.datetime)
    start = _aware(raw_start)
    end_prop = event.get("DTEND")
    if end_prop is not None:
        end = _aware(end_prop.dt)
    elif event.get("DURATION") is not None:
        end = (start + event["DURATION"].dt).astimezone(HELSINKI)
    elif all_day:
        end = _aware(raw_start + dt.timedelta(days=1))  # RFC 5545 3.6.1: one day
    else:
        return None  # a moment, not an absence
    if all_day:
        # A whole day is from local midnight to local midnight, whatever the offset that day.
        end = _aware(end.date() if end.time() == dt.time(0) else end.date() + dt.timedelta(days=1))
    if end <= start:
        return None
    uid = str(event.get("UID", "") or "").strip()
    if not uid:
        # RFC 5545 requires a UID; without one, the event's content keeps re-imports stable.
        seed = f"{raw_start}|{event.get('SUMMARY', '')}".encode()
        uid = "nouid-" + hashlib.sha256(seed).hexdigest()[:24]
    if uid in recurring:
        recurrence = event.get("RECURRENCE-ID")
        occurrence = recurrence.dt if recurrence is not None else raw_start
        uid = f"{uid}#{_occurrence_key(occurrence)}"
    return CalendarAbsence(
        uid=uid[:500], start=start, end=end, all_day=all_day, summary=str(event.get("SUMMARY", "") or "").strip()[:300]
    )


def _occurrence_key(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=HELSINKI)
        return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%d")
