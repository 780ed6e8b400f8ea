"""Reads of channels and their coverage for pages and commands (kanavat ja ylläpidon kattavuus)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from somevahti.core.calendar import HELSINKI, local_midnight
from somevahti.guideline.models import Clause, Finding, Rule
from somevahti.guideline.queries import open_findings, rule_parameters
from somevahti.guideline.services import current_guideline
from somevahti.people.models import Organization, Person

from .coverage import Gap, Interval, date_window
from .models import Channel, ChannelAdministrator
from .services import gaps_for_channels

RULE_CODE = "MAINT-ADMINS"
# Asked for as the required number, every constant stretch of the timeline comes back as a "gap".
_EVERY_STRETCH = 10**9


class CoverageError(ValueError):
    """Bad input to a coverage query; the message is translated and names what was wrong."""


# --- channels ---------------------------------------------------------------------------------


def channel_for_user(*, channel_id: int, organization: Organization | None) -> Channel:
    """The organization's channel, or 404 — also for another organization's channel."""
    if organization is None:
        raise Http404(_("No such channel."))
    channel = (
        Channel.objects.filter(pk=channel_id, organization=organization)
        .select_related("unit", "organization")
        .first()
    )
    if channel is None:
        raise Http404(_("No such channel."))
    return channel


def organization_channels(*, organization: Organization) -> QuerySet[Channel]:
    admins = ChannelAdministrator.objects.select_related("person").order_by("since", "person__name")
    return (
        Channel.objects.filter(organization=organization)
        .select_related("unit")
        .prefetch_related(Prefetch("administrators", queryset=admins))
        .order_by("key")
    )


def last_day(until: dt.datetime | None) -> dt.date | None:
    """The last local day of a period whose `until` is its first moment outside."""
    if until is None:
        return None
    return (until.astimezone(HELSINKI) - dt.timedelta(microseconds=1)).date()


@dataclass(frozen=True)
class AdministratorPeriod:
    administrator: ChannelAdministrator
    first_day: dt.date
    last_day: dt.date | None
    state: str  # "current", "upcoming" or "ended"

    @property
    def person(self) -> Person:
        return self.administrator.person


def administrator_periods(*, channel: Channel, now: dt.datetime | None = None, include_ended: bool = True) -> list[AdministratorPeriod]:
    now = now or timezone.now()
    periods = []
    for admin in channel.administrators.all():
        if admin.until is not None and admin.until <= now:
            state = "ended"
        elif admin.since > now:
            state = "upcoming"
        else:
            state = "current"
        if state == "ended" and not include_ended:
            continue
        periods.append(
            AdministratorPeriod(
                administrator=admin,
                first_day=admin.since.astimezone(HELSINKI).date(),
                last_day=last_day(admin.until),
                state=state,
            )
        )
    return periods


def channel_findings(*, channel: Channel) -> list[Finding]:
    """Open MAINT-ADMINS findings about this channel or its administrators."""
    admin_keys = [f"admin:{pk}:leaving" for pk in channel.administrators.values_list("pk", flat=True)]
    return list(
        open_findings(organization=channel.organization, rule_code=RULE_CODE).filter(
            Q(key__startswith=f"channel:{channel.pk}:") | Q(key__in=admin_keys)
        )
    )


def coverage_clause(*, organization: Organization) -> Clause | None:
    """The guideline's own sentence behind MAINT-ADMINS, from the organization's current guideline."""
    guideline = current_guideline(organization=organization)
    if guideline is None:
        return None
    rule = Rule.objects.filter(guideline=guideline, code=RULE_CODE).select_related("clause").first()
    return rule.clause if rule is not None else None


def min_admins_for(organization: Organization) -> int:
    return int(rule_parameters(organization=organization, code=RULE_CODE).get("min_admins", 2))


# --- words for periods ---------------------------------------------------------------------


def _day(day: dt.date) -> str:
    return date_format(day, "j.n.Y")


def _moment(moment: dt.datetime) -> str:
    local = moment.astimezone(HELSINKI)
    return f"{date_format(local.date(), 'j.n.Y')} {local:%H:%M}"


def period_text(start: dt.datetime, end: dt.datetime) -> str:
    """Whole days as "13.7.2027–25.7.2027" (last day included), else with times."""
    local_start, local_end = start.astimezone(HELSINKI), end.astimezone(HELSINKI)
    if local_start.time() == dt.time(0) and local_end.time() == dt.time(0):
        first, last = local_start.date(), local_end.date() - dt.timedelta(days=1)
        return _day(first) if first == last else f"{_day(first)}–{_day(last)}"
    return f"{_moment(start)} – {_moment(end)}"


def availability_text(*, available: list[str], required: int) -> str:
    """"1 of 2 available: Mikko Mäkinen" in the reader's language."""
    if not available:
        return _("none of the %(required)s administrators required is available") % {"required": required}
    return _("%(available)s of %(required)s available: %(names)s") % {
        "available": len(available),
        "required": required,
        "names": ", ".join(available),
    }


