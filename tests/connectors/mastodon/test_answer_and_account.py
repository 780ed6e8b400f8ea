"""Replying, deleting, hiding (which Mastodon cannot), health, and the adapter's place in the registry."""

from __future__ import annotations

import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from somevahti.connectors.base import (
    Capability,
    Connector,
    Credentials,
    InteractionKind,
    InteractionRef,
    Outcome,
    PendingPublish,
    WebhookError,
)
from somevahti.connectors.mastodon.connector import MastodonConnector
from somevahti.connectors.registry import connector_for

from .conftest import TOKEN, json_response, rate_headers, recorded, requests_to, serve_instance


def test_reply__to_a_comment_keeps_visibility_and_addresses_the_author(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon)
    mastodon.expect_request("/api/v1/statuses", method="POST").respond_with_response(
        json_response(recorded("status_reply_created.json"), headers=rate_headers(limit=300, remaining=150))
    )
    ref = InteractionRef("109500000000000201", InteractionKind.COMMENT, extra={"acct": "maija", "visibility": "public"})

    result = connector.reply(ref, "Kuoppa korjataan tällä viikolla.")

    assert result.outcome == Outcome.OK, result.message
    assert result.platform_id == "109500000000000300"
    assert result.url == "https://some.example/@joroisten_kunta/109500000000000300"
    assert result.usage == {"rate_limit": 50.0}
    [request] = requests_to(mastodon, "/api/v1/statuses", "POST")
    assert request.form["in_reply_to_id"] == "109500000000000201"
    assert request.form["visibility"] == "public"
    assert request.form["status"] == "@maija Kuoppa korjataan tällä viikolla."
    assert requests_to(mastodon, "/api/v1/statuses/109500000000000201", "GET") == []


def test_reply__looks_up_a_private_mention_and_answers_it_privately(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon)
    mastodon.expect_request("/api/v1/statuses/109500000000000204", method="GET").respond_with_response(
        json_response(recorded("status_direct_from_liisa.json"))
    )
    mastodon.expect_request("/api/v1/statuses", method="POST").respond_with_response(json_response(recorded("status_reply_created.json")))

    result = connector.reply(InteractionRef("109500000000000204", InteractionKind.MESSAGE), "@liisa Hei, vastaan viestillä.")

    assert result.ok, result.message
    [request] = requests_to(mastodon, "/api/v1/statuses", "POST")
    assert request.form["visibility"] == "direct"
    assert request.form["status"] == "@liisa Hei, vastaan viestillä."      # the handle is not repeated


def test_reply__to_a_deleted_status_is_not_found(mastodon: HTTPServer, connector) -> None:
    mastodon.expect_request("/api/v1/statuses/109500000000000999", method="GET").respond_with_response(
        json_response(recorded("error_404.json"), status=404)
    )

    result = connector.reply(InteractionRef("109500000000000999"), "Kiitos!")

    assert result.outcome == Outcome.NOT_FOUND
    assert "deleted" in result.message
    assert requests_to(mastodon, "/api/v1/statuses", "POST") == []


def test_reply__deleted_between_reading_and_answering_is_not_found(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon)
    mastodon.expect_request("/api/v1/statuses", method="POST").respond_with_response(
        json_response(recorded("error_404.json"), status=404)
    )
    ref = InteractionRef("109500000000000201", extra={"acct": "maija", "visibility": "public"})

    assert connector.reply(ref, "Kiitos!").outcome == Outcome.NOT_FOUND


def test_reply__too_long_with_the_handle_is_refused_before_sending(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon, max_characters=20)
    ref = InteractionRef("109500000000000201", extra={"acct": "maija", "visibility": "public"})

    result = connector.reply(ref, "x" * 15)        # "@maija " makes it 22

    assert result.outcome == Outcome.FAILED
    assert "22 characters" in result.message
    assert requests_to(mastodon, "/api/v1/statuses", "POST") == []


def test_reply__validation_error_text_is_passed_on(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon)
    mastodon.expect_request("/api/v1/statuses", method="POST").respond_with_response(
        json_response({"error": "Validation failed: Text can't be blank"}, status=422)
    )
    ref = InteractionRef("109500000000000201", extra={"acct": "maija", "visibility": "public"})

    result = connector.reply(ref, "Kiitos")

    assert result.outcome == Outcome.FAILED
    assert "Validation failed: Text can't be blank" in result.message


def test_hide__is_not_possible_on_mastodon_and_says_what_is(mastodon: HTTPServer, connector) -> None:
    result = connector.hide(InteractionRef("109500000000000201"), True)

    assert result.outcome == Outcome.FAILED
    assert "block" in result.message and "mute" in result.message and "report" in result.message
    assert Capability.HIDE not in MastodonConnector.capabilities
    assert mastodon.log == []


