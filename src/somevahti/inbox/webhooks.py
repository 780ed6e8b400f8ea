"""Webhook deliveries: verified and stored at once, processed by a task, retried on failure.

A delivery is never lost: it is kept as received until processing succeeds, and one that
keeps failing is shown to the administrators (the page /palautteet/toimitukset/, whose reads
are `queries.visible_deliveries`) and e-mailed to them once when it fails for good. A person
may try it again at once or give up on it; nothing is deleted.

The journal may be a database of its own (routers.py): a delivery's writes are never expected
to be atomic with the main database's. Where both are written, the journal's write comes last
inside the main database's transaction, so a failure of it undoes the audit event as well.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from somevahti.channels.models import Channel
from somevahti.connectors.base import IncomingInteraction, WebhookError
from somevahti.core import audit
from somevahti.core.audit import Actor

from .models import WebhookDelivery
from .queries import encode_page_ids, read_page_ids
from .services import check_texts, ingest_interaction_batch, ingest_interactions

log = logging.getLogger(__name__)

META_PLATFORMS = ("facebook", "instagram")
MAX_BODY = 1_000_000
MAX_ATTEMPTS = 10
RETRY_NOW_LIMIT = 100  # deliveries tried at once for one click of "Try all again now"


def verify_meta_delivery(body: bytes, headers: Mapping[str, str]) -> None:
    """Raises WebhookError for a delivery that must not be processed."""
    from somevahti.connectors.meta.webhooks import verify_signature

    if len(body) > MAX_BODY:
        raise WebhookError("body too large")
    secret = getattr(settings, "META_APP_SECRET", "")
    if not secret:
        raise WebhookError("META_APP_SECRET is not configured")
    verify_signature(body, headers.get("X-Hub-Signature-256"), secret)


_SQLITE_WRITER = threading.Lock()


def store_delivery(*, platform: str, body: bytes) -> None:
    """Journal a verified delivery as received; this is all a platform waits for.

    One plain INSERT instead of the ORM's `create()`: it runs for every delivery under load
    and the model layer tripled its cost (benchmarks/ingest.py).
    """
    alias = router.db_for_write(WebhookDelivery)
    connection = connections[alias]
    table = connection.ops.quote_name(WebhookDelivery._meta.db_table)
    # SQLite lets one writer in at a time and makes the others sleep and poll; the threads of
    # this process take turns on a lock instead, which wakes the next one at once.
    turn = _SQLITE_WRITER if connection.vendor == "sqlite" else contextlib.nullcontext()
    with turn, connection.cursor() as cursor:
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
        # A body that can never be read is kept, marked failed, and not retried automatically.
        delivery.state = WebhookDelivery.State.FAILED
        delivery.unreadable = True
        delivery.error = str(exc)[:2000]
        delivery.page_ids = encode_page_ids(read_page_ids(platform=delivery.platform, body=bytes(delivery.body)))
    except Exception as exc:  # a database or programming error: keep the delivery for a retry
        log.exception("webhook delivery %s failed", delivery.pk)
        delivery.state = WebhookDelivery.State.FAILED
        delivery.unreadable = False
        delivery.error = f"{type(exc).__name__}: {exc}"[:2000]
        delivery.page_ids = encode_page_ids(read_page_ids(platform=delivery.platform, body=bytes(delivery.body)))
    # Only what processing decides: a concurrent claim of the failure e-mail is not overwritten.
    delivery.save(update_fields=["state", "attempts", "error", "unreadable", "page_ids", "processed_at", "interactions"])
    return delivery


def process_pending_deliveries(*, limit: int = 50, now: dt.datetime | None = None) -> int:
    """Process waiting deliveries in one batch: parsed one by one, stored in one transaction.

    Batching keeps the database's write lock short and rare under a burst of deliveries, and
    the batch is written in bulk (`ingest_interaction_batch`). If it cannot be stored (a bad
    row, or another process storing the same comment meanwhile), each delivery is tried on its
    own, item by item, so one bad row cannot hold back the others.
    """
    now = now or timezone.now()
    batch = list(WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING).order_by("pk")[:limit])
    if not batch:
        return 0
    parsed: list[tuple[WebhookDelivery, list[IncomingInteraction]]] = []
    unreadable = False
    for delivery in batch:
        try:
            parsed.append((delivery, _parse(delivery)))
        except WebhookError as exc:
            unreadable = True
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                state=WebhookDelivery.State.FAILED,
                attempts=F("attempts") + 1,
                unreadable=True,
                error=str(exc)[:2000],
                page_ids=encode_page_ids(read_page_ids(platform=delivery.platform, body=bytes(delivery.body))),
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
            ingest_interaction_batch(batch=[(channel, by_channel[channel.platform_id]) for channel in channels], now=now, checked=checked)
    except Exception:
        log.exception("webhook batch failed; processing its deliveries one by one")
        for delivery, _items in parsed:
            process_delivery(delivery_id=delivery.pk, now=now)
        notify_deliveries_failed_for_good(now=now)
        return len(batch)
    # Marked only once the interactions are committed (the journal may be another database);
    # a stop in between means processing again, which stores nothing twice.
    WebhookDelivery.objects.filter(pk__in=[d.pk for d, _items in parsed]).update(
        state=WebhookDelivery.State.PROCESSED, processed_at=now, attempts=1, error=""
    )
    if unreadable:  # after the batch is stored: a slow mail server does not hold it back
        notify_deliveries_failed_for_good(now=now)
    return len(batch)


def retry_failed_deliveries(*, now: dt.datetime | None = None) -> int:
    while process_pending_deliveries(now=now):
        pass
    pending = WebhookDelivery.objects.filter(
        state=WebhookDelivery.State.FAILED, attempts__lt=MAX_ATTEMPTS, unreadable=False
    ).values_list("pk", flat=True)[:500]
    count = 0
    for delivery_id in list(pending):
        process_delivery(delivery_id=delivery_id, now=now)
        count += 1
    notify_deliveries_failed_for_good(now=now)
    return count


# --- what people do with a delivery that needs attention ----------------------------------------


class DeliveryError(ValueError):
    """A delivery that cannot be given up, with the reason in words."""


@dataclass(frozen=True)
class RetrySummary:
    processed: int
    failed: int
    waiting: int  # still needing attention beyond this round's limit


def retry_delivery_now(*, delivery: WebhookDelivery, by: Actor, organization_id: int | None) -> WebhookDelivery:
    """Process one delivery at once, whatever its state and attempts ("Try again now")."""
    before = delivery.state
    result = process_delivery(delivery_id=delivery.pk)
    audit.record(
        "inbox.delivery_retried",
        target=result,
        actor=by,
        organization_id=organization_id,
        data={
            "state_before": before,
            "state": result.state,
            "attempts": result.attempts,
            "interactions": result.interactions,
            "sha256": result.body_sha256,
        },
    )
    notify_deliveries_failed_for_good()
    return result


def retry_deliveries_now(*, delivery_ids: Iterable[int], by: Actor, organization_id: int | None) -> RetrySummary:
    """"Try all again now": the readable ones among these, at most RETRY_NOW_LIMIT in one go.

    A body that cannot be read fails the same way every time, so those wait for a person to try
    them one by one or give up on them.
    """
    ids = list(
        WebhookDelivery.objects.filter(pk__in=list(delivery_ids), unreadable=False)
        .exclude(state=WebhookDelivery.State.PROCESSED)
        .order_by("received_at", "pk")
        .values_list("pk", flat=True)
    )
    processed = failed = 0
    for delivery in WebhookDelivery.objects.filter(pk__in=ids[:RETRY_NOW_LIMIT]).order_by("received_at", "pk"):
        if retry_delivery_now(delivery=delivery, by=by, organization_id=organization_id).state == WebhookDelivery.State.PROCESSED:
            processed += 1
        else:
            failed += 1
    return RetrySummary(processed=processed, failed=failed, waiting=max(0, len(ids) - RETRY_NOW_LIMIT))


def give_up_delivery(
    *, delivery: WebhookDelivery, reason: str, by: Actor, organization_id: int | None, now: dt.datetime | None = None
) -> WebhookDelivery:
    """Stop retrying a failed delivery, with a stated reason. It is kept, and may be tried again."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise DeliveryError(_("Say why this delivery is given up."))
    by_label = by.get_username() if by is not None and by.is_authenticated else "system"
    with transaction.atomic():
        audit.record(
            "inbox.delivery_given_up",
            target=delivery,
            actor=by,
            organization_id=organization_id,
            data={"reason": reason, "attempts": delivery.attempts, "sha256": delivery.body_sha256},
        )
        # Last, so that if the journal refuses the change the audit event is undone with it.
        changed = WebhookDelivery.objects.filter(pk=delivery.pk, state=WebhookDelivery.State.FAILED).update(
            state=WebhookDelivery.State.GIVEN_UP, given_up_at=now, given_up_by=by_label[:150], given_up_reason=reason
        )
        if not changed:
            raise DeliveryError(_("Only a delivery that failed can be given up; this one is no longer failed."))
    delivery.refresh_from_db()
    return delivery


