"""Mastodon (any instance) through Mastodon.py: client.py (HTTP), parsers.py (JSON), connector.py."""

from .connector import MastodonConnector

__all__ = ["MastodonConnector"]
