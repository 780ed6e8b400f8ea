"""The Mastodon adapter: one account on one instance, polled (Mastodon has no per-account webhooks).

Credentials: `platform_id` = the account id, `token` = a user token (read write scopes),
`base_url` = the instance, `handle` = the account's acct. Options for tests and deployments:
`base_url` (overrides the credentials'), `timeout`, `session` (a requests.Session),
`media_poll_interval` / `media_poll_attempts`, `page_limit`, `max_pages`, `sleep`.

Platform trouble never raises past this class: it becomes a Result/Batch with an outcome and a
message for people in English (the caller translates by outcome).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import requests

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
    WebhookError,
)
from . import parsers
from .client import (
    DEFAULT_TIMEOUT,
    MastodonBadRequest,
    MastodonBadResponse,
    MastodonClient,
    MastodonError,
    MastodonForbidden,
    MastodonNotFound,
    MastodonRateLimited,
    MastodonRejected,
    MastodonServerError,
    MastodonUnauthorized,
    MastodonUnreachable,
)

logger = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER = 300.0          # the documented window of the general limit: 300 calls / 5 min
INSTANCE_CACHE_SECONDS = 3600.0
VISIBILITIES = ("public", "unlisted", "private", "direct")

_instance_cache: dict[str, tuple[float, dict[str, int]]] = {}
_instance_lock = threading.Lock()


def clear_instance_cache() -> None:
    """Forget the instances' limits (tests; after an instance changes its configuration)."""
    with _instance_lock:
        _instance_cache.clear()


