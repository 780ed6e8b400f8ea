import datetime as dt

import pytest

from somevahti.archive.models import ArchiveRecord, RecordKind
from somevahti.channels.models import ChannelConnection
from somevahti.connectors.base import Outcome
from somevahti.publishing import services
from somevahti.publishing.models import Post, PostTarget

from .conftest import NOW, approved_post, jpeg_bytes


def target_of(post):
    return PostTarget.objects.get(post=post)


def test_publish__sends_once_and_records_the_archive(channel, author, platform):
    post = approved_post(channel, author)
    report = services.publish_post(post=post, by=author, now=NOW)
    assert report.post.state == Post.State.PUBLISHED
    target = target_of(post)
    assert target.state == "published" and target.attempts == 1 and target.url.startswith("https://facebook.example/")
    (sent,) = platform.posts.values()
    assert sent.text == post.text and sent.idempotency_key == str(target.idempotency_key)
    record = ArchiveRecord.objects.get(kind=RecordKind.POST_PUBLISHED)
    assert (record.channel, record.source_id, record.text, record.author) == (channel, target.platform_id, post.text, "Aino Ylläpitäjä")
    assert record.payload["post"] == post.pk and record.payload["url"] == target.url


def test_publish_twice__publishes_once(channel, author, platform):
    post = approved_post(channel, author)
    services.publish_post(post=post, now=NOW)
    services.publish_post(post=post, now=NOW, force=True, retry_failed=True)
    assert len(platform.posts) == 1
    assert target_of(post).attempts == 1
    assert ArchiveRecord.objects.filter(kind=RecordKind.POST_PUBLISHED).count() == 1


def test_attempt_that_died_mid_call__is_sent_again_with_the_same_key_where_the_platform_honours_it(channel, author, platform):
    post = approved_post(channel, author)
    target = target_of(post)
    # The platform got the first attempt, then the worker died before recording the answer.
    from somevahti.connectors.base import OutgoingPost

    platform.published_keys[str(target.idempotency_key)] = "1234567890_earlier"
    platform.posts["1234567890_earlier"] = OutgoingPost(text=post.text, idempotency_key=str(target.idempotency_key))
    PostTarget.objects.filter(pk=target.pk).update(state="publishing", attempts=1, attempt_started_at=NOW)
    Post.objects.filter(pk=post.pk).update(state=Post.State.PUBLISHING)
    # Too soon: another worker might still be in the call.
    services.publish_due_posts(now=NOW + dt.timedelta(minutes=1))
    assert target_of(post).state == "publishing"
    services.publish_due_posts(now=NOW + dt.timedelta(minutes=11))
    target = target_of(post)
    assert target.state == "published" and target.platform_id == "1234567890_earlier" and target.attempts == 2
    assert len(platform.posts) == 1


def test_attempt_that_died_mid_call__on_a_platform_without_keys_needs_checking_by_a_person(channel, author, platform, monkeypatch):
    monkeypatch.setattr(services, "IDEMPOTENT_CONNECTORS", frozenset())
    post = approved_post(channel, author)
    target = target_of(post)
    PostTarget.objects.filter(pk=target.pk).update(state="publishing", attempts=1, attempt_started_at=NOW)
    Post.objects.filter(pk=post.pk).update(state=Post.State.PUBLISHING)
    services.publish_due_posts(now=NOW + dt.timedelta(minutes=11))
    target = target_of(post)
    assert target.state == "needs_check" and platform.posts == {}
    assert Post.objects.get(pk=post.pk).state == Post.State.FAILED
    services.resolve_needs_check(target=target, by=author, url="https://www.facebook.com/joroinen/posts/1")
    target = target_of(post)
    assert target.state == "published" and target.url == "https://www.facebook.com/joroinen/posts/1"
    assert Post.objects.get(pk=post.pk).state == Post.State.PUBLISHED
    assert ArchiveRecord.objects.get(kind=RecordKind.POST_PUBLISHED).payload["confirmed_by_person"] is True


def test_rate_limited__waits_and_is_sent_when_the_wait_is_over(channel, author, platform):
    platform.fail_next.append(Outcome.RATE_LIMITED)
    post = approved_post(channel, author)
    report = services.publish_post(post=post, now=NOW)
    target = target_of(post)
    assert report.post.state == Post.State.PUBLISHING
    assert target.state == "retry" and target.retry_at == NOW + dt.timedelta(seconds=60) and platform.posts == {}
    assert ChannelConnection.objects.get(channel=channel).health == "rate_limited"
    services.publish_due_posts(now=NOW + dt.timedelta(seconds=30))
    assert target_of(post).state == "retry"
    services.publish_due_posts(now=NOW + dt.timedelta(seconds=61))
    target = target_of(post)
    assert target.state == "published" and target.attempts == 2 and len(platform.posts) == 1
    assert Post.objects.get(pk=post.pk).state == Post.State.PUBLISHED


