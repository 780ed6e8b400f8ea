"""Facebook Pages and Instagram (with Facebook Login) behind the Connector interface.

Platform trouble never leaves this module as an exception: every Graph error, timeout or
garbage answer becomes a Result / Batch with an Outcome and an English message for people
(the caller translates by outcome). Tokens and app secrets never reach logs, reprs or messages.

Facebook channel: `platform_id` = Page id, token = Page access token.
Instagram channel: `platform_id` = IG professional account id (linked to a Page), token = that
Page's access token; the Page id comes from `credentials.extra["page_id"]`, option `page_id`,
or `GET /me` (a Page token's /me is the Page).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

import httpx

from ..base import (
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
)
from . import parsers
from .client import (
    DEFAULT_BASE_URL,
    GRAPH_API_VERSION,
    POLICY_BLOCK_CODE,
    TEMPORARY_CODES,
    GraphBadResponse,
    GraphClient,
    GraphError,
    GraphTransportError,
    Usage,
    permission_named_in,
)
from .webhooks import SIGNATURE_HEADER, parse_delivery, verify_signature

logger = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER = 600.0        # seconds, when Meta does not say how long to wait
PENDING_RETRY_AFTER = 60.0         # a hint for finishing an Instagram container
USAGE_THRESHOLD = 90.0             # percent: above this we stop calling before Meta throttles
LOOKBACK_DAYS = 14                 # how far back an empty cursor reaches
MAX_POSTS = 25                     # posts (media) looked at per fetch
MAX_PAGES = 5                      # pages of one edge followed per fetch
MAX_IG_CAROUSEL = 10

TOKEN_REASONS = {
    458: "the app was removed from the account that granted it",
    459: "the account that granted it must log in to Facebook to pass a security checkpoint",
    460: "the password of the account that granted it was changed",
    463: "it has expired",
    464: "the account that granted it is not confirmed",
    467: "it is no longer valid",
    492: "the person who granted it no longer has a role on the page",
}

FB_COMMENT_FIELDS = "id,message,from,created_time,parent{id},is_hidden,permalink_url,attachment"
IG_COMMENT_FIELDS = (
    "id,text,timestamp,username,from,hidden,parent_id,like_count,"
    "replies{id,text,timestamp,username,from,hidden,parent_id}"
)
MESSAGE_FIELDS = "id,updated_time,messages.limit(25){id,message,from,to,created_time}"


class _Failure(Exception):
    """Internal: carries a finished Result out of nested helpers."""

    def __init__(self, result: Result) -> None:
        super().__init__(result.message)
        self.result = result


class _Stream:
    """One stream's watermark in the cursor: the newest time seen and the ids seen at that time."""

    def __init__(self, at: dt.datetime, ids: set[str]) -> None:
        self.at = at
        self.ids = ids
        self.new_at = at
        self.new_ids = set(ids)

    def is_new(self, item: IncomingInteraction) -> bool:
        return item.created_at > self.at or (item.created_at == self.at and item.platform_id not in self.ids)

    def saw(self, item: IncomingInteraction) -> None:
        if item.created_at > self.new_at:
            self.new_at = item.created_at
            self.new_ids = {item.platform_id}
        elif item.created_at == self.new_at:
            self.new_ids.add(item.platform_id)

    def dump(self) -> dict[str, Any]:
        return {"at": self.new_at.isoformat(), "ids": sorted(self.new_ids)[:200]}


