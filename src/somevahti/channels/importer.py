"""The organization file (organisaatiotiedosto): people, roles, channels, administrators and
absences of one organization in one JSON file, loaded by `somevahti org import FILE` and by
the demo.

`import_organization` reads and applies the whole file. The organization, units, people, roles
and absences are the people app's part (`somevahti.people.importer`); the channels and their
administrator periods are read and applied here, since channels stand above people.

```json
{"organization": {"slug": "joroinen", "name": "Joroisten kunta"},
 "people": [{"email": "a@x.fi", "name": "Anna A", "roles": ["comms_lead"], "title": "...",
             "unit": "Hallinto", "supervisor": "b@x.fi", "elected_official": false,
             "active_from": "2020-01-01", "active_until": null}],
 "channels": [{"key": "instagram-joroinen", "platform": "instagram", "name": "Joroisten kunta",
               "handle": "joroistenkunta", "url": "https://...", "status": "active",
               "platform_id": "1784...", "unit": "Hallinto", "opened_on": "2016-05-01",
               "login_identity": "some@x.fi", "two_factor": true, "notes": "...",
               "administrators": [{"email": "a@x.fi", "role": "admin", "since": "2024-01-01", "until": null}]}],
 "absences": [{"email": "a@x.fi", "start": "2026-07-06", "end": "2026-07-26", "kind": "vacation"}]}
```

Times. A date without a time means whole local (Europe/Helsinki) days; an `end` or `until`
date is the last day, included, so it is stored as local midnight of the next day. A date and
time must carry its offset ("2026-07-06T08:00:00+03:00" or "...Z"); its `end`/`until` is the
first moment no longer included.

The file is the truth for what it lists:

- people are matched by e-mail (case does not matter), channels by key, administrator periods
  by (channel, person, since), absences by (person, start); what matches is updated in place;
- an optional field left out of the file is set to its empty value;
- the roles of a listed person, the administrator periods of a listed channel and the
  absences that came from an organization file (source "import") of a listed person that are
  no longer in the file are removed. People, channels and units that are not in the file are
  left as they are, and so are absences entered in forms or from calendars.

Everything is validated before anything is written; with any problem nothing changes and
every problem is reported with its place in the file (`people[3].email: ...`). One import is
one transaction and one audit event with the counts; a dry run reports the same counts and
rolls back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from somevahti.core import audit
from somevahti.guideline.services import current_guideline, evaluate_rules, install_default_guideline
from somevahti.people.importer import (
    FileReader,
    ImportedPeople,
    OrganizationFileError,
    PeoplePlan,
    apply_absences,
    apply_people,
    existing_people,
    read_organization_file,
    sync_fields,
)
from somevahti.people.models import Person

from .models import Channel, ChannelAdministrator, Platform

__all__ = ["ImportSummary", "OrganizationFileError", "import_organization", "import_organization_file"]

KINDS = ("organization", "units", "people", "roles", "channels", "administrators", "absences")
TOP_FIELDS = ("organization", "people", "channels", "absences")


@dataclass
class ImportSummary:
    organization_slug: str
    organization_name: str
    dry_run: bool = False
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    @property
    def total_updated(self) -> int:
        return sum(self.updated.values())

    @property
    def total_removed(self) -> int:
        return sum(self.removed.values())

    @property
    def changed(self) -> bool:
        return bool(self.total_created or self.total_updated or self.total_removed)

    def count(self, what: str, kind: str) -> None:
        """One more `kind` created, updated or removed (`what`)."""
        tally: dict[str, int] = getattr(self, what)
        tally[kind] += 1

    def counts(self) -> dict[str, dict[str, int]]:
        return {"created": dict(self.created), "updated": dict(self.updated), "removed": dict(self.removed)}

    def summary(self) -> str:
        labels = {
            "organization": _("organization"),
            "units": _("units"),
            "people": _("people"),
            "roles": _("roles"),
            "channels": _("channels"),
            "administrators": _("administrator periods"),
            "absences": _("absences"),
        }
        params = {
            "name": self.organization_name,
            "slug": self.organization_slug,
            "created": self.total_created,
            "updated": self.total_updated,
            "removed": self.total_removed,
        }
        if self.dry_run:
            lines = [
                _("Dry run of the organization file for %(name)s (%(slug)s): nothing was saved.") % params,
                _("The import would create %(created)s, update %(updated)s and remove %(removed)s items.") % params,
            ]
        else:
            lines = [
                _("Organization file imported for %(name)s (%(slug)s).") % params,
                _("%(created)s created, %(updated)s updated, %(removed)s removed.") % params,
            ]
        for kind in KINDS:
            if self.created[kind] or self.updated[kind] or self.removed[kind]:
                lines.append(
                    "  "
                    + _("%(what)s: %(created)s created, %(updated)s updated, %(removed)s removed.")
                    % {
                        "what": labels[kind],
                        "created": self.created[kind],
                        "updated": self.updated[kind],
                        "removed": self.removed[kind],
                    }
                )
        return "\n".join(lines) + "\n"


# --- the channels' part ------------------------------------------------------------------


@dataclass
class AdministratorPlan:
    email: str
    role: str
    since: dt.datetime
    until: dt.datetime | None


@dataclass
class ChannelPlan:
    key: str
    platform: str
    name: str
    handle: str
    url: str
    status: str
    platform_id: str
    unit: str
    opened_on: dt.date | None
    login_identity: str
    two_factor: bool
    notes: str
    administrators: list[AdministratorPlan]


def read_channels(reader: FileReader, top: dict[str, Any]) -> list[ChannelPlan]:
    """The `channels` list with their administrator periods; problems go to the reader with their place.

    Read after the people, so that administrators may name anyone in the file.
    """
    channels: list[ChannelPlan] = []
    seen_keys: set[str] = set()
    for i, raw in enumerate(reader.array(top, "channels", "channels")):
        place = f"channels[{i}]"
        item = reader.obj(
            raw,
            place,
            (
                "key", "platform", "name", "handle", "url", "status", "platform_id", "unit", "opened_on",
                "login_identity", "two_factor", "notes", "administrators",
            ),
        )
        if item is None:
            continue
        key = reader.text(item, "key", f"{place}.key", required=True, max_length=80)
        if key:
            if reader.slug(key, f"{place}.key") and key in seen_keys:
                reader.problem(f"{place}.key", _("%(place)s: the channel %(key)s is already in the file."), key=key)
            seen_keys.add(key)
        platform = reader.choice(item, "platform", f"{place}.platform", Platform.values)
        channel_name = reader.text(item, "name", f"{place}.name", required=True)
        handle = reader.text(item, "handle", f"{place}.handle")
        url = reader.text(item, "url", f"{place}.url", max_length=500)
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                reader.problem(f"{place}.url", _("%(place)s: %(value)s is not a web address."), value=url)
                url = None
        status = reader.choice(item, "status", f"{place}.status", Channel.Status.values, default=Channel.Status.PLANNED)
        platform_id = reader.text(item, "platform_id", f"{place}.platform_id")
        unit = reader.text(item, "unit", f"{place}.unit")
        opened_on = reader.date(item, "opened_on", f"{place}.opened_on")
        login_identity = reader.email(item, "login_identity", f"{place}.login_identity", required=False)
        two_factor = reader.boolean(item, "two_factor", f"{place}.two_factor")
        notes = reader.text(item, "notes", f"{place}.notes", max_length=10000)
        admins: list[AdministratorPlan] = []
        seen_periods: set[tuple[str, dt.datetime]] = set()
        for j, raw_admin in enumerate(reader.array(item, "administrators", f"{place}.administrators")):
            aplace = f"{place}.administrators[{j}]"
            admin = reader.obj(raw_admin, aplace, ("email", "role", "since", "until"))
            if admin is None:
                continue
            email = reader.email(admin, "email", f"{aplace}.email")
            reader.known_person(email, f"{aplace}.email")
            role = reader.choice(
                admin, "role", f"{aplace}.role", ChannelAdministrator.Role.values, default=ChannelAdministrator.Role.ADMIN
            )
            since = reader.moment(admin, "since", f"{aplace}.since", required=True, is_end=False)
            until = reader.moment(admin, "until", f"{aplace}.until", required=False, is_end=True)
            if isinstance(since, tuple) and isinstance(until, tuple) and until[0] <= since[0]:
                reader.problem(f"{aplace}.until", _("%(place)s: the period ends before it starts."))
                until = False
            if email and isinstance(since, tuple):
                if (email, since[0]) in seen_periods:
                    reader.problem(
                        f"{aplace}.since",
                        _("%(place)s: %(email)s already has a period starting then on this channel."),
                        email=email,
                    )
                seen_periods.add((email, since[0]))
            if email and role and isinstance(since, tuple) and until is not False:
                admins.append(
                    AdministratorPlan(email, role, since[0], until[0] if isinstance(until, tuple) else None)
                )
        values = (key, platform, channel_name, handle, url, status, platform_id, unit, login_identity, two_factor, notes)
        if all(v is not None for v in values) and opened_on is not False:
            channels.append(
                ChannelPlan(
                    key=key or "", platform=platform or "", name=channel_name or "", handle=handle or "",
                    url=url or "", status=status or "", platform_id=platform_id or "", unit=unit or "",
                    opened_on=opened_on if isinstance(opened_on, dt.date) else None,
                    login_identity=login_identity or "", two_factor=bool(two_factor), notes=notes or "",
                    administrators=admins,
                )
            )
    return channels


def apply_channels(plans: list[ChannelPlan], imported: ImportedPeople) -> None:
    """Create or update the channels by key and their administrator periods. Call in a transaction."""
    org, people, count = imported.organization, imported.people, imported.count
    channels: dict[str, Channel] = {c.key: c for c in Channel.objects.filter(organization=org)}
    for cspec in plans:
        values = {
            "platform": cspec.platform,
            "name": cspec.name,
            "handle": cspec.handle,
            "url": cspec.url,
            "status": cspec.status,
            "platform_id": cspec.platform_id,
            "unit": imported.unit(cspec.unit),
            "opened_on": cspec.opened_on,
            "login_identity": cspec.login_identity,
            "two_factor": cspec.two_factor,
            "notes": cspec.notes,
        }
        channel = channels.get(cspec.key)
        if channel is None:
            channel = channels[cspec.key] = Channel.objects.create(organization=org, key=cspec.key, **values)
            count("created", "channels")
        elif sync_fields(channel, values):
            channel.save()
            count("updated", "channels")
        current = {
            (a.person_id, a.since): a for a in ChannelAdministrator.objects.filter(channel=channel)
        }
        wanted: set[tuple[int, dt.datetime]] = set()
        for aspec in cspec.administrators:
            person = people[aspec.email]
            ident = (person.pk, aspec.since)
            wanted.add(ident)
            admin = current.get(ident)
            if admin is None:
                ChannelAdministrator.objects.create(
                    channel=channel, person=person, role=aspec.role, since=aspec.since, until=aspec.until
                )
                count("created", "administrators")
            elif sync_fields(admin, {"role": aspec.role, "until": aspec.until}):
                admin.save()
                count("updated", "administrators")
        for ident, admin in current.items():
            if ident not in wanted:
                admin.delete()
                count("removed", "administrators")


# --- the whole file --------------------------------------------------------------------------


def read_organization(data: object, *, existing: dict[str, Person]) -> tuple[PeoplePlan, list[ChannelPlan]]:
    """Validate the whole parsed file, part by part in its own order; every problem at once."""
    reader = FileReader(existing=existing)
    top = reader.obj(data, "", TOP_FIELDS)
    if top is None:
        raise OrganizationFileError(
            [_("The file must hold one JSON object with the fields organization, people, channels and absences.")]
        )
    slug, name = reader.organization(top)
    people = reader.people(top)
    channels = read_channels(reader, top)
    absences = reader.absences(top)
    if reader.problems or not slug or not name:
        raise OrganizationFileError(reader.problems)
    return PeoplePlan(slug=slug, name=name, people=people, absences=absences), channels


def import_organization_file(*, path: str | Path, dry_run: bool = False, by: AbstractBaseUser | None = None) -> ImportSummary:
    return import_organization(data=read_organization_file(path), dry_run=dry_run, by=by)


class _DryRun(Exception):
    pass


def import_organization(
    *, data: object, dry_run: bool = False, by: AbstractBaseUser | None = None, now: dt.datetime | None = None
) -> ImportSummary:
    """Validate the whole file, then create or update the organization from it in one transaction."""
    people_plan, channel_plans = read_organization(data, existing=existing_people(data))
    summary = ImportSummary(organization_slug=people_plan.slug, organization_name=people_plan.name, dry_run=dry_run)
    try:
        with transaction.atomic():
            imported = apply_people(people_plan, count=summary.count, by=by)
            apply_channels(channel_plans, imported)
            apply_absences(people_plan, imported)
            org = imported.organization
            audit.record(
                "people.organization_imported",
                target=org,
                actor=by,
                data={"dry_run": summary.dry_run, **summary.counts()},
            )
            if not summary.dry_run:
                if current_guideline(organization=org) is None:
                    install_default_guideline(organization=org, by=by)
                evaluate_rules(organization=org, now=now)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return summary
