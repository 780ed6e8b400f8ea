"""The demo organization (esittelyorganisaatio): Joroisten kunta, loaded by `somevahti demo`.

The people, channels and summer holidays come from `data/demo-joroinen.json` through the same
importer as any organization file. The holidays are written there as ISO weeks with a
placeholder year ("YYYY-W28-1" is the Monday of week 28) and get the coming summer's year here,
so the demo looks the same whenever it runs: in weeks 28 and 29 only one Instagram
administrator is at work (a MAINT-ADMINS gap) while Facebook stays covered.

The demo organization is marked by its audit event "people.demo_loaded"; users and passwords
are only ever made for that organization, never for one imported from a real file.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from somevahti.core import audit
from somevahti.core.calendar import HELSINKI
from somevahti.core.models import AuditEvent
from somevahti.core.roles import Role

from .importer import import_organization
from .models import Organization, Person

DEMO_FILE = Path(__file__).parent / "data" / "demo-joroinen.json"
DEMO_EVENT = "people.demo_loaded"
# Who to sign in as for each role (the first holder of the role when missing).
DEMO_LOGINS: dict[str, str] = {
    Role.COMMS_LEAD: "kaisa.lehtonen@joroinen.fi",
    Role.CHANNEL_ADMIN: "mikko.makinen@joroinen.fi",
    Role.SUPERVISOR: "jukka.heikkinen@joroinen.fi",
    Role.EMPLOYEE: "anna-maija.korhonen@joroinen.fi",
    Role.ELECTED_OFFICIAL: "marjatta.laine@joroinen.fi",
    Role.RECORDS_OFFICER: "tuula.salonen@joroinen.fi",
}
# About half of the people have acknowledged the guideline; one elected official has not.
ACKNOWLEDGED = (
    "kaisa.lehtonen@joroinen.fi",
    "mikko.makinen@joroinen.fi",
    "johanna.nieminen@joroinen.fi",
    "jukka.heikkinen@joroinen.fi",
    "marjatta.laine@joroinen.fi",
    "pekka.koskinen@joroinen.fi",
)
_WEEK_DAY = re.compile(r"YYYY-W(\d{2})-(\d)")
# The Instagram gap ends on the Sunday of this ISO week.
LAST_GAP_WEEK = 29


def demo_year(today: dt.date) -> int:
    """This summer while its July gap is still ahead or under way, else next summer."""
    gap_end = dt.date.fromisocalendar(today.year, LAST_GAP_WEEK, 7)
    return today.year if today <= gap_end else today.year + 1


def demo_data(*, today: dt.date) -> dict[str, Any]:
    """The demo file with the holiday weeks turned into dates of the demo summer."""
    year = demo_year(today)
    text = DEMO_FILE.read_text(encoding="utf-8")
    text = _WEEK_DAY.sub(lambda m: dt.date.fromisocalendar(year, int(m.group(1)), int(m.group(2))).isoformat(), text)
    data: dict[str, Any] = json.loads(text)
    return data


def demo_organization() -> Organization | None:
    org_ids = AuditEvent.objects.filter(action=DEMO_EVENT).values_list("organization_id", flat=True)
    return Organization.objects.filter(pk__in=list(org_ids)).order_by("pk").first()


def ensure_demo(*, now: dt.datetime | None = None) -> list[tuple[str, str, str]]:
    """Load the demo organization into an empty database; new passwords for its users.

    Returns (role label, username, password) for one person per role. Passwords are only
    printed by the caller; the database keeps their hashes.
    """
    now = now or timezone.now()
    with transaction.atomic():
        if not Organization.objects.exists():
            _load(now=now)
        organization = demo_organization()
        if organization is None:
            return []
        passwords = _prepare_users(organization)
    credentials = []
    holders = {
        role: [p for p in Person.objects.filter(organization=organization, roles__role=role).order_by("pk")]
        for role in Role.values
    }
    for role in Role:
        wanted = DEMO_LOGINS.get(role.value)
        person = next((p for p in holders[role.value] if p.email == wanted), None) or next(
            iter(holders[role.value]), None
        )
        if person is not None and person.email in passwords:
            credentials.append((str(role.label), person.email, passwords[person.email]))
    return credentials


def _load(*, now: dt.datetime) -> None:
    from somevahti.guideline.models import Rule
    from somevahti.guideline.services import acknowledge_guideline, current_guideline, evaluate_rules

    today = now.astimezone(HELSINKI).date()
    import_organization(data=demo_data(today=today), now=now)
    organization = Organization.objects.get(slug="joroinen")
    guideline = current_guideline(organization=organization)
    assert guideline is not None  # the importer installs it
    for person in Person.objects.filter(organization=organization, email__in=ACKNOWLEDGED):
        acknowledge_guideline(person=person, guideline=guideline)
    # The coverage rule looks 180 days ahead; in autumn and winter the demo summer is further.
    summer_end = dt.date(demo_year(today), 9, 1)
    rule = Rule.objects.filter(guideline=guideline, code="MAINT-ADMINS").first()
    if rule is not None and int(rule.parameters.get("horizon_days", 180)) < (summer_end - today).days:
        rule.parameters = {**rule.parameters, "horizon_days": (summer_end - today).days}
        rule.save(update_fields=["parameters"])
        audit.record("guideline.rule_parameters_changed", target=rule, data={"parameters": rule.parameters})
    audit.record(DEMO_EVENT, target=organization, data={"year": demo_year(today)})
    evaluate_rules(organization=organization, now=now)


def _prepare_users(organization: Organization) -> dict[str, str]:
    """A user (username = e-mail) with a fresh random password for each person with a role."""
    user_model = get_user_model()
    passwords: dict[str, str] = {}
    for person in Person.objects.filter(organization=organization, roles__isnull=False).distinct().order_by("pk"):
        user = person.user
        if user is None:
            user = user_model.objects.filter(username=person.email).first() or user_model(
                username=person.email, email=person.email
            )
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save()
        if person.user_id != user.pk:
            person.user = user
            person.save(update_fields=["user", "updated_at"])
        passwords[person.email] = password
    audit.record("people.demo_users_prepared", organization_id=organization.pk, data={"users": len(passwords)})
    return passwords
