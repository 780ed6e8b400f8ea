"""Turning findings into pieces of text a page can highlight."""

from __future__ import annotations

from dataclasses import dataclass

from .engine import Finding


@dataclass(frozen=True)
class Segment:
    text: str
    finding_number: int | None = None
    severity: str = ""
    type: str = ""


def segments(text: str, findings: list[Finding]) -> list[Segment]:
    """The text cut at the findings; a finding overlapping an earlier one is shown only in the list."""
    pieces: list[Segment] = []
    cursor = 0
    for number, finding in enumerate(findings, start=1):
        if finding.start < cursor:
            continue
        if finding.start > cursor:
            pieces.append(Segment(text[cursor : finding.start]))
        pieces.append(Segment(text[finding.start : finding.end], number, str(finding.severity), finding.type))
        cursor = finding.end
    if cursor < len(text):
        pieces.append(Segment(text[cursor:]))
    return pieces
