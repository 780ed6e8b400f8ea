"""Webhook deliveries: verified and stored at once, processed by a task, retried on failure.

A delivery is never lost: it is kept as received until processing succeeds, and one that
keeps failing is shown to the administrators.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from collections.abc import Mapping

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone

from somevahti.channels.models import Channel
from somevahti.connectors.base import IncomingInteraction, WebhookError

from .models import WebhookDelivery
from .services import check_texts, ingest_interactions

log = logging.getLogger(__name__)

META_PLATFORMS = ("facebook", "instagram")
MAX_BODY = 1_000_000
MAX_ATTEMPTS = 10


def verify_meta_delivery(body: bytes, headers: Mapping[str, str]) -> None:
    """Raises WebhookError for a delivery that must not be processed."""
    from somevahti.connectors.meta.webhooks import verify_signature

    if len(body) > MAX_BODY:
        raise WebhookError("body too large")
    secret = getattr(settings, "META_APP_SECRET", "")
    if not secret:
        raise WebhookError("META_APP_SECRET is not configured")
    verify_signature(body, headers.get("X-Hub-Signature-256"), secret)


def store_delivery(*, platform: str, body: bytes) -> None:
    """Journal a verified delivery as received; this is all a platform waits for.

    One plain INSERT instead of the ORM's `create()`: it runs for every delivery under load
    and the model layer tripled its cost (benchmarks/ingest.py).
    """
    alias = router.db_for_write(WebhookDelivery)
    connection = connections[alias]
    table = connection.ops.quote_name(WebhookDelivery._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (platform, received_at, body, body_sha256, state, attempts, error, interactions)"
            " VALUES (%s, %s, %s, %s, %s, 0, '', 0)",
            [
                platform,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                body,
                hashlib.sha256(body).hexdigest(),
                WebhookDelivery.State.PENDING.value,
            ],
        )


def _parse(delivery: WebhookDelivery) -> list[IncomingInteraction]:
    if delivery.platform == "meta":
        from somevahti.connectors.meta.webhooks import parse_delivery

        return parse_delivery(bytes(delivery.body), max_bytes=MAX_BODY)
    raise WebhookError(f"unknown platform {delivery.platform}")


def process_delivery(*, delivery_id: int, now: dt.datetime | None = None) -> WebhookDelivery:
    """Parse and ingest one stored delivery. Idempotent: processing twice stores nothing twice."""
    now = now or timezone.now()
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    if delivery.state == WebhookDelivery.State.PROCESSED:
        return delivery
    delivery.attempts += 1
    try:
        items = _parse(delivery)
        by_channel: dict[str, list[IncomingInteraction]] = defaultdict(list)
        for item in items:
            by_channel[item.channel_platform_id].append(item)
        stored = 0
        with transaction.atomic():
            channels = Channel.objects.filter(platform__in=META_PLATFORMS, platform_id__in=list(by_channel)).select_related(
                "organization"
            )
            for channel in channels:
                result = ingest_interactions(channel=channel, items=by_channel[channel.platform_id], now=now)
                stored += result.created + result.updated
        delivery.state = WebhookDelivery.State.PROCESSED
        delivery.processed_at = now
        delivery.interactions = stored
        delivery.error = ""
    except WebhookError as exc:
        # A body that can never be read is kept, marked failed, and not retried.
        delivery.state = WebhookDelivery.State.FAILED
        delivery.attempts = MAX_ATTEMPTS
        delivery.error = str(exc)[:2000]
    except Exception as exc:  # a database or programming error: keep the delivery for a retry
        log.exception("webhook delivery %s failed", delivery.pk)
        delivery.state = WebhookDelivery.State.FAILED
        delivery.error = f"{type(exc).__name__}: {exc}"[:2000]
    delivery.save()
    return delivery


def process_pending_deliveries(*, limit: int = 50, now: dt.datetime | None = None) -> int:
    """Process waiting deliveries in one batch: parsed one by one, stored in one transaction.

    Batching keeps the database's write lock short and rare under a burst of deliveries. If
    the batch cannot be stored, each delivery is tried on its own so one bad row cannot hold
    back the others.
    """
    now = now or timezone.now()
    batch = list(WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING).order_by("pk")[:limit])
    if not batch:
        return 0
    parsed: list[tuple[WebhookDelivery, list[IncomingInteraction]]] = []
    for delivery in batch:
        try:
            parsed.append((delivery, _parse(delivery)))
        except WebhookError as exc:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                state=WebhookDelivery.State.FAILED, attempts=MAX_ATTEMPTS, error=str(exc)[:2000]
            )
    by_channel: dict[str, list[IncomingInteraction]] = defaultdict(list)
    for _delivery, items in parsed:
        for item in items:
            by_channel[item.channel_platform_id].append(item)
    channels = list(
        Channel.objects.filter(platform__in=META_PLATFORMS, platform_id__in=list(by_channel)).select_related("organization")
    )
    checked = {
        channel.pk: check_texts(organization=channel.organization, texts=(i.text for i in by_channel[channel.platform_id]))
        for channel in channels
    }
    try:
        with transaction.atomic():
            for channel in channels:
                ingest_interactions(channel=channel, items=by_channel[channel.platform_id], now=now, checked=checked[channel.pk])
    except Exception:
        log.exception("webhook batch failed; processing its deliveries one by one")
        for delivery, _items in parsed:
            process_delivery(delivery_id=delivery.pk, now=now)
        return len(batch)
    # Marked only once the interactions are committed (the journal may be another database);
    # a stop in between means processing again, which stores nothing twice.
    WebhookDelivery.objects.filter(pk__in=[d.pk for d, _items in parsed]).update(
        state=WebhookDelivery.State.PROCESSED, processed_at=now, attempts=1, error=""
    )
    return len(batch)


def retry_failed_deliveries(*, now: dt.datetime | None = None) -> int:
    while process_pending_deliveries(now=now):
        pass
    pending = WebhookDelivery.objects.filter(state=WebhookDelivery.State.FAILED, attempts__lt=MAX_ATTEMPTS).values_list(
        "pk", flat=True
    )[:500]
    count = 0
    for delivery_id in list(pending):
        process_delivery(delivery_id=delivery_id, now=now)
        count += 1
    return count
