"""Bluesky JSON ↔ our dataclasses: post records, facets, notifications, threads, record keys.

Shapes follow the lexicons: app.bsky.feed.post (record: text, facets, reply {root, parent},
embed, langs, createdAt), app.bsky.richtext.facet (UTF-8 byte offsets),
app.bsky.notification.listNotifications and app.bsky.feed.getPostThread.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..base import Author, IncomingInteraction, InteractionKind, Verb

POST_TYPE = "app.bsky.feed.post"
WEB_ORIGIN = "https://bsky.app"

# base32-sortable, the alphabet of TIDs (https://atproto.com/specs/tid)
_S32 = "234567abcdefghijklmnopqrstuvwxyz"
# Deterministic record keys are TIDs whose time part lies in a fixed 19-hour window of 2024:
# old enough never to sort before a real new post, valid for the post lexicon's `key: tid`.
_TID_EPOCH_US = int(dt.datetime(2024, 1, 1, tzinfo=dt.UTC).timestamp()) * 1_000_000


class ParseError(ValueError):
    """Platform JSON that lacks what we need."""


# -- identifiers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AtUri:
    repo: str
    collection: str
    rkey: str

    def __str__(self) -> str:
        return f"at://{self.repo}/{self.collection}/{self.rkey}"


def parse_at_uri(uri: str) -> AtUri:
    if not isinstance(uri, str) or not uri.startswith("at://"):
        raise ParseError(f"not an at:// URI: {uri!r}")
    parts = uri[len("at://"):].split("/")
    if len(parts) != 3 or not all(parts):
        raise ParseError(f"not a record URI: {uri!r}")
    return AtUri(*parts)


def repo_of(uri: str) -> str:
    try:
        return parse_at_uri(uri).repo
    except ParseError:
        return ""


def deterministic_rkey(key: str) -> str:
    """A valid TID derived only from `key`: the same idempotency key always names the same record."""
    digest = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")
    timestamp_us = _TID_EPOCH_US + (digest >> 28) % (1 << 36)
    clock_id = digest & 0x3FF
    value = (timestamp_us << 10) | clock_id        # top bit stays 0: timestamp < 2**53
    return "".join(_S32[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def web_url(*, actor: str, rkey: str) -> str:
    return f"{WEB_ORIGIN}/profile/{actor}/post/{rkey}"


def parse_datetime(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def format_datetime(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# -- rich text -------------------------------------------------------------------------------------

# Mentions and links as the Bluesky app detects them: preceded by start, space or "(".
_MENTION = re.compile(r"(?:^|(?<=[\s(]))@([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)+)")
_LINK = re.compile(r"(?:^|(?<=[\s(]))(https?://[^\s<>\"]+)")
_TRAILING = ".,;:!?)\"'"


def mentioned_handles(text: str) -> list[str]:
    return [m.group(1).lower() for m in _MENTION.finditer(text)]


def _byte_span(text: str, start: int, end: int) -> dict[str, int]:
    byte_start = len(text[:start].encode("utf-8"))
    return {"byteStart": byte_start, "byteEnd": byte_start + len(text[start:end].encode("utf-8"))}


def build_facets(text: str, dids: Mapping[str, str]) -> list[dict[str, Any]]:
    """Facets for links and for mentions whose handle resolved (`dids`: handle → DID), in byte offsets."""
    facets: list[dict[str, Any]] = []
    for match in _MENTION.finditer(text):
        did = dids.get(match.group(1).lower())
        if did:
            facets.append({
                "index": _byte_span(text, match.start(), match.end()),
                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
            })
    for match in _LINK.finditer(text):
        uri = match.group(1).rstrip(_TRAILING)
        start = match.start(1)
        facets.append({
            "index": _byte_span(text, start, start + len(uri)),
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": uri}],
        })
    facets.sort(key=lambda facet: facet["index"]["byteStart"])
    return facets


def mentions_did(record: Mapping[str, Any], did: str) -> bool:
    for facet in record.get("facets") or ():
        if not isinstance(facet, Mapping):
            continue
        for feature in facet.get("features") or ():
            if isinstance(feature, Mapping) and feature.get("$type") == "app.bsky.richtext.facet#mention" \
                    and feature.get("did") == did:
                return True
    return False


def quotes_repo(record: Mapping[str, Any], did: str) -> bool:
    embed = record.get("embed")
    if not isinstance(embed, Mapping):
        return False
    inner = embed.get("record")
    if isinstance(inner, Mapping) and isinstance(inner.get("record"), Mapping):   # recordWithMedia
        inner = inner["record"]
    return isinstance(inner, Mapping) and repo_of(str(inner.get("uri", ""))) == did


def blob_cids(record: Mapping[str, Any]) -> list[str]:
    embed = record.get("embed")
    if isinstance(embed, Mapping) and isinstance(embed.get("media"), Mapping):      # recordWithMedia
        embed = embed["media"]
    cids: list[str] = []
    if isinstance(embed, Mapping):
        for image in embed.get("images") or ():
            ref = image.get("image", {}).get("ref", {}) if isinstance(image, Mapping) else {}
            if isinstance(ref, Mapping) and isinstance(ref.get("$link"), str):
                cids.append(ref["$link"])
    return cids


# -- interactions ----------------------------------------------------------------------------------


def _strong_ref(value: Any) -> tuple[str, str]:
    if isinstance(value, Mapping) and isinstance(value.get("uri"), str):
        return value["uri"], str(value.get("cid", ""))
    return "", ""


def interaction_from_record(
    *, uri: str, cid: str, record: Mapping[str, Any], author: Author, our_did: str,
    reason: str = "", indexed_at: str = "", media_url: str = "", raw: Mapping[str, Any] | None = None,
) -> IncomingInteraction | None:
    """A post that concerns our account, or None.

    A reply whose parent is the thread's root (one of our posts) is a COMMENT; a reply to
    anything deeper in a thread we started, or to one of our replies, is a REPLY. A post that
    mentions or quotes us otherwise is a MENTION.
    """
    if record.get("$type", POST_TYPE) != POST_TYPE or author.platform_id == our_did:
        return None
    reply = record.get("reply")
    root_uri, root_cid = _strong_ref(reply.get("root")) if isinstance(reply, Mapping) else ("", "")
    parent_uri, parent_cid = _strong_ref(reply.get("parent")) if isinstance(reply, Mapping) else ("", "")
    post_id = ""
    if parent_uri and (repo_of(root_uri) == our_did or repo_of(parent_uri) == our_did or reason == "reply"):
        kind = InteractionKind.COMMENT if parent_uri == root_uri else InteractionKind.REPLY
        post_id = root_uri if repo_of(root_uri) == our_did else ""
    elif mentions_did(record, our_did) or quotes_repo(record, our_did) or reason in ("mention", "quote"):
        kind = InteractionKind.MENTION
    else:
        return None
    created = parse_datetime(record.get("createdAt")) or parse_datetime(indexed_at)
    if created is None:
        raise ParseError(f"post {uri} has no usable createdAt")
    rkey = parse_at_uri(uri).rkey
    media = tuple(media_url.format(did=author.platform_id, cid=c) for c in blob_cids(record)) if media_url else ()
    extra = {"cid": cid, "root_uri": root_uri or uri, "root_cid": root_cid or cid}
    if parent_uri:
        extra["parent_cid"] = parent_cid
    if reason:
        extra["reason"] = reason
    return IncomingInteraction(
        platform_id=uri,
        kind=kind,
        verb=Verb.ADD,
        text=str(record.get("text", "")),
        author=author,
        created_at=created,
        channel_platform_id=our_did,
        post_id=post_id,
        parent_id=parent_uri,
        thread_id=root_uri or uri,
        permalink=web_url(actor=author.handle or author.platform_id, rkey=rkey),
        media_urls=media,
        extra=extra,
        raw=dict(raw if raw is not None else {"uri": uri, "cid": cid, "value": dict(record)}),
    )


def author_from_profile(profile: Any) -> Author:
    if not isinstance(profile, Mapping) or not isinstance(profile.get("did"), str):
        raise ParseError("author without a did")
    return Author(platform_id=profile["did"], name=str(profile.get("displayName") or ""),
                  handle=str(profile.get("handle") or ""))


NOTIFICATION_REASONS = frozenset({"reply", "mention", "quote"})


@dataclass(frozen=True)
class Notification:
    uri: str
    indexed_at: dt.datetime
    interaction: IncomingInteraction | None


def parse_notifications(data: Mapping[str, Any], *, our_did: str, media_url: str = "") -> tuple[list[Notification], str]:
    """One page of listNotifications: its notifications (newest first) and the next page's cursor."""
    items = data.get("notifications")
    if not isinstance(items, list):
        raise ParseError("listNotifications answer has no notifications list")
    out: list[Notification] = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        uri, indexed = item.get("uri"), parse_datetime(item.get("indexedAt"))
        if not isinstance(uri, str) or indexed is None:
            raise ParseError("a notification lacks uri or indexedAt")
        interaction = None
        record = item.get("record")
        if item.get("reason") in NOTIFICATION_REASONS and isinstance(record, Mapping):
            interaction = interaction_from_record(
                uri=uri, cid=str(item.get("cid", "")), record=record, author=author_from_profile(item.get("author")),
                our_did=our_did, reason=str(item["reason"]), indexed_at=str(item.get("indexedAt")),
                media_url=media_url, raw=item,
            )
        out.append(Notification(uri=uri, indexed_at=indexed, interaction=interaction))
    cursor = data.get("cursor")
    return out, cursor if isinstance(cursor, str) else ""


