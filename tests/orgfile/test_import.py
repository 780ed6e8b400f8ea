from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from somevahti.channels.importer import OrganizationFileError, import_organization, import_organization_file
from somevahti.channels.models import Channel, ChannelAdministrator
from somevahti.config.cli import main
from somevahti.core.calendar import HELSINKI
from somevahti.core.models import AuditEvent
from somevahti.guideline.models import Finding, Guideline
from somevahti.people.models import Absence, Organization, Person, PersonRole, Unit

NOW = dt.datetime(2026, 5, 4, 9, 0, tzinfo=HELSINKI)


def org_file() -> dict[str, Any]:
    return {
        "organization": {"slug": "joroinen", "name": "Joroisten kunta"},
        "people": [
            {
                "email": "aino.virtanen@joroinen.fi",
                "name": "Aino Virtanen",
                "roles": ["comms_lead", "channel_admin"],
                "title": "Viestintäpäällikkö",
                "unit": "Hallinto",
                "supervisor": "bjorn.lindqvist@joroinen.fi",
                "active_from": "2020-01-01",
            },
            {
                "email": "bjorn.lindqvist@joroinen.fi",
                "name": "Björn Lindqvist",
                "roles": ["supervisor"],
                "elected_official": False,
                "active_from": "2015-01-01",
                "active_until": None,
            },
            {"email": "mikko.makinen@joroinen.fi", "name": "Mikko Mäkinen", "roles": ["channel_admin"]},
        ],
        "channels": [
            {
                "key": "instagram-joroinen",
                "platform": "instagram",
                "name": "Joroisten kunta",
                "handle": "joroistenkunta",
                "url": "https://www.instagram.com/joroistenkunta/",
                "status": "active",
                "platform_id": "17841400000000000",
                "unit": "Hallinto",
                "two_factor": True,
                "administrators": [
                    {"email": "aino.virtanen@joroinen.fi", "role": "admin", "since": "2024-01-01", "until": None},
                    {"email": "mikko.makinen@joroinen.fi", "role": "editor", "since": "2024-03-01"},
                ],
            }
        ],
        "absences": [
            {"email": "aino.virtanen@joroinen.fi", "start": "2026-07-06", "end": "2026-07-26", "kind": "vacation"},
            {
                "email": "mikko.makinen@joroinen.fi",
                "start": "2026-06-01T08:00:00+03:00",
                "end": "2026-06-01T12:00:00+03:00",
                "kind": "training",
            },
        ],
    }


def snapshot() -> dict[str, Any]:
    """Everything an import may touch, to prove that nothing changed."""
    return {
        "organizations": list(Organization.objects.order_by("pk").values()),
        "units": list(Unit.objects.order_by("pk").values()),
        "people": list(Person.objects.order_by("pk").values()),
        "roles": list(PersonRole.objects.order_by("pk").values()),
        "channels": list(Channel.objects.order_by("pk").values()),
        "administrators": list(ChannelAdministrator.objects.order_by("pk").values()),
        "absences": list(Absence.objects.order_by("pk").values()),
        "audit": AuditEvent.objects.count(),
    }


def imported(data: dict[str, Any], **kwargs: Any):  # type: ignore[no-untyped-def]
    return import_organization(data=copy.deepcopy(data), now=NOW, **kwargs)


def test_import__creates_organization_people_channels_and_absences(db):
    summary = imported(org_file())

    org = Organization.objects.get(slug="joroinen")
    assert org.name == "Joroisten kunta"
    aino = Person.objects.get(email="aino.virtanen@joroinen.fi")
    assert aino.supervisor.email == "bjorn.lindqvist@joroinen.fi"
    assert aino.unit.name == "Hallinto"
    assert aino.role_codes == {"comms_lead", "channel_admin"}
    channel = Channel.objects.get(key="instagram-joroinen")
    assert channel.unit == aino.unit and channel.two_factor and channel.status == "active"
    assert channel.administrators.count() == 2
    assert summary.created["people"] == 3 and summary.created["channels"] == 1
    assert summary.created["absences"] == 2 and summary.total_updated == 0


