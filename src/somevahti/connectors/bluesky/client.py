"""HTTP to a Bluesky PDS (XRPC over plain httpx). No outcomes here: typed errors only.

Every call has an explicit timeout. Errors arrive in the XRPC envelope
`{"error": "<Name>", "message": "<text>"}` (https://atproto.com/specs/xrpc, "Error Responses");
a 429 carries `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (Unix seconds) and
`RateLimit-Policy` (measured on @atproto/xrpc-server's rate limiter, and documented at
https://docs.bsky.app/docs/advanced-guides/rate-limits).

Tokens are passed in per call and never appear in exceptions, reprs or logs.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

DEFAULT_TIMEOUT = 15.0
POST_COLLECTION = "app.bsky.feed.post"

# Error names a PDS uses for a session that needs a new access token.
SESSION_ERRORS = frozenset({"ExpiredToken", "InvalidToken"})


@dataclass(frozen=True)
class Session:
    did: str
    handle: str
    access_jwt: str = field(repr=False)
    refresh_jwt: str = field(repr=False)


@dataclass(frozen=True)
class RateLimit:
    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None    # Unix seconds

    @property
    def used_percent(self) -> float | None:
        if not self.limit or self.remaining is None:
            return None
        return round(100.0 * (self.limit - self.remaining) / self.limit, 1)

    def retry_after(self, now: float | None = None) -> float | None:
        if self.reset_at is None:
            return None
        return max(0.0, self.reset_at - (time.time() if now is None else now))


class XrpcError(Exception):
    """A failed XRPC call. `status` 0 means no HTTP answer at all."""

    def __init__(self, status: int, error: str, message: str, *, nsid: str = "") -> None:
        self.status = status
        self.error = error
        self.message = message[:300]
        self.nsid = nsid
        super().__init__(f"{nsid}: HTTP {status} {error}: {self.message}")


class AuthError(XrpcError):
    """401, or a 400 that says the token is expired or invalid."""

    @property
    def session_expired(self) -> bool:
        return self.error in SESSION_ERRORS


class RateLimitedError(XrpcError):
    def __init__(self, status: int, error: str, message: str, *, nsid: str = "", rate: RateLimit) -> None:
        super().__init__(status, error, message, nsid=nsid)
        self.rate = rate


class NotFoundError(XrpcError):
    """The record, repo or handle does not exist (any more)."""


class UnavailableError(XrpcError):
    """No usable answer: connection refused, timeout, 5xx, or a body that is not the JSON expected."""


NOT_FOUND_ERRORS = frozenset({"RecordNotFound", "RepoNotFound", "NotFound", "BlobNotFound"})


def _rate_limit(headers: httpx.Headers) -> RateLimit:
    def number(name: str) -> int | None:
        try:
            return int(float(headers[name]))
        except (KeyError, ValueError):
            return None

    reset = number("ratelimit-reset")
    return RateLimit(limit=number("ratelimit-limit"), remaining=number("ratelimit-remaining"),
                     reset_at=float(reset) if reset is not None else None)


class BlueskyClient:
    """One PDS. `base_url` is the PDS origin, e.g. https://bsky.social or http://127.0.0.1:2583."""

    def __init__(self, base_url: str, *, http_client: httpx.Client | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = httpx.Timeout(timeout, connect=min(timeout, 5.0))
        self._http = http_client or httpx.Client(timeout=self.timeout, follow_redirects=False)
        self.last_rate: RateLimit = RateLimit()

    def __repr__(self) -> str:
        return f"BlueskyClient({self.base_url!r})"

    def close(self) -> None:
        self._http.close()

    # -- transport -----------------------------------------------------------------------------

    def _call(self, method: str, nsid: str, *, token: str | None = None, params: dict[str, Any] | None = None,
              body: Any = None, content: bytes | None = None, content_type: str = "",
              raw: bool = False) -> Any:
        headers: dict[str, str] = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if content is not None:
            headers["Content-Type"] = content_type or "application/octet-stream"
        try:
            response = self._http.request(
                method, f"{self.base_url}/xrpc/{nsid}", params=params, json=body, content=content,
                headers=headers, timeout=self.timeout,
            )
        except httpx.TimeoutException:
            raise UnavailableError(0, "Timeout", "the server did not answer in time", nsid=nsid) from None
        except httpx.HTTPError as exc:
            raise UnavailableError(0, "ConnectionError", type(exc).__name__, nsid=nsid) from None
        self.last_rate = _rate_limit(response.headers)
        if response.status_code >= 400:
            self._raise(response, nsid)
        if raw:
            return response.content
        try:
            data = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise UnavailableError(response.status_code, "InvalidResponse", "the answer was not JSON",
                                   nsid=nsid) from None
        if not isinstance(data, dict):
            raise UnavailableError(response.status_code, "InvalidResponse", "the answer was not a JSON object",
                                   nsid=nsid)
        return data

    def _raise(self, response: httpx.Response, nsid: str) -> None:
        status = response.status_code
        error, message = "", ""
        try:
            envelope = response.json()
            if isinstance(envelope, dict):
                error = str(envelope.get("error") or "")
                message = str(envelope.get("message") or "")
        except (json.JSONDecodeError, UnicodeDecodeError):
            pass
        error = error or f"HTTP{status}"
        if status == 429 or error == "RateLimitExceeded":
            raise RateLimitedError(status, error, message, nsid=nsid, rate=self.last_rate)
        if status == 401 or (status in (400, 403) and error in SESSION_ERRORS):
            raise AuthError(status, error, message, nsid=nsid)
        if error in NOT_FOUND_ERRORS or status == 404 or message.startswith("Could not find repo"):
            raise NotFoundError(status, error, message, nsid=nsid)
        if status >= 500:
            raise UnavailableError(status, error, message, nsid=nsid)
        raise XrpcError(status, error, message, nsid=nsid)

    # -- com.atproto.server ------------------------------------------------------------------

    def create_session(self, identifier: str, password: str) -> Session:
        data = self._call("POST", "com.atproto.server.createSession",
                          body={"identifier": identifier, "password": password})
        return self._session(data, "com.atproto.server.createSession")

    def refresh_session(self, refresh_jwt: str) -> Session:
        data = self._call("POST", "com.atproto.server.refreshSession", token=refresh_jwt)
        return self._session(data, "com.atproto.server.refreshSession")

    def get_session(self, token: str) -> dict[str, Any]:
        return self._call("GET", "com.atproto.server.getSession", token=token)  # type: ignore[no-any-return]

    @staticmethod
    def _session(data: dict[str, Any], nsid: str) -> Session:
        try:
            return Session(did=str(data["did"]), handle=str(data.get("handle", "")),
                           access_jwt=str(data["accessJwt"]), refresh_jwt=str(data["refreshJwt"]))
        except KeyError as exc:
            raise UnavailableError(200, "InvalidResponse", f"the session lacks {exc.args[0]}", nsid=nsid) from None

    # -- com.atproto.repo ----------------------------------------------------------------------

    def create_record(self, token: str, *, repo: str, record: dict[str, Any], rkey: str = "",
                      collection: str = POST_COLLECTION) -> dict[str, Any]:
        body: dict[str, Any] = {"repo": repo, "collection": collection, "record": record}
        if rkey:
            body["rkey"] = rkey
        return self._call("POST", "com.atproto.repo.createRecord", token=token, body=body)  # type: ignore[no-any-return]

    def delete_record(self, token: str, *, repo: str, rkey: str, collection: str = POST_COLLECTION) -> None:
        self._call("POST", "com.atproto.repo.deleteRecord", token=token,
                   body={"repo": repo, "collection": collection, "rkey": rkey})

    def upload_blob(self, token: str, data: bytes, content_type: str) -> dict[str, Any]:
        answer = self._call("POST", "com.atproto.repo.uploadBlob", token=token, content=data,
                            content_type=content_type)
        blob = answer.get("blob")
        if not isinstance(blob, dict):
            raise UnavailableError(200, "InvalidResponse", "the upload answer has no blob",
                                   nsid="com.atproto.repo.uploadBlob")
        return blob

    def get_record(self, *, repo: str, rkey: str, collection: str = POST_COLLECTION,
                   token: str | None = None) -> dict[str, Any]:
        return self._call("GET", "com.atproto.repo.getRecord", token=token,  # type: ignore[no-any-return]
                          params={"repo": repo, "collection": collection, "rkey": rkey})

    def list_records(self, *, repo: str, collection: str = POST_COLLECTION, limit: int = 100,
                     cursor: str = "", token: str | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"repo": repo, "collection": collection, "limit": limit}
        if cursor:
            params["cursor"] = cursor
        return self._call("GET", "com.atproto.repo.listRecords", token=token, params=params)  # type: ignore[no-any-return]

    def describe_repo(self, *, repo: str) -> dict[str, Any]:
        return self._call("GET", "com.atproto.repo.describeRepo", params={"repo": repo})  # type: ignore[no-any-return]

    def resolve_handle(self, handle: str) -> str:
        data = self._call("GET", "com.atproto.identity.resolveHandle", params={"handle": handle})
        return str(data.get("did", ""))

    # -- com.atproto.sync ------------------------------------------------------------------------

    def list_repos(self, *, cursor: str = "", limit: int = 500) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        return self._call("GET", "com.atproto.sync.listRepos", params=params)  # type: ignore[no-any-return]

    def get_blob(self, *, did: str, cid: str) -> bytes:
        return self._call("GET", "com.atproto.sync.getBlob", params={"did": did, "cid": cid},  # type: ignore[no-any-return]
                          raw=True)

    # -- app.bsky (answered by an AppView through the PDS) -------------------------------------

    def list_notifications(self, token: str, *, cursor: str = "", limit: int = 50) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        return self._call("GET", "app.bsky.notification.listNotifications", token=token, params=params)  # type: ignore[no-any-return]

    def get_post_thread(self, token: str, *, uri: str, depth: int = 6, parent_height: int = 80) -> dict[str, Any]:
        return self._call("GET", "app.bsky.feed.getPostThread", token=token,  # type: ignore[no-any-return]
                          params={"uri": uri, "depth": depth, "parentHeight": parent_height})
