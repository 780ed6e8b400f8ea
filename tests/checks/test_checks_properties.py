"""Properties that hold for every text: offsets, identity codes anywhere, adversarial input."""

from __future__ import annotations

import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from somevahti.checks import check_text
from somevahti.checks.engine import REGISTRY

CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY_SIGNS = {1800: "+", 1900: "-UVWXY", 2000: "ABCDEF"}
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f"]


@st.composite
def identity_codes(draw: st.DrawFn) -> str:
    born = draw(st.dates(min_value=datetime.date(1800, 1, 1), max_value=datetime.date(2099, 12, 31)))
    century = born.year // 100 * 100
    sign = draw(st.sampled_from(CENTURY_SIGNS[century]))
    individual = draw(st.integers(min_value=2, max_value=999))
    digits = f"{born:%d%m}{born.year % 100:02d}{individual:03d}"
    code = f"{digits[:6]}{sign}{digits[6:]}{CHECK_CHARS[int(digits) % 31]}"
    return code.lower() if draw(st.booleans()) else code


texts = st.text(st.characters(codec="utf-8"), max_size=200)
word_texts = st.text(
    st.sampled_from(
        list("abcdefghijklmnopqrstuvwxyzåäöABCÅÄÖ0123456789 .,-+@:/()§\n") + INVISIBLE + ["😊", "\u05d0", "Я"]
    ),
    max_size=200,
)


def _finding_names_its_text(text: str) -> None:
    for finding in check_text(text):
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.type in REGISTRY
        covered = text[finding.start : finding.end]
        assert covered.strip() == covered or covered.strip(" ")  # never only spaces
        assert covered[0] not in " \n" and covered[-1] not in " \n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_offsets__always_lie_within_any_text(text: str) -> None:
    _finding_names_its_text(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(word_texts)
def test_offsets__always_lie_within_texts_full_of_digits_and_invisible_marks(text: str) -> None:
    _finding_names_its_text(text)


@settings(max_examples=300, deadline=None)
@given(
    before=texts,
    after=texts,
    code=identity_codes(),
    left=st.sampled_from([" ", "\n", ": ", "(", " \u200b", "\t", '"', "😊 "]),
    right=st.sampled_from([" ", "\n", ".", ")", ",", "\u200b ", '"', " 😊"]),
)
def test_identity_code__valid_code_inserted_anywhere_is_found(
    before: str, after: str, code: str, left: str, right: str
) -> None:
    text = f"{before}{left}{code}{right}{after}"
    at = len(before) + len(left)
    findings = [f for f in check_text(text) if f.type == "FI_HETU"]
    assert (at, at + len(code)) in {(f.start, f.end) for f in findings}
    for finding in findings:
        assert finding.severity == "block"


@settings(max_examples=200, deadline=None)
@given(
    code=identity_codes(), marks=st.lists(st.sampled_from(INVISIBLE), min_size=1, max_size=11), data=st.data()
)
def test_identity_code__found_when_invisible_marks_are_hidden_inside(
    code: str, marks: list[str], data: st.DataObject
) -> None:
    hidden = list(code)
    for mark in marks:
        hidden.insert(data.draw(st.integers(min_value=1, max_value=len(hidden) - 1)), mark)
    disguised = "".join(hidden)
    text = f"Tunnus {disguised} tässä."
    findings = [f for f in check_text(text) if f.type == "FI_HETU"]
    assert len(findings) == 1
    covered = text[findings[0].start : findings[0].end]
    assert "".join(c for c in covered if c not in INVISIBLE) == code
