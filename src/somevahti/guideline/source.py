"""Splitting a guideline's own text into sections and clauses (one sentence each).

The text is kept as the municipality wrote it. A heading is a short line without closing
punctuation; a paragraph that breaks off mid-sentence ("Jos" + blank line + "työntekijä ...")
is joined with the next one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ])")
_ABBREVIATION = re.compile(r"(?:\bmm|\besim|\bns|\byms|\bPuh|\bFax|§)\.$")


@dataclass(frozen=True)
class SourceClause:
    ref: str
    section: str
    text: str


def _paragraphs(text: str) -> list[str]:
    blocks = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        # A list keeps its lines; prose lines are one paragraph.
        glue = "\n" if lines and lines[0].startswith("- ") else " "
        blocks.append(glue.join(lines))
    joined: list[str] = []
    for block in filter(None, blocks):
        if joined and not re.search(r"[.!?:]$", joined[-1]) and block[:1].islower():
            joined[-1] = f"{joined[-1]} {block}"
        else:
            joined.append(block)
    return joined


def _is_heading(block: str) -> bool:
    return len(block) < 80 and not re.search(r"[.!?:,]$", block) and not block.startswith("-")


def _sentences(paragraph: str) -> list[str]:
    if paragraph.startswith("- "):
        return [paragraph]
    pieces = _SENTENCE_END.split(paragraph)
    sentences: list[str] = []
    for piece in pieces:
        if sentences and _ABBREVIATION.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return sentences


def split_guideline(text: str, *, title: str) -> list[SourceClause]:
    """Clauses from the title onwards, numbered section.sentence ("4.2")."""
    blocks = _paragraphs(text)
    try:
        blocks = blocks[blocks.index(title) :]
    except ValueError:
        pass
    clauses: list[SourceClause] = []
    section_no, section, sentence_no = 0, title, 0
    for block in blocks:
        if block == title:
            continue
        if re.match(r"^(Hyväksytty|KV)\b", block):  # approval notes, not clauses
            continue
        if _is_heading(block):
            section_no, section, sentence_no = section_no + 1, block, 0
            continue
        for sentence in _sentences(block):
            sentence_no += 1
            clauses.append(SourceClause(ref=f"{section_no}.{sentence_no}", section=section, text=sentence))
    return clauses
