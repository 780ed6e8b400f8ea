"""The Finnish business calendar: Europe/Helsinki, Monday to Friday minus public holidays.

Public holidays come from the `holidays` package (Finland). Office hours default to
8:00–16:00 and are set with OFFICE_HOURS_START / OFFICE_HOURS_END. Deadlines (MAINT-SAME-DAY)
and reminders (MAINT-HOLIDAY-NOTE) are counted on this calendar.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

HELSINKI = ZoneInfo("Europe/Helsinki")


def _parse_hhmm(value: str) -> dt.time:
    hours, _, minutes = value.partition(":")
    return dt.time(int(hours), int(minutes or 0))


@lru_cache(maxsize=64)
def _holidays_for(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("FI", years=year, language="fi")


def holiday_name(day: dt.date) -> str | None:
    return _holidays_for(day.year).get(day)


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holidays_for(day.year)


def next_business_day(day: dt.date) -> dt.date:
    """The first business day strictly after `day`."""
    day += dt.timedelta(days=1)
    while not is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def previous_business_day(day: dt.date) -> dt.date:
    """The last business day strictly before `day`."""
    day -= dt.timedelta(days=1)
    while not is_business_day(day):
        day -= dt.timedelta(days=1)
    return day


def business_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Business days in [start, end]."""
    days, day = [], start
    while day <= end:
        if is_business_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def local_datetime(day: dt.date, at: dt.time) -> dt.datetime:
    """Wall-clock time in Helsinki as an aware datetime (fold resolves the autumn hour)."""
    return dt.datetime.combine(day, at, tzinfo=HELSINKI)


def office_hours(day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    """Opening and closing time of `day`, or None when it is not a business day."""
    if not is_business_day(day):
        return None
    start = _parse_hhmm(settings.OFFICE_HOURS_START)
    end = _parse_hhmm(settings.OFFICE_HOURS_END)
    return local_datetime(day, start), local_datetime(day, end)


def is_office_time(moment: dt.datetime) -> bool:
    local = moment.astimezone(HELSINKI)
    hours = office_hours(local.date())
    return hours is not None and hours[0] <= local < hours[1]


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=HELSINKI)


def today() -> dt.date:
    from django.utils import timezone

    return timezone.now().astimezone(HELSINKI).date()
