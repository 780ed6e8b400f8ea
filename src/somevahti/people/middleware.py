"""Puts the organization a user works in, their person there and their permissions on the request."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from somevahti.core import calendar
from somevahti.core.roles import permissions_for

from .http import OrganizationRequest
from .models import Person

SESSION_KEY = "somevahti_organization"


class CurrentOrganizationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: OrganizationRequest) -> HttpResponse:
        request.organization = None
        request.person = None
        request.roles = frozenset()
        request.permissions = frozenset()
        if request.user.is_authenticated:
            people: list[Person] | QuerySet[Person] = Person.objects.filter(user=request.user).select_related("organization").prefetch_related("roles")
            # Someone who has left the organization keeps their sign-in but loses its roles.
            today = calendar.today()
            people = [p for p in people if p.is_active_on(today)]
            wanted = request.session.get(SESSION_KEY)
            person = next((p for p in people if p.organization_id == wanted), None) or next(iter(people), None)
            if person is not None:
                request.organization = person.organization
                request.person = person
                request.roles = person.role_codes
                request.permissions = permissions_for(request.roles)
        return self.get_response(request)
