"""The request as the views of people and the apps above it see it (see `core.http`)."""

from __future__ import annotations

from somevahti.core import http

from .models import Organization, Person


class OrganizationRequest(http.OrganizationRequest):
    """A request past `CurrentOrganizationMiddleware`: the organization the user works in and
    their person there, both None for a user who works in none."""

    organization: Organization | None
    person: Person | None


class MemberRequest(OrganizationRequest):
    """A request that `@requires` let through: the user works in `organization`."""

    organization: Organization
