"""The Bluesky adapter's ingest against a real AppView: PLC + PDS + AppView from @atproto/dev-env
0.3.215 on loopback (tools/bluesky-pds/start-appview.js), the AppView's index in PostgreSQL.

The municipality's connector signs in to the PDS, which proxies app.bsky.* to the AppView:
listNotifications brings replies and mentions, getPostThread shows where a reply landed. The
residents write their posts straight to the PDS, as any Bluesky app would.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from somevahti.channels.models import Channel, ChannelConnection
from somevahti.connectors.base import (
    Batch,
    Cursor,
    IncomingInteraction,
    InteractionKind,
    InteractionRef,
    Outcome,
    OutgoingPost,
)
from somevahti.connectors.bluesky.parsers import parse_at_uri
from somevahti.guideline.services import install_default_guideline
from somevahti.inbox.models import Interaction
from somevahti.inbox.services import poll_channel

from .conftest import Account, LocalAppView, requires_pds

pytestmark = requires_pds

POST = "app.bsky.feed.post"


@dataclass(frozen=True)
class People:
    kunta: Account
    aino: Account       # a resident with a display name
    eero: Account       # a resident without a profile


@pytest.fixture
def people(appview: LocalAppView) -> People:
    aino = appview.create_account("aino")
    appview.write(aino, {"$type": "app.bsky.actor.profile", "displayName": "Aino Asukas"},
                  collection="app.bsky.actor.profile", rkey="self")
    return People(kunta=appview.create_account("kunta"), aino=aino, eero=appview.create_account("eero"))


def stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now() -> dt.datetime:
    """Now, to the millisecond, as Bluesky apps write createdAt."""
    moment = dt.datetime.now(dt.UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def publish(appview: LocalAppView, account: Account, text: str) -> dict[str, str]:
    """The municipality's post through the adapter, once the AppView shows it (people answer what they see)."""
    result = appview.connector(account).publish(OutgoingPost(text=text, language="fi"))
    assert result.outcome == Outcome.OK, result.message
    view = appview.wait_indexed(result.platform_id)
    return {"uri": view["uri"], "cid": view["cid"]}


def reply(appview: LocalAppView, resident: Account, text: str, *, parent: dict[str, str], root: dict[str, str],
          written: dt.datetime | None = None) -> dict[str, str]:
    return appview.write(resident, {"$type": POST, "text": text, "langs": ["fi"], "createdAt": stamp(written or now()),
                                    "reply": {"root": root, "parent": parent}})


def mention(appview: LocalAppView, resident: Account, whom: Account, before: str, after: str,
            written: dt.datetime | None = None) -> tuple[dict[str, str], str]:
    """A post that mentions `whom` with a mention facet (UTF-8 byte offsets), as the Bluesky app writes it."""
    text = f"{before}@{whom.handle}{after}"
    start = len(before.encode("utf-8"))
    facet = {"index": {"byteStart": start, "byteEnd": start + len(f"@{whom.handle}".encode())},
             "features": [{"$type": "app.bsky.richtext.facet#mention", "did": whom.did}]}
    ref = appview.write(resident, {"$type": POST, "text": text, "langs": ["fi"], "createdAt": stamp(written or now()),
                                   "facets": [facet]})
    return ref, text


def fetch(appview: LocalAppView, account: Account, cursor: Cursor | None = None) -> Batch:
    batch = appview.connector(account).fetch_interactions(cursor or Cursor())
    assert batch.outcome == Outcome.OK, batch.message
    return batch


def by_id(batch: Batch) -> dict[str, IncomingInteraction]:
    return {item.platform_id: item for item in batch.items}


def thread(appview: LocalAppView, account: Account, uri: str) -> dict[str, Any]:
    response = httpx.get(f"{appview.url}/xrpc/app.bsky.feed.getPostThread", params={"uri": uri, "depth": 6},
                         headers={"Authorization": f"Bearer {appview.token(account)}"}, timeout=30)
    assert response.status_code == 200, response.text
    return dict(response.json()["thread"])


