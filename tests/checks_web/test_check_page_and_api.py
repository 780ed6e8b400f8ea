import json

import pytest

from somevahti.checks.models import OrganizationContacts
from somevahti.core.models import AuditEvent

HETU_TEXT = "Naapurini henkilötunnus on 131052-308T, kertokaa hänelle."


@pytest.mark.parametrize("role", ["employee", "elected_official", "channel_admin", "records_officer", "comms_lead"])
def test_check_page__open_to_every_signed_in_role(client_as, role):
    assert client_as(role).get("/tarkista/").status_code == 200


def test_check_page__anonymous_is_sent_to_sign_in(client, db):
    assert client.get("/tarkista/").status_code == 302


def test_check_page__highlights_an_identity_code_and_says_it_blocks(client_as):
    response = client_as("employee").post("/tarkista/", {"text": HETU_TEXT})
    content = response.content.decode()
    assert '<mark class="finding finding-block"' in content
    assert "131052-308T<sup>[1]</sup></mark>" in content


def test_check_page__htmx_request_gets_only_the_results(client_as):
    response = client_as("employee").post("/tarkista/", {"text": HETU_TEXT}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "<html" not in content and "finding-block" in content


def test_check_page__clean_text_says_nothing_was_found(client_as):
    response = client_as("employee").post("/tarkista/", {"text": "Uimahalli on auki arkisin kello 6–21."})
    assert "finding-" not in response.content.decode()


def test_api__returns_findings_with_offsets(client_as):
    client = client_as("elected_official")
    response = client.post("/api/checks", json.dumps({"text": HETU_TEXT, "lang": "en"}), content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["blocking"] is True
    hetu = [f for f in body["findings"] if f["type"] == "FI_HETU"][0]
    assert HETU_TEXT[hetu["start"] : hetu["end"]] == "131052-308T"
    assert hetu["rule"] == "EMP-CONFIDENTIAL"


def test_api__refuses_anonymous_callers(client, db):
    response = client.post("/api/checks", json.dumps({"text": "x"}), content_type="application/json")
    assert response.status_code in (401, 403)


def test_api__bad_input_is_a_422_that_names_the_field(client_as):
    response = client_as("employee").post("/api/checks", json.dumps({"txt": "x"}), content_type="application/json")
    assert response.status_code == 422
    assert "text" in json.dumps(response.json())


def test_api__openapi_documents_the_endpoint(client, db):
    schema = client.get("/api/openapi.json").json()
    assert "/api/checks" in schema["paths"]


def test_public_contacts__the_switchboard_number_is_not_a_finding(client_as, organization):
    client = client_as("comms_lead")
    text = "Soita vaihteeseen 017 578 440 tai kirjoita kirjaamo@joroinen.fi."
    before = client.post("/api/checks", json.dumps({"text": text}), content_type="application/json").json()
    assert {f["type"] for f in before["findings"]} >= {"PHONE", "EMAIL"}
    response = client.post(
        "/tarkista/julkiset-yhteystiedot/",
        {"phones": "(017) 578 440", "emails": "kirjaamo@joroinen.fi", "addresses": "", "names": ""},
    )
    assert response.status_code == 302
    after = client.post("/api/checks", json.dumps({"text": text}), content_type="application/json").json()
    assert after["findings"] == []
    assert AuditEvent.objects.filter(action="checks.public_contacts_updated").exists()


def test_public_contacts__a_broken_file_changes_nothing_and_says_where(client_as, organization):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as("comms_lead")
    client.post("/tarkista/julkiset-yhteystiedot/", {"phones": "017 578 440", "emails": "", "addresses": "", "names": ""})
    bad = SimpleUploadedFile("c.json", b'{"phones": ["017 578 440", 5]}', content_type="application/json")
    response = client.post("/tarkista/julkiset-yhteystiedot/", {"file": bad})
    assert response.status_code == 200
    assert "phones[1]" in response.content.decode()
    assert OrganizationContacts.objects.get(organization=organization).phones == ["017 578 440"]


@pytest.mark.parametrize("role", ["employee", "channel_admin", "supervisor", "elected_official"])
def test_public_contacts__refused_to_other_roles(client_as, role):
    assert client_as(role).get("/tarkista/julkiset-yhteystiedot/").status_code == 403
