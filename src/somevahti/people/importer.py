"""The organization file (organisaatiotiedosto): people, roles, channels, administrators and
absences of one organization in one JSON file, loaded by `somevahti org import FILE`.

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
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from somevahti.core import audit
from somevahti.core.calendar import HELSINKI, local_midnight
from somevahti.core.roles import Role

from .models import Absence, Organization, Person, PersonRole, Unit

KINDS = ("organization", "units", "people", "roles", "channels", "administrators", "absences")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


class OrganizationFileError(ValueError):
    """The file cannot be imported. `problems` are translated sentences, each naming its place."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


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


# --- the validated plan ------------------------------------------------------------------


@dataclass
class PersonPlan:
    email: str
    name: str
    roles: list[str]
    title: str
    unit: str
    supervisor: str  # e-mail, or ""
    elected_official: bool
    active_from: dt.date | None
    active_until: dt.date | None


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


@dataclass
class AbsencePlan:
    email: str
    start: dt.datetime
    end: dt.datetime
    all_day: bool
    kind: str
    summary: str

    @property
    def uid(self) -> str:
        return f"import:{self.start.astimezone(HELSINKI).isoformat()}"


@dataclass
class Plan:
    slug: str
    name: str
    people: list[PersonPlan]
    channels: list[ChannelPlan]
    absences: list[AbsencePlan]


_MISSING = object()


