"""MAINT-SAME-DAY deadlines: "Palautteisiin pyritään vastaamaan saman päivän aikana."

Counted from the moment the interaction was created on the platform, in Helsinki time: one
created on a business day before the cutoff (default 14:00) is due at `due` (default 16:00)
that day; one created later, or on a day that is not a business day, is due at `due` on the
next business day.
"""

from __future__ import annotations

import datetime as dt

from somevahti.core.calendar import HELSINKI, is_business_day, local_datetime, next_business_day


def parse_clock(value: str) -> dt.time:
    hours, _, minutes = str(value).partition(":")
    return dt.time(int(hours), int(minutes or 0))


def deadline_for(created_at: dt.datetime, *, cutoff: dt.time, due: dt.time) -> dt.datetime:
    local = created_at.astimezone(HELSINKI)
    day = local.date()
    if is_business_day(day) and local.time() < cutoff:
        return local_datetime(day, due)
    return local_datetime(next_business_day(day), due)
