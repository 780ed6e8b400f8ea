"""Accuracy and throughput of the content checks on the labelled development set.

    .venv/bin/python benchmarks/checks.py [--errors] [--seconds 5]

Accuracy: precision, recall and F1 per finding type and overall, for the generated part, the
hand-written held-out part and both. A finding counts as correct only on an exact span match
(same start, end and type); the "overlap" columns also count a finding that overlaps a label of
the same type, to show how many misses are only boundary disagreements.

Throughput: texts per second and megabytes per second in this one process (one core), over
posts of about 300 characters built from the development texts, with the organization's public
contacts. Voikko's analyses are cached, so the first pass is slower; we warm up first, as a
long-running worker would be.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from somevahti.checks import PublicContacts, check_text

DATA = Path(__file__).resolve().parent / "data"
TYPES = [
    "FI_HETU",
    "PHONE",
    "EMAIL",
    "IBAN",
    "LICENSE_PLATE",
    "PERSON",
    "ADDRESS",
    "HEALTH",
    "SOCIAL_WELFARE",
    "CONFIDENTIAL",
]


def load() -> tuple[list[dict], PublicContacts]:
    items = [json.loads(line) for line in (DATA / "checks_dev.jsonl").open(encoding="utf-8")]
    contacts = PublicContacts.from_json(json.loads((DATA / "checks_dev_contacts.json").read_text("utf-8")))
    return items, contacts


def score(items: list[dict], contacts: PublicContacts, show_errors: bool) -> dict[str, Counter]:
    counts: dict[str, Counter] = {t: Counter() for t in TYPES}
    for item in items:
        gold = {(label["start"], label["end"], label["type"]) for label in item["labels"]}
        found = {(f.start, f.end, f.type) for f in check_text(item["text"], lang="en", contacts=contacts)}
        for start, end, kind in found:
            c = counts.setdefault(kind, Counter())
            if (start, end, kind) in gold:
                c["tp"] += 1
                c["otp"] += 1
            else:
                c["fp"] += 1
                if any(k == kind and s < end and start < e for s, e, k in gold):
                    c["otp"] += 1
                else:
                    c["ofp"] += 1
                if show_errors:
                    print(f"  FP {item['id']} {kind} {item['text'][start:end]!r}")
        for start, end, kind in gold:
            c = counts.setdefault(kind, Counter())
            if (start, end, kind) not in found:
                c["fn"] += 1
                if not any(k == kind and s < end and start < e for s, e, k in found):
                    c["ofn"] += 1
                if show_errors:
                    print(f"  FN {item['id']} {kind} {item['text'][start:end]!r}   <- {item['text'][:120]!r}")
    return counts


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def report(title: str, counts: dict[str, Counter]) -> None:
    print(f"\n{title}")
    print(f"{'type':<15} {'gold':>5} {'found':>5} {'P':>6} {'R':>6} {'F1':>6}   overlap: {'P':>6} {'R':>6}")
    total = Counter()
    for kind in TYPES:
        c = counts.get(kind, Counter())
        total.update(c)
        gold, found = c["tp"] + c["fn"], c["tp"] + c["fp"]
        p, r, f = prf(c["tp"], c["fp"], c["fn"])
        op, orr, _ = prf(c["otp"], c["ofp"], c["ofn"])
        print(
            f"{kind:<15} {gold:>5} {found:>5} {p:>6.3f} {r:>6.3f} {f:>6.3f}   overlap: {op:>6.3f} {orr:>6.3f}"
        )
    p, r, f = prf(total["tp"], total["fp"], total["fn"])
    op, orr, _ = prf(total["otp"], total["ofp"], total["ofn"])
    gold, found = total["tp"] + total["fn"], total["tp"] + total["fp"]
    print(
        f"{'overall':<15} {gold:>5} {found:>5} {p:>6.3f} {r:>6.3f} {f:>6.3f}   overlap: {op:>6.3f} {orr:>6.3f}"
    )


def posts_of_about(items: list[dict], size: int) -> list[str]:
    posts, current = [], ""
    for item in items:
        current = f"{current} {item['text']}" if current else item["text"]
        if len(current) >= size:
            posts.append(current)
            current = ""
    return posts


def throughput(items: list[dict], contacts: PublicContacts, seconds: float) -> None:
    posts = posts_of_about(items, 300)
    for post in posts:  # warm the caches, as a long-running worker has them warm
        check_text(post, contacts=contacts)
    count = chars = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for post in posts:
            check_text(post, contacts=contacts)
            chars += len(post.encode("utf-8"))
        count += len(posts)
    elapsed = time.perf_counter() - started
    mean = sum(len(p) for p in posts) / len(posts)
    print(
        f"\nthroughput, one process: {count / elapsed:,.0f} posts/s, {chars / elapsed / 1e6:.2f} MB/s "
        f"({len(posts)} distinct posts of {mean:.0f} characters on average, {count} checked in {elapsed:.1f} s)"
    )
    cold = [f"{post} ({n})" for n, post in enumerate(posts)]
    from somevahti.checks import names, sensitive

    names.read_word.cache_clear()
    sensitive._is_person_word.cache_clear()
    started = time.perf_counter()
    for post in cold:
        check_text(post, contacts=contacts)
    elapsed = time.perf_counter() - started
    print(f"cold caches (first sight of every word): {len(cold) / elapsed:,.0f} posts/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--errors", action="store_true", help="list every false positive and false negative")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to measure throughput")
    args = parser.parse_args()
    items, contacts = load()
    print(
        f"{len(items)} texts: {sum(i['split'] == 'generated' for i in items)} generated, "
        f"{sum(i['split'] == 'handwritten' for i in items)} hand-written (held out); "
        f"{sum(i['lang'] == 'sv' for i in items)} in Swedish"
    )
    for title, part in (
        ("generated", [i for i in items if i["split"] == "generated"]),
        ("hand-written (held out)", [i for i in items if i["split"] == "handwritten"]),
        ("all", items),
    ):
        if args.errors:
            print(f"\nerrors in {title}:")
        report(title, score(part, contacts, args.errors and title != "all"))
    throughput(items, contacts, args.seconds)


if __name__ == "__main__":
    main()
