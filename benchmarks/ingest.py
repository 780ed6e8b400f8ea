"""Webhook ingest under load: signed Meta deliveries posted to a running Somevahti on loopback.

    .venv/bin/python benchmarks/ingest.py [--database sqlite|postgres|both] [--seconds 10]
                                          [--burst 50000] [--repeat-share 0.1] [--concurrency 16]

For each database it starts `somevahti serve` (web process, task worker, scheduler) on a free
loopback port with a fresh database, then prints:

- requests per second of a no-op endpoint (/api/health) and of signed deliveries, in the same
  run, and their ratio (the figure that counts);
- p50 and p99 time to answer a delivery;
- after a burst of deliveries with some repeated: how long the worker took to process them and
  how many interactions exist (must equal the distinct comments sent).

Every loop is bounded by a count and by time; the script stops the server itself.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SECRET = "benchmark-app-secret"
PAGE_ID = "104000000000099"
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def delivery(comment_no: int, post: str = "2000") -> bytes:
    created = 1764064800 + comment_no
    body = {
        "object": "page",
        "entry": [
            {
                "id": PAGE_ID,
                "time": created,
                "changes": [
                    {
                        "field": "feed",
                        "value": {
                            "from": {"id": f"7{comment_no:015d}", "name": "Kuntalainen Testinen"},
                            "post_id": f"{PAGE_ID}_{post}",
                            "comment_id": f"{post}_{comment_no}",
                            "parent_id": f"{PAGE_ID}_{post}",
                            "created_time": created,
                            "item": "comment",
                            "verb": "add",
                            "message": f"Milloin uimahalli aukeaa? Kysymys numero {comment_no}.",
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(body).encode()


def signature(body: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


class Server:
    def __init__(self, database: str) -> None:
        self.database = database
        self.data_dir = Path(tempfile.mkdtemp(prefix=f"somevahti-bench-{database}-"))
        self.port = free_port()
        self.env = dict(os.environ)
        self.env.update(
            SOMEVAHTI_DATA_DIR=str(self.data_dir),
            META_APP_SECRET=SECRET,
            SOMEVAHTI_CONNECTOR="somevahti.connectors.fake.FakeConnector",
            LOG_LEVEL="WARNING",
            WEB_THREADS="8",
        )
        if database == "postgres":
            name = f"somevahti_bench_{os.getpid()}"
            self._psql(f"DROP DATABASE IF EXISTS {name}")
            self._psql(f"CREATE DATABASE {name}")
            self.env["DATABASE_URL"] = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
            self.pg_name = name
        else:
            self.env.pop("DATABASE_URL", None)
        self.process: subprocess.Popen[bytes] | None = None

    def _psql(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(sql)

    def somevahti(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "somevahti.config.cli", *args], env=self.env, text=True, capture_output=True, check=True
        )

    def start(self) -> str:
        org = {
            "organization": {"slug": "bench", "name": "Benchmark"},
            "people": [{"email": "a@bench.fi", "name": "A Admin", "roles": ["comms_lead"]}],
            "channels": [
                {"key": "facebook", "platform": "facebook", "name": "Bench", "status": "active", "platform_id": PAGE_ID,
                 "administrators": [{"email": "a@bench.fi", "role": "admin", "since": "2024-01-01"}]}
            ],
        }
        org_file = self.data_dir / "org.json"
        org_file.write_text(json.dumps(org), encoding="utf-8")
        self.somevahti("org", "import", str(org_file))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "somevahti.config.cli", "serve", "--port", str(self.port)],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    return base
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start within 60 s")

    def count(self, sql: str, *, journal: bool = False) -> int:
        """One number from the database; `journal` reads the webhook journal (its own SQLite file)."""
        alias = "__import__('somevahti.inbox.routers', fromlist=['x']).journal_alias()" if journal else "'default'"
        code = (
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','somevahti.config.settings'); django.setup();"
            "from django.db import connections; c = connections[" + alias + "].cursor(); c.execute(" + repr(sql) + "); print(c.fetchone()[0])"
        )
        out = subprocess.run([sys.executable, "-c", code], env=self.env, text=True, capture_output=True, check=True)
        return int(out.stdout.strip())

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.database == "postgres":
            time.sleep(1)
            self._psql(f"DROP DATABASE IF EXISTS {self.pg_name} WITH (FORCE)")
        shutil.rmtree(self.data_dir, ignore_errors=True)


def load(base: str, *, make_request, seconds: float, concurrency: int, max_requests: int) -> tuple[int, list[float], int]:
    """Run `make_request(client, i)` from `concurrency` threads for at most `seconds` and `max_requests`."""
    latencies: list[float] = []
    failures = 0
    counter = iter(range(max_requests))
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        nonlocal failures
        with httpx.Client(base_url=base, timeout=30) as client:
            while time.monotonic() < stop_at:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                started = time.perf_counter()
                try:
                    ok = make_request(client, i)
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - started
                with lock:
                    if ok:
                        latencies.append(elapsed)
                    else:
                        failures += 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), latencies, failures


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def run(database: str, args: argparse.Namespace) -> None:
    server = Server(database)
    try:
        base = server.start()
        print(f"\n== {database}: server on {base}")

        def health(client: httpx.Client, i: int) -> bool:
            return client.get("/api/health").status_code == 200

        bodies = [delivery(n) for n in range(2000)]

        def post(client: httpx.Client, i: int) -> bool:
            body = bodies[i % len(bodies)]
            r = client.post("/webhooks/meta/", content=body, headers={"X-Hub-Signature-256": signature(body), "Content-Type": "application/json"})
            return r.status_code == 200

        t0 = time.monotonic()
        n_noop, lat_noop, _ = load(base, make_request=health, seconds=args.seconds, concurrency=args.concurrency, max_requests=10**7)
        noop_rps = n_noop / (time.monotonic() - t0)
        t0 = time.monotonic()
        n_hook, lat_hook, fail_hook = load(base, make_request=post, seconds=args.seconds, concurrency=args.concurrency, max_requests=10**7)
        hook_rps = n_hook / (time.monotonic() - t0)
        print(f"no-op /api/health:      {noop_rps:8.1f} req/s  p50 {percentile(lat_noop, .5)*1000:6.1f} ms  p99 {percentile(lat_noop, .99)*1000:6.1f} ms")
        print(f"signed deliveries:      {hook_rps:8.1f} req/s  p50 {percentile(lat_hook, .5)*1000:6.1f} ms  p99 {percentile(lat_hook, .99)*1000:6.1f} ms  refused {fail_hook}")
        print(f"ratio deliveries/no-op: {hook_rps / noop_rps:8.2f}")

        # The burst: distinct comments, some sent twice.
        rng = random.Random(7)
        distinct = args.burst - int(args.burst * args.repeat_share)
        first = 10_000
        plan = [first + n for n in range(distinct)] + [first + rng.randrange(distinct) for _ in range(args.burst - distinct)]
        rng.shuffle(plan)
        burst_bodies = {n: delivery(n, post="3000") for n in set(plan)}

        def post_burst(client: httpx.Client, i: int) -> bool:
            body = burst_bodies[plan[i]]
            r = client.post("/webhooks/meta/", content=body, headers={"X-Hub-Signature-256": signature(body), "Content-Type": "application/json"})
            return r.status_code == 200

        t0 = time.monotonic()
        n_burst, _, fail_burst = load(base, make_request=post_burst, seconds=args.burst_timeout, concurrency=args.concurrency, max_requests=len(plan))
        sent_s = time.monotonic() - t0
        print(f"burst: {n_burst} deliveries accepted in {sent_s:.1f} s ({n_burst / sent_s:.1f}/s), refused {fail_burst}, {distinct} distinct comments")
        deadline = time.monotonic() + args.burst_timeout
        while time.monotonic() < deadline:
            pending = server.count("select count(*) from inbox_webhookdelivery where state <> 'processed'", journal=True)
            if pending == 0:
                break
            time.sleep(2)
        done_s = time.monotonic() - t0
        interactions = server.count("select count(*) from inbox_interaction where post_platform_id = '" + PAGE_ID + "_3000'")
        warmup = server.count("select count(*) from inbox_interaction where post_platform_id = '" + PAGE_ID + "_2000'")
        print(f"burst processed in {done_s:.1f} s ({n_burst / done_s:.1f} deliveries/s end to end); pending left {pending}")
        print(f"interactions from the burst: {interactions} (distinct sent: {distinct}) -> {'OK' if interactions == distinct else 'MISMATCH'}; from the rate phase: {warmup}")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each rate phase")
    parser.add_argument("--burst", type=int, default=50_000)
    parser.add_argument("--repeat-share", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--burst-timeout", type=float, default=1800.0)
    args = parser.parse_args()
    for database in (["sqlite", "postgres"] if args.database == "both" else [args.database]):
        run(database, args)


if __name__ == "__main__":
    main()
