"""Meta webhooks: the subscription handshake, the X-Hub-Signature-256 check, and deliveries → interactions.

Documentation followed: Graph API "Webhooks" getting started (handshake, signature over the raw
body), Webhooks reference for `page` (field `feed`, item `comment`), Messenger Platform webhook
events (`entry[].messaging[]`), and Instagram Platform webhooks (`comments`, `mentions`, `messages`).

Rules here:
* The signature is checked over the exact bytes received; nothing is re-serialised.
* The envelope (`object`, `entry` list of objects) must be right, otherwise `WebhookError`.
* Inside an entry, anything we do not use (reactions, likes, read receipts, unknown fields or
  objects) is skipped, not an error: Meta would retry a refused delivery for hours.
* Ids are the platform's own (comment_id, mid), so a repeated delivery parses to the same ids;
  dropping repeats is the caller's job (on id + verb).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from ..base import Author, IncomingInteraction, InteractionKind, Verb, WebhookError
from .parsers import FEED_VERBS, ident, obj, parse_time, text

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
_SIGNATURE = re.compile(r"sha256=([0-9a-fA-F]{64})")


def verify_signature(body: bytes, header: str | None, app_secret: str) -> None:
    """Raise WebhookError unless `header` is `sha256=<hex HMAC-SHA256(app_secret, body)>`."""
    if not app_secret:
        raise WebhookError("No app secret is configured, so the delivery cannot be verified.")
    if not header:
        raise WebhookError("The delivery has no X-Hub-Signature-256 header.")
    match = _SIGNATURE.fullmatch(header.strip())
    if match is None:
        raise WebhookError("The X-Hub-Signature-256 header is not of the form sha256=<64 hex digits>.")
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, match.group(1).lower()):
        raise WebhookError("The delivery's signature does not match its body.")


def handshake(params: Mapping[str, str], verify_token: str) -> str | None:
    """Answer Meta's subscription check: the challenge to echo back, or None (answer 403)."""
    if not verify_token:
        return None
    if params.get("hub.mode") != "subscribe":
        return None
    given = params.get("hub.verify_token") or ""
    if not hmac.compare_digest(given.encode(), verify_token.encode()):
        return None
    challenge = params.get("hub.challenge")
    return challenge if challenge else None


def parse_delivery(body: bytes, *, max_bytes: int = 1_000_000) -> list[IncomingInteraction]:
    """The interactions in one (already verified) delivery, in the order they came."""
    if len(body) > max_bytes:
        raise WebhookError(f"The delivery is larger than {max_bytes} bytes.")
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise WebhookError("The delivery is not valid JSON (truncated or malformed).") from None
    if not isinstance(payload, dict):
        raise WebhookError("The delivery is not a JSON object.")
    object_type = payload.get("object")
    entries = payload.get("entry")
    if not isinstance(object_type, str) or not isinstance(entries, list):
        raise WebhookError("The delivery lacks its 'object' name or its 'entry' list.")
    if any(not isinstance(entry, dict) for entry in entries):
        raise WebhookError("An entry of the delivery is not a JSON object.")
    if object_type not in ("page", "instagram"):
        logger.info("Skipping a webhook delivery for object %r", object_type[:40])
        return []
    found: list[IncomingInteraction] = []
    for entry in entries:
        entry_id = ident(entry.get("id"))
        entry_time = entry.get("time")
        changes = entry.get("changes")
        if isinstance(changes, list):
            for change in changes:
                if not isinstance(change, dict):
                    continue
                item = _change(object_type, entry_id, entry_time, change)
                if item is not None:
                    found.append(item)
        messaging = entry.get("messaging")
        if isinstance(messaging, list):
            for event in messaging:
                if isinstance(event, dict):
                    item = _messaging(event, entry_id=entry_id, raw=event)
                    if item is not None:
                        found.append(item)
    return found


def page_ids(body: bytes) -> frozenset[str]:
    """The pages and Instagram accounts a delivery is for, as far as it can be read.

    Lenient where `parse_delivery` is strict: the ids of the entries still count when an entry
    is malformed, so a failed delivery can be shown to whoever keeps those pages. A body that is
    not JSON at all is for nobody known: an empty set.
    """
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return frozenset()
    entries = payload.get("entry") if isinstance(payload, dict) else None
    if not isinstance(entries, list):
        return frozenset()
    found = {ident(entry.get("id")) for entry in entries if isinstance(entry, dict)}
    try:
        found |= {item.channel_platform_id for item in parse_delivery(body)}
    except WebhookError:
        pass
    found.discard("")
    return frozenset(found)


def _change(object_type: str, entry_id: str, entry_time: Any, change: Mapping[str, Any]) -> IncomingInteraction | None:
    field = change.get("field")
    value = change.get("value")
    if not isinstance(value, dict):
        return None
    if object_type == "page" and field == "feed":
        return _page_feed(entry_id, entry_time, value, change)
    if field == "messages":   # some deliveries (and Meta's test button) wrap a messaging event in changes
        return _messaging(value, entry_id=entry_id, raw=change)
    if object_type == "instagram" and field == "comments":
        return _ig_comment(entry_id, entry_time, value, change)
    if object_type == "instagram" and field == "mentions":
        return _ig_mention(entry_id, entry_time, value, change)
    return None


