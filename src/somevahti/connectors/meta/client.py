"""HTTP to Meta's Graph API and nothing else: explicit timeouts, typed errors, usage headers.

The token travels in the `Authorization` header, never in a URL, so that neither httpx's
request log nor an exception message can carry it. `paging.next` links (which Graph fills
with `access_token=…`) are never followed as such: their query is re-read without the token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

logger = logging.getLogger(__name__)

#: The Graph API version this adapter was written and tested against (latest on 2026-11-25:
#: v26.0, released 2026-07-29; see developers.facebook.com/docs/graph-api/changelog).
GRAPH_API_VERSION = "v26.0"
DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
MAX_BODY_BYTES = 5_000_000

# Graph error codes (developers.facebook.com/docs/graph-api/guides/error-handling,
# …/overview/rate-limiting).
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009, 80014})
TOKEN_CODES = frozenset({190, 102})
PERMISSION_CODES = frozenset({10, *range(200, 300)})
NOT_FOUND_SUBCODES = frozenset({33})
POLICY_BLOCK_CODE = 368
TEMPORARY_CODES = frozenset({1, 2})


class GraphTransportError(Exception):
    """The request did not get an answer: timeout, refused connection, TLS trouble."""


class GraphBadResponse(Exception):
    """An answer that is not Graph JSON (an HTML error page, truncated JSON, a 5xx body)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Usage:
    """Rate-limit usage the Graph API reported in X-App-Usage / X-Business-Use-Case-Usage.

    Percentages; `regain_minutes` is Meta's `estimated_time_to_regain_access`.
    """

    values: Mapping[str, float] = field(default_factory=dict)
    regain_minutes: float = 0.0

    @property
    def highest(self) -> float:
        return max((v for k, v in self.values.items() if not k.endswith("regain_minutes")), default=0.0)

    def as_dict(self) -> dict[str, float]:
        data = dict(self.values)
        if self.values:
            data["max"] = self.highest
        if self.regain_minutes:
            data["regain_minutes"] = self.regain_minutes
        return data


class GraphError(Exception):
    """Graph's error envelope `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`."""

    def __init__(
        self, *, status: int, code: int, subcode: int, message: str, type_: str = "", fbtrace_id: str = "",
        usage: Usage | None = None,
    ) -> None:
        super().__init__(f"Graph error {code}/{subcode} (HTTP {status}): {message}")
        self.status = status
        self.code = code
        self.subcode = subcode
        self.message = message
        self.type = type_
        self.fbtrace_id = fbtrace_id
        self.usage = usage or Usage()

    @property
    def is_rate_limit(self) -> bool:
        return self.code in RATE_LIMIT_CODES or self.status == 429

    @property
    def is_token(self) -> bool:
        return self.code in TOKEN_CODES

    @property
    def is_permission(self) -> bool:
        return self.code in PERMISSION_CODES

    @property
    def is_not_found(self) -> bool:
        if self.status == 404:
            return True
        return self.code == 100 and (self.subcode in NOT_FOUND_SUBCODES or "does not exist" in self.message.lower())


@dataclass(frozen=True)
class GraphResponse:
    data: Any
    usage: Usage


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def parse_usage(headers: Mapping[str, str]) -> Usage:
    """Read X-App-Usage, X-Page-Usage and X-Business-Use-Case-Usage; garbage is ignored."""
    lowered = {k.lower(): v for k, v in headers.items()}
    values: dict[str, float] = {}
    regain = 0.0
    for header, prefix in (("x-app-usage", "app"), ("x-page-usage", "page")):
        raw = lowered.get(header)
        if not raw:
            continue
        try:
            parsed = json.loads(raw)
        except ValueError:
            continue
        if isinstance(parsed, dict):
            for key in ("call_count", "total_cputime", "total_time"):
                if (number := _number(parsed.get(key))) is not None:
                    values[f"{prefix}_{key}"] = number
    raw = lowered.get("x-business-use-case-usage")
    if raw:
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            for entries in parsed.values():
                if not isinstance(entries, list):
                    continue
                for entry in entries:
                    if not isinstance(entry, dict):
                        continue
                    for key in ("call_count", "total_cputime", "total_time"):
                        if (number := _number(entry.get(key))) is not None:
                            name = f"business_{key}"
                            values[name] = max(values.get(name, 0.0), number)
                    if (number := _number(entry.get("estimated_time_to_regain_access"))) is not None:
                        regain = max(regain, number)
    return Usage(values=values, regain_minutes=regain)


_PERMISSION_NAME = re.compile(
    r"\b(pages_[a-z_]+|instagram_[a-z_]+|business_management|read_insights|publish_[a-z_]+|ads_[a-z_]+)\b"
)


def permission_named_in(message: str) -> str:
    match = _PERMISSION_NAME.search(message)
    return match.group(1) if match else ""


