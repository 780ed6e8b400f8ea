from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse

from somevahti.channels.models import Channel, ChannelAdministrator
from somevahti.core.calendar import HELSINKI, local_midnight
from somevahti.core.models import AuditEvent
from somevahti.guideline.services import evaluate_rules, install_default_guideline
from somevahti.people.models import Unit
from tests.factories import AbsenceFactory, OrganizationFactory, PersonFactory


def day(y: int, m: int, d: int) -> dt.datetime:
    return local_midnight(dt.date(y, m, d))


@pytest.fixture
def instagram(organization):
    unit = Unit.objects.create(organization=organization, name="Hallinto")
    channel = Channel.objects.create(
        organization=organization,
        key="instagram-joroinen",
        platform="instagram",
        name="Joroisten kunta",
        handle="joroistenkunta",
        url="https://www.instagram.com/joroistenkunta/",
        status="active",
        unit=unit,
        two_factor=False,
        login_identity="some@joroinen.fi",
        notes="Kuvat kunnan arjesta.",
    )
    aino = PersonFactory(organization=organization, name="Aino Virtanen", email="aino@joroinen.fi")
    mikko = PersonFactory(organization=organization, name="Mikko Mäkinen", email="mikko@joroinen.fi")
    ChannelAdministrator.objects.create(channel=channel, person=aino, since=day(2024, 1, 1))
    ChannelAdministrator.objects.create(channel=channel, person=mikko, role="editor", since=day(2024, 3, 1))
    AbsenceFactory(person=aino, start=day(2026, 7, 13), end=day(2026, 7, 27))
    return channel


def text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.content.decode())


# --- the channel list ------------------------------------------------------------------------


def test_channel_list__shows_each_channel_with_its_facts_and_administrators(client_as, instagram):
    response = client_as("supervisor").get(reverse("channels:list"))

    assert response.status_code == 200
    page = text(response)
    for expected in ("Instagram", "Joroisten kunta", "joroistenkunta", "Hallinto", "Aino Virtanen", "Mikko Mäkinen"):
        assert expected in page
    assert "Off" in page  # two-factor login, in words
    assert "from 1.1.2024" in page


@pytest.mark.parametrize("role", ["employee", "elected_official", "records_officer"])
def test_channel_list__is_refused_without_the_permission(client_as, instagram, role):
    assert client_as(role).get(reverse("channels:list")).status_code == 403


def test_channel_list__asks_to_sign_in(client, db):
    response = client.get(reverse("channels:list"))
    assert response.status_code == 302 and "/kirjaudu/" in response["Location"]


# --- the channel page ------------------------------------------------------------------------


def test_channel_detail__shows_notes_login_and_open_findings(client_as, instagram, organization):
    install_default_guideline(organization=organization)
    evaluate_rules(organization=organization, now=dt.datetime(2026, 5, 1, tzinfo=HELSINKI))

    response = client_as("channel_admin").get(reverse("channels:detail", args=[instagram.pk]))

    assert response.status_code == 200
    page = text(response)
    assert "Kuvat kunnan arjesta." in page and "some@joroinen.fi" in page
    assert "has 1 of the 2 administrators required from 13.07.2026 00:00 to 27.07.2026 00:00" in page
    assert "Add an administrator" not in page  # a channel administrator may look, not manage


