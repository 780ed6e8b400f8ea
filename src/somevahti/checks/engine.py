"""The content-check engine: findings, the check registry and ``check_text``.

Guideline rule EMP-CONFIDENTIAL (Joroisten kunnan sosiaalisen median ohje): "Työhön liittyviä
luottamuksellisia asioita ei saa julkaista sosiaalisessa mediassa missään muodossa." Every text
that goes out and every comment that comes in is read by each registered check; each check
yields every finding it sees. Nothing here imports Django: the core runs in the CLI, in tasks
and in benchmarks alike, and the web app only adds storage and presentation around it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, NamedTuple

from .i18n import gettext_noop, normalise_language, translate
from .normalize import NormalisedText, normalise

RULE_CONFIDENTIAL = "EMP-CONFIDENTIAL"


class Severity(StrEnum):
    BLOCK = "block"  # cannot be published; no override
    WARN = "warn"  # may be overridden with a stated reason, which is audited
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    start: int
    end: int
    type: str
    severity: Severity
    rule: str
    message: str
    suggestion: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "type": self.type,
            "severity": str(self.severity),
            "rule": self.rule,
            "message": self.message,
            "suggestion": self.suggestion,
        }


# --- the organization's own public contact data ------------------------------------------------


class ContactsError(ValueError):
    """Public contact data that cannot be read; the message names the bad place."""


_NON_DIGIT = re.compile(r"\D+")
_SPACES = re.compile(r"\s+")


def phone_key(value: str) -> str:
    """Digits of a phone number in national form: "+358 (0)40 123 4567" -> "0401234567"."""
    stripped = value.strip()
    digits = _NON_DIGIT.sub("", stripped.replace("(0)", ""))
    if stripped.startswith("+"):
        return "0" + digits[3:] if digits.startswith("358") else "00" + digits
    if digits.startswith("00358"):
        return "0" + digits[5:]
    return digits


def email_key(value: str) -> str:
    return value.strip().casefold()


def text_key(value: str) -> str:
    """Case- and whitespace-insensitive form for addresses and names."""
    return _SPACES.sub(" ", value.strip().strip(".,;:")).casefold()


def _keys(values: Iterable[str], key: Callable[[str], str]) -> frozenset[str]:
    return frozenset(k for k in (key(v) for v in values) if k)


@dataclass(frozen=True)
class PublicContacts:
    """Contact data the organization publishes itself (switchboard, registry office, officials).

    These are never findings. Values are kept normalised for comparison, so the same number
    written "+358 17 123 456" and "017 123456" is one number.
    """

    phones: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()
    addresses: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "phones", _keys(self.phones, phone_key))
        object.__setattr__(self, "emails", _keys(self.emails, email_key))
        object.__setattr__(self, "addresses", _keys(self.addresses, text_key))
        object.__setattr__(self, "names", _keys(self.names, text_key))

    FIELDS: ClassVar[tuple[str, ...]] = ("phones", "emails", "addresses", "names")

    @classmethod
    def from_json(cls, data: object) -> PublicContacts:
        """Read ``{"phones": [...], "emails": [...], "addresses": [...], "names": [...]}``.

        Every key is optional; anything else is an error that names its place.
        """
        if not isinstance(data, Mapping):
            raise ContactsError(f"expected an object with the keys {', '.join(cls.FIELDS)}")
        unknown = sorted(str(key) for key in data if key not in cls.FIELDS)
        if unknown:
            raise ContactsError(f"{unknown[0]}: unknown key, expected one of {', '.join(cls.FIELDS)}")
        values: dict[str, list[str]] = {}
        for name in cls.FIELDS:
            items = data.get(name, [])
            if not isinstance(items, list):
                raise ContactsError(f"{name}: expected a list of strings")
            for index, item in enumerate(items):
                if not isinstance(item, str):
                    raise ContactsError(f"{name}[{index}]: expected a string")
            values[name] = items
        return cls(**{name: frozenset(items) for name, items in values.items()})

    def __or__(self, other: PublicContacts) -> PublicContacts:
        merged = PublicContacts()
        for name in self.FIELDS:
            object.__setattr__(merged, name, getattr(self, name) | getattr(other, name))
        return merged

    def has_phone(self, value: str) -> bool:
        return phone_key(value) in self.phones

    def has_email(self, value: str) -> bool:
        return email_key(value) in self.emails


NO_CONTACTS = PublicContacts()


# --- checks and their registry -----------------------------------------------------------------


class Hit(NamedTuple):
    """A finding before translation, in offsets of the normalised text."""

    start: int
    end: int
    params: Mapping[str, object] | None = None


@dataclass(eq=False)
class Document:
    """What every check reads: the normalised text, the contacts, and shared analyses."""

    normalised: NormalisedText
    contacts: PublicContacts
    memo: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.normalised.text

    def shared(self, key: str, compute: Callable[[Document], Any]) -> Any:
        """An analysis computed once per text and shared by the checks that need it."""
        if key not in self.memo:
            self.memo[key] = compute(self)
        return self.memo[key]


class SpanIndex:
    """Sorted, non-overlapping spans, asked in logarithmic time whether a range touches one."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [s for s, _ in ordered]
        self.ends = [e for _, e in ordered]

    def overlapping(self, start: int, end: int) -> bool:
        index = bisect.bisect_left(self.starts, end) - 1  # last span starting before ``end``
        return index >= 0 and self.ends[index] > start

    def containing(self, start: int, end: int) -> bool:
        index = bisect.bisect_right(self.starts, start) - 1
        return index >= 0 and self.ends[index] >= end

    def first_within(self, start: int, end: int) -> int | None:
        """Index of the first span lying wholly inside [start, end), if any."""
        index = bisect.bisect_left(self.starts, start)
        while index < len(self.starts) and self.starts[index] < end:
            if self.ends[index] <= end:
                return index
            index += 1
        return None


