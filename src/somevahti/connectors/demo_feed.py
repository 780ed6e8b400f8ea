"""Realistic comments for the demo: the fake platform receives one now and then.

Stateless and the same in every process: a comment's slot in time decides what it says, so
the web process and the task worker see the same conversation without sharing memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from .base import Author, IncomingInteraction, InteractionKind, Verb

SLOT = dt.timedelta(minutes=47)
LOOKBACK = dt.timedelta(days=3)

COMMENTS: tuple[tuple[str, str, InteractionKind], ...] = (
    ("Milloin uimahallin remontti valmistuu? Talvella olisi kiva päästä uimaan.", "Sari Kettunen", InteractionKind.COMMENT),
    ("Kiitos hienosta kesäteatterista! Ensi vuonna uudestaan.", "Pertti Rönkkö", InteractionKind.COMMENT),
    ("Onko kirjasto auki itsenäisyyspäivän aattona?", "Leena Hyvönen", InteractionKind.COMMENT),
    ("Mutalantien katuvalot ovat olleet pimeinä jo viikon. Kenelle tästä pitää ilmoittaa?", "Jari Pesonen", InteractionKind.COMMENT),
    ("Miksi koulukyydit eivät kulje Kotkatharjun suunnalla aamulla? Lapset odottivat pakkasessa.", "Heidi Tiihonen", InteractionKind.COMMENT),
    ("Voiko kunnan kuntosalille ostaa kausikortin netistä?", "Mikael Lindroos", InteractionKind.COMMENT),
    ("Naapurini henkilötunnus 131052-308T näkyi kirjeessä, joka tuli minulle. Miten toimin?", "Tuula Savolainen", InteractionKind.MESSAGE),
    ("Soittakaa minulle, numero on 040 765 4321, kyse on rakennusluvasta.", "Arto Karjalainen", InteractionKind.MESSAGE),
    ("Hej! Finns det information om simhallens öppettider på svenska?", "Anna Lindqvist", InteractionKind.COMMENT),
    ("Hyvä että tiet aurattiin ajoissa tänä aamuna, kiitos!", "Raimo Hämäläinen", InteractionKind.COMMENT),
    ("@joroistenkunta milloin seuraava valtuuston kokous on?", "Niina Turunen", InteractionKind.MENTION),
    ("Jäähallin vuorolista ei aukea sivuilta. Onko linkki rikki?", "Ville Korhonen", InteractionKind.COMMENT),
    ("Äitini on ollut sairaalassa viikon, pääseekö hän kotihoidon piiriin nopeasti?", "Kirsi Miettinen", InteractionKind.MESSAGE),
    ("Missä voi kierrättää vanhat paristot Joroisissa?", "Olli Heikkinen", InteractionKind.COMMENT),
    ("Koiranuimarannalle toivottaisiin roska-astiaa.", "Marja Laitinen", InteractionKind.COMMENT),
)


def _slot_index(moment: dt.datetime) -> int:
    return int(moment.timestamp() // SLOT.total_seconds())


def demo_comments(*, channel_platform_id: str, since: dt.datetime | None, now: dt.datetime) -> list[IncomingInteraction]:
    """Comments of the slots after `since` (at most LOOKBACK back), about every second slot."""
    start = max(since or now - LOOKBACK, now - LOOKBACK)
    items = []
    for slot in range(_slot_index(start) + 1, _slot_index(now) + 1):
        digest = hashlib.sha256(f"{channel_platform_id}:{slot}".encode()).digest()
        if digest[0] % 2:
            continue
        text, author, kind = COMMENTS[digest[1] % len(COMMENTS)]
        created = dt.datetime.fromtimestamp(slot * SLOT.total_seconds(), tz=dt.UTC) + dt.timedelta(minutes=digest[2] % 40)
        if created > now:
            continue
        items.append(
            IncomingInteraction(
                platform_id=f"{channel_platform_id}_demo{slot}",
                kind=kind,
                verb=Verb.ADD,
                text=text,
                author=Author(platform_id=f"demo-{digest[3]}", name=author),
                created_at=created,
                channel_platform_id=channel_platform_id,
                # A private message is its own conversation; comments belong to a post of the day.
                post_id="" if kind == InteractionKind.MESSAGE else f"{channel_platform_id}_post{slot // 30}",
                thread_id=f"dm-{digest[3]}" if kind == InteractionKind.MESSAGE else f"{channel_platform_id}_post{slot // 30}",
                raw={"demo": True, "slot": slot},
            )
        )
    return items
