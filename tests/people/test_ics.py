"""Reading iCalendar files as Outlook and Google write them."""

from __future__ import annotations

import datetime as dt

import pytest

from somevahti.core.calendar import HELSINKI
from somevahti.people.ics import CalendarAbsence, CalendarError, parse_absences

from .conftest import NOW, calendar, ics

WINDOW = {"window_start": NOW - dt.timedelta(days=365), "window_end": NOW + dt.timedelta(days=730), "max_bytes": 5 * 1024 * 1024}


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=HELSINKI)


def by_uid(data: bytes, **kwargs: object) -> dict[str, CalendarAbsence]:
    return {a.uid: a for a in parse_absences(data, **{**WINDOW, **kwargs})}  # type: ignore[arg-type]


def test_outlook__all_day_event_ends_on_the_exclusive_date():
    absences = by_uid(ics("outlook.ics"))
    summer = absences["040000008200E00074C5B7101A82E00800000000A1B2C3D4E5F6@outlook"]
    assert summer.all_day is True
    assert summer.start == at(2026, 7, 6) and summer.end == at(2026, 7, 27)
    assert summer.summary == "Kesäloma"


def test_outlook__event_marked_free_is_still_an_absence():
    # TRANSP:TRANSPARENT: Outlook marks all-day events free by default.
    assert "040000008200E00074C5B7101A82E00800000000A1B2C3D4E5F6@outlook" in by_uid(ics("outlook.ics"))


def test_outlook__windows_zone_name_gives_helsinki_times_across_the_october_change():
    trip = by_uid(ics("outlook.ics"))["040000008200E00074C5B7101A82E00800000000B2C3D4E5F6A7@outlook"]
    assert trip.all_day is False
    # Friday 23 October 12:00 summer time (UTC+3) to Monday 26 October 12:00 winter time (UTC+2).
    assert trip.start == dt.datetime(2026, 10, 23, 9, 0, tzinfo=dt.UTC)
    assert trip.end == dt.datetime(2026, 10, 26, 10, 0, tzinfo=dt.UTC)
    assert trip.end.astimezone(dt.UTC) - trip.start.astimezone(dt.UTC) == dt.timedelta(days=3, hours=1)


def test_outlook__winter_time_event_is_two_hours_ahead_of_utc():
    dentist = by_uid(ics("outlook.ics"))["040000008200E00074C5B7101A82E00800000000C3D4E5F6A7B8@outlook"]
    assert dentist.start == dt.datetime(2026, 1, 15, 7, 0, tzinfo=dt.UTC)
    assert dentist.end == dt.datetime(2026, 1, 15, 8, 30, tzinfo=dt.UTC)


def test_google__utc_times_and_x_wr_timezone_become_helsinki_time():
    absences = by_uid(ics("google.ics"))
    doctor = absences["5u1o7pb2g7mt9c1d3l4k@google.com"]
    assert doctor.start == at(2026, 6, 1, 9, 0) and doctor.end == at(2026, 6, 1, 13, 0)
    floating = absences["floating-in-x-wr@google.com"]
    assert floating.start == at(2026, 9, 10, 9, 0)


def test_google__all_day_event_without_end_is_one_day():
    one = by_uid(ics("google.ics"))["no-dtend@google.com"]
    assert one.all_day and one.start == at(2026, 9, 20) and one.end == at(2026, 9, 21)


def test_google__cancelled_event_is_left_out():
    assert "cancelled@google.com" not in by_uid(ics("google.ics"))


def test_floating_time_is_helsinki_time():
    data = calendar("UID:f@example.fi\nDTSTAMP:20260101T000000Z\nDTSTART:20260302T080000\nDTEND:20260302T160000")
    absence = by_uid(data)["f@example.fi"]
    assert absence.start == at(2026, 3, 2, 8, 0)


def test_all_day_event_over_the_october_change_is_midnight_to_midnight():
    data = calendar("UID:dst@example.fi\nDTSTAMP:20260101T000000Z\nDTSTART;VALUE=DATE:20261024\nDTEND;VALUE=DATE:20261027")
    absence = by_uid(data)["dst@example.fi"]
    assert absence.start == at(2026, 10, 24) and absence.end == at(2026, 10, 27)
    assert absence.end.astimezone(dt.UTC) - absence.start.astimezone(dt.UTC) == dt.timedelta(days=3, hours=1)


