"""MAINT-SAME-DAY (overdue feedback) and MAINT-NEGLECT (backlog, silence)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Max
from django.urls import reverse

from somevahti.channels.models import Channel
from somevahti.core.calendar import HELSINKI
from somevahti.guideline.models import Rule
from somevahti.guideline.registry import Found, RuleCheck, gettext_noop, register

from .models import Interaction, Reply


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(HELSINKI).strftime("%d.%m.%Y %H:%M")


@register
class SameDayAnswers(RuleCheck):
    code = "MAINT-SAME-DAY"

    def evaluate(self, *, organization: Any, rule: Rule, now: dt.datetime) -> Iterator[Found]:
        overdue = Interaction.objects.filter(
            organization=organization,
            state__in=Interaction.OPEN_STATES,
            expects_answer=True,
            first_response_at__isnull=True,
            deadline__lte=now,
        ).select_related("channel")
        for interaction in overdue.order_by("deadline"):
            assert interaction.deadline is not None  # the query asks for one that has passed
            yield Found(
                key=f"interaction:{interaction.pk}",
                message=gettext_noop("Feedback from %(author)s on %(channel)s is unanswered past its deadline %(deadline)s."),
                params={"author": interaction.author_name, "channel": str(interaction.channel), "deadline": _local(interaction.deadline)},
                subject=str(interaction.channel),
                url=reverse("inbox:detail", args=[interaction.pk]),
            )


@register
class ChannelNeglect(RuleCheck):
    code = "MAINT-NEGLECT"

    def evaluate(self, *, organization: Any, rule: Rule, now: dt.datetime) -> Iterator[Found]:
        max_days = int(rule.parameters.get("max_days_without_post", 14))
        max_backlog = int(rule.parameters.get("max_backlog", 10))
        channels = Channel.objects.filter(organization=organization, status=Channel.Status.ACTIVE)
        backlog = dict(
            Interaction.objects.filter(channel__in=channels, state__in=Interaction.OPEN_STATES, expects_answer=True)
            .values_list("channel")
            .annotate(n=Count("id"))
            .values_list("channel", "n")
        )
        own_posts = dict(
            Interaction.objects.filter(channel__in=channels, from_us=True)
            .values_list("channel")
            .annotate(last=Max("created_at"))
            .values_list("channel", "last")
        )
        replies = dict(
            Reply.objects.filter(interaction__channel__in=channels, status=Reply.Status.SENT)
            .values_list("interaction__channel")
            .annotate(last=Max("sent_at"))
            .values_list("interaction__channel", "last")
        )
        for channel in channels:
            if backlog.get(channel.pk, 0) > max_backlog:
                yield Found(
                    key=f"channel:{channel.pk}:backlog",
                    message=gettext_noop("%(channel)s has %(count)s open feedback items (more than %(max)s)."),
                    params={"channel": str(channel), "count": backlog[channel.pk], "max": max_backlog},
                    subject=str(channel),
                    url=reverse("inbox:list") + f"?channel={channel.pk}",
                )
            latest = max((d for d in (own_posts.get(channel.pk), replies.get(channel.pk)) if d), default=None)
            if latest is None or now - latest > dt.timedelta(days=max_days):
                yield Found(
                    key=f"channel:{channel.pk}:silent",
                    message=gettext_noop("%(channel)s has published nothing in %(days)s days."),
                    params={"channel": str(channel), "days": max_days},
                    subject=str(channel),
                )
