"""Fixtures for people: iCalendar files written after RFC 5545 and a real local HTTP server."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from somevahti.core.calendar import HELSINKI
from tests.factories import PersonFactory

ICS_DIR = Path(__file__).parent / "ics"
# "Now" for the tests: Monday 2 March 2026 at noon in Helsinki.
NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=HELSINKI)


def ics(name: str) -> bytes:
    return (ICS_DIR / name).read_bytes()


def calendar(*events: str) -> bytes:
    """A small calendar around hand-written VEVENT lines, with CRLF line ends."""
    lines = ["BEGIN:VCALENDAR", "PRODID:-//Somevahti tests//EN", "VERSION:2.0"]
    for event in events:
        lines += ["BEGIN:VEVENT", *event.strip().splitlines(), "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(line.strip() for line in lines) + "\r\n").encode()


@dataclass
class Route:
    status: int = 200
    content_type: str = "text/calendar; charset=utf-8"
    body: bytes = b""
    location: str = ""
    send_length: bool = True


@dataclass
class CalendarServer:
    base: str
    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def calendar_server() -> Iterator[CalendarServer]:
    """A real HTTP server on loopback answering whatever the test puts in `routes`."""
    server_state = CalendarServer(base="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server_state.hits.append(self.path)
            route = server_state.routes.get(self.path, Route(status=404, content_type="text/plain", body=b"not found"))
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            if route.location:
                self.send_header("Location", route.location)
            if route.send_length:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            try:
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading a body that was too large

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    server_state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def person(organization):  # type: ignore[no-untyped-def]
    return PersonFactory(organization=organization, name="Aino Virtanen", email="aino.virtanen@joroinen.fi")


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    """Messages are asserted in English (the msgids); the Finnish catalogue may translate them."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def smtp_server(settings):  # type: ignore[no-untyped-def]
    """The shared `smtp_server`, on a port chosen beforehand.

    aiosmtpd's Controller checks that it started by connecting to the port it was given, so
    port 0 fails with "connection refused"; tests/conftest.py has that bug (reported to the lead).
    """
    import socket
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    from tests.conftest import SmtpInbox

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = SmtpInbox(host="127.0.0.1", port=port)

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            inbox.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _english_by_default(settings):  # type: ignore[no-untyped-def]
    """These tests read English messages; the Finnish ones are tested where a test asks for them."""
    settings.LANGUAGE_CODE = "en"
