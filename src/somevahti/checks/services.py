"""Changes of state around the checks: the organization's public contact data."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from somevahti.core import audit
from somevahti.core.audit import Actor

from . import PublicContacts, check_text
from .engine import Finding
from .models import OrganizationContacts
from .queries import public_contacts


@transaction.atomic
def set_public_contacts(*, organization: Any, data: dict[str, list[str]], by: Actor) -> OrganizationContacts:
    """Replace the organization's public contact data; `data` is validated first (ContactsError)."""
    PublicContacts.from_json(data)
    cleaned = {key: sorted({v.strip() for v in data.get(key, []) if v.strip()}) for key in PublicContacts.FIELDS}
    contacts, _created = OrganizationContacts.objects.update_or_create(organization=organization, defaults=cleaned)
    audit.record(
        "checks.public_contacts_updated",
        target=contacts,
        actor=by,
        organization_id=organization.pk,
        data={key: len(values) for key, values in cleaned.items()},
    )
    return contacts


def check_for_organization(*, organization: Any, text: str, lang: str) -> list[Finding]:
    """The service later issues call for drafts, replies and incoming comments."""
    return check_text(text, lang=lang, contacts=public_contacts(organization=organization))
