"""A real Bluesky PDS on loopback for the adapter's tests (tools/bluesky-pds, Node 20).

The tests that need it are skipped only when SOMEVAHTI_SKIP_PDS=1. Otherwise a missing Node or
a missing `npm ci` fails them with a message that says what to install.
"""

from __future__ import annotations

import itertools
import json
import os
import selectors
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from somevahti.connectors.base import Credentials
from somevahti.connectors.bluesky import BlueskyConnector
from somevahti.connectors.bluesky.connector import forget_sessions

ROOT = Path(__file__).resolve().parents[3]
PDS_DIR = ROOT / "tools" / "bluesky-pds"
START_TIMEOUT = 60.0
PASSWORD = "kunta-app-salasana-1"

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
        handle = f"{name}{next(_names)}.test"
        response = httpx.post(
            f"{self.url}/xrpc/com.atproto.server.createAccount",
            json={"handle": handle, "email": f"{name}@example.test", "password": PASSWORD}, timeout=30,
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
    last_error = ""
    for _attempt in range(3):     # a free port can be taken between finding and binding it
        stderr_path = data_dir.with_suffix(".stderr")
        env = {
            **os.environ,
            "PDS_PORT": str(_free_port()), "PLC_PORT": str(_free_port()),
            "PDS_DATA_DIRECTORY": str(data_dir), "LOG_ENABLED": "false", "EXIT_WHEN_STDIN_CLOSES": "1",
        }
        with stderr_path.open("wb") as stderr:
            process = subprocess.Popen(
                [shutil.which("node") or "node", "start.js"], cwd=PDS_DIR, env=env,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
            )
        line = _read_line(process, START_TIMEOUT)
        if line.startswith(b"{") and b'"ready":true' in line:
            return LocalPds(url=json.loads(line)["pds"], process=process, stderr_path=stderr_path)
        if process.poll() is None:
            process.kill()
        process.wait(timeout=5)
        last_error = stderr_path.read_text(errors="replace")[-3000:]
        if "EADDRINUSE" not in last_error:
            break
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir()
    pytest.fail(f"The local Bluesky PDS did not start within {START_TIMEOUT:.0f} s. Its stderr:\n{last_error}")


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
