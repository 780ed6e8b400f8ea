"""A Mastodon instance played by pytest-httpserver, answering with recorded responses."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from somevahti.connectors.base import Credentials
from somevahti.connectors.mastodon.connector import MastodonConnector, clear_instance_cache

RECORDED = Path(__file__).parent / "recorded"
TOKEN = "s3cr3t-Mastodon-token-9f8e7d"
ACCOUNT_ID = "109348127385900001"


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def recorded_text(name: str) -> str:
    return (RECORDED / name).read_text(encoding="utf-8")


def rate_headers(*, limit: int = 300, remaining: int = 240, reset_in: float = 180.0) -> dict[str, str]:
    """The three documented headers (the test server adds its own Date header, as real ones do)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    reset = now + dt.timedelta(seconds=reset_in)
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }


def json_response(body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False), status=status, headers=headers or rate_headers(),
        content_type="application/json; charset=utf-8",
    )


@pytest.fixture(autouse=True)
def _fresh_instance_cache() -> Iterator[None]:
    clear_instance_cache()
    yield
    clear_instance_cache()


@pytest.fixture
def mastodon(httpserver: HTTPServer) -> HTTPServer:
    """The instance's address is httpserver.url_for("")."""
    return httpserver


@pytest.fixture
def make_connector(httpserver: HTTPServer) -> Callable[..., MastodonConnector]:
    def make(**options: Any) -> MastodonConnector:
        options.setdefault("timeout", 5.0)
        options.setdefault("media_poll_interval", 0.0)
        options.setdefault("sleep", lambda seconds: None)
        credentials = Credentials(
            platform_id=ACCOUNT_ID, token=TOKEN, base_url=httpserver.url_for(""), handle="joroisten_kunta",
        )
        return MastodonConnector(credentials=credentials, **options)

    return make


@pytest.fixture
def connector(make_connector: Callable[..., MastodonConnector]) -> MastodonConnector:
    return make_connector()


def serve_instance(httpserver: HTTPServer, **overrides: Any) -> None:
    body = recorded("instance_v2.json")
    body["configuration"]["statuses"].update(overrides)
    httpserver.expect_request("/api/v2/instance/", method="GET").respond_with_response(json_response(body))


def requests_to(httpserver: HTTPServer, path: str, method: str | None = None) -> list[Request]:
    return [
        request for request, _ in httpserver.log
        if request.path.rstrip("/") == path.rstrip("/") and (method is None or request.method == method)
    ]
