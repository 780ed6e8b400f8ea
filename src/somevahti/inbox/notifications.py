"""E-mails of the inbox: deadline reminders, escalations, the daily summary.

Token problems are e-mailed by channels.notifications, beside the channel's connection.
"""

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

from somevahti.channels.notifications import comms_leads
from somevahti.core.calendar import HELSINKI

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


def send_deliveries_failed(*, deliveries: list[Any], now: dt.datetime) -> list[str]:
    """Platform deliveries that failed for good: each recipient hears of the ones they may see.

    The mail carries no body content (it may hold another organization's comments): when, how
    large, the fingerprint and the problem in words, and the page where the rest is shown.
    """
    from .queries import delivery_recipients
    from .webhooks import problem_in_words

    sent: list[str] = []
    for recipient in delivery_recipients(deliveries=deliveries, today=now.astimezone(HELSINKI).date()):
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            rows = [
                {
                    "received_at": d.received_at.astimezone(HELSINKI),
                    "platform": d.platform,
                    "sha256": d.body_sha256,
                    "attempts": d.attempts,
                    "problem": problem_in_words(d),
                }
                for d in recipient.deliveries
            ]
        sent += _send(
            to=[recipient.email],
            template="deliveries_failed",
            context={"rows": rows, "count": len(rows), "url": reverse("inbox:deliveries")},
            language=recipient.language or settings.LANGUAGE_CODE,
        )
    return sent