class MetaConnector:
    platform: ClassVar[str] = "meta"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(Capability)
    service: ClassVar[str] = "Facebook page"     # words for messages
    site: ClassVar[str] = "Facebook"

    def __init__(
        self,
        *,
        credentials: Credentials,
        platform: str = "",
        base_url: str = "",
        version: str = GRAPH_API_VERSION,
        timeout: float | httpx.Timeout | None = None,
        http_client: httpx.Client | None = None,
        app_secret: str = "",
        page_id: str = "",
        now: Callable[[], dt.datetime] | None = None,
        clock: Callable[[], float] = time.monotonic,
        usage_threshold: float = USAGE_THRESHOLD,
        lookback_days: int = LOOKBACK_DAYS,
        max_posts: int = MAX_POSTS,
        max_pages: int = MAX_PAGES,
        include_messages: bool = True,
        check_publishing_limit: bool = True,
        **options: Any,
    ) -> None:
        self.credentials = credentials
        self.platform_name = platform or self.platform
        self._app_secret = app_secret or credentials.extra.get("app_secret", "")
        self._page_id = page_id or credentials.extra.get("page_id", "")
        self._now = now or (lambda: dt.datetime.now(dt.UTC))
        self._clock = clock
        self.usage_threshold = usage_threshold
        self.lookback = dt.timedelta(days=lookback_days)
        self.max_posts = max_posts
        self.max_pages = max_pages
        self.include_messages = include_messages
        self.check_publishing_limit = check_publishing_limit
        self._last_usage: Usage | None = None
        self._usage_seen_at = 0.0
        self._blocked_until = 0.0
        self.last_result: Result | None = None   # what administrators() met, since it returns a bare list
        self.client = GraphClient(
            token=credentials.token,
            base_url=base_url or credentials.base_url or DEFAULT_BASE_URL,
            version=version,
            timeout=timeout,
            http_client=http_client,
            app_secret=self._app_secret,   # appsecret_proof on every call, as Meta recommends
            on_usage=self._remember_usage,
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.credentials.platform_id}>"

    # -- rate-limit memory ------------------------------------------------------------------

    def _remember_usage(self, usage: Usage) -> None:
        self._last_usage = usage
        self._usage_seen_at = self._clock()

    def _usage(self) -> dict[str, float]:
        return self._last_usage.as_dict() if self._last_usage else {}

    def _guard(self) -> Result | None:
        """RATE_LIMITED before calling when Meta was near its limit or refused us lately."""
        now = self._clock()
        if now < self._blocked_until:
            return self._rate_limited(self._blocked_until - now)
        usage = self._last_usage
        if usage is not None and usage.highest >= self.usage_threshold:
            wait = max(usage.regain_minutes * 60, DEFAULT_RETRY_AFTER)
            remaining = wait - (now - self._usage_seen_at)
            if remaining > 0:
                return self._rate_limited(remaining)
        return None

    def _rate_limited(self, seconds: float) -> Result:
        minutes = max(1, round(seconds / 60))
        return Result(
            Outcome.RATE_LIMITED,
            retry_after=float(round(seconds)),
            message=(
                f"Meta's rate limit for this {self.service} has been reached or nearly reached. "
                f"Somevahti will try again in about {minutes} minutes."
            ),
            usage=self._usage(),
        )

    # -- errors → outcomes --------------------------------------------------------------------

    def _outcome(self, exc: Exception, *, needs: str = "", thing: str = "item") -> Result:
        usage = self._usage()
        if isinstance(exc, GraphTransportError):
            return Result(Outcome.FAILED, message=f"{self.site} could not be reached: {exc} Try again later.", usage=usage)
        if isinstance(exc, GraphBadResponse):
            return Result(
                Outcome.FAILED,
                message=f"{self.site} answered with something Somevahti could not read (HTTP {exc.status}). Try again later.",
                usage=usage,
            )
        if not isinstance(exc, GraphError):   # pragma: no cover - only the three kinds above are raised
            return Result(Outcome.FAILED, message=f"Unexpected trouble talking to {self.site}.", usage=usage)
        if exc.is_token:
            reason = TOKEN_REASONS.get(exc.subcode, "it was revoked or is no longer valid")
            return Result(
                Outcome.UNAUTHORIZED,
                message=(
                    f"The {self.service} token cannot be used: {reason}. "
                    "An administrator must reconnect the channel."
                ),
                usage=usage,
            )
        if exc.is_rate_limit:
            regain = exc.usage.regain_minutes * 60 if exc.usage.regain_minutes else 0.0
            if not regain and self._last_usage is not None:
                regain = self._last_usage.regain_minutes * 60
            seconds = regain or DEFAULT_RETRY_AFTER
            self._blocked_until = self._clock() + seconds
            return self._rate_limited(seconds)
        if exc.is_not_found:
            return Result(
                Outcome.NOT_FOUND,
                message=f"The {thing} no longer exists on {self.site}; it may have been removed.",
                usage=usage,
            )
        if exc.code == POLICY_BLOCK_CODE:
            return Result(
                Outcome.FAILED,
                message=(
                    f"{self.site} has temporarily blocked this action for policy reasons (error 368). "
                    "Wait a while before trying again and check the page's notifications on Facebook."
                ),
                usage=usage,
            )
        if exc.is_permission:
            permission = permission_named_in(exc.message) or needs
            named = f" {permission}" if permission else ""
            return Result(
                Outcome.FAILED,
                message=(
                    f"The {self.service} token lacks the permission{named} (error {exc.code}). "
                    "An administrator must reconnect the channel and grant it."
                ),
                usage=usage,
            )
        if exc.code in TEMPORARY_CODES or exc.status >= 500:
            return Result(
                Outcome.FAILED,
                message=f"{self.site} had a temporary problem (error {exc.code}). Try again later.",
                usage=usage,
            )
        return Result(
            Outcome.FAILED,
            message=f"{self.site} refused the request (error {exc.code}): {exc.message}",
            usage=usage,
        )

    def _run(self, action: Callable[[], Result], *, needs: str = "", thing: str = "item") -> Result:
        if refusal := self._guard():
            return refusal
        try:
            return action()
        except _Failure as failure:
            return failure.result
        except (GraphError, GraphTransportError, GraphBadResponse) as exc:
            return self._outcome(exc, needs=needs, thing=thing)

    def _ok(self, platform_id: str = "", url: str = "", message: str = "") -> Result:
        return Result(Outcome.OK, platform_id=platform_id, url=url, message=message, usage=self._usage())

    def _id_of(self, data: Any, key: str = "id") -> str:
        value = parsers.ident(data.get(key)) if isinstance(data, dict) else ""
        if not value:
            raise _Failure(Result(
                Outcome.FAILED,
                message=f"{self.site} accepted the request but did not say what it created. Check the channel on {self.site}.",
                usage=self._usage(),
            ))
        return value

    def _success(self, data: Any) -> None:
        if isinstance(data, dict) and data.get("success") is False:
            raise _Failure(Result(Outcome.FAILED, message=f"{self.site} did not carry out the change.", usage=self._usage()))

    def _permalink(self, object_id: str, field: str) -> str:
        """A published object's public link; a failure here never fails a finished publish."""
        try:
            data = self.client.get(object_id, fields=field).data
        except (GraphError, GraphTransportError, GraphBadResponse) as exc:
            logger.info("No permalink for %s: %s", object_id, type(exc).__name__)
            return ""
        return parsers.text(data.get(field)) if isinstance(data, dict) else ""

    @staticmethod
    def _check_media(post: OutgoingPost) -> Result | None:
        for item in post.media:
            if not item.url.startswith(("https://", "http://")):
                return Result(
                    Outcome.FAILED,
                    message=(
                        "Meta fetches images from a public web address, and one of the post's images has none. "
                        "Publish the image at a public HTTPS address first."
                    ),
                )
        return None

    # -- shared pieces --------------------------------------------------------------------------

    def _resolve_page_id(self) -> str:
        if not self._page_id:
            data = self.client.get("me", fields="id").data
            self._page_id = parsers.ident(data.get("id")) if isinstance(data, dict) else ""
        return self._page_id

    def _edge(self, path: str, *, max_pages: int | None = None, **params: Any) -> Iterator[dict[str, Any]]:
        return self.client.paginate(path, max_pages=max_pages or self.max_pages, **params)

    def _read_cursor(self, since: Cursor) -> dict[str, _Stream]:
        start = self._now() - self.lookback
        data: Any = {}
        if since.value:
            try:
                data = json.loads(since.value)
            except ValueError:
                logger.warning("Ignoring an unreadable %s cursor", self.platform_name)
        streams: dict[str, _Stream] = {}
        for name in ("comments", "messages", "mentions"):
            stored = data.get(name) if isinstance(data, dict) else None
            at = parsers.parse_time(stored.get("at")) if isinstance(stored, dict) else None
            ids = stored.get("ids") if isinstance(stored, dict) else None
            streams[name] = _Stream(
                max(at, start) if at else start,
                {str(i) for i in ids} if isinstance(ids, list) and at and at >= start else set(),
            )
        return streams

    @staticmethod
    def _write_cursor(streams: Mapping[str, _Stream]) -> Cursor:
        return Cursor(json.dumps({"v": 1, **{name: s.dump() for name, s in streams.items()}}, sort_keys=True))

    def _conversations(self, page_id: str, platform: str, our_id: str, stream: _Stream) -> list[IncomingInteraction]:
        found: list[IncomingInteraction] = []
        for conversation in self._edge(f"{page_id}/conversations", platform=platform, fields=MESSAGE_FIELDS, limit=25):
            updated = parsers.parse_time(conversation.get("updated_time"))
            if updated is not None and updated < stream.at:
                break     # conversations come newest first
            conversation_id = parsers.ident(conversation.get("id"))
            messages = parsers.obj(conversation.get("messages")).get("data")
            for message in messages if isinstance(messages, list) else []:
                if not isinstance(message, dict):
                    continue
                item = parsers.fb_message(
                    message, page_id=our_id, conversation_id=conversation_id,
                    channel_platform_id=self.credentials.platform_id,
                )
                if item is not None and stream.is_new(item):
                    found.append(item)
        return found

    def _optional(self, read: Callable[[], list[IncomingInteraction]], what: str, notes: list[str]) -> list[IncomingInteraction]:
        """A side stream (messages, mentions) that a token may lack permission for: skipped with a note."""
        try:
            return read()
        except GraphError as exc:
            if exc.is_permission or (exc.code == 100 and not exc.is_not_found):
                notes.append(f"{what} could not be read: the token lacks the permission (error {exc.code}).")
                return []
            raise

    def fetch_interactions(self, since: Cursor) -> Batch:
        if refusal := self._guard():
            return Batch([], since, refusal.outcome, refusal.message, refusal.retry_after)
        streams = self._read_cursor(since)
        notes: list[str] = []
        try:
            items = self._fetch(streams, notes)
        except (GraphError, GraphTransportError, GraphBadResponse) as exc:
            result = self._outcome(exc, needs=self._read_permission, thing="page")
            return Batch([], since, result.outcome, result.message, result.retry_after)
        items.sort(key=lambda i: (i.created_at, i.platform_id))
        return Batch(items, self._write_cursor(streams), Outcome.OK, " ".join(notes))

    _read_permission: ClassVar[str] = "pages_read_user_content"

    def _fetch(self, streams: dict[str, _Stream], notes: list[str]) -> list[IncomingInteraction]:
        raise NotImplementedError

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[IncomingInteraction]:
        """Check X-Hub-Signature-256 with the app secret, then parse. Raises WebhookError.

        A delivery may carry entries for several pages of the same app: the caller routes each
        interaction by its `channel_platform_id`.
        """
        lowered = {k.lower(): v for k, v in headers.items()}
        verify_signature(body, lowered.get(SIGNATURE_HEADER.lower()), self._app_secret)
        return parse_delivery(body)

    def _page_administrators(self, page_id: str) -> list[PlatformAdministrator]:
        roles = list(self._edge(f"{page_id}/roles", fields="id,name,tasks", limit=100))
        try:
            assigned = list(self._edge(f"{page_id}/assigned_users", fields="id,name,tasks", limit=100))
        except GraphError as exc:
            if not (exc.is_permission or exc.code == 100):
                raise
            assigned = []   # needs a business-owned page and MANAGE; people with roles are enough
        return parsers.page_administrators(roles, assigned)

    def administrators(self) -> list[PlatformAdministrator]:
        """People who hold the page on the platform. On trouble: [] and `last_result` says why."""
        if refusal := self._guard():
            self.last_result = refusal
            return []
        try:
            admins = self._page_administrators(self._admin_page_id())
        except (GraphError, GraphTransportError, GraphBadResponse) as exc:
            self.last_result = self._outcome(exc, needs="pages_manage_metadata", thing="page")
            return []
        self.last_result = self._ok()
        return admins

    def _admin_page_id(self) -> str:
        return self.credentials.platform_id

    def delete(self, interaction: InteractionRef) -> Result:
        if interaction.kind == InteractionKind.MESSAGE:
            return Result(Outcome.FAILED, message=f"Private messages cannot be deleted through {self.site}'s API.")

        def action() -> Result:
            self._success(self.client.delete(interaction.platform_id).data)
            return self._ok(platform_id=interaction.platform_id)

        return self._run(action, needs=self._moderate_permission, thing="comment")

    _moderate_permission: ClassVar[str] = "pages_manage_engagement"

    def edit(self, post_ref: InteractionRef, post: OutgoingPost) -> Result:
        return Result(Outcome.FAILED, message=f"Somevahti cannot edit posts on {self.site}.")

    def _send_message(self, page_id: str, to: InteractionRef, text: str) -> Result:
        recipient = to.extra.get("recipient_id", "")
        if not recipient:
            return Result(Outcome.FAILED, message="The message cannot be answered: its sender is not known.")

        def action() -> Result:
            data = self.client.post(
                f"{page_id or self._resolve_page_id()}/messages",
                recipient={"id": recipient}, messaging_type="RESPONSE", message={"text": text},
            ).data
            return self._ok(platform_id=self._id_of(data, "message_id"))

        return self._run(action, needs="pages_messaging", thing="conversation")


