"""Background work of channels: each connection checked every morning, expiring tokens warned about.

Tasks take ids, load the rows and call a service; the logic lives in channels.connections.
"""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from .connections import check_connection, warn_expiring_tokens
from .models import Channel


@task()
def check_connection_task(channel_id: int) -> None:
    channel = Channel.objects.filter(pk=channel_id, status=Channel.Status.ACTIVE).select_related("organization").first()
    if channel is not None:  # archived or removed since it was queued
        check_connection(channel=channel)


@cron("30 5 * * *")
@task()
def check_connections_task() -> int:
    """Queue one check per active channel, so one slow platform does not hold up the others."""
    ids = list(Channel.objects.filter(status=Channel.Status.ACTIVE).values_list("pk", flat=True))
    for channel_id in ids:
        check_connection_task.enqueue(channel_id=channel_id)
    return len(ids)


@cron("0 7 * * *")
@task()
def warn_expiring_tokens_task() -> int:
    return warn_expiring_tokens()
