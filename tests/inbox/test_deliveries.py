"""Platform deliveries that could not be processed: shown, tried again, given up, e-mailed once.

Pages are read in English (the source strings), so a new translation does not break them.
"""

import datetime as dt
import json

import pytest
from django.core import mail
from django.utils import timezone

from somevahti.core.models import AuditEvent
from somevahti.inbox.models import Interaction, WebhookDelivery
from somevahti.inbox.webhooks import (
    MAX_ATTEMPTS,
    notify_deliveries_failed_for_good,
    retry_failed_deliveries,
    store_delivery,
)
from tests.factories import ChannelFactory, OrganizationFactory, make_user_person
from tests.inbox.conftest import delivery_body, signed

PAGE = "/palautteet/toimitukset/"
MALFORMED = b'{"object": "page", "entry": [{"id": '
PLAIN_WORDS = "Could not be read — the body is not valid JSON."
COMMENT_TEXT = "Onko kirjasto auki jouluna?"  # in the recorded delivery


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def other_municipality():
    """A second organization on the same instance, with its own Facebook page."""
    other = OrganizationFactory(slug="varkaus", name="Varkauden kaupunki")
    channel = ChannelFactory(organization=other, key="facebook", name="Varkauden kaupunki", platform_id="205000000000009")
    return other, channel


def post(client, body: bytes):
    response = client.post("/webhooks/meta/", body, content_type="application/json", **signed(body))
    assert response.status_code == 200
    return WebhookDelivery.objects.order_by("-pk").first()


def fail_for_a_passing_reason(client, monkeypatch, body: bytes | None = None) -> WebhookDelivery:
    from somevahti.inbox import webhooks

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(webhooks, "ingest_interactions", broken)
    monkeypatch.setattr(webhooks, "ingest_interaction_batch", broken)
    delivery = post(client, body or delivery_body())
    monkeypatch.undo()
    assert delivery.state == "failed" and not delivery.unreadable
    return delivery


def body_for_pages(*page_ids: str) -> bytes:
    """The recorded delivery with its entries copied for these pages."""
    data = json.loads(delivery_body())
    template = data["entry"][0]
    entries = []
    for n, page_id in enumerate(page_ids):
        entry = json.loads(json.dumps(template).replace("104000000000001", page_id))
        for change in entry.get("changes", []):
            value = change.get("value", {})
            if "comment_id" in value:
                value["comment_id"] = f"{value['comment_id']}{n}"
        entries.append(entry)
    data["entry"] = entries
    return json.dumps(data).encode()


# --- the page -----------------------------------------------------------------------------------


def test_deliveries__a_malformed_signed_delivery_is_shown_with_its_error_in_plain_words(client_as, english, page):
    delivery = post(english, MALFORMED)
    client = client_as("comms_lead")
    html = client.get(PAGE).content.decode()
    assert PLAIN_WORDS in html
    assert delivery.body_sha256[:32] in html and delivery.body_sha256[32:] in html
    assert "Traceback" not in html
    assert "1 delivery needs attention" in html
    # On an instance of one organization, its lead sees everything, the body too.
    assert "Body as received" in html and "&quot;entry&quot;" in html


def test_deliveries__trying_again_one_that_failed_for_a_passing_reason_stores_its_feedback(client_as, english, page, monkeypatch):
    delivery = fail_for_a_passing_reason(english, monkeypatch)
    client = client_as("comms_lead")
    html = client.get(PAGE).content.decode()
    assert "Could not be stored" in html and "Joroisten kunta" in html and "RuntimeError" in html
    response = client.post(f"{PAGE}{delivery.pk}/yrita/", follow=True)
    assert "The delivery was processed" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.state == "processed"
    assert Interaction.objects.filter(channel=page, text=COMMENT_TEXT).count() == 1
    event = AuditEvent.objects.get(action="inbox.delivery_retried")
    assert event.data["state_before"] == "failed" and event.data["state"] == "processed"
    assert "1 delivery needs attention" not in client.get(PAGE).content.decode()


