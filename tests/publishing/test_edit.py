"""Editing a published post: checks, four eyes, per-channel outcomes, the archive and the audit log."""

import datetime as dt

import pytest

from somevahti.archive.models import ArchiveRecord, RecordKind
from somevahti.channels.models import Channel
from somevahti.connectors import fake
from somevahti.connectors.base import Outcome
from somevahti.core.models import AuditEvent
from somevahti.publishing import services
from somevahti.publishing.models import Post, PostEdit, PostTarget

from .conftest import NOW, approved_post, jpeg_bytes

LATER = NOW + dt.timedelta(hours=2)
NEW_TEXT = "Uimahalli on auki joulun aikaan normaalisti, paitsi jouluaattona. Tervetuloa uimaan!"


def published(channel, author, **kw):
    post = approved_post(channel, author, **kw)
    services.publish_post(post=post, by=author, now=NOW)
    return Post.objects.get(pk=post.pk)


@pytest.fixture
def instagram(channel):
    return Channel.objects.create(
        organization=channel.organization, key="instagram-joroinen", platform="instagram", name="Joroinen Instagramissa",
        platform_id="17841400000000001", status=Channel.Status.ACTIVE,
    )


def test_edit__changes_the_text_on_the_platform_and_archives_the_new_version(channel, author, platform):
    post = published(channel, author)
    old_text = post.text

    report = services.request_edit(post=post, by=author, text=NEW_TEXT, reason="Jouluaaton poikkeus puuttui", now=LATER)

    target = PostTarget.objects.get(post=post)
    assert [t.pk for t in report.edited] == [target.pk] and not report.failed and not report.waiting_for_review
    assert platform.posts[target.platform_id].text == NEW_TEXT
    assert (target.edit_outcome, target.edited_at, target.state) == ("ok", LATER, "published")
    post.refresh_from_db()
    assert post.text == NEW_TEXT and post.state == Post.State.PUBLISHED
    record = ArchiveRecord.objects.get(kind=RecordKind.POST_EDITED)
    assert (record.text, record.source_id, record.channel, record.author, record.occurred_at) == (
        NEW_TEXT, target.platform_id, channel, "Aino Ylläpitäjä", LATER)
    assert record.payload["previous_text"] == old_text and record.payload["reason"] == "Jouluaaton poikkeus puuttui"
    # The first version stays in the archive as it was published.
    assert ArchiveRecord.objects.get(kind=RecordKind.POST_PUBLISHED).text == old_text
    assert report.edit.state == PostEdit.State.SENT
    actions = list(AuditEvent.objects.filter(action__startswith="publishing.edit").values_list("action", flat=True))
    assert "publishing.edit_requested" in actions
    assert AuditEvent.objects.get(action="publishing.post_edited").data["channel"] == channel.key


def test_edit__a_block_stops_it_and_nothing_changes(channel, author, platform):
    post = published(channel, author)
    (before,) = [p.text for p in platform.posts.values()]

    with pytest.raises(services.PostBlocked) as caught:
        services.request_edit(post=post, by=author, text="Asiakkaan henkilötunnus on 131052-308T.", reason="Lisätieto",
                              override_reason="Kiire")

    assert [f.type for f in caught.value.findings] == ["FI_HETU"]
    assert [p.text for p in platform.posts.values()] == [before]
    assert not PostEdit.objects.exists() and not ArchiveRecord.objects.filter(kind=RecordKind.POST_EDITED).exists()
    assert Post.objects.get(pk=post.pk).text == before


def test_edit__a_warning_needs_a_reason_which_is_audited_and_archived(channel, author, platform):
    post = published(channel, author)
    text = "Uimahallin kassan numero on 040 123 4567."

    with pytest.raises(services.PostNeedsReason):
        services.request_edit(post=post, by=author, text=text, reason="Numero lisätty")
    assert not PostEdit.objects.exists()

    services.request_edit(post=post, by=author, text=text, reason="Numero lisätty", override_reason="Kassan julkinen numero")

    event = AuditEvent.objects.get(action="publishing.warning_overridden")
    assert event.data["reason"] == "Kassan julkinen numero" and event.data["types"] == ["PHONE"]
    assert ArchiveRecord.objects.get(kind=RecordKind.POST_EDITED).payload["override_reason"] == "Kassan julkinen numero"


def test_edit__needs_a_reason_and_a_changed_text(channel, author, platform):
    post = published(channel, author)
    with pytest.raises(services.PublishingError, match="why the post is edited"):
        services.request_edit(post=post, by=author, text=NEW_TEXT, reason="  ")
    with pytest.raises(services.PublishingError, match="same as the published one"):
        services.request_edit(post=post, by=author, text=post.text, reason="Ei muutosta")
    assert not PostEdit.objects.exists()


