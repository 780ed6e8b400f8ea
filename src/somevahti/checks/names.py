"""Names of private persons, Finnish and Swedish, in any inflected form.

Finnish names are recognised with Voikko's morphological analysis (CLASS etunimi / sukunimi and
the BASEFORM, so "Virtaselle" is Virtanen); Swedish first names come from our own list. Only
capitalised words are analysed, and each distinct word once (an LRU cache), which keeps the
check fast. Words that are also places (Joroinen, Varkaus) or common nouns (Koivu, Laine) count
as names only next to another name or in the middle of a sentence.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from .contact import SEPARATE_STREET_WORDS, STREET_SUFFIXES, address_index
from .engine import Document, Hit, PublicContacts, Severity, SpanIndex, TextCheck, register, text_key
from .i18n import gettext_noop
from .name_lists import FINNISH_FIRST_NAMES, SWEDISH_FIRST_NAMES

_voikko_lock = threading.Lock()
_voikko: object | None = None
_voikko_failed = False


def _analyzer():  # type: ignore[no-untyped-def]
    """Voikko, or None where the library or its Finnish dictionary is missing."""
    global _voikko, _voikko_failed
    if _voikko is None and not _voikko_failed:
        try:
            from libvoikko import Voikko

            _voikko = Voikko("fi")
        except Exception:  # noqa: BLE001 - any failure leaves us with the name lists only
            _voikko_failed = True
    return _voikko


NAME_CLASSES = frozenset({"etunimi", "sukunimi"})
PLACE_CLASSES = frozenset({"paikannimi"})
PROPER_CLASSES = frozenset({"etunimi", "sukunimi", "paikannimi", "nimi"})


@dataclass(frozen=True, slots=True)
class WordReading:
    first: bool  # a first name
    surname: bool
    place: bool  # also a place name (Marin -> Mari, Lahti)
    common: bool  # also an ordinary word (Koivu, Tuuli, Satu)
    known: bool  # Voikko or our lists know the word at all
    baseform: str


@lru_cache(maxsize=200_000)
def read_word(word: str) -> WordReading:
    first = word in SWEDISH_FIRST_NAMES or word in FINNISH_FIRST_NAMES
    if not first and word.endswith("s") and (word[:-1] in SWEDISH_FIRST_NAMES):
        return WordReading(True, False, False, False, True, word[:-1])  # Swedish genitive: Annas
    surname = place = common = False
    baseform = word
    analyses = []
    voikko = _analyzer()
    if voikko is not None:
        with _voikko_lock:
            analyses = voikko.analyze(word)  # type: ignore[attr-defined]
    for analysis in analyses:
        cls = analysis.get("CLASS", "")
        if cls == "etunimi":
            first = True
            baseform = analysis.get("BASEFORM", word)
        elif cls == "sukunimi":
            surname = True
            if not first:
                baseform = analysis.get("BASEFORM", word)
        elif cls == "paikannimi":
            place = True
        elif cls not in PROPER_CLASSES:
            common = True
    if word in FINNISH_FIRST_NAMES:
        place = False
    return WordReading(first, surname, place, common, first or bool(analyses), baseform)


# A capitalised word, possibly hyphenated (Anna-Liisa, Virtanen-Korhonen), not inside an
# e-mail address, a handle or a URL.
CAPITALISED = re.compile(
    r"(?<![\w@#/.:-])[A-ZÅÄÖ][a-zåäöéüá]{1,30}+(?:-[A-ZÅÄÖ][a-zåäöéüá]{1,30}+)?(?![\w@-]|\.\w|:\w\w)"
)
COORDINATION = re.compile(r",? (?:ja|sekä|tai|och|eller) [A-ZÅÄÖ]")


def _at_sentence_start(text: str, start: int) -> bool:
    """Whether the word at ``start`` begins a sentence, a line, a list item or follows an emoji."""
    position = start - 1
    while position >= 0 and text[position] in " \t":
        position -= 1
    if position < 0:
        return True
    previous = text[position]
    return not (previous.isalnum() or previous in ",;(\"'’”»")


@dataclass(frozen=True, slots=True)
class NameMention:
    start: int
    end: int
    public: bool


def _reading(word: str) -> WordReading:
    if "-" in word:
        whole = read_word(word)
        if whole.first or whole.surname:
            return whole
        parts = [read_word(part) for part in word.split("-")]
        if all(p.first for p in parts):
            return WordReading(True, False, False, False, True, word)
        if all(p.surname or p.first for p in parts):
            return WordReading(False, True, False, False, True, word)
        return WordReading(False, False, False, True, True, word)
    return read_word(word)


@lru_cache(maxsize=64)
def _public_name_keys(contacts: PublicContacts) -> tuple[frozenset[str], frozenset[str]]:
    """Public names in base form, and their single words (a surname alone is the same person)."""
    full, parts = set(), set()
    for name in contacts.names:
        words = name.split(" ")
        bases = [read_word(w[:1].upper() + w[1:]).baseform.casefold() for w in words]
        full.add(name)
        full.add(" ".join(bases))
        parts.update(words)
        parts.update(bases)
    return frozenset(full), frozenset(parts)


def name_mentions(doc: Document) -> list[NameMention]:
    """Every mention of a person's name, public or not; shared with the health and welfare checks."""
    return doc.shared("names", _compute_name_mentions)


