"""Large, hostile and broken input: the checks return, and offsets stay true."""

from __future__ import annotations

import os
import random
import subprocess
import sys

from somevahti.checks import check_text


def test_core__imports_nothing_from_django() -> None:
    code = "import sys, somevahti.checks, somevahti.checks.cli; assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


MEGABYTE = 1_000_000
# Each piece repeats something that makes a naive pattern backtrack or a naive loop go quadratic.
PIECES = [
    "1",
    "1 ",
    "a",
    "a@",
    "a.",
    "FI00",
    "Ab ",
    "AB-1",
    "040 ",
    "131052-",
    "Kauppakatu ",
    "\u200b1",
    "Matti ",
    "sairaala hän ",
    "salassa ",
    "x@y.",
    "+358 ",
    "(09) ",
    "Rantatie 1 ",
]


def test_adversarial_text__five_megabytes_of_mixed_pathological_pieces_returns() -> None:
    text = "".join(piece * (5 * MEGABYTE // len(PIECES) // len(piece)) for piece in PIECES)
    assert len(text) >= 4.9 * MEGABYTE
    for finding in check_text(text):
        assert 0 <= finding.start < finding.end <= len(text)


def test_adversarial_text__300_kilobytes_of_each_piece_alone_returns() -> None:
    for piece in PIECES:
        text = piece * (300_000 // len(piece))
        for finding in check_text(text):
            assert 0 <= finding.start < finding.end <= len(text)


def test_megabytes_of_ordinary_posts__findings_keep_their_offsets() -> None:
    post = "Hei! Naapurini Matti Virtanen (131052-308T, puh. 040 123 4567) asuu Harjutie 7 B 12:ssa. "
    text = post * 5_000
    findings = check_text(text)
    codes = [f for f in findings if f.type == "FI_HETU"]
    assert len(codes) == 5_000
    assert all(text[f.start : f.end] == "131052-308T" for f in codes)


def test_binary_junk_decoded_with_replacement__is_checked() -> None:
    junk = random.Random(7).randbytes(300_000)
    text = junk.decode("utf-8", errors="replace") + " 131052-308T"
    findings = check_text(text)
    assert any(text[f.start : f.end] == "131052-308T" for f in findings)


def test_mixed_scripts_emoji_and_rtl_marks__do_not_hide_findings() -> None:
    text = "مرحبا 😊 Привет \u200f131052-308T\u200f שלום matti@example.fi 👍🏽"
    kinds = {(f.type, text[f.start : f.end]) for f in check_text(text)}
    assert ("FI_HETU", "131052-308T") in kinds and ("EMAIL", "matti@example.fi") in kinds


def test_surrogates_and_control_characters__are_tolerated() -> None:
    text = "\ud800 \x00\x1b[31m 131052-308T \udfff"
    assert [f.type for f in check_text(text)] == ["FI_HETU"]
