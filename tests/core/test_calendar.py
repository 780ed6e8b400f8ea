import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from somevahti.core import calendar


def test_business_day__midsummer_eve_and_weekends_are_not():
    assert calendar.is_business_day(dt.date(2026, 6, 18))       # Thursday
    assert not calendar.is_business_day(dt.date(2026, 6, 19))   # Juhannusaatto
    assert not calendar.is_business_day(dt.date(2026, 6, 20))   # Saturday, Juhannuspäivä
    assert not calendar.is_business_day(dt.date(2026, 6, 21))   # Sunday


def test_next_business_day__skips_christmas_and_the_weekend():
    assert calendar.next_business_day(dt.date(2026, 12, 23)) == dt.date(2026, 12, 28)


def test_previous_business_day__of_a_monday_is_the_friday_before():
    assert calendar.previous_business_day(dt.date(2026, 7, 6)) == dt.date(2026, 7, 3)


def test_holiday_name__is_finnish():
    assert calendar.holiday_name(dt.date(2026, 12, 6)) == "Itsenäisyyspäivä"
    assert calendar.holiday_name(dt.date(2026, 12, 7)) is None


def test_office_hours__default_eight_to_four_helsinki_time_also_in_summer():
    opening, closing = calendar.office_hours(dt.date(2026, 7, 1))
    assert opening.isoformat() == "2026-07-01T08:00:00+03:00"
    assert closing.isoformat() == "2026-07-01T16:00:00+03:00"
    assert calendar.office_hours(dt.date(2026, 7, 4)) is None


def test_office_hours__follow_the_settings(settings):
    settings.OFFICE_HOURS_START = "09:30"
    settings.OFFICE_HOURS_END = "15:00"
    opening, closing = calendar.office_hours(dt.date(2026, 1, 2))
    assert (opening.isoformat(), closing.isoformat()) == ("2026-01-02T09:30:00+02:00", "2026-01-02T15:00:00+02:00")
    assert calendar.is_office_time(dt.datetime(2026, 1, 2, 8, 0, tzinfo=dt.UTC))       # 10:00 local
    assert not calendar.is_office_time(dt.datetime(2026, 1, 2, 13, 30, tzinfo=dt.UTC))  # 15:30 local


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 1)))
def test_next_business_day__is_a_later_business_day_with_none_between(day):
    following = calendar.next_business_day(day)
    assert following > day and calendar.is_business_day(following)
    assert calendar.business_days(day + dt.timedelta(days=1), following - dt.timedelta(days=1)) == []
