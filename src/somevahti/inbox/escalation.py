"""Reminders before a deadline, escalation after it, and the daily summary."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from somevahti.core import audit
from somevahti.core.calendar import HELSINKI
from somevahti.guideline.queries import rule_parameters
from somevahti.people.models import Organization

from .models import Escalation, Interaction
from .notifications import send_daily_summary, send_deadline_warning, send_overdue

log = logging.getLogger(__name__)


def _unanswered() -> Q:
    return Q(state__in=Interaction.OPEN_STATES, expects_answer=True, deadline__isnull=False, first_response_at__isnull=True)


def _once(interaction: Interaction, kind: str, now: dt.datetime, send: Callable[[], list[str]]) -> bool:
    """Send, then record; a message that could not be sent is tried again on the next run."""
    if Escalation.objects.filter(interaction=interaction, kind=kind).exists():
        return False
    try:
        recipients = send()
    except Exception:  # SMTP down: log it, keep going with the others, retry next run
        log.exception("escalation %s of interaction %s could not be sent", kind, interaction.pk)
        return False
    try:
        with transaction.atomic():
            Escalation.objects.create(interaction=interaction, kind=kind, sent_at=now, recipients=recipients)
    except IntegrityError:
        return False
    audit.record(f"inbox.escalation_{kind}", target=interaction, data={"recipients": len(recipients)})
    return True


def send_deadline_reminders(*, now: dt.datetime | None = None) -> dict[str, int]:
    """E-mail the assignee `warn_before_minutes` before the deadline, the communications lead after it."""
    now = now or timezone.now()
    sent = {"warning": 0, "overdue": 0}
    for organization in Organization.objects.all():
        params = rule_parameters(organization=organization, code="MAINT-SAME-DAY")
        warn_before = dt.timedelta(minutes=int(params.get("warn_before_minutes", 120)))
        open_items = Interaction.objects.filter(_unanswered(), organization=organization).select_related(
            "assignee", "channel"
        )
        for interaction in open_items.filter(deadline__lte=now + warn_before, deadline__gt=now, assignee__isnull=False).exclude(
            escalations__kind=Escalation.Kind.WARNING
        ):
            if _once(interaction, Escalation.Kind.WARNING, now, partial(send_deadline_warning, interaction=interaction)):
                sent["warning"] += 1
        for interaction in open_items.filter(deadline__lte=now).exclude(escalations__kind=Escalation.Kind.OVERDUE):
            today = now.astimezone(HELSINKI).date()
            if _once(interaction, Escalation.Kind.OVERDUE, now, partial(send_overdue, interaction=interaction, today=today)):
                sent["overdue"] += 1
    return sent


def daily_summary(*, organization: Organization, now: dt.datetime) -> dict[str, int]:
    today = now.astimezone(HELSINKI).date()
    start = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(0), tzinfo=HELSINKI)
    end = dt.datetime.combine(today, dt.time(0), tzinfo=HELSINKI)
    items = Interaction.objects.filter(organization=organization)
    return {
        "open": items.filter(state__in=Interaction.OPEN_STATES, expects_answer=True).count(),
        "overdue": items.filter(_unanswered(), deadline__lte=now).count(),
        "received": items.filter(created_at__gte=start, created_at__lt=end, from_us=False).count(),
        "answered": items.filter(first_response_at__gte=start, first_response_at__lt=end).count(),
    }


def send_daily_summaries(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    count = 0
    for organization in Organization.objects.all():
        summary = daily_summary(organization=organization, now=now)
        if send_daily_summary(organization=organization, summary=summary, today=now.astimezone(HELSINKI).date()):
            count += 1
    return count