def test_recurring__rrule_exdate_override_and_cancelled_occurrence():
    training = sorted(
        (a for uid, a in by_uid(ics("recurring.ics")).items() if uid.startswith("weekly-training")), key=lambda a: a.start
    )
    # Six Mondays from 2 March: 16 March is excluded, 23 March moved to Tuesday, 30 March cancelled.
    assert [a.start for a in training] == [
        at(2026, 3, 2, 8, 0), at(2026, 3, 9, 8, 0), at(2026, 3, 24, 9, 0), at(2026, 4, 6, 8, 0)
    ]
    moved = training[2]
    assert moved.summary == "Koulutuspäivä (siirretty)" and moved.end == at(2026, 3, 24, 15, 0)
    # Every occurrence has its own uid, named by its original start.
    assert moved.uid == "weekly-training@example.fi#20260323T060000Z"
    assert len({a.uid for a in training}) == 4


def test_recurring__uids_are_stable_across_reads():
    first = [a.uid for a in parse_absences(ics("recurring.ics"), **WINDOW)]
    second = [a.uid for a in parse_absences(ics("recurring.ics"), **WINDOW)]
    assert first == second


def test_recurring__endless_rule_is_expanded_only_within_the_window():
    fridays = [a for uid, a in by_uid(ics("recurring.ics")).items() if uid.startswith("every-friday")]
    assert fridays
    assert min(a.start for a in fridays) >= WINDOW["window_start"] - dt.timedelta(days=1)
    assert max(a.start for a in fridays) < WINDOW["window_end"]
    assert 150 < len(fridays) < 160  # three years of Fridays


def test_too_many_occurrences_is_refused_with_the_cap():
    data = calendar("UID:every-minute@example.fi\nDTSTAMP:20260101T000000Z\nDTSTART:20260302T080000Z\nDTEND:20260302T080100Z\nRRULE:FREQ=MINUTELY")
    with pytest.raises(CalendarError, match="5000"):
        parse_absences(data, **WINDOW)  # type: ignore[arg-type]


def test_unknown_time_zone_is_named():
    with pytest.raises(CalendarError, match="Mars/Olympus_Mons"):
        parse_absences(ics("unknown_tz.ics"), **WINDOW)  # type: ignore[arg-type]


def test_unknown_x_wr_timezone_is_named():
    data = calendar("UID:x@example.fi\nDTSTAMP:20260101T000000Z\nDTSTART:20260302T080000Z\nDTEND:20260302T100000Z").replace(
        b"VERSION:2.0\r\n", b"VERSION:2.0\r\nX-WR-TIMEZONE:Europe/Atlantis\r\n"
    )
    with pytest.raises(CalendarError, match="Europe/Atlantis"):
        parse_absences(data, **WINDOW)  # type: ignore[arg-type]


def test_event_ending_before_it_starts_is_named():
    with pytest.raises(CalendarError, match="Takaperin") as excinfo:
        parse_absences(ics("end_before_start.ics"), **WINDOW)  # type: ignore[arg-type]
    assert "backwards@example.fi" in str(excinfo.value)


def test_broken_value_names_its_line():
    with pytest.raises(CalendarError, match="line 15") as excinfo:
        parse_absences(ics("broken.ics"), **WINDOW)  # type: ignore[arg-type]
    assert "DTSTART" in str(excinfo.value)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<!DOCTYPE html><html><body>Sign in</body></html>", "web page"),
        (b'{"events": []}', "JSON"),
        (b"", "empty"),
        (b"Date,Subject\n2026-07-06,Loma\n", "BEGIN:VCALENDAR"),
    ],
)
def test_something_else_than_icalendar_is_refused_saying_what_it_is(data, words):
    with pytest.raises(CalendarError, match=words):
        parse_absences(data, **WINDOW)  # type: ignore[arg-type]


def test_file_over_the_size_limit_is_refused():
    with pytest.raises(CalendarError, match="too large"):
        parse_absences(ics("outlook.ics"), **{**WINDOW, "max_bytes": 100})  # type: ignore[arg-type]


def test_events_outside_the_window_are_left_out():
    data = calendar("UID:old@example.fi\nDTSTAMP:20200101T000000Z\nDTSTART;VALUE=DATE:20200706\nDTEND;VALUE=DATE:20200727")
    assert parse_absences(data, **WINDOW) == []  # type: ignore[arg-type]


def test_windows_zone_name_without_vtimezone_is_understood():
    data = calendar(
        "UID:w@example.fi\nDTSTAMP:20260101T000000Z\n"
        "DTSTART;TZID=FLE Standard Time:20261023T120000\nDTEND;TZID=FLE Standard Time:20261026T120000"
    )
    absence = by_uid(data)["w@example.fi"]
    assert absence.start == dt.datetime(2026, 10, 23, 9, 0, tzinfo=dt.UTC)
    assert absence.end == dt.datetime(2026, 10, 26, 10, 0, tzinfo=dt.UTC)