def test_deliveries__try_all_again_leaves_out_the_unreadable_ones(client_as, english, page, monkeypatch):
    failed = fail_for_a_passing_reason(english, monkeypatch)
    unreadable = post(english, MALFORMED)
    client = client_as("comms_lead")
    response = client.post(f"{PAGE}yrita-kaikkia/", follow=True)
    assert "1 processed, 0 still failed" in response.content.decode()
    failed.refresh_from_db()
    unreadable.refresh_from_db()
    assert failed.state == "processed" and unreadable.state == "failed"
    assert AuditEvent.objects.filter(action="inbox.delivery_retried").count() == 1


def test_deliveries__giving_up_needs_a_reason_is_audited_and_keeps_the_delivery(client_as, english, page):
    delivery = post(english, MALFORMED)
    client = client_as("comms_lead")
    refused = client.post(f"{PAGE}{delivery.pk}/luovu/", {"reason": "  "})
    assert refused.status_code == 400 and "This field is required." in refused.content.decode()
    delivery.refresh_from_db()
    assert delivery.state == "failed" and not AuditEvent.objects.filter(action="inbox.delivery_given_up").exists()

    client.post(f"{PAGE}{delivery.pk}/luovu/", {"reason": "Testilähetys kehittäjätyökaluista."})
    delivery.refresh_from_db()
    assert delivery.state == "given_up" and bytes(delivery.body) == MALFORMED
    event = AuditEvent.objects.get(action="inbox.delivery_given_up")
    assert event.data["reason"] == "Testilähetys kehittäjätyökaluista." and event.actor is not None
    assert "Every delivery has been processed." in client.get(PAGE).content.decode()
    given_up = client.get(PAGE, {"state": "given_up"}).content.decode()
    assert "Testilähetys kehittäjätyökaluista." in given_up and PLAIN_WORDS in given_up
    retry_failed_deliveries()
    delivery.refresh_from_db()
    assert delivery.state == "given_up"


@pytest.mark.parametrize("role", ["channel_admin", "supervisor", "employee", "records_officer"])
def test_deliveries__other_roles_are_refused(client_as, english, page, role):
    delivery = post(english, MALFORMED)
    client = client_as(role)
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}{delivery.pk}/yrita/").status_code == 403
    assert client.post(f"{PAGE}yrita-kaikkia/").status_code == 403
    assert client.post(f"{PAGE}{delivery.pk}/luovu/", {"reason": "Ei kuulu meille."}).status_code == 403
    delivery.refresh_from_db()
    assert delivery.state == "failed" and delivery.attempts == 1


def test_deliveries__another_organizations_lead_sees_only_deliveries_for_their_own_pages(
    client, english, page, other_municipality, monkeypatch
):
    other, other_page = other_municipality
    ours = fail_for_a_passing_reason(english, monkeypatch)
    unreadable = post(english, MALFORMED)
    lead_user, _lead = make_user_person(page.organization, roles=["comms_lead"])
    other_user, _other_lead = make_user_person(other, roles=["comms_lead"])

    client.force_login(other_user)
    html = client.get(PAGE).content.decode()
    assert "0 deliveries need attention" in html and ours.body_sha256[:32] not in html
    assert client.post(f"{PAGE}{ours.pk}/yrita/").status_code == 404
    assert client.post(f"{PAGE}{ours.pk}/luovu/", {"reason": "x"}).status_code == 404
    assert client.post(f"{PAGE}{unreadable.pk}/yrita/").status_code == 404

    client.force_login(lead_user)
    html = client.get(PAGE).content.decode()
    # Their own delivery, without its body; one that names no page is for instance administrators.
    assert "1 delivery needs attention" in html and ours.body_sha256[:32] in html
    assert "Body as received" not in html and COMMENT_TEXT not in html and "RuntimeError" not in html
    assert unreadable.body_sha256[:32] not in html

    instance_admin, _person = make_user_person(page.organization, roles=["comms_lead"])
    instance_admin.is_superuser = True
    instance_admin.save(update_fields=["is_superuser"])
    client.force_login(instance_admin)
    html = client.get(PAGE).content.decode()
    assert "2 deliveries need attention" in html and PLAIN_WORDS in html and "Body as received" in html


