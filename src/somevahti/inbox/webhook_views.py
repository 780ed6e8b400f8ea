"""/webhooks/meta/: Meta's verification handshake (GET) and signed deliveries (POST).

A delivery is verified over the raw body, stored, and answered 200 at once; a task processes it.
A bad or missing signature is refused with 403, logged, and never processed.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from somevahti.connectors.base import WebhookError

from .tasks import process_webhook_deliveries_task
from .webhooks import MAX_BODY, store_delivery, verify_meta_delivery

log = logging.getLogger("somevahti.webhooks")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def meta_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        from somevahti.connectors.meta.webhooks import handshake

        challenge = handshake(request.GET, getattr(settings, "META_VERIFY_TOKEN", ""))
        if challenge is None:
            log.warning("meta webhook: verification refused from %s", request.META.get("REMOTE_ADDR"))
            return HttpResponseForbidden("verification refused")
        return HttpResponse(challenge, content_type="text/plain")
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > MAX_BODY:
        log.warning("meta webhook: body of %s bytes refused", length)
        return HttpResponse("too large", status=413)
    body = request.body
    try:
        verify_meta_delivery(body, request.headers)
    except WebhookError as exc:
        log.warning("meta webhook: refused from %s: %s", request.META.get("REMOTE_ADDR"), exc)
        return HttpResponseForbidden("signature refused")
    store_delivery(platform="meta", body=body)
    _enqueue_drain()
    return HttpResponse("ok", content_type="text/plain")


_last_enqueued = -1e9
_enqueue_lock = threading.Lock()


def _enqueue_drain() -> None:
    """At most one drain task per window and process: it picks up every delivery stored
    meanwhile, because it keeps looking for one window after it last found nothing."""
    global _last_enqueued
    now = time.monotonic()
    with _enqueue_lock:
        if now - _last_enqueued < settings.WEBHOOK_DRAIN_WINDOW:
            return
        _last_enqueued = now
    process_webhook_deliveries_task.enqueue()
