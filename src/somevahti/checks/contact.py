"""Contact data of private persons: phone numbers, e-mail addresses and street addresses.

The organization's own published contact data (PublicContacts) is never a finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from .engine import (
    Document,
    Hit,
    PublicContacts,
    Severity,
    SpanIndex,
    TextCheck,
    phone_key,
    register,
    text_key,
)
from .i18n import gettext_noop
from .identifiers import business_id_spans

# --- phone numbers -------------------------------------------------------------------------------

PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00) ?358[ -]?(?:\(0\)[ -]?)?\d{1,3}(?:[ -]?\d){4,9}"  # +358 40 123 4567
    r"|\+(?!358)[1-9]\d{0,2}[ -]?(?:\(0\)[ -]?)?\d{1,4}(?:[ -]?\d){4,10}"  # +46 70 123 45 67
    r"|\(0\d{1,3}\)[ -]?\d(?:[ -]?\d){4,8}"  # (09) 123 4567
    r"|0\d{1,3}(?:[ -]?\d){4,9}"  # 040 123 4567, 017-123 4567
    r")(?![\d])"
)
MOBILE_PREFIXES = ("040", "041", "042", "043", "044", "045", "046", "049", "050")
# Area codes 02-09 and 013-019. Service and business numbers (010, 020, 029, 030, 0100, 0800...)
# belong to organizations, not persons, and are left alone.
AREA_CODES = ("013", "014", "015", "016", "017", "018", "019", "02", "03", "05", "06", "08", "09")
REFERENCE_CONTEXT = re.compile(
    r"(?i)(?:viite\w*|tilaus\w*|asiakasnu\w*|asiakasnro|lasku\w*|dnro|diaari\w*|tunnus|"
    r"tapausnu\w*|referens\w*|order\w*|kundnummer|ärende\w*|faktura\w*|y-tunnus|"
    r"sarjanumero|tuotenumero|tilinumero|kontonummer|nro|nr|no)\.?:?\s{0,3}(?:on\s)?$"
)


def _national_digits(candidate: str) -> str:
    return phone_key(candidate)


SERVICE_PREFIXES = (
    "010",
    "020",
    "029",
    "030",
    "039",
    "060",
    "070",
    "071",
    "073",
    "075",
    "080",
    "0100",
    "0200",
    "0600",
    "0700",
    "0800",
)


def is_person_phone(candidate: str) -> bool:
    """Whether the digits have the shape of a Finnish or foreign subscriber number."""
    if re.fullmatch(r"\d{7}-\d", candidate):
        return False  # a business ID's shape, never a phone number
    digits = _national_digits(candidate)
    if digits.startswith(SERVICE_PREFIXES):
        return False
    if digits.startswith("00"):  # foreign number: country code plus subscriber number
        return 9 <= len(digits) <= 17
    if digits.startswith(MOBILE_PREFIXES):
        return 9 <= len(digits) <= 11
    if digits.startswith(AREA_CODES):
        return 8 <= len(digits) <= 11
    return False


@register
class PhoneNumberCheck(TextCheck):
    """Phone numbers of private persons.

    Data Protection Act 1050/2018; GDPR art. 5(1)(c). The organization's own numbers
    (switchboard, service lines, officials' published numbers) are PublicContacts.
    """

    kind = "PHONE"
    severity = Severity.WARN
    message = gettext_noop("The text contains a phone number.")
    suggestion = gettext_noop(
        "Remove the phone number, or use the organization's public service number instead."
    )

    def findings(self, doc: Document) -> Iterator[Hit]:
        text = doc.text
        excluded = SpanIndex(business_id_spans(doc))
        for match in PHONE.finditer(text):
            candidate = match.group()
            if not is_person_phone(candidate) or doc.contacts.has_phone(candidate):
                continue
            if excluded.overlapping(match.start(), match.end()):
                continue
            if REFERENCE_CONTEXT.search(text, max(0, match.start() - 24), match.start()):
                continue
            yield self.finding(match.span())


# --- e-mail addresses ----------------------------------------------------------------------------

EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]{1,64}+@[\w-]{1,63}+(?:\.[\w-]{1,63}+){1,6}+")
PLACEHOLDER_LOCAL_PARTS = frozenset(
    {
        "etunimi.sukunimi",
        "etunimi_sukunimi",
        "förnamn.efternamn",
        "fornamn.efternamn",
        "firstname.lastname",
        "first.last",
        "nimi",
        "namn",
        "name",
    }
)


@register
class EmailAddressCheck(TextCheck):
    """E-mail addresses of private persons. Data Protection Act 1050/2018; GDPR art. 5(1)(c)."""

    kind = "EMAIL"
    severity = Severity.WARN
    message = gettext_noop("The text contains an e-mail address.")
    suggestion = gettext_noop(
        "Remove the e-mail address, or use the organization's public functional mailbox instead."
    )

    def findings(self, doc: Document) -> Iterator[Hit]:
        for match in EMAIL.finditer(doc.text):
            address = match.group().strip(".")
            domain_head, _, top_level = address.rpartition(".")
            if "-" in top_level:  # "matti@example.com-osoitteesta": a Finnish case ending follows
                address = f"{domain_head}.{top_level.split('-', 1)[0]}"
            local = address.split("@", 1)[0].casefold()
            if local in PLACEHOLDER_LOCAL_PARTS or doc.contacts.has_email(address):
                continue
            start = match.start() + (len(match.group()) - len(match.group().lstrip(".")))
            yield self.finding((start, start + len(address)))


# --- street addresses ----------------------------------------------------------------------------

_FI_SUFFIXES = (
    "katu",
    "tie",
    "kuja",
    "polku",
    "väylä",
    "raitti",
    "kaari",
    "rinne",
    "tori",
    "aukio",
    "kierto",
    "kaarre",
    "piha",
    "puistikko",
    "bulevardi",
    "esplanadi",
    "ranta",
    "mäki",
    "kallio",
    "niitty",
    "pelto",
    "vainio",
    "harju",
    "kumpu",
    "laakso",
    "tanhua",
    "penger",
    "kaista",
    "ahde",
    "kenttä",
)
_SV_SUFFIXES = (
    "gatan",
    "vägen",
    "gränden",
    "gränd",
    "stigen",
    "backen",
    "allén",
    "torget",
    "stranden",
    "gången",
    "kajen",
    "plan",
    "gata",
    "väg",
    "strand",
    "slingan",
    "bågen",
)
STREET_SUFFIXES = _FI_SUFFIXES + _SV_SUFFIXES
# "Aleksis Kiven katu", "Stora Strand gata": the street word standing on its own.
SEPARATE_STREET_WORDS = frozenset({"katu", "tie", "kuja", "polku", "gata", "väg", "gatan", "vägen"})
PREFIX_WORDS = frozenset(
    [
        "Vanha",
        "Uusi",
        "Pohjoinen",
        "Eteläinen",
        "Itäinen",
        "Läntinen",
        "Iso",
        "Pieni",
        "Ylä",
        "Ala",
        "Stora",
        "Lilla",
        "Norra",
        "Södra",
        "Östra",
        "Västra",
        "Gamla",
        "Nya",
    ]
)
# The street part is cheap to reject: each word is taken whole (possessive), and the house
# number must follow at once. Which words really make a street is decided in Python.
ADDRESS = re.compile(
    r"(?<![\w-])(?P<street>(?:[A-ZÅÄÖ][a-zåäöéü]{1,30}+ ){0,2}[A-ZÅÄÖa-zåäöéü][a-zåäöéü-]{1,45}+)"
    r" (?P<number>\d{1,4}[a-zA-Z]?(?: ?- ?\d{1,4}[a-zA-Z]?)?"  # 12, 12a, 14-16
    r"(?: (?:[A-H]|[a-h](?= \d)|as\.?|bst\.?|lh\.?|lgh\.?)(?: ?\d{1,3})?(?!\w))?)"  # B 34, as. 3
    r"(?P<town>,? \d{5} [A-ZÅÄÖ][a-zåäö]+(?:-[A-ZÅÄÖ]?[a-zåäö]+)?)?"  # 79600 Joroinen
    r"(?!\w|[.,]\d)"
)
# Road numbers are not addresses: "Valtatie 5", "Kantatie 72", "riksväg 8".
ROADS = ("valtatie", "kantatie", "seututie", "yhdystie", "moottoritie", "maantie", "riksväg", "stamväg")


def _street_start(words: list[str]) -> int | None:
    """Index of the first word of the street name in ``words``, or None if it is no street."""
    last = words[-1]
    if last in SEPARATE_STREET_WORDS and len(words) >= 2 and words[-2][0].isupper():
        return 0
    lowered = last.casefold()
    if not last[0].isupper() or lowered.endswith(ROADS):
        return None
    suffix = next((s for s in STREET_SUFFIXES if lowered.endswith(s)), None)
    if suffix is None or len(lowered) - len(suffix) < 2:
        return None
    first = len(words) - 1
    while first > 0 and words[first - 1] in PREFIX_WORDS:
        first -= 1
    return first


@lru_cache(maxsize=64)
def _contact_street_keys(contacts: PublicContacts) -> frozenset[str]:
    """Each public address also as its street part: "Kauppakatu 5, 79600 Joroinen" -> "kauppakatu 5"."""
    keys = set(contacts.addresses)
    for address in contacts.addresses:
        keys.add(text_key(re.split(r",|\s\d{5}\s", address, maxsplit=1)[0]))
    return frozenset(keys)


def address_spans(doc: Document) -> list[tuple[int, int, bool]]:
    """Street addresses as (start, end, is_public); shared with the name check."""

    def compute(doc: Document) -> list[tuple[int, int, bool]]:
        spans = []
        public_keys = _contact_street_keys(doc.contacts) if doc.contacts.addresses else frozenset()
        for match in ADDRESS.finditer(doc.text):
            words = match.group("street").split(" ")
            first = _street_start(words)
            if first is None:
                continue
            street = " ".join(words[first:])
            start = match.end("street") - len(street)
            street_and_number = f"{street} {match.group('number')}"
            public = (
                text_key(street_and_number) in public_keys
                or text_key(doc.text[start : match.end()]) in public_keys
            )
            spans.append((start, match.end(), public))
        return spans

    return doc.shared("addresses", compute)


def address_index(doc: Document) -> SpanIndex:
    return doc.shared("address_index", lambda d: SpanIndex((s, e) for s, e, _ in address_spans(d)))


@register
class StreetAddressCheck(TextCheck):
    """Street addresses with a house number, which point to a home.

    Data Protection Act 1050/2018; GDPR art. 5(1)(c). Street names alone ("Kauppakatu is
    closed") are not findings, nor are the organization's own public addresses.
    """

    kind = "ADDRESS"
    severity = Severity.WARN
    message = gettext_noop("The text contains a street address.")
    suggestion = gettext_noop(
        "Remove the house number and the rest of the address if it may be someone's home."
    )

    def findings(self, doc: Document) -> Iterator[Hit]:
        for start, end, public in address_spans(doc):
            if not public:
                yield self.finding((start, end))
