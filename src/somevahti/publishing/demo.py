"""The demo organization's publishing history (julkaisuhistoria) for `somevahti demo`.

A few weeks of Joroinen's posts made through the same services as a person's clicks: drafts
written, checked, approved by a second person on the four-eyes channel, published to the
(in-memory) platforms and recorded in the archive, one of them edited afterwards. Next to them
the work in progress: a post waiting for the communications lead, one scheduled for next week
and two drafts the checks advise on, one that repeats a bulletin of the municipality's website
and one with a phone number.

The services are given the moment of each step (`now=`), so the archive records the post as
published weeks ago with its hash chain intact. Only the rows' own bookkeeping times
(`created_at`, `updated_at`), which no service takes, are set afterwards. The texts and the
people are invented; the people are those of the demo file (people/data/demo-joroinen.json).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.utils import format_datetime
from xml.sax.saxutils import escape

from django.db import transaction
from django.utils import timezone

from somevahti.channels.models import Channel
from somevahti.core.calendar import HELSINKI
from somevahti.core.roles import Role
from somevahti.people.demo import DEMO_LOGINS
from somevahti.people.models import Organization, Person

from . import bulletins as feeds
from . import services
from .models import Bulletin, Media, Post, PostEdit

SITE = "https://www.joroinen.fi"
PUBLISHING_PLATFORMS = ("facebook", "instagram", "bluesky", "mastodon")


# --- the texts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoBulletin:
    path: str
    title: str
    text: str
    days_ago: int


def _bulletins(winter: bool) -> tuple[DemoBulletin, ...]:
    roads = (
        DemoBulletin(
            "/ajankohtaista/talvikunnossapito",
            "Talvikunnossapito: auraus ja liukkaudentorjunta",
            "Kunnan katujen auraus aloitetaan, kun lunta on satanut viisi senttimetriä. Ensin aurataan pääkadut ja "
            "kevyen liikenteen väylät, sen jälkeen asuinalueiden kadut. Liukkaudentorjunta tehdään hiekoittamalla. "
            "Yksityisteiden kunnossapidosta vastaavat tiekunnat. Palautetta talvikunnossapidosta voi antaa kunnan "
            "verkkosivujen palautelomakkeella.",
            9,
        )
        if winter
        else DemoBulletin(
            "/ajankohtaista/katujen-harjaus",
            "Katujen harjaus ja pölynsidonta",
            "Kunnan katujen harjaus aloitetaan pääkaduilta ja kevyen liikenteen väyliltä, sen jälkeen harjataan "
            "asuinalueiden kadut. Sorakatujen pölynsidonta tehdään suolaamalla. Yksityisteiden kunnossapidosta "
            "vastaavat tiekunnat. Palautetta katujen kunnossapidosta voi antaa kunnan verkkosivujen palautelomakkeella.",
            9,
        )
    )
    return (
        DemoBulletin(
            "/ajankohtaista/uimahallin-aukioloajat",
            "Uimahallin aukioloajat",
            "Uimahalli on avoinna arkisin kello 6.30–20.30 ja viikonloppuisin kello 10–17. Kassa sulkeutuu tuntia "
            "ennen uimahallin sulkemista. Aamu-uinti on tiistaisin ja torstaisin kello 6.30–8. Poikkeavista "
            "aukioloajoista tiedotetaan erikseen kunnan verkkosivuilla.",
            13,
        ),
        roads,
        DemoBulletin(
            "/ajankohtaista/kunnanvaltuuston-kokous",
            "Kunnanvaltuuston kokous maanantaina",
            "Joroisten kunnanvaltuusto kokoontuu maanantaina kello 18.00 kunnantalon valtuustosalissa. Kokouksessa "
            "käsitellään muun muassa ensi vuoden talousarvio ja taloussuunnitelma, investointiohjelma sekä "
            "hallintosäännön muutokset. Kokouksen esityslista on nähtävillä kunnan verkkosivuilla. Kokous on avoin "
            "yleisölle, ja sitä voi seurata suorana verkkolähetyksenä.",
            2,
        ),
    )


LIBRARY_EVENING = (
    "Kirjailijailta kirjastossa torstaina kello 18! 📚 Kotiseutukirjailija kertoo uudesta romaanistaan, joka "
    "sijoittuu Joroisten kartanoiden maisemiin, ja lukee otteita ääneen. Vapaa pääsy, kahvitarjoilu. Tervetuloa!"
)
COUNCIL = (
    "Mitä valtuusto päättää maanantaina? 🏛️ Esillä ovat muun muassa koulukiinteistöjen korjaukset ja uuden "
    "asuinalueen kaava. Tule seuraamaan kokousta kunnantalolle kello 18 tai katso suora lähetys kotisohvalta."
)
SWIMMING = (
    "Aamu-uimarit, tämä on teille! 🏊 Uimahalli aukeaa arkisin jo puoli seitsemältä, ja tiistai- ja "
    "torstaiaamuisin allas on varattu aamu-uinnille kahdeksaan asti. Viikonloppuisin altaalle pääsee kymmenestä "
    "viiteen. Muistathan, että kassa sulkee tuntia ennen hallia."
)
ROADS_WINTER = (
    "Lunta tuli, aurat liikkeellä! ❄️ Ensimmäisenä aurataan pääkadut ja kevyen liikenteen väylät, sitten "
    "asuinalueiden kadut. Hiekoitusautot kiertävät samaa reittiä. Kevyen liikenteen väylät aurataan ennen "
    "kello seitsemää."
)
ROADS_WINTER_EDITED = (
    "Lunta tuli, aurat liikkeellä! ❄️ Ensimmäisenä aurataan pääkadut ja kevyen liikenteen väylät, sitten "
    "asuinalueiden kadut. Hiekoitusautot kiertävät samaa reittiä. Kevyen liikenteen väylät aurataan arkiaamuisin "
    "ennen kello seitsemää, ja koulujen ympäristö hiekoitetaan ensimmäisenä."
)
ROADS_SUMMER = (
    "Harjakoneet liikkeellä! 🧹 Ensimmäisenä harjataan pääkadut ja kevyen liikenteen väylät, sitten "
    "asuinalueiden kadut. Sorakatujen pölyä sidotaan samalla kierroksella. Kevyen liikenteen väylät harjataan "
    "ennen kello seitsemää."
)
ROADS_SUMMER_EDITED = (
    "Harjakoneet liikkeellä! 🧹 Ensimmäisenä harjataan pääkadut ja kevyen liikenteen väylät, sitten "
    "asuinalueiden kadut. Sorakatujen pölyä sidotaan samalla kierroksella. Kevyen liikenteen väylät harjataan "
    "arkiaamuisin ennen kello seitsemää, ja koulujen ympäristö harjataan ensimmäisenä."
)
ROADS_EDIT_REASON = "Lisätty tieto koulujen ympäristöstä kuntalaisen kysymyksen jälkeen."
SCHOOL_TRANSPORT = (
    "Huoltajat, huomio! 🚌 Kotkatharjun ja Kuvansin suunnan koulukyydit lähtevät maanantaista alkaen aamuisin "
    "kymmenen minuuttia aiemmin, jotta oppilaat ehtivät kouluun ennen ensimmäistä tuntia. Tarkistathan uuden "
    "aikataulun kunnan verkkosivuilta."
)
SUMMER_EVENT = (
    "Joroisten kesätorin esiintyjä- ja myyjähaku on auki! ☀️ Haemme mukaan paikallisia muusikoita, yhdistyksiä, "
    "käsityöläisiä ja pientuottajia. Kerro meille, mitä haluaisit tuoda toriin – ilmoittautumislomake löytyy "
    "kunnan verkkosivuilta."
)
STORY_HOUR = (
    "Satutunti palaa! 🧸 Kirjaston lastenosastolla luetaan satuja alle kouluikäisille keskiviikkoisin kello 10. "
    "Mukaan mahtuu ilman ilmoittautumista – tervetuloa kuuntelemaan yksin tai koko perheen voimin."
)
COUNCIL_COPY = (
    "Joroisten kunnanvaltuusto kokoontuu maanantaina kello 18.00 kunnantalon valtuustosalissa. Kokouksessa "
    "käsitellään muun muassa ensi vuoden talousarvio ja taloussuunnitelma sekä investointiohjelma. Kokouksen "
    "esityslista on nähtävillä kunnan verkkosivuilla."
)
TRANSPORT_PHONE = (
    "Kysyttävää koulukyydeistä? 🚌 Soita kuljetussihteerille numeroon 040 123 4567 arkisin kello 9–15, niin "
    "selvitetään lapsesi kyyti."
)


# --- images ---------------------------------------------------------------------------------------


def _pool_jpeg() -> bytes:
    """An empty swimming pool from above: tiles, water, lane ropes."""
    from PIL import Image, ImageDraw

    width, height = 800, 533
    image = Image.new("RGB", (width, height), (226, 232, 236))
    draw = ImageDraw.Draw(image)
    top, bottom, left, right = 60, height - 60, 40, width - 40
    for y in range(top, bottom):
        shade = (y - top) / (bottom - top)
        draw.line([(left, y), (right, y)], fill=(int(40 + 30 * shade), int(150 - 40 * shade), int(205 - 25 * shade)))
    lanes = 6
    lane = (bottom - top) / lanes
    for n in range(1, lanes):
        y = int(top + n * lane)
        for x in range(left, right, 18):
            colour = (200, 40, 40) if (x // 18) % 4 == 0 else (245, 245, 245)
            draw.ellipse([x, y - 4, x + 14, y + 4], fill=colour)
    for n in range(lanes):
        y = int(top + (n + 0.5) * lane)
        draw.rectangle([left + 40, y - 2, right - 40, y + 2], fill=(25, 70, 120))
    draw.rectangle([left, top, right, bottom], outline=(250, 250, 250), width=6)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88)
    return out.getvalue()


def _bookshelf_png() -> bytes:
    """Library shelves with books of many colours."""
    from PIL import Image, ImageDraw

    width, height = 720, 480
    image = Image.new("RGB", (width, height), (120, 84, 52))
    draw = ImageDraw.Draw(image)
    colours = [(181, 58, 46), (44, 96, 150), (232, 190, 72), (58, 128, 84), (120, 72, 140), (230, 230, 220), (40, 40, 48)]
    shelf = height // 4
    for row in range(4):
        base = (row + 1) * shelf - 12
        x, n = 24, row * 5
        while x < width - 40:
            book = 18 + (n * 7) % 22
            tall = shelf - 30 - (n * 11) % 28
            draw.rectangle([x, base - tall, x + book, base], fill=colours[n % len(colours)])
            draw.line([(x + 3, base - tall + 10), (x + book - 3, base - tall + 10)], fill=(240, 220, 160), width=2)
            x += book + 2
            n += 1
        draw.rectangle([0, base, width, base + 12], fill=(92, 62, 36))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _school_bus_jpeg() -> bytes:
    """A yellow school bus on the road."""
    from PIL import Image, ImageDraw

    width, height = 800, 500
    image = Image.new("RGB", (width, height), (176, 206, 232))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 360, width, height], fill=(120, 120, 124))
    draw.rectangle([0, 352, width, 362], fill=(236, 240, 244))
    draw.rounded_rectangle([110, 170, 690, 370], radius=26, fill=(244, 190, 30))
    draw.rectangle([110, 300, 690, 316], fill=(30, 30, 30))
    for x in range(150, 600, 90):
        draw.rounded_rectangle([x, 195, x + 70, 260], radius=6, fill=(60, 90, 120))
    draw.rounded_rectangle([610, 195, 670, 330], radius=6, fill=(60, 90, 120))
    for x in (210, 560):
        draw.ellipse([x - 42, 330, x + 42, 414], fill=(28, 28, 28))
        draw.ellipse([x - 18, 354, x + 18, 390], fill=(160, 160, 160))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88)
    return out.getvalue()


def _summer_lake_jpeg() -> bytes:
    """A summer evening by the lake: sun, forest on the far shore, water."""
    from PIL import Image, ImageDraw

    width, height = 800, 500
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        if y < 280:
            shade = y / 280
            colour = (int(250 - 40 * shade), int(200 - 10 * shade), int(120 + 100 * shade))
        else:
            shade = (y - 280) / (height - 280)
            colour = (int(60 - 30 * shade), int(110 - 40 * shade), int(160 - 40 * shade))
        draw.line([(0, y), (width, y)], fill=colour)
    draw.ellipse([520, 150, 620, 250], fill=(255, 236, 170))
    for x in range(0, width, 22):
        tall = 40 + (x * 37) % 45
        draw.polygon([(x, 282), (x + 11, 282 - tall), (x + 22, 282)], fill=(34, 70, 44))
    for y in range(300, height, 26):
        draw.line([(540, y), (600, y)], fill=(250, 220, 150), width=3)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88)
    return out.getvalue()


@dataclass(frozen=True)
class DemoImage:
    make: Callable[[], bytes]
    alt_text: str
    credit: str
    consent: str


POOL = DemoImage(
    _pool_jpeg, "Piirroskuva uimahallin tyhjästä altaasta ylhäältä: kuusi rataa ja punavalkoiset ratanarut.",
    "Joroisten kunta", Media.Consent.NO_PEOPLE,
)
SHELVES = DemoImage(
    _bookshelf_png, "Piirroskuva kirjaston hyllyistä, jotka ovat täynnä värikkäitä kirjoja.", "Joroisten kunnan kirjasto", Media.Consent.NO_PEOPLE,
)
BUS = DemoImage(_school_bus_jpeg, "Piirroskuva keltaisesta koulubussista tiellä.", "Joroisten kunta", Media.Consent.NO_PEOPLE)
LAKE = DemoImage(
    _summer_lake_jpeg, "Piirroskuva kesäillasta järvellä: aurinko laskee metsän taakse ja heijastuu veteen.",
    "Joroisten kunta", Media.Consent.NO_PEOPLE,
)


# --- moments --------------------------------------------------------------------------------------


def _at(now: dt.datetime, *, days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment of a business morning `days_ago` days before `now` (a weekend moves to the Friday before)."""
    day = now.astimezone(HELSINKI).date() - dt.timedelta(days=days_ago)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=HELSINKI)


