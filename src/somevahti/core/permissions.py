"""The one gate for views: `@requires(Perm.X)`.

`CurrentOrganizationMiddleware` (people) puts the organization the user works in and their
permissions there on the request. A view that asks for a permission the user lacks answers 403;
a user who is not signed in goes to the sign-in page.

A view behind the gate may declare its request as `people.http.MemberRequest`: the gate has made
sure that the request has an organization.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .roles import Perm


def has_perm(request: HttpRequest, perm: Perm) -> bool:
    return perm in getattr(request, "permissions", frozenset())


type View[R: HttpRequest, **P] = Callable[Concatenate[R, P], HttpResponse]


def requires[R: HttpRequest, **P](*perms: Perm) -> Callable[[View[R, P]], View[HttpRequest, P]]:
    def decorator(view: View[R, P]) -> View[HttpRequest, P]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if getattr(request, "organization", None) is None:
                raise PermissionDenied("no organization")
            missing = [p for p in perms if not has_perm(request, p)]
            if missing:
                raise PermissionDenied(", ".join(missing))
            # Signed in, working in an organization and allowed (checked above): the view may
            # read the request as the type it declares, such as MemberRequest.
            return view(cast(R, request), *args, **kwargs)

        return wrapped

    return decorator
