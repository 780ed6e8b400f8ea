import pytest
from django.contrib.auth import get_user_model

from somevahti.core import audit
from somevahti.core.models import AuditEvent
from somevahti.core.roles import Perm, Role, permissions_for


def test_permissions__comms_lead_has_everything_and_an_employee_little():
    assert permissions_for({Role.COMMS_LEAD}) == frozenset(Perm)
    employee = permissions_for({Role.EMPLOYEE})
    assert Perm.CHECK_TEXT in employee and Perm.VIEW_AUDIT not in employee and Perm.VIEW_CHANNELS not in employee


def test_permissions__elected_official_can_check_texts_and_acknowledge():
    official = permissions_for({Role.ELECTED_OFFICIAL})
    assert {Perm.CHECK_TEXT, Perm.ACKNOWLEDGE, Perm.VIEW_GUIDELINE} <= official


@pytest.mark.parametrize("role", ["employee", "elected_official", "channel_admin", "supervisor"])
def test_audit_page__refused_to_roles_without_it(client_as, role):
    assert client_as(role).get("/tapahtumaloki/").status_code == 403


def test_audit_page__open_to_the_comms_lead_and_records_officer(client_as):
    assert client_as("comms_lead").get("/tapahtumaloki/").status_code == 200


def test_pages__anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get("/tapahtumaloki/")
    assert response.status_code == 302 and response["Location"].startswith("/kirjaudu/")


def test_sign_in__success_and_failure_are_audited_without_the_password(client, user_with_role):
    user, person = user_with_role("employee")
    user.set_password("oikein-hyvä-salasana-123")
    user.save()
    client.post("/kirjaudu/", {"username": user.username, "password": "väärä-salasana-999"})
    client.post("/kirjaudu/", {"username": user.username, "password": "oikein-hyvä-salasana-123"})
    failed = AuditEvent.objects.get(action="core.sign_in_failed")
    assert failed.actor_label == user.username
    assert "väärä-salasana-999" not in str(failed.data)
    signed_in = AuditEvent.objects.get(action="core.signed_in")
    assert signed_in.actor == user and signed_in.organization_id == person.organization_id
    assert signed_in.ip == "127.0.0.1"


def test_audit_record__scrubs_secret_looking_keys(db):
    event = audit.record("test.thing", data={"token": "abc", "nested": {"app_secret": "x", "ok": 1}, "name": "n"})
    assert event.data == {"token": "[redacted]", "nested": {"app_secret": "[redacted]", "ok": 1}, "name": "n"}


def test_audit_page__shows_only_the_own_organizations_events(client_as, organization):
    from tests.factories import OrganizationFactory

    other = OrganizationFactory(slug="varkaus")
    audit.record("test.ours", organization_id=organization.pk)
    audit.record("test.theirs", organization_id=other.pk)
    content = client_as("comms_lead").get("/tapahtumaloki/").content.decode()
    assert "test.ours" in content and "test.theirs" not in content


def test_person_who_has_left__keeps_sign_in_but_loses_roles(client, user_with_role):
    import datetime as dt

    user, _ = user_with_role("comms_lead", active_until=dt.date(2020, 12, 31))
    client.force_login(user)
    assert client.get("/tapahtumaloki/").status_code == 403


def test_language__switcher_changes_the_interface_to_swedish_and_english(client_as):
    client = client_as("comms_lead")
    client.post("/i18n/setlang/", {"language": "sv", "next": "/tapahtumaloki/"})
    assert 'lang="sv"' in client.get("/tapahtumaloki/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/tapahtumaloki/"})
    assert 'lang="en"' in client.get("/tapahtumaloki/").content.decode()


def test_users__passwords_are_never_stored_in_plain_text(db):
    user = get_user_model().objects.create_user("a@joroinen.fi", password="salainen-sana-12345")
    assert "salainen-sana-12345" not in user.password


def test_language__is_finnish_by_default_even_for_an_english_browser(client_as):
    client = client_as("comms_lead")
    response = client.get("/tapahtumaloki/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="fi"' in response.content.decode() and response["Content-Language"] == "fi"
