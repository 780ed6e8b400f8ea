"""/webhooks/meta/: Meta's verification handshake (GET) and signed deliveries (POST).

A delivery is verified over the raw body, stored, and answered 200 at once; a task processes it.
A bad or missing signature is refused with 403, logged, and never processed.
"""

from __future__ import annotations

import logging

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
    if not _drain_already_queued():
        process_webhook_deliveries_task.enqueue()
    return HttpResponse("ok", content_type="text/plain")


def _drain_already_queued() -> bool:
    """One waiting drain task serves every delivery that arrives before it starts."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend != "django_tasks_db.DatabaseBackend":
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().filter(task_path=process_webhook_deliveries_task.module_path).exists()
