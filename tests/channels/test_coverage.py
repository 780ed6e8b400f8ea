from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from somevahti.channels.coverage import Gap, active_interval, availability, coverage_gaps, date_window
from somevahti.channels.models import Channel, ChannelAdministrator
from somevahti.channels.services import channel_gaps, gaps_for_channels
from somevahti.core.calendar import HELSINKI, local_midnight
from somevahti.people.models import Absence, Organization, Person
from tests.factories import AbsenceFactory, PersonFactory

UTC = dt.UTC


def day(y: int, m: int, d: int) -> dt.datetime:
    return local_midnight(dt.date(y, m, d))


@pytest.fixture
def channel(organization) -> Channel:
    return Channel.objects.create(organization=organization, key="instagram-joroinen", platform="instagram", name="Joroisten kunta", status="active")


def admin(channel: Channel, person: Person, *, role: str = "admin", since: dt.datetime | None = None, until: dt.datetime | None = None) -> ChannelAdministrator:
    return ChannelAdministrator.objects.create(
        channel=channel, person=person, role=role, since=since or day(2024, 1, 1), until=until
    )


def test_coverage__counts_absence_on_its_last_day(organization, channel):
    aino, mikko = PersonFactory(organization=organization, email="aino@joroinen.fi"), PersonFactory(organization=organization, email="mikko@joroinen.fi")
    admin(channel, aino)
    admin(channel, mikko)
    # A vacation 6.–26.7. (last day included) is stored ending at local midnight of 27.7.
    AbsenceFactory(person=aino, start=day(2026, 7, 6), end=day(2026, 7, 27))

    gaps = channel_gaps(channel=channel, window=date_window(dt.date(2026, 7, 1), 31), min_admins=2)

    assert gaps == [Gap(day(2026, 7, 6), day(2026, 7, 27), ("mikko@joroinen.fi",))]
    sunday_evening = dt.datetime(2026, 7, 26, 23, 59, tzinfo=HELSINKI)
    assert gaps[0].start <= sunday_evening < gaps[0].end


def test_coverage__moderators_do_not_count(organization, channel):
    aino, ville = PersonFactory(organization=organization, email="aino@joroinen.fi"), PersonFactory(organization=organization, email="ville@joroinen.fi")
    admin(channel, aino)
    admin(channel, ville, role=ChannelAdministrator.Role.MODERATOR)

    gaps = channel_gaps(channel=channel, window=date_window(dt.date(2026, 7, 1), 10), min_admins=2)

    assert gaps == [Gap(day(2026, 7, 1), day(2026, 7, 11), ("aino@joroinen.fi",))]


def test_coverage__editors_count(organization, channel):
    aino, sanna = PersonFactory(organization=organization, email="aino@joroinen.fi"), PersonFactory(organization=organization, email="sanna@joroinen.fi")
    admin(channel, aino)
    admin(channel, sanna, role=ChannelAdministrator.Role.EDITOR)

    assert channel_gaps(channel=channel, window=date_window(dt.date(2026, 7, 1), 10), min_admins=2) == []


def test_coverage__a_person_who_has_left_does_not_count(organization, channel):
    aino = PersonFactory(organization=organization, email="aino@joroinen.fi")
    lars = PersonFactory(organization=organization, email="lars@joroinen.fi", active_until=dt.date(2026, 7, 3))
    admin(channel, aino)
    admin(channel, lars)  # the period was never ended: he still does not count after his last day

    gaps = channel_gaps(channel=channel, window=date_window(dt.date(2026, 7, 1), 10), min_admins=2)

    assert gaps == [Gap(day(2026, 7, 4), day(2026, 7, 11), ("aino@joroinen.fi",))]


def test_coverage__ended_and_future_periods_count_only_inside_them(organization, channel):
    aino, mikko = PersonFactory(organization=organization, email="aino@joroinen.fi"), PersonFactory(organization=organization, email="mikko@joroinen.fi")
    admin(channel, aino)
    admin(channel, mikko, since=day(2026, 7, 5), until=day(2026, 7, 8))

    gaps = channel_gaps(channel=channel, window=date_window(dt.date(2026, 7, 1), 10), min_admins=2)

    assert [(g.start, g.end) for g in gaps] == [(day(2026, 7, 1), day(2026, 7, 5)), (day(2026, 7, 8), day(2026, 7, 11))]


def test_coverage__window_across_spring_dst_change_has_right_offsets(organization, channel):
    aino = PersonFactory(organization=organization, email="aino@joroinen.fi")
    admin(channel, aino)
    window = date_window(dt.date(2026, 3, 28), 3)  # clocks go forward on Sunday 29.3.2026 at 03:00

    (gap,) = channel_gaps(channel=channel, window=window, min_admins=2)

    assert gap.start.astimezone(HELSINKI).isoformat() == "2026-03-28T00:00:00+02:00"
    assert gap.end.astimezone(HELSINKI).isoformat() == "2026-03-31T00:00:00+03:00"
    assert gap.end - gap.start == dt.timedelta(hours=71)


def test_coverage__window_across_autumn_dst_change_has_right_offsets(organization, channel):
    aino, mikko = PersonFactory(organization=organization, email="aino@joroinen.fi"), PersonFactory(organization=organization, email="mikko@joroinen.fi")
    admin(channel, aino)
    admin(channel, mikko)
    # Mikko is away on Sunday 25.10.2026, the day the clocks go back at 04:00.
    AbsenceFactory(person=mikko, start=day(2026, 10, 25), end=day(2026, 10, 26))

    (gap,) = channel_gaps(channel=channel, window=date_window(dt.date(2026, 10, 24), 3), min_admins=2)

    assert gap.start.astimezone(HELSINKI).isoformat() == "2026-10-25T00:00:00+03:00"
    assert gap.end.astimezone(HELSINKI).isoformat() == "2026-10-26T00:00:00+02:00"
    assert gap.end - gap.start == dt.timedelta(hours=25)