class TextCheck:
    kind: ClassVar[str]
    rule: ClassVar[str] = RULE_CONFIDENTIAL
    severity: ClassVar[Severity]
    message: ClassVar[str]  # English msgid, marked with gettext_noop
    suggestion: ClassVar[str]

    def findings(self, doc: Document) -> Iterator[Hit]:
        raise NotImplementedError

    def finding(self, span: tuple[int, int], **params: object) -> Hit:
        return Hit(span[0], span[1], params or None)


REGISTRY: dict[str, TextCheck] = {}

# When two checks claim overlapping text, the more specific one wins: an identity code is not
# also a phone number, and a disease named after a person (Parkinson) is health data.
PRIORITY = (
    "FI_HETU",
    "IBAN",
    "EMAIL",
    "PHONE",
    "LICENSE_PLATE",
    "CONFIDENTIAL",
    "SOCIAL_WELFARE",
    "HEALTH",
    "ADDRESS",
    "PERSON",
)


def register[C: type[TextCheck]](cls: C) -> C:
    REGISTRY[cls.kind] = cls()
    return cls


def _resolve_overlaps(raw: list[tuple[str, Hit]]) -> list[tuple[str, Hit]]:
    rank = {kind: index for index, kind in enumerate(PRIORITY)}
    ordered = sorted(raw, key=lambda item: (rank.get(item[0], len(rank)), item[1].start, item[1].end))
    starts: list[int] = []
    kept: list[tuple[str, Hit]] = []
    for kind, hit in ordered:
        index = bisect.bisect_right(starts, hit.start)
        if index > 0 and kept[index - 1][1].end > hit.start:
            continue
        if index < len(kept) and kept[index][1].start < hit.end:
            continue
        starts.insert(index, hit.start)
        kept.insert(index, (kind, hit))
    return kept


def check_text(
    text: str,
    *,
    lang: str = "fi",
    contacts: PublicContacts | None = None,
    types: Iterable[str] | None = None,
) -> list[Finding]:
    """Every finding in ``text``, sorted by (start, end, type), with offsets into ``text``.

    ``types`` limits the run to some checks (by their stable codes); all run by default.
    """
    if not text:
        return []
    lang = normalise_language(lang)
    doc = Document(normalise(text), contacts or NO_CONTACTS)
    selected = REGISTRY.values() if types is None else [REGISTRY[kind] for kind in types]
    raw = [(check.kind, hit) for check in selected for hit in check.findings(doc) if hit.end > hit.start]
    results = []
    for kind, hit in _resolve_overlaps(raw):
        check = REGISTRY[kind]
        start, end = doc.normalised.span_in_original(hit.start, hit.end)
        params = dict(hit.params) if hit.params else None
        results.append(
            Finding(
                start=start,
                end=end,
                type=kind,
                severity=check.severity,
                rule=check.rule,
                message=translate(check.message, lang, params),
                suggestion=translate(check.suggestion, lang, params),
            )
        )
    results.sort(key=lambda f: (f.start, f.end, f.type))
    return results


__all__ = [
    "REGISTRY",
    "ContactsError",
    "Document",
    "Finding",
    "Hit",
    "PublicContacts",
    "Severity",
    "TextCheck",
    "check_text",
    "gettext_noop",
    "register",
]
