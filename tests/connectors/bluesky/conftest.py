"""A real Bluesky PDS on loopback for the adapter's tests (tools/bluesky-pds, Node 20).

Two networks, each started once per test session:
- `pds`: PLC + PDS only (start.js), no AppView: app.bsky.* is refused, as on a bare PDS.
- `appview`: PLC + PDS + AppView from @atproto/dev-env (start-appview.js). The AppView indexes
  the PDS's firehose into PostgreSQL (SOMEVAHTI_APPVIEW_POSTGRES, by default the local server
  127.0.0.1:5432, user postgres, database somevahti_appview), in a schema of its own that is
  dropped at the end of the session.

The tests that need them are skipped only when SOMEVAHTI_SKIP_PDS=1. Otherwise a missing Node,
a missing `npm ci` or an unreachable PostgreSQL fails them with a message that says what to do.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import selectors
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from somevahti.connectors.base import Credentials
from somevahti.connectors.bluesky import BlueskyConnector
from somevahti.connectors.bluesky.connector import forget_sessions

ROOT = Path(__file__).resolve().parents[3]
PDS_DIR = ROOT / "tools" / "bluesky-pds"
START_TIMEOUT = 60.0
PASSWORD = "kunta-app-salasana-1"
APPVIEW_POSTGRES = os.environ.get(
    "SOMEVAHTI_APPVIEW_POSTGRES", "postgresql://postgres@127.0.0.1:5432/somevahti_appview")

requires_pds = pytest.mark.skipif(
    os.environ.get("SOMEVAHTI_SKIP_PDS") == "1",
    reason="SOMEVAHTI_SKIP_PDS=1 switches off the tests against a real Bluesky PDS",
)

_names = itertools.count(1)


@dataclass(frozen=True)
class Account:
    did: str
    handle: str
    password: str = field(repr=False)


@dataclass
class LocalPds:
    url: str
    process: subprocess.Popen[bytes]
    stderr_path: Path

    def create_account(self, name: str) -> Account:
        number = next(_names)
        handle = f"{name}{number}.test"
        response = httpx.post(
            f"{self.url}/xrpc/com.atproto.server.createAccount",
            json={"handle": handle, "email": f"{name}{number}@example.test", "password": PASSWORD}, timeout=30,
        )
        assert response.status_code == 200, response.text
        return Account(did=response.json()["did"], handle=handle, password=PASSWORD)

    def connector(self, account: Account, **options: object) -> BlueskyConnector:
        return BlueskyConnector(
            credentials=Credentials(platform_id=account.did, token=account.password, base_url=self.url,
                                    handle=account.handle),
            **options,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _why_no_pds() -> str | None:
    if shutil.which("node") is None:
        return ("The Bluesky tests run a real PDS and need Node.js 20 with npm: install them "
                "(Debian: apt-get install nodejs npm) and run ./run test, or set SOMEVAHTI_SKIP_PDS=1.")
    if not (PDS_DIR / "node_modules" / "@atproto" / "pds").is_dir():
        return ("The local Bluesky PDS is not installed. Run ./run test (it installs it), or: "
                "cd tools/bluesky-pds && npm ci --no-audit --no-fund")
    return None


def start_pds(data_dir: Path) -> LocalPds:
    """Start PLC + PDS on free loopback ports and wait for the ready line."""
    if why := _why_no_pds():
        pytest.fail(why)
    process, ready, stderr_path = _launch("start.js", data_dir, lambda: {
        "PDS_PORT": str(_free_port()), "PLC_PORT": str(_free_port())}, what="PDS")
    return LocalPds(url=ready["pds"], process=process, stderr_path=stderr_path)


def _launch(script: str, data_dir: Path, ports: Callable[[], dict[str, str]], *, what: str,
            env: Mapping[str, str] | None = None) -> tuple[subprocess.Popen[bytes], dict[str, Any], Path]:
    """Run `node <script>` in tools/bluesky-pds and wait for its JSON ready line."""
    last_error = ""
    for _attempt in range(3):     # a free port can be taken between finding and binding it
        stderr_path = data_dir.with_suffix(".stderr")
        full_env = {
            **os.environ, **(env or {}), **ports(),
            "PDS_DATA_DIRECTORY": str(data_dir), "LOG_ENABLED": "false", "EXIT_WHEN_STDIN_CLOSES": "1",
        }
        with stderr_path.open("wb") as stderr:
            process = subprocess.Popen(
                [shutil.which("node") or "node", script], cwd=PDS_DIR, env=full_env,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
            )
        line = _read_line(process, START_TIMEOUT)
        if line.startswith(b"{") and b'"ready":true' in line:
            return process, json.loads(line), stderr_path
        if process.poll() is None:
            process.kill()
        process.wait(timeout=5)
        last_error = stderr_path.read_text(errors="replace")[-3000:]
        if "EADDRINUSE" not in last_error:
            break
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir()
    pytest.fail(f"The local Bluesky {what} did not start within {START_TIMEOUT:.0f} s. Its stderr:\n{last_error}")


def _read_line(process: subprocess.Popen[bytes], timeout: float) -> bytes:
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    buffer = b""
    while b"\n" not in buffer and time.monotonic() < deadline and process.poll() is None:
        if selector.select(timeout=0.2):
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                break
            buffer += chunk
    selector.close()
    return buffer.split(b"\n", 1)[0]


@pytest.fixture(scope="session")
def pds() -> Iterator[LocalPds]:
    """One real PDS for the whole test session, with a fresh data directory."""
    if os.environ.get("SOMEVAHTI_SKIP_PDS") == "1":
        pytest.skip("SOMEVAHTI_SKIP_PDS=1")
    with tempfile.TemporaryDirectory(prefix="somevahti-pds-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        server = start_pds(data_dir)
        try:
            yield server
        finally:
            server.stop()


@dataclass(frozen=True)
class Accounts:
    kunta: Account
    asukas_a: Account
    asukas_b: Account


@pytest.fixture(scope="session")
def accounts(pds: LocalPds) -> Accounts:
    return Accounts(kunta=pds.create_account("kunta"), asukas_a=pds.create_account("asukas-a"),
                    asukas_b=pds.create_account("asukas-b"))


@pytest.fixture(autouse=True)
def _fresh_sessions() -> Iterator[None]:
    forget_sessions()
    yield
    forget_sessions()


# -- the AppView network ---------------------------------------------------------------------------


@dataclass
class LocalAppView(LocalPds):
    """PLC + PDS + AppView. `url` is the PDS (it proxies app.bsky.* to the AppView)."""

    appview_url: str = ""
    schema: str = ""
    _tokens: dict[str, str] = field(default_factory=dict, repr=False)

    def token(self, account: Account) -> str:
        if account.did not in self._tokens:
            response = httpx.post(f"{self.url}/xrpc/com.atproto.server.createSession",
                                  json={"identifier": account.did, "password": account.password}, timeout=30)
            assert response.status_code == 200, response.text
            self._tokens[account.did] = response.json()["accessJwt"]
        return self._tokens[account.did]

    def write(self, account: Account, record: Mapping[str, Any], *, collection: str = "app.bsky.feed.post",
              rkey: str = "") -> dict[str, str]:
        """A record written by `account` itself (a resident using some Bluesky app), as {uri, cid}."""
        body: dict[str, Any] = {"repo": account.did, "collection": collection, "record": dict(record)}
        if rkey:
            body["rkey"] = rkey
        response = httpx.post(f"{self.url}/xrpc/com.atproto.repo.createRecord", json=body, timeout=30,
                              headers={"Authorization": f"Bearer {self.token(account)}"})
        assert response.status_code == 200, response.text
        return {"uri": response.json()["uri"], "cid": response.json()["cid"]}

    def indexed(self, uri: str) -> dict[str, Any] | None:
        """The AppView's view of a post, or None while it has not indexed it yet."""
        response = httpx.get(f"{self.appview_url}/xrpc/app.bsky.feed.getPosts", params={"uris": uri}, timeout=30)
        assert response.status_code == 200, response.text
        posts = response.json()["posts"]
        return posts[0] if posts else None

    def wait_indexed(self, uri: str) -> dict[str, Any]:
        return eventually(lambda: self.indexed(uri), what=f"the post {uri}")

    def notified(self, account: Account) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.url}/xrpc/app.bsky.notification.listNotifications", params={"limit": 100},
                             headers={"Authorization": f"Bearer {self.token(account)}"}, timeout=30)
        assert response.status_code == 200, response.text
        return list(response.json()["notifications"])

    def wait_notified(self, account: Account, *uris: str) -> None:
        """Until the AppView has a notification for `account` about each of `uris`."""
        eventually(lambda: set(uris) <= {note["uri"] for note in self.notified(account)},
                   what=f"notifications of {account.handle} about {', '.join(uris)}")