class FacebookConnector(MetaConnector):
    """A Facebook Page (sivu): posts, comments, Messenger messages, roles."""

    platform: ClassVar[str] = "facebook"
    service: ClassVar[str] = "Facebook page"
    site: ClassVar[str] = "Facebook"

    @property
    def page_id(self) -> str:
        return self.credentials.platform_id

    def publish(self, post: OutgoingPost) -> Result:
        if not post.text.strip() and not post.media:
            return Result(Outcome.FAILED, message="The post has neither text nor images.")
        if refusal := self._check_media(post):
            return refusal

        def action() -> Result:
            caption = post.text if not post.link else f"{post.text}\n\n{post.link}".strip()
            if not post.media:
                fields: dict[str, Any] = {"message": post.text}
                if post.link:
                    fields["link"] = post.link
                post_id = self._id_of(self.client.post(f"{self.page_id}/feed", **fields).data)
            elif len(post.media) == 1:
                data = self.client.post(f"{self.page_id}/photos", url=post.media[0].url, caption=caption).data
                post_id = parsers.ident(data.get("post_id")) if isinstance(data, dict) else ""
                post_id = post_id or self._id_of(data)
            else:
                photo_ids = [
                    self._id_of(self.client.post(f"{self.page_id}/photos", url=item.url, published=False).data)
                    for item in post.media
                ]
                post_id = self._id_of(self.client.post(
                    f"{self.page_id}/feed", message=caption,
                    attached_media=[{"media_fbid": photo_id} for photo_id in photo_ids],
                ).data)
            return self._ok(platform_id=post_id, url=self._permalink(post_id, "permalink_url"))

        return self._run(action, needs="pages_manage_posts", thing="page")

    def finish_publish(self, pending: PendingPublish) -> Result:
        return Result(Outcome.OK, platform_id=pending.container_id, message="Facebook posts are published in one step.")

    def edit(self, post_ref: InteractionRef, post: OutgoingPost) -> Result:
        """Replace a Page post's text: `POST /{page-post-id}` with `message` answers `{"success": true}`.

        Photos and a link preview stay as they were. A photo post carried its link in the
        caption when published, so the new caption carries it too."""
        if not post.text.strip():
            return Result(Outcome.FAILED, message="The new text of the post is empty.")
        message = post.text if not (post.media and post.link) else f"{post.text}\n\n{post.link}".strip()

        def action() -> Result:
            self._success(self.client.post(post_ref.platform_id, message=message).data)
            return self._ok(platform_id=post_ref.platform_id)

        return self._run(action, needs="pages_manage_posts", thing="post")

    def _fetch(self, streams: dict[str, _Stream], notes: list[str]) -> list[IncomingInteraction]:
        comments = streams["comments"]
        start = self._now() - self.lookback
        found: list[IncomingInteraction] = []
        posts = self._edge(
            f"{self.page_id}/published_posts", fields="id,created_time,permalink_url",
            since=int(start.timestamp()), limit=MAX_POSTS,
        )
        for index, post in enumerate(posts):
            if index >= self.max_posts:
                break
            post_id = parsers.ident(post.get("id"))
            if not post_id:
                continue
            permalink = parsers.text(post.get("permalink_url"))
            for raw in self._edge(
                f"{post_id}/comments", fields=FB_COMMENT_FIELDS, filter="stream",
                order="reverse_chronological", limit=100,
            ):
                item = parsers.fb_comment(raw, page_id=self.page_id, post_id=post_id, post_permalink=permalink)
                if item is None:
                    continue
                if item.created_at < comments.at:
                    break     # newest first: the rest is older than what we have
                if comments.is_new(item):
                    found.append(item)
        for item in found:
            comments.saw(item)
        if self.include_messages:
            messages = self._optional(
                lambda: self._conversations(self.page_id, "messenger", self.page_id, streams["messages"]),
                "Messenger messages", notes,
            )
            for item in messages:
                streams["messages"].saw(item)
            found.extend(messages)
        return found

    def reply(self, to: InteractionRef, text: str) -> Result:
        if not text.strip():
            return Result(Outcome.FAILED, message="The reply is empty.")
        if to.kind == InteractionKind.MESSAGE:
            return self._send_message(self.page_id, to, text)

        def action() -> Result:
            reply_id = self._id_of(self.client.post(f"{to.platform_id}/comments", message=text).data)
            return self._ok(platform_id=reply_id)

        return self._run(action, needs="pages_manage_engagement", thing="comment")

    def hide(self, interaction: InteractionRef, hidden: bool) -> Result:
        if interaction.kind == InteractionKind.MESSAGE:
            return Result(Outcome.FAILED, message="Private messages cannot be hidden.")

        def action() -> Result:
            self._success(self.client.post(interaction.platform_id, is_hidden=hidden).data)
            return self._ok(platform_id=interaction.platform_id)

        return self._run(action, needs="pages_manage_engagement", thing="comment")

    def health(self) -> Result:
        def action() -> Result:
            data = self.client.get("me", fields="id,name").data
            if not isinstance(data, dict) or not parsers.ident(data.get("id")):
                return Result(Outcome.FAILED, message="Facebook did not say whose token this is.", usage=self._usage())
            if parsers.ident(data["id"]) != self.page_id:
                return Result(
                    Outcome.FAILED,
                    message=(
                        "The token belongs to another Facebook page or to a person, not to this page. "
                        "An administrator must reconnect the channel with the page's own token."
                    ),
                    usage=self._usage(),
                )
            return self._ok(platform_id=self.page_id, message=f"Connected to the Facebook page {parsers.text(data.get('name'))}.")

        return self._run(action, thing="page")


