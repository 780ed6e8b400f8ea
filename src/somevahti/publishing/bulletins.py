"""The organization's own bulletins (tiedotteet), read from its website's RSS 2.0 or Atom feed,
and how much a draft repeats one of them (CONTENT-NOT-BULLETIN: "Sosiaalisen median viestinnän
ei tule vain toistaa kunnan virallisia tiedotteita ja kotisivujen sisältöjä").

Similarity is containment of word 3-gram shingles: the share of the draft's three-word
sequences that also appear in the bulletin. A draft that copies a bulletin, even shortened or
with a sentence added, scores near 1; a post that tells the same news in its own words scores
near 0.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import xml.etree.ElementTree as ET  # noqa: S405 - element types only; parsing goes through defusedxml
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from somevahti.core.fetch import PrivateAddressRefused, public_client

FEED_MAX_BYTES = 5 * 1024 * 1024
FEED_TIMEOUT = 15.0
FEED_MAX_REDIRECTS = 3
MAX_ITEMS = 200
SHINGLE = 3
MIN_SHINGLES = 4          # drafts shorter than this are not compared
DEFAULT_THRESHOLD = 0.6

_WORD = re.compile(r"\w+", re.UNICODE)
_TAG = re.compile(r"<[^>]+>")
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


class FeedError(ValueError):
    """A feed that cannot be read; the message says why, translated."""


@dataclass(frozen=True)
class FeedItem:
    url: str
    title: str
    text: str
    published_at: dt.datetime | None


# --- fetching ---------------------------------------------------------------------------------


def fetch_feed(url: str) -> bytes:
    """GET the feed with a time limit, a size limit, few redirects and no internal addresses."""
    # The same guard as calendar feeds (core.fetch): every request, redirects included, must reach
    # a public address unless ICS_FEED_ALLOW_PRIVATE is set (tests, closed intranets).
    if not url.lower().startswith(("https://", "http://")):
        raise FeedError(_("The feed address must begin with https:// or http://."))
    try:
        with public_client(
            timeout=FEED_TIMEOUT,
            max_redirects=FEED_MAX_REDIRECTS,
            headers={"User-Agent": "Somevahti bulletin reader", "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"},
        ) as client, client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise FeedError(
                    _("The feed address answered %(status)s instead of a feed.") % {"status": response.status_code}
                )
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > FEED_MAX_BYTES:
                raise _too_large()
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > FEED_MAX_BYTES:
                    raise _too_large()
    except PrivateAddressRefused:
        raise FeedError(_("The feed address points into an internal network; only public addresses can be read.")) from None
    except httpx.TooManyRedirects:
        raise FeedError(_("The feed address redirects too many times.")) from None
    except httpx.TimeoutException:
        raise FeedError(
            _("The feed address did not answer within %(seconds)s seconds.") % {"seconds": f"{FEED_TIMEOUT:g}"}
        ) from None
    except httpx.HTTPError as exc:
        raise FeedError(_("The feed address could not be reached: %(problem)s") % {"problem": exc}) from None
    return bytes(body)


def _too_large() -> FeedError:
    return FeedError(_("The feed is larger than %(max)s, the largest allowed.") % {"max": filesizeformat(FEED_MAX_BYTES)})


# --- parsing ----------------------------------------------------------------------------------


def _plain(value: str | None) -> str:
    """Text of an HTML fragment: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(_TAG.sub(" ", value or "")).split())


def _date(value: str | None) -> dt.datetime | None:
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        moment = parsedate_to_datetime(value)  # RSS: RFC 822
    except (TypeError, ValueError):
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))  # Atom: RFC 3339
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def parse_feed(body: bytes) -> list[FeedItem]:
    """Items of an RSS 2.0 or Atom feed. Anything else is a FeedError that says what it was."""
    head = body[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:300]:
        raise FeedError(_("The address returned a web page, not a feed. Copy the address of the site's RSS or Atom feed."))
    # Entity expansion (billion laughs, external entities) is refused twice over: a feed that
    # declares a DOCTYPE or entities is turned away before parsing, and defusedxml forbids them.
    # Real news feeds never need a DOCTYPE.
    if _DECLARATION.search(body):
        raise FeedError(_("The feed declares a DOCTYPE or entities, which are not accepted."))
    try:
        root = fromstring(body, forbid_dtd=True)
    except DefusedXmlException:
        raise FeedError(_("The feed declares a DOCTYPE or entities, which are not accepted.")) from None
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise FeedError(
            _("The feed is not valid XML (line %(line)s, column %(column)s).") % {"line": line, "column": column}
        ) from None
    items: list[FeedItem] = []
    if root.tag == "rss":
        channel = root.find("channel")
        for item in (channel.findall("item") if channel is not None else [])[:MAX_ITEMS]:
            link = (item.findtext("link") or item.findtext("guid") or "").strip()
            text = item.findtext(CONTENT) or item.findtext("description")
            items.append(FeedItem(link, _plain(item.findtext("title"))[:500], _plain(text), _date(item.findtext("pubDate"))))
    elif root.tag == f"{ATOM}feed":
        for entry in root.findall(f"{ATOM}entry")[:MAX_ITEMS]:
            link = ""
            for candidate in entry.findall(f"{ATOM}link"):
                if candidate.get("rel", "alternate") == "alternate":
                    link = candidate.get("href", "")
                    break
            text = entry.findtext(f"{ATOM}content") or entry.findtext(f"{ATOM}summary")
            published = entry.findtext(f"{ATOM}published") or entry.findtext(f"{ATOM}updated")
            items.append(FeedItem(link.strip(), _plain(entry.findtext(f"{ATOM}title"))[:500], _plain(text), _date(published)))
    else:
        raise FeedError(
            _("The address returned XML that is not an RSS or Atom feed (its root element is %(tag)s).")
            % {"tag": root.tag.rsplit("}", 1)[-1]}
        )
    return [item for item in items if item.url.startswith(("https://", "http://")) and (item.title or item.text)]


# --- similarity -------------------------------------------------------------------------------


def shingles(text: str, size: int = SHINGLE) -> frozenset[tuple[str, ...]]:
    words = [w.casefold() for w in _WORD.findall(text)]
    return frozenset(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def containment(draft: frozenset[tuple[str, ...]], source: frozenset[tuple[str, ...]]) -> float:
    """Share of the draft's shingles found in the source (0 for a draft too short to judge)."""
    if len(draft) < MIN_SHINGLES:
        return 0.0
    return len(draft & source) / len(draft)


def threshold() -> float:
    return float(getattr(settings, "BULLETIN_SIMILARITY_THRESHOLD", DEFAULT_THRESHOLD))
