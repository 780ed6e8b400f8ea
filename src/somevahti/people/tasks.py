"""Background work of people: calendar feeds every hour, holiday-note reminders every morning.

Tasks take ids, load the rows and call a service; the logic lives in services and notifications.
"""

from __future__ import annotations

from crontask import cron
from django.tasks import task
from django.utils import timezone

from somevahti.core.calendar import today

from .models import CalendarFeed
from .notifications import send_holiday_note_reminders
from .queries import feeds_to_refresh
from .services import refresh_feed


@task
def refresh_calendar_feed_task(*, feed_id: int) -> None:
    feed = CalendarFeed.objects.select_related("person").filter(pk=feed_id).first()
    if feed is not None:  # removed since it was queued
        refresh_feed(feed=feed)


@cron("17 * * * *")
@task
def refresh_calendar_feeds_task() -> int:
    """Queue one refresh per feed, so one slow address does not hold up the others."""
    ids = feeds_to_refresh(today=today())
    for feed_id in ids:
        refresh_calendar_feed_task.enqueue(feed_id=feed_id)
    return len(ids)


@cron("0 7 * * *")
@task
def send_holiday_note_reminders_task() -> int:
    return send_holiday_note_reminders(now=timezone.now())
