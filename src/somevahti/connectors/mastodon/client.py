"""HTTP to one Mastodon instance, through Mastodon.py, with typed errors.

Mastodon.py builds the requests (Authorization header, multipart uploads, `types[]` and
`Idempotency-Key`), follows `Link` pagination and classifies HTTP errors. This wrapper

* pins it so that it never calls the instance on its own: `mastodon_version="4.0.0"` with
  `version_check_mode="created"` means no version look-up on construction (4.0.0 is the first
  release with `GET /api/v2/instance`; uploads go to `POST /api/v2/media`), and
  `ratelimit_method="throw"` means it never sleeps on a 429;
* hands back the platform JSON exactly as the instance sent it (read from the response, not
  Mastodon.py's typed objects, which turn timestamps into datetimes), for the archive;
* reads `X-RateLimit-Limit/Remaining/Reset` from every response (docs: api/rate-limits);
* turns every Mastodon.py exception into one of the `MastodonError` classes below, whose
  messages carry the instance's own error text but never the access token.

The token lives only inside the Mastodon.py object; `repr()` of this client names the instance.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import requests
from mastodon import Mastodon
from mastodon.errors import (
    MastodonError as LibraryError,
)
from mastodon.errors import (
    MastodonIllegalArgumentError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonVersionError,
)

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
USER_AGENT = "Somevahti (+https://github.com/somevahti)"
_PLATFORM_TEXT_LIMIT = 300

T = TypeVar("T")


# --- errors -------------------------------------------------------------------------------


class MastodonError(Exception):
    """Something the instance (or the way to it) refused or broke. No secrets in the text."""

    def __init__(self, message: str, *, status: int | None = None, platform_message: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.platform_message = platform_message


class MastodonUnauthorized(MastodonError):
    """401: the token was revoked, the app removed, or the token never worked."""


class MastodonForbidden(MastodonError):
    """403: not allowed (missing scope, disabled login, or an action the account may not do)."""


class MastodonNotFound(MastodonError):
    """404: the status or media is gone, or is not ours."""


class MastodonRejected(MastodonError):
    """422 and other 4xx: the instance understood but refused (validation, limits)."""


class MastodonRateLimited(MastodonError):
    """429: wait `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class MastodonServerError(MastodonError):
    """5xx: the instance is broken or overloaded."""


class MastodonBadResponse(MastodonError):
    """The answer was not the JSON we expected (an HTML error page, truncated JSON)."""


class MastodonUnreachable(MastodonError):
    """No answer: connection refused, DNS, TLS, or the timeout passed."""

    def __init__(self, message: str, *, timed_out: bool = False, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.timed_out = timed_out


class MastodonBadRequest(MastodonError):
    """We asked for something Mastodon.py refuses to send (a bug or bad input on our side)."""


# --- rate limits --------------------------------------------------------------------------


@dataclass(frozen=True)
class RateInfo:
    """The bucket closest to running out, as the last response's headers told it."""

    limit: int | None = None
    remaining: int | None = None
    reset_after: float | None = None   # seconds until the bucket refills, by the server's clock

    @property
    def used_percent(self) -> float | None:
        if not self.limit or self.remaining is None:
            return None
        used = (self.limit - max(self.remaining, 0)) / self.limit * 100
        return round(min(max(used, 0.0), 100.0), 1)


def _int_header(headers: requests.structures.CaseInsensitiveDict[str], name: str) -> int | None:
    try:
        return int(headers[name])
    except (KeyError, ValueError):
        return None


def _parse_reset(value: str) -> dt.datetime | None:
    """Mastodon sends an ISO 8601 timestamp; some compatible servers send unix seconds."""
    value = value.strip()
    if not value:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return dt.datetime.fromtimestamp(float(value), tz=dt.UTC)
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def rate_info_from(response: requests.Response, *, now: dt.datetime | None = None) -> RateInfo | None:
    headers = response.headers
    if not any(h in headers for h in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")):
        return None
    reset_after: float | None = None
    reset = _parse_reset(headers.get("X-RateLimit-Reset", ""))
    if reset is not None:
        # Measure against the server's own clock when it says what time it is (Date header).
        server_now = now
        if server_now is None and "Date" in headers:
            try:
                server_now = parsedate_to_datetime(headers["Date"])
            except (TypeError, ValueError, IndexError):
                server_now = None
            if server_now is not None and server_now.tzinfo is None:
                server_now = server_now.replace(tzinfo=dt.UTC)
        server_now = server_now or dt.datetime.now(dt.UTC)
        reset_after = max((reset - server_now).total_seconds(), 0.0)
    return RateInfo(_int_header(headers, "X-RateLimit-Limit"), _int_header(headers, "X-RateLimit-Remaining"), reset_after)


# --- pages --------------------------------------------------------------------------------


@dataclass
class Page:
    """One page of a list endpoint: the items as sent, and Mastodon.py's handle to the next."""

    items: list[dict[str, Any]]
    handle: Any = None   # Mastodon.py's PaginatableList; carries the parsed Link header


# --- the client ---------------------------------------------------------------------------


def _clip(text: str) -> str:
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", str(text)).strip()
    return text if len(text) <= _PLATFORM_TEXT_LIMIT else text[: _PLATFORM_TEXT_LIMIT - 1] + "…"


class MastodonClient:
    """One account on one instance. Every method returns platform JSON or raises MastodonError."""

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        timeout: float = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
        user_agent: str = USER_AGENT,
    ) -> None:
        if not base_url:
            raise MastodonBadRequest("No Mastodon instance address was given for this channel.")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.rate: RateInfo | None = None
        self._last_response: requests.Response | None = None
        # A session given here must be this client's own: the response hook below is added to it.
        self._session = session or requests.Session()
        self._session.hooks.setdefault("response", []).append(self._remember)
        self._api = Mastodon(
            access_token=token,
            api_base_url=self.base_url,
            ratelimit_method="throw",
            request_timeout=timeout,
            mastodon_version="4.0.0",
            version_check_mode="created",
            session=self._session,
            user_agent=user_agent,
        )

    def __repr__(self) -> str:
        return f"MastodonClient(base_url={self.base_url!r}, timeout={self.timeout!r})"

    # --- plumbing -----------------------------------------------------------------------

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        self._last_response = response
        try:
            info = rate_info_from(response)
        except Exception:  # a header we cannot read must never break the call itself
            logger.debug("Unreadable rate-limit headers from %s", self.base_url, exc_info=True)
            info = None
        if info is not None:
            self.rate = info
        return response

    def _last_json(self) -> Any:
        response = self._last_response
        if response is None:
            raise MastodonBadResponse(f"The Mastodon instance {self.base_url} sent no answer.")
        try:
            return response.json()
        except ValueError:
            raise MastodonBadResponse(
                f"The Mastodon instance {self.base_url} answered with something that is not JSON "
                f"(HTTP {response.status_code}).",
                status=response.status_code,
            ) from None

    def _call(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one Mastodon.py call; translate whatever goes wrong. `what` names it for messages."""
        self._last_response = None
        try:
            return fn(*args, **kwargs)
        except LibraryError as exc:
            raise self._translate(what, exc) from None

    def _platform_message(self) -> str:
        response = self._last_response
        if response is None:
            return ""
        try:
            body = response.json()
        except ValueError:
            return ""
        if isinstance(body, dict):
            parts = [str(body.get("error") or ""), str(body.get("error_description") or "")]
            return _clip(" – ".join(p for p in parts if p))
        return ""

    def _translate(self, what: str, exc: LibraryError) -> MastodonError:
        response = self._last_response
        status = response.status_code if response is not None else None
        said = self._platform_message()
        where = self.base_url

        if isinstance(exc, MastodonNetworkError) or (response is None and not isinstance(exc, MastodonIllegalArgumentError)):
            timed_out = isinstance(exc.__context__, requests.Timeout) or "timed out" in str(exc).lower()
            if timed_out:
                return MastodonUnreachable(
                    f"The Mastodon instance {where} did not answer within {self.timeout:g} seconds ({what}).", timed_out=True
                )
            return MastodonUnreachable(f"The Mastodon instance {where} could not be reached ({what}).")
        if isinstance(exc, (MastodonIllegalArgumentError, MastodonVersionError)):
            return MastodonBadRequest(f"Somevahti could not build the request ({what}): {_clip(str(exc))}")
        if status == 429 or (isinstance(exc, MastodonRatelimitError) and status is not None and status >= 400):
            info = rate_info_from(response) if response is not None else None   # this answer's headers only
            retry_after = info.reset_after if info is not None else None
            return MastodonRateLimited(
                f"The Mastodon instance {where} limits how often it may be called ({what}).",
                retry_after=retry_after, status=429, platform_message=said,
            )
        if status is None:
            return MastodonBadResponse(f"The Mastodon instance {where} gave an unusable answer ({what}).")
        if status == 401:
            return MastodonUnauthorized(f"The Mastodon instance {where} refused the access token ({what}).", status=status, platform_message=said)
        if status == 403:
            return MastodonForbidden(f"The Mastodon instance {where} does not allow this ({what}).", status=status, platform_message=said)
        if status == 404:
            return MastodonNotFound(f"The Mastodon instance {where} has no such thing ({what}).", status=status, platform_message=said)
        if status >= 500:
            return MastodonServerError(f"The Mastodon instance {where} had a server error, HTTP {status} ({what}).", status=status, platform_message=said)
        if status >= 400:
            return MastodonRejected(f"The Mastodon instance {where} refused the request, HTTP {status} ({what}).", status=status, platform_message=said)
        # A 2xx whose body Mastodon.py could not read, or a rate-limit header it could not parse.
        return MastodonBadResponse(
            f"The Mastodon instance {where} answered with something that is not the expected JSON "
            f"(HTTP {status}, {what}).",
            status=status,
        )

    def _object(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._call(what, fn, *args, **kwargs)
        body = self._last_json()
        if not isinstance(body, dict):
            raise MastodonBadResponse(f"The Mastodon instance {self.base_url} sent a {type(body).__name__} where an object was expected ({what}).")
        return body

    def _page(self, what: str, handle: Any) -> Page:
        body = self._last_json()
        if not isinstance(body, list):
            raise MastodonBadResponse(f"The Mastodon instance {self.base_url} sent a {type(body).__name__} where a list was expected ({what}).")
        return Page(items=[item for item in body if isinstance(item, dict)], handle=handle)

    # --- endpoints ----------------------------------------------------------------------

    def verify_credentials(self) -> dict[str, Any]:
        """GET /api/v1/accounts/verify_credentials → CredentialAccount."""
        return self._object("checking the access token", self._api.account_verify_credentials)

    def instance(self) -> dict[str, Any]:
        """GET /api/v2/instance → Instance (configuration.statuses.max_characters …)."""
        return self._object("reading the instance's limits", self._api.instance_v2)

    def upload_media(self, *, data: bytes, mime_type: str, description: str | None, file_name: str | None = None) -> tuple[dict[str, Any], int]:
        """POST /api/v2/media (multipart `file`, `description`). 200 = processed, 202 = still processing."""
        attachment = self._object(
            "uploading an image", self._api.media_post, data, mime_type=mime_type, description=description or None, file_name=file_name,
        )
        status = self._last_response.status_code if self._last_response is not None else 200
        return attachment, status

    def media(self, media_id: str) -> tuple[dict[str, Any], int]:
        """GET /api/v1/media/:id. 200 = processed (url set), 206 = still processing."""
        try:
            self._call("checking an uploaded image", self._api.media, media_id)
        except MastodonBadResponse as exc:
            if exc.status == 206:          # still processing, and the body was empty
                return {}, 206
            raise
        body = self._last_json()
        status = self._last_response.status_code if self._last_response is not None else 200
        return (body if isinstance(body, dict) else {}), status

    def post_status(
        self,
        *,
        text: str,
        language: str | None = None,
        visibility: str = "public",
        in_reply_to_id: str | None = None,
        media_ids: Sequence[str] = (),
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """POST /api/v1/statuses (form fields; `Idempotency-Key` header when given)."""
        return self._object(
            "posting a status",
            self._api.status_post,
            text,
            in_reply_to_id=in_reply_to_id,
            media_ids=list(media_ids) or None,
            visibility=visibility,
            language=language or None,
            idempotency_key=idempotency_key or None,
        )

    def status(self, status_id: str) -> dict[str, Any]:
        """GET /api/v1/statuses/:id."""
        return self._object("reading a status", self._api.status, status_id)

    def update_status(self, status_id: str, *, text: str, media_ids: Sequence[str] = ()) -> dict[str, Any]:
        """PUT /api/v1/statuses/:id → the edited Status. The attachments named stay on it."""
        return self._object(
            "editing a status", self._api.status_update, status_id, text, media_ids=list(media_ids) or None,
        )

    def delete_status(self, status_id: str) -> dict[str, Any]:
        """DELETE /api/v1/statuses/:id (our own statuses only; others' answer 404)."""
        return self._object("deleting a status", self._api.status_delete, status_id)

    def notifications(self, *, types: Sequence[str], min_id: str | None = None, limit: int | None = None) -> Page:
        """GET /api/v1/notifications?types[]=…&min_id=… (newest first within the page)."""
        handle = self._call(
            "reading notifications", self._api.notifications, types=list(types), min_id=min_id or None, limit=limit,
        )
        return self._page("reading notifications", handle)

    def newer(self, page: Page) -> Page | None:
        """The page after `page` towards newer items: the `Link: <…min_id=…>; rel="prev"` URL."""
        if page.handle is None or getattr(page.handle, "_pagination_prev", None) is None:
            return None
        handle = self._call("reading notifications", self._api.fetch_previous, page.handle)
        if handle is None:
            return None
        return self._page("reading notifications", handle)
