"""Bluesky (AT Protocol) adapter: plain XRPC over httpx against the account's PDS."""

from .connector import BlueskyConnector

__all__ = ["BlueskyConnector"]
