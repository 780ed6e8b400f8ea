"""The Bluesky adapter against recorded responses (pytest-httpserver): the AppView paths
(listNotifications, getPostThread) that the local PDS cannot answer, and the failures
(429, 5xx, HTML, truncated JSON, missing fields, expired tokens) a real server seldom shows."""

from __future__ import annotations

import json
import logging
import re
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from somevahti.connectors.base import (
    Credentials,
    Cursor,
    InteractionKind,
    InteractionRef,
    Outcome,
    OutgoingPost,
)
from somevahti.connectors.bluesky import BlueskyConnector
from somevahti.connectors.bluesky.parsers import deterministic_rkey, thread_replies

RECORDED = Path(__file__).parent / "recorded"
KUNTA = "did:plc:k7unt4xqzv3m5aplk2hdy6bn"
OUR_POST = f"at://{KUNTA}/app.bsky.feed.post/3lkx6zzzzzz2s"
COMMENT = "at://did:plc:a1ukas5nt3pdx4rjq7mhvwye/app.bsky.feed.post/3lkx7aaaaac2s"
ANSWER = "at://did:plc:b2ukas6nt3pdx4rjq7mhvwye/app.bsky.feed.post/3lkx7bdqyc22s"
MENTION = "at://did:plc:c3ukas7nt3pdx4rjq7mhvwye/app.bsky.feed.post/3lkx7ccccccc2"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text())


def connector(httpserver: HTTPServer, **options: Any) -> BlueskyConnector:
    return BlueskyConnector(
        credentials=Credentials(platform_id=KUNTA, token=APP_PASSWORD, base_url=httpserver.url_for("/").rstrip("/"),
                                handle="kunta.example.fi"),
        timeout=2.0, **options,
    )


def xrpc(name: str) -> str:
    return f"/xrpc/{name}"


def signed_in(httpserver: HTTPServer) -> None:
    httpserver.expect_request(xrpc("com.atproto.server.createSession"), method="POST").respond_with_json(
        recorded("create_session.json"))


def requests_to(httpserver: HTTPServer, name: str) -> list[Any]:
    return [request for request, _ in httpserver.log if request.path == xrpc(name)]


def test_fetch_via_notifications__pages_become_comments_replies_and_mentions(httpserver: HTTPServer) -> None:
    signed_in(httpserver)
    httpserver.expect_request(xrpc("app.bsky.notification.listNotifications"), query_string={"limit": "100"}
                              ).respond_with_json(recorded("list_notifications_page1.json"))
    httpserver.expect_request(xrpc("app.bsky.notification.listNotifications"),
                              query_string={"limit": "100", "cursor": "1772439480900::bafyreimention"}
                              ).respond_with_json(recorded("list_notifications_page2.json"))

    batch = connector(httpserver).fetch_interactions(Cursor())

    assert batch.outcome == Outcome.OK, batch.message
    assert [item.platform_id for item in batch.items] == [COMMENT, MENTION, ANSWER]   # oldest first; the like is left out
    comment, mention, answer = batch.items
    assert (comment.kind, comment.parent_id, comment.post_id, comment.thread_id) == (
        InteractionKind.COMMENT, OUR_POST, OUR_POST, OUR_POST)
    assert (answer.kind, answer.parent_id, answer.post_id) == (InteractionKind.REPLY, COMMENT, OUR_POST)
    assert (mention.kind, mention.parent_id, mention.post_id) == (InteractionKind.MENTION, "", "")
    assert comment.author.name == "Aino Äijälä" and comment.author.handle == "aino.bsky.social"
    assert answer.created_at.isoformat() == "2026-03-02T08:20:11.123000+00:00"
    assert comment.permalink == "https://bsky.app/profile/aino.bsky.social/post/3lkx7aaaaac2s"
    assert comment.media_urls == (
        "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:a1ukas5nt3pdx4rjq7mhvwye/bafkreidoorphoto@jpeg",)
    assert answer.extra == {"cid": "bafyreib2reply2comment00000000000000000000000000000000000a",
                            "root_uri": OUR_POST, "root_cid": "bafyreiourpost000000000000000000000000000000000000000000000a",
                            "parent_cid": "bafyreicomment0000000000000000000000000000000000000000000000a",
                            "reason": "reply"}
    assert answer.raw["reason"] == "reply"
    [first, second] = requests_to(httpserver, "app.bsky.notification.listNotifications")
    assert first.headers["Authorization"] == "Bearer eyJhbGciOiJFUzI1NksifQ.recorded-access.c2lnbmF0dXJl"
    assert first.method == "GET" and second.args["cursor"] == "1772439480900::bafyreimention"
    [login] = requests_to(httpserver, "com.atproto.server.createSession")
    assert login.json == {"identifier": KUNTA, "password": APP_PASSWORD}


