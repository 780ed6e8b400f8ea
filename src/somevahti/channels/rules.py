"""MAINT-ADMINS: coverage gaps and administrators who leave the organization."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse

from somevahti.core.calendar import HELSINKI
from somevahti.guideline.models import Rule
from somevahti.guideline.registry import Found, RuleCheck, gettext_noop, register

from .coverage import date_window
from .models import Channel
from .services import administrators_leaving, gaps_for_channels

# Gaps are computed from a little before today so that an ongoing gap keeps its own start
# (and so its finding's identity) from one evaluation to the next.
LOOKBACK_DAYS = 60


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(HELSINKI).strftime("%d.%m.%Y %H:%M")


@register
class AdministratorCoverage(RuleCheck):
    code = "MAINT-ADMINS"

    def evaluate(self, *, organization: Any, rule: Rule, now: dt.datetime) -> Iterator[Found]:
        min_admins = int(rule.parameters.get("min_admins", 2))
        horizon = int(rule.parameters.get("horizon_days", 180))
        today = now.astimezone(HELSINKI).date()
        window = date_window(today - dt.timedelta(days=LOOKBACK_DAYS), LOOKBACK_DAYS + horizon)
        channels = list(Channel.objects.filter(organization=organization, status=Channel.Status.ACTIVE))
        all_gaps = gaps_for_channels(channels=channels, window=window, min_admins=min_admins)
        for channel in channels:
            for gap in all_gaps[channel.pk]:
                if gap.end <= now:
                    continue
                # A gap that began before the window keeps one identity while the window moves on.
                since = "before" if gap.start <= window[0] else gap.start.isoformat()
                start_day = max(gap.start, now).astimezone(HELSINKI).date()
                url = f"{reverse('channels:coverage')}?start={start_day.isoformat()}"
                yield Found(
                    key=f"channel:{channel.pk}:gap:{since}",
                    message=gettext_noop(
                        "%(channel)s has %(available)s of the %(required)s administrators required "
                        "from %(start)s to %(end)s."
                    ),
                    params={
                        "channel": str(channel),
                        "available": len(gap.available),
                        "required": min_admins,
                        "start": _local(gap.start),
                        "end": _local(gap.end),
                    },
                    subject=str(channel),
                    url=url,
                )
        for admin in administrators_leaving(organization=organization, today=today):
            yield Found(
                key=f"admin:{admin.pk}:leaving",
                message=gettext_noop(
                    "%(name)s leaves the organization on %(date)s but is still an administrator of %(channel)s."
                ),
                params={
                    "name": admin.person.name,
                    "date": admin.person.active_until.strftime("%d.%m.%Y") if admin.person.active_until else "",
                    "channel": str(admin.channel),
                },
                subject=admin.person.name,
            )