def _last_workday_end(now: dt.datetime) -> dt.date:
    """The latest business day whose afternoon (15.45) has passed by `now`: the day of the work in progress."""
    day = now.astimezone(HELSINKI).date()
    while day.weekday() >= 5 or dt.datetime.combine(day, dt.time(15, 45), tzinfo=HELSINKI) > now:
        day -= dt.timedelta(days=1)
    return day


def _next_week(now: dt.datetime, *, weekday: int, hour: int) -> dt.datetime:
    today = now.astimezone(HELSINKI).date()
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
    return dt.datetime.combine(monday + dt.timedelta(days=weekday), dt.time(hour), tzinfo=HELSINKI)


def _is_winter(now: dt.datetime) -> bool:
    return now.astimezone(HELSINKI).month not in (5, 6, 7, 8, 9)


# --- seeding --------------------------------------------------------------------------------------


def _person(organization: Organization, role: str, *, other_than: Sequence[Person] = ()) -> Person | None:
    holders = Person.objects.filter(organization=organization, roles__role=role).exclude(
        pk__in=[p.pk for p in other_than]
    ).order_by("pk")
    return holders.filter(email=DEMO_LOGINS.get(role, "")).first() or holders.first()


def _seed_bulletins(*, organization: Organization, now: dt.datetime, winter: bool) -> None:
    """The municipality's website feed as it would be read: an RSS document through the feed parser."""
    items = "".join(
        f"<item><title>{escape(b.title)}</title><link>{SITE}{b.path}</link>"
        f"<description>{escape(b.text)}</description>"
        f"<pubDate>{format_datetime(_at(now, days_ago=b.days_ago, hour=9).astimezone(dt.UTC))}</pubDate></item>"
        for b in _bulletins(winter)
    )
    feed = f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Joroisten kunta: ajankohtaista</title>{items}</channel></rss>'
    for item in feeds.parse_feed(feed.encode()):
        Bulletin.objects.update_or_create(
            organization=organization, url=item.url[:1000],
            defaults={"title": item.title, "text": item.text, "published_at": item.published_at, "fetched_at": now},
        )