def test_delete__removes_our_own_status(mastodon: HTTPServer, connector) -> None:
    mastodon.expect_request("/api/v1/statuses/109500000000000100", method="DELETE").respond_with_response(
        json_response(recorded("status_deleted.json"))
    )

    result = connector.delete(InteractionRef("109500000000000100"))

    assert result.outcome == Outcome.OK, result.message
    assert result.platform_id == "109500000000000100"
    [request] = requests_to(mastodon, "/api/v1/statuses/109500000000000100", "DELETE")
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_delete__someone_elses_or_a_gone_status_is_not_found(mastodon: HTTPServer, connector) -> None:
    mastodon.expect_request("/api/v1/statuses/109500000000000201", method="DELETE").respond_with_response(
        json_response(recorded("error_404.json"), status=404)
    )

    result = connector.delete(InteractionRef("109500000000000201"))

    assert result.outcome == Outcome.NOT_FOUND
    assert "only the account's own posts" in result.message


def test_health__a_working_token_is_ok(mastodon: HTTPServer, connector) -> None:
    mastodon.expect_request("/api/v1/accounts/verify_credentials", method="GET").respond_with_response(
        json_response(recorded("verify_credentials.json"), headers=rate_headers(limit=300, remaining=299))
    )

    result = connector.health()

    assert result.outcome == Outcome.OK
    assert result.platform_id == "109348127385900001"
    assert result.usage == {"rate_limit": 0.3}


def test_health__revoked_token_is_unauthorized(mastodon: HTTPServer, connector) -> None:
    mastodon.expect_request("/api/v1/accounts/verify_credentials").respond_with_response(
        json_response(recorded("error_401.json"), status=401)
    )

    result = connector.health()

    assert result.outcome == Outcome.UNAUTHORIZED
    assert "joroisten_kunta" in result.message and "reconnect" in result.message


def test_health__token_of_another_account_is_unauthorized(mastodon: HTTPServer, make_connector) -> None:
    other = recorded("verify_credentials.json") | {"id": "1", "acct": "joku_muu"}
    mastodon.expect_request("/api/v1/accounts/verify_credentials").respond_with_response(json_response(other))

    result = make_connector().health()

    assert result.outcome == Outcome.UNAUTHORIZED
    assert "@joku_muu" in result.message


def test_health__missing_scope_is_unauthorized(mastodon: HTTPServer, connector) -> None:
    mastodon.expect_request("/api/v1/accounts/verify_credentials").respond_with_response(
        json_response(recorded("error_403_scope.json"), status=403)
    )

    result = connector.health()

    assert result.outcome == Outcome.UNAUTHORIZED
    assert "outside the authorized scopes" in result.message


def test_administrators__mastodon_has_none_to_list(connector) -> None:
    assert connector.administrators() == []


def test_parse_webhook__mastodon_channels_are_polled(connector) -> None:
    with pytest.raises(WebhookError):
        connector.parse_webhook(b"{}", {})


def test_finish_publish__there_is_nothing_to_finish(connector) -> None:
    assert connector.finish_publish(PendingPublish("x")).outcome == Outcome.FAILED


def test_registry__builds_the_mastodon_adapter_with_test_options(mastodon: HTTPServer, settings) -> None:
    settings.SOMEVAHTI_CONNECTORS = {}      # the test settings name the fake for every platform
    credentials = Credentials(platform_id="1", token=TOKEN, base_url="https://wrong.example", handle="kunta")

    adapter = connector_for("mastodon", credentials, base_url=mastodon.url_for(""), timeout=3.0)

    assert isinstance(adapter, MastodonConnector)
    assert isinstance(adapter, Connector)
    assert adapter.base_url == mastodon.url_for("").rstrip("/")


def test_channel_without_an_instance_address_fails_clearly() -> None:
    adapter = MastodonConnector(credentials=Credentials(platform_id="1", token=TOKEN))

    result = adapter.health()

    assert result.outcome == Outcome.FAILED
    assert "address" in result.message


def test_timeout__an_instance_slower_than_the_timeout_is_a_failure(mastodon: HTTPServer, make_connector) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.2)
        return json_response(recorded("verify_credentials.json"))

    mastodon.expect_request("/api/v1/accounts/verify_credentials").respond_with_handler(slow)

    result = make_connector(timeout=0.3).health()

    assert result.outcome == Outcome.FAILED
    assert "did not answer in time" in result.message


def test_construction__calls_nothing_on_the_instance(mastodon: HTTPServer, make_connector) -> None:
    make_connector()

    assert mastodon.log == []      # no version check, no /api/v1/instance look-up
