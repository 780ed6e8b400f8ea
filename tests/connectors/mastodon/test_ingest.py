"""Reading mentions (replies to our posts, replies in threads, mentions, private mentions)."""

from __future__ import annotations

import datetime as dt

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from somevahti.connectors.base import Cursor, InteractionKind, Outcome, Verb

from .conftest import ACCOUNT_ID, json_response, rate_headers, recorded, recorded_text, requests_to


def _link(httpserver: HTTPServer, *, older: str, newer: str) -> str:
    base = httpserver.url_for("/api/v1/notifications")
    return f'<{base}?max_id={older}>; rel="next", <{base}?min_id={newer}>; rel="prev"'


def test_fetch__first_run_reads_the_newest_page_and_classifies_each_mention(mastodon: HTTPServer, connector) -> None:
    headers = rate_headers(limit=300, remaining=297) | {"Link": _link(mastodon, older="34975861", newer="34975890")}
    mastodon.expect_request("/api/v1/notifications", method="GET").respond_with_response(
        json_response(recorded("notifications_page1.json"), headers=headers)
    )

    batch = connector.fetch_interactions(Cursor())

    assert batch.outcome == Outcome.OK, batch.message
    assert batch.cursor == Cursor("34975890")
    [request] = requests_to(mastodon, "/api/v1/notifications")
    assert request.args.getlist("types[]") == ["mention"]
    assert request.args["limit"] == "40"
    assert "min_id" not in request.args     # no cursor: the newest page only, no walk through history
    comment, reply, mention, message = batch.items   # oldest first

    assert comment.kind == InteractionKind.COMMENT
    assert comment.verb == Verb.ADD
    assert comment.platform_id == "109500000000000201"
    assert comment.post_id == "109500000000000100"
    assert comment.parent_id == "109500000000000100"
    assert comment.channel_platform_id == ACCOUNT_ID
    assert comment.text == (
        "@joroisten_kunta Milloin Kirkkotien kuoppa korjataan? Ajoin siihen eilen & vanne vääntyi 😠\n\n"
        "Kuva alla.\nTerveisin Maija"
    )
    assert comment.author.platform_id == "109400000000000010"
    assert comment.author.name == "Maija Meikäläinen"
    assert comment.author.handle == "maija"
    assert comment.created_at == dt.datetime(2026, 11, 23, 7, 49, 1, 940000, tzinfo=dt.UTC)
    assert comment.permalink == "https://some.example/@maija/109500000000000201"
    assert comment.media_urls == ("https://files.some.example/media_attachments/files/022/348/641/original/e96382f26c72a29c.jpeg",)
    assert comment.extra["notification_id"] == "34975861"
    assert comment.extra["visibility"] == "public"
    assert comment.raw["status"]["content"].startswith("<p>")       # the payload as sent, for the archive
    assert comment.raw["created_at"] == "2026-11-23T07:49:02.064Z"
    assert not comment.from_us

    assert reply.kind == InteractionKind.REPLY
    assert reply.parent_id == "109500000000000201"
    assert reply.post_id == ""
    assert reply.author.handle == "erkki@toinen.example"
    assert reply.text == (
        "@maija @joroisten_kunta Sama juttu Kolmisopella. Katso "
        "https://www.joroinen.fi/liikenne/tiedotteet/kirkkotie-2026"
    )

    assert mention.kind == InteractionKind.MENTION
    assert mention.parent_id == ""
    assert mention.text == 'Fråga om simhallen\n\nVet @joroisten_kunta när simhallen öppnar? Tack! <3 "Åbo" \'Jorois\''
    assert mention.extra["language"] == "sv"

    assert message.kind == InteractionKind.MESSAGE
    assert message.extra["visibility"] == "direct"
    assert message.text == "@joroisten_kunta Hei, voinko kysyä yksityisesti jätemaksusta?"


def test_fetch__with_a_cursor_follows_the_link_header_to_newer_pages_until_empty(mastodon: HTTPServer, connector) -> None:
    def notifications(request: Request) -> Response:
        min_id = request.args.get("min_id")
        if min_id == "34975800":
            return json_response(recorded("notifications_page1.json"), headers=rate_headers() | {"Link": _link(mastodon, older="34975861", newer="34975890")})
        if min_id == "34975890":
            return json_response(recorded("notifications_page2.json"), headers=rate_headers() | {"Link": _link(mastodon, older="34975900", newer="34975900")})
        if min_id == "34975900":
            return json_response(recorded("notifications_empty.json"), headers=rate_headers(remaining=10))
        return Response("unexpected", status=400)

    mastodon.expect_request("/api/v1/notifications", method="GET").respond_with_handler(notifications)

    batch = connector.fetch_interactions(Cursor("34975800"))

    assert batch.outcome == Outcome.OK, batch.message
    assert [i.platform_id for i in batch.items] == [
        "109500000000000201", "109500000000000202", "109500000000000203", "109500000000000204", "109500000000000205",
    ]
    assert batch.cursor == Cursor("34975900")
    sent = [(r.args.get("min_id"), r.args.getlist("types[]")) for r in requests_to(mastodon, "/api/v1/notifications")]
    assert sent == [("34975800", ["mention"]), ("34975890", ["mention"]), ("34975900", ["mention"])]
    newest = batch.items[-1]
    assert newest.kind == InteractionKind.COMMENT and newest.post_id == "109500000000000300"


