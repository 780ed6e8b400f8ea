import datetime as dt

import pytest

from somevahti.archive.models import ArchiveRecord, RecordKind
from somevahti.archive.services import verify_chain
from somevahti.channels.demo import ensure_demo
from somevahti.core.calendar import HELSINKI
from somevahti.people.demo import demo_organization
from somevahti.people.models import Person
from somevahti.publishing import services
from somevahti.publishing.demo import seed_demo_publishing
from somevahti.publishing.models import Bulletin, Post, PostEdit, PostTarget
from somevahti.publishing.queries import posts, week_calendar

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=HELSINKI)  # a Wednesday


@pytest.fixture
def demo_org(db):
    ensure_demo(now=NOW)
    organization = demo_organization()
    seed_demo_publishing(organization=organization, now=NOW)
    return organization


def test_demo_publishing__the_post_list_has_published_waiting_scheduled_and_draft_posts(demo_org):
    states = [p.state for p in posts(organization=demo_org)]

    assert 4 <= states.count(Post.State.PUBLISHED) <= 6
    assert states.count(Post.State.IN_REVIEW) == 1
    assert states.count(Post.State.SCHEDULED) == 1
    assert states.count(Post.State.DRAFT) == 2
    # The newest work first: drafts on top, the oldest published post last.
    assert states[0] == Post.State.DRAFT and states[-1] == Post.State.PUBLISHED


def test_demo_publishing__published_posts_have_links_on_every_channel_and_archive_records_in_the_past(demo_org):
    published = Post.objects.filter(organization=demo_org, state=Post.State.PUBLISHED)
    platforms = set()
    for post in published:
        for target in post.targets.select_related("channel"):
            assert target.state == PostTarget.State.PUBLISHED
            assert target.url.startswith("https://")
            assert target.published_at < NOW - dt.timedelta(days=1)
            assert ArchiveRecord.objects.filter(
                organization=demo_org, kind=RecordKind.POST_PUBLISHED, channel=target.channel, source_id=target.platform_id,
                occurred_at=target.published_at,
            ).exists()
            platforms.add(target.channel.platform)
    assert platforms == {"facebook", "instagram"}
    assert published.filter(reviewer__isnull=False).count() == published.count()  # four eyes on Facebook
    oldest = min(t.published_at for t in PostTarget.objects.filter(post__in=published))
    assert NOW - dt.timedelta(weeks=5) < oldest < NOW - dt.timedelta(weeks=2)
    assert verify_chain(organization=demo_org).ok


def test_demo_publishing__images_went_through_the_media_service_with_alt_text_and_consent(demo_org):
    from somevahti.publishing import media as images

    published = Post.objects.filter(organization=demo_org, state=Post.State.PUBLISHED, media__isnull=False).distinct()
    assert published.count() >= 1
    for post in published:
        for item in post.media.all():
            assert item.alt_text and item.credit and item.consent
            assert images.public_path(item.public_filename).exists()
    # Instagram takes only posts with an image.
    assert not PostTarget.objects.filter(post__organization=demo_org, channel__platform="instagram", post__media__isnull=True).exists()


def test_demo_publishing__one_published_post_was_edited_and_the_archive_shows_it(demo_org):
    (edit,) = PostEdit.objects.filter(post__organization=demo_org)
    assert edit.state == PostEdit.State.SENT and edit.reason and edit.reviewer is not None
    record = ArchiveRecord.objects.get(organization=demo_org, kind=RecordKind.POST_EDITED)
    assert record.text == edit.post.published_text() != edit.previous_text
    assert record.payload["reason"] == edit.reason
    assert record.occurred_at < NOW - dt.timedelta(days=1)


def test_demo_publishing__the_post_in_review_waits_for_the_communications_lead(demo_org):
    waiting = Post.objects.get(organization=demo_org, state=Post.State.IN_REVIEW)
    lead = Person.objects.get(organization=demo_org, email="kaisa.lehtonen@joroinen.fi")

    assert waiting.author != lead
    services.approve(post=waiting, by=lead, now=NOW)
    assert Post.objects.get(pk=waiting.pk).state == Post.State.APPROVED


def test_demo_publishing__the_scheduled_post_is_in_next_weeks_calendar(demo_org):
    scheduled = Post.objects.get(organization=demo_org, state=Post.State.SCHEDULED)
    next_monday = NOW.date() - dt.timedelta(days=NOW.weekday()) + dt.timedelta(days=7)

    entries = [e for row in week_calendar(organization=demo_org, monday=next_monday) for day in row.days for e in day]
    assert {e.post for e in entries} == {scheduled}
    assert not entries[0].published


def test_demo_publishing__the_drafts_get_bulletin_advice_and_a_phone_number_warning(demo_org):
    assert Bulletin.objects.filter(organization=demo_org).count() == 3
    findings = {
        p.pk: {(f.rule, f.type, f.severity) for f in services.check_post(post=p)}
        for p in Post.objects.filter(organization=demo_org, state=Post.State.DRAFT)
    }

    assert sum(("CONTENT-NOT-BULLETIN", "BULLETIN_REPEAT", "info") in f for f in findings.values()) == 1
    assert sum(("EMP-CONFIDENTIAL", "PHONE", "warn") in f for f in findings.values()) == 1
    # What was published and is waiting tells the news in its own words.
    for post in Post.objects.filter(organization=demo_org).exclude(state=Post.State.DRAFT):
        assert not [f for f in services.check_post(post=post) if f.severity != "info" or f.type == "BULLETIN_REPEAT"]


def test_demo_publishing__running_it_again_adds_nothing(demo_org):
    counts = (Post.objects.count(), ArchiveRecord.objects.count(), Bulletin.objects.count())

    assert seed_demo_publishing(organization=demo_org, now=NOW + dt.timedelta(days=1)) == 0
    assert (Post.objects.count(), ArchiveRecord.objects.count(), Bulletin.objects.count()) == counts


@pytest.mark.parametrize("month", [1, 7])
def test_demo_publishing__fits_the_season_and_happened_before_now_on_any_day(db, month):
    for day, hour in zip(range(1, 8), (7, 16, 12, 23, 9, 15, 18), strict=True):
        now = dt.datetime(2027, month, day, hour, 30, tzinfo=HELSINKI)
        ensure_demo(now=now)
        organization = demo_organization()
        Post.objects.filter(organization=organization).delete()
        assert seed_demo_publishing(organization=organization, now=now) == 9
        roads = Post.objects.get(organization=organization, edits__isnull=False)
        assert ("aurataan" in roads.text) == (month == 1)
        mine = Post.objects.filter(organization=organization)
        assert not mine.filter(created_at__gt=now).exists() and not mine.filter(updated_at__gt=now).exists()
        assert mine.get(state=Post.State.SCHEDULED).scheduled_at > now
        assert not ArchiveRecord.objects.filter(organization=organization, occurred_at__gt=now).exists()
        assert [p.state for p in posts(organization=organization)][:2] == [Post.State.DRAFT, Post.State.DRAFT]