def eventually[T](check: Callable[[], T | None], *, what: str, timeout: float = 20.0) -> T:
    """Poll `check` until it returns something: the AppView indexes the firehose asynchronously."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"The local Bluesky AppView did not show {what} within {timeout:.0f} s.")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)


def _why_no_appview() -> str | None:
    if why := _why_no_pds():
        return why
    if not (PDS_DIR / "node_modules" / "@atproto" / "dev-env").is_dir():
        return ("The local Bluesky AppView (@atproto/dev-env) is not installed. Run ./run test (it installs "
                "it), or: cd tools/bluesky-pds && npm ci --no-audit --no-fund")
    try:
        with psycopg.connect(psycopg.conninfo.make_conninfo(APPVIEW_POSTGRES, dbname="postgres", connect_timeout=5)):
            pass
    except psycopg.Error as exc:
        where = psycopg.conninfo.conninfo_to_dict(APPVIEW_POSTGRES)
        return (
            "The Bluesky AppView tests need PostgreSQL: the local AppView keeps its index there. Could not "
            f"connect to {where.get('host', 'localhost')}:{where.get('port', 5432)} as {where.get('user', '?')} "
            f"({str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}). Start PostgreSQL "
            "(Debian: apt-get install postgresql && pg_ctlcluster 15 main start; the tests use user postgres "
            "without a password on 127.0.0.1:5432), or point SOMEVAHTI_APPVIEW_POSTGRES at a server where that "
            "user may create a database, or set SOMEVAHTI_SKIP_PDS=1 to skip the Bluesky server tests."
        )
    return None


def _drop_schema(schema: str) -> None:
    try:
        with psycopg.connect(psycopg.conninfo.make_conninfo(APPVIEW_POSTGRES, connect_timeout=5),
                             autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')   # noqa: S608 - letters and _ only
    except psycopg.Error:
        pass    # the database itself is missing: then so is the schema


@pytest.fixture(scope="session")
def appview() -> Iterator[LocalAppView]:
    """One PLC + PDS + AppView for the whole test session, its index in a schema of its own."""
    if os.environ.get("SOMEVAHTI_SKIP_PDS") == "1":
        pytest.skip("SOMEVAHTI_SKIP_PDS=1")
    if why := _why_no_appview():
        pytest.fail(why)
    # dev-env accepts only letters and _ in the schema name: no digits.
    schema = "somevahti_appview_" + "".join(random.choices("abcdefghijklmnopqrstuvwxyz", k=12))
    with tempfile.TemporaryDirectory(prefix="somevahti-appview-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        process, ready, stderr_path = _launch(
            "start-appview.js", data_dir, dict, what="PDS with AppView",
            env={"APPVIEW_POSTGRES_URL": APPVIEW_POSTGRES, "APPVIEW_POSTGRES_SCHEMA": schema},
        )
        server = LocalAppView(url=ready["pds"], process=process, stderr_path=stderr_path,
                              appview_url=ready["appview"], schema=schema)
        try:
            yield server
        finally:
            server.stop()
            _drop_schema(schema)    # start-appview.js drops it too, unless it was killed