def test_deliveries__a_delivery_for_two_organizations_names_only_the_readers_channel_and_cannot_be_given_up(
    client, english, page, other_municipality, monkeypatch
):
    other, other_page = other_municipality
    shared = fail_for_a_passing_reason(english, monkeypatch, body_for_pages(page.platform_id, other_page.platform_id))
    WebhookDelivery.objects.filter(pk=shared.pk).update(attempts=MAX_ATTEMPTS)
    other_user, _person = make_user_person(other, roles=["comms_lead"])
    client.force_login(other_user)
    html = client.get(PAGE).content.decode()
    assert "Varkauden kaupunki" in html and "Also for 1 page not among these." in html
    assert "Joroisten kunta" not in html.split("<main", 1)[1]
    assert "Give up on this delivery" not in html
    assert client.post(f"{PAGE}{shared.pk}/luovu/", {"reason": "Ei meidän."}).status_code == 403
    response = client.post(f"{PAGE}{shared.pk}/yrita/", follow=True)
    assert "The delivery was processed" in response.content.decode()
    assert Interaction.objects.filter(channel=other_page).exists() and Interaction.objects.filter(channel=page).exists()


# --- the notice on the feedback list --------------------------------------------------------------


def test_deliveries__the_feedback_list_tells_the_lead_until_the_deliveries_are_processed(client_as, english, page, monkeypatch):
    delivery = fail_for_a_passing_reason(english, monkeypatch)
    client = client_as("comms_lead")
    assert "1 platform delivery could not be processed" in client.get("/palautteet/").content.decode()
    client.post(f"{PAGE}{delivery.pk}/yrita/")
    assert "could not be processed" not in client.get("/palautteet/").content.decode()


def test_deliveries__a_delivery_waiting_too_long_is_noticed_but_a_fresh_one_is_not(client_as, english, page):
    store_delivery(platform="meta", body=delivery_body())  # stored, not processed: no worker ran
    client = client_as("comms_lead")
    assert "could not be processed" not in client.get("/palautteet/").content.decode()
    WebhookDelivery.objects.update(received_at=timezone.now() - dt.timedelta(minutes=6))
    assert "1 platform delivery could not be processed" in client.get("/palautteet/").content.decode()
    assert "the background worker may be stopped" in client.get(PAGE).content.decode()


def test_deliveries__the_notice_is_not_shown_to_those_who_may_not_see_the_page(client_as, english, page):
    post(english, MALFORMED)
    assert "could not be processed" not in client_as("channel_admin").get("/palautteet/").content.decode()


# --- the e-mail -----------------------------------------------------------------------------------


def test_deliveries__administrators_are_emailed_once_when_a_delivery_fails_for_good(client, english, page, user_with_role):
    _user, lead = user_with_role("comms_lead", language="en")
    _admin_user, _admin = user_with_role("channel_admin")
    delivery = post(english, MALFORMED)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [lead.email]
    assert "could not be processed" in message.subject
    assert PLAIN_WORDS in message.body and delivery.body_sha256 in message.body and PAGE in message.body
    assert '"entry"' not in message.body
    notify_deliveries_failed_for_good()
    retry_failed_deliveries()
    client.post(f"{PAGE}{delivery.pk}/yrita/")
    assert len(mail.outbox) == 1


def test_deliveries__a_delivery_whose_tries_run_out_is_emailed_once_without_its_content(
    client, english, page, user_with_role, monkeypatch
):
    from somevahti.inbox import webhooks

    _user, lead = user_with_role("comms_lead", language="en")
    locked = lambda **kwargs: (_ for _ in ()).throw(RuntimeError("locked"))  # noqa: E731
    monkeypatch.setattr(webhooks, "ingest_interactions", locked)
    monkeypatch.setattr(webhooks, "ingest_interaction_batch", locked)
    delivery = post(english, delivery_body())
    assert not mail.outbox
    for _ in range(MAX_ATTEMPTS + 2):
        retry_failed_deliveries()
    delivery.refresh_from_db()
    assert delivery.state == "failed" and delivery.attempts == MAX_ATTEMPTS
    assert len(mail.outbox) == 1
    assert COMMENT_TEXT not in mail.outbox[0].body and "locked" not in mail.outbox[0].body