def test_fetch_via_notifications__the_cursor_returns_only_what_is_new(httpserver: HTTPServer) -> None:
    signed_in(httpserver)
    page1 = recorded("list_notifications_page1.json")
    handler = httpserver.expect_request(xrpc("app.bsky.notification.listNotifications"))
    handler.respond_with_json({"notifications": page1["notifications"]})   # the whole history: one page
    adapter = connector(httpserver)
    first = adapter.fetch_interactions(Cursor())
    assert len(first.items) == 2

    again = adapter.fetch_interactions(first.cursor)

    assert again.outcome == Outcome.OK and again.items == []
    newer = dict(page1["notifications"][0], uri=f"{ANSWER}x", indexedAt="2026-03-02T09:00:00.000Z")
    # sorted by the earlier of createdAt and indexing time: a phone whose clock is behind lands below
    late = dict(page1["notifications"][0], uri=f"{ANSWER}y", indexedAt="2026-03-02T08:05:00.000Z")
    long_ago = dict(page1["notifications"][0], uri=f"{ANSWER}z", indexedAt="2026-03-02T07:00:00.000Z")
    httpserver.clear_all_handlers()
    httpserver.expect_request(xrpc("app.bsky.notification.listNotifications"), query_string={"limit": "100"}
                              ).respond_with_json({"notifications": [newer, *page1["notifications"]], "cursor": "older"})
    httpserver.expect_request(xrpc("app.bsky.notification.listNotifications"),
                              query_string={"limit": "100", "cursor": "older"}
                              ).respond_with_json({"notifications": [late, long_ago], "cursor": "oldest"})

    third = adapter.fetch_interactions(again.cursor)

    assert {item.platform_id for item in third.items} == {f"{ANSWER}x", f"{ANSWER}y"}
    # read back an hour below what it had seen (08:20), and no further
    assert len(requests_to(httpserver, "app.bsky.notification.listNotifications")) == 4
    assert adapter.fetch_interactions(third.cursor).items == []


def test_fetch__without_an_appview_falls_back_to_repository_reads(httpserver: HTTPServer) -> None:
    signed_in(httpserver)
    httpserver.expect_request(xrpc("app.bsky.notification.listNotifications")).respond_with_json(
        recorded("error_no_appview.json"), status=400)
    httpserver.expect_request(xrpc("com.atproto.sync.listRepos")).respond_with_json({"repos": []})
    adapter = connector(httpserver)

    first = adapter.fetch_interactions(Cursor())
    second = adapter.fetch_interactions(first.cursor)

    assert first.outcome == second.outcome == Outcome.OK
    assert json.loads(second.cursor.value)["mode"] == "repos"
    assert len(requests_to(httpserver, "app.bsky.notification.listNotifications")) == 1   # asked once, remembered
    assert len(requests_to(httpserver, "com.atproto.sync.listRepos")) == 2