def test_channel_detail__another_organizations_channel_is_404(client_as, instagram):
    other = OrganizationFactory(slug="pieksamaki", name="Pieksämäki")
    theirs = Channel.objects.create(organization=other, key="fb", platform="facebook", name="Pieksämäki")

    client = client_as("comms_lead")

    assert client.get(reverse("channels:detail", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("channels:administrator_add", args=[theirs.pk]),
        {"person": "", "role": "admin", "since": "2026-01-01"},
    )
    assert response.status_code == 404


def test_channel_detail__is_refused_without_the_permission(client_as, instagram):
    assert client_as("employee").get(reverse("channels:detail", args=[instagram.pk])).status_code == 403


# --- adding and ending administrator periods -------------------------------------------------


def test_add_administrator__creates_the_period_and_audits_it(client_as, instagram, organization):
    sanna = PersonFactory(organization=organization, name="Sanna Laine", email="sanna@joroinen.fi")
    client = client_as("comms_lead")

    response = client.post(
        reverse("channels:administrator_add", args=[instagram.pk]),
        {"person": sanna.pk, "role": "admin", "since": "2026-06-01", "until": "2026-08-31"},
    )

    assert response.status_code == 302
    admin = ChannelAdministrator.objects.get(channel=instagram, person=sanna)
    assert admin.since == day(2026, 6, 1) and admin.until == day(2026, 9, 1)
    assert AuditEvent.objects.filter(action="channels.administrator_added", target_id=str(admin.pk)).exists()
    assert "Sanna Laine" in text(client.get(response["Location"]))


@pytest.mark.parametrize("role", ["channel_admin", "supervisor", "employee"])
def test_add_administrator__is_refused_without_the_permission(client_as, instagram, organization, role):
    sanna = PersonFactory(organization=organization, email="sanna@joroinen.fi")

    response = client_as(role).post(
        reverse("channels:administrator_add", args=[instagram.pk]), {"person": sanna.pk, "role": "admin", "since": "2026-06-01"}
    )

    assert response.status_code == 403
    assert not ChannelAdministrator.objects.filter(person=sanna).exists()


def test_add_administrator__until_before_since_is_refused(client_as, instagram, organization):
    sanna = PersonFactory(organization=organization, email="sanna@joroinen.fi")

    response = client_as("comms_lead").post(
        reverse("channels:administrator_add", args=[instagram.pk]),
        {"person": sanna.pk, "role": "admin", "since": "2026-06-01", "until": "2026-05-31"},
    )

    assert response.status_code == 400
    assert "The last day is before the first day." in text(response)
    assert not ChannelAdministrator.objects.filter(person=sanna).exists()


def test_add_administrator__a_person_of_another_organization_is_refused(client_as, instagram):
    stranger = PersonFactory(organization=OrganizationFactory(slug="muu"), email="muu@muu.fi")

    response = client_as("comms_lead").post(
        reverse("channels:administrator_add", args=[instagram.pk]),
        {"person": stranger.pk, "role": "admin", "since": "2026-06-01"},
    )

    assert response.status_code == 400
    assert "Choose a person of this organization." in text(response)
    assert not ChannelAdministrator.objects.filter(person=stranger).exists()


def test_add_administrator__a_person_who_has_left_is_refused(client_as, instagram, organization):
    lars = PersonFactory(organization=organization, name="Lars Holm", email="lars@joroinen.fi", active_until=dt.date(2025, 12, 31))

    response = client_as("comms_lead").post(
        reverse("channels:administrator_add", args=[instagram.pk]),
        {"person": lars.pk, "role": "admin", "since": "2026-06-01"},
    )

    assert response.status_code == 400
    assert "Lars Holm left the organization on 31.12.2025." in text(response)
    assert not ChannelAdministrator.objects.filter(person=lars).exists()


def test_end_administrator__sets_the_last_day_and_audits_it(client_as, instagram):
    admin = ChannelAdministrator.objects.get(channel=instagram, person__email="mikko@joroinen.fi")

    response = client_as("comms_lead").post(
        reverse("channels:administrator_end", args=[instagram.pk, admin.pk]), {"until": "2026-12-31"}
    )

    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.until == day(2027, 1, 1)
    assert AuditEvent.objects.filter(action="channels.administrator_ended", target_id=str(admin.pk)).exists()


def test_end_administrator__before_the_period_starts_is_refused(client_as, instagram):
    admin = ChannelAdministrator.objects.get(channel=instagram, person__email="mikko@joroinen.fi")

    response = client_as("comms_lead").post(
        reverse("channels:administrator_end", args=[instagram.pk, admin.pk]), {"until": "2024-02-28"}
    )

    assert response.status_code == 400
    assert "The last day is before the period starts." in text(response)
    admin.refresh_from_db()
    assert admin.until is None


def test_end_administrator__the_refusal_is_tied_to_that_row_s_field_for_screen_readers(client_as, instagram):
    admin = ChannelAdministrator.objects.get(channel=instagram, person__email="mikko@joroinen.fi")

    response = client_as("comms_lead").post(
        reverse("channels:administrator_end", args=[instagram.pk, admin.pk]), {"until": "2024-02-28"}
    )

    page = response.content.decode()
    field = f"id_until_{admin.pk}"
    assert f'<label for="{field}">Last day of Mikko Mäkinen</label>' in page
    widget = next(tag for tag in page.split("<input")[1:] if f'id="{field}"' in tag.split(">", 1)[0])
    assert f'aria-describedby="{field}_error"' in widget.split(">", 1)[0]
    errors = page.split(f'<div id="{field}_error">', 1)[1].split("</div>", 1)[0]
    assert "The last day is before the period starts." in errors


def test_end_administrator__of_another_channel_is_404(client_as, instagram, organization):
    other = Channel.objects.create(organization=organization, key="fb", platform="facebook", name="Joroinen")
    admin = ChannelAdministrator.objects.get(channel=instagram, person__email="mikko@joroinen.fi")

    response = client_as("comms_lead").post(
        reverse("channels:administrator_end", args=[other.pk, admin.pk]), {"until": "2026-12-31"}
    )

    assert response.status_code == 404


def test_end_administrator__is_refused_without_the_permission(client_as, instagram):
    admin = ChannelAdministrator.objects.get(channel=instagram, person__email="mikko@joroinen.fi")

    response = client_as("channel_admin").post(
        reverse("channels:administrator_end", args=[instagram.pk, admin.pk]), {"until": "2026-12-31"}
    )

    assert response.status_code == 403
    admin.refresh_from_db()
    assert admin.until is None


# --- the coverage calendar -------------------------------------------------------------------


def test_coverage_page__shows_the_july_gap_in_words_and_quotes_the_clause(client_as, instagram, organization):
    install_default_guideline(organization=organization)

    response = client_as("channel_admin").get(reverse("channels:coverage"), {"start": "2026-07", "months": "1"})

    assert response.status_code == 200
    page = text(response)
    assert "Kunnan palvelussa on oltava useampi nimetty ylläpitäjä, jotta palvelun päivittäminen hoidetaan katkeamatta myös lomien aikana." in page
    assert "<caption>July 2026</caption>" in page
    assert "13.7.2026–26.7.2026: 1 of 2 available: Mikko Mäkinen." in page
    assert '<td class="gap"><span aria-hidden="true">✗ </span>1/2 – only Mikko Mäkinen</td>' in page
    assert '<td class="ok">OK 2/2</td>' in page
    assert page.count('class="gap"') == 2  # weeks 29 and 30
    assert page.count("<caption>") == 1


def test_coverage_page__shows_six_months_by_default(client_as, instagram):
    response = client_as("comms_lead").get(reverse("channels:coverage"))

    assert response.status_code == 200
    assert text(response).count("<caption>") == 6


@pytest.mark.parametrize("query", [{"months": "0"}, {"months": "13"}, {"months": "kuusi"}, {"start": "2026-13"}])
def test_coverage_page__bad_parameters_are_explained(client_as, instagram, query):
    response = client_as("comms_lead").get(reverse("channels:coverage"), query)

    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()


@pytest.mark.parametrize("role", ["employee", "elected_official", "records_officer"])
def test_coverage_page__is_refused_without_the_permission(client_as, instagram, role):
    assert client_as(role).get(reverse("channels:coverage")).status_code == 403


@pytest.mark.parametrize(("lang", "empty_choice"), [("fi", "– Valitse –"), ("sv", "– Välj –")])
def test_channel_detail__the_empty_choice_of_a_select_speaks_the_page_language(client_as, instagram, lang, empty_choice):
    client = client_as("comms_lead")
    client.cookies["django_language"] = lang
    page = text(client.get(reverse("channels:detail", args=[instagram.pk])))
    assert empty_choice in page and "Select an option" not in page
