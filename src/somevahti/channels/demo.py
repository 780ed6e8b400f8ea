"""Loading the demo organization (esittelyorganisaatio), Joroisten kunta, for `somevahti demo`.

Its file, its summer and how to find it are in `somevahti.people.demo`; it is loaded here, above
channels, because the organization file brings channels and their administrators too. Users and
passwords are only ever made for the demo organization, never for one imported from a real file.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from somevahti.core import audit
from somevahti.core.calendar import HELSINKI
from somevahti.core.roles import Role
from somevahti.guideline.models import Rule
from somevahti.guideline.services import acknowledge_guideline, current_guideline, evaluate_rules
from somevahti.people.demo import (
    ACKNOWLEDGED,
    DEMO_EVENT,
    DEMO_LOGINS,
    demo_data,
    demo_organization,
    demo_year,
)
from somevahti.people.models import Organization, Person

from .importer import import_organization


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