def _names(organization: Organization, gaps: dict[int, list[Gap]]) -> dict[str, str]:
    emails = {email for channel_gaps in gaps.values() for gap in channel_gaps for email in gap.available}
    return dict(Person.objects.filter(organization=organization, email__in=emails).values_list("email", "name"))


# --- the coverage report (somevahti coverage) ------------------------------------------------


@dataclass(frozen=True)
class ChannelGaps:
    channel: Channel
    gaps: list[Gap]


@dataclass(frozen=True)
class CoverageReport:
    organization: Organization
    window: Interval
    days: int
    min_admins: int
    channels: list[ChannelGaps]
    names: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        def iso(moment: dt.datetime) -> str:
            return moment.astimezone(HELSINKI).isoformat()

        return {
            "organization": self.organization.slug,
            "start": iso(self.window[0]),
            "end": iso(self.window[1]),
            "min_admins": self.min_admins,
            "channels": [
                {
                    "key": item.channel.key,
                    "platform": item.channel.platform,
                    "name": item.channel.name,
                    "gaps": [
                        {"start": iso(gap.start), "end": iso(gap.end), "available": sorted(gap.available)}
                        for gap in sorted(item.gaps, key=lambda g: g.start)
                    ],
                }
                for item in self.channels
            ],
        }

    def as_text(self) -> str:
        lines = [
            _(
                "Administrator coverage of %(organization)s from %(start)s to %(end)s: "
                "at least %(required)s administrators are required."
            )
            % {
                "organization": self.organization.name,
                "start": _day(self.window[0].astimezone(HELSINKI).date()),
                "end": _day(last_day(self.window[1]) or self.window[1].date()),
                "required": self.min_admins,
            }
        ]
        if not self.channels:
            lines.append(_("The organization has no active channels."))
        for item in self.channels:
            lines.append("")
            lines.append(
                _("%(channel)s (%(key)s)")
                % {"channel": f"{item.channel.get_platform_display()}: {item.channel.name}", "key": item.channel.key}
            )
            if not item.gaps:
                lines.append("  " + _("No gaps."))
            for gap in item.gaps:
                names = [f"{self.names.get(email, email)} <{email}>" for email in sorted(gap.available)]
                lines.append(
                    "  "
                    + _("%(period)s: %(availability)s.")
                    % {
                        "period": period_text(gap.start, gap.end),
                        "availability": availability_text(available=names, required=self.min_admins),
                    }
                )
        return "\n".join(lines) + "\n"


def coverage_report(
    *, organization_slug: str, start: dt.date | None, days: int, now: dt.datetime | None = None
) -> CoverageReport:
    """Gaps of each active channel from local midnight of `start` (default today) for `days` days."""
    organization = Organization.objects.filter(slug=organization_slug).first()
    if organization is None:
        raise CoverageError(_("There is no organization %(slug)s.") % {"slug": organization_slug})
    if days < 1:
        raise CoverageError(_("The number of days must be at least 1."))
    now = now or timezone.now()
    start = start or now.astimezone(HELSINKI).date()
    window = date_window(start, days)
    min_admins = min_admins_for(organization)
    channels = list(Channel.objects.filter(organization=organization, status=Channel.Status.ACTIVE).order_by("key"))
    gaps = gaps_for_channels(channels=channels, window=window, min_admins=min_admins)
    return CoverageReport(
        organization=organization,
        window=window,
        days=days,
        min_admins=min_admins,
        channels=[ChannelGaps(channel=c, gaps=sorted(gaps[c.pk], key=lambda g: g.start)) for c in channels],
        names=_names(organization, gaps),
    )


