"""Special categories and secrets: health, social welfare clients, confidentiality markings.

Health and social-welfare words are findings only when the same sentence ties them to a
person: a name, a pronoun (hän, hon, minulla), or a person noun in the singular or with a
possessive suffix (naapurini, poikani, asiakkaamme, min son). "Influenssarokotukset alkavat"
names nobody and is not a finding; "naapurini on sairaalassa" is. Sentences that give generic
advice ("Jos lapsellasi on kuumetta...") do not count: a conditional with no name is advice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from .contact import address_index
from .engine import Document, Hit, Severity, SpanIndex, TextCheck, register
from .i18n import gettext_noop
from .names import _analyzer, _voikko_lock, name_index


def _trie_pattern(words: list[str]) -> str:
    """One regex for many stems, factored by common prefixes: "sairaala|sairas" -> "saira(?:ala|s)".

    A flat alternation of a hundred stems is tried alternative by alternative at every position;
    the factored form decides on one character at a time. Longer alternatives come first.
    """
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        ends_here = "" in node
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends_here:
            body = f"(?:{body})?" if len(branches) > 1 or len(body) > 1 else f"{body}?"
        return body

    return build(trie)


def _stems(*stems: str) -> re.Pattern[str]:
    return re.compile(_trie_pattern(list(stems)))


# Stems matched anywhere inside a word, so compounds count too (rintasyöpä, keskussairaala).
HEALTH_STEMS = _stems(
    # Finnish
    "syöpä",
    "syövä",
    "syöpää",
    "diabet",
    "sairaala",
    "sairas",
    "sairau",
    "sairaana",
    "masennu",
    "masentu",
    "dement",
    "alzheimer",
    "parkinson",
    "psykoo",
    "psykiatr",
    "mielenterv",
    "skitsofren",
    "kaksisuuntai",
    "bipolaar",
    "ahdistunei",
    "paniikkihäiri",
    "syömishäiri",
    "anoreks",
    "bulimi",
    "autis",
    "adhd",
    "kehitysvamm",
    "vammai",
    "halvaantu",
    "halvau",
    "infarkt",
    "sydänkohtau",
    "aivoverenvuo",
    "epilepsi",
    "astma",
    "allergi",
    "keliaki",
    "reuma",
    "ms-tau",
    "als-tau",
    "hiv-positiivi",
    "aids",
    "hepatiit",
    "tuberkuloo",
    "korona",
    "covid",
    "influenssa",
    "flunssa",
    "lääkity",
    "lääkke",
    "lääkettä",
    "insuliini",
    "kemoterapi",
    "solunsalpaa",
    "sädehoi",
    "dialyy",
    "terapia",
    "terapiass",
    "raskaana",
    "raskau",
    "keskenmen",
    "alkoholis",
    "alkoholiongel",
    "huumeriippu",
    "riippuvuu",
    "addikt",
    "narkomaan",
    "päihdeongel",
    "itsemurh",
    "itsetuho",
    "päivystyk",
    "päivystykse",
    "teho-osasto",
    "tehohoi",
    "diagnoo",
    "diagnosoi",
    "uupumu",
    "loppuunpala",
    "burnout",
    "näkövamm",
    "kuulovamm",
    "sokea",
    "kuuro",
    "muistisair",
    "aivoinfarkt",
    "leukemi",
    "migreen",
    "kasvain",
    "etäpesäk",
    "vammautu",
    "sairastu",
    "sairast",
    # Swedish
    "sjukhus",
    "sjukskriv",
    "sjukled",
    "sjukdom",
    "insjukn",
    "cancer",
    "depression",
    "deprimerad",
    "demens",
    "schizofren",
    "psykos",
    "psykisk ohälsa",
    "epilepsi",
    "stroke",
    "diagnos",
    "medicinera",
    "mediciner",
    "insulin",
    "cellgift",
    "strålbehandl",
    "dialys",
    "gravid",
    "missfall",
    "alkoholist",
    "drogberoend",
    "alkoholberoend",
    "självmord",
    "utbränd",
    "utmattningssyndrom",
    "intensivvård",
    "influensa",
    "corona",
    "sjuk",
)
# Words that contain a stem but mean something else.
HEALTH_NOT = re.compile(
    r"sairaanhoit|sjukskötar|sjukvårdare|sairaalaparkki|raskauttav|"
    r"terapiaratsastu|sairastuvu|lääkekaappi|sjukhusparkering|sjukvård$|rokot|vaccin|vaksin"
)
# Short stems that count only as these whole words ("sjukskötare" is a nurse).
HEALTH_EXACT_ONLY = frozenset({"sjuk", "sokea", "kuuro", "aids"})
HEALTH_EXACT_WORDS = frozenset({"sjuk", "sjuka", "sokea", "sokeana", "kuuro", "kuurona", "aids"})
# Words naming a place of care: an official named beside them is at work, not a patient.
INSTITUTION_STEMS = frozenset(
    {
        "sairaala",
        "päivystyk",
        "päivystykse",
        "terapia",
        "terapiass",
        "teho-osasto",
        "tehohoi",
        "psykiatr",
        "sjukhus",
        "intensivvård",
    }
)

SOCIAL_STEMS = _stems(
    # Finnish
    "lastensuojel",
    "huostaan",
    "sijaishuol",
    "sijaisperhe",
    "toimeentulotu",
    "perhetyö",
    "sosiaalityönt",
    "sosiaalitoim",
    "sosiaalihuol",
    "sosiaalipalvel",
    "sossu",
    "lastenvalvo",
    "turvakod",
    "turvakoti",
    "päihdehuol",
    "päihdepalvel",
    "asumispalvel",
    "palveluasu",
    "kotihoid",
    "kotihoito",
    "omaishoi",
    "vammaispalvel",
    "kehitysvammahuol",
    "aikuissosiaali",
    "jälkihuol",
    "avohuol",
    "velkaneuvon",
    "kuljetuspalvel",
    "sosiaaliasiamie",
    "perhekod",
    "perhekoti",
    "lastenkod",
    "lastenkoti",
    "sosiaaliohjaa",
    "sosiaalityö",
    "kriisiperhe",
    # Swedish
    "barnskydd",
    "omhändert",
    "familjehem",
    "fosterhem",
    "socialtjänst",
    "socialbyrå",
    "socialarbet",
    "socialvård",
    "socialhandlägg",
    "utkomststöd",
    "hemvård",
    "hemtjänst",
    "serviceboend",
    "missbrukarvård",
    "skyddshem",
    "närståendevård",
    "handikappservice",
    "färdtjänst",
    "socialhandledar",
    "skuldrådgivning",
)

WORD = re.compile(r"\w[\w-]{0,60}+")

# Pronouns and person nouns that tie a sensitive word to someone. Second person is left out:
# "jos sinulla on oireita" is advice to the reader, not news about them.
FI_PRONOUNS = frozenset(
    [
        "hän",
        "hänen",
        "häntä",
        "hänet",
        "hänellä",
        "hänelle",
        "häneltä",
        "hänestä",
        "häneen",
        "hänessä",
        "hänkin",
        "hänelläkin",
        "he",
        "heidän",
        "heitä",
        "heidät",
        "heillä",
        "heille",
        "heiltä",
        "minä",
        "minun",
        "minua",
        "minut",
        "minulla",
        "minulle",
        "minulta",
        "minusta",
        "minussa",
        "mulla",
        "mulle",
        "multa",
        "mua",
        "mun",
        "mä",
        "mie",
        "miul",
        "miulla",
    ]
)
SV_PRONOUNS = frozenset(
    [
        "han",
        "hon",
        "hans",
        "hennes",
        "honom",
        "henne",
        "jag",
        "mig",
        "mitt",
        "mina",
        "min",
        "vår",
        "vårt",
        "våra",
        "hen",
        "hens",
    ]
)
FI_PERSON_NOUNS = frozenset(
    [
        "poika",
        "tytär",
        "lapsi",
        "äiti",
        "isä",
        "vaimo",
        "mies",
        "aviomies",
        "puoliso",
        "avopuoliso",
        "avomies",
        "avovaimo",
        "veli",
        "sisko",
        "sisar",
        "naapuri",
        "ystävä",
        "kaveri",
        "työkaveri",
        "kollega",
        "työtoveri",
        "esimies",
        "esihenkilö",
        "isoäiti",
        "isoisä",
        "mummo",
        "mummu",
        "ukki",
        "vaari",
        "pappa",
        "täti",
        "setä",
        "eno",
        "serkku",
        "anoppi",
        "appi",
        "vävy",
        "miniä",
        "asiakas",
        "potilas",
        "oppilas",
        "vanhus",
        "lapsenlapsi",
        "tyttöystävä",
        "poikaystävä",
        "henkilö",
        "työntekijä",
        "nainen",
        "tyttö",
        "poikanen",
        "vauva",
        "perhe",
        "koululainen",
        "opiskelija",
        "asukas",
        "kuntalainen",
        "vanhempi",
        "omainen",
        "läheinen",
    ]
)
SV_PERSON_WORDS = frozenset(
    [
        "son",
        "sonen",
        "dotter",
        "dottern",
        "barnet",
        "mamma",
        "mamman",
        "pappa",
        "pappan",
        "mor",
        "far",
        "fru",
        "frun",
        "maken",
        "make",
        "grannen",
        "granne",
        "vän",
        "vännen",
        "väninnan",
        "kollega",
        "kollegan",
        "patienten",
        "klienten",
        "eleven",
        "kunden",
        "morfar",
        "mormor",
        "farfar",
        "farmor",
        "syster",
        "systern",
        "bror",
        "brodern",
        "brorsan",
        "kvinnan",
        "mannen",
        "flickan",
        "pojken",
        "personen",
        "familjen",
        "föräldern",
    ]
)
CONDITIONAL = frozenset({"jos", "mikäli", "om", "ifall", "if"})
SENTENCE_BREAK = re.compile(r"[.!?\n]\s|\n")


@lru_cache(maxsize=50_000)
def _is_person_word(lowered: str) -> bool:
    if lowered in FI_PRONOUNS or lowered in SV_PRONOUNS or lowered in SV_PERSON_WORDS:
        return True
    voikko = _analyzer()
    if voikko is None:
        return lowered in FI_PERSON_NOUNS
    with _voikko_lock:
        analyses = voikko.analyze(lowered)  # type: ignore[attr-defined]
    for analysis in analyses:
        if analysis.get("BASEFORM") in FI_PERSON_NOUNS:
            possessive = analysis.get("POSSESSIVE")
            if possessive in ("1s", "1p", "3"):
                return True
            if possessive is None and analysis.get("NUMBER") == "singular":
                return True
        if analysis.get("CLASS") == "asemosana" and analysis.get("BASEFORM") in ("hän", "minä", "he"):
            return True
    return False


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    window_start = max(0, start - 300)
    begin = window_start
    for match in SENTENCE_BREAK.finditer(text, window_start, start):
        begin = match.end()
    found = SENTENCE_BREAK.search(text, end, min(len(text), end + 300))
    return begin, (found.start() + 1 if found else min(len(text), end + 300))


class _PersonWords:
    """Positions of the person words and conditionals in a text, found in one pass."""

    def __init__(self, doc: Document) -> None:
        persons, conditionals = [], []
        for match in WORD.finditer(doc.text):
            lowered = match.group().casefold()
            if lowered in CONDITIONAL:
                conditionals.append((match.start(), match.end()))
            elif _is_person_word(lowered):
                persons.append((match.start(), match.end()))
        self.persons = SpanIndex(persons)
        self.conditionals = SpanIndex(conditionals)


def _tied_to_person(doc: Document, start: int, end: int, public_names_count: bool = True) -> bool:
    begin, finish = _sentence(doc.text, start, end)
    if name_index(doc, public=public_names_count).first_within(begin, finish) is not None:
        return True
    words: _PersonWords = doc.shared("person_words", _PersonWords)
    if words.conditionals.first_within(begin, finish) is not None:
        return False
    index = words.persons.first_within(begin, finish)
    while index is not None and index < len(words.persons.starts) and words.persons.starts[index] < finish:
        if words.persons.starts[index] != start and words.persons.ends[index] <= finish:
            return True  # the sensitive word itself does not count ("potilas" in "potilasta")
        index += 1
    return False


def _term_hits(
    doc: Document, stems: re.Pattern[str], exclude: re.Pattern[str] | None
) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, word, stem) for each word containing a stem; cheap when there is none."""
    text = doc.text
    if stems.search(text.lower()) is None:
        return
    addresses = address_index(doc)
    for match in WORD.finditer(text):
        if addresses.overlapping(match.start(), match.start() + 1):
            continue  # Sairaalantie 5 is an address, not a hospital stay
        word = match.group().lower()
        found = stems.search(word)
        if found is None:
            continue
        if exclude is not None and exclude.search(word):
            continue
        if found.group() in HEALTH_EXACT_ONLY and word not in HEALTH_EXACT_WORDS:
            continue
        yield match.start(), match.end(), match.group(), found.group()


