"""Shared pieces for the Meta adapter tests: recorded payloads served by pytest-httpserver."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from somevahti.connectors.base import Credentials
from somevahti.connectors.meta import GRAPH_API_VERSION, FacebookConnector, InstagramConnector

RECORDED = Path(__file__).parent / "recorded"
PAGE = "104000000000001"
IG = "17841400000000001"
TOKEN = "EAAG-secret-page-token-xyz"
APP_SECRET = "app-secret-0123456789abcdef"
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
V = f"/{GRAPH_API_VERSION}"


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def recorded_bytes(name: str) -> bytes:
    return (RECORDED / name).read_bytes()


class Graph:
    """A fake Graph host: serve recorded answers, then look at what the adapter sent."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server

    @property
    def base_url(self) -> str:
        return self.server.url_for("/")

    def on(
        self, method: str, path: str, answer: str | dict[str, Any] | bytes, *, status: int = 200,
        headers: dict[str, str] | None = None, query: dict[str, str] | None = None,
    ) -> None:
        if isinstance(answer, str):
            body = recorded_bytes(answer)
        elif isinstance(answer, bytes):
            body = answer
        else:
            body = json.dumps(answer).encode()
        self.server.expect_request(f"{V}/{path}", method=method, query_string=query).respond_with_response(
            Response(body, status=status, headers=headers or {}, content_type="application/json")
        )

    def requests(self) -> list[Request]:
        return [request for request, _ in self.server.log]

    def sent(self, method: str, path: str) -> list[dict[str, str]]:
        """The parameters (query and form) of each request to `path`."""
        found = []
        for request in self.requests():
            if request.method == method and request.path == f"{V}/{path}":
                params = {k: v[0] for k, v in parse_qs(request.query_string.decode()).items()}
                params.update({k: v for k, v in request.form.items()})
                found.append(params)
        return found


@pytest.fixture
def graph(httpserver: HTTPServer) -> Graph:
    return Graph(httpserver)


@pytest.fixture
def facebook(graph: Graph) -> FacebookConnector:
    return FacebookConnector(
        credentials=Credentials(platform_id=PAGE, token=TOKEN, extra={"app_secret": APP_SECRET}),
        platform="facebook", base_url=graph.base_url, now=lambda: NOW,
    )


@pytest.fixture
def instagram(graph: Graph) -> InstagramConnector:
    return InstagramConnector(
        credentials=Credentials(platform_id=IG, token=TOKEN, handle="joroistenkunta", extra={"page_id": PAGE}),
        platform="instagram", base_url=graph.base_url, now=lambda: NOW,
    )
