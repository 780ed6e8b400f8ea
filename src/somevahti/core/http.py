"""The request as views see it, with what the middlewares put on it typed.

`CurrentOrganizationMiddleware` (people) sets the organization a user works in, their person
there, their roles and their permissions; django-htmx sets `htmx`. Core sits below people and
cannot name its models, so here the organization and the person are `Any`, as in the services of
the apps below people; `people.http` types them, for people and the apps above it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from .roles import Perm


class OrganizationRequest(HttpRequest):
    """A request past the middlewares. A user who works in no organization has none, nor a person."""

    organization: Any
    person: Any
    roles: frozenset[str]
    permissions: frozenset[Perm]
    htmx: HtmxDetails