class MastodonConnector:
    platform: ClassVar[str] = "mastodon"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.PUBLISH, Capability.REPLY, Capability.DELETE, Capability.EDIT, Capability.MESSAGES}
    )

    def __init__(
        self,
        *,
        credentials: Credentials,
        platform: str = "mastodon",
        base_url: str = "",
        timeout: float = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
        media_poll_interval: float = 2.0,
        media_poll_attempts: int = 15,
        page_limit: int = 40,
        max_pages: int = 10,
        sleep: Callable[[float], None] = time.sleep,
        **options: Any,
    ) -> None:
        self.credentials = credentials
        self.base_url = (base_url or credentials.base_url).rstrip("/")
        self.account_id = credentials.platform_id
        self.handle = credentials.handle or credentials.platform_id
        self.media_poll_interval = media_poll_interval
        self.media_poll_attempts = max(media_poll_attempts, 1)
        self.page_limit = min(max(page_limit, 1), 80)
        self.max_pages = max(max_pages, 1)
        self._sleep = sleep
        self._client: MastodonClient | None = None
        self._client_error: MastodonError | None = None
        try:
            self._client = MastodonClient(base_url=self.base_url, token=credentials.token, timeout=timeout, session=session)
        except MastodonError as exc:
            self._client_error = exc

    def __repr__(self) -> str:
        return f"MastodonConnector(base_url={self.base_url!r}, account={self.handle!r})"

    # --- outcomes -------------------------------------------------------------------------

    def _usage(self) -> dict[str, float]:
        if self._client is None or self._client.rate is None:
            return {}
        used = self._client.rate.used_percent
        return {} if used is None else {"rate_limit": used}

    def _ok(self, **kwargs: Any) -> Result:
        return Result(Outcome.OK, usage=self._usage(), **kwargs)

    def _refusal(self, exc: MastodonError, *, missing: str = "") -> Result:
        """One platform error → a Result with an outcome and a message for people."""
        instance = self.base_url or "(no address)"
        said = f" The instance said: “{exc.platform_message}”." if exc.platform_message else ""
        usage = self._usage()
        if isinstance(exc, MastodonUnauthorized):
            return Result(
                Outcome.UNAUTHORIZED,
                message=(
                    f"The Mastodon access token for {self.handle} on {instance} is no longer accepted "
                    f"(it was revoked, or the app was removed from the account).{said} "
                    "An administrator must reconnect the channel."
                ),
                usage=usage,
            )
        if isinstance(exc, MastodonForbidden):
            text = exc.platform_message.lower()
            if "scope" in text or "login" in text:
                return Result(
                    Outcome.UNAUTHORIZED,
                    message=(
                        f"The Mastodon account {self.handle} on {instance} may not do this with its current token.{said} "
                        "An administrator must reconnect the channel with the read and write permissions."
                    ),
                    usage=usage,
                )
            return Result(Outcome.FAILED, message=f"The Mastodon instance {instance} does not allow this.{said}", usage=usage)
        if isinstance(exc, MastodonRateLimited):
            retry_after = exc.retry_after if exc.retry_after is not None else DEFAULT_RETRY_AFTER
            retry_after = float(max(math.ceil(retry_after), 1))
            return Result(
                Outcome.RATE_LIMITED,
                retry_after=retry_after,
                message=(
                    f"The Mastodon instance {instance} asks Somevahti to slow down. "
                    f"It will be tried again in {retry_after:.0f} seconds."
                ),
                usage={"rate_limit": 100.0},   # the bucket the instance reports is the one that ran out
            )
        if isinstance(exc, MastodonNotFound):
            return Result(
                Outcome.NOT_FOUND,
                message=missing or f"The Mastodon instance {instance} no longer has it: it was deleted.",
                usage=usage,
            )
        if isinstance(exc, MastodonRejected):
            return Result(
                Outcome.FAILED,
                message=f"The Mastodon instance {instance} refused it.{said} Correct it and try again.",
                usage=usage,
            )
        if isinstance(exc, MastodonServerError):
            return Result(
                Outcome.FAILED,
                message=f"The Mastodon instance {instance} had a server error (HTTP {exc.status}).{said} Try again later.",
                usage=usage,
            )
        if isinstance(exc, MastodonUnreachable):
            if exc.timed_out:
                return Result(
                    Outcome.FAILED,
                    message=f"The Mastodon instance {instance} did not answer in time. Try again later.",
                    usage=usage,
                )
            return Result(
                Outcome.FAILED,
                message=f"The Mastodon instance {instance} could not be reached. Check its address, or try again later.",
                usage=usage,
            )
        if isinstance(exc, MastodonBadResponse):
            return Result(
                Outcome.FAILED,
                message=(
                    f"The Mastodon instance {instance} answered with something other than the expected data "
                    "(it may be down for maintenance). Try again later."
                ),
                usage=usage,
            )
        if isinstance(exc, MastodonBadRequest):
            return Result(Outcome.FAILED, message=str(exc), usage=usage)
        return Result(Outcome.FAILED, message=f"The Mastodon instance {instance} could not do it: {exc}", usage=usage)

    def _client_or_refusal(self) -> MastodonClient | Result:
        """The client, or the outcome to return when the channel cannot be reached at all."""
        if self._client is None:
            exc = self._client_error or MastodonBadRequest("The Mastodon channel is not configured.")
            return Result(Outcome.FAILED, message=f"{exc} An administrator must check the channel's settings.")
        return self._client

    # --- instance limits --------------------------------------------------------------------

    def _limits(self, client: MastodonClient) -> dict[str, int]:
        """The instance's limits from GET /api/v2/instance, cached for an hour per instance.

        If the instance does not tell (old server, error), nothing is checked here and the
        instance's own 422 is passed on instead. Rate limits are raised to the caller.
        """
        now = time.monotonic()
        with _instance_lock:
            cached = _instance_cache.get(self.base_url)
        if cached is not None and now - cached[0] < INSTANCE_CACHE_SECONDS:
            return cached[1]
        try:
            limits = parsers.instance_limits(client.instance())
        except MastodonRateLimited:
            raise
        except MastodonError as exc:
            logger.info("Mastodon instance %s did not tell its limits: %s", self.base_url, exc)
            return {}
        with _instance_lock:
            _instance_cache[self.base_url] = (now, limits)
        return limits

    def _too_long(self, text: str, limits: Mapping[str, int]) -> Result | None:
        maximum = limits.get("max_characters")
        if not maximum:
            return None
        length = parsers.count_characters(text, characters_per_url=limits.get("characters_reserved_per_url", 23))
        if length <= maximum:
            return None
        return Result(
            Outcome.FAILED,
            message=(
                f"The text is {length} characters long, but the Mastodon instance {self.base_url} allows at most "
                f"{maximum} characters in a post. Shorten it by {length - maximum} characters."
            ),
            usage=self._usage(),
        )

    # --- publish ------------------------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> Result:
        client = self._client_or_refusal()
        if isinstance(client, Result):
            return client
        if not post.text.strip() and not post.media:
            return Result(Outcome.FAILED, message="The post has no text and no images; there is nothing to publish.")
        text = post.text
        if post.link and post.link not in text:
            text = f"{text}\n\n{post.link}" if text.strip() else post.link
        try:
            limits = self._limits(client)
            if too_long := self._too_long(text, limits):
                return too_long
            max_media = limits.get("max_media_attachments")
            if max_media and len(post.media) > max_media:
                return Result(
                    Outcome.FAILED,
                    message=(
                        f"The post has {len(post.media)} images, but the Mastodon instance {self.base_url} "
                        f"allows at most {max_media} in a post. Remove some of them."
                    ),
                )
            media_ids: list[str] = []
            for index, item in enumerate(post.media, start=1):
                outcome = self._upload(client, item, index=index, limits=limits)
                if isinstance(outcome, Result):
                    return outcome
                media_ids.append(outcome)
            status = client.post_status(
                text=text,
                language=post.language or None,
                visibility="public",
                media_ids=media_ids,
                idempotency_key=post.idempotency_key or None,
            )
        except MastodonError as exc:
            return self._refusal(exc)
        if not status.get("id"):
            return Result(Outcome.FAILED, message=f"The Mastodon instance {self.base_url} did not say which post it created. Check the account before trying again.")
        return self._ok(platform_id=str(status["id"]), url=str(status.get("url") or status.get("uri") or ""))

    def _upload(self, client: MastodonClient, item: Any, *, index: int, limits: Mapping[str, int]) -> str | Result:
        """Upload one image; wait (bounded) until the instance has processed it. Returns its id."""
        data: bytes | None = item.data
        if data is None and item.url and "://" not in item.url:
            try:
                data = Path(item.url).read_bytes()
            except OSError:
                return Result(Outcome.FAILED, message=f"Image {index} could not be read from the server's storage. Upload it again.")
        if data is None:
            return Result(
                Outcome.FAILED,
                message=f"Image {index} is only a web address; Mastodon needs the image file itself. Upload the image to the post.",
            )
        description_limit = limits.get("description_limit")
        if description_limit and len(item.alt_text) > description_limit:
            return Result(
                Outcome.FAILED,
                message=(
                    f"The description (alt text) of image {index} is {len(item.alt_text)} characters long, but the "
                    f"Mastodon instance {self.base_url} allows at most {description_limit}. Shorten it."
                ),
            )
        name = Path(item.url).name if item.url and "://" not in item.url else None
        attachment, status = client.upload_media(data=data, mime_type=item.content_type, description=item.alt_text, file_name=name)
        media_id = str(attachment.get("id") or "")
        if not media_id:
            return Result(Outcome.FAILED, message=f"The Mastodon instance {self.base_url} did not say which id it gave image {index}. Try again.")
        attempts = 0
        while not attachment.get("url"):
            if attempts >= self.media_poll_attempts:
                return Result(
                    Outcome.FAILED,
                    message=(
                        f"The Mastodon instance {self.base_url} is still processing image {index}. "
                        "Nothing was published; try again in a few minutes."
                    ),
                    usage=self._usage(),
                )
            attempts += 1
            self._sleep(self.media_poll_interval)
            attachment, status = client.media(media_id)
            attachment = attachment or {"id": media_id, "url": None}
        logger.debug("Mastodon media %s processed after %d checks (last HTTP %s)", media_id, attempts, status)
        return media_id

    def finish_publish(self, pending: PendingPublish) -> Result:
        return Result(Outcome.FAILED, message="Mastodon publishes in one step; there is nothing to finish.")

    def edit(self, post_ref: InteractionRef, post: OutgoingPost) -> Result:
        """Replace the text of one of the account's statuses (`PUT /api/v1/statuses/:id`).

        The status is read first so that its images are named in the edit and stay on it, and so
        that a status of another account is refused before anything is sent. Mastodon keeps the
        earlier versions visible to readers as the status's edit history."""
        client = self._client_or_refusal()
        if isinstance(client, Result):
            return client
        if not post.text.strip():
            return Result(Outcome.FAILED, message="The new text of the post is empty.")
        text = post.text
        if post.link and post.link not in text:
            text = f"{text}\n\n{post.link}"
        gone = "The post is no longer on Mastodon: it was deleted. Publish the corrected text as a new post."
        try:
            if too_long := self._too_long(text, self._limits(client)):
                return too_long
            current = client.status(post_ref.platform_id)
            account = current.get("account")
            author_id = str(account.get("id") or "") if isinstance(account, dict) else ""
            if self.account_id and author_id and author_id != self.account_id:
                return Result(Outcome.FAILED, message="Mastodon lets an account edit only its own posts; this one was written by another account.")
            media_ids = [
                str(item["id"]) for item in current.get("media_attachments") or []
                if isinstance(item, dict) and item.get("id")
            ]
            status = client.update_status(post_ref.platform_id, text=text, media_ids=media_ids)
        except MastodonError as exc:
            return self._refusal(exc, missing=gone)
        return self._ok(
            platform_id=str(status.get("id") or post_ref.platform_id),
            url=str(status.get("url") or status.get("uri") or ""),
        )

    # --- ingest -------------------------------------------------------------------------------

    def fetch_interactions(self, since: Cursor) -> Batch:
        """Mentions (which include replies to our posts and private mentions), oldest unseen first.

        The cursor is the newest notification id seen. With no cursor only the newest page is
        read, not the account's whole history. Pages are followed through the Link header's
        `rel="prev"` (min_id) link, at most `max_pages` of them per call.
        """
        client = self._client_or_refusal()
        if isinstance(client, Result):
            return Batch([], since, client.outcome, client.message)
        notifications: list[dict[str, Any]] = []
        stopped: Result | None = None
        try:
            page = client.notifications(types=["mention"], min_id=since.value or None, limit=self.page_limit)
        except MastodonError as exc:
            failure = self._refusal(exc)
            return Batch([], since, failure.outcome, failure.message, failure.retry_after)
        notifications.extend(page.items)
        pages = 1
        if since.value:
            while page.items and pages < self.max_pages:
                try:
                    newer = client.newer(page)
                except MastodonError as exc:
                    stopped = self._refusal(exc)
                    break
                if newer is None:
                    break
                page = newer
                pages += 1
                notifications.extend(page.items)

        items: list[IncomingInteraction] = []
        seen: set[str] = set()
        skipped = 0
        for notification in notifications:
            notification_id = str(notification.get("id") or "")
            if notification_id in seen:
                continue
            seen.add(notification_id)
            if notification.get("type") not in (None, "mention"):
                continue
            try:
                items.append(parsers.interaction_from_notification(notification, account_id=self.account_id))
            except parsers.MalformedPayload as exc:
                skipped += 1
                logger.warning("Skipped a Mastodon notification from %s: %s", self.base_url, exc)
        items.sort(key=lambda i: (i.created_at, parsers.id_order(i.platform_id)))
        cursor = Cursor(parsers.newest_id(list(seen), since.value))

        messages: list[str] = []
        if skipped:
            messages.append(f"{skipped} notifications from {self.base_url} lacked the fields Somevahti needs and were skipped.")
        if stopped is not None:
            messages.append(f"More mentions are waiting; reading stopped early. {stopped.message}")
        return Batch(items, cursor, Outcome.OK, " ".join(messages), stopped.retry_after if stopped else None)

    # --- answer, moderate -----------------------------------------------------------------

    def reply(self, to: InteractionRef, text: str) -> Result:
        """Answer a status. The answer keeps the original's visibility (a private mention is
        answered privately) and starts with the author's @handle so that they see it."""
        client = self._client_or_refusal()
        if isinstance(client, Result):
            return client
        if not text.strip():
            return Result(Outcome.FAILED, message="The answer is empty; write something before sending it.")
        missing = "The post being answered was deleted on Mastodon, so it can no longer be answered."
        try:
            acct = to.extra.get("acct", "")
            visibility = to.extra.get("visibility", "")
            if not acct or visibility not in VISIBILITIES:
                original = client.status(to.platform_id)
                account = parsers.mapping(original.get("account"))
                acct = acct or str(account.get("acct") or "")
                visibility = str(original.get("visibility") or "")
            if visibility not in VISIBILITIES:
                visibility = "direct" if to.kind == InteractionKind.MESSAGE else "public"
            body = text
            if acct and acct != self.handle and f"@{acct}".lower() not in text.lower():
                body = f"@{acct} {text}"
            if too_long := self._too_long(body, self._limits(client)):
                return too_long
            status = client.post_status(text=body, visibility=visibility, in_reply_to_id=to.platform_id)
        except MastodonError as exc:
            return self._refusal(exc, missing=missing)
        if not status.get("id"):
            return Result(Outcome.FAILED, message=f"The Mastodon instance {self.base_url} did not say which answer it created. Check the account before trying again.")
        return self._ok(platform_id=str(status["id"]), url=str(status.get("url") or status.get("uri") or ""))

    def hide(self, interaction: InteractionRef, hidden: bool) -> Result:
        return Result(
            Outcome.FAILED,
            message=(
                "Mastodon has no way to hide a reply from others. The options are to block or mute the "
                "account that wrote it, or to report the post to the instance's moderators."
            ),
        )

    def delete(self, interaction: InteractionRef) -> Result:
        """Delete one of the account's own statuses (others' cannot be deleted: they answer 404)."""
        client = self._client_or_refusal()
        if isinstance(client, Result):
            return client
        try:
            client.delete_status(interaction.platform_id)
        except MastodonError as exc:
            return self._refusal(
                exc,
                missing=(
                    "The post is no longer on Mastodon, or it was not written by this account "
                    "(only the account's own posts can be deleted)."
                ),
            )
        return self._ok(platform_id=interaction.platform_id)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[IncomingInteraction]:
        raise WebhookError("Mastodon has no per-account webhooks; this channel is polled.")

    def administrators(self) -> list[PlatformAdministrator]:
        """A Mastodon account is one login; the platform has no list of who else holds it."""
        return []

    def health(self) -> Result:
        client = self._client_or_refusal()
        if isinstance(client, Result):
            return client
        try:
            account = client.verify_credentials()
        except MastodonError as exc:
            return self._refusal(exc)
        account_id = str(account.get("id") or "")
        if self.account_id and account_id and account_id != self.account_id:
            return Result(
                Outcome.UNAUTHORIZED,
                message=(
                    f"The access token belongs to the account @{account.get('acct', '?')}, not to {self.handle}. "
                    "An administrator must reconnect the channel with the right account."
                ),
                usage=self._usage(),
            )
        return self._ok(platform_id=account_id, url=str(account.get("url") or ""))
