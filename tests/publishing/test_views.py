import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from somevahti.archive.models import ArchiveRecord
from somevahti.channels.models import Channel
from somevahti.publishing import services
from somevahti.publishing.models import Media, Post
from tests.factories import OrganizationFactory

from .conftest import approved_post, jpeg_bytes


@pytest.fixture
def author_client(client, author):
    client.force_login(author.user)
    return client


def paths(post):
    base = f"/julkaisut/{post.pk}"
    return {
        "get": ["/julkaisut/", "/julkaisut/kalenteri/", "/julkaisut/uusi/", f"{base}/", f"{base}/muokkaa/"],
        "post": [
            ("/julkaisut/tarkista/", {"text": "Hei"}),
            ("/julkaisut/uusi/", {"text": "Hei"}),
            (f"{base}/laheta/", {}),
            (f"{base}/ajasta/", {"at": "2030-01-01T10:00"}),
            (f"{base}/julkaise/", {}),
            (f"{base}/poista/", {"reason": "x"}),
        ],
    }


@pytest.mark.parametrize("role", ["employee", "supervisor", "elected_official", "records_officer"])
def test_publishing_pages_and_actions__refused_to_roles_without_publish(client_as, channel, author, platform, role):
    post = approved_post(channel, author)
    client = client_as(role)
    found = paths(post)
    for path in found["get"] + [f"/julkaisut/{post.pk}/tarkastus/", "/julkaisut/asetukset/"]:
        assert client.get(path).status_code == 403, path
    for path, data in found["post"] + [(f"/julkaisut/{post.pk}/hyvaksy/", {}), (f"/julkaisut/{post.pk}/palauta/", {"comment": "x"})]:
        assert client.post(path, data).status_code == 403, path
    assert platform.posts == {} and Post.objects.get(pk=post.pk).state == Post.State.APPROVED


def test_settings_page__refused_to_channel_admins(author_client):
    assert author_client.get("/julkaisut/asetukset/").status_code == 403
    assert author_client.post("/julkaisut/asetukset/", {"action": "feed", "bulletin_feed_url": "https://example.org/rss"}).status_code == 403


@pytest.mark.parametrize("role", ["channel_admin", "comms_lead"])
def test_publishing_pages__open_to_channel_admins_and_the_comms_lead(client_as, channel, author, role):
    post = approved_post(channel, author)
    client = client_as(role)
    for path in paths(post)["get"]:
        assert client.get(path).status_code == 200, path


