"""The people's part of the organization file (organisaatiotiedosto): the organization, its
units, people, their roles and their absences.

The whole file, channels and their administrators included, is described and imported by the
channels app's importer module, which reads the parts in the order of the file and applies them
in one transaction. This module offers what every part shares: `FileReader`, which reads
fields and collects every problem with its place in the file (`people[3].email: ...`), the
people found so far (`FileReader.known_person`), and `ImportedPeople`, the organization's
people and units as the later parts refer to them.

Times. A date without a time means whole local (Europe/Helsinki) days; an `end` or `until`
date is the last day, included, so it is stored as local midnight of the next day. A date and
time must carry its offset ("2026-07-06T08:00:00+03:00" or "...Z"); its `end`/`until` is the
first moment no longer included.

People are matched by e-mail (case does not matter) and absences by (person, start); what
matches is updated in place, and an optional field left out of the file is set to its empty
value. The roles of a listed person, and the absences that came from an organization file
(source "import") of a listed person that are no longer in the file, are removed. People and
units that are not in the file are left as they are, and so are absences entered in forms or
from calendars.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from somevahti.core import audit
from somevahti.core.calendar import HELSINKI, local_midnight
from somevahti.core.roles import Role

from .models import Absence, Organization, Person, PersonRole, Unit

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")

# count("created" | "updated" | "removed", kind): how the parts tell the summary what they did.
Count = Callable[[str, str], None]


class OrganizationFileError(ValueError):
    """The file cannot be imported. `problems` are translated sentences, each naming its place."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


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
class PeoplePlan:
    slug: str
    name: str
    people: list[PersonPlan]
    absences: list[AbsencePlan]


_MISSING = object()


class FileReader:
    """Reads the parsed file part by part, collecting every problem with its place.

    `existing` are the people already in the organization, by lower-case e-mail: the file may
    refer to them without listing them.
    """

    def __init__(self, *, existing: dict[str, Person]) -> None:
        self.problems: list[str] = []
        self.existing = existing
        self._file_emails: set[str] = set()
        self._people_index: list[int] = []

    def problem(self, place: str, message: str, **params: Any) -> None:
        """Record a translated sentence that begins with %(place)s; `params` fill its other placeholders."""
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

    def slug(self, value: str, place: str) -> bool:
        """Whether a key or slug is written with the allowed characters; a problem when not."""
        if _SLUG.match(value):
            return True
        self.problem(place, _("%(place)s: use only letters a–z, digits, hyphens and underscores."))
        return False

    def known_person(self, email: str | None, place: str) -> None:
        """A problem unless the e-mail is a person in the file (read so far) or in the organization."""
        # A person whose other fields are wrong is still known, so references to them are not errors too.
        if email and email not in self._file_emails and email not in self.existing:
            self.problem(place, _("%(place)s: no person %(email)s in the file or in the organization."), email=email)

    # -- sections -----------------------------------------------------------------------

    def organization(self, top: dict[str, Any]) -> tuple[str | None, str | None]:
        """(slug, name) of the `organization` field; None where wrong or missing."""
        slug = name = None
        org = top.get("organization", _MISSING)
        if org is _MISSING:
            self.problem("organization", _("%(place)s: this field is required."))
        else:
            org_obj = self.obj(org, "organization", ("slug", "name"))
            if org_obj is not None:
                slug = self.text(org_obj, "slug", "organization.slug", required=True, max_length=60)
                if slug:
                    self.slug(slug, "organization.slug")
                name = self.text(org_obj, "name", "organization.name", required=True)
        return slug, name

    def people(self, top: dict[str, Any]) -> list[PersonPlan]:
        """The `people` list, their supervisors checked; afterwards they are known people."""
        people = self._people(self.array(top, "people", "people"))
        for i, person in enumerate(people):
            if person.supervisor:
                place = f"people[{self._people_index[i]}].supervisor"
                self.known_person(person.supervisor, place)
                if person.supervisor == person.email:
                    self.problem(place, _("%(place)s: a person cannot be their own supervisor."))
        self._supervisor_loops(people, self.existing)
        return people

    def absences(self, top: dict[str, Any]) -> list[AbsencePlan]:
        """The `absences` list; each names a known person."""
        absences: list[AbsencePlan] = []
        seen_absences: set[tuple[str, dt.datetime]] = set()
        for i, raw in enumerate(self.array(top, "absences", "absences")):
            place = f"absences[{i}]"
            item = self.obj(raw, place, ("email", "start", "end", "kind", "summary"))
            if item is None:
                continue
            email = self.email(item, "email", f"{place}.email")
            self.known_person(email, f"{place}.email")
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
        return absences

    def _people(self, raw_people: list[Any]) -> list[PersonPlan]:
        people: list[PersonPlan] = []
        self._people_index = []
        self._file_emails = set()
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


