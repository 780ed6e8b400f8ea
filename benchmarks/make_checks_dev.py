"""Write the labelled development set for the content checks: benchmarks/data/checks_dev.jsonl.

    .venv/bin/python benchmarks/make_checks_dev.py

Deterministic (fixed seed). Texts are written in a small markup, ``[[TYPE|text]]``, from which
the labels (start, end, type) are computed, so offsets are never counted by hand. Two parts:

* "generated": templates of municipal posts and citizen comments in Finnish and Swedish, filled
  with our own name and street lists and with identity codes and IBANs generated with correct
  check characters; many hard negatives (business IDs, dates, order numbers, place names that
  are also surnames, the organization's own contact data).
* "handwritten": tricky texts written one by one. They are the held-out part: the checks were
  not tuned against them.

The organization's public contact data for the benchmark is written beside it, to
benchmarks/data/checks_dev_contacts.json.

Label conventions (the checks follow the same): PERSON covers a run of name words ("Matti
Virtanen", "Virtaselle"); HEALTH and SOCIAL_WELFARE cover the one word carrying the term
("sairaalassa", "lastensuojelun"); ADDRESS covers street, house number, staircase and flat,
and a following postal code and town; PHONE covers the number as written, with "+358" or "(09)".
"""

from __future__ import annotations

import datetime
import json
import random
import re
from pathlib import Path

SEED = 20260611
OUT = Path(__file__).resolve().parent / "data"

CONTACTS = {
    "phones": ["017 579 1000", "+358 17 579 1234", "040 579 2000", "044 579 2100"],
    "emails": [
        "kirjaamo@joroinen.fi",
        "viestinta@joroinen.fi",
        "kirjasto@joroinen.fi",
        "registratur@joroinen.fi",
    ],
    "addresses": ["Kauppakatu 5, 79600 Joroinen", "Kirjastotie 3, 79600 Joroinen", "Koulutie 14"],
    "names": ["Raimo Sulkava", "Helena Pesonen", "Kaija Laitila", "Tomas Grönlund"],
}

MARK = re.compile(r"\[\[([A-Z_]+)\|(.*?)\]\]")


def parse(marked: str) -> tuple[str, list[dict[str, object]]]:
    """Turn "[[PERSON|Matti]] tuli" into the plain text and its labels."""
    text, labels, position = [], [], 0
    cursor = 0
    for match in MARK.finditer(marked):
        plain = marked[cursor : match.start()]
        text.append(plain)
        position += len(plain)
        value = match.group(2)
        labels.append({"start": position, "end": position + len(value), "type": match.group(1)})
        text.append(value)
        position += len(value)
        cursor = match.end()
    text.append(marked[cursor:])
    return "".join(text), labels


# --- identifiers with check characters ------------------------------------------------------------

HETU_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def hetu(rng: random.Random) -> str:
    year = rng.choice(
        [rng.randint(1925, 1999), rng.randint(1925, 1999), rng.randint(2000, 2023), rng.randint(1880, 1899)]
    )
    day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))
    if year < 1900:
        sign = "+"
    elif year < 2000:
        sign = rng.choice("-" * 6 + "UVWXY")
    else:
        sign = rng.choice("A" * 5 + "BCDEF")
    individual = rng.randint(2, 899)
    number = f"{day:%d%m}{year % 100:02d}{individual:03d}"
    code = f"{day:%d%m}{year % 100:02d}{sign}{individual:03d}{HETU_CHARS[int(number) % 31]}"
    style = rng.random()
    if style < 0.12:
        code = code.lower()
    elif style < 0.2:
        code = f"{code[:6]} {code[6]} {code[7:]}"
    return code


def iban(rng: random.Random) -> str:
    country, length = rng.choice([("FI", 14), ("FI", 14), ("FI", 14), ("SE", 20), ("EE", 16)])
    bban = "".join(str(rng.randint(0, 9)) for _ in range(length))
    numeric = int(bban + "".join(str(ord(c) - 55) for c in country) + "00")
    code = f"{country}{98 - numeric % 97:02d}{bban}"
    if rng.random() < 0.6:
        code = " ".join(code[i : i + 4] for i in range(0, len(code), 4))
    return code


