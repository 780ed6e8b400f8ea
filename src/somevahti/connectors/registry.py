"""Which adapter serves which platform: named in settings, like Django's backends.

    SOMEVAHTI_CONNECTORS = {"facebook": "somevahti.connectors.meta.connector.FacebookConnector", ...}

The demo and the tests name `somevahti.connectors.fake.FakeConnector` for every platform.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Capability, Connector, Credentials

DEFAULT_CONNECTORS = {
    "facebook": "somevahti.connectors.meta.connector.FacebookConnector",
    "instagram": "somevahti.connectors.meta.connector.InstagramConnector",
    "bluesky": "somevahti.connectors.bluesky.connector.BlueskyConnector",
    "mastodon": "somevahti.connectors.mastodon.connector.MastodonConnector",
}


def connector_path(platform: str) -> str:
    configured: dict[str, str] = getattr(settings, "SOMEVAHTI_CONNECTORS", {}) or {}
    path = configured.get(platform) or configured.get("*") or DEFAULT_CONNECTORS.get(platform)
    if path is None:
        raise LookupError(f"no connector for platform {platform!r}")
    return path


def connector_for(platform: str, credentials: Credentials, **options: Any) -> Connector:
    cls = import_string(connector_path(platform))
    return cls(credentials=credentials, platform=platform, **options)  # type: ignore[no-any-return]


def capabilities_for(platform: str) -> frozenset[Capability]:
    """What the platform's adapter can do, known without building it (no token is decrypted).

    An adapter that serves several platforms (the in-memory fake) narrows it per platform with a
    `capabilities_on(platform)` class method."""
    cls = import_string(connector_path(platform))
    narrowed = getattr(cls, "capabilities_on", None)
    if callable(narrowed):
        return frozenset(narrowed(platform))
    return frozenset(cls.capabilities)