def test_fetch__a_residents_reply_and_a_mention_arrive_with_kind_author_text_thread_and_time(
    appview: LocalAppView, people: People,
) -> None:
    post = publish(appview, people.kunta, "Uimahalli on auki myös pyhäpäivinä klo 10–16.")
    replied_at = now() - dt.timedelta(seconds=2)
    comment = reply(appview, people.aino, "Entä pääsiäisenä? 🐣", parent=post, root=post, written=replied_at)
    mentioned_at = now() - dt.timedelta(seconds=1)
    shout, shout_text = mention(appview, people.eero, people.kunta, "Kiitos ", " – hyvä että myös pyhinä! 🏊",
                                written=mentioned_at)
    appview.wait_notified(people.kunta, comment["uri"], shout["uri"])

    batch = fetch(appview, people.kunta)

    assert [item.platform_id for item in batch.items] == [comment["uri"], shout["uri"]]   # oldest first
    first, second = batch.items
    assert (first.kind, first.text) == (InteractionKind.COMMENT, "Entä pääsiäisenä? 🐣")
    assert (first.author.platform_id, first.author.handle, first.author.name) == (
        people.aino.did, people.aino.handle, "Aino Asukas")
    assert (first.post_id, first.parent_id, first.thread_id) == (post["uri"], post["uri"], post["uri"])
    assert first.created_at == replied_at
    assert first.channel_platform_id == people.kunta.did and not first.from_us
    assert first.permalink == f"https://bsky.app/profile/{people.aino.handle}/post/{parse_at_uri(comment['uri']).rkey}"
    assert first.extra["cid"] == comment["cid"] and first.extra["root_uri"] == post["uri"]
    assert (second.kind, second.text) == (InteractionKind.MENTION, shout_text)
    assert (second.author.platform_id, second.author.handle, second.author.name) == (
        people.eero.did, people.eero.handle, "")
    assert (second.post_id, second.parent_id, second.thread_id) == ("", "", shout["uri"])
    assert second.created_at == mentioned_at


def test_fetch__the_cursor_gives_nothing_twice_and_then_only_the_new_reply(appview: LocalAppView, people: People) -> None:
    post = publish(appview, people.kunta, "Kirjaston aukioloajat muuttuvat 1.3. alkaen.")
    comment = reply(appview, people.aino, "Entä lauantait?", parent=post, root=post)
    appview.wait_notified(people.kunta, comment["uri"])
    first = fetch(appview, people.kunta)
    assert [item.platform_id for item in first.items] == [comment["uri"]]

    again = fetch(appview, people.kunta, first.cursor)
    assert again.items == []

    appview.wait_indexed(comment["uri"])
    answer = reply(appview, people.eero, "Lauantaisin 10–15, luki tiedotteessa.", parent=comment, root=post)
    appview.wait_notified(people.kunta, answer["uri"])
    third = fetch(appview, people.kunta, again.cursor)

    assert [item.platform_id for item in third.items] == [answer["uri"]]
    [item] = third.items
    assert (item.kind, item.post_id, item.parent_id, item.thread_id) == (
        InteractionKind.REPLY, post["uri"], comment["uri"], post["uri"])
    assert item.author.handle == people.eero.handle
    assert fetch(appview, people.kunta, third.cursor).items == []


def test_fetch__a_reply_dated_before_the_last_fetch_is_not_lost(appview: LocalAppView, people: People) -> None:
    # The AppView orders notifications by the earlier of the post's createdAt (set by the
    # resident's app) and the time it indexed the post. A phone whose clock is behind, or a post
    # that reaches the AppView late, sorts before things the adapter has already seen.
    post = publish(appview, people.kunta, "Katujen hiekoitus alkaa maanantaina.")
    comment = reply(appview, people.aino, "Hyvä!", parent=post, root=post)
    appview.wait_notified(people.kunta, comment["uri"])
    first = fetch(appview, people.kunta)
    assert [item.platform_id for item in first.items] == [comment["uri"]]

    written = now() - dt.timedelta(minutes=3)
    late = reply(appview, people.eero, "Meidän kadulla ei ole vielä hiekoitettu.", parent=post, root=post,
                 written=written)
    appview.wait_notified(people.kunta, late["uri"])
    second = fetch(appview, people.kunta, first.cursor)

    assert [item.platform_id for item in second.items] == [late["uri"]]
    assert second.items[0].created_at == written
    assert fetch(appview, people.kunta, second.cursor).items == []


def test_fetch__a_reply_that_also_mentions_the_municipality_comes_once_as_a_comment(
    appview: LocalAppView, people: People,
) -> None:
    post = publish(appview, people.kunta, "Kerro, mitä puistoon pitäisi tehdä.")
    text = f"@{people.kunta.handle} lisää penkkejä, kiitos!"
    facet = {"index": {"byteStart": 0, "byteEnd": len(f"@{people.kunta.handle}")},
             "features": [{"$type": "app.bsky.richtext.facet#mention", "did": people.kunta.did}]}
    both = appview.write(people.aino, {"$type": POST, "text": text, "createdAt": stamp(now()), "facets": [facet],
                                       "reply": {"root": post, "parent": post}})
    appview.wait_notified(people.kunta, both["uri"])

    batch = fetch(appview, people.kunta)

    assert [(item.platform_id, item.kind, item.parent_id) for item in batch.items] == [
        (both["uri"], InteractionKind.COMMENT, post["uri"])]


