"""The one gate for views: `@requires(Perm.X)`.

`CurrentOrganizationMiddleware` (people) puts the organization the user works in and their
permissions there on the request. A view that asks for a permission the user lacks answers 403;
a user who is not signed in goes to the sign-in page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .roles import Perm


def has_perm(request: HttpRequest, perm: Perm) -> bool:
    return perm in getattr(request, "permissions", frozenset())


def requires(*perms: Perm) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if getattr(request, "organization", None) is None:
                raise PermissionDenied("no organization")
            missing = [p for p in perms if not has_perm(request, p)]
            if missing:
                raise PermissionDenied(", ".join(missing))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
