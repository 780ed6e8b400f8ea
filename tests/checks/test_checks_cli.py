"""`somevahti check`: exit codes, formats, JSON lines, languages, bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

from somevahti.checks import PublicContacts
from somevahti.checks.cli import run


def stdin_of(data: str | bytes) -> io.TextIOWrapper:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")


def call(argv: list[str], stdin: str | bytes = "", loader=None) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    out, err = io.StringIO(), io.StringIO()
    code = run(argv, stdin_of(stdin), out, err, contacts_loader=loader)
    return code, out.getvalue(), err.getvalue()


def test_check__clean_text_exits_0() -> None:
    code, out, _ = call(["-", "--lang", "en"], "Kirjasto on auki klo 10–19.")
    assert code == 0
    assert out.strip() == "No findings."


def test_check__warning_only_exits_0_and_block_exits_1() -> None:
    assert call(["-"], "Soita 040 123 4567.")[0] == 0
    assert call(["-"], "Hetu 131052-308T.")[0] == 1


def test_check__text_format_prints_line_column_type_severity_message_and_suggestion() -> None:
    code, out, _ = call(["--lang", "fi"], "Hei\nhetu on 131052-308T")
    assert code == 1
    first, suggestion = out.splitlines()[:2]
    assert first == "2:9 FI_HETU esto Tekstissä on henkilötunnus."
    assert suggestion.strip().startswith("→ Poista henkilötunnus.")


def test_check__json_format_gives_offsets_and_suggestions() -> None:
    code, out, _ = call(["--format", "json", "--lang", "sv"], "Ring 040 123 4567")
    answer = json.loads(out)
    assert code == 0
    assert answer["findings"][0] == {
        "start": 5,
        "end": 17,
        "type": "PHONE",
        "severity": "warn",
        "rule": "EMP-CONFIDENTIAL",
        "message": "Texten innehåller ett telefonnummer.",
        "suggestion": "Ta bort telefonnumret eller använd organisationens offentliga servicenummer i stället.",
    }


def test_check__reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "post.txt"
    path.write_text("Poikani on lastensuojelun asiakas.", encoding="utf-8")
    code, out, _ = call([str(path), "--lang", "en"])
    assert code == 1 and "SOCIAL_WELFARE block" in out


def test_check__missing_file_exits_2_with_a_translated_message() -> None:
    code, out, err = call(["/no/such/file.txt", "--lang", "fi"])
    assert code == 2 and out == ""
    assert "tiedostoa /no/such/file.txt ei voi lukea" in err


def test_check__invalid_utf8_is_checked_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(b"\xff\xfe roskaa 131052-308T \xc3")
    code, _, err = call([str(path), "--lang", "en"])
    assert code == 1
    assert "not valid UTF-8" in err


def test_jsonl__answers_each_line_and_reports_bad_lines_by_number() -> None:
    lines = "\n".join(
        [
            json.dumps({"id": "a", "text": "Soita 040 123 4567"}),
            "this is not json",
            json.dumps({"id": "c"}),
            json.dumps(["not", "an", "object"]),
            "",
            json.dumps({"id": 6, "text": "hetu 131052-308T"}),
        ]
    )
    code, out, err = call(["--jsonl", "--lang", "en"], lines)
    answers = [json.loads(line) for line in out.splitlines()]
    assert code == 2
    assert [a["id"] for a in answers] == ["a", 6]
    assert answers[1]["findings"] == [
        {
            "start": 5,
            "end": 16,
            "type": "FI_HETU",
            "severity": "block",
            "rule": "EMP-CONFIDENTIAL",
            "message": "The text contains a personal identity code.",
        }
    ]
    assert "line 2:" in err and "line 3:" in err and "line 4:" in err
    assert "line 6" not in err


def test_jsonl__all_good_lines_exit_with_the_findings_status() -> None:
    assert call(["--jsonl"], json.dumps({"id": 1, "text": "Hei"}) + "\n")[0] == 0
    assert call(["--jsonl"], json.dumps({"id": 1, "text": "131052-308T"}) + "\n")[0] == 1


def test_jsonl__bad_line_message_is_translated() -> None:
    _, _, err = call(["--jsonl", "--lang", "sv"], "{broken\n")
    assert "rad 1: inte giltig JSON" in err


def test_public_contacts_file__is_used_and_its_errors_name_the_place(tmp_path: Path) -> None:
    good = tmp_path / "contacts.json"
    good.write_text(json.dumps({"phones": ["040 123 4567"]}), encoding="utf-8")
    assert (
        call(["--public-contacts", str(good), "--format", "json"], "Soita 040 123 4567")[1].count("PHONE")
        == 0
    )
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"phones": ["040", 5]}), encoding="utf-8")
    code, _, err = call(["--public-contacts", str(bad), "--lang", "en"], "Hei")
    assert code == 2 and "phones[1]: expected a string" in err


def test_org__without_a_database_exits_2_and_with_a_loader_uses_its_contacts() -> None:
    code, _, err = call(["--org", "joroinen", "--lang", "en"], "Hei")
    assert code == 2 and "--org needs the web app's database" in err
    def loader(slug):
        return PublicContacts(phones=frozenset({"040 123 4567"}))
    code, out, _ = call(["--org", "joroinen", "--format", "json"], "Soita 040 123 4567", loader=loader)
    assert code == 0 and json.loads(out) == {"findings": []}


def test_org__unknown_organization_exits_2() -> None:
    def loader(slug: str) -> PublicContacts:
        raise LookupError(slug)

    assert call(["--org", "nowhere"], "Hei", loader=loader)[0] == 2


def test_arguments__unknown_option_and_bad_choices_exit_2_in_the_chosen_language() -> None:
    code, _, err = call(["--bogus", "--lang", "fi"])
    assert code == 2 and "tuntematon argumentti: --bogus" in err
    code, _, err = call(["--format", "xml", "--lang", "sv"])
    assert code == 2 and "--format måste vara något av följande: text, json" in err
    code, _, err = call(["--lang"])
    assert code == 2 and "--lang" in err


def test_help__is_translated() -> None:
    code, out, _ = call(["--help", "--lang", "sv"])
    assert code == 0
    assert out.startswith("användning: somevahti check")
    assert "visa den här hjälpen och avsluta" in out
    code, out, _ = call(["-h", "--lang", "fi"])
    assert out.startswith("käyttö: somevahti check") and "valitsimet" in out
