import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from somevahti.core.calendar import HELSINKI, is_business_day
from somevahti.inbox.deadlines import deadline_for

CUTOFF, DUE = dt.time(14), dt.time(16)


def at(y, m, d, hh, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=HELSINKI)


def test_deadline__before_cutoff_on_a_business_day_is_due_that_day():
    assert deadline_for(at(2026, 11, 25, 9, 30), cutoff=CUTOFF, due=DUE) == at(2026, 11, 25, 16)


def test_deadline__at_or_after_cutoff_is_due_next_business_day():
    assert deadline_for(at(2026, 11, 25, 14, 0), cutoff=CUTOFF, due=DUE) == at(2026, 11, 26, 16)


def test_deadline__friday_afternoon_is_due_monday():
    assert deadline_for(at(2026, 11, 27, 15), cutoff=CUTOFF, due=DUE) == at(2026, 11, 30, 16)


def test_deadline__midsummer_eve_morning_is_due_the_monday_after():
    assert deadline_for(at(2026, 6, 19, 9), cutoff=CUTOFF, due=DUE) == at(2026, 6, 22, 16)


def test_deadline__counts_helsinki_time_not_utc():
    # 11:30 UTC is 13:30 in Helsinki in winter: still before the cutoff.
    assert deadline_for(dt.datetime(2026, 1, 7, 11, 30, tzinfo=dt.UTC), cutoff=CUTOFF, due=DUE) == at(2026, 1, 7, 16)
    # 11:30 UTC is 14:30 in summer: after it.
    assert deadline_for(dt.datetime(2026, 7, 7, 11, 30, tzinfo=dt.UTC), cutoff=CUTOFF, due=DUE) == at(2026, 7, 8, 16)


@given(st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1), timezones=st.just(dt.UTC)))
def test_deadline__is_always_at_due_on_a_business_day_after_creation(created):
    deadline = deadline_for(created, cutoff=CUTOFF, due=DUE)
    local = deadline.astimezone(HELSINKI)
    assert local.time() == DUE and is_business_day(local.date()) and deadline > created
    assert deadline - created < dt.timedelta(days=8)
