import datetime as dt

import pytest
from django.utils import translation

from somevahti.channels.models import Channel
from somevahti.core.calendar import HELSINKI
from somevahti.inbox.models import Interaction, InteractionEvent
from somevahti.inbox.reports import ReportError, duration_words, feedback_report, nearest_rank, share_chart
from tests.factories import OrganizationFactory

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=HELSINKI)


def at(day, hour, minute=0):
    return dt.datetime(2026, 3 if day > 0 else 2, day if day > 0 else 25, hour, minute, tzinfo=HELSINKI)


def feedback(channel, pid, created, *, answered_after=None, state=None, **fields):
    deadline = created.replace(hour=16, minute=0) if created.hour < 14 else None
    first = created + answered_after if answered_after is not None else None
    return Interaction.objects.create(
        organization=channel.organization, channel=channel, kind="comment", platform_id=pid, author_name="Kuntalainen",
        text="Kysymys", created_at=created, received_at=created, deadline=fields.pop("deadline", deadline),
        first_response_at=first, state=state or ("answered" if first else "new"), **fields,
    )


@pytest.fixture
def data(channel):
    """Week 10/2026 (2.–8.3.) and week 11 (9.–15.3.), hand-made."""
    h = dt.timedelta(hours=1)
    feedback(channel, "old", at(0, 9))  # week 9, still open: backlog in both weeks
    feedback(channel, "r1", at(2, 9), answered_after=1 * h)
    feedback(channel, "r2", at(2, 9), answered_after=2 * h)
    feedback(channel, "r3", at(2, 9), answered_after=3 * h)
    feedback(channel, "r4", at(2, 9), answered_after=10 * h)  # 19:00, after the 16:00 deadline
    feedback(channel, "r5", at(2, 9))  # never answered
    r6 = feedback(channel, "r6", at(3, 9), state="closed")  # closed without an answer on Tuesday of week 11
    InteractionEvent.objects.create(interaction=r6, verb="closed", at=at(10, 10))
    feedback(channel, "w1", at(9, 10), answered_after=dt.timedelta(minutes=30))
    # Not counted as received: our own post, an item that needs no answer, another organization's.
    feedback(channel, "ours", at(4, 9), from_us=True, expects_answer=False, state="closed")
    thanks = feedback(channel, "thanks", at(4, 9), expects_answer=False, state="closed", no_answer_reason="Kiitos")
    InteractionEvent.objects.create(interaction=thanks, verb="no_answer_needed", at=at(4, 10))
    other = Channel.objects.create(organization=OrganizationFactory(slug="varkaus"), key="fb", platform="facebook", name="Varkaus")
    feedback(other, "v1", at(2, 9))
    return channel


def test_report__counts_on_time_share_median_and_p90_exactly(data, organization):
    report = feedback_report(organization=organization, start=dt.date(2026, 3, 3), end=dt.date(2026, 3, 15), now=NOW)
    assert (report.start, report.end) == (dt.date(2026, 3, 2), dt.date(2026, 3, 15))
    [facebook] = report.channels
    week10, week11 = facebook.weeks
    assert (week10.week.year, week10.week.number, week11.week.number) == (2026, 10, 11)

    assert week10.stats.received == 6 and week10.stats.on_time == 3 and week10.stats.answered == 4
    assert week10.stats.on_time_share == 0.5 and week10.stats.on_time_percent == 50
    assert week10.stats.median == dt.timedelta(hours=2, minutes=30)  # mean of 2 h and 3 h
    assert week10.stats.p90 == dt.timedelta(hours=10)  # the 4th of 4 (nearest rank)
    assert week10.stats.backlog == 3  # old, r5, r6

    assert week11.stats.received == 1 and week11.stats.on_time == 1
    assert week11.stats.median == week11.stats.p90 == dt.timedelta(minutes=30)
    assert week11.stats.backlog == 2  # r6 was closed on Tuesday

    assert facebook.total.received == 7 and facebook.total.on_time == 4
    assert facebook.total.median == dt.timedelta(hours=2) and facebook.total.p90 == dt.timedelta(hours=10)
    assert report.total.received == 7 and report.total.backlog == 2


def test_report__a_week_with_nothing_received_has_no_share(channel, organization):
    report = feedback_report(organization=organization, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 8), now=NOW)
    [row] = report.channels[0].weeks
    assert row.stats.received == 0 and row.stats.on_time_share is None and row.stats.median is None
    assert row.stats.backlog == 0


def test_report__a_future_week_has_no_backlog_yet(channel, organization):
    report = feedback_report(organization=organization, start=dt.date(2026, 3, 16), end=dt.date(2026, 3, 29), now=NOW)
    this_week, next_week = report.channels[0].weeks
    assert this_week.stats.backlog == 0 and next_week.stats.backlog is None


def test_report__hidden_then_shown_again_counts_as_open_again(channel, organization):
    item = feedback(channel, "h1", at(2, 9))
    InteractionEvent.objects.create(interaction=item, verb="hidden", at=at(2, 10))
    InteractionEvent.objects.create(interaction=item, verb="unhidden", at=at(10, 10))
    report = feedback_report(organization=organization, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 15), now=NOW)
    assert [row.stats.backlog for row in report.channels[0].weeks] == [0, 1]


def test_report__bad_periods_are_refused_with_a_reason(organization):
    with translation.override("en"):
        with pytest.raises(ReportError, match="before the start date"):
            feedback_report(organization=organization, start=dt.date(2026, 3, 10), end=dt.date(2026, 3, 1))
        with pytest.raises(ReportError, match="too long"):
            feedback_report(organization=organization, start=dt.date(2020, 1, 1), end=dt.date(2026, 1, 1))


def test_nearest_rank__is_a_value_that_happened():
    values = [dt.timedelta(minutes=m) for m in (5, 1, 4, 2, 3, 10, 9, 8, 7, 6)]
    assert nearest_rank(values, 90) == dt.timedelta(minutes=9)
    assert nearest_rank(values[:1], 90) == dt.timedelta(minutes=5)
    assert nearest_rank([], 90) is None


def test_duration_words__hours_and_minutes():
    with translation.override("en"):
        assert duration_words(dt.timedelta(hours=3, minutes=5)) == "3 h 05 min"
        assert duration_words(dt.timedelta(minutes=40)) == "40 min"
        assert duration_words(dt.timedelta(days=2, hours=4)) == "2 d 4 h"


def test_share_chart__bar_heights_follow_the_share_and_every_bar_has_a_label(data, organization):
    report = feedback_report(organization=organization, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 15), now=NOW)
    with translation.override("en"):
        chart = share_chart(report.channels[0].weeks)
    half, full = chart.bars
    assert full.height == 2 * half.height and full.y + full.height == chart.plot_bottom
    assert (half.value_label, full.value_label) == ("50 %", "100 %")
    assert "3 of 6 answered on time" in half.title