def existing_people(data: object) -> dict[str, Person]:
    """The people already in the organization that the parsed file names, by lower-case e-mail."""
    org = data.get("organization") if isinstance(data, dict) else None
    slug = org.get("slug") if isinstance(org, dict) else None
    existing_org = Organization.objects.filter(slug=slug).first() if isinstance(slug, str) else None
    if existing_org is None:
        return {}
    return {p.email.lower(): p for p in Person.objects.filter(organization=existing_org).select_related("supervisor")}


# --- applying ------------------------------------------------------------------------------


def sync_fields(obj: Any, values: dict[str, Any]) -> bool:
    """Set the values that differ; True when any did. The caller saves."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return bool(changed)


@dataclass
class ImportedPeople:
    """The organization as the people's part left it, for the parts that refer to it."""

    organization: Organization
    people: dict[str, Person]  # by lower-case e-mail: those of the file and those already there
    count: Count
    units: dict[str, Unit] = field(default_factory=dict)

    def unit(self, name: str) -> Unit | None:
        """The unit of that name, created (and counted) the first time it is named; None for ""."""
        if not name:
            return None
        if name not in self.units:
            self.units[name] = Unit.objects.create(organization=self.organization, name=name)
            self.count("created", "units")
        return self.units[name]


def apply_people(plan: PeoplePlan, *, count: Count, by: AbstractBaseUser | None) -> ImportedPeople:
    """Create or update the organization, its units, people and their roles. Call in a transaction."""
    org, created = Organization.objects.get_or_create(slug=plan.slug, defaults={"name": plan.name})
    if created:
        count("created", "organization")
        audit.record("people.organization_created", target=org, actor=by, data={"slug": org.slug, "name": org.name})
    elif sync_fields(org, {"name": plan.name}):
        org.save()
        count("updated", "organization")

    imported = ImportedPeople(
        organization=org,
        people={p.email.lower(): p for p in Person.objects.filter(organization=org)},
        count=count,
        units={u.name: u for u in Unit.objects.filter(organization=org)},
    )
    people = imported.people
    touched: set[str] = set()  # created or already counted as updated
    for spec in plan.people:
        values = {
            "name": spec.name,
            "title": spec.title,
            "unit": imported.unit(spec.unit),
            "elected_official": spec.elected_official,
            "active_from": spec.active_from,
            "active_until": spec.active_until,
        }
        person = people.get(spec.email)
        if person is None:
            people[spec.email] = Person.objects.create(organization=org, email=spec.email, **values)
            touched.add(spec.email)
            count("created", "people")
        elif sync_fields(person, values):
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
    return imported


def apply_absences(plan: PeoplePlan, imported: ImportedPeople) -> None:
    """Create, update and remove the absences that came from organization files. Call in a transaction."""
    people, count = imported.people, imported.count
    listed = {people[p.email].pk for p in plan.people}
    current_absences = {
        (a.person_id, a.uid): a
        for a in Absence.objects.filter(person__organization=imported.organization, source=Absence.Source.IMPORT)
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
        elif sync_fields(absence, values):
            absence.save()
            count("updated", "absences")
    for key, absence in current_absences.items():
        if key[0] in listed and key not in wanted_absences:
            absence.delete()
            count("removed", "absences")
