from __future__ import annotations

from typing import Any

from . import PublicContacts
from .models import OrganizationContacts


def public_contacts(*, organization: Any) -> PublicContacts:
    stored = OrganizationContacts.objects.filter(organization=organization).first()
    return PublicContacts.from_json(stored.as_json()) if stored else PublicContacts()


def public_contacts_for(*, organization_slug: str) -> PublicContacts:
    """For `somevahti check --org SLUG`; an unknown organization is bad input."""
    from django.apps import apps

    organization = apps.get_model("people", "Organization").objects.filter(slug=organization_slug).first()
    if organization is None:
        raise LookupError(organization_slug)
    return public_contacts(organization=organization)
