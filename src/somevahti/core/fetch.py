"""Fetching an address that a person gave us, without letting it reach the internal network.

Calendar feeds (people) and bulletin feeds (publishing) are read by the server from addresses
typed into a form. Such an address could point at the server itself or at the municipality's
internal network (server-side request forgery), so every request, each redirect included, is
checked before it is sent: when the host resolves to any loopback, private, link-local,
reserved, multicast or unspecified address, `PrivateAddressRefused` is raised and nothing is
sent. ICS_FEED_ALLOW_PRIVATE lifts the check for every such fetch (the tests, closed
intranets).

Callers use `public_client()`, an `httpx.Client` that follows a limited number of redirects
with the guard installed, and turn `PrivateAddressRefused` into their own translated message.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping

import httpx
from django.conf import settings


class PrivateAddressRefused(Exception):
    """The host of a request resolves into the internal network; nothing was sent to it."""

    def __init__(self, host: str) -> None:
        super().__init__(host)
        self.host = host


def is_public_address(address: str) -> bool:
    """Whether an IPv4 or IPv6 address (with or without a %zone) may be fetched from."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # is_global also leaves out the shared address space of carrier-grade NAT (100.64.0.0/10).
    return ip.is_global and not ip.is_multicast


def refuse_private_addresses(request: httpx.Request) -> None:
    """An httpx request hook: PrivateAddressRefused unless every address of the host is public.

    A host that does not resolve passes: the request itself then fails with a clear "could not
    be reached". ICS_FEED_ALLOW_PRIVATE lifts the check.
    """
    if getattr(settings, "ICS_FEED_ALLOW_PRIVATE", False):
        return
    host = request.url.host
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, request.url.port or 443)}
    except OSError:
        return
    for address in addresses:
        if not is_public_address(str(address)):
            raise PrivateAddressRefused(host)


def public_client(
    *,
    timeout: float,
    max_redirects: int,
    headers: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """A client that follows at most `max_redirects` redirects and reaches only public addresses.

    `transport` is for tests (httpx.MockTransport); the guard runs before it either way.
    """
    return httpx.Client(
        timeout=timeout,
        follow_redirects=True,
        max_redirects=max_redirects,
        event_hooks={"request": [refuse_private_addresses]},
        headers=headers,
        transport=transport,
    )
