"""Graph errors, garbage, timeouts and rate-limit usage become outcomes, never exceptions."""

from __future__ import annotations

import json

import httpx
import pytest

from somevahti.connectors.base import Credentials, Cursor, InteractionRef, Outcome, OutgoingPost
from somevahti.connectors.meta import FacebookConnector
from somevahti.connectors.meta.client import parse_usage

from .conftest import NOW, PAGE, TOKEN, Graph

POST_ID = f"{PAGE}_200000000000001"
BUC_HIGH = json.dumps({PAGE: [{"type": "pages", "call_count": 95, "total_cputime": 20, "total_time": 30, "estimated_time_to_regain_access": 7}]})
BUC_LOW = json.dumps({PAGE: [{"type": "pages", "call_count": 12, "total_cputime": 3, "total_time": 4, "estimated_time_to_regain_access": 0}]})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _connector(graph: Graph, clock: Clock | None = None, **options) -> FacebookConnector:
    return FacebookConnector(
        credentials=Credentials(platform_id=PAGE, token=TOKEN), base_url=graph.base_url, now=lambda: NOW,
        clock=clock or Clock(), **options,
    )


@pytest.mark.parametrize(
    ("answer", "status", "outcome", "words"),
    [
        ("error_token_expired.json", 400, Outcome.UNAUTHORIZED, "expired"),
        ("error_page_rate_limit.json", 400, Outcome.RATE_LIMITED, "rate limit"),
        ("error_buc_rate_limit.json", 403, Outcome.RATE_LIMITED, "rate limit"),
        ("error_not_found.json", 400, Outcome.NOT_FOUND, "no longer exists"),
        ("error_policy_block.json", 400, Outcome.FAILED, "policy"),
        ("error_permission.json", 403, Outcome.FAILED, "pages_manage_posts"),
        ("error_permission_10.json", 403, Outcome.FAILED, "pages_manage_engagement"),
        ("error_invalid_parameter.json", 400, Outcome.FAILED, "Invalid parameter"),
        ("error_temporary.json", 500, Outcome.FAILED, "temporary"),
    ],
)
def test_graph_errors__become_outcomes_with_clear_messages(graph: Graph, answer: str, status: int, outcome: Outcome, words: str) -> None:
    graph.on("POST", "c1/comments", answer, status=status)

    result = _connector(graph).reply(InteractionRef("c1"), "Hei")

    assert result.outcome == outcome
    assert words in result.message


@pytest.mark.parametrize(
    ("status", "body", "outcome"),
    [
        (500, b"<html><body>Internal error</body></html>", Outcome.FAILED),
        (200, b"<html>not json</html>", Outcome.FAILED),
        (200, b'{"id": "12', Outcome.FAILED),
        (502, b"", Outcome.FAILED),
        (401, b"", Outcome.UNAUTHORIZED),
        (403, b"Forbidden", Outcome.FAILED),
        (404, b"", Outcome.NOT_FOUND),
        (429, b"", Outcome.RATE_LIMITED),
        (200, b'{"unexpected": true}', Outcome.FAILED),
    ],
)
def test_bad_answers__never_raise(graph: Graph, status: int, body: bytes, outcome: Outcome) -> None:
    graph.on("POST", f"{PAGE}/feed", body, status=status)

    result = _connector(graph).publish(OutgoingPost(text="Hei"))

    assert result.outcome == outcome
    assert result.message


def test_timeouts_and_refused_connections__are_failures_with_a_message() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    connector = FacebookConnector(
        credentials=Credentials(platform_id=PAGE, token=TOKEN),
        http_client=httpx.Client(transport=httpx.MockTransport(timeout)),
    )
    result = connector.health()
    assert result.outcome == Outcome.FAILED and "timed out" in result.message

    refused = FacebookConnector(credentials=Credentials(platform_id=PAGE, token=TOKEN), base_url="http://127.0.0.1:9", timeout=2)
    batch = refused.fetch_interactions(Cursor())
    assert batch.outcome == Outcome.FAILED and "could not be reached" in batch.message


def test_rate_limit__retry_after_comes_from_the_business_usage_header(graph: Graph) -> None:
    graph.on("POST", "c1/comments", "error_buc_rate_limit.json", status=403, headers={"X-Business-Use-Case-Usage": BUC_HIGH})

    result = _connector(graph).reply(InteractionRef("c1"), "Hei")

    assert result.outcome == Outcome.RATE_LIMITED
    assert result.retry_after == 7 * 60
    assert result.usage["business_call_count"] == 95