def test_unauthorized__fails_with_a_message_saying_what_to_do(channel, author, platform):
    platform.valid_token = "the-right-token"
    post = approved_post(channel, author)
    report = services.publish_post(post=post, now=NOW)
    target = target_of(post)
    assert report.post.state == Post.State.FAILED and target.state == "failed" and target.outcome == "unauthorized"
    assert "reconnect it" in services.explain_outcome(target.outcome, target.error)
    assert ChannelConnection.objects.get(channel=channel).health == "unauthorized"
    assert not ArchiveRecord.objects.exists()
    # Reconnected: a person tries the failed channel again.
    platform.valid_token = None
    services.publish_post(post=post, now=NOW, force=True, retry_failed=True)
    assert target_of(post).state == "published" and len(platform.posts) == 1


def test_pending__is_finished_by_the_minute_task_even_after_a_restart(channel, author, platform):
    platform.fail_next.append(Outcome.PENDING)
    post = approved_post(channel, author)
    services.publish_post(post=post, now=NOW)
    target = target_of(post)
    assert target.state == "pending" and target.container_id.startswith("container_") and platform.posts == {}
    # A restart: nothing in memory survives but the fake platform and the database.
    from somevahti.connectors import fake

    fake._ACCOUNTS[("facebook", channel.platform_id)] = platform
    platform.fail_next.append(Outcome.PENDING)  # still processing on the first look
    assert services.finish_pending_publishes(now=NOW + dt.timedelta(minutes=1)) == 0
    assert services.finish_pending_publishes(now=NOW + dt.timedelta(minutes=2)) == 1
    assert services.finish_pending_publishes(now=NOW + dt.timedelta(minutes=3)) == 0
    target = target_of(post)
    assert target.state == "published" and len(platform.posts) == 1
    assert Post.objects.get(pk=post.pk).state == Post.State.PUBLISHED
    assert ArchiveRecord.objects.filter(kind=RecordKind.POST_PUBLISHED).count() == 1


def test_image__goes_to_the_platform_as_the_stripped_copy_with_its_alt_text(channel, author, platform):
    post = services.create_draft(organization=channel.organization, by=author, text="Joulutori lauantaina torilla!", channels=[channel])
    services.add_media(post=post, by=author, data=jpeg_bytes(), alt_text="Joulukuusi torilla", consent="no_people", credit="Kunta")
    services.submit_for_review(post=post, by=author)
    services.publish_post(post=post, now=NOW)
    (sent,) = platform.posts.values()
    (item,) = sent.media
    assert item.alt_text == "Joulukuusi torilla" and item.content_type == "image/jpeg"
    assert b"Meik" not in item.data and item.url.startswith("http://127.0.0.1:8000/media/p/")
    record = ArchiveRecord.objects.get(kind=RecordKind.POST_PUBLISHED)
    assert record.payload["media"][0]["alt_text"] == "Joulukuusi torilla" and record.payload["media"][0]["credit"] == "Kunta"


def test_checks_run_again_before_sending__a_block_found_now_stops_it(channel, author, platform):
    post = approved_post(channel, author)
    Post.objects.filter(pk=post.pk).update(text="Hetu 131052-308T")  # changed behind the services' back
    report = services.publish_post(post=post, now=NOW)
    assert report.post.state == Post.State.FAILED and platform.posts == {}
    assert "must not be published" in target_of(post).error


def test_withdraw__deletes_on_the_platform_and_archives_it(channel, author, platform):
    post = approved_post(channel, author)
    services.publish_post(post=post, now=NOW)
    with pytest.raises(services.PublishingError, match="reason"):
        services.withdraw(post=post, by=author, reason="")
    report = services.withdraw(post=post, by=author, reason="Väärä päivämäärä", now=NOW + dt.timedelta(hours=1))
    target = target_of(post)
    assert report.post.state == Post.State.WITHDRAWN and target.state == "withdrawn"
    assert target.platform_id in platform.removed
    record = ArchiveRecord.objects.get(kind=RecordKind.POST_WITHDRAWN)
    assert record.source_id == target.platform_id and record.payload["reason"] == "Väärä päivämäärä"
    assert ArchiveRecord.objects.filter(kind=RecordKind.POST_PUBLISHED).count() == 1


def test_draft__cannot_be_published(channel, author):
    post = services.create_draft(organization=channel.organization, by=author, text="Luonnos", channels=[channel])
    with pytest.raises(services.PublishingError, match="cannot be published"):
        services.publish_post(post=post, now=NOW)
