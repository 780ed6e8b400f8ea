"""Background work of the inbox. Tasks take ids, call services, hold no logic."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from somevahti.channels.models import Channel

from . import escalation, services, webhooks


@task()
def process_webhook_deliveries_task() -> None:
    """Drain the waiting deliveries, a batch at a time, for at most about half a minute.

    After the queue looks empty it looks once more a drain window later, so a delivery stored
    while this task was being enqueued is never left for the retry schedule.
    """
    import time

    from django.conf import settings

    stop_at = time.monotonic() + 30
    looked_again = False
    while time.monotonic() < stop_at:
        if webhooks.process_pending_deliveries():
            looked_again = False
            continue
        if looked_again or settings.WEBHOOK_DRAIN_WINDOW <= 0:
            break
        time.sleep(settings.WEBHOOK_DRAIN_WINDOW)
        looked_again = True


@cron("*/5 * * * *")
@task()
def retry_webhook_deliveries_task() -> None:
    webhooks.retry_failed_deliveries()


@task()
def poll_channel_task(channel_id: int) -> None:
    channel = Channel.objects.filter(pk=channel_id, status=Channel.Status.ACTIVE).first()
    if channel is not None:
        services.poll_channel(channel=channel)


@cron("*/10 * * * *")
@task()
def poll_channels_task() -> None:
    for channel_id in Channel.objects.filter(status=Channel.Status.ACTIVE).values_list("pk", flat=True):
        poll_channel_task.enqueue(channel_id=channel_id)


@cron("*/5 * * * *")
@task()
def send_deadline_reminders_task() -> None:
    escalation.send_deadline_reminders()


@cron("0 7 * * Mon-Fri")
@task()
def send_daily_summaries_task() -> None:
    escalation.send_daily_summaries()