def business_id(rng: random.Random) -> str:
    while True:
        body = f"{rng.randint(0, 3_299_999):07d}"
        total = sum(int(d) * w for d, w in zip(body, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
        if total != 1:
            return f"{body}-{0 if total == 0 else 11 - total}"


def phone(rng: random.Random) -> str:
    prefix = rng.choice(["040", "044", "045", "050", "041", "046"])
    rest = f"{rng.randint(1000000, 9999999)}"
    return rng.choice(
        [
            f"{prefix} {rest[:3]} {rest[3:]}",
            f"{prefix}{rest}",
            f"{prefix}-{rest}",
            f"{prefix} {rest[:3]} {rest[3:5]} {rest[5:]}",
            f"+358 {prefix[1:]} {rest[:3]} {rest[3:]}",
            f"+358{prefix[1:]}{rest}",
            f"017 {rest[:3]} {rest[3:]}",
            f"(09) {rest[:3]} {rest[3:]}",
            f"(017) {rest[:3]} {rest[3:6]}",
            f"015 {rest[:3]} {rest[3:6]}",
        ]
    )


def plate(rng: random.Random) -> str:
    letters = "".join(rng.choice("ABCEFGHIJKLMNOPRSTUVXYZ") for _ in range(3))
    if rng.random() < 0.15:
        return f"{letters}{rng.randint(100, 999)}"
    return f"{letters[: rng.choice([2, 3, 3, 3])]}-{rng.randint(1, 999)}"


ASCII = str.maketrans("äöåéÄÖÅ", "aoaeAOA")

# --- names ----------------------------------------------------------------------------------------

FI_FIRST = [
    "Matti",
    "Anne",
    "Jussi",
    "Sanna",
    "Pekka",
    "Liisa",
    "Heikki",
    "Timo",
    "Kaisa",
    "Mikko",
    "Hanna",
    "Elina",
    "Jari",
    "Ville",
    "Leena",
    "Eija",
    "Juha",
    "Marja-Leena",
    "Anna-Liisa",
    "Petri",
    "Minna",
    "Outi",
    "Riitta",
    "Antti",
    "Kari",
    "Seppo",
    "Raija",
    "Tapio",
    "Esa",
    "Päivi",
    "Jukka",
    "Teemu",
    "Henna",
    "Aleksi",
    "Tuula",
    "Markku",
    "Irma",
    "Sirkka",
    "Kalevi",
    "Johanna",
]
FI_SUR = [
    "Virtanen",
    "Korhonen",
    "Nieminen",
    "Mäkinen",
    "Hämäläinen",
    "Heikkinen",
    "Koskinen",
    "Järvinen",
    "Lehtonen",
    "Saarinen",
    "Salminen",
    "Heinonen",
    "Kinnunen",
    "Turunen",
    "Salonen",
    "Savolainen",
    "Karjalainen",
    "Lappalainen",
    "Hiltunen",
    "Rantanen",
    "Leinonen",
    "Kärkkäinen",
    "Miettinen",
    "Pitkänen",
    "Ahonen",
    "Tuominen",
    "Laitinen",
    "Räsänen",
    "Huttunen",
    "Hyvönen",
]
SV_FIRST = [
    "Anders",
    "Johan",
    "Erik",
    "Karin",
    "Ingrid",
    "Lars",
    "Elin",
    "Ebba",
    "Mats",
    "Göran",
    "Birgitta",
    "Sven",
    "Lena",
    "Kerstin",
    "Ulf",
    "Annika",
    "Fredrik",
    "Malin",
    "Henrik",
    "Kristina",
    "Mikael",
    "Sofia",
    "Stefan",
    "Camilla",
    "Niklas",
]
SV_SUR = [
    "Lindholm",
    "Nyström",
    "Sjöberg",
    "Holmström",
    "Eriksson",
    "Johansson",
    "Karlsson",
    "Lindberg",
    "Björklund",
    "Sundström",
    "Forsman",
    "Grönroos",
    "Backman",
    "Strandberg",
    "Lindqvist",
    "Wikström",
    "Österberg",
    "Blomqvist",
    "Ekholm",
    "Nordström",
]


def _harmony(word: str) -> str:
    return "a" if re.search(r"[aou]", word.lower()) else "ä"


def _weak(stem: str) -> str:
    return re.sub(r"(kk|tt|pp)([aeiouyäö])$", lambda m: m.group(1)[0] + m.group(2), stem)


def inflect_first(name: str, case: str) -> str:
    if case == "nom":
        return name
    a = _harmony(name)
    weak = _weak(name)
    return {
        "gen": weak + "n",
        "all": weak + "lle",
        "ade": weak + "ll" + a,
        "abl": weak + "lt" + a,
        "ela": weak + "st" + a,
    }[case]


def inflect_sur(name: str, case: str) -> str:
    if case == "nom":
        return name
    a = _harmony(name)
    stem = name[:-3] + "se"
    return {
        "gen": stem + "n",
        "all": stem + "lle",
        "ade": stem + "ll" + a,
        "abl": stem + "lt" + a,
        "ela": stem + "st" + a,
    }[case]


def fi_person(rng: random.Random, case: str = "nom") -> str:
    shape = rng.random()
    if shape < 0.5:
        return f"{rng.choice(FI_FIRST)} {inflect_sur(rng.choice(FI_SUR), case)}"
    if shape < 0.75:
        return inflect_sur(rng.choice(FI_SUR), case)
    return inflect_first(rng.choice([n for n in FI_FIRST if "-" not in n]), case)


def sv_person(rng: random.Random, genitive: bool = False) -> str:
    name = f"{rng.choice(SV_FIRST)} {rng.choice(SV_SUR)}" if rng.random() < 0.7 else rng.choice(SV_FIRST)
    return name + "s" if genitive and not name.endswith("s") else name


FI_STREETS = [
    "Kauppakatu",
    "Asematie",
    "Rantatie",
    "Kirkkotie",
    "Mäntytie",
    "Koivukuja",
    "Pajukuja",
    "Myllytie",
    "Puistotie",
    "Savontie",
    "Tehtaankatu",
    "Harjutie",
    "Kuusikuja",
    "Peltolantie",
    "Niittytie",
    "Urheilutie",
    "Annankatu",
    "Satamakatu",
    "Pappilantie",
    "Kotiranta",
    "Honkapolku",
    "Lehtolanraitti",
    "Kivikaari",
    "Sairaalantie",
]
SV_STREETS = [
    "Strandvägen",
    "Skolgatan",
    "Kyrkogatan",
    "Storgatan",
    "Järnvägsgatan",
    "Björkvägen",
    "Tallstigen",
    "Åbrinksgränd",
]
TOWNS = [
    ("79600", "Joroinen"),
    ("78200", "Varkaus"),
    ("70100", "Kuopio"),
    ("76100", "Pieksämäki"),
    ("57100", "Savonlinna"),
    ("06100", "Porvoo"),
]
SV_TOWNS = [("06100", "Borgå"), ("65100", "Vasa"), ("10600", "Ekenäs"), ("68600", "Jakobstad")]


def address(rng: random.Random, swedish: bool = False) -> str:
    street = rng.choice(SV_STREETS if swedish else FI_STREETS)
    number = str(rng.randint(1, 68))
    extra = rng.random()
    if extra < 0.3:
        number += f" {rng.choice('ABC')} {rng.randint(1, 40)}"
    elif extra < 0.4:
        number += rng.choice("ab")
    elif extra < 0.5:
        number += f" as. {rng.randint(1, 20)}" if not swedish else f" lgh {rng.randint(1, 20)}"
    text = f"{street} {number}"
    if rng.random() < 0.35:
        code, town = rng.choice(SV_TOWNS if swedish else TOWNS)
        text += f", {code} {town}"
    return text


def email(rng: random.Random) -> str:
    first = rng.choice(FI_FIRST + SV_FIRST).lower().translate(ASCII)
    last = rng.choice(FI_SUR + SV_SUR).lower().translate(ASCII)
    domain = rng.choice(
        ["gmail.com", "hotmail.com", "luukku.com", "joroinen.fi", "outlook.com", "kolumbus.fi"]
    )
    return rng.choice(
        [f"{first}.{last}@{domain}", f"{first}{rng.randint(1, 99)}@{domain}", f"{first[0]}{last}@{domain}"]
    )


def date(rng: random.Random) -> str:
    return rng.choice(
        [
            f"{rng.randint(1, 28)}.{rng.randint(1, 12)}.{rng.randint(2023, 2026)}",
            f"{rng.randint(1, 28)}.{rng.randint(1, 12)}.",
        ]
    )


# --- templates ------------------------------------------------------------------------------------
# Slots: {P} person nominative, {Pgen} {Pall} {Pade} {Pabl} genitive/allative/adessive/ablative,
# {H} identity code, {TEL} {MAIL} {IBAN} {PLATE} {ADDR}, {D} date, {Y} business ID,
# {ORD} order number, {SW} switchboard (public), {PUBMAIL} {PUBADDR} {OFFICIAL}. Labels are written
# into the templates where the slot is a finding.

FI_POSITIVE = [
    "Hei! Löysin lompakon kirjaston edestä, sisällä kortti jossa nimi [[PERSON|{P}]] ja hetu [[FI_HETU|{H}]]. Toimitin sen kunnantalolle.",
    "Voisiko joku välittää [[PERSON|{Pall}]] että auto [[LICENSE_PLATE|{PLATE}]] on jätetty koulun pihaan keskelle tietä.",
    "Minun numeroni on [[PHONE|{TEL}]], soittakaa jos kuulette jotain kadonneesta kissasta.",
    "Lähetin hakemuksen jo {D} osoitteesta [[EMAIL|{MAIL}]] mutta en ole saanut vastausta.",
    "Palautukset voi maksaa tilille [[IBAN|{IBAN}]], viestiksi nimi.",
    "Asun osoitteessa [[ADDRESS|{ADDR}]] ja tien kunto on ollut surkea koko kevään.",
    "[[PERSON|{P}]] hoiti asian todella hyvin, kiitos hänelle!",
    "Kysyin asiaa [[PERSON|{Pabl}]] teknisestä toimesta, mutta vastausta ei ole kuulunut.",
    "Naapurini [[PERSON|{P}]] on ollut [[HEALTH|sairaalassa]] jo kaksi viikkoa, kuka hoitaa hänen lumityönsä?",
    "Äitini sai [[HEALTH|muistisairausdiagnoosin]] ja nyt odotamme pääsyä [[SOCIAL_WELFARE|palveluasumiseen]].",
    "Hänellä on todettu [[HEALTH|rintasyöpä]], joten hän ei pääse kokoukseen.",
    "Poikani on ollut [[SOCIAL_WELFARE|lastensuojelun]] asiakkaana jo vuoden, eikä kukaan vastaa puheluihin.",
    "Perhe on [[SOCIAL_WELFARE|toimeentulotuen]] varassa ja lapset tarvitsisivat talvivaatteita.",
    "Tiedoksi: liite on [[CONFIDENTIAL|salassa pidettävä]] ([[CONFIDENTIAL|JulkL 24 §]]), älä jaa eteenpäin.",
    "[[CONFIDENTIAL|LUOTTAMUKSELLINEN]]: kunnanhallituksen iltakoulun muistio {D}.",
    "Tämä luonnos on [[CONFIDENTIAL|ei-julkinen]] eikä sitä saa kopioida someen.",
    "Työkaverini [[PERSON|{P}]] on [[HEALTH|sairauslomalla]] loppuviikon, joten vastaan hänen puolestaan.",
    "Tilaaja [[PERSON|{P}]], puh. [[PHONE|{TEL}]], [[EMAIL|{MAIL}]].",
    "Ilmoittaja: [[PERSON|{P}]], [[ADDRESS|{ADDR}]], hetu [[FI_HETU|{H}]].",
    "Kiitos [[PERSON|{Pall}]] ja koko [[SOCIAL_WELFARE|kotihoidon]] väelle! Isäni pääsi [[HEALTH|sairaalasta]] kotiin.",
    "Pihalla on seissyt viikon auto [[LICENSE_PLATE|{PLATE}]], omistaja kuulemma [[PERSON|{P}]].",
    "Naapurin [[PERSON|{Pgenraw}]] tyttären [[HEALTH|masennus]] on pahentunut, hän tarvitsee apua.",
    "Jos tiedätte missä [[PERSON|{P}]] asuu nykyään, hänen uusi osoitteensa on kai [[ADDRESS|{ADDR}]].",
    "Vaimoni käy [[HEALTH|dialyysissä]] kolmesti viikossa, kuljetus ei toimi.",
    "Asiakkaamme on [[SOCIAL_WELFARE|kotihoidon]] piirissä ja hänellä on [[HEALTH|diabetes]].",
    "Maksut tilille [[IBAN|{IBAN}]] (saaja [[PERSON|{P}]]) viimeistään {D}.",
]
FI_NEGATIVE = [
    "Joroisten kunnan Y-tunnus on {Y}. Laskutusosoite löytyy kunnan verkkosivuilta.",
    "Influenssarokotukset alkavat terveysasemalla {D}. Ajanvaraus numerosta {SW}.",
    "Kunnanvirasto on suljettu {D}. Kiireellisissä asioissa soita vaihteeseen {SW} tai laita viestiä {PUBMAIL}.",
    "Tilauksesi numero {ORD} on vastaanotettu {D}, toimitus noin kahden viikon kuluttua.",
    "Joroinen ja Varkaus jatkavat yhteistyötä jätehuollossa. Kuopio liittyy mukaan ensi vuonna.",
    "Annankatu on suljettu läpiajolta {D} klo 7–16 katutöiden takia.",
    "Kirjasto, {PUBADDR}, on avoinna ma–pe klo 10–19. Tervetuloa!",
    "Kunnanjohtaja {OFFICIAL} avaa kesäteatterikauden {D} klo 18.",
    "Koronarokotuksia annetaan edelleen terveysasemalla, varaa aika verkossa.",
    "Lastensuojelun palvelut toimivat normaalisti myös juhlapyhinä.",
    "Valtatie 5 on suljettu Varkauden kohdalla {D} klo 9–14.",
    "Budjetissa on leikattu 2,5 miljoonaa euroa; viitenumero {ORD}.",
    "Sairaalantien kevyen liikenteen väylä valmistuu {D}.",
    "Kotihoidon asiakasmaksut muuttuvat {D}. Lisätietoja antaa {OFFICIAL}, puh. {SW}.",
    "Kesätyöhakemukset {D} mennessä osoitteeseen {PUBMAIL}. Hinta 25,50 €.",
    "Vuoden {YEAR} talousarvio hyväksyttiin valtuustossa äänin 19–8.",
    "Tarjoamme luottamuksellista keskusteluapua nuorille joka tiistai klo 14–16.",
    "Voit kertoa asiastasi luottamuksellisesti, työntekijöitämme sitoo vaitiolovelvollisuus.",
    "Emme voi kommentoida yksittäisiä asiakastapauksia salassapitovelvollisuuden vuoksi.",
    "Diabeetikoiden vertaistukiryhmä kokoontuu kirjastolla kuun ensimmäisenä maanantaina.",
    "Jos sinulla on flunssan oireita, älä tule rokotukseen vaan varaa uusi aika.",
    "Kunnan tilinumero laskuille on kunnan verkkosivuilla; Y-tunnus {Y}.",
    "Kiitos palautteesta! Välitämme sen tekniselle toimelle, vastaamme viimeistään {D}.",
    "Joroisten Kangasniemen kartanossa on avoimet ovet {D}. Paikalle pääsee Varkaudesta bussilla 12.",
    "Tapahtuma alkaa klo 18.30 ja kestää noin 2 h. Liput 10 € / 5 €.",
    "Muistisairauksien ehkäisystä kertova luento pidetään kirjaston salissa {D}.",
    "Asiakirjan diaarinumero on {DNRO}.",
    "Kunnanhallitus kokoontuu {D} klo 16. Esityslista julkaistaan verkossa viikkoa ennen.",
    "Koivu kaatui myrskyssä Rantatielle, tie on poikki. Lahti ja Mikkeli ovat saaneet samaa myrskyä.",
    "Linja-auto 12 lähtee Joroisten kirkolta klo 7.15 ja on Varkaudessa 7.45.",
]
SV_POSITIVE = [
    "Hej! Jag hittade en plånbok vid biblioteket, där fanns ett kort med namnet [[PERSON|{S}]] och personbeteckning [[FI_HETU|{H}]].",
    "Ring mig på [[PHONE|{TEL}]] om ni vet något om min försvunna katt.",
    "Jag skickade ansökan från [[EMAIL|{MAIL}]] men har inte fått svar.",
    "Jag bor på [[ADDRESS|{SADDR}]] och vägen har varit i dåligt skick hela våren.",
    "Min granne [[PERSON|{S}]] ligger på [[HEALTH|sjukhuset]] sedan förra veckan.",
    "Min son är klient inom [[SOCIAL_WELFARE|barnskyddet]] och ingen svarar i telefon.",
    "Bilen [[LICENSE_PLATE|{PLATE}]] har stått på skolans gård i en vecka.",
    "Obs! Bilagan är [[CONFIDENTIAL|sekretessbelagd]] enligt [[CONFIDENTIAL|offentlighetslagen 24 §]].",
    "Tack till [[PERSON|{S}]] som hjälpte mig! Min mamma fick en [[HEALTH|cancerdiagnos]] i våras.",
    "Betalningar till konto [[IBAN|{IBAN}]], mottagare [[PERSON|{S}]].",
    "Hon har [[HEALTH|diabetes]] och behöver hjälp med maten.",
    "[[PERSON|{Sgen}]] pappa har fått [[SOCIAL_WELFARE|hemvård]] sedan i vintras.",
]
SV_NEGATIVE = [
    "Kommunens FO-nummer är {Y}. Fakturaadressen finns på webbplatsen.",
    "Influensavaccinationerna börjar vid hälsostationen {D}. Tidsbokning på {SW}.",
    "Biblioteket, {PUBADDR}, har öppet må–fr kl. 10–19.",
    "Storgatan är stängd för genomfart {D} kl. 7–16.",
    "Barnskyddets tjänster fungerar normalt även under helgerna.",
    "Kommundirektör {OFFICIAL} öppnar sommarteatern {D} kl. 18.",
    "Din beställning {ORD} har tagits emot {D}.",
    "Vi kan inte kommentera enskilda klientärenden på grund av tystnadsplikten.",
    "Skicka sommarjobbsansökan till {PUBMAIL} senast {D}.",
    "Budgeten för år {YEAR} godkändes av fullmäktige.",
]


def fill(template: str, rng: random.Random, swedish: bool) -> str:
    official = rng.choice(CONTACTS["names"])
    values = {
        "P": fi_person(rng),
        "Pgen": fi_person(rng, "gen"),
        "Pgenraw": inflect_first(rng.choice([n for n in FI_FIRST if "-" not in n]), "gen"),
        "Pall": fi_person(rng, "all"),
        "Pade": fi_person(rng, "ade"),
        "Pabl": fi_person(rng, "abl"),
        "S": sv_person(rng),
        "Sgen": sv_person(rng, genitive=True),
        "H": hetu(rng),
        "TEL": phone(rng),
        "MAIL": email(rng),
        "IBAN": iban(rng),
        "PLATE": plate(rng),
        "ADDR": address(rng),
        "SADDR": address(rng, swedish=True),
        "D": date(rng),
        "Y": business_id(rng),
        "ORD": rng.choice(
            [
                f"{rng.randint(100000, 999999)}",
                f"A-{rng.randint(1000, 99999)}",
                f"{rng.randint(10000, 99999)} {rng.randint(10000, 99999)} {rng.randint(10, 99)}",
            ]
        ),
        "DNRO": f"{rng.choice(['JOR', 'KH', 'TEKN'])}/{rng.randint(10, 999)}/{rng.randint(2020, 2026)}",
        "SW": rng.choice(CONTACTS["phones"]),
        "PUBMAIL": rng.choice(CONTACTS["emails"]),
        "PUBADDR": rng.choice(CONTACTS["addresses"]),
        "OFFICIAL": official,
        "YEAR": str(rng.randint(2020, 2027)),
    }
    return template.format(**values)


# Openings and closings that wrap a template, so the same sentence appears in longer posts.
FI_WRAP = [
    ("", ""),
    ("Hei kunta! ", " Kiitos etukäteen."),
    ("TIEDOTE {D}\n\n", "\n\nLisätietoja kunnan verkkosivuilta."),
    ("Moi. ", " 😊"),
    ("Palaute verkkolomakkeelta {D}: ", ""),
    ("", " #Joroinen #kuntatiedote"),
    ("Joroisten kunta tiedottaa: ", " Seuraa tiedotteitamme myös Instagramissa."),
]
SV_WRAP = [
    ("", ""),
    ("Hej! ", " Tack på förhand."),
    ("MEDDELANDE {D}\n\n", "\n\nMer information på webbplatsen."),
    ("", " 🙂"),
]


def wrap(marked: str, rng: random.Random, swedish: bool) -> str:
    before, after = rng.choice(SV_WRAP if swedish else FI_WRAP)
    d = date(rng)
    return before.replace("{D}", d) + marked + after.replace("{D}", d)


def generated(rng: random.Random, count: int) -> list[dict[str, object]]:
    items = []
    for index in range(count):
        swedish = rng.random() < 0.2
        positive = rng.random() < 0.55
        pool = (
            (SV_POSITIVE if positive else SV_NEGATIVE)
            if swedish
            else (FI_POSITIVE if positive else FI_NEGATIVE)
        )
        marked = wrap(fill(rng.choice(pool), rng, swedish), rng, swedish)
        if rng.random() < 0.25:  # a second sentence, often a hard negative
            extra_pool = SV_NEGATIVE if swedish else FI_NEGATIVE
            marked += " " + fill(rng.choice(extra_pool), rng, swedish)
        text, labels = parse(marked)
        items.append(
            {
                "id": f"gen-{index:04d}",
                "split": "generated",
                "lang": "sv" if swedish else "fi",
                "text": text,
                "labels": labels,
            }
        )
    return items


# --- hand-written, held out -----------------------------------------------------------------------
# Identity codes, IBANs and business IDs below were computed with correct check characters.

HANDWRITTEN = [
    # identity codes hidden or oddly written
    "Tässä hetu jos tarvitsette: [[FI_HETU|010190\u200b-123M]] (laitoin välilyönnin ettei botti huomaa)",
    "henkilötunnukseni [[FI_HETU|311299a9872]] ja puhelin [[PHONE|0401234567]]",
    "Lapsen tunnus [[FI_HETU|150616A123L]], syntynyt 15.6.2016.",
    "Isoisän tunnus oli [[FI_HETU|050595+002U]] — vanha paperi löytyi vintiltä.",
    "HETU:[[FI_HETU|010203B\u00ad042C]] (kopioitu wordista)",
    "Kuka tietää, onko [[FI_HETU|120345 - 456F]] oikea muoto? ",
    "ID [[FI_HETU|010199Y456P]], uusi välimerkki vuodelta 2023.",
    "\u200f[[FI_HETU|280285-123K]]\u200f ← tämä näkyi lomakkeella",
    "Hakemus 2024-1187, viite 12345 67890 14, Y-tunnus 1572860-0. Ei henkilötietoja.",
    "Puhelinnumero [[PHONE|040\u200b1234567]] piilossa, samoin [[FI_HETU|1\u200b3\u200b1\u200b0\u200b5\u200b2\u200b-\u200b3\u200b0\u200b8\u200bT]].",
    # phones: public and private, look-alikes
    "Vaihde 017 579 1000, kirjaamo@joroinen.fi. Iltaisin voi soittaa minulle [[PHONE|050 987 6543]].",
    "Tilausnumero 0401234567 ei ole puhelinnumero, se on tuotekoodi.",
    "Laskun viitenumero: 04 0123 4567 8",
    "Sisäinen numero 2134, suora [[PHONE|+358 44 765 4321]].",
    "Soita tekstiviestillä 15000 tai [[PHONE|(015) 123 456]].",
    "Kokous klo 09-11.30, huone 013, osallistujia 25–30.",
    "Äänestyspaikka avautuu 9.00, numerot 01-99 jonottavat ulkona.",
    "Ruotsin numero [[PHONE|+46 70 123 45 67]] on mummon, häneen saa yhteyttä iltaisin.",
    "Palvelunumero 0800 12345 on maksuton. Myös 029 123 4567 palvelee.",
    # e-mail
    "Vastaa osoitteeseen [[EMAIL|teppo.testaaja+some@posti.example]] kiitos.",
    "Ohje: kunnan sähköpostit muotoa etunimi.sukunimi@joroinen.fi.",
    "Kirjoita viestintä-tiimille viestinta@joroinen.fi tai minulle [[EMAIL|p.kettunen@kolumbus.fi]].",
    "Twitterissä @joroinen ja @varkaus_kaupunki jakavat tiedotteita.",
    # IBAN
    "Keräys on kunnan tilillä [[IBAN|FI49 5000 9420 0287 30]]? Kyllä, sama kuin [[IBAN|FI4950009420028730]].",
    "Tilinumero [[IBAN|fi49 5000 9420 0287 30]] (pienillä kirjaimilla).",
    "Väärä tilinumero FI49 5000 9420 0287 31 ei kelpaa pankille.",
    # plates
    "Parkkihallissa seisoo [[LICENSE_PLATE|KLM-708]] ja sen vieressä [[LICENSE_PLATE|ÖRT-41]].",
    "COVID-19 ja HPV-16 eivät ole rekisterinumeroita, eikä SOTE-2024.",
    "Mopo [[LICENSE_PLATE|BB-93]] on kadonnut.",
    "Paperin koodi on ABC123? [[LICENSE_PLATE|ZXY123]] on kuitenkin auton kilpi.",
    # addresses
    "Postia tulee väärään osoitteeseen: [[ADDRESS|Harjutie 7 B 12, 79600 Joroinen]].",
    "Kunnantalo, Kauppakatu 5, 79600 Joroinen, on auki ma–to.",
    "Vanha koulu osoitteessa [[ADDRESS|Vanha Savontie 34]] myydään.",
    "Annankadulla on remontti koko kesän.",
    "Bussi kulkee Valtatie 5:tä pitkin.",
    "Skicka till [[ADDRESS|Skolgatan 4 B, 06100 Borgå]] senast fredag.",
    "Asun [[ADDRESS|Pappilantie 3 as. 4]]:ssa ja naapurin koira haukkuu öisin.",
    # names, inflected and ambiguous
    "Kävin [[PERSON|Virtasella]] kylässä ja sitten [[PERSON|Annen]] luona.",
    "Kerro [[PERSON|Kärkkäiselle]] terveisiä!",
    "[[PERSON|Matti]] ja [[PERSON|Pekka]] olivat talkoissa, kiitos heille.",
    "Joroisten, Varkauden ja Kuopion seutu on kaunis.",
    "Koivu kaatui myrskyssä tielle.",
    "Tuuli yltyy illalla myrskyksi.",
    "Marin kirjoitti kirjan, kertoi toimittaja [[PERSON|Sanna Nieminen]].",
    "Kiitos [[PERSON|Anna-Liisa Korhoselle]] upeasta konsertista!",
    "Kunnanjohtaja Raimo Sulkava ja sivistysjohtaja Helena Pesonen avasivat koulun.",
    "Kunnanjohtaja Sulkavalle voi lähettää palautetta.",
    "[[PERSON|Karin Lindholm]] och [[PERSON|Johan]] hjälpte till på talkot.",
    "Tack till [[PERSON|Ebbas]] familj för kakorna!",
    "Kommundirektör Tomas Grönlund svarar på frågor.",
    "Paikalla olivat [[PERSON|Ilkka Heikkinen]] ja [[PERSON|Outi Salonen]].",
    "Kangasniemi, Joroinen ja Rantasalmi tekevät yhteistyötä.",
    # health and welfare tied to a person, or not
    "Naapurini [[HEALTH|sairastaa]] [[HEALTH|dementiaa]] ja eksyy usein.",
    "Influenssarokotukset alkavat marraskuussa. Rokotuksia annetaan terveysasemalla.",
    "Muistisairaiden omaisten ryhmä kokoontuu torstaisin.",
    "Kunnanjohtaja on [[HEALTH|sairauslomalla]] ja hänen sijaisenaan toimii hallintojohtaja.",
    "Poikani joutui [[HEALTH|päivystykseen]] ja sieltä [[HEALTH|keskussairaalaan]].",
    "Päivystys palvelee ympäri vuorokauden numerossa 116117.",
    "Hän on ollut [[SOCIAL_WELFARE|huostaanotettuna]] vuodesta 2021.",
    "Lastensuojeluilmoituksen voi tehdä kuka tahansa, ohjeet verkkosivuilla.",
    "Tein [[SOCIAL_WELFARE|lastensuojeluilmoituksen]] naapurin lapsista, mutta mitään ei tapahdu.",
    "Mummoni on [[SOCIAL_WELFARE|kotihoidon]] asiakas ja hoitajat vaihtuvat koko ajan.",
    "Sosiaalityöntekijät kiertävät kylillä ensi viikolla.",
    "Hon är [[HEALTH|gravid]] och behöver bostad snabbt.",
    "Socialtjänsten har öppet kl. 9–15.",
    "Min pappa är placerad på [[SOCIAL_WELFARE|serviceboende]] men får ingen hjälp.",
    "Jos lapsellasi on kuumetta tai flunssan oireita, pidä hänet kotona.",
    "[[PERSON|Pekka Virtanen]] kertoi, että hänellä on [[HEALTH|syöpä]].",
    "Koronarokotukset 65 vuotta täyttäneille alkavat 3.10.",
    # confidentiality
    "[[CONFIDENTIAL|SALASSA PIDETTÄVÄ]] [[CONFIDENTIAL|JulkL 24 §]] 1 mom. 25 k.",
    "Muistio: [[CONFIDENTIAL|Vain sisäiseen käyttöön]].",
    "Asiakirja on [[CONFIDENTIAL|salassapidettävä]] kunnes hallitus on päättänyt asiasta.",
    "Luottamuksellista keskusteluapua tarjolla kirjastolla.",
    "Tiedot ovat [[CONFIDENTIAL|luottamuksellisia]] eikä niitä saa jakaa.",
    "Handlingen är [[CONFIDENTIAL|sekretessbelagd]].",
    "Vi omfattas av tystnadsplikt och kan inte kommentera.",
    # mixed scripts, emoji, RTL, junk
    "🎉 Onnea [[PERSON|Liisa Mäkiselle]] 50 v! 🎂 Юбилей!",
    "مرحبا \u200f040 ei ole numero\u200f, mutta [[PHONE|040\u200e 765 4321]] on.",
    "\ufeffRoskaa \ufffd\ufffd\ufffd ja hetu [[FI_HETU|010170-999R]] ja lisää roskaa \x00\x01.",
    "Ｈｅｔｕ [[FI_HETU|１３１０５２－３０８Ｔ]] leveillä merkeillä.",
    "Osallistujia oli 1 200, hinta 0,50 €/kpl, klo 10.00–12.00, 12.3.2025.",
    "Sopimusnumero 2025/0412, hankintapäätös § 45, liite 3.",
    # second batch, written after the checks were finished and not used for tuning
    "Miksi [[PERSON|Heikkisen Jari]] ei vastaa puhelimeen? Soitin [[PHONE|045 678 9012]] kolme kertaa!!",
    "Terveisiä [[PERSON|Tuomiselle]] kirjastoon, kiitos avusta eilen 👍",
    "Olen yrittänyt saada [[SOCIAL_WELFARE|sosiaalityöntekijän]] kiinni viikon, poikani asia on kesken.",
    "Kysymys kunnalle: miksi Kangasniementien pyörätie on vieläkin kesken? T. [[PERSON|Pirjo]]",
    "Auto [[LICENSE_PLATE|JKL-55]] ajoi taas ylinopeutta koulun kohdalla klo 8.05!",
    "Hyvä [[PERSON|Kalevi]]! Sinulle on tullut postia, hae se kunnantalolta.",
    "Rekisteröidy osoitteessa www.joroinen.fi/tapahtumat, hinta 15 € (alv 25,5 %).",
    "Lumityöt: [[ADDRESS|Niittytie 4]] ja [[ADDRESS|Niittytie 6]] jäivät auraamatta.",
    "Isälläni on [[HEALTH|alzheimerin]] tauti ja hän katosi eilen illalla, onko kukaan nähnyt?",
    "Sairaanhoitajat ovat tehneet upeaa työtä koko syksyn, kiitos!",
    "Päätös § 112: Kunnanhallitus hyväksyi hankinnan, Y-tunnus 2345678-0 ei ole oikea.",
    "Tilaa uutiskirje: [[EMAIL|uutiset@joroinen.fi]]",
    "Kirjoitin jo [[EMAIL|hannele.r@gmail.com]]-osoitteesta, ei vastausta.",
    "Tilisiirto [[IBAN|FI37 1590 3000 0007 76]], viite 1232.",
    "Hän on ollut [[HEALTH|masentunut]] siitä asti kun [[PERSON|Eija]] muutti pois.",
    "Minulla on [[HEALTH|astma]] enkä voi mennä uimahalliin kloorin takia.",
    "Astmaliiton luento kirjastolla tiistaina, aiheena astma ja liikunta.",
    "[[PERSON|Leinoset]] asuvat nyt Varkaudessa.",
    "Kiitos kaikille talkoisiin osallistuneille! Ensi vuonna uudestaan.",
    "Myyn polkupyörän 40 €, soita [[PHONE|0440 123 456]] tai laita viestiä.",
    "Hej, jag heter [[PERSON|Mikaela Strandberg]] och bor på [[ADDRESS|Tallstigen 3]].",
    "Min dotter har [[HEALTH|epilepsi]] och behöver skolskjuts.",
    "Kommunens telefonväxel 017 579 1000 betjänar vardagar kl. 9–15.",
    "Vi söker en socialarbetare till barnskyddet, ansökan senast 30.4.",
    "Familjen har fått [[SOCIAL_WELFARE|utkomststöd]] i två år nu.",
    "Jag har skickat min ansökan till [[EMAIL|bjorn.ek@abo.fi]].",
    "Tiedoksi esihenkilöille: asiakirja [[CONFIDENTIAL|Salassa pidettävä]], [[CONFIDENTIAL|JulkL 24.1 §:n]] 32 k.",
    "Rokotusajat: ma 10–12 ja ke 14–16, puh. 017 579 1000.",
    "Äitini täyttää 90 vuotta ja haluaisin onnitella häntä kunnan sivuilla!",
    "Naapurin [[PERSON|Seppo]] sai [[HEALTH|sydänkohtauksen]] ja vietiin [[HEALTH|sairaalaan]] eilen.",
    "ilmoitan että [[PERSON|matti virtanen]] puh [[PHONE|0401112223]] on ajanut mopoautolla nurmikolla",
    "Syntymäaika 13.10.1952, henkilötunnuksen loppuosa 308T ei ole koko tunnus.",
    "Hänen tunnuksensa on [[FI_HETU|131052-308t]] ja tili [[IBAN|FI37 1590 3000 0007 76]].",
    "Uimahalli on suljettu huoltotöiden vuoksi 1.–14.7.",
    "Lasten [[SOCIAL_WELFARE|huostaanotosta]] päätti [[PERSON|Heinosen]] perheen kohdalla hallinto-oikeus.",
    "Valtuutettu [[PERSON|Ville Rantanen]] esitti ponnen, joka hyväksyttiin.",
    "Sähköposti toimii taas. Yhteydenotot: kirjaamo@joroinen.fi, puh. 017 579 1000.",
    "Kokouksen pöytäkirja on nähtävillä, pois lukien [[CONFIDENTIAL|salassa pidettävät]] pykälät.",
    "Koulukuljetuksista vastaa Savonlinja Oy (Y-tunnus 0123456-7), auto [[LICENSE_PLATE|TIL-302]] on varalla.",
    "Koira karkasi taas, omistaja asuu osoitteessa [[ADDRESS|Koivukuja 2 C]].",
]


def handwritten() -> list[dict[str, object]]:
    items = []
    for index, marked in enumerate(HANDWRITTEN):
        text, labels = parse(marked)
        swedish = bool(
            re.search(
                r"\b(och|är|jag|min|Hon|Vi|Skicka|Handlingen|Tack|Kommundirektör|Socialtjänsten)\b", text
            )
        )
        items.append(
            {
                "id": f"hand-{index:03d}",
                "split": "handwritten",
                "lang": "sv" if swedish else "fi",
                "text": text,
                "labels": labels,
            }
        )
    return items


def _validate(items: list[dict[str, object]]) -> None:
    """Every labelled identity code and IBAN must carry a correct check character."""
    from stdnum import iban as stdnum_iban
    from stdnum.fi import hetu as stdnum_hetu

    invisible = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")
    wide = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
    for item in items:
        for label in item["labels"]:  # type: ignore[attr-defined]
            value = invisible.sub("", item["text"][label["start"] : label["end"]]).translate(wide)  # type: ignore[index]
            if label["type"] == "FI_HETU":
                assert stdnum_hetu.is_valid(value.replace(" ", ""), allow_temporary=True), (item["id"], value)
            if label["type"] == "IBAN":
                assert stdnum_iban.is_valid(value), (item["id"], value)


def main() -> None:
    rng = random.Random(SEED)
    items = generated(rng, 380) + handwritten()
    _validate(items)
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "checks_dev.jsonl").open("w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    (OUT / "checks_dev_contacts.json").write_text(
        json.dumps(CONTACTS, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(items)} texts to {OUT / 'checks_dev.jsonl'}")


if __name__ == "__main__":
    main()
