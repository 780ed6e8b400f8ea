"""Platform trouble becomes outcomes with messages; the token never shows."""

from __future__ import annotations

import logging

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from somevahti.connectors.base import Cursor, InteractionRef, MediaItem, Outcome, OutgoingPost
from somevahti.connectors.mastodon.client import MastodonClient, MastodonUnauthorized

from .conftest import TOKEN, json_response, rate_headers, recorded, recorded_text, requests_to, serve_instance


def test_publish__revoked_token_is_unauthorized(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon)
    mastodon.expect_request("/api/v1/statuses", method="POST").respond_with_response(
        json_response(recorded("error_401.json"), status=401)
    )

    result = connector.publish(OutgoingPost(text="Tiedote"))

    assert result.outcome == Outcome.UNAUTHORIZED
    assert "no longer accepted" in result.message
    assert "An administrator must reconnect the channel." in result.message


def test_publish__rate_limited_reports_retry_after_from_the_reset_header(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon)
    mastodon.expect_request("/api/v1/statuses", method="POST").respond_with_response(
        json_response(recorded("error_429.json"), status=429, headers=rate_headers(limit=300, remaining=0, reset_in=120))
    )

    result = connector.publish(OutgoingPost(text="Tiedote"))

    assert result.outcome == Outcome.RATE_LIMITED
    assert result.retry_after is not None and 100 <= result.retry_after <= 121
    assert result.usage == {"rate_limit": 100.0}
    assert "slow down" in result.message
    assert len(requests_to(mastodon, "/api/v1/statuses", "POST")) == 1    # thrown, not waited and retried


def test_publish__rate_limited_without_headers_still_says_when_to_retry(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon)
    mastodon.expect_request("/api/v1/statuses", method="POST").respond_with_response(
        Response('{"error":"Too many requests"}', status=429, content_type="application/json")
    )

    result = connector.publish(OutgoingPost(text="Tiedote"))

    assert result.outcome == Outcome.RATE_LIMITED
    assert result.retry_after == 300.0


def test_publish__rate_limited_while_reading_the_limits_is_rate_limited(mastodon: HTTPServer, connector) -> None:
    mastodon.expect_request("/api/v2/instance/").respond_with_response(
        json_response(recorded("error_429.json"), status=429, headers=rate_headers(remaining=0, reset_in=30))
    )

    result = connector.publish(OutgoingPost(text="Tiedote"))

    assert result.outcome == Outcome.RATE_LIMITED
    assert requests_to(mastodon, "/api/v1/statuses") == []


def test_publish__server_error_is_a_failure_with_a_message(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon)
    mastodon.expect_request("/api/v1/statuses", method="POST").respond_with_response(
        json_response({"error": "There was a temporary problem serving your request, please try again"}, status=503)
    )

    result = connector.publish(OutgoingPost(text="Tiedote"))

    assert result.outcome == Outcome.FAILED
    assert "HTTP 503" in result.message and "Try again later" in result.message
    assert "temporary problem" in result.message


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (502, recorded_text("gateway_502.html"), "text/html"),
        (200, recorded_text("maintenance_200.html"), "text/html"),
        (200, '{"id": "109500000000000100", "content": "<p>kesk', "application/json"),
        (200, "", "application/json"),
    ],
    ids=["proxy-502-page", "html-200", "truncated-json", "empty-body"],
)
def test_publish__garbage_instead_of_json_is_a_failure_not_a_crash(mastodon: HTTPServer, connector, status, body, content_type) -> None:
    serve_instance(mastodon)
    mastodon.expect_request("/api/v1/statuses", method="POST").respond_with_response(
        Response(body, status=status, content_type=content_type)
    )

    result = connector.publish(OutgoingPost(text="Tiedote"))

    assert result.outcome == Outcome.FAILED
    assert result.message
    assert "<html" not in result.message and "kesk" not in result.message


def test_publish__a_status_without_an_id_is_a_failure(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon)
    mastodon.expect_request("/api/v1/statuses", method="POST").respond_with_response(json_response({"content": "<p>?</p>"}))

    result = connector.publish(OutgoingPost(text="Tiedote"))

    assert result.outcome == Outcome.FAILED
    assert "did not say which post" in result.message


def test_unreachable_instance_is_a_failure(make_connector) -> None:
    from somevahti.connectors.base import Credentials
    from somevahti.connectors.mastodon.connector import MastodonConnector

    adapter = MastodonConnector(credentials=Credentials("1", TOKEN, base_url="http://127.0.0.1:9"), timeout=1.0)

    result = adapter.health()

    assert result.outcome == Outcome.FAILED
    assert "could not be reached" in result.message


def test_the_token_never_shows_in_logs_reprs_or_messages(mastodon: HTTPServer, connector, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    serve_instance(mastodon)
    mastodon.expect_request("/api/v2/media", method="POST").respond_with_response(json_response(recorded("error_500_media.json"), status=500))
    mastodon.expect_request("/api/v1/statuses", method="POST").respond_with_response(json_response(recorded("error_401.json"), status=401))
    mastodon.expect_request("/api/v1/notifications").respond_with_response(json_response(recorded("error_429.json"), status=429))
    mastodon.expect_request("/api/v1/accounts/verify_credentials").respond_with_data("<html>oops</html>", status=502)

    results = [
        connector.publish(OutgoingPost(text="Tiedote")),
        connector.publish(OutgoingPost(text="Kuva", media=(MediaItem(url="", alt_text="x", data=b"\xff\xd8"),))),
        connector.reply(InteractionRef("5", extra={"acct": "maija", "visibility": "public"}), "Kiitos"),
        connector.health(),
    ]
    batch = connector.fetch_interactions(Cursor("1"))

    assert all(request.headers["Authorization"] == f"Bearer {TOKEN}" for request, _ in mastodon.log)
    texts = [r.message for r in results] + [repr(r) for r in results] + [batch.message, repr(batch)]
    texts += [repr(connector), repr(connector.credentials), repr(connector._client), caplog.text]
    for text in texts:
        assert TOKEN not in text


def test_client_errors_carry_the_instance_text_but_not_the_token(mastodon: HTTPServer) -> None:
    mastodon.expect_request("/api/v1/accounts/verify_credentials").respond_with_response(
        json_response(recorded("error_401.json"), status=401)
    )
    client = MastodonClient(base_url=mastodon.url_for(""), token=TOKEN, timeout=3)

    with pytest.raises(MastodonUnauthorized) as caught:
        client.verify_credentials()

    assert caught.value.status == 401
    assert caught.value.platform_message == "The access token is invalid"
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
