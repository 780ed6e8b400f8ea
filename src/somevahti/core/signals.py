"""Sign-ins, sign-outs and failed sign-ins go to the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit


def _organization_id(user: Any) -> int | None:
    person = user.people.order_by("id").first() if hasattr(user, "people") else None
    return person.organization_id if person is not None else None


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record("core.signed_in", actor=user, request=request, organization_id=_organization_id(user))


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record("core.signed_out", actor=user, request=request, organization_id=_organization_id(user))


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # The username tried is kept; the password never is (audit scrubs it, and we do not pass it).
    audit.record(
        "core.sign_in_failed",
        request=request,
        actor_label=str(credentials.get("username", ""))[:200],
        data={"username": str(credentials.get("username", ""))[:200]},
    )