def test_another_organizations_post__is_404(client_as, channel, author):
    other_org = OrganizationFactory()
    other_channel = Channel.objects.create(organization=other_org, key="fb", platform="facebook", name="Muu", platform_id="9", status="active")
    foreign = services.create_draft(organization=other_org, by=None, text="Toisen kunnan luonnos", channels=[other_channel])
    client = client_as("comms_lead")
    for path in (f"/julkaisut/{foreign.pk}/", f"/julkaisut/{foreign.pk}/muokkaa/", f"/julkaisut/{foreign.pk}/tarkastus/"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/julkaisut/{foreign.pk}/laheta/").status_code == 404
    assert client.post(f"/julkaisut/{foreign.pk}/julkaise/").status_code == 404
    assert Post.objects.get(pk=foreign.pk).state == Post.State.DRAFT


def test_compose__saves_a_draft_with_an_image_then_submit_and_publish(author_client, channel, platform):
    upload = SimpleUploadedFile("kuva.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = author_client.post(
        "/julkaisut/uusi/",
        {"text": "Joulutori lauantaina!", "text_sv": "Julmarknad på lördag!", "channels": [channel.pk], "image": upload,
         "alt_text": "Joulukuusi torilla", "consent": "no_people", "credit": "Kunta", "licence": "oma kuva"},
    )
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/julkaisut/{post.pk}/"
    assert post.texts == {"sv": "Julmarknad på lördag!"} and post.media.count() == 1
    page = author_client.get(f"/julkaisut/{post.pk}/")
    assert "Joulukuusi torilla" in page.content.decode()
    assert author_client.post(f"/julkaisut/{post.pk}/laheta/").status_code == 302
    assert author_client.post(f"/julkaisut/{post.pk}/julkaise/").status_code == 302
    (sent,) = platform.posts.values()
    assert sent.text == "Joulutori lauantaina!\n\nJulmarknad på lördag!"
    detail = author_client.get(f"/julkaisut/{post.pk}/").content.decode()
    assert "Open the post on the platform" in detail and ArchiveRecord.objects.count() == 1


def test_compose__a_text_file_as_image_is_refused_and_nothing_is_saved(author_client, channel):
    upload = SimpleUploadedFile("kuva.jpg", b"ei kuva", content_type="image/jpeg")
    response = author_client.post(
        "/julkaisut/uusi/", {"text": "Hei", "channels": [channel.pk], "image": upload, "alt_text": "Kuva", "consent": "no_people"}
    )
    assert response.status_code == 400
    assert "not a JPEG, PNG or WebP image" in response.content.decode()
    assert not Post.objects.exists() and not Media.objects.exists()


def test_live_check__shows_findings_and_bulletin_advice(author_client, channel):
    from somevahti.publishing.models import Bulletin

    text = "Kirjasto on suljettu koko ensi viikon remontin vuoksi ja avataan taas maanantaina kello kymmenen."
    Bulletin.objects.create(organization=channel.organization, url="https://www.joroinen.fi/t/1", title="Kirjasto suljettu",
                            text=text, published_at=dt.datetime(2026, 3, 12, 8, tzinfo=dt.UTC), fetched_at=timezone.now())
    response = author_client.post("/julkaisut/tarkista/", {"text": text + " Hetu 131052-308T"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "This repeats the bulletin of 12.3." in body and 'href="https://www.joroinen.fi/t/1"' in body
    assert "Blocks publishing" in body


def test_submit_with_a_warning__asks_for_a_reason_then_accepts_it(author_client, channel, author):
    post = services.create_draft(organization=channel.organization, by=author, text="Soita 040 123 4567", channels=[channel])
    response = author_client.post(f"/julkaisut/{post.pk}/laheta/")
    assert response.status_code == 400 and "give a reason" in response.content.decode()
    assert Post.objects.get(pk=post.pk).state == Post.State.DRAFT
    author_client.post(f"/julkaisut/{post.pk}/laheta/", {"override_reason": "Julkinen vaihde"})
    assert Post.objects.get(pk=post.pk).state == Post.State.APPROVED


def test_review_page__author_cannot_approve_another_approver_can(client, channel, author, approver):
    services.set_review_required(channel=channel, required=True, by=approver)
    post = approved_post(channel, author)
    assert post.state == Post.State.IN_REVIEW
    client.force_login(author.user)
    client.post(f"/julkaisut/{post.pk}/hyvaksy/")
    assert Post.objects.get(pk=post.pk).state == Post.State.IN_REVIEW
    client.force_login(approver.user)
    assert client.get(f"/julkaisut/{post.pk}/tarkastus/").status_code == 200
    assert client.post(f"/julkaisut/{post.pk}/palauta/", {"comment": ""}).status_code == 400
    client.post(f"/julkaisut/{post.pk}/hyvaksy/")
    assert Post.objects.get(pk=post.pk).state == Post.State.APPROVED


def test_schedule_in_the_past__is_refused_on_the_page(author_client, channel, author):
    post = approved_post(channel, author)
    response = author_client.post(f"/julkaisut/{post.pk}/ajasta/", {"at": "2020-01-01T10:00"})
    assert response.status_code == 400 and "already passed" in response.content.decode()
    assert Post.objects.get(pk=post.pk).state == Post.State.APPROVED


def test_public_media__served_without_sign_in_only_for_posts_on_their_way(client, channel, author):
    post = services.create_draft(organization=channel.organization, by=author, text="Kuva", channels=[channel])
    item = services.add_media(post=post, by=author, data=jpeg_bytes(), alt_text="Kuusi", consent="no_people")
    url = f"/media/p/{item.public_filename}"
    assert client.get(url).status_code == 404  # a draft's image is not public
    services.submit_for_review(post=post, by=author)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "max-age" in response["Cache-Control"]
    body = response.content
    assert body.startswith(b"\xff\xd8") and b"Meik" not in body
    assert client.get(f"/media/p/{item.original_name}").status_code == 404
    assert client.get("/media/p/arvaus.jpg").status_code == 404


def test_calendar__shows_scheduled_posts_in_their_week(author_client, channel, author):
    post = approved_post(channel, author)
    services.schedule(post=post, by=author, at=dt.datetime(2030, 1, 8, 10, 0, tzinfo=dt.UTC))
    body = author_client.get("/julkaisut/kalenteri/?week=2030-W02").content.decode()
    assert f"/julkaisut/{post.pk}/" in body and "12:00" in body
    assert f"/julkaisut/{post.pk}/" not in author_client.get("/julkaisut/kalenteri/?week=2030-W03").content.decode()


def test_settings_page__comms_lead_sets_the_feed_and_four_eyes(client_as, channel, httpserver):
    from tests.publishing.test_checks import RSS

    httpserver.expect_request("/rss").respond_with_data(RSS, content_type="application/rss+xml")
    client = client_as("comms_lead")
    response = client.post("/julkaisut/asetukset/", {"action": "feed", "bulletin_feed_url": httpserver.url_for("/rss")})
    assert response.status_code == 302
    assert channel.organization.bulletins.count() == 2
    client.post("/julkaisut/asetukset/", {"action": "review", f"channel_{channel.pk}": "on"})
    assert services.channel_requires_review(channel)


def test_compose__an_image_without_alt_text_is_refused_and_nothing_is_saved(author_client, channel):
    upload = SimpleUploadedFile("kuva.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = author_client.post("/julkaisut/uusi/", {"text": "Hei", "channels": [channel.pk], "image": upload, "consent": "no_people"})
    assert response.status_code == 400 and "alternative text" in response.content.decode()
    assert not Post.objects.exists() and not Media.objects.exists()


def test_post_list_and_calendar__tell_facebook_and_instagram_of_the_same_name_apart(author_client, channel, author):
    from tests.factories import ChannelFactory

    instagram = ChannelFactory(organization=channel.organization, key="instagram-joroinen", platform="instagram", platform_id="178")
    post = services.create_draft(organization=channel.organization, by=author, text="Kirjasto on auki.", channels=[channel, instagram])
    services.schedule(post=services.submit_for_review(post=post, by=author), by=author, at=dt.datetime(2030, 1, 8, 10, 0, tzinfo=dt.UTC))
    listing = author_client.get("/julkaisut/").content.decode()
    week = author_client.get("/julkaisut/kalenteri/?week=2030-W02").content.decode()
    for page in (listing, week):
        assert "Facebook: Joroisten kunta" in page and "Instagram: Joroisten kunta" in page


def test_post_detail__an_approved_post_shows_its_checks_under_one_heading(author_client, channel, author):
    post = approved_post(channel, author)
    page = author_client.get(f"/julkaisut/{post.pk}/").content.decode()
    assert page.count('id="check-results-heading"') == 1
    assert ">Checks at approval</h2>" in page and ">Checks</h2>" not in page