def test_edit__only_a_published_post_can_be_edited_this_way(channel, author):
    post = approved_post(channel, author)
    with pytest.raises(services.PublishingError, match="at least one channel"):
        services.request_edit(post=post, by=author, text=NEW_TEXT, reason="Korjaus")


def test_edit__instagram_keeps_its_text_and_says_it_cannot_be_edited(channel, instagram, author, platform):
    post = services.create_draft(organization=channel.organization, by=author, text="Joulutori lauantaina torilla!",
                                 channels=[channel, instagram])
    services.add_media(post=post, by=author, data=jpeg_bytes(), alt_text="Joulukuusi torilla", consent="no_people")
    services.submit_for_review(post=post, by=author)
    services.publish_post(post=post, now=NOW)
    gram = fake.account("instagram", instagram.platform_id)

    report = services.request_edit(post=post, by=author, text="Joulutori lauantaina kello 10–14 torilla!", reason="Kellonaika")

    assert [t.channel for t in report.edited] == [channel]
    assert [t.channel for t in report.not_editable] == [instagram]
    assert [p.text for p in gram.posts.values()] == ["Joulutori lauantaina torilla!"] and gram.edits == []
    ig_target = PostTarget.objects.get(post=post, channel=instagram)
    assert ig_target.edit_outcome == "not_supported" and ig_target.edited_at is None
    assert "withdraw the post" in services.explain_outcome(ig_target.edit_outcome, "")
    assert list(ArchiveRecord.objects.filter(kind=RecordKind.POST_EDITED).values_list("channel", flat=True)) == [channel.pk]
    # The images stay as they were published.
    (fb_post,) = platform.posts.values()
    assert fb_post.text == "Joulutori lauantaina kello 10–14 torilla!" and len(fb_post.media) == 1


def test_edit__on_a_four_eyes_channel_waits_for_another_persons_approval(channel, author, approver, platform):
    post = published(channel, author)
    services.set_review_required(channel=channel, required=True, by=approver)
    before = [p.text for p in platform.posts.values()]

    report = services.request_edit(post=post, by=author, text=NEW_TEXT, reason="Jouluaatto")

    assert report.waiting_for_review and platform.edits == []
    assert [p.text for p in platform.posts.values()] == before and Post.objects.get(pk=post.pk).text != NEW_TEXT
    with pytest.raises(services.PublishingError, match="another person must approve"):
        services.approve_edit(edit=report.edit, by=author)
    with pytest.raises(services.PublishingError, match="still waiting"):
        services.request_edit(post=post, by=author, text=NEW_TEXT + " Uusi.", reason="Toinen")

    approved = services.approve_edit(edit=report.edit, by=approver, now=LATER)

    assert approved.edit.state == PostEdit.State.SENT and approved.edit.reviewer == approver
    assert [p.text for p in platform.posts.values()] == [NEW_TEXT]
    assert ArchiveRecord.objects.get(kind=RecordKind.POST_EDITED).payload["approved_by"] == "Kaisa Viestintä"
    assert AuditEvent.objects.filter(action="publishing.edit_approved").count() == 1


def test_edit__returned_by_the_approver_sends_nothing(channel, author, approver, platform):
    post = published(channel, author)
    services.set_review_required(channel=channel, required=True, by=approver)
    report = services.request_edit(post=post, by=author, text=NEW_TEXT, reason="Jouluaatto")
    with pytest.raises(services.PublishingError, match="why the edit is returned"):
        services.reject_edit(edit=report.edit, by=approver, comment="")

    edit = services.reject_edit(edit=report.edit, by=approver, comment="Tarkista aukioloajat ensin.")

    assert edit.state == PostEdit.State.REJECTED and platform.edits == []
    assert not ArchiveRecord.objects.filter(kind=RecordKind.POST_EDITED).exists()
    with pytest.raises(services.PublishingError, match="not waiting for approval"):
        services.approve_edit(edit=edit, by=approver)


