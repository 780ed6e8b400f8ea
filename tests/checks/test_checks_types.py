"""What each content check finds, and what it leaves alone."""

from __future__ import annotations

import pytest

from somevahti.checks import ContactsError, Finding, PublicContacts, Severity, check_text


def found(text: str, contacts: PublicContacts | None = None, lang: str = "fi") -> list[tuple[str, str]]:
    return [(f.type, text[f.start : f.end]) for f in check_text(text, lang=lang, contacts=contacts)]


CONTACTS = PublicContacts.from_json(
    {
        "phones": ["017 579 1000", "+358 40 579 2000"],
        "emails": ["Kirjaamo@Joroinen.fi"],
        "addresses": ["Kauppakatu 5, 79600 Joroinen"],
        "names": ["Raimo Sulkava", "Helena  Pesonen"],
    }
)


# --- identity codes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "131052-308T",
        "131052+308T",
        "131052A308T",
        "131052B308T",
        "131052F308T",
        "131052U308T",
        "131052Y308T",
        "131052a308t",
        "131052 - 308T",
        "131052 -308T",
        "131052– 308T",
    ],
)
def test_identity_code__found_with_every_century_sign_case_and_spacing(code: str) -> None:
    assert found(f"Tunnus {code} lomakkeella.") == [("FI_HETU", code)]


def test_identity_code__with_wrong_check_character_is_not_a_finding() -> None:
    assert found("Tunnus 131052-308U lomakkeella.") == []


def test_identity_code__found_with_zero_width_space_inside() -> None:
    text = "hetu 131052\u200b-308T tässä"
    findings = check_text(text)
    assert [(f.type, f.severity) for f in findings] == [("FI_HETU", Severity.BLOCK)]
    assert text[findings[0].start : findings[0].end] == "131052\u200b-308T"


def test_identity_code__found_when_every_character_is_separated_by_invisible_marks() -> None:
    hidden = "\u200c".join("131052-308T") + "\u00ad"
    text = f"\u202bKoodi: {hidden}\u202c"
    (finding,) = check_text(text)
    assert text[finding.start : finding.end] == "\u200c".join("131052-308T")


def test_identity_code__found_in_full_width_digits() -> None:
    text = "Ｈｅｔｕ １３１０５２－３０８Ｔ"
    assert found(text) == [("FI_HETU", "１３１０５２－３０８Ｔ")]


def test_identity_code__temporary_code_counts_too() -> None:
    assert found("Väliaikainen 010170-999R") == [("FI_HETU", "010170-999R")]


# --- phones, e-mail, IBAN, plates ----------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "040 123 4567",
        "0401234567",
        "040-1234567",
        "044 123 45 67",
        "+358 40 123 4567",
        "+358401234567",
        "+358 (0)40 123 4567",
        "(09) 310 1691",
        "017 123 4567",
        "(017) 123 456",
        "+46 70 123 45 67",
    ],
)
def test_phone__found_in_finnish_and_international_formats(number: str) -> None:
    assert found(f"Soita {number} iltaisin.") == [("PHONE", number)]


@pytest.mark.parametrize(
    "text",
    [
        "Y-tunnus 0164500-3.",
        "Päivämäärä 12.3.2024 klo 10-12.",
        "Viitenumero 0401234567 123",
        "Tilausnumero 040123456.",
        "Palvelunumero 0800 123 456.",
        "Hinta 0,50 €, 1 200 kpl.",
        "Vuosi 2024, puhelinaika 9–11.",
        "Vaihde 017 579 1000.",
        "Vaihde +358 17 579 1000.",
    ],
)
def test_phone__not_found_in_business_ids_dates_references_and_public_numbers(text: str) -> None:
    assert [t for t, _ in found(text, CONTACTS)] == []


def test_email__found_unless_public_or_a_placeholder() -> None:
    text = "Kirjoita matti.virtanen@example.fi, kirjaamo@joroinen.fi tai etunimi.sukunimi@joroinen.fi."
    assert found(text, CONTACTS) == [("EMAIL", "matti.virtanen@example.fi")]


