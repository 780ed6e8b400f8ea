"""MAINT-ADMINS: coverage gaps, administrators who leave, who holds the page, the channel's token.

The token findings belong here rather than under MAINT-NEGLECT: keeping the channel's token
valid is a duty of its named administrators (the token is how the service is kept at all), the
warning goes to them, and a channel whose token lapses is exactly a service that nobody named
is keeping. MAINT-NEGLECT judges what the audience sees (silence, backlog) and lives in the
inbox, above channels; this rule judges who holds and keeps the service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse

from somevahti.core.calendar import HELSINKI
from somevahti.guideline.models import Rule
from somevahti.guideline.registry import Found, RuleCheck, gettext_noop, register

from .connections import HolderState, compare_for_channels, token_warning_days
from .coverage import date_window
from .models import Channel, ChannelConnection
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
        yield from _platform_holders(channels, now)
        yield from _tokens(organization, channels, now)


def _platform_holders(channels: list[Channel], now: dt.datetime) -> Iterator[Found]:
    """Who holds each page on the platform but is not named here, or has left (connections docstring)."""
    compared = compare_for_channels(channels=channels, now=now)
    for channel in channels:
        url = reverse("channels:detail", args=[channel.pk]) + "#connection"
        for holder in compared[channel.pk]:
            key = f"channel:{channel.pk}:holder:{holder.platform_user_id or holder.name}"
            if holder.state == HolderState.NOT_REGISTERED:
                yield Found(
                    key=f"{key}:not-registered",
                    message=gettext_noop(
                        "%(name)s holds %(channel)s on the platform (%(role)s) "
                        "but is not a registered administrator of it in Somevahti."
                    ),
                    params={"name": holder.display_name, "channel": str(channel), "role": holder.role or "?"},
                    subject=str(channel),
                    url=url,
                )
            elif holder.state == HolderState.LEFT:
                yield Found(
                    key=f"{key}:left",
                    message=gettext_noop(
                        "%(name)s left the organization on %(date)s but still holds %(channel)s on the platform (%(role)s)."
                    ),
                    params={"name": holder.display_name, "date": holder.left_on, "channel": str(channel), "role": holder.role or "?"},
                    subject=str(channel),
                    url=url,
                )


def _tokens(organization: Any, channels: list[Channel], now: dt.datetime) -> Iterator[Found]:
    """A refused token, an expired one, or one that expires within the warning days."""
    warning = dt.timedelta(days=token_warning_days(organization))
    connections = ChannelConnection.objects.filter(channel__in=channels).select_related("channel")
    for connection in connections:
        channel = connection.channel
        url = reverse("channels:detail", args=[channel.pk]) + "#connection"
        expires = connection.token_expires_at
        if connection.health == ChannelConnection.Health.UNAUTHORIZED:
            yield Found(
                key=f"channel:{channel.pk}:token:refused",
                message=gettext_noop(
                    "The platform refuses the access token of %(channel)s: it has expired or was revoked. "
                    "An administrator must enter a new one."
                ),
                params={"channel": str(channel)},
                subject=str(channel),
                url=url,
            )
        elif connection.token_encrypted and expires is not None and expires <= now:
            yield Found(
                key=f"channel:{channel.pk}:token:expired",
                message=gettext_noop(
                    "The access token of %(channel)s expired on %(date)s. An administrator must enter a new one."
                ),
                params={"channel": str(channel), "date": _local(expires)},
                subject=str(channel),
                url=url,
            )
        elif connection.token_encrypted and expires is not None and expires - now <= warning:
            yield Found(
                key=f"channel:{channel.pk}:token:expiring",
                message=gettext_noop(
                    "The access token of %(channel)s expires on %(date)s. An administrator must renew it before then."
                ),
                params={"channel": str(channel), "date": _local(expires)},
                subject=str(channel),
                url=url,
            )