@dataclass(frozen=True)
class PostRef:
    """What a reply needs to know of the post it answers."""

    uri: str
    cid: str
    root_uri: str
    root_cid: str


def post_ref(*, uri: str, cid: str, record: Mapping[str, Any]) -> PostRef:
    reply = record.get("reply")
    root_uri, root_cid = _strong_ref(reply.get("root")) if isinstance(reply, Mapping) else ("", "")
    if not cid:
        raise ParseError(f"post {uri} has no cid")
    return PostRef(uri=uri, cid=cid, root_uri=root_uri or uri, root_cid=root_cid or cid)


THREAD_VIEW = "app.bsky.feed.defs#threadViewPost"
THREAD_NOT_FOUND = "app.bsky.feed.defs#notFoundPost"
THREAD_BLOCKED = "app.bsky.feed.defs#blockedPost"


def post_ref_from_thread(data: Mapping[str, Any]) -> PostRef | None:
    """The anchor post of a getPostThread answer, or None when it is deleted or blocked."""
    thread = data.get("thread")
    if not isinstance(thread, Mapping):
        raise ParseError("getPostThread answer has no thread")
    kind = thread.get("$type")
    if kind in (THREAD_NOT_FOUND, THREAD_BLOCKED) or thread.get("notFound") or thread.get("blocked"):
        return None
    post = thread.get("post")
    if kind != THREAD_VIEW or not isinstance(post, Mapping):
        raise ParseError(f"unexpected thread type {kind!r}")
    record = post.get("record")
    if not isinstance(post.get("uri"), str) or not isinstance(record, Mapping):
        raise ParseError("thread post lacks uri or record")
    return post_ref(uri=post["uri"], cid=str(post.get("cid", "")), record=record)


def thread_replies(data: Mapping[str, Any], *, our_did: str) -> list[IncomingInteraction]:
    """Every visible reply under the anchor post of a getPostThread answer, depth first."""
    found: list[IncomingInteraction] = []

    def walk(nodes: Iterable[Any]) -> None:
        for node in nodes:
            if not isinstance(node, Mapping) or node.get("$type") != THREAD_VIEW:
                continue
            post = node.get("post")
            if isinstance(post, Mapping) and isinstance(post.get("record"), Mapping):
                item = interaction_from_record(
                    uri=str(post.get("uri", "")), cid=str(post.get("cid", "")), record=post["record"],
                    author=author_from_profile(post.get("author")), our_did=our_did,
                    indexed_at=str(post.get("indexedAt", "")), raw=post,
                )
                if item is not None:
                    found.append(item)
            walk(node.get("replies") or ())

    thread = data.get("thread")
    if isinstance(thread, Mapping):
        walk(thread.get("replies") or ())
    return found