def test_import__whole_days_include_the_last_day_and_times_exclude_the_end(db):
    imported(org_file())

    vacation = Absence.objects.get(person__email="aino.virtanen@joroinen.fi")
    assert vacation.start == dt.datetime(2026, 7, 6, tzinfo=HELSINKI)
    assert vacation.end == dt.datetime(2026, 7, 27, tzinfo=HELSINKI)
    assert vacation.all_day and vacation.source == Absence.Source.IMPORT
    assert vacation.uid == "import:2026-07-06T00:00:00+03:00"
    training = Absence.objects.get(person__email="mikko.makinen@joroinen.fi")
    assert training.end == dt.datetime(2026, 6, 1, 12, 0, tzinfo=HELSINKI)
    assert not training.all_day
    admin = ChannelAdministrator.objects.get(person__email="aino.virtanen@joroinen.fi")
    assert admin.since == dt.datetime(2024, 1, 1, tzinfo=HELSINKI) and admin.until is None


def test_import__same_file_twice_changes_nothing(db):
    imported(org_file())
    before = snapshot()

    summary = imported(org_file())

    after = snapshot()
    assert after.pop("audit") == before.pop("audit") + 1  # the import itself is audited
    assert after == before
    assert (summary.total_created, summary.total_updated, summary.total_removed) == (0, 0, 0)
    with translation.override("en"):
        assert "0 created, 0 updated, 0 removed" in summary.summary()


def test_import__changed_file_updates_in_place_and_removes_what_left_the_file(db):
    imported(org_file())
    aino_pk = Person.objects.get(email="aino.virtanen@joroinen.fi").pk
    channel_pk = Channel.objects.get(key="instagram-joroinen").pk
    changed = org_file()
    changed["people"][0]["name"] = "Aino Virtanen-Laine"
    changed["people"][0]["roles"] = ["comms_lead"]
    changed["people"][0].pop("title")
    changed["channels"][0]["name"] = "Joroinen"
    changed["channels"][0]["administrators"] = [
        {"email": "AINO.VIRTANEN@joroinen.fi", "role": "admin", "since": "2024-01-01", "until": "2026-12-31"}
    ]
    changed["absences"][0]["end"] = "2026-07-19"
    del changed["absences"][1]

    summary = imported(changed)

    aino = Person.objects.get(pk=aino_pk)
    assert aino.name == "Aino Virtanen-Laine" and aino.title == ""
    assert aino.role_codes == {"comms_lead"}
    channel = Channel.objects.get(pk=channel_pk)
    assert channel.name == "Joroinen"
    (admin,) = channel.administrators.all()
    assert admin.until == dt.datetime(2027, 1, 1, tzinfo=HELSINKI)
    (vacation,) = Absence.objects.filter(person=aino)
    assert vacation.end == dt.datetime(2026, 7, 20, tzinfo=HELSINKI)
    assert not Absence.objects.filter(person__email="mikko.makinen@joroinen.fi").exists()
    assert summary.updated == {**summary.updated, "people": 1, "channels": 1, "administrators": 1, "absences": 1}
    assert summary.removed["roles"] == 1 and summary.removed["administrators"] == 1 and summary.removed["absences"] == 1
    assert summary.total_created == 0


def test_import__keeps_absences_from_forms_and_people_not_in_the_file(db):
    imported(org_file())
    aino = Person.objects.get(email="aino.virtanen@joroinen.fi")
    own = Absence.objects.create(
        person=aino, start=dt.datetime(2026, 9, 1, tzinfo=HELSINKI), end=dt.datetime(2026, 9, 2, tzinfo=HELSINKI)
    )
    smaller = org_file()
    smaller["people"] = smaller["people"][:2]
    smaller["channels"][0]["administrators"] = smaller["channels"][0]["administrators"][:1]
    smaller["absences"] = []

    imported(smaller)

    assert Absence.objects.filter(pk=own.pk).exists()
    assert Person.objects.filter(email="mikko.makinen@joroinen.fi").exists()
    assert not Absence.objects.filter(person=aino, source=Absence.Source.IMPORT).exists()


def test_import__supervisor_may_be_already_in_the_organization(db):
    imported(org_file())
    later = {
        "organization": {"slug": "joroinen", "name": "Joroisten kunta"},
        "people": [{"email": "uusi@joroinen.fi", "name": "Elsa Holmström", "supervisor": "bjorn.lindqvist@joroinen.fi"}],
    }

    imported(later)

    assert Person.objects.get(email="uusi@joroinen.fi").supervisor.name == "Björn Lindqvist"


def test_import__is_audited_once_per_import_and_once_for_the_organization(db):
    imported(org_file())
    imported(org_file())

    org = Organization.objects.get(slug="joroinen")
    assert AuditEvent.objects.filter(organization_id=org.pk, action="people.organization_created").count() == 1
    events = AuditEvent.objects.filter(organization_id=org.pk, action="people.organization_imported").order_by("pk")
    assert events.count() == 2
    assert events[0].data["created"]["people"] == 3
    assert events[1].data["created"]["people"] == 0