def test_reply__through_the_adapter_lands_under_the_comment_and_the_answer_to_it_comes_back(
    appview: LocalAppView, people: People,
) -> None:
    post = publish(appview, people.kunta, "Jätekeräys siirtyy torstaille.")
    comment = reply(appview, people.aino, "Koskeeko tämä myös biojätettä?", parent=post, root=post)
    appview.wait_notified(people.kunta, comment["uri"])
    [item] = fetch(appview, people.kunta).items
    kunta = appview.connector(people.kunta)
    start = kunta.fetch_interactions(Cursor())

    result = kunta.reply(InteractionRef(item.platform_id, item.kind, item.extra), "Koskee, myös biojäte haetaan torstaina.")

    assert result.outcome == Outcome.OK, result.message
    assert parse_at_uri(result.platform_id).repo == people.kunta.did
    ours = appview.wait_indexed(result.platform_id)
    seen = thread(appview, people.kunta, post["uri"])
    assert seen["post"]["uri"] == post["uri"]
    [under_post] = seen["replies"]
    assert under_post["post"]["uri"] == comment["uri"]
    [under_comment] = under_post["replies"]
    assert under_comment["post"]["uri"] == result.platform_id
    assert under_comment["post"]["author"]["did"] == people.kunta.did
    record = under_comment["post"]["record"]
    assert record["text"] == "Koskee, myös biojäte haetaan torstaina." and record["langs"] == ["fi"]
    assert record["reply"] == {"root": post, "parent": comment}
    # Read from the reply's side too: getPostThread of our reply has the comment and the post above it.
    above = thread(appview, people.kunta, result.platform_id)
    assert above["parent"]["post"]["uri"] == comment["uri"] and above["parent"]["parent"]["post"]["uri"] == post["uri"]
    # Our own reply is no interaction; the resident's answer to it is a reply in the same thread.
    answer = reply(appview, people.aino, "Kiitos tiedosta!", parent={"uri": ours["uri"], "cid": ours["cid"]}, root=post)
    appview.wait_notified(people.kunta, answer["uri"])
    after = kunta.fetch_interactions(start.cursor)
    assert after.outcome == Outcome.OK, after.message
    assert [(i.platform_id, i.kind, i.parent_id, i.post_id) for i in after.items] == [
        (answer["uri"], InteractionKind.REPLY, result.platform_id, post["uri"])]


@pytest.mark.django_db
def test_inbox__polling_the_channel_brings_the_reply_and_the_mention_in_once(
    organization, appview: LocalAppView, people: People, settings, tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    settings.SOMEVAHTI_CONNECTORS = {}   # the test settings name the fake for every platform
    settings.DATA_DIR = tmp_path
    install_default_guideline(organization=organization)
    channel = Channel.objects.create(
        organization=organization, key="bluesky-joroinen", platform="bluesky", name="Joroinen Blueskyssa",
        platform_id=people.kunta.did, handle=people.kunta.handle, status=Channel.Status.ACTIVE,
    )
    connection = ChannelConnection(channel=channel, base_url=appview.url)
    connection.set_token(people.kunta.password)
    connection.save()
    post = publish(appview, people.kunta, "Kunnantalo on suljettu perjantaina.")
    comment = reply(appview, people.aino, "Miksi?", parent=post, root=post)
    shout, shout_text = mention(appview, people.eero, people.kunta, "Huom. ", " sulkee talon perjantaina.")
    appview.wait_notified(people.kunta, comment["uri"], shout["uri"])

    first = poll_channel(channel=channel)
    second = poll_channel(channel=channel)

    assert first is not None and first.created == 2
    assert second is not None and second.created == 0
    stored = {i.platform_id: i for i in Interaction.objects.filter(channel=channel)}
    assert set(stored) == {comment["uri"], shout["uri"]}
    asked, noted = stored[comment["uri"]], stored[shout["uri"]]
    assert (asked.kind, asked.text, asked.author_name, asked.author_handle) == (
        Interaction.Kind.COMMENT, "Miksi?", "Aino Asukas", people.aino.handle)
    assert (asked.post_platform_id, asked.parent_platform_id, asked.thread_id) == (post["uri"], post["uri"], post["uri"])
    assert (noted.kind, noted.text, noted.author_handle) == (Interaction.Kind.MENTION, shout_text, people.eero.handle)
    connection.refresh_from_db()
    assert connection.cursor and connection.health == ChannelConnection.Health.OK

    # A new comment later arrives on the next poll, alone.
    later = reply(appview, people.eero, "Onko asiointipiste auki?", parent=post, root=post)
    appview.wait_notified(people.kunta, later["uri"])
    third = poll_channel(channel=channel)
    assert third is not None and third.created == 1
    assert Interaction.objects.filter(channel=channel).count() == 3