def _backdate(post: Post, *, created: dt.datetime, updated: dt.datetime) -> None:
    Post.objects.filter(pk=post.pk).update(created_at=created, updated_at=updated)
    Media.objects.filter(post=post).update(created_at=created)


def _draft(
    *, organization: Organization, by: Person, text: str, channels: Sequence[Channel], link: str = "",
    image: DemoImage | None = None,
) -> Post:
    post = services.create_draft(organization=organization, by=by, text=text, channels=channels, link=link)
    if image is not None:
        services.add_media(
            post=post, by=by, data=image.make(), alt_text=image.alt_text, consent=image.consent, credit=image.credit,
        )
    return post


def _approved(post: Post, *, author: Person, approver: Person, at: dt.datetime) -> Post:
    post = services.submit_for_review(post=post, by=author, now=at)
    if post.state == Post.State.IN_REVIEW:
        post = services.approve(post=post, by=approver, now=at + dt.timedelta(minutes=35))
    return post


def _edit_roads(post: Post, *, by: Person, approver: Person, at: dt.datetime, winter: bool) -> None:
    """A correction to a published post, sent as an edit and approved on the four-eyes channel."""
    report = services.request_edit(
        post=post, by=by, text=ROADS_WINTER_EDITED if winter else ROADS_SUMMER_EDITED, reason=ROADS_EDIT_REASON, now=at,
    )
    approved = at + dt.timedelta(minutes=20)
    if report.waiting_for_review:
        services.approve_edit(edit=report.edit, by=approver, now=approved)
    PostEdit.objects.filter(pk=report.edit.pk).update(created_at=at)
    Post.objects.filter(pk=post.pk).update(updated_at=approved)