def test_fetch__nothing_new_keeps_the_cursor(mastodon: HTTPServer, connector) -> None:
    mastodon.expect_request("/api/v1/notifications").respond_with_response(json_response([]))

    batch = connector.fetch_interactions(Cursor("34975900"))

    assert batch.outcome == Outcome.OK
    assert batch.items == []
    assert batch.cursor == Cursor("34975900")


def test_fetch__stops_after_max_pages(mastodon: HTTPServer, make_connector) -> None:
    mastodon.expect_request("/api/v1/notifications").respond_with_response(
        json_response(recorded("notifications_page1.json"), headers=rate_headers() | {"Link": _link(mastodon, older="34975861", newer="34975890")})
    )

    batch = make_connector(max_pages=2).fetch_interactions(Cursor("34975800"))

    assert len(requests_to(mastodon, "/api/v1/notifications")) == 2
    assert len(batch.items) == 4        # the same page twice is read once
    assert batch.cursor == Cursor("34975890")


def test_fetch__skips_notifications_missing_fields_and_ignores_unknown_ones(mastodon: HTTPServer, connector) -> None:
    mastodon.expect_request("/api/v1/notifications").respond_with_response(json_response(recorded("notifications_missing_fields.json")))

    batch = connector.fetch_interactions(Cursor("34975900"))

    assert batch.outcome == Outcome.OK
    [item] = batch.items
    assert item.platform_id == "109500000000000206"
    assert item.text == "Uusi kenttä"
    assert batch.cursor == Cursor("34975951")      # past the broken one too, so it is not read forever
    assert "1 notifications" in batch.message and "skipped" in batch.message


def test_fetch__revoked_token_keeps_the_cursor_and_says_so(mastodon: HTTPServer, connector) -> None:
    mastodon.expect_request("/api/v1/notifications").respond_with_response(json_response(recorded("error_401.json"), status=401))

    batch = connector.fetch_interactions(Cursor("34975800"))

    assert batch.outcome == Outcome.UNAUTHORIZED
    assert batch.items == []
    assert batch.cursor == Cursor("34975800")
    assert "reconnect" in batch.message
    assert "The access token is invalid" in batch.message


def test_fetch__rate_limit_on_a_later_page_keeps_what_was_read(mastodon: HTTPServer, connector) -> None:
    def notifications(request: Request) -> Response:
        if request.args.get("min_id") == "34975800":
            return json_response(recorded("notifications_page1.json"), headers=rate_headers(remaining=1) | {"Link": _link(mastodon, older="34975861", newer="34975890")})
        return json_response(recorded("error_429.json"), status=429, headers=rate_headers(remaining=0, reset_in=90))

    mastodon.expect_request("/api/v1/notifications").respond_with_handler(notifications)

    batch = connector.fetch_interactions(Cursor("34975800"))

    assert batch.outcome == Outcome.OK
    assert len(batch.items) == 4
    assert batch.cursor == Cursor("34975890")
    assert batch.retry_after is not None and 60 <= batch.retry_after <= 91
    assert "More mentions are waiting" in batch.message


def test_fetch__rate_limited_at_once_reports_when_to_come_back(mastodon: HTTPServer, connector) -> None:
    mastodon.expect_request("/api/v1/notifications").respond_with_response(
        json_response(recorded("error_429.json"), status=429, headers=rate_headers(remaining=0, reset_in=240))
    )

    batch = connector.fetch_interactions(Cursor("34975800"))

    assert batch.outcome == Outcome.RATE_LIMITED
    assert batch.retry_after is not None and 200 <= batch.retry_after <= 241
    assert batch.cursor == Cursor("34975800")


def test_fetch__html_instead_of_json_is_a_failure_not_a_crash(mastodon: HTTPServer, connector) -> None:
    mastodon.expect_request("/api/v1/notifications").respond_with_data(
        recorded_text("maintenance_200.html"), content_type="text/html",
    )

    batch = connector.fetch_interactions(Cursor("1"))

    assert batch.outcome == Outcome.FAILED
    assert "maintenance" in batch.message
    assert batch.cursor == Cursor("1")


def test_fetch__a_json_object_where_a_list_belongs_is_a_failure(mastodon: HTTPServer, connector) -> None:
    mastodon.expect_request("/api/v1/notifications").respond_with_response(json_response({"notifications": []}))

    batch = connector.fetch_interactions(Cursor("1"))

    assert batch.outcome == Outcome.FAILED
