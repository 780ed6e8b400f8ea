from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.db import connection
from django.urls import reverse

from somevahti.archive.models import RecordKind
from somevahti.config.cli import main
from somevahti.core.models import AuditEvent

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(add):  # type: ignore[no-untyped-def]
    add("Uimahallissa on uusi kuntosali.", at(2026, 1, 5), payload={"message": "Uimahallissa", "id": "42"})
    add("Kirjasto on auki.", at(2026, 1, 6), kind=RecordKind.INTERACTION_RECEIVED, author="Pekka Laine")


@pytest.mark.parametrize("role", ["employee", "channel_admin", "supervisor", "elected_official"])
def test_pages__only_records_officer_and_comms_lead_see_the_archive(client_as, records, role) -> None:
    client = client_as(role)
    assert client.get(reverse("archive:search"), {"q": "uimahalli"}).status_code == 403
    assert client.get(reverse("archive:detail", args=[1])).status_code == 403
    assert client.post(reverse("archive:export"), {"q": "", "format": "csv"}).status_code == 403
    assert client.post(reverse("archive:verify")).status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="archive.").exists()


def test_pages__signed_out_goes_to_sign_in(client) -> None:
    assert client.get(reverse("archive:search")).status_code == 302


def test_search_page__highlights_matches_and_audits_the_view(client_as, records) -> None:
    client = client_as("records_officer")
    first = client.get(reverse("archive:search"))
    assert first.status_code == 200 and not AuditEvent.objects.filter(action="archive.searched").exists()
    response = client.get(reverse("archive:search"), {"q": "uimahalli", "kind": ""})
    body = response.content.decode()
    assert "<mark><strong>Uimahallissa</strong></mark> on uusi kuntosali." in body
    assert "Kirjasto" not in body
    assert 'href="/arkisto/1/"' in body
    event = AuditEvent.objects.get(action="archive.searched")
    assert event.data["query"] == "uimahalli" and event.data["count"] == 1 and event.actor is not None


def test_search_page__says_when_nothing_matched_and_checks_the_dates(client_as, records) -> None:
    client = client_as("records_officer")
    body = client.get(reverse("archive:search"), {"q": "koulukuljetus"}).content.decode()
    assert "Nothing matched this search." in body or "Mikään ei vastannut" in body
    bad = client.get(reverse("archive:search"), {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert bad.status_code == 200 and 'class="error-summary"' in bad.content.decode()


def test_detail_page__shows_payload_and_chain_position_and_is_audited(client_as, records) -> None:
    client = client_as("records_officer")
    body = client.get(reverse("archive:detail", args=[1])).content.decode()
    assert "<pre" in body and "&quot;id&quot;: &quot;42&quot;" in body
    assert AuditEvent.objects.filter(action="archive.record_viewed").count() == 1
    assert client.get(reverse("archive:detail", args=[99])).status_code == 404


def test_export_button__downloads_a_zip_and_audits(client_as, records) -> None:
    client = client_as("records_officer")
    response = client.post(
        reverse("archive:export"), {"q": "", "kind": "", "format": "jsonl", "redact": "on"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
    assert manifest["records"] == 2 and manifest["redacted"] is True
    assert AuditEvent.objects.filter(action="archive.exported").count() == 1


def test_verify_button__is_for_the_comms_lead_and_tells_the_result(client_as, records, organization) -> None:
    assert client_as("records_officer").post(reverse("archive:verify")).status_code == 403
    client = client_as("comms_lead")
    response = client.post(reverse("archive:verify"), follow=True)
    assert "message-success" in response.content.decode()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE archive_archiverecord SET author = 'X' WHERE sequence = 2 AND organization_id = %s",
            [organization.pk],
        )
    response = client.post(reverse("archive:verify"), follow=True)
    assert "message-error" in response.content.decode()
    assert AuditEvent.objects.filter(action="archive.chain_verified").count() == 2


def test_navigation__lists_the_archive_for_the_records_officer(client_as) -> None:
    body = client_as("records_officer").get(reverse("archive:search")).content.decode()
    assert f'href="{reverse("archive:search")}"' in body


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_cli__search_verify_export_and_import(organization, records, tmp_path) -> None:
    code, out, _err = _run("archive", "search", "--org", "joroinen", "uimahallin", "--format", "json")
    assert code == 0 and json.loads(out)["total"] == 1
    code, out, _err = _run("archive", "search", "--org", "joroinen", "--kind", "interaction_received")
    assert code == 0 and "Kirjasto" in out
    assert AuditEvent.objects.filter(action="archive.searched").count() == 2
    code, out, _err = _run("archive", "verify", "--org", "joroinen")
    assert code == 0
    target = tmp_path / "vienti.zip"
    code, out, _err = _run(
        "archive", "export", "--org", "joroinen", "--format", "csv", "--out", str(target), "--redact"
    )
    assert code == 0 and zipfile.is_zipfile(target)
    export_file = tmp_path / "comments.json"
    export_file.write_text(
        json.dumps(
            {
                "comments_v2": [
                    {
                        "timestamp": 1767265200,
                        "data": [
                            {"comment": {"timestamp": 1767265200, "comment": "Kiitos", "author": "Matti"}}
                        ],
                    }
                ]
            }
        )
    )
    code, out, _err = _run(
        "archive", "import", "--org", "joroinen", "--channel", "facebook", str(export_file)
    )
    assert code == 0 and "1" in out


def test_cli__bad_input_exits_2_with_the_reason(organization, records, tmp_path) -> None:
    assert _run("archive", "search", "--org", "nowhere", "x")[0] == 2
    code, _out, err = _run("archive", "search", "--org", "joroinen", "--from", "eilen")
    assert code == 2 and "--from" in err
    broken = tmp_path / "broken.json"
    broken.write_text("[{")
    code, _out, err = _run("archive", "import", "--org", "joroinen", "--channel", "facebook", str(broken))
    assert code == 2 and "broken.json" in err
    assert _run("archive", "import", "--org", "joroinen", "--channel", "nope", str(broken))[0] == 2


def test_cli__verify_exits_1_on_a_broken_chain(organization, records) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM archive_archiverecord WHERE sequence = 1 AND organization_id = %s", [organization.pk]
        )
    code, _out, err = _run("archive", "verify", "--org", "joroinen")
    assert code == 1 and "1" in err