@register
class HealthInformationCheck(TextCheck):
    """Health information about a person: illnesses, diagnoses, medication, hospital stays.

    GDPR art. 9 (special categories) and Data Protection Act 1050/2018 section 6; the Act on
    the Openness of Government Activities 621/1999, section 24(1)(25). A block: no stated
    reason makes publishing someone's health lawful, so a warning would only invite overrides.
    """

    kind = "HEALTH"
    severity = Severity.BLOCK
    message = gettext_noop('The text ties health information ("%(value)s") to a person.')
    suggestion = gettext_noop(
        "Remove the health information or anything that identifies the person. Health data is a "
        "special category of personal data and must not be published."
    )

    def findings(self, doc: Document) -> Iterator[Hit]:
        for start, end, word, stem in _term_hits(doc, HEALTH_STEMS, HEALTH_NOT):
            if _tied_to_person(doc, start, end, public_names_count=stem not in INSTITUTION_STEMS):
                yield self.finding((start, end), value=word)


@register
class SocialWelfareCheck(TextCheck):
    """A person's client relationship with social services or child welfare.

    Secret by law: Act on the Status and Rights of Social Welfare Clients 812/2000 section 14,
    Child Welfare Act 417/2007 section 25, Act on the Openness of Government Activities 621/1999
    section 24(1)(25).
    """

    kind = "SOCIAL_WELFARE"
    severity = Severity.BLOCK
    message = gettext_noop(
        'The text ties a social welfare or child welfare matter ("%(value)s") to a person.'
    )
    suggestion = gettext_noop(
        "Remove the reference to the person's social welfare matter. Client relationships with "
        "social services and child welfare are secret by law."
    )

    def findings(self, doc: Document) -> Iterator[Hit]:
        for start, end, word, _stem in _term_hits(doc, SOCIAL_STEMS, None):
            if _tied_to_person(doc, start, end):
                yield self.finding((start, end), value=word)