class InstagramConnector(MetaConnector):
    """An Instagram professional account linked to a Facebook Page (Instagram API with Facebook Login)."""

    platform: ClassVar[str] = "instagram"
    # The Graph API cannot change a published caption (IG Media updates only `comment_enabled`).
    capabilities: ClassVar[frozenset[Capability]] = frozenset(Capability) - {Capability.EDIT}
    service: ClassVar[str] = "Instagram account"
    site: ClassVar[str] = "Instagram"
    _read_permission: ClassVar[str] = "instagram_manage_comments"
    _moderate_permission: ClassVar[str] = "instagram_manage_comments"

    @property
    def ig_user_id(self) -> str:
        return self.credentials.platform_id

    def publish(self, post: OutgoingPost) -> Result:
        if not post.media:
            return Result(Outcome.FAILED, message="An Instagram post needs at least one image.")
        if len(post.media) > MAX_IG_CAROUSEL:
            return Result(Outcome.FAILED, message=f"An Instagram post can have at most {MAX_IG_CAROUSEL} images.")
        if refusal := self._check_media(post):
            return refusal

        def action() -> Result:
            if self.check_publishing_limit:
                self._publishing_quota()
            caption = post.text if not post.link else f"{post.text}\n\n{post.link}".strip()
            if len(post.media) == 1:
                item = post.media[0]
                fields: dict[str, Any] = {"image_url": item.url, "caption": caption}
                if item.alt_text:
                    fields["alt_text"] = item.alt_text
                container = self._id_of(self.client.post(f"{self.ig_user_id}/media", **fields).data)
            else:
                children = []
                for item in post.media:
                    child: dict[str, Any] = {"image_url": item.url, "is_carousel_item": True}
                    if item.alt_text:
                        child["alt_text"] = item.alt_text
                    children.append(self._id_of(self.client.post(f"{self.ig_user_id}/media", **child).data))
                container = self._id_of(self.client.post(
                    f"{self.ig_user_id}/media", media_type="CAROUSEL", children=",".join(children), caption=caption,
                ).data)
            return self._finish(PendingPublish(container_id=container, idempotency_key=post.idempotency_key))

        return self._run(action, needs="instagram_content_publish", thing="account")

    def _publishing_quota(self) -> None:
        """Stop before the 24-hour publishing quota (content_publishing_limit) runs out."""
        try:
            data = self.client.get(f"{self.ig_user_id}/content_publishing_limit", fields="quota_usage,config").data
        except GraphError as exc:
            if exc.is_token or exc.is_rate_limit:
                raise
            return   # the check is a courtesy; publishing itself will tell
        except (GraphTransportError, GraphBadResponse):
            return
        rows = data.get("data") if isinstance(data, dict) else None
        row = rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else {}
        used = row.get("quota_usage")
        total = parsers.obj(row.get("config")).get("quota_total")
        if isinstance(used, int) and isinstance(total, int) and total > 0 and used >= total:
            raise _Failure(Result(
                Outcome.RATE_LIMITED, retry_after=3600.0,
                message=(
                    f"The Instagram account has used its {total} API posts for the last 24 hours. "
                    "Somevahti will try again later."
                ),
                usage=self._usage(),
            ))

    def _finish(self, pending: PendingPublish) -> Result:
        container = pending.container_id
        data = self.client.get(container, fields="status_code,status").data
        status = parsers.text(data.get("status_code")) if isinstance(data, dict) else ""
        if status == "PUBLISHED":
            return self._ok(message="The post had already been published.")
        if status == "IN_PROGRESS":
            return Result(
                Outcome.PENDING, pending=pending, retry_after=PENDING_RETRY_AFTER, usage=self._usage(),
                message="Instagram is still processing the images. Somevahti will finish publishing shortly.",
            )
        if status == "EXPIRED":
            return Result(
                Outcome.FAILED, usage=self._usage(),
                message="Instagram discarded the prepared post because it was not published within 24 hours. Publish it again.",
            )
        if status != "FINISHED":
            detail = parsers.text(data.get("status")) if isinstance(data, dict) else ""
            return Result(
                Outcome.FAILED, usage=self._usage(),
                message=(
                    "Instagram could not process the post's images"
                    + (f" ({detail})" if detail else "")
                    + ". Check that each image is a JPEG at a public address, then publish again."
                ),
            )
        try:
            published = self.client.post(f"{self.ig_user_id}/media_publish", creation_id=container).data
        except GraphError as exc:
            if exc.code == 9007:     # "media is not ready for publishing"
                return Result(
                    Outcome.PENDING, pending=pending, retry_after=PENDING_RETRY_AFTER, usage=self._usage(),
                    message="Instagram is still processing the images. Somevahti will finish publishing shortly.",
                )
            raise
        media_id = self._id_of(published)
        return self._ok(platform_id=media_id, url=self._permalink(media_id, "permalink"))

    def finish_publish(self, pending: PendingPublish) -> Result:
        """Publish a prepared container when it is ready. Safe to repeat: a published one is not published twice."""
        return self._run(lambda: self._finish(pending), needs="instagram_content_publish", thing="prepared post")

    def edit(self, post_ref: InteractionRef, post: OutgoingPost) -> Result:
        return Result(Outcome.FAILED, message=(
            "Instagram does not let apps change the caption of a published post. "
            "Withdraw the post and publish a corrected one instead."
        ))

    def _fetch(self, streams: dict[str, _Stream], notes: list[str]) -> list[IncomingInteraction]:
        comments = streams["comments"]
        start = self._now() - self.lookback
        username = self.credentials.handle
        found: list[IncomingInteraction] = []
        media = self._edge(f"{self.ig_user_id}/media", fields="id,caption,timestamp,permalink,comments_count", limit=MAX_POSTS)
        for index, medium in enumerate(media):
            created = parsers.parse_time(medium.get("timestamp"))
            if index >= self.max_posts or (created is not None and created < start):
                break     # newest first
            media_id = parsers.ident(medium.get("id"))
            if not media_id or medium.get("comments_count") == 0:
                continue
            permalink = parsers.text(medium.get("permalink"))
            for raw in self._edge(f"{media_id}/comments", fields=IG_COMMENT_FIELDS, limit=50):
                for item in parsers.ig_comments_with_replies(
                    raw, ig_user_id=self.ig_user_id, username=username, media_id=media_id, media_permalink=permalink,
                ):
                    if comments.is_new(item):
                        found.append(item)
        for item in found:
            comments.saw(item)
        mentions = self._optional(lambda: self._tags(streams["mentions"]), "Instagram mentions", notes)
        for item in mentions:
            streams["mentions"].saw(item)
        found.extend(mentions)
        if self.include_messages:
            messages = self._optional(
                lambda: self._conversations(self._resolve_page_id(), "instagram", self.ig_user_id, streams["messages"]),
                "Instagram messages", notes,
            )
            for item in messages:
                streams["messages"].saw(item)
            found.extend(messages)
        return found

    def _tags(self, stream: _Stream) -> list[IncomingInteraction]:
        found: list[IncomingInteraction] = []
        for raw in self._edge(f"{self.ig_user_id}/tags", fields="id,caption,timestamp,username,permalink,media_url", limit=25):
            item = parsers.ig_tagged_media(raw, ig_user_id=self.ig_user_id)
            if item is None:
                continue
            if item.created_at < stream.at:
                break
            if stream.is_new(item):
                found.append(item)
        return found

    def reply(self, to: InteractionRef, text: str) -> Result:
        if not text.strip():
            return Result(Outcome.FAILED, message="The reply is empty.")
        if to.kind == InteractionKind.MESSAGE:
            return self._send_message(self._page_id, to, text)
        if to.kind == InteractionKind.MENTION:
            media_id = to.extra.get("media_id", "")
            if not media_id:
                return Result(Outcome.FAILED, message="The mention cannot be answered: its post is not known.")

            def mention() -> Result:
                fields = {"media_id": media_id, "message": text}
                if comment_id := to.extra.get("comment_id", ""):
                    fields["comment_id"] = comment_id
                return self._ok(platform_id=self._id_of(self.client.post(f"{self.ig_user_id}/mentions", **fields).data))

            return self._run(mention, needs="instagram_manage_comments", thing="mention")

        def action() -> Result:
            return self._ok(platform_id=self._id_of(self.client.post(f"{to.platform_id}/replies", message=text).data))

        return self._run(action, needs="instagram_manage_comments", thing="comment")

    def hide(self, interaction: InteractionRef, hidden: bool) -> Result:
        if interaction.kind in (InteractionKind.MESSAGE, InteractionKind.MENTION):
            return Result(Outcome.FAILED, message="Only comments on the account's own posts can be hidden on Instagram.")

        def action() -> Result:
            self._success(self.client.post(interaction.platform_id, hide=hidden).data)
            return self._ok(platform_id=interaction.platform_id)

        return self._run(action, needs="instagram_manage_comments", thing="comment")

    def _admin_page_id(self) -> str:
        return self._resolve_page_id()

    def health(self) -> Result:
        def action() -> Result:
            data = self.client.get(self.ig_user_id, fields="id,username").data
            if not isinstance(data, dict) or parsers.ident(data.get("id")) != self.ig_user_id:
                return Result(Outcome.FAILED, message="Instagram did not recognise the account with this token.", usage=self._usage())
            return self._ok(platform_id=self.ig_user_id, message=f"Connected to the Instagram account @{parsers.text(data.get('username'))}.")

        return self._run(action, thing="account")
