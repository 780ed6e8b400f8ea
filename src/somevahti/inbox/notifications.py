"""E-mails of the inbox: deadline reminders, escalations, the daily summary, token problems."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from somevahti.channels.models import Channel, ChannelAdministrator
from somevahti.core.calendar import HELSINKI
from somevahti.core.roles import Role
from somevahti.people.models import Person

log = logging.getLogger(__name__)


def _send(*, to: Iterable[str], template: str, context: dict[str, Any], language: str = "fi") -> list[str]:
    recipients = sorted({address for address in to if address})
    if not recipients:
        return []
    with translation.override(language):
        context = {**context, "base_url": settings.PUBLIC_BASE_URL}
        subject = render_to_string(f"inbox/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"inbox/email/{template}_body.txt", context)
    EmailMessage(subject=subject, body=body, to=recipients, from_email=settings.DEFAULT_FROM_EMAIL).send()
    return recipients


def comms_leads(organization_id: int, today: dt.date) -> list[Person]:
    people = Person.objects.filter(organization_id=organization_id, roles__role=Role.COMMS_LEAD).distinct()
    return [p for p in people if p.is_active_on(today)]


def channel_admins(channel: Channel, at: dt.datetime) -> list[Person]:
    admins = ChannelAdministrator.objects.filter(channel=channel, since__lte=at).select_related("person")
    return [a.person for a in admins if (a.until is None or a.until > at) and a.person.is_active_on(at.date())]


def notify_token_problem(*, channel: Channel, message: str) -> list[str]:
    from django.utils import timezone

    now = timezone.now()
    people = channel_admins(channel, now) + comms_leads(channel.organization_id, now.date())
    return _send(
        to=[p.email for p in people],
        template="token_problem",
        context={"channel": channel, "message": message, "url": reverse("channels:detail", args=[channel.pk])},
    )


def send_deadline_warning(*, interaction: Any) -> list[str]:
    if interaction.assignee is None:
        return []
    return _send(
        to=[interaction.assignee.email],
        template="deadline_warning",
        context={
            "interaction": interaction,
            "deadline": interaction.deadline.astimezone(HELSINKI),
            "url": reverse("inbox:detail", args=[interaction.pk]),
        },
    )


def send_overdue(*, interaction: Any, today: dt.date) -> list[str]:
    return _send(
        to=[p.email for p in comms_leads(interaction.organization_id, today)],
        template="overdue",
        context={
            "interaction": interaction,
            "deadline": interaction.deadline.astimezone(HELSINKI),
            "url": reverse("inbox:detail", args=[interaction.pk]),
        },
    )


def send_daily_summary(*, organization: Any, summary: dict[str, Any], today: dt.date) -> list[str]:
    return _send(
        to=[p.email for p in comms_leads(organization.pk, today)],
        template="daily_summary",
        context={"organization": organization, "summary": summary, "today": today, "url": reverse("inbox:list")},
    )
