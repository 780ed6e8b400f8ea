from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .roles import Perm

# (url name, label, permission needed)
NAVIGATION = (
    ("guideline:status", _("Guideline in practice"), Perm.VIEW_GUIDELINE),
    ("inbox:list", _("Feedback"), Perm.VIEW_INBOX),
    ("publishing:list", _("Publishing"), Perm.PUBLISH),
    ("channels:list", _("Channels"), Perm.VIEW_CHANNELS),
    ("channels:coverage", _("Coverage"), Perm.VIEW_COVERAGE),
    ("people:list", _("People"), Perm.VIEW_PEOPLE),
    ("people:my_absences", _("My absences"), Perm.MANAGE_OWN_ABSENCES),
    ("checks:check", _("Check a text"), Perm.CHECK_TEXT),
    ("checks:contacts", _("Public contact data"), Perm.MANAGE_CONTACTS),
    ("guideline:acknowledgements", _("Acknowledgements"), Perm.VIEW_ACKNOWLEDGEMENTS),
    ("archive:search", _("Archive"), Perm.VIEW_ARCHIVE),
    ("archive:retention", _("Retention periods"), Perm.MANAGE_RETENTION),
    ("core:audit", _("Audit log"), Perm.VIEW_AUDIT),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    perms: frozenset[Perm] = getattr(request, "permissions", frozenset())
    items = []
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match is not None else ""
    for name, label, perm in NAVIGATION:
        if perm in perms:
            items.append({"url": reverse(name), "label": label, "current": name == current})
    return {"nav_items": items, "current_organization": getattr(request, "organization", None)}