def test_reply__reads_the_thread_when_the_record_cannot_be_read_directly(httpserver: HTTPServer) -> None:
    signed_in(httpserver)
    httpserver.expect_request(xrpc("com.atproto.repo.getRecord")).respond_with_json(
        {"error": "UpstreamFailure", "message": "Upstream service unreachable"}, status=502)
    httpserver.expect_request(xrpc("app.bsky.feed.getPostThread")).respond_with_json(recorded("get_post_thread.json"))
    httpserver.expect_request(xrpc("com.atproto.repo.createRecord"), method="POST").respond_with_json(
        {"uri": f"at://{KUNTA}/app.bsky.feed.post/3lkx8ffffff2s", "cid": "bafyreiourreply",
         "commit": {"cid": "bafyreicommit", "rev": "3lkx8ffffgg2s"}, "validationStatus": "valid"})

    result = connector(httpserver).reply(InteractionRef(COMMENT), "Lauantaisin 10–15, tervetuloa!")

    assert result.outcome == Outcome.OK, result.message
    assert result.url == "https://bsky.app/profile/kunta.example.fi/post/3lkx8ffffff2s"
    [thread_request] = requests_to(httpserver, "app.bsky.feed.getPostThread")
    assert thread_request.args["uri"] == COMMENT
    [create] = requests_to(httpserver, "com.atproto.repo.createRecord")
    body = create.json
    assert body["repo"] == KUNTA and body["collection"] == "app.bsky.feed.post" and "rkey" not in body
    assert body["record"]["reply"] == {
        "root": {"uri": OUR_POST, "cid": "bafyreiourpost000000000000000000000000000000000000000000000a"},
        "parent": {"uri": COMMENT, "cid": "bafyreicomment0000000000000000000000000000000000000000000000a"},
    }
    assert body["record"]["text"] == "Lauantaisin 10–15, tervetuloa!"
    assert body["record"]["$type"] == "app.bsky.feed.post"


def test_reply__a_thread_that_says_not_found_gives_not_found(httpserver: HTTPServer) -> None:
    signed_in(httpserver)
    httpserver.expect_request(xrpc("com.atproto.repo.getRecord")).respond_with_json(
        {"error": "UpstreamFailure", "message": "Upstream service unreachable"}, status=502)
    httpserver.expect_request(xrpc("app.bsky.feed.getPostThread")).respond_with_json(
        recorded("get_post_thread_not_found.json"))

    result = connector(httpserver).reply(InteractionRef(COMMENT), "Kiitos!")

    assert result.outcome == Outcome.NOT_FOUND
    assert "deleted" in result.message
    assert requests_to(httpserver, "com.atproto.repo.createRecord") == []


def test_thread_replies__reads_visible_replies_and_skips_deleted_and_blocked_ones() -> None:
    replies = thread_replies(recorded("get_post_thread.json"), our_did=KUNTA)

    assert [(item.platform_id, item.kind, item.parent_id) for item in replies] == [
        (ANSWER, InteractionKind.REPLY, COMMENT)]
    assert replies[0].author.name == "Bertta Björklund"


def test_rate_limited__429_gives_retry_after_and_usage(httpserver: HTTPServer) -> None:
    signed_in(httpserver)
    reset = int(time.time()) + 120
    httpserver.expect_request(xrpc("app.bsky.notification.listNotifications")).respond_with_json(
        recorded("error_rate_limited.json"), status=429,
        headers={"RateLimit-Limit": "3000", "RateLimit-Remaining": "0", "RateLimit-Reset": str(reset),
                 "RateLimit-Policy": "3000;w=300"})

    batch = connector(httpserver).fetch_interactions(Cursor("earlier"))

    assert batch.outcome == Outcome.RATE_LIMITED
    assert batch.retry_after is not None and 100 <= batch.retry_after <= 121
    assert batch.cursor == Cursor("earlier")
    assert "rate limit" in batch.message


def test_rate_limited__publish_reports_usage_in_percent(httpserver: HTTPServer) -> None:
    signed_in(httpserver)
    httpserver.expect_request(xrpc("com.atproto.repo.createRecord")).respond_with_json(
        recorded("error_rate_limited.json"), status=429,
        headers={"RateLimit-Limit": "5000", "RateLimit-Remaining": "0", "RateLimit-Reset": str(int(time.time()) + 30)})

    result = connector(httpserver).publish(OutgoingPost(text="Tiedote"))

    assert result.outcome == Outcome.RATE_LIMITED
    assert result.usage == {"rate_limit": 100.0}
    assert result.retry_after is not None and 0 < result.retry_after <= 31