def test_import__installs_the_guideline_and_evaluates_the_rules(db):
    imported(org_file())

    org = Organization.objects.get(slug="joroinen")
    assert Guideline.objects.filter(organization=org).count() == 1
    # Aino on holiday leaves the Instagram account with one administrator in July.
    assert Finding.objects.filter(organization=org, rule_code="MAINT-ADMINS", resolved_at__isnull=True).exists()


def test_import__dry_run_reports_and_saves_nothing(db):
    before = snapshot()

    summary = imported(org_file(), dry_run=True)

    assert snapshot() == before
    assert summary.dry_run and summary.created["people"] == 3
    with translation.override("en"):
        assert "nothing was saved" in summary.summary()


Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        parts = path.replace("]", "").replace("[", ".").split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        if value is _DELETE:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value

    return mutate


_DELETE = object()


def _loop(data: dict[str, Any]) -> None:
    data["people"][1]["supervisor"] = "aino.virtanen@joroinen.fi"


BAD_INPUTS = [
    ("missing e-mail", _set("people[0].email", _DELETE), "people[0].email: this field is required."),
    ("name not text", _set("people[1].name", 5), "people[1].name: must be text."),
    ("unknown role", _set("people[0].roles", ["boss"]), "people[0].roles[0]: boss is not one of the allowed values"),
    ("roles not a list", _set("people[0].roles", "comms_lead"), "people[0].roles: must be a list."),
    ("unknown platform", _set("channels[0].platform", "myspace"), "channels[0].platform: myspace is not one of"),
    ("unknown status", _set("channels[0].status", "open"), "channels[0].status: open is not one of"),
    ("unknown kind", _set("absences[0].kind", "holiday"), "absences[0].kind: holiday is not one of"),
    ("bad e-mail", _set("people[2].email", "mikko at joroinen"), "people[2].email: mikko at joroinen is not a valid e-mail"),
    (
        "duplicate e-mail",
        _set("people[2].email", "Aino.Virtanen@joroinen.fi"),
        "people[2].email: aino.virtanen@joroinen.fi is already in the file as people[0].",
    ),
    ("flag not boolean", _set("people[1].elected_official", "yes"), "people[1].elected_official: must be true or false."),
    ("unknown field", _set("people[0].supervsior", "x@joroinen.fi"), "people[0].supervsior: unknown field."),
    (
        "until before since",
        _set("channels[0].administrators[0].until", "2023-12-31"),
        "channels[0].administrators[0].until: the period ends before it starts.",
    ),
    ("absence ends before start", _set("absences[0].end", "2026-07-01"), "absences[0].end: the absence ends before it starts."),
    (
        "unknown person",
        _set("absences[0].email", "nobody@joroinen.fi"),
        "absences[0].email: no person nobody@joroinen.fi in the file or in the organization.",
    ),
    (
        "unknown administrator",
        _set("channels[0].administrators[1].email", "nobody@joroinen.fi"),
        "channels[0].administrators[1].email: no person nobody@joroinen.fi",
    ),
    ("unknown supervisor", _set("people[0].supervisor", "boss@joroinen.fi"), "people[0].supervisor: no person boss@joroinen.fi"),
    ("supervisor loop", _loop, "supervisors form a loop: aino.virtanen@joroinen.fi → bjorn.lindqvist@joroinen.fi → aino"),
    (
        "datetime without offset",
        _set("absences[1].start", "2026-06-01T08:00:00"),
        "absences[1].start: 2026-06-01T08:00:00 has no offset from UTC",
    ),
    ("date that does not exist", _set("absences[0].start", "2026-02-30"), "absences[0].start: 2026-02-30 is not a date that exists."),
    ("date in another form", _set("people[0].active_from", "1.1.2020"), "people[0].active_from: must be a date written YYYY-MM-DD."),
    ("missing since", _set("channels[0].administrators[0].since", _DELETE), "channels[0].administrators[0].since: this field is required."),
    ("channel not an object", _set("channels[0]", "instagram"), "channels[0]: must be an object with named fields."),
    ("people not a list", _set("people", {"a": 1}), "people: must be a list."),
    ("missing organization", _set("organization", _DELETE), "organization: this field is required."),
    ("bad slug", _set("organization.slug", "Joroisten kunta"), "organization.slug: use only letters"),
    ("bad address", _set("channels[0].url", "instagram"), "channels[0].url: instagram is not a web address."),
]


def _duplicate_channel(data: dict[str, Any]) -> None:
    data["channels"].append(copy.deepcopy(data["channels"][0]))


