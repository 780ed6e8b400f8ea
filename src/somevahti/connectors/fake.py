"""An in-memory platform and its connector: the twin of the real adapters for tests and the demo.

Every channel (platform, platform_id) has a `FakeAccount` kept in this process. Tests put
comments on it, make it refuse (rate limits, expired tokens) and read what was published.
The demo's account also receives a realistic Finnish comment now and then (`DemoFeed`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .base import (
    Author,
    Batch,
    Capability,
    Credentials,
    Cursor,
    IncomingInteraction,
    InteractionKind,
    InteractionRef,
    Outcome,
    OutgoingPost,
    PendingPublish,
    PlatformAdministrator,
    Result,
    Verb,
    WebhookError,
)

_LOCK = threading.RLock()
_IDS = itertools.count(1000)


@dataclass
class FakeAccount:
    platform: str
    platform_id: str
    posts: dict[str, OutgoingPost] = field(default_factory=dict)
    published_keys: dict[str, str] = field(default_factory=dict)
    interactions: list[IncomingInteraction] = field(default_factory=list)
    replies: list[tuple[str, str]] = field(default_factory=list)        # (to id, text)
    edits: list[tuple[str, OutgoingPost]] = field(default_factory=list) # (post id, the new version)
    hidden: dict[str, bool] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    administrators: list[PlatformAdministrator] = field(default_factory=list)
    fail_next: list[Outcome] = field(default_factory=list)              # outcomes to return next
    containers: dict[str, OutgoingPost] = field(default_factory=dict)   # PENDING publishes to finish
    valid_token: str | None = None                                      # when set, other tokens are refused

    def add_comment(
        self, text: str, *, author: str = "Kuntalainen", created_at: dt.datetime | None = None,
        kind: InteractionKind = InteractionKind.COMMENT, post_id: str = "", parent_id: str = "",
    ) -> IncomingInteraction:
        with _LOCK:
            item = IncomingInteraction(
                platform_id=f"{self.platform_id}_{next(_IDS)}",
                kind=kind,
                verb=Verb.ADD,
                text=text,
                author=Author(platform_id=f"user-{abs(hash(author)) % 10**8}", name=author),
                created_at=created_at or dt.datetime.now(dt.UTC),
                channel_platform_id=self.platform_id,
                post_id=post_id,
                parent_id=parent_id or post_id,
                thread_id=post_id,
                raw={"fake": True, "text": text, "author": author},
            )
            self.interactions.append(item)
            return item


_ACCOUNTS: dict[tuple[str, str], FakeAccount] = {}


def account(platform: str, platform_id: str) -> FakeAccount:
    with _LOCK:
        return _ACCOUNTS.setdefault((platform, platform_id), FakeAccount(platform, platform_id))


def reset() -> None:
    with _LOCK:
        _ACCOUNTS.clear()


FAKE_WEBHOOK_SECRET = "fake-webhook-secret"

# What the real platforms cannot do, so that the demo and the tests meet the same limits:
# Instagram's API cannot change a published caption, and Bluesky shows only a post's first version.
PLATFORM_LIMITS: dict[str, frozenset[Capability]] = {
    "instagram": frozenset({Capability.EDIT}),
    "bluesky": frozenset({Capability.EDIT}),
}


class FakeConnector:
    platform: ClassVar[str] = "fake"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(Capability)

    def __init__(self, *, credentials: Credentials, platform: str = "fake", demo: bool | None = None, **options: Any) -> None:
        self.credentials = credentials
        self.platform_name = platform
        self.account = account(platform, credentials.platform_id)
        if demo is None:
            from django.conf import settings

            demo = bool(getattr(settings, "SOMEVAHTI_DEMO_FEED", False))
        self.demo = demo

    @classmethod
    def capabilities_on(cls, platform: str) -> frozenset[Capability]:
        return cls.capabilities - PLATFORM_LIMITS.get(platform, frozenset())

    def _demo_batch(self, since: Cursor) -> Batch:
        """The demo's conversation: comments derived from time itself (connectors.demo_feed)."""
        from .demo_feed import demo_comments

        now = dt.datetime.now(dt.UTC)
        last = dt.datetime.fromisoformat(since.value) if since.value.startswith("20") else None
        items = demo_comments(channel_platform_id=self.credentials.platform_id, since=last, now=now)
        return Batch(items, Cursor(now.isoformat()))

    def _refusal(self) -> Result | None:
        if self.account.valid_token is not None and self.credentials.token != self.account.valid_token:
            return Result(Outcome.UNAUTHORIZED, message="The access token has expired or was revoked.")
        if self.account.fail_next:
            outcome = self.account.fail_next.pop(0)
            return Result(outcome, retry_after=60 if outcome == Outcome.RATE_LIMITED else None, message=f"fake {outcome}")
        return None

    def publish(self, post: OutgoingPost) -> Result:
        with _LOCK:
            if refusal := self._refusal():
                if refusal.outcome != Outcome.PENDING:
                    return refusal
                # Instagram-like two steps: a container now, the post when finish_publish is called.
                container = f"container_{next(_IDS)}"
                self.account.containers[container] = post
                return Result(Outcome.PENDING, pending=PendingPublish(container, post.idempotency_key), message=refusal.message)
            if post.idempotency_key and post.idempotency_key in self.account.published_keys:
                post_id = self.account.published_keys[post.idempotency_key]
            else:
                post_id = f"{self.credentials.platform_id}_{next(_IDS)}"
                self.account.posts[post_id] = post
                if post.idempotency_key:
                    self.account.published_keys[post.idempotency_key] = post_id
            return Result(Outcome.OK, platform_id=post_id, url=f"https://{self.platform_name}.example/{post_id}")

    def finish_publish(self, pending: PendingPublish) -> Result:
        with _LOCK:
            post = self.account.containers.get(pending.container_id)
            if post is None:
                return Result(Outcome.OK, platform_id=pending.container_id)
            if refusal := self._refusal():
                return refusal
            key = pending.idempotency_key or pending.container_id
            post_id = self.account.published_keys.get(key)
            if post_id is None:
                post_id = f"{self.credentials.platform_id}_{next(_IDS)}"
                self.account.posts[post_id] = post
                self.account.published_keys[key] = post_id
            return Result(Outcome.OK, platform_id=post_id, url=f"https://{self.platform_name}.example/{post_id}")

    def fetch_interactions(self, since: Cursor) -> Batch:
        with _LOCK:
            if refusal := self._refusal():
                return Batch([], since, refusal.outcome, refusal.message, refusal.retry_after)
            if self.demo:
                return self._demo_batch(since)
            start = int(since.value or 0)
            items = self.account.interactions[start:]
            return Batch(list(items), Cursor(str(start + len(items))))

    def reply(self, to: InteractionRef, text: str) -> Result:
        with _LOCK:
            if refusal := self._refusal():
                return refusal
            if to.platform_id in self.account.removed:
                return Result(Outcome.NOT_FOUND, message="The comment was removed.")
            self.account.replies.append((to.platform_id, text))
            reply_id = f"{to.platform_id}_r{next(_IDS)}"
            return Result(Outcome.OK, platform_id=reply_id, url=f"https://{self.platform_name}.example/{reply_id}")

    def hide(self, interaction: InteractionRef, hidden: bool) -> Result:
        with _LOCK:
            if refusal := self._refusal():
                return refusal
            if interaction.platform_id in self.account.removed:
                return Result(Outcome.NOT_FOUND, message="The comment was removed.")
            self.account.hidden[interaction.platform_id] = hidden
            return Result(Outcome.OK, platform_id=interaction.platform_id)

    def delete(self, interaction: InteractionRef) -> Result:
        with _LOCK:
            if refusal := self._refusal():
                return refusal
            self.account.removed.add(interaction.platform_id)
            return Result(Outcome.OK, platform_id=interaction.platform_id)

    def edit(self, post_ref: InteractionRef, post: OutgoingPost) -> Result:
        with _LOCK:
            if Capability.EDIT not in self.capabilities_on(self.platform_name):
                return Result(Outcome.FAILED, message=f"{self.platform_name} does not allow editing a published post.")
            if refusal := self._refusal():
                return refusal
            post_id = post_ref.platform_id
            if post_id in self.account.removed or post_id not in self.account.posts:
                return Result(Outcome.NOT_FOUND, message="The post is no longer on the platform.")
            earlier = self.account.posts[post_id]
            # Images stay as they were: only the text changes, as on the real platforms.
            edited = OutgoingPost(text=post.text, media=earlier.media, language=post.language,
                                  idempotency_key=earlier.idempotency_key, link=earlier.link)
            self.account.posts[post_id] = edited
            self.account.edits.append((post_id, edited))
            return Result(Outcome.OK, platform_id=post_id, url=f"https://{self.platform_name}.example/{post_id}")

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[IncomingInteraction]:
        """Fake deliveries are signed like Meta's, with FAKE_WEBHOOK_SECRET."""
        signature = {k.lower(): v for k, v in headers.items()}.get("x-hub-signature-256", "")
        expected = "sha256=" + hmac.new(FAKE_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(signature, expected):
            raise WebhookError("bad signature")
        try:
            data = json.loads(body)
            return [
                IncomingInteraction(
                    platform_id=str(d["id"]), kind=InteractionKind(d.get("kind", "comment")), verb=Verb(d.get("verb", "add")),
                    text=str(d.get("text", "")), author=Author(str(d.get("author_id", "u")), str(d.get("author", ""))),
                    created_at=dt.datetime.fromisoformat(d["created_at"]), channel_platform_id=str(d["channel"]),
                    post_id=str(d.get("post_id", "")), raw=d,
                )
                for d in data["items"]
            ]
        except (KeyError, ValueError, TypeError) as exc:
            raise WebhookError(f"malformed body: {exc}") from None

    def administrators(self) -> list[PlatformAdministrator]:
        return list(self.account.administrators)

    def health(self) -> Result:
        return self._refusal() or Result(Outcome.OK)
