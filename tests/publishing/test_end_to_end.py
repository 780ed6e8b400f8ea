"""From draft to the platform through the real adapters: Facebook and Instagram (two steps)
against recorded Graph answers, Mastodon against recorded instance answers, both over real
HTTP (pytest-httpserver). The Bluesky path against a real PDS is in tests/connectors/bluesky."""

import datetime as dt

import pytest
from pytest_httpserver import HTTPServer

from somevahti.archive.models import ArchiveRecord, RecordKind
from somevahti.channels.models import Channel, ChannelConnection
from somevahti.connectors.mastodon.connector import clear_instance_cache
from somevahti.connectors.meta import GRAPH_API_VERSION
from somevahti.publishing import services
from somevahti.publishing.models import Post, PostTarget
from tests.connectors.mastodon.conftest import ACCOUNT_ID, json_response, recorded, requests_to
from tests.connectors.meta.conftest import IG, PAGE, Graph, recorded_bytes

from .conftest import NOW, jpeg_bytes

CONTAINER = "17889455560051444"
IG_MEDIA = "17920238422030506"
FB_POST = f"{PAGE}_300000000000001"
TOKEN = "EAAG-secret-page-token-xyz"


@pytest.fixture(autouse=True)
def _real_adapters(settings):
    settings.SOMEVAHTI_CONNECTORS = {}   # the test settings name the fake for every platform


def connected(organization, *, key, platform, platform_id, base_url, token=TOKEN, handle=""):
    channel = Channel.objects.create(
        organization=organization, key=key, platform=platform, name=key, platform_id=platform_id,
        handle=handle, status=Channel.Status.ACTIVE,
    )
    connection = ChannelConnection(channel=channel, base_url=base_url)
    connection.set_token(token)
    connection.save()
    return channel


def draft_with_image(organization, author, channels, text):
    post = services.create_draft(organization=organization, by=author, text=text, channels=channels)
    services.add_media(post=post, by=author, data=jpeg_bytes(), alt_text="Joulukuusi torilla lumisateessa", consent="no_people")
    return services.submit_for_review(post=post, by=author)


def test_facebook_and_instagram__publish_in_one_and_two_steps_then_the_facebook_text_is_edited(channel, author, httpserver: HTTPServer):
    graph = Graph(httpserver)
    organization = channel.organization
    facebook = connected(organization, key="fb", platform="facebook", platform_id=PAGE, base_url=graph.base_url)
    instagram = connected(organization, key="ig", platform="instagram", platform_id=IG, base_url=graph.base_url, handle="joroistenkunta")
    graph.on("POST", f"{PAGE}/photos", "fb_photo_created.json")
    graph.on("GET", FB_POST, {"permalink_url": f"https://www.facebook.com/{PAGE}/posts/300000000000001", "id": FB_POST})
    graph.on("GET", f"{IG}/content_publishing_limit", "ig_publishing_limit.json")
    graph.on("POST", f"{IG}/media", "ig_container_created.json")
    # Instagram is still processing the image on the first look, ready on the next.
    httpserver.expect_oneshot_request(f"/{GRAPH_API_VERSION}/{CONTAINER}", method="GET").respond_with_data(
        recorded_bytes("ig_status_in_progress.json"), content_type="application/json")
    graph.on("GET", CONTAINER, "ig_status_finished.json")
    graph.on("POST", f"{IG}/media_publish", "ig_media_published.json")
    graph.on("GET", IG_MEDIA, "ig_media_permalink.json")
    graph.on("POST", FB_POST, "fb_post_updated.json")

    post = draft_with_image(organization, author, [facebook, instagram], "Torin joulukuusi on pystytetty!")
    assert post.state == Post.State.APPROVED
    report = services.publish_post(post=post, by=author, now=NOW)

    fb, ig = PostTarget.objects.get(post=post, channel=facebook), PostTarget.objects.get(post=post, channel=instagram)
    assert report.post.state == Post.State.PUBLISHING
    assert (fb.state, fb.platform_id, fb.url) == ("published", FB_POST, f"https://www.facebook.com/{PAGE}/posts/300000000000001")
    assert (ig.state, ig.container_id) == ("pending", CONTAINER)
    sent_photo = graph.sent("POST", f"{PAGE}/photos")[0]
    assert sent_photo["caption"] == "Torin joulukuusi on pystytetty!"
    assert sent_photo["url"].startswith("http://127.0.0.1:8000/media/p/")   # the stripped public copy
    container = graph.sent("POST", f"{IG}/media")[0]
    assert container["image_url"] == sent_photo["url"] and container["alt_text"] == "Joulukuusi torilla lumisateessa"
    assert graph.sent("POST", f"{IG}/media_publish") == []

    assert services.finish_pending_publishes(now=NOW + dt.timedelta(minutes=1)) == 1

    ig = PostTarget.objects.get(pk=ig.pk)
    assert (ig.state, ig.platform_id, ig.url) == ("published", IG_MEDIA, "https://www.instagram.com/p/DAbCdEfGhIj/")
    assert graph.sent("POST", f"{IG}/media_publish") == [{"creation_id": CONTAINER}]
    assert Post.objects.get(pk=post.pk).state == Post.State.PUBLISHED
    records = ArchiveRecord.objects.filter(kind=RecordKind.POST_PUBLISHED).order_by("sequence")
    assert [(r.channel, r.source_id, r.payload["url"]) for r in records] == [(facebook, FB_POST, fb.url), (instagram, IG_MEDIA, ig.url)]

    edit = services.request_edit(post=post, by=author, text="Torin joulukuusi sytytetään lauantaina kello 17.", reason="Sytytysaika")

    assert [t.channel for t in edit.edited] == [facebook] and [t.channel for t in edit.not_editable] == [instagram]
    assert graph.sent("POST", FB_POST) == [{"message": "Torin joulukuusi sytytetään lauantaina kello 17."}]
    assert ArchiveRecord.objects.get(kind=RecordKind.POST_EDITED).source_id == FB_POST
    assert PostTarget.objects.get(pk=ig.pk).edit_outcome == "not_supported"