def test_rate_limit__without_a_header_a_default_wait_is_given(graph: Graph) -> None:
    graph.on("POST", "c1/comments", "error_page_rate_limit.json", status=400)

    result = _connector(graph).reply(InteractionRef("c1"), "Hei")

    assert result.outcome == Outcome.RATE_LIMITED and result.retry_after == 600


def test_rate_limit__after_a_refusal_the_connector_waits_without_calling(graph: Graph) -> None:
    clock = Clock()
    connector = _connector(graph, clock)
    graph.on("POST", "c1/comments", "error_page_rate_limit.json", status=400)
    connector.reply(InteractionRef("c1"), "Hei")
    calls = len(graph.requests())

    clock.now += 60
    second = connector.reply(InteractionRef("c1"), "Hei")

    assert second.outcome == Outcome.RATE_LIMITED and second.retry_after == 540
    assert len(graph.requests()) == calls


def test_usage__high_usage_blocks_the_next_call_until_the_window_passes(graph: Graph) -> None:
    clock = Clock()
    connector = _connector(graph, clock)
    graph.on("GET", "me", "fb_me.json", headers={"X-Business-Use-Case-Usage": BUC_HIGH, "X-App-Usage": '{"call_count":5,"total_time":5,"total_cputime":5}'})
    graph.on("POST", f"{PAGE}/feed", "fb_post_created.json", headers={"X-Business-Use-Case-Usage": BUC_LOW})
    graph.on("GET", POST_ID, "fb_post_permalink.json", headers={"X-Business-Use-Case-Usage": BUC_LOW})

    health = connector.health()
    blocked = connector.publish(OutgoingPost(text="Hei"))
    blocked_batch = connector.fetch_interactions(Cursor("c"))
    clock.now += 601
    allowed = connector.publish(OutgoingPost(text="Hei"))

    assert health.outcome == Outcome.OK
    assert health.usage == {"app_call_count": 5, "app_total_time": 5, "app_total_cputime": 5, "business_call_count": 95,
                            "business_total_cputime": 20, "business_total_time": 30, "max": 95, "regain_minutes": 7}
    assert blocked.outcome == Outcome.RATE_LIMITED and blocked.retry_after == 600
    assert blocked_batch.outcome == Outcome.RATE_LIMITED and blocked_batch.cursor == Cursor("c")
    assert graph.sent("POST", f"{PAGE}/feed") == [graph.sent("POST", f"{PAGE}/feed")[0]]
    assert allowed.outcome == Outcome.OK
    assert allowed.usage["business_call_count"] == 12


def test_usage__garbage_headers_are_ignored() -> None:
    usage = parse_usage({"X-App-Usage": "{not json", "X-Business-Use-Case-Usage": '{"1": "x", "2": [1, {"call_count": "40"}]}'})
    assert usage.values == {"business_call_count": 40.0}
    assert parse_usage({}).as_dict() == {}


def test_unknown_fields__in_answers_are_ignored(graph: Graph) -> None:
    graph.on("GET", "me", {"id": PAGE, "name": "Joroisten kunta", "brand_new_field": {"deep": [1, 2]}})
    assert _connector(graph).health().outcome == Outcome.OK


def test_missing_fields__in_a_created_answer_fail_clearly(graph: Graph) -> None:
    graph.on("POST", "c1/comments", {"not_id": "x"})
    result = _connector(graph).reply(InteractionRef("c1"), "Hei")
    assert result.outcome == Outcome.FAILED and "did not say what it created" in result.message


def test_comments__missing_times_or_ids_are_skipped_not_crashed(graph: Graph) -> None:
    graph.on("GET", f"{PAGE}/published_posts", {"data": [{"id": POST_ID, "created_time": "2026-11-24T00:00:00+0000"}, {"no": "id"}]})
    graph.on("GET", f"{POST_ID}/comments", {"data": [
        {"id": "1_1", "message": "ei aikaa"},
        {"message": "ei id:tä", "created_time": "2026-11-24T01:00:00+0000"},
        {"id": "1_2", "message": "hyvä", "created_time": "2026-11-24T02:00:00+0000", "from": "not an object"},
        "not a dict",
    ]})
    graph.on("GET", f"{PAGE}/conversations", {"data": [{"id": "t_1", "messages": "garbage"}]})

    batch = _connector(graph).fetch_interactions(Cursor())

    assert batch.outcome == Outcome.OK
    assert [i.platform_id for i in batch.items] == ["1_2"]
    assert batch.items[0].author.platform_id == ""

