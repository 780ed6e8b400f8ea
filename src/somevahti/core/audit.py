"""The audit log: every change of state is recorded by the service that makes it.

`record("people.absence_added", target=absence, actor=user)` writes one row in the same
transaction as the change. Values whose keys look like secrets are never written.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.http import HttpRequest

from .models import AuditEvent

_SECRET_KEY = re.compile(r"pass|secret|token|key|credential|authorization", re.IGNORECASE)
REDACTED = "[redacted]"

# Whoever did something: a signed-in user, an anonymous visitor, or the system (None).
type Actor = AbstractBaseUser | AnonymousUser | None

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: REDACTED if _SECRET_KEY.search(str(k)) else _scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    target: models.Model | None = None,
    actor: Actor = None,
    organization_id: int | None = None,
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_label: str = "",
) -> AuditEvent:
    if organization_id is None and target is not None:
        organization_id = getattr(target, "organization_id", None)
        if organization_id is None and target._meta.label == "people.Organization":
            organization_id = target.pk
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        organization_id=organization_id,
        actor=cast("User | None", user),
        actor_label=actor_label or (user.get_username() if user is not None else "system"),
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_label=str(target)[:300] if target is not None else "",
        data=_scrub(data or {}),
        ip=client_ip(request),
    )