def test_mastodon__publishes_the_image_with_alt_text_then_edits_the_text_keeping_the_image(channel, author, httpserver: HTTPServer):
    clear_instance_cache()
    mastodon = connected(channel.organization, key="mastodon", platform="mastodon", platform_id=ACCOUNT_ID,
                         base_url=httpserver.url_for(""), handle="joroisten_kunta", token="s3cr3t-Mastodon-token")
    httpserver.expect_request("/api/v2/instance/", method="GET").respond_with_response(json_response(recorded("instance_v2.json")))
    httpserver.expect_request("/api/v2/media", method="POST").respond_with_response(json_response(recorded("media_200_immediate.json")))
    httpserver.expect_request("/api/v1/statuses", method="POST").respond_with_response(json_response(recorded("status_created.json")))
    status_path = "/api/v1/statuses/109500000000000100"
    httpserver.expect_request(status_path, method="GET").respond_with_response(json_response(recorded("status_with_image.json")))
    httpserver.expect_request(status_path, method="PUT").respond_with_response(json_response(recorded("status_edited.json")))

    post = draft_with_image(channel.organization, author, [mastodon], "Kirkkotien päällystystyöt alkavat maanantaina.")
    services.publish_post(post=post, by=author, now=NOW)

    target = PostTarget.objects.get(post=post)
    assert (target.state, target.platform_id, target.url) == (
        "published", "109500000000000100", "https://some.example/@joroisten_kunta/109500000000000100")
    [upload] = requests_to(httpserver, "/api/v2/media", "POST")
    assert upload.form["description"] == "Joulukuusi torilla lumisateessa" and b"Meik" not in upload.files["file"].read()
    [created] = requests_to(httpserver, "/api/v1/statuses", "POST")
    assert created.headers["Idempotency-Key"] == str(target.idempotency_key)
    assert ArchiveRecord.objects.get(kind=RecordKind.POST_PUBLISHED).source_id == "109500000000000100"

    services.request_edit(post=post, by=author, text="Kirkkotien päällystystyöt alkavat tiistaina.", reason="Päivä muuttui")

    [put] = requests_to(httpserver, status_path, "PUT")
    assert put.form["status"] == "Kirkkotien päällystystyöt alkavat tiistaina."
    assert put.form.getlist("media_ids[]") == [recorded("status_with_image.json")["media_attachments"][0]["id"]]
    record = ArchiveRecord.objects.get(kind=RecordKind.POST_EDITED)
    assert record.text == "Kirkkotien päällystystyöt alkavat tiistaina." and record.payload["reason"] == "Päivä muuttui"
    assert PostTarget.objects.get(pk=target.pk).edit_outcome == "ok"

