"""The people list and the absence pages, as the right role and as the wrong one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from somevahti.core.calendar import local_midnight
from somevahti.people.models import Absence, CalendarFeed, Unit, WorkProfile
from tests.factories import AbsenceFactory, OrganizationFactory, PersonFactory

from .conftest import Route, ics

MY = reverse("people:my_absences")


@pytest.fixture
def sign_in(client, user_with_role):  # type: ignore[no-untyped-def]
    """sign_in("employee") → (client, person), with pages in English."""

    def make(*roles: str, **fields):  # type: ignore[no-untyped-def]
        user, person = user_with_role(*roles, **fields)
        client.force_login(user)
        client.cookies["django_language"] = "en"
        return client, person

    return make


def absence_post(**overrides: str) -> dict[str, str]:
    data = {
        "action": "absence",
        "absence-start_date": "2026-07-06",
        "absence-end_date": "2026-07-24",
        "absence-start_time": "",
        "absence-end_time": "",
        "absence-kind": "vacation",
        "absence-summary": "Kesäloma",
    }
    data.update(overrides)
    return data


# --- people:list ----------------------------------------------------------------------------


def test_person_list__shows_unit_roles_supervisor_and_who_has_left(sign_in, organization):
    client, me = sign_in("supervisor", name="Saara Esihenkilö")
    unit = Unit.objects.create(organization=organization, name="Tekninen toimi")
    PersonFactory(organization=organization, name="Eero Lähtenyt", unit=unit, supervisor=me, active_until=dt.date(2024, 12, 31))
    PersonFactory(organization=organization, name="Liisa Valtuutettu", elected_official=True)
    PersonFactory(organization=OrganizationFactory(slug="muu"), name="Muun Kunnan Henkilö")
    response = client.get(reverse("people:list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Eero Lähtenyt" in page and "Tekninen toimi" in page and "Saara Esihenkilö" in page
    assert "Has left the organization" in page
    assert "Supervisor" in page  # the role
    assert "Muun Kunnan Henkilö" not in page


def test_person_list__refused_to_an_employee(sign_in):
    client, _ = sign_in("employee")
    assert client.get(reverse("people:list")).status_code == 403


def test_person_list__asks_to_sign_in(client, db):
    response = client.get(reverse("people:list"))
    assert response.status_code == 302 and "kirjaudu" in response["Location"]


# --- people:my_absences ---------------------------------------------------------------------


def test_my_absences__lists_own_absences_only(sign_in, organization):
    client, me = sign_in("employee")
    AbsenceFactory(person=me, summary="Oma loma")
    AbsenceFactory(person=PersonFactory(organization=organization), summary="Toisen loma")
    page = client.get(MY).content.decode()
    assert "Oma loma" in page and "Toisen loma" not in page


def test_my_absences__adds_whole_days_with_the_last_day_included(sign_in):
    client, me = sign_in("employee")
    response = client.post(MY, absence_post())
    assert response.status_code == 302 and response["Location"] == MY
    absence = Absence.objects.get(person=me)
    assert absence.all_day and absence.source == Absence.Source.FORM
    assert absence.start == local_midnight(dt.date(2026, 7, 6)) and absence.end == local_midnight(dt.date(2026, 7, 25))


def test_my_absences__adds_a_timed_absence(sign_in):
    client, me = sign_in("employee")
    client.post(MY, absence_post(**{"absence-end_date": "2026-07-06", "absence-start_time": "09:00", "absence-end_time": "12:30"}))
    absence = Absence.objects.get(person=me)
    assert not absence.all_day
    assert absence.end - absence.start == dt.timedelta(hours=3, minutes=30)


def test_my_absences__end_before_start_is_shown_by_the_field_and_in_the_summary(sign_in):
    client, _ = sign_in("employee")
    response = client.post(MY, absence_post(**{"absence-end_date": "2026-07-01"}))
    assert response.status_code == 400
    page = response.content.decode()
    # The field's aria-describedby (Django's "<id>_error") names the error, so it is read with the field.
    assert 'aria-describedby="id_absence-end_date_error"' in page
    assert 'id="id_absence-end_date_error"><p class="error">The end is before the start.' in page
    assert 'href="#id_absence-end_date"' in page  # the error summary links to the field
    assert not Absence.objects.exists()


def test_my_absences__a_date_that_does_not_exist_is_refused(sign_in):
    client, _ = sign_in("employee")
    response = client.post(MY, absence_post(**{"absence-start_date": "2026-02-30"}))
    assert response.status_code == 400
    assert "Enter a date that exists" in response.content.decode()
    assert not Absence.objects.exists()


def test_my_absences__one_time_without_the_other_is_refused(sign_in):
    client, _ = sign_in("employee")
    response = client.post(MY, absence_post(**{"absence-start_time": "09:00"}))
    assert response.status_code == 400
    assert "Give both times" in response.content.decode()


def test_edit__own_form_absence_is_changed(sign_in):
    client, me = sign_in("employee")
    absence = AbsenceFactory(person=me, source=Absence.Source.FORM)
    url = reverse("people:absence_edit", kwargs={"absence_id": absence.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, absence_post(**{"absence-end_date": "2026-07-31"}))
    assert response.status_code == 302
    absence.refresh_from_db()
    assert absence.end == local_midnight(dt.date(2026, 8, 1))


def test_edit__end_before_start_changes_nothing(sign_in):
    client, me = sign_in("employee")
    absence = AbsenceFactory(person=me)
    before = (absence.start, absence.end)
    response = client.post(reverse("people:absence_edit", kwargs={"absence_id": absence.pk}), absence_post(**{"absence-end_date": "2026-07-01"}))
    assert response.status_code == 400
    absence.refresh_from_db()
    assert (absence.start, absence.end) == before


def test_edit_and_delete__someone_elses_absence_is_refused_to_an_employee(sign_in, organization):
    client, _ = sign_in("employee")
    other = AbsenceFactory(person=PersonFactory(organization=organization))
    assert client.get(reverse("people:absence_edit", kwargs={"absence_id": other.pk})).status_code == 403
    assert client.post(reverse("people:absence_delete", kwargs={"absence_id": other.pk})).status_code == 403
    assert Absence.objects.filter(pk=other.pk).exists()


def test_edit__another_organizations_absence_is_not_found(sign_in):
    client, _ = sign_in("comms_lead")
    other = AbsenceFactory(person=PersonFactory(organization=OrganizationFactory(slug="muu")))
    assert client.get(reverse("people:absence_edit", kwargs={"absence_id": other.pk})).status_code == 404
    assert client.post(reverse("people:absence_delete", kwargs={"absence_id": other.pk})).status_code == 404


def test_edit__calendar_absence_is_changed_in_the_calendar(sign_in):
    client, me = sign_in("employee")
    imported = AbsenceFactory(person=me, source=Absence.Source.ICS_UPLOAD, uid="x@example.fi")
    assert client.get(reverse("people:absence_edit", kwargs={"absence_id": imported.pk})).status_code == 404
    assert client.post(reverse("people:absence_delete", kwargs={"absence_id": imported.pk})).status_code == 404


def test_delete__own_absence_is_removed(sign_in):
    client, me = sign_in("employee")
    absence = AbsenceFactory(person=me)
    assert client.get(reverse("people:absence_delete", kwargs={"absence_id": absence.pk})).status_code == 405
    response = client.post(reverse("people:absence_delete", kwargs={"absence_id": absence.pk}))
    assert response.status_code == 302
    assert not Absence.objects.exists()


# --- calendar file upload -------------------------------------------------------------------


def upload(client, data: bytes, name: str = "lomat.ics"):  # type: ignore[no-untyped-def]
    return client.post(MY, {"action": "upload", "upload-kind": "vacation", "upload-file": SimpleUploadedFile(name, data, "text/calendar")}, follow=True)


def test_upload__imports_and_shows_the_summary(sign_in):
    client, me = sign_in("employee")
    response = upload(client, ics("recurring.ics"))
    assert response.status_code == 200
    assert "added" in response.content.decode()
    assert Absence.objects.filter(person=me, source=Absence.Source.ICS_UPLOAD).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<!doctype html><html><body>Outlook</body></html>", "web page"),
        (b'{"value": []}', "JSON"),
        (None, "line 15"),
    ],
)
def test_upload__bad_file_shows_the_error_and_changes_nothing(sign_in, data, message):
    client, _ = sign_in("employee")
    upload(client, ics("outlook.ics"))
    before = list(Absence.objects.values_list("pk", "start", "end"))
    response = upload(client, data if data is not None else ics("broken.ics"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_upload-file_error"' in page and message in page
    assert list(Absence.objects.values_list("pk", "start", "end")) == before


def test_upload__oversized_file_is_refused(sign_in, settings):
    client, _ = sign_in("employee")
    settings.ICS_MAX_BYTES = 500
    response = upload(client, ics("outlook.ics"))
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert not Absence.objects.exists()


# --- calendar addresses ---------------------------------------------------------------------


def test_feed__added_and_read_at_once(sign_in, calendar_server):
    client, me = sign_in("employee")
    calendar_server.routes["/lomat.ics"] = Route(body=ics("google.ics"))
    response = client.post(MY, {"action": "feed", "feed-url": calendar_server.url("/lomat.ics"), "feed-kind": "vacation"}, follow=True)
    assert response.status_code == 200
    feed = CalendarFeed.objects.get(person=me)
    assert feed.last_fetched_at is not None and feed.last_error == ""
    assert "Read" in response.content.decode()


def test_feed__last_error_is_shown(sign_in, calendar_server):
    client, _ = sign_in("employee")
    calendar_server.routes["/lomat.ics"] = Route(status=500)
    response = client.post(MY, {"action": "feed", "feed-url": calendar_server.url("/lomat.ics"), "feed-kind": "vacation"}, follow=True)
    assert "answered 500" in response.content.decode()


def test_feed__address_that_is_not_http_is_refused(sign_in):
    client, _ = sign_in("employee")
    response = client.post(MY, {"action": "feed", "feed-url": "ftp://example.fi/x.ics", "feed-kind": "vacation"})
    assert response.status_code == 400
    assert "https://" in response.content.decode()
    assert not CalendarFeed.objects.exists()


def test_feed__removing_is_refused_to_another_employee(sign_in, organization):
    client, _ = sign_in("employee")
    feed = CalendarFeed.objects.create(person=PersonFactory(organization=organization), url="https://example.fi/x.ics")
    assert client.post(reverse("people:feed_delete", kwargs={"feed_id": feed.pk})).status_code == 403
    assert CalendarFeed.objects.filter(pk=feed.pk).exists()


def test_feed__own_is_removed_with_its_absences(sign_in):
    client, me = sign_in("employee")
    feed = CalendarFeed.objects.create(person=me, url="https://example.fi/x.ics")
    AbsenceFactory(person=me, source=Absence.Source.ICS_FEED, feed=feed, uid="a")
    assert client.post(reverse("people:feed_delete", kwargs={"feed_id": feed.pk})).status_code == 302
    assert not CalendarFeed.objects.exists() and not Absence.objects.exists()


# --- work profiles --------------------------------------------------------------------------


def test_work_profile__added_and_removed(sign_in):
    client, me = sign_in("employee")
    post = {"action": "profile", "profile-platform": "Facebook", "profile-address": "https://www.facebook.com/aino"}
    assert client.post(MY, post).status_code == 302
    again = client.post(MY, post)
    assert again.status_code == 400 and "already been added" in again.content.decode()
    profile = WorkProfile.objects.get(person=me)
    assert client.post(reverse("people:work_profile_delete", kwargs={"profile_id": profile.pk})).status_code == 302
    assert not WorkProfile.objects.exists()


def test_work_profile__removing_is_refused_to_another_employee(sign_in, organization):
    client, _ = sign_in("employee")
    profile = WorkProfile.objects.create(person=PersonFactory(organization=organization), platform="X", address="@toinen")
    assert client.post(reverse("people:work_profile_delete", kwargs={"profile_id": profile.pk})).status_code == 403


def test_unknown_action_is_a_bad_request(sign_in):
    client, _ = sign_in("employee")
    assert client.post(MY, {"action": "explode"}).status_code == 400


# --- people:person_absences -----------------------------------------------------------------


def test_person_absences__communications_lead_manages_anyones(sign_in, organization):
    client, _ = sign_in("comms_lead")
    other = PersonFactory(organization=organization, name="Pekka Laine")
    url = reverse("people:person_absences", kwargs={"person_id": other.pk})
    page = client.get(url)
    assert page.status_code == 200 and "Pekka Laine" in page.content.decode()
    response = client.post(url, absence_post())
    assert response.status_code == 302 and response["Location"] == url
    absence = Absence.objects.get(person=other)
    edit = client.post(reverse("people:absence_edit", kwargs={"absence_id": absence.pk}), absence_post(**{"absence-summary": "Muutettu"}))
    assert edit.status_code == 302 and edit["Location"] == url
    assert client.post(reverse("people:absence_delete", kwargs={"absence_id": absence.pk})).status_code == 302
    assert not Absence.objects.exists()


@pytest.mark.parametrize("role", ["employee", "supervisor", "channel_admin", "records_officer", "elected_official"])
def test_person_absences__refused_without_managing_people(sign_in, organization, role):
    client, _ = sign_in(role)
    other = PersonFactory(organization=organization)
    url = reverse("people:person_absences", kwargs={"person_id": other.pk})
    assert client.get(url).status_code == 403
    assert client.post(url, absence_post()).status_code == 403
    assert not Absence.objects.exists()


def test_person_absences__another_organizations_person_is_not_found(sign_in):
    client, _ = sign_in("comms_lead")
    stranger = PersonFactory(organization=OrganizationFactory(slug="muu"))
    assert client.get(reverse("people:person_absences", kwargs={"person_id": stranger.pk})).status_code == 404
