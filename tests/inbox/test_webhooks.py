import pytest

from somevahti.inbox.models import Interaction, WebhookDelivery
from somevahti.inbox.webhooks import retry_failed_deliveries
from tests.inbox.conftest import delivery_body, signed


def test_webhook__signed_delivery_becomes_interactions_once_even_when_repeated(client, page):
    body = delivery_body()
    counts = []
    for _ in range(2):
        response = client.post("/webhooks/meta/", body, content_type="application/json", **signed(body))
        assert response.status_code == 200
        counts.append(Interaction.objects.count())
    assert counts[0] == counts[1] > 0
    comment = Interaction.objects.get(channel=page, kind="comment", from_us=False)
    assert comment.text == "Onko kirjasto auki jouluna?"
    assert "Hei, milloin jätehuolto tulee?" in set(Interaction.objects.filter(kind="message").values_list("text", flat=True))
    assert WebhookDelivery.objects.filter(state="processed").count() == 2


def test_webhook__our_own_reply_in_the_delivery_answers_the_comment(client, page):
    body = delivery_body()
    client.post("/webhooks/meta/", body, content_type="application/json", **signed(body))
    comment = Interaction.objects.get(platform_id="200000000000002_500000000000001")
    assert comment.state == "answered" and comment.first_response_at is not None


@pytest.mark.parametrize(
    "headers",
    [{}, signed(b"something else"), signed(b"", secret="wrong"), {"HTTP_X_HUB_SIGNATURE_256": "sha1=abc"}],
    ids=["unsigned", "signature-of-other-body", "wrong-secret", "sha1-only"],
)
def test_webhook__bad_or_missing_signature_is_refused_and_never_processed(client, page, headers, caplog):
    body = delivery_body()
    response = client.post("/webhooks/meta/", body, content_type="application/json", **headers)
    assert response.status_code == 403
    assert not WebhookDelivery.objects.exists() and not Interaction.objects.exists()
    assert "refused" in caplog.text


def test_webhook__oversized_body_is_refused(client, page):
    body = b"{" + b" " * 1_100_000 + b"}"
    assert client.post("/webhooks/meta/", body, content_type="application/json", **signed(body)).status_code == 413


def test_webhook__signed_but_malformed_body_is_kept_and_marked_failed(client, page):
    body = b'{"object": "page", "entry": [{"id": '
    response = client.post("/webhooks/meta/", body, content_type="application/json", **signed(body))
    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and bytes(delivery.body) == body and delivery.error


def test_webhook__a_delivery_that_failed_for_a_passing_reason_is_retried(client, page, monkeypatch):
    from somevahti.inbox import webhooks

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(webhooks, "ingest_interactions", broken)
    monkeypatch.setattr(webhooks, "ingest_interaction_batch", broken)
    body = delivery_body()
    client.post("/webhooks/meta/", body, content_type="application/json", **signed(body))
    assert WebhookDelivery.objects.get().state == "failed" and not Interaction.objects.exists()
    monkeypatch.undo()
    assert retry_failed_deliveries() == 1
    assert WebhookDelivery.objects.get().state == "processed"
    assert Interaction.objects.filter(kind="comment", from_us=False).count() == 1


def test_webhook__handshake_echoes_the_challenge_only_with_the_right_token(client, db):
    ok = client.get("/webhooks/meta/", {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "test-verify-token"})
    assert ok.status_code == 200 and ok.content == b"1158201444"
    bad = client.get("/webhooks/meta/", {"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": "guess"})
    assert bad.status_code == 403


def test_webhook__deliveries_for_unknown_pages_are_ignored_safely(client, db):
    body = delivery_body()
    assert client.post("/webhooks/meta/", body, content_type="application/json", **signed(body)).status_code == 200
    assert WebhookDelivery.objects.get().state == "processed" and not Interaction.objects.exists()


def test_webhook__with_sqlite_deliveries_are_journalled_apart_from_the_main_database(client, page, settings):
    """Accepting a delivery never waits for the worker's write lock on the main SQLite file."""
    from django.db import connections, router

    body = delivery_body()
    client.post("/webhooks/meta/", body, content_type="application/json", **signed(body))
    alias = router.db_for_write(WebhookDelivery)
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        assert alias == "webhooks"
        assert "inbox_webhookdelivery" not in connections["default"].introspection.table_names()
    else:
        assert alias == "default"
    assert WebhookDelivery.objects.using(alias).filter(state="processed").count() == 1
    assert Interaction.objects.filter(channel=page).exists()
