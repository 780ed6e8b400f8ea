"""Mastodon JSON → our dataclasses, and the plain text of a status.

Shapes follow the Mastodon API documentation (docs.joinmastodon.org): entities/Notification,
entities/Status, entities/Account, entities/MediaAttachment, entities/Instance.

Kinds (how a `mention` notification becomes an IncomingInteraction):

* visibility `direct` → MESSAGE (a private mention; answer it privately);
* `in_reply_to_account_id` is our account → COMMENT on our status (`post_id` = that status);
* `in_reply_to_id` set but to someone else's status → REPLY inside a thread we are mentioned in
  (`parent_id` = that status; the thread's root is not in the payload, so `post_id` stays "");
* otherwise → MENTION (someone names the account in a post of their own).

Text: `content` is HTML. We keep what a reader sees: paragraphs become blank lines, `<br>`
a line break, links their full address (Mastodon hides parts of long URLs in
`<span class="invisible">`; we keep those parts so the address is whole), entities unescaped,
emoji and custom `:shortcodes:` as they are. Leading @mentions are KEPT: they say who else the
message is addressed to, and removing them would change sentences such as "@kunta @ely kiitos".
A content warning (`spoiler_text`) comes first, as its own paragraph, because it is part of what
the person wrote and content checks must see it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any

from ..base import Author, IncomingInteraction, InteractionKind, Verb


class MalformedPayload(ValueError):
    """A notification without the fields we need (its id, its status, the author)."""


# --- HTML → text ---------------------------------------------------------------------------

_BLOCKS = {"p", "div", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"}
_SKIP = {"script", "style"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._pre = 0
        self._skip = 0

    def _at_line_start(self) -> bool:
        for part in reversed(self.parts):
            if part:
                return part.endswith("\n")
        return True

    def _newlines(self, count: int) -> None:
        while self.parts and self.parts[-1].endswith(" "):   # no trailing spaces before a break
            self.parts[-1] = self.parts[-1].rstrip(" ")
            if self.parts[-1]:
                break
            self.parts.pop()
        self.parts.append("\n" * count)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag == "br":
            self._newlines(1)
        elif tag == "li":
            self._newlines(1)
            self.parts.append("- ")
        elif tag in _BLOCKS:
            self._newlines(2)
            if tag == "pre":
                self._pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._newlines(1)
        elif tag == "img":
            # Custom emoji rendered as images (other servers) carry their :shortcode: in alt.
            alt = dict(attrs).get("alt") or ""
            if alt:
                self.parts.append(alt)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(self._skip - 1, 0)
        elif tag in _BLOCKS:
            self._newlines(2)
            if tag == "pre":
                self._pre = max(self._pre - 1, 0)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._pre:
            self.parts.append(data)
            return
        text = re.sub(r"[ \t\r\n\f\xa0]+", " ", data)
        if self._at_line_start() or (self.parts and self.parts[-1].endswith(" ")):
            text = text.lstrip(" ")
        self.parts.append(text)


def html_to_text(html: str) -> str:
    """Plain text of a status's HTML `content`, with its line breaks and paragraphs."""
    if not html:
        return ""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    text = "".join(extractor.parts)
    text = "\n".join(line.rstrip(" ") for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n ")


# --- character count -------------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_REMOTE_MENTION = re.compile(r"(?<![\w@])@(\w+)@[\w.-]+\w", re.UNICODE)


def count_characters(text: str, *, characters_per_url: int = 23) -> int:
    """How Mastodon counts a status's length (StatusLengthValidator), approximately.

    Every URL counts as `characters_reserved_per_url`; a remote mention counts only its
    `@user` part; characters are grapheme clusters, approximated here by not counting
    combining marks, variation selectors, skin-tone modifiers and the parts after a
    zero-width joiner, and by counting a pair of regional indicators (a flag) once.
    """
    text = _URL.sub("x" * characters_per_url, text)
    text = _REMOTE_MENTION.sub(lambda m: "@" + m.group(1), text)
    count = 0
    previous_joiner = False
    pending_flag = False
    for char in text:
        code = ord(char)
        if char == "\u200d":
            previous_joiner = True
            continue
        if previous_joiner:
            previous_joiner = False
            continue
        if unicodedata.combining(char) or 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F:
            continue
        if 0x1F1E6 <= code <= 0x1F1FF:
            if pending_flag:
                pending_flag = False
                continue
            pending_flag = True
        else:
            pending_flag = False
        count += 1
    return count


# --- instance limits -------------------------------------------------------------------------


def mapping(value: Any) -> Mapping[str, Any]:
    """The value if it is a JSON object, else an empty one (unknown or missing fields)."""
    return value if isinstance(value, Mapping) else {}


def instance_limits(instance: Mapping[str, Any]) -> dict[str, int]:
    """`configuration.statuses` and `configuration.media_attachments` of GET /api/v2/instance."""
    configuration = mapping(instance.get("configuration") if isinstance(instance, Mapping) else None)
    statuses = mapping(configuration.get("statuses"))
    media = mapping(configuration.get("media_attachments"))
    limits: dict[str, int] = {}
    for key, source, name in (
        ("max_characters", statuses, "max_characters"),
        ("max_media_attachments", statuses, "max_media_attachments"),
        ("characters_reserved_per_url", statuses, "characters_reserved_per_url"),
        ("description_limit", media, "description_limit"),
    ):
        value = source.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            limits[key] = value
    return limits


# --- ids ---------------------------------------------------------------------------------------


def id_order(value: str) -> tuple[int, str]:
    """Mastodon ids are strings of growing integers ("not guaranteed to be a number")."""
    return (len(value), value) if value.isdigit() else (0, value)


def newest_id(ids: list[str], current: str = "") -> str:
    candidates = [i for i in ids if i] + ([current] if current else [])
    return max(candidates, key=id_order) if candidates else ""


# --- notifications → interactions ----------------------------------------------------------


def parse_datetime(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def author_from(account: Mapping[str, Any]) -> Author:
    return Author(
        platform_id=_str(account.get("id")),
        name=_str(account.get("display_name")) or _str(account.get("username")) or _str(account.get("acct")),
        handle=_str(account.get("acct")),
    )


def status_text(status: Mapping[str, Any]) -> str:
    body = html_to_text(_str(status.get("content")))
    spoiler = _str(status.get("spoiler_text")).strip()
    return f"{spoiler}\n\n{body}".strip() if spoiler else body


def interaction_from_notification(notification: Mapping[str, Any], *, account_id: str) -> IncomingInteraction:
    """One `mention` notification (entities/Notification with its Status) → IncomingInteraction."""
    if not isinstance(notification, Mapping) or not notification.get("id"):
        raise MalformedPayload("a notification without an id")
    status = notification.get("status")
    if not isinstance(status, Mapping) or not status.get("id"):
        raise MalformedPayload(f"notification {notification.get('id')} has no status")
    account = status.get("account") if isinstance(status.get("account"), Mapping) else notification.get("account")
    if not isinstance(account, Mapping) or not account.get("id"):
        raise MalformedPayload(f"notification {notification.get('id')} has no author")
    created_at = parse_datetime(status.get("created_at")) or parse_datetime(notification.get("created_at"))
    if created_at is None:
        raise MalformedPayload(f"notification {notification.get('id')} has no creation time")

    status_id = _str(status["id"])
    visibility = _str(status.get("visibility")) or "public"
    in_reply_to_id = _str(status.get("in_reply_to_id"))
    in_reply_to_account_id = _str(status.get("in_reply_to_account_id"))

    post_id = ""
    if visibility == "direct":
        kind = InteractionKind.MESSAGE
    elif in_reply_to_id and in_reply_to_account_id == account_id:
        kind = InteractionKind.COMMENT
        post_id = in_reply_to_id
    elif in_reply_to_id:
        kind = InteractionKind.REPLY
    else:
        kind = InteractionKind.MENTION

    media_urls = tuple(
        url
        for media in status.get("media_attachments") or ()
        if isinstance(media, Mapping)
        for url in [_str(media.get("url") or media.get("remote_url") or media.get("preview_url"))]
        if url
    )
    author = author_from(account)
    return IncomingInteraction(
        platform_id=status_id,
        kind=kind,
        verb=Verb.ADD,
        text=status_text(status),
        author=author,
        created_at=created_at,
        channel_platform_id=account_id,
        post_id=post_id,
        parent_id=in_reply_to_id,
        thread_id=post_id,
        permalink=_str(status.get("url")) or _str(status.get("uri")),
        media_urls=media_urls,
        from_us=author.platform_id == account_id,
        extra={
            "notification_id": _str(notification["id"]),
            "visibility": visibility,
            "acct": author.handle,
            "language": _str(status.get("language")),
        },
        raw=dict(notification),
    )