def test_iban__found_spaced_or_not_and_checksum_verified() -> None:
    text = "Tilit FI49 5000 9420 0287 30 ja FI4950009420028730, mutta ei FI49 5000 9420 0287 31."
    assert found(text) == [("IBAN", "FI49 5000 9420 0287 30"), ("IBAN", "FI4950009420028730")]


def test_license_plate__found_with_and_without_hyphen_but_not_abbreviations() -> None:
    text = "Autot ABC-123 ja XYZ789 sekä mopo BB-93; COVID-19, HPV-16 ja ISO 9001 eivät ole kilpiä."
    assert found(text) == [
        ("LICENSE_PLATE", "ABC-123"),
        ("LICENSE_PLATE", "XYZ789"),
        ("LICENSE_PLATE", "BB-93"),
    ]


# --- addresses and names ---------------------------------------------------------------------------


def test_address__found_with_staircase_flat_postal_code_and_town() -> None:
    text = "Asun osoitteessa Harjutie 7 B 12, 79600 Joroinen nykyään."
    assert found(text) == [("ADDRESS", "Harjutie 7 B 12, 79600 Joroinen")]


def test_address__swedish_street_is_found() -> None:
    assert found("Skicka till Skolgatan 4 B, 06100 Borgå.") == [("ADDRESS", "Skolgatan 4 B, 06100 Borgå")]


@pytest.mark.parametrize(
    "text",
    [
        "Annankatu on suljettu.",
        "Valtatie 5 on poikki.",
        "Kunnantalo, Kauppakatu 5, 79600 Joroinen.",
        "Kauppakatu 5:ssä on kunnantalo.",
    ],
)
def test_address__street_without_number_roads_and_public_addresses_are_not_findings(text: str) -> None:
    assert [t for t, _ in found(text, CONTACTS) if t == "ADDRESS"] == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Annoin paketin Virtaselle.", "Virtaselle"),
        ("Puhuin Annen kanssa.", "Annen"),
        ("Kiitos Anna-Liisa Korhoselle!", "Anna-Liisa Korhoselle"),
        ("Tack till Karin Lindholm!", "Karin Lindholm"),
        ("Tack för Ebbas kakor!", "Ebbas"),
        ("Paikalla oli Sanna Marin.", "Sanna Marin"),
    ],
)
def test_person__finnish_and_swedish_names_are_found_in_inflected_forms(text: str, name: str) -> None:
    assert found(text) == [("PERSON", name)]


@pytest.mark.parametrize(
    "text",
    [
        "Joroinen, Varkaus ja Kuopio tekevät yhteistyötä.",
        "Joroisten ja Varkauden raja.",
        "Annankadulla on remontti.",
        "Koivu kaatui tielle.",
        "Tuuli yltyy illalla.",
        "Kunnanjohtaja Raimo Sulkava avasi koulun.",
        "Kunnanjohtaja Sulkavalle voi antaa palautetta.",
        "Sivistysjohtaja Helena Pesonen kiitti.",
    ],
)
def test_person__places_ordinary_words_street_names_and_public_officials_are_not_findings(text: str) -> None:
    assert found(text, CONTACTS) == []


# --- special categories and confidentiality ----------------------------------------------------------


def test_health__found_when_tied_to_a_person() -> None:
    text = "Naapurini on sairaalassa ja hänellä on diabetes."
    assert found(text) == [("HEALTH", "sairaalassa"), ("HEALTH", "diabetes")]
    assert {f.severity for f in check_text(text)} == {Severity.BLOCK}


@pytest.mark.parametrize(
    "text",
    [
        "Influenssarokotukset alkavat terveysasemalla.",
        "Koronarokotuksia annetaan edelleen.",
        "Jos lapsellasi on kuumetta tai flunssan oireita, pidä hänet kotona.",
        "Muistisairauksien ehkäisy -luento kirjastolla.",
        "Sairaalantie 12 on suljettu.",
    ],
)
def test_health__not_found_without_a_person(text: str) -> None:
    assert [t for t, _ in found(text) if t == "HEALTH"] == []