def test_edit__a_refusing_platform_is_recorded_per_channel_and_can_be_sent_again(channel, author, platform):
    post = published(channel, author)
    platform.fail_next.append(Outcome.RATE_LIMITED)

    report = services.request_edit(post=post, by=author, text=NEW_TEXT, reason="Jouluaatto", now=LATER)

    target = PostTarget.objects.get(post=post)
    assert report.failed and target.edit_outcome == "rate_limited" and platform.edits == []
    assert "tries again" in report.failed[0][1] or "wait" in report.failed[0][1]
    assert not ArchiveRecord.objects.filter(kind=RecordKind.POST_EDITED).exists()

    again = services.retry_edit(post=post, by=author, now=LATER + dt.timedelta(minutes=5))

    assert [t.pk for t in again.edited] == [target.pk] and [p.text for p in platform.posts.values()] == [NEW_TEXT]
    assert PostTarget.objects.get(pk=target.pk).edit_outcome == "ok"
    assert ArchiveRecord.objects.filter(kind=RecordKind.POST_EDITED).count() == 1
    # Nothing is left to send: a second retry sends nothing and archives nothing.
    assert services.retry_edit(post=post, by=author).edited == []
    assert ArchiveRecord.objects.filter(kind=RecordKind.POST_EDITED).count() == 1


def test_edit__a_post_deleted_on_the_platform_is_reported_not_retried(channel, author, platform):
    post = published(channel, author)
    target = PostTarget.objects.get(post=post)
    platform.removed.add(target.platform_id)

    report = services.request_edit(post=post, by=author, text=NEW_TEXT, reason="Jouluaatto")

    assert report.failed[0][1] == "The post is no longer on the platform."
    assert PostTarget.objects.get(pk=target.pk).edit_outcome == "not_found"
    assert services.retry_edit(post=post, by=author).edited == []


# --- pages ------------------------------------------------------------------------------------


@pytest.fixture
def author_client(client, author):
    client.force_login(author.user)
    return client


