import datetime as dt

import pytest

from somevahti.channels.models import Channel
from somevahti.core.models import AuditEvent
from somevahti.publishing import services
from somevahti.publishing.models import Post

from .conftest import NOW


@pytest.fixture
def four_eyes(channel, approver):
    services.set_review_required(channel=channel, required=True, by=approver)
    return channel


def draft(channel, author, text="Kirjaston joulunajan aukioloajat on nyt päivitetty verkkosivuille."):
    return services.create_draft(organization=channel.organization, by=author, text=text, channels=[channel])


def test_without_four_eyes__submission_approves_at_once(channel, author):
    post = services.submit_for_review(post=draft(channel, author), by=author, now=NOW)
    assert post.state == Post.State.APPROVED and post.reviewer is None
    assert [f["type"] for f in post.approved_findings] == ["NO_IMAGE"]


def test_with_four_eyes__submission_waits_for_another_person(four_eyes, author, approver):
    post = services.submit_for_review(post=draft(four_eyes, author), by=author, now=NOW)
    assert post.state == Post.State.IN_REVIEW and post.approved_findings == []
    post = services.approve(post=post, by=approver, now=NOW)
    assert post.state == Post.State.APPROVED and post.reviewer == approver and post.reviewed_at == NOW
    assert [f["type"] for f in post.approved_findings] == ["NO_IMAGE"]
    assert AuditEvent.objects.filter(action="publishing.post_approved", data__review_required=True).count() == 1


def test_author__cannot_approve_their_own_post(four_eyes, author):
    post = services.submit_for_review(post=draft(four_eyes, author), by=author)
    with pytest.raises(services.PublishingError, match="another person must approve it"):
        services.approve(post=post, by=author)
    assert Post.objects.get(pk=post.pk).state == Post.State.IN_REVIEW


def test_reject__returns_the_post_to_draft_with_the_comment(four_eyes, author, approver):
    post = services.submit_for_review(post=draft(four_eyes, author), by=author)
    with pytest.raises(services.PublishingError, match="what to change"):
        services.reject(post=post, by=approver, comment="  ")
    post = services.reject(post=post, by=approver, comment="Lisää kuva kirjastosta.")
    assert post.state == Post.State.DRAFT and post.review_comment == "Lisää kuva kirjastosta."


def test_four_eyes_on_any_target_channel__applies_to_the_post(four_eyes, organization, author):
    other = Channel.objects.create(organization=organization, key="mastodon", platform="mastodon", name="Mastodon", platform_id="m1", status="active")
    post = services.create_draft(organization=organization, by=author, text="Tervetuloa joulutorille!", channels=[other, four_eyes])
    assert services.submit_for_review(post=post, by=author).state == Post.State.IN_REVIEW


def test_edit_after_approval__returns_to_draft_and_voids_the_approval(four_eyes, author, approver):
    post = services.approve(post=services.submit_for_review(post=draft(four_eyes, author), by=author), by=approver)
    post = services.update_draft(post=post, by=author, text="Uusi teksti joulutorista.", channels=[four_eyes])
    assert post.state == Post.State.DRAFT and post.reviewer is None and post.approved_findings == []


def test_schedule_in_the_past__is_refused_and_nothing_changes(channel, author):
    post = services.submit_for_review(post=draft(channel, author), by=author)
    with pytest.raises(services.PublishingError, match="already passed"):
        services.schedule(post=post, by=author, at=NOW - dt.timedelta(minutes=1), now=NOW)
    post.refresh_from_db()
    assert post.state == Post.State.APPROVED and post.scheduled_at is None


def test_schedule__only_an_approved_post(four_eyes, author):
    post = services.submit_for_review(post=draft(four_eyes, author), by=author)
    with pytest.raises(services.PublishingError, match="cannot be done"):
        services.schedule(post=post, by=author, at=NOW + dt.timedelta(hours=1), now=NOW)


def test_scheduled_post__is_published_by_the_minute_task_once_its_time_comes(channel, author, platform):
    post = services.submit_for_review(post=draft(channel, author), by=author)
    services.schedule(post=post, by=author, at=NOW + dt.timedelta(hours=2), now=NOW)
    assert services.publish_due_posts(now=NOW + dt.timedelta(hours=1)) == 0
    assert platform.posts == {}
    services.publish_due_posts(now=NOW + dt.timedelta(hours=2, seconds=30))
    assert Post.objects.get(pk=post.pk).state == Post.State.PUBLISHED
    assert len(platform.posts) == 1


@pytest.mark.parametrize(
    ("text", "channels", "message"),
    [("   ", True, "Write the text"), ("Teksti", False, "at least one channel"), ("x" * 5001, True, "at most 5000")],
)
def test_create_draft__bad_input_is_refused_and_nothing_is_stored(channel, author, text, channels, message):
    with pytest.raises(services.PublishingError, match=message):
        services.create_draft(organization=channel.organization, by=author, text=text, channels=[channel] if channels else [])
    assert Post.objects.count() == 0


def test_create_draft__another_organizations_channel_is_refused(channel, author):
    from tests.factories import OrganizationFactory

    foreign = Channel.objects.create(organization=OrganizationFactory(), key="x", platform="facebook", name="Muu", status="active")
    with pytest.raises(services.PublishingError, match="not an active channel"):
        services.create_draft(organization=channel.organization, by=author, text="Hei", channels=[foreign])
