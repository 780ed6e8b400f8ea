"""How the same-day rule is followed (MAINT-SAME-DAY): per channel and ISO week.

"Palautteisiin pyritään vastaamaan saman päivän aikana."

For each channel and ISO week (Helsinki time, Monday to Sunday):

- received: feedback created on the platform that week that expects an answer;
- answered on time: of those, the ones whose first response came at or before the deadline;
- on-time share: answered on time / received (none when nothing was received);
- median and 90th percentile of the time from the comment to the first response, over the
  received ones that have been answered. The median of an even number of values is the mean of
  the two middle ones; the 90th percentile is the nearest-rank value (the ceil(0.9·n)-th
  smallest), so it is always a time that really happened;
- backlog: feedback open at the end of the week (or now, for the current week): created before
  it, expecting an answer, not yet answered, closed, hidden or removed by then.

Computed in Python over the rows of the period: a municipality's volume is small, and the
same code runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from somevahti.channels.models import Channel
from somevahti.core.calendar import HELSINKI, local_midnight
from somevahti.people.models import Organization

from .models import Interaction, InteractionEvent

MAX_WEEKS = 106
# Events after which an item no longer waits for an answer, and those that reopen it.
_ENDING_VERBS = frozenset({"answered", "answered_on_platform", "closed", "no_answer_needed", "hidden", "platform_hidden", "platform_removed"})
_REOPENING_VERBS = frozenset({"unhidden", "platform_unhidden"})


class ReportError(ValueError):
    """A period that cannot be reported; the message is translated and says what was wrong."""


@dataclass(frozen=True)
class Stats:
    received: int = 0
    on_time: int = 0
    answered: int = 0
    median: dt.timedelta | None = None
    p90: dt.timedelta | None = None
    backlog: int | None = None

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.received if self.received else None

    @property
    def median_words(self) -> str:
        return duration_words(self.median) if self.median is not None else ""

    @property
    def p90_words(self) -> str:
        return duration_words(self.p90) if self.p90 is not None else ""

    @property
    def on_time_percent(self) -> int | None:
        share = self.on_time_share
        return None if share is None else round(share * 100)


@dataclass(frozen=True)
class Week:
    year: int
    number: int
    monday: dt.date

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    @property
    def start(self) -> dt.datetime:
        return local_midnight(self.monday)

    @property
    def end(self) -> dt.datetime:
        return local_midnight(self.monday + dt.timedelta(days=7))

    @property
    def label(self) -> str:
        return _("Week %(number)s/%(year)s") % {"number": self.number, "year": self.year}

    @property
    def short_label(self) -> str:
        return _("wk %(number)s") % {"number": self.number}


@dataclass(frozen=True)
class WeekRow:
    week: Week
    stats: Stats


@dataclass
class ChannelReport:
    channel: Channel
    weeks: list[WeekRow] = field(default_factory=list)
    total: Stats = field(default_factory=Stats)


@dataclass
class Report:
    organization: Organization
    start: dt.date  # the Monday of the first week
    end: dt.date  # the Sunday of the last week
    weeks: list[Week]
    channels: list[ChannelReport]
    total: Stats


def median(values: list[dt.timedelta]) -> dt.timedelta | None:
    if not values:
        return None
    return dt.timedelta(seconds=round(statistics.median(v.total_seconds() for v in values)))


def nearest_rank(values: list[dt.timedelta], percentile: float) -> dt.timedelta | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(percentile / 100 * len(ordered)))
    return ordered[rank - 1]


def duration_words(value: dt.timedelta) -> str:
    """A duration as people read it: "3 h 05 min", "2 d 4 h", "40 min"."""
    minutes = max(0, int(value.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": f"{minutes:02d}"}
    return _("%(minutes)s min") % {"minutes": minutes}


def weeks_between(start: dt.date, end: dt.date) -> list[Week]:
    monday = start - dt.timedelta(days=start.weekday())
    weeks = []
    while monday <= end:
        year, number, _day = monday.isocalendar()
        weeks.append(Week(year, number, monday))
        monday += dt.timedelta(days=7)
    return weeks


def _stats(items: list[Interaction], backlog: int | None) -> Stats:
    answered = [i for i in items if i.first_response_at is not None]
    times = [max(dt.timedelta(0), i.first_response_at - i.created_at) for i in answered]  # type: ignore[operator]
    return Stats(
        received=len(items),
        on_time=sum(1 for i in answered if i.deadline is not None and i.first_response_at <= i.deadline),  # type: ignore[operator,misc]
        answered=len(answered),
        median=median(times),
        p90=nearest_rank(times, 90),
        backlog=backlog,
    )


def _open_until(item: Interaction, events: list[InteractionEvent]) -> list[tuple[dt.datetime, dt.datetime | None]]:
    """The stretches of time the item waited for an answer: [(opened, closed or None)]."""
    stretches: list[tuple[dt.datetime, dt.datetime | None]] = []
    opened: dt.datetime | None = item.created_at
    for event in events:
        if event.verb in _ENDING_VERBS and opened is not None:
            stretches.append((opened, max(event.at, opened)))
            opened = None
        elif event.verb in _REOPENING_VERBS and opened is None:
            answered_before = item.first_response_at is not None and item.first_response_at <= event.at
            if not answered_before:
                opened = event.at
    if opened is not None:
        closing = item.first_response_at if item.first_response_at and item.first_response_at >= opened else None
        if closing is None and item.state not in Interaction.OPEN_STATES:
            # Ended without an event we know of (e.g. stored before events were kept).
            closing = item.updated_at
        stretches.append((opened, closing))
    elif item.first_response_at is not None:
        # A first response with no event (an answer seen on the platform) ends the wait too.
        stretches = [(o, min(c, item.first_response_at) if c else item.first_response_at) for o, c in stretches]
    return stretches


def _is_open_at(stretches: list[tuple[dt.datetime, dt.datetime | None]], moment: dt.datetime) -> bool:
    return any(opened < moment and (closed is None or closed >= moment) for opened, closed in stretches)


def feedback_report(
    *, organization: Organization, start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> Report:
    """The report over the ISO weeks that contain `start` … `end`."""
    if end < start:
        raise ReportError(_("The end date %(end)s is before the start date %(start)s.") % {"end": end.isoformat(), "start": start.isoformat()})
    weeks = weeks_between(start, end)
    if len(weeks) > MAX_WEEKS:
        raise ReportError(_("The period is too long: at most %(weeks)s weeks at a time.") % {"weeks": MAX_WEEKS})
    now = now or timezone.now()
    period_start, period_end = weeks[0].start, weeks[-1].end

    received = list(
        Interaction.objects.filter(
            organization=organization,
            from_us=False,
            expects_answer=True,
            created_at__gte=period_start,
            created_at__lt=period_end,
        ).only("pk", "channel_id", "created_at", "deadline", "first_response_at")
    )
    # Anything that could have been open during the period: it expected an answer when it came,
    # came before the period ended, and has not been settled since before the period began.
    waiting = list(
        Interaction.objects.filter(organization=organization, from_us=False, deadline__isnull=False, created_at__lt=period_end)
        .filter(
            Q(state__in=Interaction.OPEN_STATES)
            | Q(updated_at__gte=period_start)
            | Q(first_response_at__gte=period_start)
            | Q(created_at__gte=period_start)
        )
        .only("pk", "channel_id", "created_at", "first_response_at", "state", "updated_at")
    )
    events: dict[int, list[InteractionEvent]] = defaultdict(list)
    for event in InteractionEvent.objects.filter(
        interaction_id__in=[i.pk for i in waiting], verb__in=_ENDING_VERBS | _REOPENING_VERBS
    ).order_by("at", "id").only("interaction_id", "verb", "at"):
        events[event.interaction_id].append(event)
    stretches = {i.pk: (i.channel_id, _open_until(i, events[i.pk])) for i in waiting}

    channel_ids = {i.channel_id for i in received} | {channel_id for channel_id, _s in stretches.values()}
    channels = Channel.objects.filter(organization=organization).filter(
        Q(pk__in=channel_ids) | Q(status=Channel.Status.ACTIVE)
    ).order_by("name", "key")

    by_channel_week: dict[tuple[int, dt.date], list[Interaction]] = defaultdict(list)
    for item in received:
        local_day = item.created_at.astimezone(HELSINKI).date()
        by_channel_week[(item.channel_id, local_day - dt.timedelta(days=local_day.weekday()))].append(item)

    reports: list[ChannelReport] = []
    for channel in channels:
        report = ChannelReport(channel=channel)
        all_items: list[Interaction] = []
        for week in weeks:
            items = by_channel_week.get((channel.pk, week.monday), [])
            all_items.extend(items)
            backlog = None
            if week.start <= now:
                moment = min(week.end, now)
                backlog = sum(
                    1 for channel_id, spans in stretches.values() if channel_id == channel.pk and _is_open_at(spans, moment)
                )
            report.weeks.append(WeekRow(week, _stats(items, backlog)))
        last_backlog = next((row.stats.backlog for row in reversed(report.weeks) if row.stats.backlog is not None), None)
        report.total = _stats(all_items, last_backlog)
        reports.append(report)
    last = [r.total.backlog for r in reports if r.total.backlog is not None]
    total = _stats(received, sum(last) if last else None)
    return Report(
        organization=organization, start=weeks[0].monday, end=weeks[-1].sunday, weeks=weeks, channels=reports, total=total
    )


# --- the chart ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    value_label: str
    value_y: int
    week_label: str
    label_x: int
    title: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    plot_left: int
    plot_right: int
    gridlines: list[tuple[int, str]]  # (y, label)
    bars: list[Bar]


BAR_WIDTH = 28
BAR_GAP = 14
PLOT_HEIGHT = 120
LEFT = 48
TOP = 24


def share_chart(rows: list[WeekRow]) -> Chart:
    """Bars of the on-time share per week, laid out for an inline SVG (no styles, only attributes)."""
    bottom = TOP + PLOT_HEIGHT
    bars = []
    for index, row in enumerate(rows):
        x = LEFT + BAR_GAP + index * (BAR_WIDTH + BAR_GAP)
        percent = row.stats.on_time_percent
        height = 0 if percent is None else round(PLOT_HEIGHT * percent / 100)
        value = _("none") if percent is None else f"{percent} %"
        title = (
            _("%(week)s: nothing received") % {"week": row.week.label}
            if percent is None
            else _("%(week)s: %(on_time)s of %(received)s answered on time (%(percent)s %%)")
            % {"week": row.week.label, "on_time": row.stats.on_time, "received": row.stats.received, "percent": percent}
        )
        bars.append(
            Bar(
                x=x,
                y=bottom - height,
                width=BAR_WIDTH,
                height=height,
                value_label=value,
                value_y=bottom - height - 4,
                week_label=row.week.short_label,
                label_x=x + BAR_WIDTH // 2,
                title=title,
            )
        )
    right = LEFT + BAR_GAP + len(rows) * (BAR_WIDTH + BAR_GAP)
    gridlines = [(bottom - round(PLOT_HEIGHT * p / 100), f"{p} %") for p in (0, 50, 100)]
    return Chart(
        width=right + 8,
        height=bottom + 24,
        plot_top=TOP,
        plot_bottom=bottom,
        plot_left=LEFT,
        plot_right=right,
        gridlines=gridlines,
        bars=bars,
    )
