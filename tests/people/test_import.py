"""Importing calendar files into absences: updates in place, removes what vanished, and a bad file changes nothing."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from somevahti.core.models import AuditEvent
from somevahti.people.ics import CalendarError
from somevahti.people.models import Absence
from somevahti.people.services import ImportResult, import_absences
from tests.factories import AbsenceFactory

from .conftest import ICS_DIR, NOW, calendar, ics

UPLOAD = Absence.Source.ICS_UPLOAD


def run_import(person, data: bytes, **kwargs):  # type: ignore[no-untyped-def]
    return import_absences(person=person, data=data, kind=kwargs.pop("kind", "vacation"), source=kwargs.pop("source", UPLOAD), now=NOW, **kwargs)


def stored(person) -> list[tuple[str, dt.datetime, dt.datetime, str]]:  # type: ignore[no-untyped-def]
    return list(Absence.objects.filter(person=person).order_by("uid").values_list("uid", "start", "end", "summary"))


def test_import__creates_one_absence_per_event(person):
    result = run_import(person, ics("outlook.ics"))
    assert result == ImportResult(created=3, updated=0, removed=0, unchanged=0)
    assert Absence.objects.filter(person=person, source=UPLOAD).count() == 3
    assert AuditEvent.objects.filter(action="people.absences_imported").count() == 1


def test_import__same_file_twice_changes_nothing(person):
    run_import(person, ics("recurring.ics"))
    before = stored(person)
    result = run_import(person, ics("recurring.ics"))
    assert result.created == result.updated == result.removed == 0
    assert result.unchanged == len(before)
    assert stored(person) == before


def test_import__changed_event_is_updated_in_place_and_vanished_one_removed(person):
    first = calendar(
        "UID:a@example.fi\nDTSTAMP:20260101T000000Z\nSUMMARY:Loma\nDTSTART;VALUE=DATE:20260706\nDTEND;VALUE=DATE:20260727",
        "UID:b@example.fi\nDTSTAMP:20260101T000000Z\nSUMMARY:Koulutus\nDTSTART;VALUE=DATE:20260901\nDTEND;VALUE=DATE:20260902",
    )
    run_import(person, first)
    absence_a = Absence.objects.get(person=person, uid="a@example.fi")
    second = calendar(
        "UID:a@example.fi\nDTSTAMP:20260201T000000Z\nSUMMARY:Kesäloma\nDTSTART;VALUE=DATE:20260713\nDTEND;VALUE=DATE:20260803",
        "UID:c@example.fi\nDTSTAMP:20260201T000000Z\nSUMMARY:Syysloma\nDTSTART;VALUE=DATE:20261019\nDTEND;VALUE=DATE:20261024",
    )
    result = run_import(person, second)
    assert (result.created, result.updated, result.removed, result.unchanged) == (1, 1, 1, 0)
    absence_a.refresh_from_db()  # the same row, moved
    assert absence_a.summary == "Kesäloma"
    assert [uid for uid, *_ in stored(person)] == ["a@example.fi", "c@example.fi"]


def test_import__event_cancelled_since_is_removed(person):
    event = "UID:a@example.fi\nDTSTAMP:20260101T000000Z\nSUMMARY:Loma\nDTSTART;VALUE=DATE:20260706\nDTEND;VALUE=DATE:20260727"
    run_import(person, calendar(event))
    result = run_import(person, calendar(event + "\nSTATUS:CANCELLED"))
    assert result.removed == 1
    assert not Absence.objects.filter(person=person).exists()


def test_import__keeps_absences_from_other_sources(person):
    own = AbsenceFactory(person=person, source=Absence.Source.FORM)
    run_import(person, ics("google.ics"))
    run_import(person, calendar())  # an empty calendar removes only what calendars brought
    assert list(Absence.objects.filter(person=person)) == [own]


def test_import__keeps_absences_older_than_the_period_read(person):
    old = AbsenceFactory(
        person=person, source=UPLOAD, uid="old@example.fi",
        start=dt.datetime(2024, 7, 1, tzinfo=dt.UTC), end=dt.datetime(2024, 7, 20, tzinfo=dt.UTC),
    )
    run_import(person, ics("google.ics"))
    assert Absence.objects.filter(pk=old.pk).exists()


@pytest.mark.parametrize("name", ["broken.ics", "unknown_tz.ics", "end_before_start.ics"])
def test_import__bad_file_changes_nothing(person, name):
    run_import(person, ics("outlook.ics"))
    before = stored(person)
    with pytest.raises(CalendarError):
        run_import(person, ics(name))
    assert stored(person) == before


def test_import__web_page_changes_nothing(person):
    run_import(person, ics("outlook.ics"))
    before = stored(person)
    with pytest.raises(CalendarError, match="web page"):
        run_import(person, b"<html><body>Kirjaudu sisaan</body></html>")
    assert stored(person) == before


def test_import__too_large_file_changes_nothing(person, settings):
    run_import(person, ics("outlook.ics"))
    before = stored(person)
    settings.ICS_MAX_BYTES = 2000
    huge = ics("outlook.ics").replace(b"SUMMARY:Kes\xc3\xa4loma", b"SUMMARY:" + b"x" * 3000)
    with pytest.raises(CalendarError, match="too large"):
        run_import(person, huge)
    assert stored(person) == before


def test_import__dry_run_saves_nothing_and_says_so(person):
    result = run_import(person, ics("outlook.ics"), dry_run=True)
    assert result.created == 3
    assert not Absence.objects.filter(person=person).exists()
    assert "nothing was saved" in result.summary()


def test_import__summary_counts_every_kind_of_change():
    assert ImportResult(created=2, updated=1, removed=0, unchanged=5).summary() == (
        "Absences: 2 added, 1 updated, 0 removed, 5 unchanged."
    )


# --- the command ----------------------------------------------------------------------------


def run_cli(*args: str) -> tuple[int, str, str]:
    from somevahti.config.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = main(["absences", "import", *args, "--lang", "en"], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_cli__imports_a_file_and_prints_the_summary(person):
    code, out, err = run_cli(str(ICS_DIR / "outlook.ics"), "--org", "joroinen", "--person", "AINO.virtanen@joroinen.fi")
    assert (code, err) == (0, "")
    assert "3 added" in out
    assert Absence.objects.filter(person=person).count() == 3


def test_cli__dry_run_saves_nothing(person):
    code, out, _ = run_cli(str(ICS_DIR / "outlook.ics"), "--org", "joroinen", "--person", person.email, "--dry-run")
    assert code == 0 and "nothing was saved" in out
    assert not Absence.objects.exists()


def test_cli__unknown_organization_exits_2_naming_it(person):
    code, out, err = run_cli(str(ICS_DIR / "outlook.ics"), "--org", "atlantis", "--person", person.email)
    assert code == 2 and out == ""
    assert "atlantis" in err


def test_cli__unknown_person_exits_2_naming_them(person):
    code, _, err = run_cli(str(ICS_DIR / "outlook.ics"), "--org", "joroinen", "--person", "nobody@joroinen.fi")
    assert code == 2 and "nobody@joroinen.fi" in err


def test_cli__missing_file_exits_2_naming_it(person, tmp_path: Path):
    missing = tmp_path / "lomat.ics"
    code, _, err = run_cli(str(missing), "--org", "joroinen", "--person", person.email)
    assert code == 2 and "lomat.ics" in err and "does not exist" in err


def test_cli__broken_file_exits_2_and_changes_nothing(person):
    code, _, err = run_cli(str(ICS_DIR / "broken.ics"), "--org", "joroinen", "--person", person.email)
    assert code == 2 and "line 15" in err
    assert not Absence.objects.exists()


def test_cli__too_large_file_exits_2_without_reading_it(person, settings, tmp_path: Path):
    settings.ICS_MAX_BYTES = 100
    code, _, err = run_cli(str(ICS_DIR / "outlook.ics"), "--org", "joroinen", "--person", person.email)
    assert code == 2 and "too large" in err
