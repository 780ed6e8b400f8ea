"""E-mails about a channel's connection: a token that stopped working, a token about to expire.

They go to the channel's current administrators (ylläpitäjät) and the communications leads,
each in the person's own language. Tokens are never part of an e-mail.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from somevahti.core.calendar import HELSINKI
from somevahti.core.roles import Role
from somevahti.people.models import Person

from .models import Channel, ChannelAdministrator


def comms_leads(organization_id: int, today: dt.date) -> list[Person]:
    people = Person.objects.filter(organization_id=organization_id, roles__role=Role.COMMS_LEAD).distinct()
    return [p for p in people if p.is_active_on(today)]


def channel_admins(channel: Channel, at: dt.datetime) -> list[Person]:
    admins = ChannelAdministrator.objects.filter(channel=channel, since__lte=at).select_related("person")
    return [a.person for a in admins if (a.until is None or a.until > at) and a.person.is_active_on(at.date())]


def _send(*, people: Iterable[Person], template: str, context: dict[str, Any]) -> list[str]:
    """One message per language, each person in their own; returns every address written to."""
    by_language: dict[str, set[str]] = defaultdict(set)
    for person in people:
        if person.email:
            by_language[person.language or settings.LANGUAGE_CODE].add(person.email)
    sent: list[str] = []
    for language, addresses in sorted(by_language.items()):
        with translation.override(language):
            full = {**context, "base_url": settings.PUBLIC_BASE_URL}
            subject = render_to_string(f"channels/email/{template}_subject.txt", full).strip()
            body = render_to_string(f"channels/email/{template}_body.txt", full)
        recipients = sorted(addresses)
        EmailMessage(subject=subject, body=body, to=recipients, from_email=settings.DEFAULT_FROM_EMAIL).send()
        sent.extend(recipients)
    return sorted(sent)


def _keepers(channel: Channel, now: dt.datetime) -> list[Person]:
    return channel_admins(channel, now) + comms_leads(channel.organization_id, now.astimezone(HELSINKI).date())


def notify_token_problem(*, channel: Channel, message: str, now: dt.datetime | None = None) -> list[str]:
    """The platform refused the token: the channel must be reconnected."""
    now = now or timezone.now()
    return _send(
        people=_keepers(channel, now),
        template="token_problem",
        context={"channel": channel, "message": message, "url": reverse("channels:detail", args=[channel.pk])},
    )


def notify_token_expiring(*, channel: Channel, expires_at: dt.datetime, now: dt.datetime | None = None) -> list[str]:
    """The token's known expiry is near: renew it before the channel goes quiet."""
    now = now or timezone.now()
    local = expires_at.astimezone(HELSINKI)
    return _send(
        people=_keepers(channel, now),
        template="token_expiring",
        context={
            "channel": channel,
            "expires_on": local.date(),
            "days_left": max(0, (local.date() - now.astimezone(HELSINKI).date()).days),
            "url": reverse("channels:detail", args=[channel.pk]) + "#connection",
        },
    )
