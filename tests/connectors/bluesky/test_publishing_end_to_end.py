"""From the publishing service to a real PDS: draft → approval by another person → publish through
the Bluesky adapter, then read the record back from the PDS (tools/bluesky-pds, on loopback)."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from somevahti.archive.models import ArchiveRecord, RecordKind
from somevahti.channels.models import Channel, ChannelConnection
from somevahti.connectors.bluesky.client import BlueskyClient
from somevahti.connectors.bluesky.parsers import parse_at_uri
from somevahti.guideline.services import install_default_guideline
from somevahti.publishing import media as images
from somevahti.publishing import services
from somevahti.publishing.models import Post, PostTarget
from tests.factories import make_user_person
from tests.publishing.conftest import jpeg_bytes

from .conftest import Accounts, LocalPds, requires_pds

pytestmark = [requires_pds, pytest.mark.django_db]

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
ALT = "Joulukuusi Joroisten torilla lumisateessa, taustalla kunnantalo."


@pytest.fixture(autouse=True)
def _real_adapter_and_media_in_tmp(settings, tmp_path):
    settings.SOMEVAHTI_CONNECTORS = {}   # the test settings name the fake for every platform
    settings.DATA_DIR = tmp_path


def test_publishing__a_post_with_an_image_reaches_the_pds_with_its_alt_text_link_and_archive_record(
    organization, pds: LocalPds, accounts: Accounts,
) -> None:
    install_default_guideline(organization=organization)
    channel = Channel.objects.create(
        organization=organization, key="bluesky-joroinen", platform="bluesky", name="Joroinen Blueskyssa",
        platform_id=accounts.kunta.did, handle=accounts.kunta.handle, status=Channel.Status.ACTIVE,
    )
    connection = ChannelConnection(channel=channel, base_url=pds.url)
    connection.set_token(accounts.kunta.password)
    connection.save()
    _user, author = make_user_person(organization, roles=["channel_admin"], name="Aino Ylläpitäjä")
    _user, approver = make_user_person(organization, roles=["comms_lead"], name="Kaisa Viestintä")
    services.set_review_required(channel=channel, required=True, by=approver)

    post = services.create_draft(organization=organization, by=author, text="Torin joulukuusi on pystytetty! 🎄",
                                 channels=[channel])
    item = services.add_media(post=post, by=author, data=jpeg_bytes(), alt_text=ALT, consent="no_people", credit="Joroisten kunta")
    assert services.submit_for_review(post=post, by=author).state == Post.State.IN_REVIEW
    assert services.approve(post=post, by=approver).state == Post.State.APPROVED
    report = services.publish_post(post=post, by=approver, now=NOW)

    assert report.post.state == Post.State.PUBLISHED
    target = PostTarget.objects.get(post=post)
    at = parse_at_uri(target.platform_id)
    assert (at.repo, at.collection) == (accounts.kunta.did, "app.bsky.feed.post")
    assert target.url == f"https://bsky.app/profile/{accounts.kunta.handle}/post/{at.rkey}"
    # Read it back from the PDS itself.
    answer = httpx.get(f"{pds.url}/xrpc/com.atproto.repo.getRecord",
                       params={"repo": at.repo, "collection": at.collection, "rkey": at.rkey}, timeout=30)
    assert answer.status_code == 200, answer.text
    value = answer.json()["value"]
    assert value["text"] == "Torin joulukuusi on pystytetty! 🎄" and value["langs"] == ["fi"]
    [image] = value["embed"]["images"]
    assert image["alt"] == ALT and image["image"]["mimeType"] == "image/jpeg"
    blob = BlueskyClient(pds.url).get_blob(did=accounts.kunta.did, cid=image["image"]["ref"]["$link"])
    assert blob == images.public_path(item.public_filename).read_bytes()     # the copy without EXIF or GPS
    assert b"Meik" not in blob
    record = ArchiveRecord.objects.get(kind=RecordKind.POST_PUBLISHED)
    assert (record.channel, record.source_id, record.payload["url"]) == (channel, target.platform_id, target.url)
    assert record.payload["media"][0]["alt_text"] == ALT and record.payload["approved_by"] == "Kaisa Viestintä"

    # Bluesky has no edit: the record on the PDS stays as it was and the target says so.
    services.set_review_required(channel=channel, required=False, by=approver)
    edit = services.request_edit(post=post, by=author, text="Torin joulukuusi sytytetään lauantaina.", reason="Sytytysaika")
    assert [t.pk for t in edit.not_editable] == [target.pk] and not edit.edited
    again = httpx.get(f"{pds.url}/xrpc/com.atproto.repo.getRecord",
                      params={"repo": at.repo, "collection": at.collection, "rkey": at.rkey}, timeout=30)
    assert again.json()["value"]["text"] == "Torin joulukuusi on pystytetty! 🎄"
    assert not ArchiveRecord.objects.filter(kind=RecordKind.POST_EDITED).exists()
