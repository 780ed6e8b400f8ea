"""Editing a published status (PUT /api/v1/statuses/:id) against recorded instance answers over real HTTP."""

from __future__ import annotations

from pytest_httpserver import HTTPServer

from somevahti.connectors.base import Capability, InteractionRef, Outcome, OutgoingPost
from somevahti.connectors.mastodon.connector import MastodonConnector

from .conftest import TOKEN, json_response, recorded, requests_to, serve_instance

STATUS = "109500000000000100"
PATH = f"/api/v1/statuses/{STATUS}"


def test_edit__replaces_the_text_and_keeps_the_image(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon)
    mastodon.expect_request(PATH, method="GET").respond_with_response(json_response(recorded("status_with_image.json")))
    mastodon.expect_request(PATH, method="PUT").respond_with_response(json_response(recorded("status_edited.json")))

    result = connector.edit(InteractionRef(STATUS), OutgoingPost(
        text="Kirkkotien päällystystyöt alkavat tiistaina. Kiertotie on merkitty.", link="https://www.joroinen.fi/tiet",
    ))

    assert Capability.EDIT in MastodonConnector.capabilities
    assert result.outcome == Outcome.OK, result.message
    assert result.platform_id == STATUS
    assert result.url == "https://some.example/@joroisten_kunta/109500000000000100"
    [request] = requests_to(mastodon, PATH, "PUT")
    assert request.form["status"] == "Kirkkotien päällystystyöt alkavat tiistaina. Kiertotie on merkitty.\n\nhttps://www.joroinen.fi/tiet"
    assert request.form.getlist("media_ids[]") == ["22348700"]   # named, so the instance keeps the image
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_edit__a_deleted_status_is_not_found_and_nothing_is_sent(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon)
    mastodon.expect_request(PATH, method="GET").respond_with_response(json_response(recorded("error_404.json"), status=404))

    result = connector.edit(InteractionRef(STATUS), OutgoingPost(text="Korjattu"))

    assert result.outcome == Outcome.NOT_FOUND and "no longer on Mastodon" in result.message
    assert requests_to(mastodon, PATH, "PUT") == []


def test_edit__another_accounts_status_is_refused_before_sending(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon)
    mastodon.expect_request("/api/v1/statuses/1", method="GET").respond_with_response(json_response(recorded("status_from_maija.json")))

    result = connector.edit(InteractionRef("1"), OutgoingPost(text="Korjattu"))

    assert result.outcome == Outcome.FAILED and "only its own posts" in result.message
    assert requests_to(mastodon, "/api/v1/statuses/1", "PUT") == []


def test_edit__too_long_for_the_instance_fails_before_sending(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon, max_characters=20)

    result = connector.edit(InteractionRef(STATUS), OutgoingPost(text="ä" * 21))

    assert result.outcome == Outcome.FAILED and "at most 20" in result.message
    assert requests_to(mastodon, PATH) == []


def test_edit__a_revoked_token_asks_for_reconnection(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon)
    mastodon.expect_request(PATH, method="GET").respond_with_response(json_response(recorded("status_with_image.json")))
    mastodon.expect_request(PATH, method="PUT").respond_with_response(json_response(recorded("error_401.json"), status=401))

    result = connector.edit(InteractionRef(STATUS), OutgoingPost(text="Korjattu"))

    assert result.outcome == Outcome.UNAUTHORIZED and "reconnect" in result.message
