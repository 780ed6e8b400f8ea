"""Storage around the checks core: the organization's own public contact data."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationContacts(models.Model):
    """Switchboard numbers, office addresses, public work contacts of named officials.

    They are passed to every check so that the organization's own published contact data is
    never a finding. A string reference keeps checks beside the other apps, needing only core.
    """

    organization = models.OneToOneField(
        "people.Organization", on_delete=models.CASCADE, related_name="public_contacts"
    )
    phones = models.JSONField(_("phone numbers"), default=list, blank=True)
    emails = models.JSONField(_("e-mail addresses"), default=list, blank=True)
    addresses = models.JSONField(_("addresses"), default=list, blank=True)
    names = models.JSONField(_("names"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("public contact data")
        verbose_name_plural = _("public contact data")

    def __str__(self) -> str:
        return str(self.organization)

    def as_json(self) -> dict[str, list[str]]:
        return {"phones": self.phones, "emails": self.emails, "addresses": self.addresses, "names": self.names}