def test_edit_page__says_per_channel_whether_the_platform_allows_editing_and_offers_withdrawal(author_client, channel, instagram, author, platform):
    post = services.create_draft(organization=channel.organization, by=author, text="Joulutori lauantaina torilla!",
                                 channels=[channel, instagram])
    services.add_media(post=post, by=author, data=jpeg_bytes(), alt_text="Joulukuusi torilla", consent="no_people")
    services.submit_for_review(post=post, by=author)
    services.publish_post(post=post, now=NOW)

    body = author_client.get(f"/julkaisut/{post.pk}/").content.decode()
    assert f'href="/julkaisut/{post.pk}/muokkaa-julkaistua/"' in body
    page = author_client.get(f"/julkaisut/{post.pk}/muokkaa-julkaistua/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Joroinen Instagramissa</strong>:\n        this platform does not allow editing a published post" in body
    assert "Joroisten kunta</strong>:\n        the text is changed in place" in body
    assert f'action="/julkaisut/{post.pk}/poista/"' in body and 'name="reason"' in body
    assert "Joulutori lauantaina torilla!</textarea>" in body


def test_edit_page__on_instagram_only_offers_no_text_form_but_withdrawal(author_client, instagram, author, platform):
    post = services.create_draft(organization=instagram.organization, by=author, text="Joulutori lauantaina torilla!",
                                 channels=[instagram])
    services.add_media(post=post, by=author, data=jpeg_bytes(), alt_text="Joulukuusi torilla", consent="no_people")
    services.submit_for_review(post=post, by=author)
    services.publish_post(post=post, now=NOW)

    body = author_client.get(f"/julkaisut/{post.pk}/muokkaa-julkaistua/").content.decode()

    assert "None of the platforms this post is on allows editing a published post." in body
    assert 'name="text"' not in body and f'action="/julkaisut/{post.pk}/poista/"' in body


def test_edit_page__changes_the_text_and_says_on_how_many_channels(author_client, channel, author, platform):
    post = published(channel, author)

    response = author_client.post(f"/julkaisut/{post.pk}/muokkaa-julkaistua/", {"text": NEW_TEXT, "reason": "Jouluaatto"}, follow=True)

    body = response.content.decode()
    assert "The text was changed on 1 channels." in body
    assert "Edits after publishing" in body and "Jouluaatto" in body
    assert [p.text for p in platform.posts.values()] == [NEW_TEXT]


def test_edit_page__a_warning_asks_for_a_reason_at_its_field_then_accepts_it(author_client, channel, author, platform):
    post = published(channel, author)
    data = {"text": "Soita kassalle 040 123 4567.", "reason": "Numero lisätty"}

    first = author_client.post(f"/julkaisut/{post.pk}/muokkaa-julkaistua/", data)

    body = first.content.decode()
    assert first.status_code == 400 and "give a reason" in " ".join(first.context["form"].errors["override_reason"])
    assert 'name="override_reason"' in body
    assert "Soita kassalle 040 123 4567.</textarea>" in body      # what was typed is kept
    assert platform.edits == [] and not PostEdit.objects.exists()
    second = author_client.post(f"/julkaisut/{post.pk}/muokkaa-julkaistua/", {**data, "override_reason": "Kassan julkinen numero"})
    assert second.status_code == 302 and [p.text for p in platform.posts.values()] == ["Soita kassalle 040 123 4567."]


def test_edit_page__a_block_is_shown_at_the_text_and_nothing_changes(author_client, channel, author, platform):
    post = published(channel, author)

    response = author_client.post(f"/julkaisut/{post.pk}/muokkaa-julkaistua/", {"text": "Hetu 131052-308T", "reason": "x"})

    body = response.content.decode()
    assert response.status_code == 400 and "must not be published" in " ".join(response.context["form"].errors["text"])
    assert "Blocks publishing" in body
    assert platform.edits == [] and Post.objects.get(pk=post.pk).text != "Hetu 131052-308T"


def test_edit_page__missing_reason_is_named_at_its_field(author_client, channel, author, platform):
    post = published(channel, author)
    response = author_client.post(f"/julkaisut/{post.pk}/muokkaa-julkaistua/", {"text": NEW_TEXT, "reason": ""})
    assert response.status_code == 400 and list(response.context["form"].errors) == ["reason"]
    assert platform.edits == []


def test_edit_page__of_a_draft_goes_back_to_the_post(author_client, channel, author):
    post = approved_post(channel, author)
    response = author_client.get(f"/julkaisut/{post.pk}/muokkaa-julkaistua/")
    assert response.status_code == 302 and response["Location"] == f"/julkaisut/{post.pk}/"


def test_four_eyes_edit__the_editor_cannot_approve_another_person_can_or_returns_it(client, channel, author, approver, platform):
    post = published(channel, author)
    services.set_review_required(channel=channel, required=True, by=approver)
    client.force_login(author.user)
    client.post(f"/julkaisut/{post.pk}/muokkaa-julkaistua/", {"text": NEW_TEXT, "reason": "Jouluaatto"})
    edit = PostEdit.objects.get()
    assert edit.state == PostEdit.State.IN_REVIEW and platform.edits == []
    body = client.get(f"/julkaisut/{post.pk}/").content.decode()
    assert "Edit waiting for approval" in body and "Approve the edit and send it" not in body
    assert client.post(f"/julkaisut/{post.pk}/muokkaus/{edit.pk}/hyvaksy/").status_code == 400
    assert platform.edits == []

    client.force_login(approver.user)
    assert "Approve the edit and send it" in client.get(f"/julkaisut/{post.pk}/").content.decode()
    empty = client.post(f"/julkaisut/{post.pk}/muokkaus/{edit.pk}/palauta/", {"edit-comment": ""})
    assert empty.status_code == 400 and list(empty.context["reject_edit_form"].errors) == ["comment"]
    client.post(f"/julkaisut/{post.pk}/muokkaus/{edit.pk}/hyvaksy/")
    assert PostEdit.objects.get().state == PostEdit.State.SENT and [p.text for p in platform.posts.values()] == [NEW_TEXT]


def test_retry_button__sends_a_refused_edit_again(author_client, channel, author, platform):
    post = published(channel, author)
    platform.fail_next.append(Outcome.FAILED)
    author_client.post(f"/julkaisut/{post.pk}/muokkaa-julkaistua/", {"text": NEW_TEXT, "reason": "Jouluaatto"})
    body = author_client.get(f"/julkaisut/{post.pk}/").content.decode()
    assert "The latest edit did not change the text here" in body and "Send the edit again" in body

    author_client.post(f"/julkaisut/{post.pk}/muokkaus/laheta-uudelleen/")

    assert [p.text for p in platform.posts.values()] == [NEW_TEXT]
    assert "Send the edit again" not in author_client.get(f"/julkaisut/{post.pk}/").content.decode()


@pytest.mark.parametrize("role", ["employee", "supervisor", "elected_official", "records_officer"])
def test_edit_pages__refused_to_roles_without_publish(client_as, channel, author, platform, role):
    post = published(channel, author)
    client = client_as(role)
    base = f"/julkaisut/{post.pk}"
    assert client.get(f"{base}/muokkaa-julkaistua/").status_code == 403
    assert client.post(f"{base}/muokkaa-julkaistua/", {"text": NEW_TEXT, "reason": "x"}).status_code == 403
    assert client.post(f"{base}/muokkaus/laheta-uudelleen/").status_code == 403
    assert client.post(f"{base}/muokkaus/1/hyvaksy/").status_code == 403
    assert client.post(f"{base}/muokkaus/1/palauta/", {"edit-comment": "x"}).status_code == 403
    assert platform.edits == [] and not PostEdit.objects.exists()