def test_social_welfare__found_when_tied_to_a_person_and_blocks() -> None:
    text = "Poikani on lastensuojelun asiakas. Lastensuojelun palvelut ovat auki."
    findings = check_text(text)
    assert [(f.type, text[f.start : f.end], f.severity) for f in findings] == [
        ("SOCIAL_WELFARE", "lastensuojelun", Severity.BLOCK)
    ]


def test_social_welfare__swedish_is_found() -> None:
    assert found("Min son är klient inom barnskyddet.") == [("SOCIAL_WELFARE", "barnskyddet")]


@pytest.mark.parametrize(
    "marking",
    [
        "salassa pidettävä",
        "Salassa pidettäviä",
        "salassapidettävää",
        "LUOTTAMUKSELLINEN",
        "luottamuksellisia",
        "ei julkinen",
        "JulkL 24 §",
        "sekretessbelagd",
        "sekretessbelagda",
        "Vain sisäiseen käyttöön",
    ],
)
def test_confidential__markings_and_their_inflections_are_found(marking: str) -> None:
    assert found(f"Asiakirja: {marking}.") == [("CONFIDENTIAL", marking)]


@pytest.mark.parametrize(
    "text",
    [
        "Tarjoamme luottamuksellista keskusteluapua.",
        "Voit kertoa asiastasi luottamuksellisesti.",
        "Emme voi kommentoida salassapitovelvollisuuden vuoksi.",
        "Vi har tystnadsplikt.",
    ],
)
def test_confidential__services_and_the_duty_of_secrecy_are_not_findings(text: str) -> None:
    assert found(text) == []


# --- the API -------------------------------------------------------------------------------------------


def test_check_text__empty_text_has_no_findings() -> None:
    assert check_text("") == []


def test_check_text__findings_are_sorted_and_as_dict_has_the_public_keys() -> None:
    text = "Matti Virtanen, 131052-308T, puh. 040 123 4567."
    findings = check_text(text)
    assert findings == sorted(findings, key=lambda f: (f.start, f.end, f.type))
    assert set(findings[0].as_dict()) == {"start", "end", "type", "severity", "rule", "message", "suggestion"}
    assert all(f.rule == "EMP-CONFIDENTIAL" for f in findings)
    assert findings[1].as_dict()["severity"] == "block"


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fi", "Tekstissä on henkilötunnus."),
        ("sv", "Texten innehåller en personbeteckning."),
        ("en", "The text contains a personal identity code."),
        ("sv-FI", "Texten innehåller en personbeteckning."),
    ],
)
def test_messages__are_given_in_the_requested_language(lang: str, message: str) -> None:
    (finding,) = check_text("131052-308T", lang=lang)
    assert finding.message == message
    assert finding.suggestion


def test_messages__placeholders_are_filled_in_every_language() -> None:
    for lang in ("fi", "sv", "en"):
        (finding,) = check_text("Asiakirja on salassa pidettävä.", lang=lang)
        assert "salassa pidettävä" in finding.message and "%(" not in finding.message


def test_finding__is_frozen() -> None:
    (finding,) = check_text("131052-308T")
    with pytest.raises(AttributeError):
        finding.start = 0  # type: ignore[misc]
    assert isinstance(finding, Finding)


def test_public_contacts__phones_compare_by_digits_and_emails_without_case() -> None:
    contacts = PublicContacts.from_json({"phones": ["+358 (0)17 579 1000"], "emails": ["INFO@Example.fi"]})
    assert contacts.has_phone("017-5791000") and contacts.has_phone("00358 17 579 1000")
    assert contacts.has_email("info@example.FI")


@pytest.mark.parametrize(
    ("data", "place"),
    [
        ([], "expected an object"),
        ({"phones": "040"}, "phones: expected a list"),
        ({"phones": ["040", "041", 42]}, "phones[2]: expected a string"),
        ({"fax": []}, "fax: unknown key"),
    ],
)
def test_public_contacts__bad_data_raises_an_error_naming_the_place(data: object, place: str) -> None:
    with pytest.raises(ContactsError, match=place.replace("[", r"\[").replace("]", r"\]")):
        PublicContacts.from_json(data)
    assert issubclass(ContactsError, ValueError)