class GraphClient:
    """A thin Graph API client for one token. Methods return parsed JSON or raise the errors above."""

    def __init__(
        self,
        *,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        version: str = GRAPH_API_VERSION,
        timeout: float | httpx.Timeout | None = None,
        http_client: httpx.Client | None = None,
        app_secret: str = "",
        on_usage: Callable[[Usage], None] | None = None,
    ) -> None:
        self._token = token
        self._app_secret = app_secret
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.version = version
        self._timeout = timeout if timeout is not None else DEFAULT_TIMEOUT
        self._http = http_client or httpx.Client(timeout=self._timeout, follow_redirects=False)
        self._owns_http = http_client is None
        self._on_usage = on_usage

    def __repr__(self) -> str:
        return f"<GraphClient {self.base_url}/{self.version}>"

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def url(self, path: str) -> str:
        return f"{self.base_url}/{self.version}/{path.lstrip('/')}"

    def _auth_params(self) -> dict[str, str]:
        if not self._app_secret:
            return {}
        proof = hmac.new(self._app_secret.encode(), self._token.encode(), hashlib.sha256).hexdigest()
        return {"appsecret_proof": proof}

    def _redact(self, text: str) -> str:
        for secret in (self._token, self._app_secret):
            if secret:
                text = text.replace(secret, "***")
        return text

    def request(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, data: Mapping[str, Any] | None = None,
    ) -> GraphResponse:
        query = {**(params or {}), **self._auth_params()}
        started = time.monotonic()
        try:
            response = self._http.request(
                method,
                self.url(path),
                params={k: _wire(v) for k, v in query.items()},
                data={k: _wire(v) for k, v in data.items()} if data is not None else None,
                headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
                timeout=self._timeout,
            )
        except httpx.TimeoutException:
            logger.warning("Graph %s %s timed out", method, path)
            raise GraphTransportError("The request to the Graph API timed out.") from None
        except httpx.HTTPError as exc:
            logger.warning("Graph %s %s failed: %s", method, path, type(exc).__name__)
            raise GraphTransportError(f"The Graph API could not be reached ({type(exc).__name__}).") from None
        usage = parse_usage(response.headers)
        if usage.values and self._on_usage is not None:
            self._on_usage(usage)
        logger.debug("Graph %s %s -> %s in %.0f ms", method, path, response.status_code, (time.monotonic() - started) * 1000)
        body = response.content
        if len(body) > MAX_BODY_BYTES:
            raise GraphBadResponse("The Graph API answer was too large.", status=response.status_code)
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = _NOT_JSON
        if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
            error = parsed["error"]
            code = _int(error.get("code"))
            subcode = _int(error.get("error_subcode"))
            message = self._redact(str(error.get("message") or ""))[:500]
            logger.info("Graph %s %s refused: code %s subcode %s (HTTP %s)", method, path, code, subcode, response.status_code)
            raise GraphError(
                status=response.status_code, code=code, subcode=subcode, message=message,
                type_=str(error.get("type") or ""), fbtrace_id=str(error.get("fbtrace_id") or ""), usage=usage,
            )
        if response.status_code == 401:
            raise GraphError(status=401, code=190, subcode=0, message="Unauthorized", usage=usage)
        if response.status_code == 429:
            raise GraphError(status=429, code=4, subcode=0, message="Too many requests", usage=usage)
        if response.status_code == 404:
            raise GraphError(status=404, code=100, subcode=33, message="Object does not exist", usage=usage)
        if response.status_code >= 400:
            raise GraphBadResponse(f"The Graph API answered HTTP {response.status_code}.", status=response.status_code)
        if parsed is _NOT_JSON:
            raise GraphBadResponse("The Graph API answered something that is not JSON.", status=response.status_code)
        return GraphResponse(data=parsed, usage=usage)

    def get(self, path: str, **params: Any) -> GraphResponse:
        return self.request("GET", path, params=params)

    def post(self, path: str, **data: Any) -> GraphResponse:
        return self.request("POST", path, data=data)

    def delete(self, path: str) -> GraphResponse:
        return self.request("DELETE", path)

    def paginate(self, path: str, *, max_pages: int, **params: Any) -> Iterator[dict[str, Any]]:
        """Yield the objects of an edge (`data: […]`) page by page, following `paging.cursors.after`
        (or the query of `paging.next`, minus its token) for at most `max_pages` pages."""
        query: dict[str, Any] = dict(params)
        for _ in range(max_pages):
            page = self.get(path, **query).data
            if not isinstance(page, dict) or not isinstance(page.get("data"), list):
                raise GraphBadResponse("The Graph API answered a list without its data.", status=200)
            for item in page["data"]:
                if isinstance(item, dict):
                    yield item
            following = next_page_params(page)
            if not following or not page["data"]:
                return
            query = {**query, **following}


def next_page_params(page: Mapping[str, Any]) -> dict[str, str]:
    """The parameters that ask for the page after this one, or {} at the end."""
    paging = page.get("paging")
    if not isinstance(paging, dict):
        return {}
    next_url = paging.get("next")
    if not isinstance(next_url, str) or not next_url:
        return {}   # Graph omits `next` on the last page even when cursors are present
    cursors = paging.get("cursors")
    if isinstance(cursors, dict) and isinstance(cursors.get("after"), str) and cursors["after"]:
        return {"after": cursors["after"]}
    query = dict(parse_qsl(urlsplit(next_url).query))
    query.pop("access_token", None)
    query.pop("appsecret_proof", None)
    return {k: v for k, v in query.items() if k in {"after", "until", "since", "__paging_token", "offset", "pretty"}}


class _NotJson:
    pass


_NOT_JSON: Any = _NotJson()


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _wire(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)