def test_coverage__several_channels_in_one_call(organization, channel):
    other = Channel.objects.create(organization=organization, key="facebook", platform="facebook", name="Joroinen", status="active")
    aino = PersonFactory(organization=organization, email="aino@joroinen.fi")
    admin(channel, aino)

    gaps = gaps_for_channels(channels=[channel, other], window=date_window(dt.date(2026, 7, 1), 1), min_admins=1)

    assert gaps[channel.pk] == []
    assert gaps[other.pk] == [Gap(day(2026, 7, 1), day(2026, 7, 2), ())]


# --- the property: gaps equal a minute-by-minute count ----------------------------------------------

# Two days across a change of the clocks (spring: 47 hours, autumn: 49 hours); times are minutes
# from the window's start, counted in UTC.
WINDOWS = (date_window(dt.date(2026, 3, 28), 2), date_window(dt.date(2026, 10, 24), 2))
PEOPLE = ("a@x.fi", "b@x.fi", "c@x.fi", "d@x.fi")
MARGIN = 120


def minutes_in(window: tuple[dt.datetime, dt.datetime]) -> int:
    return int((window[1].astimezone(UTC) - window[0].astimezone(UTC)).total_seconds() // 60)


def at(window: tuple[dt.datetime, dt.datetime], minute: int) -> dt.datetime:
    """Helsinki wall-clock time, fold and all, `minute` minutes after the window's start."""
    return (window[0].astimezone(UTC) + dt.timedelta(minutes=minute)).astimezone(HELSINKI)


def minute_of(window: tuple[dt.datetime, dt.datetime], moment: dt.datetime) -> int:
    return int((moment.astimezone(UTC) - window[0].astimezone(UTC)).total_seconds() // 60)


Schedule = dict[str, dict[str, list[tuple[int, int]]]]


@st.composite
def schedules(draw: st.DrawFn) -> tuple[tuple[dt.datetime, dt.datetime], Schedule]:
    window = draw(st.sampled_from(WINDOWS))
    step = draw(st.sampled_from([1, 15]))
    point = st.integers(min_value=-MARGIN // step, max_value=(minutes_in(window) + MARGIN) // step).map(lambda n: n * step)
    interval = st.tuples(point, point).filter(lambda t: t[0] < t[1])
    people = draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=4, unique=True))
    schedule = {
        person: {
            "periods": draw(st.lists(interval, min_size=1, max_size=2, unique_by=lambda t: t[0])),
            "absences": draw(st.lists(interval, max_size=3)),
        }
        for person in people
    }
    return window, schedule


def expected_gaps(window: tuple[dt.datetime, dt.datetime], schedule: Schedule, min_admins: int) -> list[tuple[int, int, tuple[str, ...]]]:
    """A naive count, minute by minute in UTC."""
    runs: list[tuple[int, int, tuple[str, ...]]] = []
    for minute in range(minutes_in(window)):
        present = tuple(
            sorted(
                person
                for person, s in schedule.items()
                if any(a <= minute < b for a, b in s["periods"]) and not any(a <= minute < b for a, b in s["absences"])
            )
        )
        if len(present) >= min_admins:
            continue
        if runs and runs[-1][1] == minute and runs[-1][2] == present:
            runs[-1] = (runs[-1][0], minute + 1, present)
        else:
            runs.append((minute, minute + 1, present))
    return runs


def as_minutes(window: tuple[dt.datetime, dt.datetime], gaps: list[Gap]) -> list[tuple[int, int, tuple[str, ...]]]:
    return [(minute_of(window, g.start), minute_of(window, g.end), g.available) for g in gaps]


@settings(max_examples=200, deadline=None)
@given(drawn=schedules(), min_admins=st.integers(min_value=1, max_value=3))
def test_coverage_gaps__equal_a_minute_by_minute_count(drawn, min_admins):
    window, schedule = drawn
    available = {
        person: availability(
            periods=[(at(window, a), at(window, b)) for a, b in s["periods"]],
            active=None,
            absences=[(at(window, a), at(window, b)) for a, b in s["absences"]],
            window=window,
        )
        for person, s in schedule.items()
    }

    gaps = coverage_gaps(window=window, available=available, min_admins=min_admins)

    assert as_minutes(window, gaps) == expected_gaps(window, schedule, min_admins)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=schedules(), min_admins=st.integers(min_value=1, max_value=3))
def test_channel_gaps__from_the_database_equal_a_minute_by_minute_count(db, drawn, min_admins):
    window, schedule = drawn
    with transaction.atomic():
        org = Organization.objects.create(slug="prop", name="Prop")
        channel = Channel.objects.create(organization=org, key="c", platform="bluesky", name="C", status="active")
        for email, s in schedule.items():
            person = Person.objects.create(organization=org, email=email, name=email)
            for a, b in s["periods"]:
                ChannelAdministrator.objects.create(channel=channel, person=person, since=at(window, a), until=at(window, b))
            for a, b in s["absences"]:
                Absence.objects.create(person=person, start=at(window, a), end=at(window, b), all_day=False)

        gaps = channel_gaps(channel=channel, window=window, min_admins=min_admins)

        assert as_minutes(window, gaps) == expected_gaps(window, schedule, min_admins)
        transaction.set_rollback(True)


def test_active_interval__includes_the_last_day():
    lo, hi = active_interval(dt.date(2026, 1, 1), dt.date(2026, 3, 29))
    assert lo.isoformat() == "2026-01-01T00:00:00+02:00"
    assert hi.astimezone(HELSINKI).isoformat() == "2026-03-30T00:00:00+03:00"
