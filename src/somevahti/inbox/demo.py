"""The demo organization's feedback: connections to the fake platforms, three days of comments,
some answered in time, some late, some waiting, and a library of canned replies."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from somevahti.channels.models import Channel, ChannelConnection

from .models import CannedReply, Interaction, InteractionEvent, Reply
from .services import auto_assign, poll_channel

CANNED = (
    ("canned", "fi", "Kiitos palautteesta", "Kiitos palautteestasi! Välitämme asian eteenpäin ja palaamme siihen mahdollisimman pian."),
    ("canned", "sv", "Tack för responsen", "Tack för din respons! Vi för ärendet vidare och återkommer så snart som möjligt."),
    ("canned", "en", "Thank you for the feedback", "Thank you for your feedback! We will pass it on and get back to you as soon as we can."),
    ("canned", "fi", "Yksityisviestiin", "Kiitos viestistä. Jotta yksityisyytesi säilyy, emme käsittele henkilökohtaisia asioita julkisesti. Otathan yhteyttä kunnan kirjaamoon."),
    ("official", "fi", "Uimahallin remontti", "Uimahallin peruskorjaus valmistuu suunnitelman mukaan helmikuussa. Tiedotamme avaamisesta kunnan verkkosivuilla."),
    ("official", "sv", "Simhallens renovering", "Simhallens renovering blir enligt planen färdig i februari. Vi informerar om öppnandet på kommunens webbplats."),
)


@transaction.atomic
def seed_canned_replies(*, organization: Any) -> None:
    for kind, language, title, text in CANNED:
        CannedReply.objects.get_or_create(organization=organization, kind=kind, language=language, title=title, defaults={"text": text})


def seed_demo_inbox(*, organization: Any, now: dt.datetime | None = None) -> int:
    """Fetch the fake platforms' recent comments and give them a believable history."""
    now = now or timezone.now()
    seed_canned_replies(organization=organization)
    created = 0
    for channel in Channel.objects.filter(organization=organization, status=Channel.Status.ACTIVE):
        ChannelConnection.objects.get_or_create(channel=channel, defaults={"health": ChannelConnection.Health.OK})
        result = poll_channel(channel=channel, now=now)
        created += result.created if result else 0
    for item in Interaction.objects.filter(organization=organization, expects_answer=True).order_by("created_at"):
        roll = hashlib.sha256(item.platform_id.encode()).digest()[0]
        # Most feedback whose deadline has passed was answered (a few late, a couple never);
        # what is still within its deadline waits in the inbox, some of it assigned.
        if item.deadline is not None and item.deadline <= now and roll % 9 != 0:
            _answer_in_the_past(item, minutes=20 + roll * (6 if roll % 5 == 0 else 1))
        elif roll % 2 == 0:
            auto_assign(interaction=item, now=now)
    return created


def _answer_in_the_past(item: Interaction, *, minutes: int) -> None:
    at = item.created_at + dt.timedelta(minutes=minutes)
    Reply.objects.create(
        interaction=item, text="Kiitos palautteestasi! Asia on välitetty eteenpäin.", status=Reply.Status.SENT,
        idempotency_key=uuid.uuid4().hex, outcome="ok", sent_at=at,
    )
    item.first_response_at = at
    item.state = Interaction.State.ANSWERED
    item.save(update_fields=["first_response_at", "state", "updated_at"])
    InteractionEvent.objects.create(interaction=item, verb="answered", at=at)
