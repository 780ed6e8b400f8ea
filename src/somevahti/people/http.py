"""The request as the views of people and the apps above it see it (see `core.http`)."""

from __future__ import annotations

from django.contrib.auth.models import User

from somevahti.core import http

from .models import Organization, Person


class OrganizationRequest(http.OrganizationRequest):
    """A request past `CurrentOrganizationMiddleware`: the organization the user works in and
    their person there, both None for a user who works in none."""

    organization: Organization | None
    person: Person | None


class MemberRequest(OrganizationRequest):
    """A request that `@requires` let through: a signed-in user who works in `organization`."""

    organization: Organization
    user: User  # HttpRequest says "maybe anonymous"; @requires refused those