def name_index(doc: Document, *, public: bool) -> SpanIndex:
    """Name mentions for quick look-ups; with ``public=False`` only the private persons."""
    return doc.shared(
        f"name_index_{public}",
        lambda d: SpanIndex((m.start, m.end) for m in name_mentions(d) if public or not m.public),
    )


def _compute_name_mentions(doc: Document) -> list[NameMention]:
    text = doc.text
    addresses = address_index(doc)
    tokens = list(CAPITALISED.finditer(text))
    mentions: list[NameMention] = []
    index = 0
    while index < len(tokens):
        # Group words separated by one space: "Anna-Liisa Korhonen", "Matti Koivu".
        group = [tokens[index]]
        while (
            index + 1 < len(tokens)
            and tokens[index + 1].start() == group[-1].end() + 1
            and text[group[-1].end()] == " "
        ):
            index += 1
            group.append(tokens[index])
        index += 1
        mentions.extend(_names_in_group(doc, group, addresses))
    return mentions


def _names_in_group(doc: Document, group: list[re.Match[str]], addresses: SpanIndex) -> Iterator[NameMention]:
    text = doc.text
    after = text[group[-1].end() : group[-1].end() + 6]
    street_follows = after[:1] == " " and after[1:].split(" ")[0].rstrip(".,") in SEPARATE_STREET_WORDS
    readings = [_reading(m.group()) for m in group]
    run: list[int] = []

    def flush() -> Iterator[NameMention]:
        if run:
            yield from _judge_run(doc, [group[i] for i in run], [readings[i] for i in run], addresses)
            run.clear()

    for i, (match, reading) in enumerate(zip(group, readings, strict=True)):
        word = match.group()
        if street_follows and i >= len(group) - 2:
            break  # "Aleksis Kiven katu": the name is part of the street's name
        lowered = word.casefold()
        if lowered.endswith(STREET_SUFFIXES) and not (reading.first or reading.surname):
            yield from flush()
            continue
        is_name = reading.first or reading.surname
        if not is_name and run and readings[run[-1]].first and not reading.common:
            # Right after a first name, a word Voikko does not know (Grönqvist) or knows only as a
            # place (Nieminen) is a surname.
            is_name = not reading.known or reading.place
        if is_name:
            run.append(i)
        else:
            yield from flush()
    yield from flush()


def _judge_run(
    doc: Document, run: list[re.Match[str]], readings: list[WordReading], addresses: SpanIndex
) -> Iterator[NameMention]:
    text = doc.text
    start, end = run[0].start(), run[-1].end()
    if addresses.containing(start, end):
        return
    if len(run) == 1:
        reading = readings[0]
        sentence_start = _at_sentence_start(text, start)
        if reading.place and not reading.first:
            return  # Marin, Lahti alone: a place rather than a person
        coordinated = reading.first and COORDINATION.match(text, end) is not None
        if reading.common and (
            sentence_start and not coordinated or not reading.surname and not reading.first
        ):
            return  # "Koivu kaatui", "Tuuli yltyy": an ordinary word at the start of a sentence
        if reading.place and sentence_start:
            return
    elif not any(r.first for r in readings) and all(r.common or r.place for r in readings):
        return
    yield NameMention(start, end, _is_public(doc.contacts, run, readings))


def _is_public(contacts: PublicContacts, run: list[re.Match[str]], readings: list[WordReading]) -> bool:
    if not contacts.names:
        return False
    full, parts = _public_name_keys(contacts)
    surface = text_key(" ".join(m.group() for m in run))
    base = " ".join(r.baseform.casefold() for r in readings)
    if surface in full or base in full:
        return True
    return len(run) == 1 and (surface in parts or base in parts)


@register
class PersonNameCheck(TextCheck):
    """Names of private persons, Finnish and Swedish, in any inflected form.

    Data Protection Act 1050/2018; GDPR art. 4(1) and 5(1)(c): a name is personal data, and a
    post about a work matter must not name the people it concerns. The organization's public
    officials (PublicContacts.names) are not findings.
    """

    kind = "PERSON"
    severity = Severity.WARN
    message = gettext_noop("The text names a person.")
    suggestion = gettext_noop(
        "Check that the person has agreed to be named. Remove the name if the matter concerns "
        "their private life or a case handled at work."
    )

    def findings(self, doc: Document) -> Iterator[Hit]:
        for mention in name_mentions(doc):
            if not mention.public:
                yield self.finding((mention.start, mention.end))
