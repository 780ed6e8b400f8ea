"""The guard that keeps server-side fetches (calendar and bulletin feeds) out of the internal network.

No test here sends anything: IP literals and patched name lookups are judged before a request
would leave, and the clients in these tests answer through httpx.MockTransport.
"""

import socket

import httpx
import pytest

from somevahti.core.fetch import PrivateAddressRefused, public_client, refuse_private_addresses


@pytest.fixture
def guarded(settings):
    settings.ICS_FEED_ALLOW_PRIVATE = False
    return settings


def resolving(monkeypatch, names: dict[str, list[str]]) -> None:
    """Name lookups answer from `names`; any other name does not resolve."""

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in names[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def answering(seen: list[str]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/siirretty":
            return httpx.Response(302, headers={"Location": "http://10.1.2.3/kalenteri.ics"})
        return httpx.Response(200, text="BEGIN:VCALENDAR")

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/kalenteri.ics",
        "http://127.8.9.10:8080/kalenteri.ics",
        "http://[::1]/kalenteri.ics",
        "http://[::ffff:127.0.0.1]/kalenteri.ics",
        "http://0.0.0.0/kalenteri.ics",
    ],
)
def test_guard__refuses_loopback_over_ipv4_and_ipv6(guarded, url):
    with pytest.raises(PrivateAddressRefused):
        refuse_private_addresses(httpx.Request("GET", url))


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.5/feed.rss",
        "https://172.16.0.1/feed.rss",
        "https://172.31.255.254/feed.rss",
        "https://192.168.1.10/feed.rss",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fd12:3456:789a::1]/feed.rss",
        "https://[fe80::1]/feed.rss",
        "https://100.64.0.1/feed.rss",
        "https://[::ffff:10.0.0.5]/feed.rss",
    ],
)
def test_guard__refuses_private_and_link_local_ranges(guarded, url):
    with pytest.raises(PrivateAddressRefused):
        refuse_private_addresses(httpx.Request("GET", url))


def test_guard__refuses_a_name_that_resolves_to_loopback(guarded, monkeypatch):
    resolving(monkeypatch, {"kalenteri.joroinen.fi": ["127.0.0.1"]})
    with pytest.raises(PrivateAddressRefused) as refused:
        refuse_private_addresses(httpx.Request("GET", "https://kalenteri.joroinen.fi/k.ics"))
    assert refused.value.host == "kalenteri.joroinen.fi"


def test_guard__refuses_a_name_with_one_internal_address_among_public_ones(guarded, monkeypatch):
    resolving(monkeypatch, {"www.joroinen.fi": ["93.184.215.14", "2a00:1450:4001::1", "192.168.0.7"]})
    with pytest.raises(PrivateAddressRefused):
        refuse_private_addresses(httpx.Request("GET", "https://www.joroinen.fi/tiedotteet.rss"))


def test_guard__lets_public_addresses_and_unresolvable_names_through(guarded, monkeypatch):
    resolving(monkeypatch, {"www.joroinen.fi": ["93.184.215.14", "2a00:1450:4001::1"]})
    refuse_private_addresses(httpx.Request("GET", "https://www.joroinen.fi/tiedotteet.rss"))
    refuse_private_addresses(httpx.Request("GET", "https://93.184.215.14/tiedotteet.rss"))
    # A name that does not resolve is left to the request, which then fails as unreachable.
    refuse_private_addresses(httpx.Request("GET", "https://ei-ole.invalid/tiedotteet.rss"))


def test_guard__allows_internal_addresses_when_the_setting_says_so(settings, monkeypatch):
    settings.ICS_FEED_ALLOW_PRIVATE = True
    resolving(monkeypatch, {"intranet.joroinen.local": ["10.0.0.5"]})
    refuse_private_addresses(httpx.Request("GET", "http://127.0.0.1/kalenteri.ics"))
    refuse_private_addresses(httpx.Request("GET", "http://[::1]/kalenteri.ics"))
    refuse_private_addresses(httpx.Request("GET", "http://intranet.joroinen.local/kalenteri.ics"))


def test_public_client__sends_nothing_to_an_internal_address(guarded):
    seen: list[str] = []
    with public_client(timeout=5, max_redirects=3, transport=answering(seen)) as client:
        with pytest.raises(PrivateAddressRefused):
            client.get("http://192.168.1.1/kalenteri.ics")
    assert seen == []


def test_public_client__refuses_a_redirect_into_the_internal_network(guarded):
    seen: list[str] = []
    with public_client(timeout=5, max_redirects=3, transport=answering(seen)) as client:
        with pytest.raises(PrivateAddressRefused) as refused:
            client.get("https://93.184.215.14/siirretty")
    assert seen == ["https://93.184.215.14/siirretty"]
    assert refused.value.host == "10.1.2.3"


def test_public_client__reads_a_public_address_and_sends_the_given_headers(guarded):
    seen: list[str] = []
    with public_client(
        timeout=5, max_redirects=3, headers={"User-Agent": "Somevahti test"}, transport=answering(seen)
    ) as client:
        response = client.get("https://93.184.215.14/kalenteri.ics")
    assert response.text == "BEGIN:VCALENDAR"
    assert response.request.headers["User-Agent"] == "Somevahti test"


def test_public_client__follows_at_most_the_given_number_of_redirects(settings):
    settings.ICS_FEED_ALLOW_PRIVATE = True

    def loop(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "/taas"})

    with public_client(timeout=5, max_redirects=2, transport=httpx.MockTransport(loop)) as client:
        with pytest.raises(httpx.TooManyRedirects):
            client.get("http://127.0.0.1/alku")