# --- the coverage calendar (the page) --------------------------------------------------------


@dataclass(frozen=True)
class WeekColumn:
    year: int
    week: int
    first: dt.date  # first day of the week inside the month
    last: dt.date  # last day of the week inside the month


@dataclass(frozen=True)
class Cell:
    gap: bool
    available: int
    required: int
    names: list[str]
    text: str


@dataclass(frozen=True)
class CalendarRow:
    channel: Channel
    cells: list[Cell]


@dataclass(frozen=True)
class MonthTable:
    month: dt.date  # first day
    weeks: list[WeekColumn]
    rows: list[CalendarRow]


@dataclass(frozen=True)
class GapLine:
    channel: Channel
    gap: Gap
    period: str
    text: str


@dataclass(frozen=True)
class CoverageCalendar:
    organization: Organization
    first_month: dt.date
    months: int
    window: Interval
    min_admins: int
    tables: list[MonthTable]
    gaps: list[GapLine]
    clause: Clause | None


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _weeks_of(month: dt.date) -> list[WeekColumn]:
    end = _add_months(month, 1)
    weeks: list[WeekColumn] = []
    day = month
    while day < end:
        iso = day.isocalendar()
        last = min(day + dt.timedelta(days=6 - day.weekday()), end - dt.timedelta(days=1))
        weeks.append(WeekColumn(year=iso.year, week=iso.week, first=day, last=last))
        day = last + dt.timedelta(days=1)
    return weeks


def _cell(stretches: list[Gap], interval: Interval, *, required: int, names: dict[str, str]) -> Cell:
    inside = [s for s in stretches if s.start < interval[1] and s.end > interval[0]]
    worst = min(inside, key=lambda s: len(s.available), default=None)
    people = sorted(names.get(email, email) for email in worst.available) if worst else []
    count = len(people)
    if count < required:
        if people:
            text = _("%(available)s/%(required)s – only %(names)s") % {
                "available": count,
                "required": required,
                "names": ", ".join(people),
            }
        else:
            text = _("0/%(required)s – nobody") % {"required": required}
        return Cell(gap=True, available=count, required=required, names=people, text=text)
    return Cell(
        gap=False,
        available=count,
        required=required,
        names=people,
        text=_("OK %(available)s/%(required)s") % {"available": count, "required": required},
    )


def coverage_calendar(*, organization: Organization, first_month: dt.date, months: int) -> CoverageCalendar:
    """Month by month and week by week, the fewest administrators available on each active channel."""
    first_month = first_month.replace(day=1)
    end_month = _add_months(first_month, months)
    window = (local_midnight(first_month), local_midnight(end_month))
    min_admins = min_admins_for(organization)
    channels = list(Channel.objects.filter(organization=organization, status=Channel.Status.ACTIVE).order_by("key"))
    timeline = gaps_for_channels(channels=channels, window=window, min_admins=_EVERY_STRETCH)
    names = _names(organization, timeline)
    tables = []
    for i in range(months):
        month = _add_months(first_month, i)
        weeks = _weeks_of(month)
        rows = [
            CalendarRow(
                channel=channel,
                cells=[
                    _cell(
                        timeline[channel.pk],
                        (local_midnight(w.first), local_midnight(w.last + dt.timedelta(days=1))),
                        required=min_admins,
                        names=names,
                    )
                    for w in weeks
                ],
            )
            for channel in channels
        ]
        tables.append(MonthTable(month=month, weeks=weeks, rows=rows))
    gap_lines = []
    for channel in channels:
        for gap in timeline[channel.pk]:
            if len(gap.available) < min_admins:
                people = sorted(names.get(email, email) for email in gap.available)
                gap_lines.append(
                    GapLine(
                        channel=channel,
                        gap=gap,
                        period=period_text(gap.start, gap.end),
                        text=availability_text(available=people, required=min_admins),
                    )
                )
    gap_lines.sort(key=lambda line: (line.gap.start, line.channel.key))
    return CoverageCalendar(
        organization=organization,
        first_month=first_month,
        months=months,
        window=window,
        min_admins=min_admins,
        tables=tables,
        gaps=gap_lines,
        clause=coverage_clause(organization=organization),
    )
