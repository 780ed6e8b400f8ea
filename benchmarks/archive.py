"""Archive search and export on a realistic archive, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/archive.py [--records 1000000] [--backend both|sqlite|postgres] [--repeat 20]

For each database it makes a throw-away one (SQLite in a temporary folder; PostgreSQL database
`somevahti_archive_bench_<pid>` on $BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432)
and fills it with N records of Finnish municipal posts, comments and replies built from templates
and word lists: the hash chain is computed in Python, rows are bulk-inserted and the search index
is built once at the end. Then it prints p50/p95 of `search_archive` (count and first page of 25)
for typical queries beside the same full-text query written by hand as raw SQL (FTS5 MATCH /
tsvector @@), their ratio, and the export rate of a 10,000-record result as JSON Lines and CSV.
Everything it made is removed afterwards. Loops are bounded by --repeat.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
HELSINKI = ZoneInfo("Europe/Helsinki")  # the archive's dates are days in Helsinki
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")

# Topics with the forms in which municipal texts write them.
TOPICS = [
    ["Uimahalli", "Uimahallissa", "Uimahallin", "Uimahalliin", "Uimahallista"],
    ["Tiesuola", "Tiesuolaa", "Tiesuolan", "Tiesuolauksen"],
    ["Koulukuljetus", "Koulukuljetukset", "Koulukuljetuksen", "Koulukuljetuksia", "Koulukuljetuksista"],
    ["Kirjasto", "Kirjastossa", "Kirjaston", "Kirjastoon"],
    ["Terveysasema", "Terveysasemalla", "Terveysaseman", "Terveysasemalle"],
    ["Jätehuolto", "Jätehuollon", "Jätehuoltoon"],
    ["Lumityöt", "Lumitöiden", "Lumitöissä", "Aurauksen", "Auraus"],
    ["Päiväkoti", "Päiväkodissa", "Päiväkodin", "Päiväkotiin"],
    ["Kunnanvaltuusto", "Kunnanvaltuuston", "Kunnanvaltuustossa"],
    ["Vesijohto", "Vesijohdon", "Vesikatko", "Vesikatkon"],
    ["Kuntosali", "Kuntosalilla", "Kuntosalin"],
    ["Uimaranta", "Uimarannalla", "Uimarannan"],
    ["Katuvalot", "Katuvalojen", "Katuvaloissa"],
    ["Joukkoliikenne", "Bussivuoro", "Bussivuoron", "Bussivuorot"],
    ["Kesätyö", "Kesätyöt", "Kesätyöpaikat", "Kesätyöhön"],
    ["Liikuntahalli", "Liikuntahallissa", "Liikuntahallin"],
    ["Kouluruoka", "Kouluruoan", "Kouluruokaa"],
    ["Rakennuslupa", "Rakennusluvan", "Rakennuslupia"],
    ["Vanhuspalvelut", "Vanhuspalveluiden", "Kotihoito", "Kotihoidon"],
    ["Tapahtuma", "Tapahtumassa", "Tapahtuman", "Markkinat", "Markkinoilla"],
]
PREDICATES = [
    "on suljettu huoltotöiden vuoksi",
    "aukeaa taas maanantaina",
    "muuttuu ensi viikolla",
    "on tauolla joulun ajan",
    "toimii poikkeusaikataululla",
    "herättää paljon kysymyksiä",
    "kiittää kaikkia kuntalaisia",
    "vaatii korjausta pian",
    "saa uuden palvelun",
    "on ollut hyvin suosittu",
    "ei toimi tänään",
    "käsitellään kokouksessa tiistaina",
]
COMMENTS = [
    "Miksi tästä ei kerrottu aiemmin?",
    "Kiitos tiedosta!",
    "Milloin tämä korjataan?",
    "Hyvä että asiaan puututaan.",
    "Meidän kadulla tilanne on huono.",
    "Voisiko aukioloaikoja pidentää?",
    "Hienoa työtä!",
    "Tästä pitäisi keskustella enemmän.",
]
REPLIES = [
    "Kiitos palautteesta, välitämme asian eteenpäin.",
    "Hei! Asia on työn alla ja tiedotamme lisää pian.",
    "Kiitos kysymyksestä: lisätietoa saat palvelupisteestä.",
]
NAMES = [
    "Aino Virtanen",
    "Eero Korhonen",
    "Kaisa Mäkinen",
    "Mikko Nieminen",
    "Liisa Heikkinen",
    "Juha Laine",
    "Björn Lindqvist",
]
QUERIES = [
    ("uimahalli", {}),
    ("tiesuola", {}),
    ("koulukuljetus", {}),
    ("uimahallin aukioloajat", {}),
    ("kirjasto suljettu", {}),
    (
        "koulukuljetus + dates + channel",
        {
            "query": "koulukuljetus",
            "date_from": dt.date(2025, 1, 1),
            "date_to": dt.date(2025, 6, 30),
            "channel": "facebook",
        },
    ),
]


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(rng.choice(TOPICS))} {rng.choice(PREDICATES)}."


def make_text(rng: random.Random, kind: str) -> tuple[str, str]:
    if kind == "post_published":
        return " ".join(sentence(rng) for _ in range(rng.randint(2, 4))), ""
    if kind == "reply_sent":
        return rng.choice(REPLIES), ""
    return f"{sentence(rng)} {rng.choice(COMMENTS)}", rng.choice(NAMES)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


# --- the worker: one database, in its own process ---------------------------------------------


def worker(records: int, repeat: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "somevahti.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from somevahti.archive import search
    from somevahti.archive.export import export_archive
    from somevahti.archive.models import ArchiveRecord
    from somevahti.archive.queries import ArchiveQuery, search_archive
    from somevahti.archive.services import GENESIS, record_hash
    from somevahti.channels.models import Channel
    from somevahti.people.models import Organization

    call_command("migrate", interactive=False, verbosity=0)
    vendor = connection.vendor
    org = Organization.objects.create(slug="bench", name="Benchkunta")
    channels = [
        Channel.objects.create(organization=org, key=key, platform=key, name=key.title())
        for key in ("facebook", "instagram", "bluesky")
    ]
    rng = random.Random(5)
    start = dt.datetime(2016, 1, 1, tzinfo=dt.UTC)
    span = (dt.datetime(2026, 1, 1, tzinfo=dt.UTC) - start).total_seconds()
    reply_every = max(1, records // 10_000)  # exactly 10,000 replies: the export test set
    stems_of: dict[str, str] = {}

    if vendor == "postgresql":
        with connection.cursor() as cursor:
            for sql in search.DROP_POSTGRES:
                cursor.execute(sql)
    t0 = time.perf_counter()
    previous = GENESIS
    batch: list[ArchiveRecord] = []
    for i in range(1, records + 1):
        kind = (
            "reply_sent"
            if i % reply_every == 0
            else ("post_published" if rng.random() < 0.3 else "interaction_received")
        )
        text, author = make_text(rng, kind)
        stems = stems_of.get(text)
        if stems is None:
            stems = stems_of[text] = search.stem_text(text)
        record = ArchiveRecord(
            organization=org, sequence=i, kind=kind, channel=channels[i % 3], platform=channels[i % 3].platform,
            source_id=f"bench-{i}", author=author, text=text, payload={"id": str(i), "message": text},
            occurred_at=start + dt.timedelta(seconds=span * i / records), previous_hash=previous, search_text=stems,
        )  # fmt: skip
        record.record_hash = record_hash(record)
        previous = record.record_hash
        batch.append(record)
        if len(batch) == 5000:
            with transaction.atomic():
                ArchiveRecord.objects.bulk_create(batch)
            batch = []
    if batch:
        ArchiveRecord.objects.bulk_create(batch)
    t_insert = time.perf_counter() - t0
    t0 = time.perf_counter()
    with transaction.atomic():
        search.rebuild_index()
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            for sql in search.CREATE_POSTGRES:
                cursor.execute(sql)
            cursor.execute("ANALYZE archive_archiverecord")
        else:
            cursor.execute("ANALYZE")
    t_index = time.perf_counter() - t0
    print(
        f"  filled {records:,} records in {t_insert:.1f} s ({records / t_insert:,.0f}/s), search index built in {t_index:.1f} s"
    )

    def moment(value: dt.datetime) -> object:
        """As Django stores it: SQLite keeps naive UTC text, PostgreSQL a timestamptz."""
        return value if vendor == "postgresql" else value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")

    def raw(query: str, filters: dict) -> int:
        groups = search.query_groups(query)
        where = ["r.organization_id = %s", "r.removed_from_search_at IS NULL"]
        params: list[object] = [org.pk]
        if vendor == "sqlite":
            where.append(f"r.id IN (SELECT rowid FROM {search.FTS_TABLE} WHERE {search.FTS_TABLE} MATCH %s)")
            params.append(search.fts5_expression(groups))
        else:
            where.append("to_tsvector('finnish', r.search_text) @@ to_tsquery('finnish', %s)")
            params.append(search.tsquery_expression(groups))
        if filters.get("date_from"):
            where.append("r.occurred_at >= %s")
            params.append(moment(dt.datetime.combine(filters["date_from"], dt.time(), tzinfo=HELSINKI)))
            where.append("r.occurred_at < %s")
            params.append(
                moment(dt.datetime.combine(filters["date_to"] + dt.timedelta(days=1), dt.time(), tzinfo=HELSINKI))
            )
        if filters.get("channel"):
            where.append(
                "r.channel_id = (SELECT id FROM channels_channel WHERE organization_id = %s AND key = %s)"
            )
            params += [org.pk, filters["channel"]]
        clause = " AND ".join(where)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM archive_archiverecord r WHERE {clause}", params)
            total = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT r.id, r.sequence, r.kind, r.text, r.author, r.occurred_at, r.payload FROM archive_archiverecord r "
                f"WHERE {clause} ORDER BY r.occurred_at DESC, r.sequence DESC LIMIT 25",
                params,
            )
            cursor.fetchall()
        return total

    print(
        f"  {'query':34} {'matches':>9} {'search p50':>11} {'p95':>9} {'raw SQL p50':>12} {'p95':>9} {'ratio':>6}"
    )
    for label, spec in QUERIES:
        filters = dict(spec)
        query = filters.pop("query", label)
        search_times, raw_times = [], []
        total = 0
        for _ in range(repeat):
            t = time.perf_counter()
            total = search_archive(organization=org, query=query, limit=25, **filters).total
            search_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            raw_total = raw(query, filters)
            raw_times.append(time.perf_counter() - t)
        assert raw_total == total, (label, raw_total, total)
        p50, rp50 = percentile(search_times, 0.5), percentile(raw_times, 0.5)
        print(
            f"  {label:34} {total:>9,} {p50 * 1000:>9.1f}ms {percentile(search_times, 0.95) * 1000:>7.1f}ms "
            f"{rp50 * 1000:>10.1f}ms {percentile(raw_times, 0.95) * 1000:>7.1f}ms {p50 / rp50:>6.2f}"
        )

    criteria = ArchiveQuery(kind="reply_sent")
    for fmt in ("jsonl", "csv"):
        t = time.perf_counter()
        exported = export_archive(organization=org, criteria=criteria, fmt=fmt, now=dt.datetime.now(dt.UTC))
        took = time.perf_counter() - t
        count = exported.manifest["records"]
        print(
            f"  export {fmt:5}: {count:,} records in {took:.2f} s = {count / took:,.0f} records/s ({len(exported.content) / 1e6:.1f} MB zip)"
        )


# --- the driver ------------------------------------------------------------------------------


def run_backend(backend: str, records: int, repeat: int) -> None:
    env = dict(os.environ)
    data_dir = tempfile.mkdtemp(prefix="somevahti-archive-bench-")
    env["SOMEVAHTI_DATA_DIR"] = data_dir
    env.setdefault("SECRET_KEY", "benchmark-only")
    db_name = f"somevahti_archive_bench_{os.getpid()}"
    admin = None
    try:
        if backend == "postgres":
            import psycopg

            admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True)
            admin.execute(f'CREATE DATABASE "{db_name}"')
            env["DATABASE_URL"] = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + db_name
        else:
            env.pop("DATABASE_URL", None)
        print(f"{backend}:", flush=True)
        subprocess.run(
            [sys.executable, __file__, "--worker", "--records", str(records), "--repeat", str(repeat)],
            env=env,
            check=True,
        )
    finally:
        if admin is not None:
            admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
            admin.close()
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["both", "sqlite", "postgres"], default="both")
    parser.add_argument("--repeat", type=int, default=20, help="runs of each query (bounded)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.records < 10_000:
        parser.error("--records: at least 10000 (the export is measured on 10,000 records)")
    if args.worker:
        worker(args.records, max(1, min(args.repeat, 200)))
        return
    for backend in ("sqlite", "postgres") if args.backend == "both" else (args.backend,):
        run_backend(backend, args.records, args.repeat)


if __name__ == "__main__":
    main()