CONFIDENTIAL = re.compile(
    r"(?i)(?<!\w)(?:"
    r"salassa ?pid(?:ettäv|etään|etty|ettiin|ettävä)\w{0,6}+"
    r"|salassapidettäv\w{0,6}+"
    r"|salassapidon alai\w{0,6}+"
    r"|luottamuksellis\w{0,8}+"
    r"|luottamuksellinen"
    r"|ei-julki\w{0,6}+|ei julkinen|ei ole julkinen|eivät ole julkisia"
    r"|(?:julkl\.?|julkisuuslai\w{0,4}+|offentlighetslag\w{0,4}+) ?24(?:\.\d{1,2})? ?§(?::\w{1,3}+)?"
    r"|(?:vain )?sisäiseen käyttöön|(?:endast )?för internt bruk"
    r"|sekretessbelag\w{0,4}+|omfattas av sekretess|sekretess enligt"
    r"|konfidentiell\w{0,4}+|(?:ej|icke)[ -]offentlig\w{0,4}+"
    r")(?!\w)"
)
NOT_CONFIDENTIAL_AFTER = re.compile(
    r"(?i) (?:keskustel|apu|apua|tuk|neuvon|palvel|kohtaam|ilmapiir|suhte|suhde|yhteisty|ohjau|tapaam)"
)


@register
class ConfidentialityMarkingCheck(TextCheck):
    """Confidentiality markings and references copied from documents.

    Act on the Openness of Government Activities 621/1999 sections 22-24 and the guideline
    rule EMP-CONFIDENTIAL. "Luottamuksellisesti" and "luottamuksellista keskusteluapua"
    describe a service, not a document, and are left alone; so is the duty of secrecy
    (salassapitovelvollisuus, tystnadsplikt) given as the reason for not commenting.
    """

    kind = "CONFIDENTIAL"
    severity = Severity.BLOCK
    message = gettext_noop('The text contains a confidentiality marking or reference: "%(value)s".')
    suggestion = gettext_noop(
        "Do not publish material marked confidential, or anything taken from it. Ask the "
        "document's owner what may be said in public."
    )

    def findings(self, doc: Document) -> Iterator[Hit]:
        text = doc.text
        for match in CONFIDENTIAL.finditer(text):
            word = match.group()
            lowered = word.casefold()
            describes_a_service = lowered.endswith("sesti") or NOT_CONFIDENTIAL_AFTER.match(text, match.end())
            if lowered.startswith("luottamuksellis") and describes_a_service:
                continue
            yield self.finding(match.span(), value=word)
