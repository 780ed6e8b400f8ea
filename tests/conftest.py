"""Test settings and shared fixtures.

Tasks run immediately, mail goes to a real SMTP server (aiosmtpd) when a test asks for
`smtp_server`, and the database is SQLite unless DATABASE_URL names PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from tests.factories import OrganizationFactory, PersonFactory, make_user_person

_DB_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses the database may use all of them: with SQLite the webhook
    deliveries live in a journal database of their own (somevahti.inbox.routers)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None and not _DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            continue
        kwargs = dict(marker.kwargs) if marker else {}
        if "databases" in kwargs:
            continue
        kwargs["databases"] = "__all__"
        item.add_marker(pytest.mark.django_db(*(marker.args if marker else ()), **kwargs), append=False)


@dataclass
class SmtpInbox:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


@pytest.fixture
def smtp_server(settings: pytest.FixtureRequest) -> Iterator[SmtpInbox]:
    """A real SMTP server on loopback; Django's SMTP backend sends to it."""
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox(host="127.0.0.1", port=0)

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
            inbox.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
            return "250 OK"

    import socket

    with socket.socket() as probe:  # aiosmtpd cannot listen on port 0: find a free port first
        probe.bind(("127.0.0.1", 0))
        inbox.port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=inbox.port)
    controller.start()
    settings.MAILERS = {  # type: ignore[attr-defined]
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": inbox.port, "timeout": 10},
        }
    }
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def organization(db):  # type: ignore[no-untyped-def]
    return OrganizationFactory(slug="joroinen", name="Joroisten kunta")


@pytest.fixture
def user_with_role(organization):  # type: ignore[no-untyped-def]
    """make(role) → a signed-in-able user whose person has that role in `organization`."""

    def make(*roles: str, **person_fields):  # type: ignore[no-untyped-def]
        return make_user_person(organization, roles=roles, **person_fields)

    return make


@pytest.fixture
def client_as(client, user_with_role):  # type: ignore[no-untyped-def]
    """client_as("comms_lead") → the test client signed in as a person with that role."""

    def sign_in(*roles: str, **person_fields):  # type: ignore[no-untyped-def]
        user, _person = user_with_role(*roles, **person_fields)
        client.force_login(user)
        return client

    return sign_in


__all__ = ["PersonFactory", "SmtpInbox"]
