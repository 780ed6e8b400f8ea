"""Roles per organization and what each may do.

The roles come from the guideline's own cast: viestintävastaava (communications lead),
ylläpitäjä (channel administrator), esihenkilö (supervisor), työntekijä (employee),
luottamushenkilö (elected official) and arkistovastaava (records officer). A page or an action
asks for a permission; a person holds the union of their roles' permissions in the
organization they are working in.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COMMS_LEAD = "comms_lead", _("Communications lead")
    CHANNEL_ADMIN = "channel_admin", _("Channel administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    EMPLOYEE = "employee", _("Employee")
    ELECTED_OFFICIAL = "elected_official", _("Elected official")
    RECORDS_OFFICER = "records_officer", _("Records officer")


class Perm(StrEnum):
    VIEW_GUIDELINE = "view_guideline"            # the guideline and how it is followed
    ACKNOWLEDGE = "acknowledge"                  # acknowledge the guideline oneself
    CHECK_TEXT = "check_text"                    # the text check
    VIEW_FINDINGS = "view_findings"              # every finding of the organization
    MANAGE_GUIDELINE = "manage_guideline"        # rules on/off, parameters, evaluation
    VIEW_ACKNOWLEDGEMENTS = "view_acknowledgements"
    VIEW_CHANNELS = "view_channels"
    MANAGE_CHANNELS = "manage_channels"
    VIEW_COVERAGE = "view_coverage"
    VIEW_PEOPLE = "view_people"
    MANAGE_PEOPLE = "manage_people"              # people, roles, anyone's absences
    MANAGE_OWN_ABSENCES = "manage_own_absences"
    VIEW_AUDIT = "view_audit"
    MANAGE_CONTACTS = "manage_contacts"          # the organization's public contact data
    VIEW_ARCHIVE = "view_archive"
    MANAGE_RETENTION = "manage_retention"        # the archive's retention periods (säilytysajat)
    VIEW_INBOX = "view_inbox"                    # the feedback inbox and its reports
    ANSWER_INBOX = "answer_inbox"                # reply, assign, hide, close feedback
    MANAGE_CANNED = "manage_canned"              # canned replies and official positions
    PUBLISH = "publish"                          # write, schedule, publish and withdraw posts
    APPROVE = "approve"                          # approve or return others' posts (four eyes)


_EVERYONE = {Perm.VIEW_GUIDELINE, Perm.ACKNOWLEDGE, Perm.CHECK_TEXT, Perm.MANAGE_OWN_ABSENCES}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.COMMS_LEAD: frozenset(Perm),
    Role.CHANNEL_ADMIN: frozenset(
        _EVERYONE
        | {Perm.VIEW_CHANNELS, Perm.VIEW_COVERAGE, Perm.VIEW_FINDINGS, Perm.VIEW_PEOPLE, Perm.VIEW_INBOX, Perm.ANSWER_INBOX}
        | {Perm.PUBLISH, Perm.APPROVE}
    ),
    Role.SUPERVISOR: frozenset(
        _EVERYONE
        | {Perm.VIEW_ACKNOWLEDGEMENTS, Perm.VIEW_PEOPLE, Perm.VIEW_CHANNELS, Perm.VIEW_COVERAGE, Perm.VIEW_INBOX}
    ),
    Role.EMPLOYEE: frozenset(_EVERYONE),
    Role.ELECTED_OFFICIAL: frozenset(_EVERYONE),
    Role.RECORDS_OFFICER: frozenset(_EVERYONE | {Perm.VIEW_ARCHIVE, Perm.MANAGE_RETENTION, Perm.VIEW_AUDIT}),
}


def permissions_for(roles: frozenset[str] | set[str]) -> frozenset[Perm]:
    granted: set[Perm] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)
