"""The Bluesky adapter against a real PDS (@atproto/pds 0.4.217) on loopback, without an AppView:
publish, images, idempotency, ingest through repository reads, replies, deletes, failures."""

from __future__ import annotations

import datetime as dt
import logging
import struct
import tempfile
import zlib
from pathlib import Path

import httpx
import pytest

from somevahti.connectors.base import (
    Cursor,
    InteractionKind,
    InteractionRef,
    MediaItem,
    Outcome,
    OutgoingPost,
)
from somevahti.connectors.bluesky.client import BlueskyClient
from somevahti.connectors.bluesky.connector import _SESSIONS, BlueskyConnector
from somevahti.connectors.bluesky.parsers import parse_at_uri

from .conftest import Accounts, LocalPds, requires_pds, start_pds

pytestmark = requires_pds


def png(width: int = 4, height: int = 3) -> bytes:
    """A small valid PNG, made here so that the test needs no image files."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x2a\x8c\xd1" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def record_of(pds: LocalPds, uri: str) -> dict:
    at = parse_at_uri(uri)
    response = httpx.get(f"{pds.url}/xrpc/com.atproto.repo.getRecord",
                         params={"repo": at.repo, "collection": at.collection, "rkey": at.rkey})
    assert response.status_code == 200, response.text
    return response.json()


def post_count(pds: LocalPds, did: str) -> int:
    response = httpx.get(f"{pds.url}/xrpc/com.atproto.repo.listRecords",
                         params={"repo": did, "collection": "app.bsky.feed.post", "limit": 100})
    return len(response.json()["records"])


def test_publish__finnish_letters_and_emoji_before_a_mention_get_byte_offsets_right(pds: LocalPds, accounts: Accounts) -> None:
    text = (f"Uimahalli on auki myös pyhäpäivänä 🏊‍♀️ 🌲 @{accounts.asukas_a.handle} "
            "kiitos vinkistä! Aukioloajat: https://www.kunta.fi/liikunta/uimahalli.")

    result = pds.connector(accounts.kunta).publish(OutgoingPost(text=text, language="fi"))

    assert result.outcome == Outcome.OK, result.message
    rkey = parse_at_uri(result.platform_id).rkey
    assert result.platform_id == f"at://{accounts.kunta.did}/app.bsky.feed.post/{rkey}"
    assert result.url == f"https://bsky.app/profile/{accounts.kunta.handle}/post/{rkey}"
    value = record_of(pds, result.platform_id)["value"]
    assert value["text"] == text
    assert value["langs"] == ["fi"]
    encoded = text.encode("utf-8")
    spans = {
        facet["features"][0]["$type"].rsplit("#", 1)[1]: (
            encoded[facet["index"]["byteStart"]:facet["index"]["byteEnd"]].decode("utf-8"), facet["features"][0])
        for facet in value["facets"]
    }
    assert spans["mention"][0] == f"@{accounts.asukas_a.handle}"
    assert spans["mention"][1]["did"] == accounts.asukas_a.did
    assert spans["link"][0] == "https://www.kunta.fi/liikunta/uimahalli"
    assert spans["link"][1]["uri"] == "https://www.kunta.fi/liikunta/uimahalli"
    # the character offset differs from the byte offset: ä, ö and the emoji take several bytes
    assert text.index("@") < value["facets"][0]["index"]["byteStart"]


def test_publish__image_with_alt_text_is_uploaded_and_can_be_read_back(pds: LocalPds, accounts: Accounts) -> None:
    image = png()
    post = OutgoingPost(text="Uusi leikkipaikka on valmis.", media=(
        MediaItem(url="leikkipaikka.png", alt_text="Punainen liukumäki ja hiekkalaatikko puiston laidalla.",
                  content_type="image/png", data=image),
    ))

    result = pds.connector(accounts.kunta).publish(post)

    assert result.outcome == Outcome.OK, result.message
    embed = record_of(pds, result.platform_id)["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    [item] = embed["images"]
    assert item["alt"] == "Punainen liukumäki ja hiekkalaatikko puiston laidalla."
    assert item["image"]["mimeType"] == "image/png"
    assert item["image"]["size"] == len(image)
    blob = BlueskyClient(pds.url).get_blob(did=accounts.kunta.did, cid=item["image"]["ref"]["$link"])
    assert blob == image


def test_publish__image_from_a_local_path_is_read_from_disk(pds: LocalPds, accounts: Accounts, tmp_path: Path) -> None:
    path = tmp_path / "kartta.png"
    path.write_bytes(png(8, 8))

    result = pds.connector(accounts.kunta).publish(OutgoingPost(
        text="Kartta", media=(MediaItem(url=str(path), alt_text="Kartta", content_type="image/png"),)))

    assert result.outcome == Outcome.OK, result.message
    assert record_of(pds, result.platform_id)["value"]["embed"]["images"][0]["image"]["size"] == path.stat().st_size


def test_publish__image_over_one_megabyte_fails_clearly_and_publishes_nothing(pds: LocalPds, accounts: Accounts) -> None:
    before = post_count(pds, accounts.kunta.did)
    big = MediaItem(url="iso.jpg", alt_text="Iso kuva", data=b"\xff" * 1_000_001)

    result = pds.connector(accounts.kunta).publish(OutgoingPost(text="Liian iso kuva", media=(big,)))

    assert result.outcome == Outcome.FAILED
    assert "1 MB" in result.message and "Image 1" in result.message
    assert post_count(pds, accounts.kunta.did) == before


def test_publish__five_images_fail_clearly_and_publish_nothing(pds: LocalPds, accounts: Accounts) -> None:
    before = post_count(pds, accounts.kunta.did)
    media = tuple(MediaItem(url=f"{n}.png", alt_text=str(n), content_type="image/png", data=png()) for n in range(5))

    result = pds.connector(accounts.kunta).publish(OutgoingPost(text="Viisi kuvaa", media=media))

    assert result.outcome == Outcome.FAILED
    assert "at most 4 images" in result.message
    assert post_count(pds, accounts.kunta.did) == before


def test_publish__same_idempotency_key_twice_makes_one_record(pds: LocalPds, accounts: Accounts) -> None:
    before = post_count(pds, accounts.kunta.did)
    post = OutgoingPost(text="Tiedote: vesikatko tiistaina klo 9–12.", idempotency_key="publication-42-bluesky")

    first = pds.connector(accounts.kunta).publish(post)
    second = pds.connector(accounts.kunta).publish(post)   # a new connector, as a retried task would have

    assert first.outcome == second.outcome == Outcome.OK
    assert first.platform_id == second.platform_id
    assert first.url == second.url
    assert post_count(pds, accounts.kunta.did) == before + 1


def test_publish__text_over_300_characters_fails_with_a_message(pds: LocalPds, accounts: Accounts) -> None:
    result = pds.connector(accounts.kunta).publish(OutgoingPost(text="ä" * 301))

    assert result.outcome == Outcome.FAILED
    assert "300" in result.message


def test_fetch_interactions__finds_comments_replies_and_mentions_then_nothing_new(pds: LocalPds, accounts: Accounts) -> None:
    kunta = pds.connector(accounts.kunta)
    start = kunta.fetch_interactions(Cursor())
    assert start.outcome == Outcome.OK, start.message
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    post = kunta.publish(OutgoingPost(text="Kirjaston aukioloajat muuttuvat 1.3. alkaen."))
    comment = pds.connector(accounts.asukas_a).reply(InteractionRef(post.platform_id), "Entä lauantait?")
    answer = pds.connector(accounts.asukas_b).reply(InteractionRef(comment.platform_id), "Lauantaisin 10–15.")
    mention = pds.connector(accounts.asukas_b).publish(
        OutgoingPost(text=f"Kiitos @{accounts.kunta.handle} nopeasta vastauksesta! 👍"))
    after = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)

    batch = kunta.fetch_interactions(start.cursor)

    assert batch.outcome == Outcome.OK, batch.message
    by_id = {item.platform_id: item for item in batch.items}
    assert set(by_id) == {comment.platform_id, answer.platform_id, mention.platform_id}
    first, second, third = by_id[comment.platform_id], by_id[answer.platform_id], by_id[mention.platform_id]
    assert (first.kind, first.parent_id, first.post_id, first.thread_id) == (
        InteractionKind.COMMENT, post.platform_id, post.platform_id, post.platform_id)
    assert (second.kind, second.parent_id, second.post_id, second.thread_id) == (
        InteractionKind.REPLY, comment.platform_id, post.platform_id, post.platform_id)
    assert (third.kind, third.parent_id, third.post_id) == (InteractionKind.MENTION, "", "")
    assert first.text == "Entä lauantait?"
    assert first.author.platform_id == accounts.asukas_a.did
    assert first.author.handle == accounts.asukas_a.handle
    assert second.author.handle == accounts.asukas_b.handle
    assert first.permalink == f"https://bsky.app/profile/{accounts.asukas_a.handle}/post/{parse_at_uri(comment.platform_id).rkey}"
    assert all(before <= item.created_at <= after for item in batch.items)
    assert [item.platform_id for item in batch.items] == [comment.platform_id, answer.platform_id, mention.platform_id]
    assert all(item.channel_platform_id == accounts.kunta.did and not item.from_us for item in batch.items)
    assert first.extra["cid"] and first.extra["root_uri"] == post.platform_id

    again = kunta.fetch_interactions(batch.cursor)

    assert again.outcome == Outcome.OK
    assert again.items == []


def test_reply__lands_in_the_right_thread_with_root_and_parent(pds: LocalPds, accounts: Accounts) -> None:
    kunta = pds.connector(accounts.kunta)
    start = kunta.fetch_interactions(Cursor())
    post = kunta.publish(OutgoingPost(text="Kerro, mitä puistoon pitäisi tehdä."))
    comment = pds.connector(accounts.asukas_a).reply(InteractionRef(post.platform_id), "Lisää penkkejä.")
    deeper = pds.connector(accounts.asukas_b).reply(InteractionRef(comment.platform_id), "Ja roskiksia!")
    [_, incoming] = kunta.fetch_interactions(start.cursor).items
    assert incoming.platform_id == deeper.platform_id

    with_extra = kunta.reply(InteractionRef(incoming.platform_id, InteractionKind.REPLY, incoming.extra),
                             "Kiitos, välitämme toiveen puistotoimelle.")
    without_extra = kunta.reply(InteractionRef(deeper.platform_id), "Roska-astioita tulee kaksi lisää.")

    post_cid = record_of(pds, post.platform_id)["cid"]
    deeper_cid = record_of(pds, deeper.platform_id)["cid"]
    for result in (with_extra, without_extra):
        assert result.outcome == Outcome.OK, result.message
        assert result.platform_id.startswith(f"at://{accounts.kunta.did}/app.bsky.feed.post/")
        value = record_of(pds, result.platform_id)["value"]
        assert value["reply"]["root"] == {"uri": post.platform_id, "cid": post_cid}
        assert value["reply"]["parent"] == {"uri": deeper.platform_id, "cid": deeper_cid}
        assert value["langs"] == ["fi"]


def test_reply__to_a_deleted_comment_is_not_found_and_sends_nothing(pds: LocalPds, accounts: Accounts) -> None:
    kunta = pds.connector(accounts.kunta)
    post = kunta.publish(OutgoingPost(text="Palaute tiestä?"))
    resident = pds.connector(accounts.asukas_a)
    comment = resident.reply(InteractionRef(post.platform_id), "Kuoppa Koulukadulla.")
    assert resident.delete(InteractionRef(comment.platform_id)).outcome == Outcome.OK
    before = post_count(pds, accounts.kunta.did)

    result = kunta.reply(InteractionRef(comment.platform_id, extra={"cid": "bafyreigone"}), "Kiitos, korjataan.")

    assert result.outcome == Outcome.NOT_FOUND
    assert "deleted" in result.message
    assert post_count(pds, accounts.kunta.did) == before


def test_delete__removes_our_own_post_and_refuses_someone_elses(pds: LocalPds, accounts: Accounts) -> None:
    kunta = pds.connector(accounts.kunta)
    post = kunta.publish(OutgoingPost(text="Väärä tiedote"))
    theirs = pds.connector(accounts.asukas_b).publish(OutgoingPost(text="Oma postaus"))

    assert kunta.delete(InteractionRef(post.platform_id)).outcome == Outcome.OK
    refused = kunta.delete(InteractionRef(theirs.platform_id))

    at = parse_at_uri(post.platform_id)
    gone = httpx.get(f"{pds.url}/xrpc/com.atproto.repo.getRecord",
                     params={"repo": at.repo, "collection": at.collection, "rkey": at.rkey})
    assert gone.status_code == 400 and gone.json()["error"] == "RecordNotFound"
    assert refused.outcome == Outcome.FAILED
    assert "only its own posts" in refused.message
    assert record_of(pds, theirs.platform_id)["value"]["text"] == "Oma postaus"


def test_hide__is_not_supported_on_bluesky_and_says_so(pds: LocalPds, accounts: Accounts) -> None:
    connector = pds.connector(accounts.kunta)

    result = connector.hide(InteractionRef("at://did:plc:x/app.bsky.feed.post/3abc"), True)

    assert result.outcome == Outcome.FAILED
    assert "cannot hide" in result.message
    assert "hide" not in BlueskyConnector.capabilities


def test_health__ok_with_the_right_app_password(pds: LocalPds, accounts: Accounts) -> None:
    result = pds.connector(accounts.kunta).health()

    assert result.outcome == Outcome.OK, result.message
    assert result.platform_id == accounts.kunta.did


def test_wrong_app_password__is_unauthorized_and_never_shown(pds: LocalPds, accounts: Accounts,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    from somevahti.connectors.base import Credentials

    secret = "vaara-salasana-1234"
    connector = BlueskyConnector(credentials=Credentials(
        platform_id=accounts.kunta.did, token=secret, base_url=pds.url, handle=accounts.kunta.handle))
    caplog.set_level(logging.DEBUG)

    health = connector.health()
    published = connector.publish(OutgoingPost(text="Ei pitäisi näkyä"))
    fetched = connector.fetch_interactions(Cursor())

    assert health.outcome == published.outcome == fetched.outcome == Outcome.UNAUTHORIZED
    assert "app password" in health.message and "reconnect" in health.message
    for text in (health.message, published.message, fetched.message, repr(connector), repr(connector.credentials),
                 caplog.text):
        assert secret not in text


def test_expired_session__is_refreshed_once_and_the_call_succeeds(pds: LocalPds, accounts: Accounts) -> None:
    connector = pds.connector(accounts.kunta)
    assert connector.health().outcome == Outcome.OK
    [(key, session)] = _SESSIONS.items()
    # a token the PDS no longer accepts, as after expiry
    _SESSIONS[key] = type(session)(did=session.did, handle=session.handle, access_jwt="eyJ.vanhentunut.x",
                                   refresh_jwt=session.refresh_jwt)

    result = connector.publish(OutgoingPost(text="Istunto uusittiin."))

    assert result.outcome == Outcome.OK, result.message
    assert _SESSIONS[key].access_jwt != "eyJ.vanhentunut.x"
    assert _SESSIONS[key].refresh_jwt != session.refresh_jwt   # refreshSession rotates the refresh token


def test_stopped_server__publish_fails_with_a_message() -> None:
    with tempfile.TemporaryDirectory(prefix="somevahti-pds-stop-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        server = start_pds(data_dir)
        try:
            account = server.create_account("lopetus")
            first = server.connector(account, timeout=3.0)
            assert first.health().outcome == Outcome.OK
            first.client.close()     # a kept-alive connection would delay the server's graceful stop
        finally:
            server.stop()
        connector = server.connector(account, timeout=3.0)   # signed in: the session is remembered

        result = connector.publish(OutgoingPost(text="Palvelin on pysähtynyt."))
        batch = connector.fetch_interactions(Cursor())

    assert result.outcome == Outcome.FAILED
    assert "could not reach the Bluesky server" in result.message and server.url in result.message
    assert batch.outcome == Outcome.FAILED and batch.items == []