@pytest.mark.parametrize(("status", "body", "content_type", "expected"), [
    (500, json.dumps({"error": "InternalServerError", "message": "Internal Server Error"}), "application/json",
     "had an error (HTTP 500)"),
    (502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html", "had an error (HTTP 502)"),
    (200, "<!doctype html><title>Maintenance</title>", "text/html", "cannot read"),
    (200, '{"notifications": [{"uri": "at://did:plc:x/app.bsky.feed.po', "application/json", "cannot read"),
    (200, '{"cursor": "abc"}', "application/json", "incomplete"),
    (200, '{"notifications": [{"reason": "reply"}]}', "application/json", "incomplete"),
])
def test_fetch__broken_answers_fail_with_a_message_and_keep_the_cursor(
        httpserver: HTTPServer, status: int, body: str, content_type: str, expected: str) -> None:
    signed_in(httpserver)
    httpserver.expect_request(xrpc("app.bsky.notification.listNotifications")).respond_with_data(
        body, status=status, content_type=content_type)

    batch = connector(httpserver).fetch_interactions(Cursor("before"))

    assert batch.outcome == Outcome.FAILED
    assert expected in batch.message
    assert batch.items == [] and batch.cursor == Cursor("before")


def test_fetch__an_empty_page_is_ok_and_empty(httpserver: HTTPServer) -> None:
    signed_in(httpserver)
    httpserver.expect_request(xrpc("app.bsky.notification.listNotifications")).respond_with_json({"notifications": []})

    batch = connector(httpserver).fetch_interactions(Cursor())

    assert batch.outcome == Outcome.OK and batch.items == []


def test_expired_token__is_refreshed_once_and_the_call_repeated(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request(xrpc("com.atproto.server.createSession"), method="POST").respond_with_json(
        recorded("create_session.json"))
    httpserver.expect_ordered_request(xrpc("app.bsky.notification.listNotifications")).respond_with_json(
        recorded("error_expired_token.json"), status=400)
    httpserver.expect_ordered_request(xrpc("com.atproto.server.refreshSession"), method="POST").respond_with_json(
        recorded("refresh_session.json"))
    httpserver.expect_ordered_request(xrpc("app.bsky.notification.listNotifications")).respond_with_json(
        {"notifications": []})

    batch = connector(httpserver).fetch_interactions(Cursor())

    assert batch.outcome == Outcome.OK, batch.message
    [refresh] = requests_to(httpserver, "com.atproto.server.refreshSession")
    assert refresh.headers["Authorization"] == "Bearer eyJhbGciOiJFUzI1NksifQ.recorded-refresh.c2lnbmF0dXJl"
    second = requests_to(httpserver, "app.bsky.notification.listNotifications")[1]
    assert second.headers["Authorization"] == "Bearer eyJhbGciOiJFUzI1NksifQ.refreshed-access.c2lnbmF0dXJl"


def test_expired_token__twice_in_a_row_is_unauthorized(httpserver: HTTPServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    signed_in(httpserver)
    httpserver.expect_request(xrpc("com.atproto.server.refreshSession")).respond_with_json(recorded("refresh_session.json"))
    httpserver.expect_request(xrpc("app.bsky.notification.listNotifications")).respond_with_json(
        recorded("error_expired_token.json"), status=400)
    adapter = connector(httpserver)

    batch = adapter.fetch_interactions(Cursor())

    assert batch.outcome == Outcome.UNAUTHORIZED
    assert "reconnect" in batch.message
    assert len(requests_to(httpserver, "com.atproto.server.refreshSession")) == 1
    for secret in (APP_PASSWORD, "recorded-access", "recorded-refresh", "refreshed-access"):
        assert secret not in caplog.text and secret not in repr(adapter) and secret not in batch.message


def test_wrong_app_password__401_is_unauthorized(httpserver: HTTPServer) -> None:
    httpserver.expect_request(xrpc("com.atproto.server.createSession")).respond_with_json(
        {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}, status=401)

    result = connector(httpserver).health()

    assert result.outcome == Outcome.UNAUTHORIZED
    assert "Invalid identifier or password" in result.message and APP_PASSWORD not in result.message


def test_publish__sends_a_deterministic_record_key_langs_and_facets(httpserver: HTTPServer) -> None:
    signed_in(httpserver)
    httpserver.expect_request(xrpc("com.atproto.repo.getRecord")).respond_with_json(
        {"error": "RecordNotFound", "message": "Could not locate record"}, status=400)
    httpserver.expect_request(xrpc("com.atproto.identity.resolveHandle")).respond_with_json(
        {"did": "did:plc:a1ukas5nt3pdx4rjq7mhvwye"})
    rkey = deterministic_rkey("publication-7")
    httpserver.expect_request(xrpc("com.atproto.repo.createRecord")).respond_with_json(
        {"uri": f"at://{KUNTA}/app.bsky.feed.post/{rkey}", "cid": "bafyreinew"})

    result = connector(httpserver).publish(OutgoingPost(
        text="Tervetuloa @aino.bsky.social!", language="sv", idempotency_key="publication-7",
        link="https://www.kunta.fi/a"))

    assert result.outcome == Outcome.OK, result.message
    assert result.platform_id == f"at://{KUNTA}/app.bsky.feed.post/{rkey}"
    [create] = requests_to(httpserver, "com.atproto.repo.createRecord")
    body = create.json
    assert body["rkey"] == rkey
    assert body["record"]["text"] == "Tervetuloa @aino.bsky.social!\n\nhttps://www.kunta.fi/a"
    assert body["record"]["langs"] == ["sv"]
    assert [facet["features"][0]["$type"] for facet in body["record"]["facets"]] == [
        "app.bsky.richtext.facet#mention", "app.bsky.richtext.facet#link"]
    assert body["record"]["createdAt"].endswith("Z")


def test_publish__an_existing_record_with_the_same_key_is_returned_not_written(httpserver: HTTPServer) -> None:
    signed_in(httpserver)
    rkey = deterministic_rkey("publication-8")
    httpserver.expect_request(xrpc("com.atproto.repo.getRecord")).respond_with_json(
        {"uri": f"at://{KUNTA}/app.bsky.feed.post/{rkey}", "cid": "bafyreiold", "value": {"text": "Vanha"}})

    result = connector(httpserver).publish(OutgoingPost(text="Vanha", idempotency_key="publication-8"))

    assert result.outcome == Outcome.OK and result.platform_id.endswith(rkey)
    assert requests_to(httpserver, "com.atproto.repo.createRecord") == []


@given(st.text(min_size=1, max_size=60))
def test_deterministic_rkey__is_a_valid_tid_and_stable(key: str) -> None:
    rkey = deterministic_rkey(key)

    assert TID.match(rkey)
    assert deterministic_rkey(key) == rkey


def test_deterministic_rkey__differs_between_keys() -> None:
    assert len({deterministic_rkey(f"publication-{n}") for n in range(2000)}) == 2000


def test_webhooks_and_administrators__bluesky_has_neither(httpserver: HTTPServer) -> None:
    from somevahti.connectors.base import WebhookError

    adapter = connector(httpserver)

    with pytest.raises(WebhookError):
        adapter.parse_webhook(b"{}", {})
    assert adapter.administrators() == []
    assert adapter.finish_publish.__self__ is adapter   # one-step publishing
    assert adapter.capabilities == {"publish", "reply", "delete"}


def test_edit__bluesky_has_no_edit_and_says_to_withdraw_instead(httpserver: HTTPServer) -> None:
    from somevahti.connectors.base import Capability
    from somevahti.connectors.registry import capabilities_for

    result = connector(httpserver).edit(InteractionRef(OUR_POST), OutgoingPost(text="Korjattu teksti"))

    assert Capability.EDIT not in BlueskyConnector.capabilities
    assert result.outcome == Outcome.FAILED and "Withdraw the post" in result.message
    assert list(httpserver.log) == []
    assert Capability.EDIT not in capabilities_for("bluesky")   # the fake named in the test settings keeps the limit