def _page_feed(entry_id: str, entry_time: Any, value: Mapping[str, Any], raw: Mapping[str, Any]) -> IncomingInteraction | None:
    if value.get("item") != "comment":
        return None    # reactions, likes, shares, statuses of the page itself: no answer expected
    verb = FEED_VERBS.get(text(value.get("verb")))
    comment_id = ident(value.get("comment_id"))
    created = parse_time(value.get("created_time")) or parse_time(entry_time)
    if verb is None or not comment_id or created is None:
        return None
    post_id = ident(value.get("post_id"))
    parent_id = ident(value.get("parent_id")) or post_id
    sender = obj(value.get("from"))
    sender_id = ident(sender.get("id"))
    photo = text(value.get("photo"))
    return IncomingInteraction(
        platform_id=comment_id,
        kind=InteractionKind.REPLY if parent_id and parent_id != post_id else InteractionKind.COMMENT,
        verb=verb,
        text=text(value.get("message")),
        author=Author(platform_id=sender_id, name=text(sender.get("name"))),
        created_at=created,
        channel_platform_id=entry_id,
        post_id=post_id,
        parent_id=parent_id,
        thread_id=post_id,
        permalink=text(obj(value.get("post")).get("permalink_url")),
        media_urls=(photo,) if photo else (),
        from_us=bool(entry_id) and sender_id == entry_id,
        raw=dict(raw),
    )


def _ig_comment(entry_id: str, entry_time: Any, value: Mapping[str, Any], raw: Mapping[str, Any]) -> IncomingInteraction | None:
    comment_id = ident(value.get("id"))
    created = parse_time(value.get("timestamp")) or parse_time(entry_time)
    if not comment_id or created is None:
        return None
    sender = obj(value.get("from"))
    sender_id = ident(sender.get("id"))
    handle = text(sender.get("username"))
    media_id = ident(obj(value.get("media")).get("id"))
    parent_id = ident(value.get("parent_id"))
    return IncomingInteraction(
        platform_id=comment_id,
        kind=InteractionKind.REPLY if parent_id else InteractionKind.COMMENT,
        verb=Verb.ADD,
        text=text(value.get("text")),
        author=Author(platform_id=sender_id, name=handle, handle=handle),
        created_at=created,
        channel_platform_id=entry_id,
        post_id=media_id,
        parent_id=parent_id or media_id,
        thread_id=media_id,
        from_us=bool(entry_id) and sender_id == entry_id,
        raw=dict(raw),
    )


def _ig_mention(entry_id: str, entry_time: Any, value: Mapping[str, Any], raw: Mapping[str, Any]) -> IncomingInteraction | None:
    media_id = ident(value.get("media_id"))
    comment_id = ident(value.get("comment_id"))
    created = parse_time(entry_time)
    if not (media_id or comment_id) or created is None:
        return None
    extra = {"media_id": media_id}
    if comment_id:
        extra["comment_id"] = comment_id
    return IncomingInteraction(
        platform_id=comment_id or media_id,
        kind=InteractionKind.MENTION,
        verb=Verb.ADD,
        text="",   # the webhook carries ids only; the text is read with mentioned_comment / mentioned_media
        author=Author(platform_id=""),
        created_at=created,
        channel_platform_id=entry_id,
        post_id=media_id,
        thread_id=media_id,
        extra=extra,
        raw=dict(raw),
    )


def _messaging(event: Mapping[str, Any], *, entry_id: str, raw: Mapping[str, Any]) -> IncomingInteraction | None:
    """One Messenger / Instagram Direct event: `{sender{id}, recipient{id}, timestamp, message{mid,text}}`."""
    sender_id = ident(obj(event.get("sender")).get("id"))
    recipient_id = ident(obj(event.get("recipient")).get("id"))
    created = parse_time(event.get("timestamp"))
    message = event.get("message")
    edit = event.get("message_edit")
    verb = Verb.ADD
    if isinstance(message, dict):
        mid = ident(message.get("mid"))
        body = text(message.get("text"))
        if message.get("is_deleted") is True:
            verb = Verb.REMOVED
        is_echo = message.get("is_echo") is True
        attachments = message.get("attachments")
    elif isinstance(edit, dict):
        mid = ident(edit.get("mid"))
        body = text(edit.get("text"))
        verb = Verb.EDITED
        is_echo = False
        attachments = None
    else:
        return None    # reads, deliveries, reactions, postbacks: no answer expected
    if not mid or created is None or not sender_id:
        return None
    media_urls: list[str] = []
    if isinstance(attachments, list):
        for attachment in attachments:
            url = text(obj(obj(attachment).get("payload")).get("url"))
            if url:
                media_urls.append(url)
    ours = recipient_id if not is_echo else sender_id
    other = sender_id if not is_echo else recipient_id
    return IncomingInteraction(
        platform_id=mid,
        kind=InteractionKind.MESSAGE,
        verb=verb,
        text=body,
        author=Author(platform_id=sender_id),
        created_at=created,
        channel_platform_id=ours or entry_id,
        thread_id=other,
        media_urls=tuple(media_urls),
        from_us=is_echo,
        extra={"recipient_id": other} if other else {},
        raw=dict(raw),
    )