class _Reader:
    """Reads the parsed file into a Plan, collecting every problem with its place."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, place: str, message: str, **params: Any) -> None:
        self.problems.append(message % {"place": place, **params})

    # -- fields -------------------------------------------------------------------------

    def obj(self, value: Any, place: str, allowed: Iterable[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(place, _("%(place)s: must be an object with named fields."))
            return None
        for name in value:
            if name not in allowed:
                self.problem(f"{place}.{name}" if place else str(name), _("%(place)s: unknown field."))
        return value

    def array(self, parent: dict[str, Any], name: str, place: str) -> list[Any]:
        value = parent.get(name, _MISSING)
        if value is _MISSING or value is None:
            return []
        if not isinstance(value, list):
            self.problem(place, _("%(place)s: must be a list."))
            return []
        return value

    def text(
        self, parent: dict[str, Any], name: str, place: str, *, required: bool = False, max_length: int = 200
    ) -> str | None:
        value = parent.get(name, _MISSING)
        if value is _MISSING or value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(place, _("%(place)s: this field is required."))
                return None
            return ""
        if not isinstance(value, str):
            self.problem(place, _("%(place)s: must be text."))
            return None
        value = value.strip()
        if len(value) > max_length:
            self.problem(place, _("%(place)s: must be at most %(limit)s characters long."), limit=max_length)
            return None
        return value

    def boolean(self, parent: dict[str, Any], name: str, place: str) -> bool | None:
        value = parent.get(name, _MISSING)
        if value is _MISSING or value is None:
            return False
        if not isinstance(value, bool):
            self.problem(place, _("%(place)s: must be true or false."))
            return None
        return value

    def email(self, parent: dict[str, Any], name: str, place: str, *, required: bool = True) -> str | None:
        value = self.text(parent, name, place, required=required, max_length=254)
        if not value:
            return value
        try:
            validate_email(value)
        except ValidationError:
            self.problem(place, _("%(place)s: %(value)s is not a valid e-mail address."), value=value)
            return None
        return value.lower()

    def choice(
        self, parent: dict[str, Any], name: str, place: str, choices: Iterable[str], *, default: str | None = None
    ) -> str | None:
        value = self.text(parent, name, place, required=default is None, max_length=100)
        if value is None:
            return None
        if value == "" and default is not None:
            return default
        allowed = list(choices)
        if value not in allowed:
            self.problem(
                place,
                _("%(place)s: %(value)s is not one of the allowed values (%(allowed)s)."),
                value=value,
                allowed=", ".join(allowed),
            )
            return None
        return value

    def date(self, parent: dict[str, Any], name: str, place: str, *, required: bool = False) -> dt.date | None | bool:
        """A date; None when absent; False when wrong (a problem is recorded)."""
        value = parent.get(name, _MISSING)
        if value is _MISSING or value is None or value == "":
            if required:
                self.problem(place, _("%(place)s: this field is required."))
                return False
            return None
        if not isinstance(value, str) or not _DATE.match(value.strip()):
            self.problem(place, _("%(place)s: must be a date written YYYY-MM-DD."))
            return False
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            self.problem(place, _("%(place)s: %(value)s is not a date that exists."), value=value)
            return False

    def moment(
        self, parent: dict[str, Any], name: str, place: str, *, required: bool, is_end: bool
    ) -> tuple[dt.datetime, bool] | None | bool:
        """(instant, whole days) from a date or a date-time with offset; None absent; False wrong.

        A date is local midnight, or for an end the local midnight after the day."""
        value = parent.get(name, _MISSING)
        if value is _MISSING or value is None or value == "":
            if required:
                self.problem(place, _("%(place)s: this field is required."))
                return False
            return None
        if not isinstance(value, str):
            self.problem(place, _("%(place)s: must be a date (YYYY-MM-DD) or a date and time with its offset."))
            return False
        value = value.strip()
        if _DATE.match(value):
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                self.problem(place, _("%(place)s: %(value)s is not a date that exists."), value=value)
                return False
            return local_midnight(day + dt.timedelta(days=1) if is_end else day), True
        if not re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", value):
            self.problem(place, _("%(place)s: must be a date (YYYY-MM-DD) or a date and time with its offset."))
            return False
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            self.problem(place, _("%(place)s: %(value)s is not a date and time that exists."), value=value)
            return False
        if moment.tzinfo is None or moment.utcoffset() is None:
            self.problem(
                place,
                _("%(place)s: %(value)s has no offset from UTC; write it like 2026-07-06T08:00:00+03:00."),
                value=value,
            )
            return False
        return moment, False

    # -- sections -----------------------------------------------------------------------

    def read(self, data: Any, *, existing: dict[str, Person]) -> Plan | None:
        from somevahti.channels.models import Channel, ChannelAdministrator, Platform

        top = self.obj(data, "", ("organization", "people", "channels", "absences"))
        if top is None:
            self.problems[-1:] = [_("The file must hold one JSON object with the fields organization, people, channels and absences.")]
            return None
        slug = name = None
        org = top.get("organization", _MISSING)
        if org is _MISSING:
            self.problem("organization", _("%(place)s: this field is required."))
        else:
            org_obj = self.obj(org, "organization", ("slug", "name"))
            if org_obj is not None:
                slug = self.text(org_obj, "slug", "organization.slug", required=True, max_length=60)
                if slug and not _SLUG.match(slug):
                    self.problem(
                        "organization.slug",
                        _("%(place)s: use only letters a–z, digits, hyphens and underscores."),
                    )
                name = self.text(org_obj, "name", "organization.name", required=True)

        people = self._people(self.array(top, "people", "people"))
        # A person whose other fields are wrong is still known, so references to them are not errors too.
        known = self._file_emails | set(existing)

        def known_person(email: str | None, place: str) -> None:
            if email and email not in known:
                self.problem(
                    place, _("%(place)s: no person %(email)s in the file or in the organization."), email=email
                )

        for i, person in enumerate(people):
            if person.supervisor:
                place = f"people[{self._people_index[i]}].supervisor"
                known_person(person.supervisor, place)
                if person.supervisor == person.email:
                    self.problem(place, _("%(place)s: a person cannot be their own supervisor."))
        self._supervisor_loops(people, existing)

        channels: list[ChannelPlan] = []
        seen_keys: set[str] = set()
        for i, raw in enumerate(self.array(top, "channels", "channels")):
            place = f"channels[{i}]"
            item = self.obj(
                raw,
                place,
                (
                    "key", "platform", "name", "handle", "url", "status", "platform_id", "unit", "opened_on",
                    "login_identity", "two_factor", "notes", "administrators",
                ),
            )
            if item is None:
                continue
            key = self.text(item, "key", f"{place}.key", required=True, max_length=80)
            if key:
                if not _SLUG.match(key):
                    self.problem(f"{place}.key", _("%(place)s: use only letters a–z, digits, hyphens and underscores."))
                elif key in seen_keys:
                    self.problem(f"{place}.key", _("%(place)s: the channel %(key)s is already in the file."), key=key)
                seen_keys.add(key)
            platform = self.choice(item, "platform", f"{place}.platform", Platform.values)
            channel_name = self.text(item, "name", f"{place}.name", required=True)
            handle = self.text(item, "handle", f"{place}.handle")
            url = self.text(item, "url", f"{place}.url", max_length=500)
            if url:
                try:
                    URLValidator(schemes=["http", "https"])(url)
                except ValidationError:
                    self.problem(f"{place}.url", _("%(place)s: %(value)s is not a web address."), value=url)
                    url = None
            status = self.choice(item, "status", f"{place}.status", Channel.Status.values, default=Channel.Status.PLANNED)
            platform_id = self.text(item, "platform_id", f"{place}.platform_id")
            unit = self.text(item, "unit", f"{place}.unit")
            opened_on = self.date(item, "opened_on", f"{place}.opened_on")
            login_identity = self.email(item, "login_identity", f"{place}.login_identity", required=False)
            two_factor = self.boolean(item, "two_factor", f"{place}.two_factor")
            notes = self.text(item, "notes", f"{place}.notes", max_length=10000)
            admins: list[AdministratorPlan] = []
            seen_periods: set[tuple[str, dt.datetime]] = set()
            for j, raw_admin in enumerate(self.array(item, "administrators", f"{place}.administrators")):
                aplace = f"{place}.administrators[{j}]"
                admin = self.obj(raw_admin, aplace, ("email", "role", "since", "until"))
                if admin is None:
                    continue
                email = self.email(admin, "email", f"{aplace}.email")
                known_person(email, f"{aplace}.email")
                role = self.choice(
                    admin, "role", f"{aplace}.role", ChannelAdministrator.Role.values, default=ChannelAdministrator.Role.ADMIN
                )
                since = self.moment(admin, "since", f"{aplace}.since", required=True, is_end=False)
                until = self.moment(admin, "until", f"{aplace}.until", required=False, is_end=True)
                if isinstance(since, tuple) and isinstance(until, tuple) and until[0] <= since[0]:
                    self.problem(f"{aplace}.until", _("%(place)s: the period ends before it starts."))
                    until = False
                if email and isinstance(since, tuple):
                    if (email, since[0]) in seen_periods:
                        self.problem(
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

        absences: list[AbsencePlan] = []
        seen_absences: set[tuple[str, dt.datetime]] = set()
        for i, raw in enumerate(self.array(top, "absences", "absences")):
            place = f"absences[{i}]"
            item = self.obj(raw, place, ("email", "start", "end", "kind", "summary"))
            if item is None:
                continue
            email = self.email(item, "email", f"{place}.email")
            known_person(email, f"{place}.email")
            start = self.moment(item, "start", f"{place}.start", required=True, is_end=False)
            end = self.moment(item, "end", f"{place}.end", required=True, is_end=True)
            kind = self.choice(item, "kind", f"{place}.kind", Absence.Kind.values, default=Absence.Kind.VACATION)
            summary = self.text(item, "summary", f"{place}.summary", max_length=300)
            if isinstance(start, tuple) and isinstance(end, tuple):
                if end[0] <= start[0]:
                    self.problem(f"{place}.end", _("%(place)s: the absence ends before it starts."))
                    continue
                if email:
                    if (email, start[0]) in seen_absences:
                        self.problem(
                            f"{place}.start", _("%(place)s: %(email)s already has an absence starting then."), email=email
                        )
                    seen_absences.add((email, start[0]))
                if email and kind and summary is not None:
                    absences.append(AbsencePlan(email, start[0], end[0], start[1] and end[1], kind, summary))

        if self.problems or not slug or not name:
            return None
        return Plan(slug=slug, name=name, people=people, channels=channels, absences=absences)

    def _people(self, raw_people: list[Any]) -> list[PersonPlan]:
        people: list[PersonPlan] = []
        self._people_index: list[int] = []
        self._file_emails: set[str] = set()
        seen: dict[str, int] = {}
        allowed = (
            "email", "name", "roles", "title", "unit", "supervisor", "elected_official", "active_from", "active_until",
        )
        for i, raw in enumerate(raw_people):
            place = f"people[{i}]"
            item = self.obj(raw, place, allowed)
            if item is None:
                continue
            email = self.email(item, "email", f"{place}.email")
            if email:
                if email in seen:
                    self.problem(
                        f"{place}.email",
                        _("%(place)s: %(email)s is already in the file as people[%(other)s]."),
                        email=email,
                        other=seen[email],
                    )
                    email = None
                else:
                    seen[email] = i
                    self._file_emails.add(email)
            name = self.text(item, "name", f"{place}.name", required=True)
            roles: list[str] | None = []
            raw_roles = item.get("roles", [])
            if raw_roles is None:
                raw_roles = []
            if not isinstance(raw_roles, list):
                self.problem(f"{place}.roles", _("%(place)s: must be a list."))
                roles = None
            else:
                for j, role in enumerate(raw_roles):
                    rplace = f"{place}.roles[{j}]"
                    if not isinstance(role, str) or role not in Role.values:
                        self.problem(
                            rplace,
                            _("%(place)s: %(value)s is not one of the allowed values (%(allowed)s)."),
                            value=json.dumps(role, ensure_ascii=False) if not isinstance(role, str) else role,
                            allowed=", ".join(Role.values),
                        )
                        roles = None
                    elif roles is not None and role not in roles:
                        roles.append(role)
            title = self.text(item, "title", f"{place}.title")
            unit = self.text(item, "unit", f"{place}.unit")
            supervisor = self.email(item, "supervisor", f"{place}.supervisor", required=False)
            elected = self.boolean(item, "elected_official", f"{place}.elected_official")
            active_from = self.date(item, "active_from", f"{place}.active_from")
            active_until = self.date(item, "active_until", f"{place}.active_until")
            if isinstance(active_from, dt.date) and isinstance(active_until, dt.date) and active_until < active_from:
                self.problem(f"{place}.active_until", _("%(place)s: the person leaves before they start."))
                active_until = False
            values = (email, name, roles, title, unit, supervisor, elected)
            if all(v is not None for v in values) and active_from is not False and active_until is not False:
                people.append(
                    PersonPlan(
                        email=email or "", name=name or "", roles=roles or [], title=title or "", unit=unit or "",
                        supervisor=supervisor or "", elected_official=bool(elected),
                        active_from=active_from if isinstance(active_from, dt.date) else None,
                        active_until=active_until if isinstance(active_until, dt.date) else None,
                    )
                )
                self._people_index.append(i)
        return people

    def _supervisor_loops(self, people: list[PersonPlan], existing: dict[str, Person]) -> None:
        supervisor_of: dict[str, str] = {
            email: person.supervisor.email.lower()
            for email, person in existing.items()
            if person.supervisor is not None
        }
        for person in people:
            if person.supervisor:
                supervisor_of[person.email] = person.supervisor
            else:
                supervisor_of.pop(person.email, None)
        reported: set[frozenset[str]] = set()
        for i, person in enumerate(people):
            chain = [person.email]
            current = supervisor_of.get(person.email)
            while current is not None and current not in chain:
                chain.append(current)
                current = supervisor_of.get(current)
            if current is None or current == person.email and len(chain) == 1:
                continue
            loop = chain[chain.index(current):]
            if person.email not in loop or frozenset(loop) in reported or len(loop) < 2:
                continue
            reported.add(frozenset(loop))
            self.problem(
                f"people[{self._people_index[i]}].supervisor",
                _("%(place)s: supervisors form a loop: %(loop)s."),
                loop=" → ".join([*loop, loop[0]]),
            )


# --- reading a file ------------------------------------------------------------------------


def read_organization_file(path: str | Path) -> Any:
    """The parsed JSON of a file, or OrganizationFileError saying what is wrong with it."""
    place = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise OrganizationFileError(
            [_("%(place)s: the file cannot be read (%(error)s).") % {"place": place, "error": exc.strerror or exc}]
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OrganizationFileError(
            [_("%(place)s: the file is not UTF-8 text (byte %(position)s).") % {"place": place, "position": exc.start}]
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise OrganizationFileError(
            [
                _("%(place)s: the file is not valid JSON: %(error)s at line %(line)s, column %(column)s.")
                % {"place": place, "error": exc.msg, "line": exc.lineno, "column": exc.colno}
            ]
        ) from None


def import_organization_file(*, path: str | Path, dry_run: bool = False, by: AbstractBaseUser | None = None) -> ImportSummary:
    return import_organization(data=read_organization_file(path), dry_run=dry_run, by=by)


# --- applying ------------------------------------------------------------------------------


class _DryRun(Exception):
    pass


def import_organization(
    *, data: object, dry_run: bool = False, by: AbstractBaseUser | None = None, now: dt.datetime | None = None
) -> ImportSummary:
    """Validate the whole file, then create or update the organization from it in one transaction."""
    slug = data.get("organization", {}).get("slug") if isinstance(data, dict) and isinstance(data.get("organization"), dict) else None
    existing_org = Organization.objects.filter(slug=slug).first() if isinstance(slug, str) else None
    existing: dict[str, Person] = {}
    if existing_org is not None:
        existing = {
            p.email.lower(): p for p in Person.objects.filter(organization=existing_org).select_related("supervisor")
        }
    reader = _Reader()
    plan = reader.read(data, existing=existing)
    if plan is None:
        raise OrganizationFileError(reader.problems)
    summary = ImportSummary(organization_slug=plan.slug, organization_name=plan.name, dry_run=dry_run)
    try:
        with transaction.atomic():
            _apply(plan, summary, by=by, now=now)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return summary


def _sync(obj: Any, values: dict[str, Any]) -> bool:
    """Set the values that differ; True when any did."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return bool(changed)


