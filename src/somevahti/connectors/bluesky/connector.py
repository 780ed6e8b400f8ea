"""The Bluesky adapter: one account (a DID) on its PDS, signed in with an app password.

Credentials: platform_id = the account's DID, token = an app password, base_url = the PDS
(https://bsky.social when empty), handle = the account's handle.

Ingest uses app.bsky.notification.listNotifications when the PDS has an AppView behind it
(production). A PDS without one answers `400 No service configured for …`; then the adapter
reads the repositories the PDS hosts (com.atproto.sync.listRepos, com.atproto.repo.listRecords),
which is what a self-hosted PDS, and the test server, offers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import mimetypes
import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import httpx

from ..base import (
    Author,
    Batch,
    Capability,
    Credentials,
    Cursor,
    IncomingInteraction,
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
    POST_COLLECTION,
    AuthError,
    BlueskyClient,
    NotFoundError,
    RateLimitedError,
    Session,
    UnavailableError,
    XrpcError,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_PDS = "https://bsky.social"
MAX_IMAGES = 4                      # app.bsky.embed.images: maxLength 4
MAX_IMAGE_BYTES = 1_000_000         # app.bsky.embed.images#image: image maxSize 1000000
CDN_IMAGE = "https://cdn.bsky.app/img/feed_fullsize/plain/{did}/{cid}@jpeg"
# An AppView dates a notification by the earlier of the post's createdAt (written by the
# author's app) and the moment it indexed the post, and lists notifications in that order. A
# post from a phone whose clock is behind, or one that reached the AppView late, therefore sorts
# below notifications already seen. Each fetch reads this far below the newest one seen and
# remembers what it returned within that window (measured on @atproto/bsky 0.0.221).
NOTIFICATION_LOOKBACK = dt.timedelta(hours=1)

# Sessions outlive one connector object: a task builds a new connector for every call, and
# createSession is limited (30 per 5 minutes on bsky.social). Keyed by the app password's hash
# so that a new password never reuses an old session.
_SESSIONS: dict[tuple[str, str, str], Session] = {}
_SESSIONS_LOCK = threading.Lock()


def forget_sessions() -> None:
    with _SESSIONS_LOCK:
        _SESSIONS.clear()


class _Refusal(Exception):
    """A check of our own that stops an action before anything is sent."""

    def __init__(self, outcome: Outcome, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.message = message


class BlueskyConnector:
    platform: ClassVar[str] = "bluesky"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.PUBLISH, Capability.REPLY, Capability.DELETE}
    )

    def __init__(
        self, *, credentials: Credentials, platform: str = "bluesky", base_url: str = "",
        http_client: httpx.Client | None = None, timeout: float = DEFAULT_TIMEOUT, max_pages: int = 10,
        reply_language: str = "fi", use_appview: bool | None = None, **options: Any,
    ) -> None:
        self.credentials = credentials
        self.platform_name = platform
        self.base_url = (base_url or credentials.base_url or DEFAULT_PDS).rstrip("/")
        self.client = BlueskyClient(self.base_url, http_client=http_client, timeout=timeout)
        self.max_pages = max(1, max_pages)
        self.reply_language = reply_language
        self._appview = use_appview          # None: find out on the first fetch
        self._authors: dict[str, Author] = {}
        self._session_key = (
            self.base_url,
            credentials.platform_id or credentials.handle,
            hashlib.sha256(credentials.token.encode("utf-8")).hexdigest(),
        )

    def __repr__(self) -> str:
        return f"<BlueskyConnector {self.credentials.platform_id or self.credentials.handle} at {self.base_url}>"

    # -- sessions ----------------------------------------------------------------------------------

    @property
    def _session(self) -> Session | None:
        with _SESSIONS_LOCK:
            return _SESSIONS.get(self._session_key)

    def _store(self, session: Session | None) -> None:
        with _SESSIONS_LOCK:
            if session is None:
                _SESSIONS.pop(self._session_key, None)
            else:
                _SESSIONS[self._session_key] = session

    def _login(self) -> Session:
        identifier = self.credentials.platform_id or self.credentials.handle
        if not identifier or not self.credentials.token:
            raise _Refusal(Outcome.UNAUTHORIZED, "The Bluesky channel has no account or app password. "
                           "An administrator must connect the channel again.")
        session = self.client.create_session(identifier, self.credentials.token)
        self._store(session)
        return session

    def _renew(self, session: Session) -> Session:
        try:
            renewed = self.client.refresh_session(session.refresh_jwt)
        except AuthError:
            self._store(None)
            return self._login()
        self._store(renewed)
        return renewed

    def _authed(self, call: Callable[[Session], T]) -> T:
        """Run `call` with a valid session: refresh (or sign in again) once when the token is refused."""
        session = self._session or self._login()
        try:
            return call(session)
        except AuthError:
            pass
        return call(self._renew(session))

    @property
    def did(self) -> str:
        session = self._session
        return self.credentials.platform_id or (session.did if session else "")

    @property
    def handle(self) -> str:
        session = self._session
        return self.credentials.handle or (session.handle if session else "") or self.did

    # -- outcomes ----------------------------------------------------------------------------------

    def _usage(self) -> dict[str, float]:
        used = self.client.last_rate.used_percent
        return {"rate_limit": used} if used is not None else {}

    def _failure(self, exc: Exception, *, doing: str) -> Result:
        if isinstance(exc, _Refusal):
            return Result(exc.outcome, message=exc.message)
        if isinstance(exc, AuthError):
            self._store(None)
            return Result(Outcome.UNAUTHORIZED, message=(
                f"Bluesky did not accept the app password of {self.handle} ({exc.message or exc.error}). "
                "An administrator must create a new app password in Bluesky and reconnect the channel."))
        if isinstance(exc, RateLimitedError):
            wait = exc.rate.retry_after()
            usage = {"rate_limit": exc.rate.used_percent} if exc.rate.used_percent is not None else {}
            return Result(Outcome.RATE_LIMITED, retry_after=wait if wait is not None else 60.0, usage=usage,
                          message=f"Bluesky's rate limit was reached while {doing}. Somevahti tries again later.")
        if isinstance(exc, NotFoundError):
            return Result(Outcome.NOT_FOUND, message=(
                f"Bluesky no longer has the post needed for {doing}: it was probably deleted. ({exc.message})"))
        if isinstance(exc, UnavailableError):
            if exc.status == 0:
                why = f"Somevahti could not reach the Bluesky server {self.base_url} ({exc.message})"
            elif exc.status >= 500:
                why = f"The Bluesky server {self.base_url} had an error (HTTP {exc.status})"
            else:
                why = f"The Bluesky server {self.base_url} gave an answer Somevahti cannot read ({exc.message})"
            return Result(Outcome.FAILED, message=f"{why} while {doing}. Try again later.")
        if isinstance(exc, XrpcError):
            return Result(Outcome.FAILED, message=f"Bluesky refused {doing}: {exc.message or exc.error}.")
        if isinstance(exc, parsers.ParseError):
            return Result(Outcome.FAILED, message=f"Bluesky's answer was incomplete while {doing} ({exc}).")
        raise exc

    def _guard(self, doing: str, action: Callable[[], Result]) -> Result:
        try:
            return action()
        except (_Refusal, XrpcError, parsers.ParseError) as exc:
            result = self._failure(exc, doing=doing)
            logger.info("bluesky %s for %s: %s", result.outcome, self.did, result.message)
            return result

    # -- publishing --------------------------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> Result:
        return self._guard("publishing the post", lambda: self._publish(post))

    def _publish(self, post: OutgoingPost) -> Result:
        text = post.text.strip()
        if post.link and post.link not in text:
            text = f"{text}\n\n{post.link}".strip()
        if not text and not post.media:
            raise _Refusal(Outcome.FAILED, "The post has no text and no images, so there is nothing to publish.")
        images = self._image_bytes(post)
        rkey = parsers.deterministic_rkey(post.idempotency_key) if post.idempotency_key else ""

        def run(session: Session) -> Result:
            repo = self.credentials.platform_id or session.did
            if rkey and (existing := self._existing(repo, rkey)):
                return existing
            record: dict[str, Any] = {"$type": parsers.POST_TYPE, "text": text,
                                      "createdAt": parsers.format_datetime(dt.datetime.now(dt.UTC))}
            if post.language:
                record["langs"] = [post.language]
            if facets := self._facets(text):
                record["facets"] = facets
            if images:
                record["embed"] = {"$type": "app.bsky.embed.images", "images": [
                    {"alt": item.alt_text, "image": self.client.upload_blob(session.access_jwt, data, content_type)}
                    for item, data, content_type in images
                ]}
            try:
                created = self.client.create_record(session.access_jwt, repo=repo, record=record, rkey=rkey)
            except (AuthError, RateLimitedError):
                raise
            except XrpcError as exc:
                # A PDS answers a second create with the same key with a 500, and a timeout
                # may hide a create that did land: either way the record tells.
                if rkey and (existing := self._existing(repo, rkey)):
                    return existing
                if "graphemes" in exc.message:
                    raise _Refusal(Outcome.FAILED, "The text is longer than Bluesky allows (300 characters). "
                                   "Shorten it and publish again.") from None
                raise
            return self._created(created)

        return self._authed(run)

    def _existing(self, repo: str, rkey: str) -> Result | None:
        try:
            found = self.client.get_record(repo=repo, rkey=rkey)
        except NotFoundError:
            return None
        return self._created(found)

    def _created(self, answer: Mapping[str, Any]) -> Result:
        uri = answer.get("uri")
        if not isinstance(uri, str):
            raise parsers.ParseError("the created record has no uri")
        return Result(Outcome.OK, platform_id=uri, url=parsers.web_url(actor=self.handle, rkey=parsers.parse_at_uri(uri).rkey),
                      usage=self._usage())

    def _image_bytes(self, post: OutgoingPost) -> list[tuple[Any, bytes, str]]:
        if len(post.media) > MAX_IMAGES:
            raise _Refusal(Outcome.FAILED, f"Bluesky takes at most {MAX_IMAGES} images in one post; "
                           f"this post has {len(post.media)}. Remove some and publish again.")
        images = []
        for number, item in enumerate(post.media, start=1):
            data = item.data
            if data is None and item.url and "://" not in item.url:
                try:
                    data = Path(item.url).read_bytes()
                except OSError:
                    data = None
            if data is None:
                raise _Refusal(Outcome.FAILED, f"Image {number} could not be read, so the post was not "
                               "published. Attach the image again.")
            if len(data) > MAX_IMAGE_BYTES:
                raise _Refusal(Outcome.FAILED, (
                    f"Image {number} is {len(data) / 1_000_000:.1f} MB; Bluesky takes images up to 1 MB. "
                    "Make the image smaller and publish again."))
            content_type = item.content_type or mimetypes.guess_type(item.url)[0] or "image/jpeg"
            if not content_type.startswith("image/"):
                raise _Refusal(Outcome.FAILED, f"Attachment {number} is not an image ({content_type}); "
                               "Bluesky posts from Somevahti can carry images only.")
            images.append((item, data, content_type))
        return images

    def _facets(self, text: str) -> list[dict[str, Any]]:
        dids: dict[str, str] = {}
        for handle in parsers.mentioned_handles(text):
            if handle in dids:
                continue
            try:
                if did := self.client.resolve_handle(handle):
                    dids[handle] = did
            except (NotFoundError, UnavailableError) as exc:
                logger.info("bluesky: mention @%s left as plain text: %s", handle, exc)
            except XrpcError as exc:
                if isinstance(exc, (AuthError, RateLimitedError)):
                    raise
                logger.info("bluesky: mention @%s left as plain text: %s", handle, exc)
        return parsers.build_facets(text, dids)

    def finish_publish(self, pending: PendingPublish) -> Result:
        return Result(Outcome.FAILED, message="Bluesky publishes in one step; there is nothing to finish.")

    # -- replying, hiding, deleting ------------------------------------------------------------

    def reply(self, to: InteractionRef, text: str) -> Result:
        return self._guard("replying", lambda: self._reply(to, text))

    def _reply(self, to: InteractionRef, text: str) -> Result:
        if not text.strip():
            raise _Refusal(Outcome.FAILED, "The reply is empty. Write a reply and send it again.")
        try:
            target = parsers.parse_at_uri(to.platform_id)
        except parsers.ParseError:
            raise _Refusal(Outcome.FAILED, f"{to.platform_id!r} is not a Bluesky post address (at://…), "
                           "so Somevahti cannot reply to it.") from None

        def run(session: Session) -> Result:
            parent = self._post_ref(target, to.extra, session)
            root_uri = to.extra.get("root_uri") or parent.root_uri
            root_cid = to.extra.get("root_cid") if to.extra.get("root_uri") else parent.root_cid
            record: dict[str, Any] = {
                "$type": parsers.POST_TYPE, "text": text.strip(),
                "createdAt": parsers.format_datetime(dt.datetime.now(dt.UTC)),
                "langs": [self.reply_language],
                "reply": {"root": {"uri": root_uri, "cid": root_cid or parent.root_cid},
                          "parent": {"uri": parent.uri, "cid": parent.cid}},
            }
            if facets := self._facets(record["text"]):
                record["facets"] = facets
            created = self.client.create_record(session.access_jwt, repo=self.credentials.platform_id or session.did,
                                                record=record)
            return self._created(created)

        return self._authed(run)

    def _post_ref(self, target: parsers.AtUri, extra: Mapping[str, str], session: Session) -> parsers.PostRef:
        """The post replied to, read again: a reply to a deleted post would hang in the air."""
        uri = str(target)
        try:
            found = self.client.get_record(repo=target.repo, collection=target.collection, rkey=target.rkey)
            value = found.get("value")
            if not isinstance(value, Mapping):
                raise parsers.ParseError(f"record {uri} has no value")
            return parsers.post_ref(uri=uri, cid=str(found.get("cid") or ""), record=value)
        except NotFoundError:
            raise _Refusal(Outcome.NOT_FOUND, "The post or comment you are replying to has been deleted on "
                           "Bluesky, so the reply was not sent.") from None
        except (AuthError, RateLimitedError):
            raise
        except (XrpcError, parsers.ParseError) as exc:
            lookup_error: Exception = exc
        if self._appview is not False:
            try:
                ref = parsers.post_ref_from_thread(self.client.get_post_thread(
                    session.access_jwt, uri=uri, depth=0, parent_height=0))
                if ref is None:
                    raise _Refusal(Outcome.NOT_FOUND, "The post or comment you are replying to has been deleted "
                                   "or is blocked on Bluesky, so the reply was not sent.")
                return ref
            except NotFoundError:
                raise _Refusal(Outcome.NOT_FOUND, "The post or comment you are replying to has been deleted on "
                               "Bluesky, so the reply was not sent.") from None
            except (AuthError, RateLimitedError):
                raise
            except (XrpcError, parsers.ParseError):
                pass
        if extra.get("cid"):
            return parsers.PostRef(uri=uri, cid=extra["cid"], root_uri=extra.get("root_uri") or uri,
                                   root_cid=extra.get("root_cid") or extra["cid"])
        raise lookup_error

    def hide(self, interaction: InteractionRef, hidden: bool) -> Result:
        return Result(Outcome.FAILED, message=(
            "Somevahti cannot hide replies on Bluesky. In the Bluesky app the account can hide a reply in "
            "its own thread or block its author; to remove our own post, delete it instead."))

    def edit(self, post_ref: InteractionRef, post: OutgoingPost) -> Result:
        # A PDS would accept a new version of the record, but the Bluesky app keeps showing the
        # first one (bluesky-social/social-app#673), so an edit would change nothing people see.
        return Result(Outcome.FAILED, message=(
            "Bluesky does not allow editing a published post: the Bluesky app always shows the first version. "
            "Withdraw the post and publish a corrected one instead."))

    def delete(self, interaction: InteractionRef) -> Result:
        return self._guard("deleting the post", lambda: self._delete(interaction))

    def _delete(self, interaction: InteractionRef) -> Result:
        try:
            target = parsers.parse_at_uri(interaction.platform_id)
        except parsers.ParseError:
            raise _Refusal(Outcome.FAILED, f"{interaction.platform_id!r} is not a Bluesky post address (at://…), "
                           "so Somevahti cannot delete it.") from None

        def run(session: Session) -> Result:
            if target.repo != (self.credentials.platform_id or session.did):
                raise _Refusal(Outcome.FAILED, "Bluesky lets an account delete only its own posts. This one was "
                               "written by someone else: block its author in the Bluesky app if needed.")
            self.client.delete_record(session.access_jwt, repo=target.repo, collection=target.collection,
                                      rkey=target.rkey)
            return Result(Outcome.OK, platform_id=interaction.platform_id, usage=self._usage())

        return self._authed(run)

    # -- ingest ------------------------------------------------------------------------------------

    def fetch_interactions(self, since: Cursor) -> Batch:
        try:
            state = json.loads(since.value) if since.value else {}
        except ValueError:
            state = {}
        if not isinstance(state, dict):
            state = {}   # a cursor from elsewhere: start again, bounded by max_pages
        try:
            items, new_state = self._authed(lambda session: self._fetch(session, state))
        except (_Refusal, XrpcError, parsers.ParseError) as exc:
            result = self._failure(exc, doing="reading replies and mentions")
            return Batch([], since, result.outcome, result.message, result.retry_after)
        items.sort(key=lambda item: (item.created_at, item.platform_id))
        return Batch(items, Cursor(json.dumps(new_state, separators=(",", ":"), sort_keys=True)))

    def _fetch(self, session: Session, state: dict[str, Any]) -> tuple[list[IncomingInteraction], dict[str, Any]]:
        if self._appview is not False:
            try:
                return self._fetch_notifications(session, state if state.get("mode") == "notifications" else {})
            except XrpcError as exc:
                if not _no_appview(exc):
                    raise
                logger.info("bluesky: %s has no AppView; reading repositories instead", self.base_url)
                self._appview = False
        return self._fetch_repos(state if state.get("mode") == "repos" else {})

    def _fetch_notifications(self, session: Session, state: Mapping[str, Any]) -> tuple[list[IncomingInteraction], dict[str, Any]]:
        newest = parsers.parse_datetime(state.get("since"))
        seen: dict[str, dt.datetime] = {}       # URI → date of what earlier fetches returned
        remembered = state.get("seen")
        for uri, when in (remembered.items() if isinstance(remembered, Mapping) else ()):
            if (moment := parsers.parse_datetime(when)) is not None:
                seen[str(uri)] = moment
        if newest is not None:
            for uri in state.get("uris") or ():     # cursors of earlier versions kept only these
                seen.setdefault(str(uri), newest)
        returned_before = set(seen)
        floor = newest - NOTIFICATION_LOOKBACK if newest is not None else None
        found: dict[str, IncomingInteraction] = {}
        page = ""
        for _ in range(self.max_pages):
            data = self.client.list_notifications(session.access_jwt, cursor=page, limit=100)
            notes, page = parsers.parse_notifications(data, our_did=self.did, media_url=CDN_IMAGE)
            below_floor = False
            for note in notes:
                if floor is not None and note.indexed_at < floor:
                    below_floor = True
                    continue
                if newest is None or note.indexed_at > newest:
                    newest = note.indexed_at
                item = note.interaction
                if item is None or note.uri in returned_before:
                    continue
                if item.platform_id not in found or item.kind != "mention":
                    found[item.platform_id] = item
                    seen[note.uri] = note.indexed_at
            if below_floor or not page or not notes:
                break
        self._appview = True
        new_state: dict[str, Any] = {"mode": "notifications"}
        if newest is not None:
            keep_from = newest - NOTIFICATION_LOOKBACK
            new_state.update(since=newest.isoformat(), seen={
                uri: when.isoformat() for uri, when in sorted(seen.items()) if when >= keep_from})
        return list(found.values()), new_state

    def _fetch_repos(self, state: Mapping[str, Any]) -> tuple[list[IncomingInteraction], dict[str, Any]]:
        previous: Mapping[str, Any] = state.get("repos") or {}
        repos: dict[str, dict[str, str]] = {}
        found: list[IncomingInteraction] = []
        page = ""
        for _ in range(self.max_pages):
            data = self.client.list_repos(cursor=page)
            listed = data.get("repos")
            if not isinstance(listed, list):
                raise parsers.ParseError("listRepos answer has no repos list")
            for repo in listed:
                did, rev = (repo.get("did"), repo.get("rev")) if isinstance(repo, Mapping) else (None, None)
                if not isinstance(did, str) or did == self.did or repo.get("active") is False:
                    continue
                before = previous.get(did) or {}
                if before.get("rev") == rev:
                    repos[did] = dict(before)
                    continue
                newest_rkey = self._scan_repo(did, str(before.get("rkey") or ""), found)
                repos[did] = {"rev": str(rev or ""), "rkey": newest_rkey}
            page = str(data.get("cursor") or "")
            if not page or not listed:
                break
        return found, {"mode": "repos", "repos": repos}

    def _scan_repo(self, did: str, seen_rkey: str, found: list[IncomingInteraction]) -> str:
        """Posts of one account newer than `seen_rkey` (record keys are time-ordered TIDs)."""
        newest, page = seen_rkey, ""
        media_url = f"{self.base_url}/xrpc/com.atproto.sync.getBlob?did={{did}}&cid={{cid}}"
        for _ in range(self.max_pages):
            try:
                data = self.client.list_records(repo=did, cursor=page, limit=100)
            except NotFoundError:
                return newest
            records = data.get("records")
            if not isinstance(records, list):
                raise parsers.ParseError("listRecords answer has no records list")
            for entry in records:
                if not isinstance(entry, Mapping) or not isinstance(entry.get("value"), Mapping):
                    continue
                try:
                    rkey = parsers.parse_at_uri(str(entry.get("uri"))).rkey
                except parsers.ParseError:
                    continue
                if seen_rkey and rkey <= seen_rkey:
                    return newest
                newest = max(newest, rkey)
                try:
                    item = parsers.interaction_from_record(
                        uri=str(entry["uri"]), cid=str(entry.get("cid", "")), record=entry["value"],
                        author=Author(platform_id=did), our_did=self.did, media_url=media_url, raw=entry)
                except parsers.ParseError as exc:
                    logger.info("bluesky: skipped a record of %s: %s", did, exc)
                    continue
                if item is not None:
                    found.append(self._with_author(item))
            page = str(data.get("cursor") or "")
            if not page or len(records) < 100:
                break
        return newest

    def _with_author(self, item: IncomingInteraction) -> IncomingInteraction:
        did = item.author.platform_id
        if did not in self._authors:
            handle, name = "", ""
            try:
                handle = str(self.client.describe_repo(repo=did).get("handle") or "")
                profile = self.client.get_record(repo=did, collection="app.bsky.actor.profile", rkey="self")
                name = str((profile.get("value") or {}).get("displayName") or "")
            except (NotFoundError, UnavailableError):
                pass
            self._authors[did] = Author(platform_id=did, name=name, handle=handle)
        author = self._authors[did]
        rkey = parsers.parse_at_uri(item.platform_id).rkey
        return replace(item, author=author, permalink=parsers.web_url(actor=author.handle or did, rkey=rkey))

    # -- the rest ----------------------------------------------------------------------------------

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[IncomingInteraction]:
        raise WebhookError("Bluesky does not send webhooks; its interactions are fetched.")

    def administrators(self) -> list[PlatformAdministrator]:
        return []   # one account, one app password: Bluesky has no page roles

    def health(self) -> Result:
        return self._guard("checking the connection", self._health)

    def _health(self) -> Result:
        answer = self._authed(lambda session: self.client.get_session(session.access_jwt))
        did = str(answer.get("did") or "")
        if self.credentials.platform_id and did != self.credentials.platform_id:
            return Result(Outcome.UNAUTHORIZED, message=(
                f"The app password belongs to another Bluesky account ({answer.get('handle') or did}), not to "
                f"{self.handle}. An administrator must reconnect the channel with the right account."))
        return Result(Outcome.OK, platform_id=did, usage=self._usage())


def _no_appview(exc: XrpcError) -> bool:
    return (
        "No service configured" in exc.message
        or exc.error in ("MethodNotImplemented", "XRPCNotSupported")
        or exc.status == 501
    )


__all__ = ["MAX_IMAGE_BYTES", "POST_COLLECTION", "BlueskyConnector", "forget_sessions"]