BAD_INPUTS.append(("duplicate channel", _duplicate_channel, "channels[1].key: the channel instagram-joroinen is already in the file."))


@pytest.mark.parametrize(("label", "mutate", "message"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_import__bad_input_names_its_place_and_changes_nothing(db, label, mutate, message):
    imported(org_file())
    before = snapshot()
    data = org_file()
    data["people"][0]["name"] = "Changed Name"  # a valid change that must not be saved either
    mutate(data)

    with translation.override("en"), pytest.raises(OrganizationFileError) as error:
        imported(data)

    assert any(message in problem for problem in error.value.problems), error.value.problems
    assert snapshot() == before


def test_import__reports_every_problem_at_once(db):
    data = org_file()
    data["people"][0]["email"] = "bad"
    data["channels"][0]["platform"] = "myspace"
    data["absences"][0]["kind"] = "holiday"

    with translation.override("en"), pytest.raises(OrganizationFileError) as error:
        imported(data)

    places = [problem.split(":")[0] for problem in error.value.problems]
    assert {"people[0].email", "channels[0].platform", "absences[0].kind"} <= set(places)
    assert not Organization.objects.exists()


def test_import__a_failure_while_saving_the_channels_leaves_the_people_unchanged_too(db, monkeypatch):
    from django.db import DatabaseError

    imported(org_file())
    before = snapshot()
    data = org_file()
    data["people"][0]["name"] = "Changed Name"  # saved before the channels, so it must be rolled back
    data["channels"][0]["administrators"].append(
        {"email": "bjorn.lindqvist@joroinen.fi", "role": "admin", "since": "2026-01-01"}
    )

    def fail(**kwargs: Any) -> None:
        raise DatabaseError("disk full")

    monkeypatch.setattr(ChannelAdministrator.objects, "create", fail)
    with pytest.raises(DatabaseError):
        imported(data)

    assert snapshot() == before


def test_import__top_level_must_be_an_object(db):
    with translation.override("en"), pytest.raises(OrganizationFileError) as error:
        import_organization(data=[org_file()])
    assert "must hold one JSON object" in error.value.problems[0]


def test_import_file__not_json_names_line_and_column(db, tmp_path: Path):
    path = tmp_path / "org.json"
    path.write_text('{\n  "organization": {"slug": "joroinen",}\n}\n', encoding="utf-8")

    with translation.override("en"), pytest.raises(OrganizationFileError) as error:
        import_organization_file(path=path)

    assert "is not valid JSON" in error.value.problems[0]
    assert "line 2, column 38" in error.value.problems[0]


def test_import_file__not_utf8_is_refused(db, tmp_path: Path):
    path = tmp_path / "org.json"
    path.write_bytes(json.dumps(org_file(), ensure_ascii=False).encode("latin-1"))

    with translation.override("en"), pytest.raises(OrganizationFileError) as error:
        import_organization_file(path=path)

    assert "is not UTF-8 text" in error.value.problems[0]
    assert not Organization.objects.exists()


def test_cli_org_import__prints_the_summary_and_exits_0(db, tmp_path: Path):
    path = tmp_path / "org.json"
    path.write_text(json.dumps(org_file(), ensure_ascii=False), encoding="utf-8")
    out, err = StringIO(), StringIO()

    code = main(["org", "import", str(path), "--lang", "en"], out=out, err=err)

    assert code == 0, err.getvalue()
    assert "Organization file imported for Joroisten kunta (joroinen)." in out.getvalue()
    assert Person.objects.count() == 3


def test_cli_org_import__bad_file_prints_each_problem_and_exits_2(db, tmp_path: Path):
    data = org_file()
    data["people"][0]["roles"] = ["boss"]
    data["absences"][0]["start"] = "2026-02-30"
    path = tmp_path / "org.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out, err = StringIO(), StringIO()

    code = main(["org", "import", str(path), "--lang", "en"], out=out, err=err)

    assert code == 2
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("people[0].roles[0]: boss is not one of the allowed values")
    assert lines[1] == "absences[0].start: 2026-02-30 is not a date that exists."
    assert out.getvalue() == ""
    assert not Organization.objects.exists()


def test_cli_org_import__dry_run_saves_nothing(db, tmp_path: Path):
    path = tmp_path / "org.json"
    path.write_text(json.dumps(org_file()), encoding="utf-8")
    out, err = StringIO(), StringIO()

    code = main(["org", "import", str(path), "--dry-run", "--lang", "en"], out=out, err=err)

    assert code == 0
    assert "nothing was saved" in out.getvalue()
    assert not Organization.objects.exists()