def _apply(plan: Plan, summary: ImportSummary, *, by: AbstractBaseUser | None, now: dt.datetime | None) -> None:
    from somevahti.channels.models import Channel, ChannelAdministrator
    from somevahti.guideline.services import current_guideline, evaluate_rules, install_default_guideline

    def count(what: str, kind: str) -> None:
        tally: dict[str, int] = getattr(summary, what)
        tally[kind] += 1

    org, created = Organization.objects.get_or_create(slug=plan.slug, defaults={"name": plan.name})
    if created:
        count("created", "organization")
        audit.record("people.organization_created", target=org, actor=by, data={"slug": org.slug, "name": org.name})
    elif _sync(org, {"name": plan.name}):
        org.save()
        count("updated", "organization")

    units: dict[str, Unit] = {u.name: u for u in Unit.objects.filter(organization=org)}

    def unit_for(name: str) -> Unit | None:
        if not name:
            return None
        if name not in units:
            units[name] = Unit.objects.create(organization=org, name=name)
            count("created", "units")
        return units[name]

    people: dict[str, Person] = {p.email.lower(): p for p in Person.objects.filter(organization=org)}
    touched: set[str] = set()  # created or already counted as updated
    for spec in plan.people:
        values = {
            "name": spec.name,
            "title": spec.title,
            "unit": unit_for(spec.unit),
            "elected_official": spec.elected_official,
            "active_from": spec.active_from,
            "active_until": spec.active_until,
        }
        person = people.get(spec.email)
        if person is None:
            people[spec.email] = Person.objects.create(organization=org, email=spec.email, **values)
            touched.add(spec.email)
            count("created", "people")
        elif _sync(person, values):
            person.save()
            touched.add(spec.email)
            count("updated", "people")
    for spec in plan.people:
        person = people[spec.email]
        supervisor = people[spec.supervisor] if spec.supervisor else None
        if person.supervisor_id != (supervisor.pk if supervisor else None):
            person.supervisor = supervisor
            person.save(update_fields=["supervisor", "updated_at"])
            if spec.email not in touched:
                touched.add(spec.email)
                count("updated", "people")
        have = set(PersonRole.objects.filter(person=person).values_list("role", flat=True))
        for role in spec.roles:
            if role not in have:
                PersonRole.objects.create(person=person, role=role)
                count("created", "roles")
        gone = have - set(spec.roles)
        if gone:
            PersonRole.objects.filter(person=person, role__in=gone).delete()
            for _role in gone:
                count("removed", "roles")

    channels: dict[str, Channel] = {c.key: c for c in Channel.objects.filter(organization=org)}
    for cspec in plan.channels:
        values = {
            "platform": cspec.platform,
            "name": cspec.name,
            "handle": cspec.handle,
            "url": cspec.url,
            "status": cspec.status,
            "platform_id": cspec.platform_id,
            "unit": unit_for(cspec.unit),
            "opened_on": cspec.opened_on,
            "login_identity": cspec.login_identity,
            "two_factor": cspec.two_factor,
            "notes": cspec.notes,
        }
        channel = channels.get(cspec.key)
        if channel is None:
            channel = channels[cspec.key] = Channel.objects.create(organization=org, key=cspec.key, **values)
            count("created", "channels")
        elif _sync(channel, values):
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
            elif _sync(admin, {"role": aspec.role, "until": aspec.until}):
                admin.save()
                count("updated", "administrators")
        for ident, admin in current.items():
            if ident not in wanted:
                admin.delete()
                count("removed", "administrators")

    listed = {people[p.email].pk for p in plan.people}
    current_absences = {
        (a.person_id, a.uid): a
        for a in Absence.objects.filter(person__organization=org, source=Absence.Source.IMPORT)
    }
    wanted_absences: set[tuple[int, str]] = set()
    for bspec in plan.absences:
        person = people[bspec.email]
        key = (person.pk, bspec.uid)
        wanted_absences.add(key)
        values = {
            "start": bspec.start,
            "end": bspec.end,
            "all_day": bspec.all_day,
            "kind": bspec.kind,
            "summary": bspec.summary,
        }
        absence = current_absences.get(key)
        if absence is None:
            Absence.objects.create(person=person, source=Absence.Source.IMPORT, uid=bspec.uid, **values)
            count("created", "absences")
        elif _sync(absence, values):
            absence.save()
            count("updated", "absences")
    for key, absence in current_absences.items():
        if key[0] in listed and key not in wanted_absences:
            absence.delete()
            count("removed", "absences")

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