def notify_deliveries_failed_for_good(*, now: dt.datetime | None = None) -> int:
    """E-mail the administrators who may see them about deliveries that failed for good, once each.

    A delivery is claimed before the mail is sent, so two workers never both send it; a mail
    that cannot be sent is logged, and the delivery stays on the page.
    """
    now = now or timezone.now()
    candidates = (
        WebhookDelivery.objects.filter(state=WebhookDelivery.State.FAILED, failure_notified_at__isnull=True)
        .filter(Q(unreadable=True) | Q(attempts__gte=MAX_ATTEMPTS))
        .order_by("received_at", "pk")[:500]
    )
    claimed = [
        d
        for d in candidates
        if WebhookDelivery.objects.filter(pk=d.pk, failure_notified_at__isnull=True).update(failure_notified_at=now)
    ]
    if not claimed:
        return 0
    from .notifications import send_deliveries_failed

    try:
        send_deliveries_failed(deliveries=claimed, now=now)
    except Exception:
        log.exception("could not e-mail about %s failed webhook deliveries", len(claimed))
    return len(claimed)


def problem_in_words(delivery: WebhookDelivery) -> str:
    """Why a delivery needs attention, in words a communications lead understands."""
    if delivery.state == WebhookDelivery.State.PENDING:
        return _("Not processed yet — the background worker may be stopped.")
    message = delivery.error
    unreadable_words = (
        ("not valid JSON", _("Could not be read — the body is not valid JSON.")),
        ("not a JSON object", _("Could not be read — the body is not a JSON object.")),
        ("lacks its 'object'", _("Could not be read — the body lacks the kind and the list of entries every delivery has.")),
        ("entry of the delivery", _("Could not be read — one of its entries is not in the platform's form.")),
        ("larger than", _("Could not be read — the body is too large.")),
        ("unknown platform", _("Could not be read — Somevahti does not know the platform that sent it.")),
    )
    for needle, words in unreadable_words:
        if needle in message:
            return words
    if delivery.unreadable:
        return _("Could not be read — the body is not in the form the platform uses.")
    if not message:
        return _("Not processed.")
    return _("Could not be stored — an error in Somevahti or its database stopped it. It is kept and can be tried again.")
