"""The one interface every platform adapter implements (DESIGN.md, "Connectors").

Platform JSON never leaves `connectors/`: adapters translate it to and from these plain
dataclasses. Platform errors become outcomes, never exceptions, at this boundary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Protocol, runtime_checkable


class Capability(StrEnum):
    PUBLISH = "publish"
    REPLY = "reply"
    HIDE = "hide"
    DELETE = "delete"
    EDIT = "edit"          # change the text of a published post in place
    MESSAGES = "messages"
    WEBHOOKS = "webhooks"
    ROLES = "roles"


class Outcome(StrEnum):
    OK = "ok"
    PENDING = "pending"            # Instagram's two-step publish: finish later, safely repeatable
    RATE_LIMITED = "rate_limited"  # try again after result.retry_after
    UNAUTHORIZED = "unauthorized"  # token expired or revoked: tell the channel's administrators
    NOT_FOUND = "not_found"        # the thing acted on is gone (a comment removed meanwhile)
    FAILED = "failed"


class InteractionKind(StrEnum):
    COMMENT = "comment"    # on one of our posts
    REPLY = "reply"        # a reply to a comment
    MESSAGE = "message"    # private message (Messenger, Instagram Direct)
    MENTION = "mention"    # someone mentions the account elsewhere


class Verb(StrEnum):
    ADD = "add"
    EDITED = "edited"
    REMOVED = "removed"    # by its author or the platform
    HIDDEN = "hidden"
    UNHIDDEN = "unhidden"


@dataclass(frozen=True)
class Credentials:
    """What an adapter needs for one channel. The token is decrypted only for the call."""

    platform_id: str                   # page id, IG account id, DID, Mastodon account id
    token: str = field(repr=False)     # never printed
    base_url: str = ""                 # Mastodon instance / Bluesky PDS; "" for Meta
    handle: str = ""
    extra: Mapping[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class MediaItem:
    url: str                 # public HTTPS address (Meta fetches it) or local path for upload
    alt_text: str
    content_type: str = "image/jpeg"
    data: bytes | None = field(default=None, repr=False)  # raw bytes for platforms that take uploads


@dataclass(frozen=True)
class OutgoingPost:
    text: str
    media: tuple[MediaItem, ...] = ()
    language: str = "fi"
    idempotency_key: str = ""   # the same key twice never publishes twice where the platform allows
    link: str = ""


@dataclass(frozen=True)
class PendingPublish:
    """A started two-step publish (Instagram's container) to finish later."""

    container_id: str
    idempotency_key: str = ""


@dataclass(frozen=True)
class InteractionRef:
    platform_id: str                 # comment id, message id, post URI
    kind: InteractionKind = InteractionKind.COMMENT
    extra: Mapping[str, str] = field(default_factory=dict)  # e.g. Bluesky {"cid", "root_uri", "root_cid"}


@dataclass(frozen=True)
class Author:
    platform_id: str
    name: str = ""
    handle: str = ""


@dataclass(frozen=True)
class IncomingInteraction:
    platform_id: str                 # stable id on the platform
    kind: InteractionKind
    verb: Verb
    text: str
    author: Author
    created_at: dt.datetime          # aware, when it was made on the platform
    channel_platform_id: str         # the page/account/DID it arrived at
    post_id: str = ""                # our post it belongs to, when there is one
    parent_id: str = ""              # the comment it replies to, or the post
    thread_id: str = ""              # conversation id for messages, root post for threads
    permalink: str = ""
    media_urls: tuple[str, ...] = ()
    from_us: bool = False            # written by the channel itself (our own replies)
    extra: Mapping[str, str] = field(default_factory=dict)  # e.g. Bluesky cid
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)  # the platform payload, for the archive


@dataclass(frozen=True)
class Cursor:
    value: str = ""                  # opaque; "" means from the start (adapters bound how far back)


@dataclass(frozen=True)
class Batch:
    items: list[IncomingInteraction]
    cursor: Cursor
    outcome: Outcome = Outcome.OK
    message: str = ""
    retry_after: float | None = None


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    platform_id: str = ""            # the created post/reply id
    url: str = ""                    # its public link
    pending: PendingPublish | None = None
    retry_after: float | None = None # seconds, with RATE_LIMITED
    message: str = ""                # for people: what went wrong and what to do (English; the caller translates the outcome)
    usage: Mapping[str, float] = field(default_factory=dict)  # rate-limit usage in percent, when the platform says

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.OK


@dataclass(frozen=True)
class PlatformAdministrator:
    platform_user_id: str
    name: str
    email: str = ""
    role: str = ""                   # the platform's own word (ADMIN, EDITOR, MODERATE…)


class WebhookError(ValueError):
    """A webhook body that is unsigned, wrongly signed, malformed or too large."""


@runtime_checkable
class Connector(Protocol):
    platform: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]]

    def publish(self, post: OutgoingPost) -> Result: ...
    def finish_publish(self, pending: PendingPublish) -> Result: ...
    def fetch_interactions(self, since: Cursor) -> Batch: ...
    def reply(self, to: InteractionRef, text: str) -> Result: ...
    def hide(self, interaction: InteractionRef, hidden: bool) -> Result: ...
    def delete(self, interaction: InteractionRef) -> Result: ...
    # Replace the text of one of our published posts (post_ref.platform_id: the post's id on the
    # platform). Images stay as they are. Without Capability.EDIT it answers FAILED and says why.
    def edit(self, post_ref: InteractionRef, post: OutgoingPost) -> Result: ...
    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[IncomingInteraction]: ...
    def administrators(self) -> list[PlatformAdministrator]: ...
    def health(self) -> Result: ...  # token valid? rate usage?