@transaction.atomic
def seed_demo_publishing(*, organization: Organization, now: dt.datetime | None = None) -> int:
    """Give the demo organization a publishing history; returns the number of posts made.

    Does nothing (and returns 0) when the organization already has posts, or lacks the people
    or an active channel to write them."""
    now = now or timezone.now()
    if Post.objects.filter(organization=organization).exists():
        return 0
    lead = _person(organization, Role.COMMS_LEAD)
    admin = _person(organization, Role.CHANNEL_ADMIN, other_than=[lead] if lead else [])
    colleague = _person(organization, Role.CHANNEL_ADMIN, other_than=[p for p in (lead, admin) if p])
    channels = list(
        Channel.objects.filter(organization=organization, status=Channel.Status.ACTIVE, platform__in=PUBLISHING_PLATFORMS)
        .order_by("pk")
    )
    if lead is None or admin is None or not channels:
        return 0
    colleague = colleague or admin
    facebook = next((c for c in channels if c.platform == "facebook"), channels[0])
    winter = _is_winter(now)
    _seed_bulletins(organization=organization, now=now, winter=winter)
    # Joroinen's main channel asks for four eyes: every post on it is approved by a second person.
    services.set_review_required(channel=facebook, required=True, by=lead)

    # Instagram publishes only posts with an image; the other channels take text alone.
    with_text = [c for c in channels if c.platform != "instagram"] or [facebook]
    published = (
        (26, LIBRARY_EVENING, channels, "/kirjasto/tapahtumat", SHELVES),
        (19, COUNCIL, with_text, "/paatoksenteko/kunnanvaltuusto", None),
        (12, SWIMMING, channels, "/liikunta/uimahalli", POOL),
        (6, ROADS_WINTER if winter else ROADS_SUMMER, [facebook], "/asuminen/katujen-kunnossapito", None),
        (2, SCHOOL_TRANSPORT, channels, "/opetus/koulukuljetukset", BUS),
    )
    made: list[Post] = []
    for days_ago, text, targets, path, image in published:
        written = _at(now, days_ago=days_ago, hour=8, minute=20)
        post = _draft(organization=organization, by=admin, text=text, channels=targets, link=SITE + path, image=image)
        post = _approved(post, author=admin, approver=lead, at=written + dt.timedelta(minutes=25))
        sent = written + dt.timedelta(hours=1, minutes=40)
        post = services.publish_post(post=post, by=admin, now=sent).post
        _backdate(post, created=written, updated=sent)
        if text in (ROADS_WINTER, ROADS_SUMMER):
            _edit_roads(post, by=admin, approver=lead, at=written + dt.timedelta(hours=4, minutes=45), winter=winter)
        made.append(post)

    # The work in progress, all of the latest working day.
    day = _last_workday_end(now)

    def on(hour: int, minute: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=HELSINKI)

    # Approved and scheduled for next Tuesday morning.
    story = _draft(organization=organization, by=admin, text=STORY_HOUR, channels=with_text, link=SITE + "/kirjasto/satutunti")
    story = _approved(story, author=admin, approver=lead, at=on(10, 40))
    story = services.schedule(post=story, by=admin, at=_next_week(now, weekday=1, hour=9), now=on(11, 30))
    _backdate(story, created=on(10, 30), updated=on(11, 30))
    made.append(story)

    # Written by a colleague, waiting for the communications lead.
    waiting = _draft(
        organization=organization, by=colleague, text=SUMMER_EVENT, channels=channels, link=SITE + "/kesatori", image=LAKE,
    )
    waiting = services.submit_for_review(post=waiting, by=colleague, now=on(14, 25))
    _backdate(waiting, created=on(14, 10), updated=on(14, 25))
    made.append(waiting)

    # Two drafts the checks advise on: a copy of the council bulletin, and a phone number.
    for at, text in ((on(15, 5), COUNCIL_COPY), (on(15, 40), TRANSPORT_PHONE)):
        draft = _draft(organization=organization, by=admin, text=text, channels=[facebook])
        _backdate(draft, created=at, updated=at)
        made.append(draft)
    return len(made)
