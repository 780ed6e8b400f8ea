"""Every change of state in publishing: drafts, images, review, scheduling, sending, withdrawal.

The way of a post: draft → (checks) → waiting for approval when a channel asks for four eyes,
else approved → scheduled or published now → each channel's target is sent through its
connector and recorded in the archive.

Sending is built to be safe to repeat after a crash or a restart:

* Before a connector is called the attempt is recorded and committed (state "publishing",
  attempts + 1); a target already published is never sent again.
* Every target carries one idempotency key for its whole life. Mastodon (Idempotency-Key
  header), Bluesky (a record key derived from it) and the in-memory fake honour it, so a target
  whose previous attempt died in the middle of the call is simply sent again there.
  Facebook and Instagram have no such key: a target left "publishing" on them for longer than
  STALE_ATTEMPT is marked "needs checking by a person", who looks at the page and either gives
  the post's link or asks for it to be sent again.
* Instagram publishes in two steps: the container is stored and `finish_pending_publishes`
  (a task every minute) finishes it, however many times it runs.
* A rate limit puts the target to "retry" at the time the platform gave; the task every minute
  (and a deferred task where the backend supports one) sends it then.

Editing a published post (`request_edit`) changes its text in place where the platform allows
it (Facebook Pages, Mastodon); Instagram and Bluesky do not, and there the honest way is to
withdraw the post (the platform deletes it, the archive records POST_WITHDRAWN) and publish a
corrected one. Every edit that goes through is archived as POST_EDITED on its channel.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from somevahti.archive.models import RecordKind
from somevahti.archive.services import archive
from somevahti.channels.connections import connector_for_channel, record_connection_outcome
from somevahti.channels.models import Channel
from somevahti.checks.services import check_for_organization
from somevahti.connectors.base import (
    Capability,
    InteractionRef,
    MediaItem,
    Outcome,
    OutgoingPost,
    PendingPublish,
    Result,
)
from somevahti.connectors.registry import capabilities_for
from somevahti.core import audit
from somevahti.core.calendar import HELSINKI
from somevahti.guideline.queries import rule_parameters
from somevahti.people.models import Organization, Person

from . import bulletins as feeds
from . import media as images
from .models import Bulletin, ChannelPublishingSettings, Media, Post, PostEdit, PostTarget, PublishingSettings

log = logging.getLogger(__name__)

MAX_TEXT = 5000
MAX_MEDIA = 4
OTHER_LANGUAGES = ("sv", "en")
STALE_ATTEMPT = dt.timedelta(minutes=10)
DEFAULT_RETRY = dt.timedelta(seconds=60)
# Connectors whose publish honours OutgoingPost.idempotency_key (see the module docstring).
IDEMPOTENT_CONNECTORS = frozenset({"mastodon", "bluesky", "fake"})

RULE_NOT_BULLETIN = "CONTENT-NOT-BULLETIN"
RULE_IMAGES = "CONTENT-IMAGES"


class PublishingError(Exception):
    """Something a person asked for cannot be done; the message says why, translated."""


class PostBlocked(PublishingError):
    def __init__(self, message: str, findings: list[PostFinding]) -> None:
        super().__init__(message)
        self.findings = findings


class PostNeedsReason(PostBlocked):
    """Warnings were found: the person confirms with a reason, which is audited and stored."""


# --- findings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostFinding:
    """The checks' finding shape (type, severity, rule, message, suggestion, start/end) plus
    which language's text it is in, the excerpt and, for a bulletin, its link."""

    type: str
    severity: str
    rule: str
    message: str
    suggestion: str = ""
    start: int | None = None
    end: int | None = None
    lang: str = ""
    excerpt: str = ""
    url: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.type, self.lang, self.excerpt)


@dataclass(frozen=True)
class ImageFacts:
    alt_text: str


def _bulletin_advice(*, organization: Organization, texts: dict[str, str]) -> list[PostFinding]:
    params = rule_parameters(organization=organization, code=RULE_NOT_BULLETIN)
    limit = float(params.get("containment", feeds.threshold()))
    drafts = {lang: feeds.shingles(text) for lang, text in texts.items()}
    drafts = {lang: s for lang, s in drafts.items() if len(s) >= feeds.MIN_SHINGLES}
    if not drafts:
        return []
    best: tuple[float, Bulletin | None] = (0.0, None)
    for bulletin in Bulletin.objects.filter(organization=organization).order_by("-published_at", "-pk")[: feeds.MAX_ITEMS]:
        source = feeds.shingles(f"{bulletin.title} {bulletin.text}")
        for draft in drafts.values():
            score = feeds.containment(draft, source)
            if score > best[0]:
                best = (score, bulletin)
    score, match = best
    if match is None or score < limit:
        return []
    when = match.published_at.astimezone(HELSINKI) if match.published_at else None
    if when is not None:
        message = _("This repeats the bulletin of %(date)s almost word for word: “%(title)s”.") % {
            "date": f"{when.day}.{when.month}.",
            "title": match.title,
        }
    else:
        message = _("This repeats the bulletin “%(title)s” almost word for word.") % {"title": match.title}
    return [
        PostFinding(
            type="BULLETIN_REPEAT",
            severity="info",
            rule=RULE_NOT_BULLETIN,
            message=message,
            suggestion=_(
                "Social media should not only repeat the official bulletins. Tell what it means for the reader, "
                "in your own words, and link to the bulletin."
            ),
            url=match.url,
            excerpt=f"{round(score * 100)} %",
        )
    ]


def _image_findings(image_facts: Sequence[ImageFacts]) -> list[PostFinding]:
    if not image_facts:
        return [
            PostFinding(
                type="NO_IMAGE",
                severity="info",
                rule=RULE_IMAGES,
                message=_("The post has no image."),
                suggestion=_("An image supports the message. Add one, with an alternative text."),
            )
        ]
    return [
        PostFinding(
            type="IMAGE_NO_ALT",
            severity="block",
            rule=RULE_IMAGES,
            message=_("Image %(number)s has no alternative text.") % {"number": number},
            suggestion=_("Describe what the image shows for those who cannot see it."),
        )
        for number, facts in enumerate(image_facts, start=1)
        if not facts.alt_text.strip()
    ]


def check_content(
    *, organization: Organization, texts: dict[str, str], image_facts: Sequence[ImageFacts] | None = None,
    with_bulletins: bool = True,
) -> list[PostFinding]:
    """Every finding about a post's content: the content checks of each language's text
    (EMP-CONFIDENTIAL), images (CONTENT-IMAGES) and bulletins (CONTENT-NOT-BULLETIN).

    `image_facts` None leaves the image advice out (the live check while typing)."""
    lang = get_language() or "fi"
    found: list[PostFinding] = []
    for text_lang, text in texts.items():
        if not text.strip():
            continue
        for f in check_for_organization(organization=organization, text=text, lang=lang):
            found.append(
                PostFinding(
                    type=f.type, severity=str(f.severity), rule=f.rule, message=f.message, suggestion=f.suggestion,
                    start=f.start, end=f.end, lang=text_lang, excerpt=text[f.start : f.end],
                )
            )
    if image_facts is not None:
        found.extend(_image_findings(image_facts))
    if with_bulletins:
        found.extend(_bulletin_advice(organization=organization, texts=texts))
    return found


def check_post(*, post: Post) -> list[PostFinding]:
    facts = [ImageFacts(m.alt_text) for m in post.media.all()]
    return check_content(organization=post.organization, texts=post.language_texts(), image_facts=facts)


def _blocking(findings: Iterable[PostFinding]) -> list[PostFinding]:
    return [f for f in findings if f.severity == "block"]


def _warnings(findings: Iterable[PostFinding]) -> list[PostFinding]:
    return [f for f in findings if f.severity == "warn"]


def explain_outcome(outcome: str, message: str) -> str:
    """What a platform's answer means for the person, in their language, and what to do."""
    if outcome == Outcome.RATE_LIMITED:
        return _("The platform asked us to wait; Somevahti tries again by itself.")
    if outcome == Outcome.UNAUTHORIZED:
        return _("The channel's connection has expired or was revoked; an administrator must reconnect it, then publish again.")
    if outcome == Outcome.PENDING:
        return _("The platform is still processing the post; Somevahti finishes it by itself.")
    if outcome == Outcome.NOT_FOUND:
        return _("The post is no longer on the platform.")
    if outcome == "needs_check":
        return _(
            "The previous attempt was interrupted and this platform cannot tell whether it went through. "
            "Look at the channel: if the post is there, give its link; if not, send it again."
        )
    if outcome == "blocked":
        return message
    if outcome == "not_supported":
        return _("This platform does not allow editing a published post. To correct it there, withdraw the post and publish a corrected one.")
    return _("The platform did not accept the post: %(message)s") % {"message": message or _("no reason was given")}


# --- helpers ----------------------------------------------------------------------------------


def _user(by: Person | None) -> Any:
    return by.user if by is not None else None


def _locked(post: Post) -> Post:
    return Post.objects.select_for_update(of=("self",)).select_related("organization").get(pk=post.pk)


def _require_state(post: Post, *states: str) -> None:
    if post.state not in states:
        raise PublishingError(
            _("This cannot be done to a post that is “%(state)s”.") % {"state": post.get_state_display()}
        )


def _require_second_person(*, by: Person | None, author_id: int | None, organization_id: int, own_work: str) -> None:
    """Four eyes: the approver is a person of the organization other than the author; `own_work`
    tells the author why they cannot approve it themselves."""
    if by is None or (author_id is not None and author_id == by.pk):
        raise PublishingError(own_work)
    if by.organization_id != organization_id:
        raise PublishingError(_("That person is not in this organization."))


def channel_requires_review(channel: Channel) -> bool:
    return ChannelPublishingSettings.objects.filter(channel=channel, review_required=True).exists()


def requires_review(post: Post) -> bool:
    return ChannelPublishingSettings.objects.filter(channel__post_targets__post=post, review_required=True).exists()


def _clean_texts(text: str, texts: dict[str, str] | None) -> tuple[str, dict[str, str]]:
    text = (text or "").strip()
    if not text:
        raise PublishingError(_("Write the text of the post."))
    others = {}
    for lang, value in (texts or {}).items():
        if lang not in OTHER_LANGUAGES:
            raise PublishingError(_("“%(lang)s” is not a language of the post.") % {"lang": lang})
        if value and value.strip():
            others[lang] = value.strip()
    for lang, value in {"fi": text, **others}.items():
        if len(value) > MAX_TEXT:
            raise PublishingError(
                _("The text in %(lang)s is %(length)s characters long; at most %(max)s are allowed.")
                % {"lang": lang, "length": len(value), "max": MAX_TEXT}
            )
    return text, others


def _clean_link(link: str) -> str:
    link = (link or "").strip()
    if link and not link.lower().startswith(("https://", "http://")):
        raise PublishingError(_("The link must begin with https:// or http://."))
    return link


def _clean_channels(organization: Organization, channels: Iterable[Channel]) -> list[Channel]:
    chosen = list({c.pk: c for c in channels}.values())
    if not chosen:
        raise PublishingError(_("Choose at least one channel."))
    for channel in chosen:
        if channel.organization_id != organization.pk or channel.status != Channel.Status.ACTIVE:
            raise PublishingError(
                _("%(channel)s is not an active channel of this organization.") % {"channel": channel}
            )
    return chosen


def _back_to_draft(post: Post) -> None:
    """An edit after submission voids the review and the approval."""
    post.state = Post.State.DRAFT
    post.reviewer = None
    post.reviewed_at = None
    post.submitted_at = None
    post.scheduled_at = None
    post.approved_findings = []
    post.override_reason = ""


# --- drafts and images ------------------------------------------------------------------------


@transaction.atomic
def create_draft(
    *, organization: Organization, by: Person | None, text: str, channels: Iterable[Channel],
    texts: dict[str, str] | None = None, link: str = "",
) -> Post:
    """Luonnos: a new post for the chosen channels. Nothing is checked or sent yet."""
    text, others = _clean_texts(text, texts)
    chosen = _clean_channels(organization, channels)
    post = Post.objects.create(organization=organization, text=text, texts=others, link=_clean_link(link), author=by)
    PostTarget.objects.bulk_create([PostTarget(post=post, channel=c) for c in chosen])
    audit.record(
        "publishing.draft_created", target=post, actor=_user(by), data={"channels": [c.key for c in chosen]}
    )
    return post


@transaction.atomic
def update_draft(
    *, post: Post, by: Person | None, text: str, channels: Iterable[Channel],
    texts: dict[str, str] | None = None, link: str = "",
) -> Post:
    """Change a post before it is sent. A post in review, approved or scheduled returns to draft."""
    post = _locked(post)
    if not post.is_editable:
        raise PublishingError(_("A post that has been sent can no longer be edited; withdraw it and write a new one."))
    text, others = _clean_texts(text, texts)
    chosen = _clean_channels(post.organization, channels)
    previous_state = post.state
    post.text, post.texts, post.link = text, others, _clean_link(link)
    _back_to_draft(post)
    post.save()
    keep = {c.pk for c in chosen}
    post.targets.exclude(channel_id__in=keep).delete()
    existing = set(post.targets.values_list("channel_id", flat=True))
    PostTarget.objects.bulk_create([PostTarget(post=post, channel=c) for c in chosen if c.pk not in existing])
    audit.record(
        "publishing.draft_updated", target=post, actor=_user(by),
        data={"channels": sorted(c.key for c in chosen), "previous_state": previous_state},
    )
    return post


def add_media(
    *, post: Post, by: Person | None, data: bytes, alt_text: str, consent: str, credit: str = "", licence: str = "",
) -> Media:
    """Add an image: checked and stripped of metadata first (ImageError), then stored."""
    alt_text = (alt_text or "").strip()
    if not alt_text:
        raise PublishingError(_("Write an alternative text that describes the image."))
    if consent not in Media.Consent.values:
        raise PublishingError(_("Say whether the people in the image have agreed to its publication."))
    prepared = images.prepare_image(data)  # outside the transaction: decoding takes a moment
    token, original_name = images.store(original=data, prepared=prepared)
    try:
        with transaction.atomic():
            post = _locked(post)
            if not post.is_editable:
                raise PublishingError(_("A post that has been sent can no longer be edited; withdraw it and write a new one."))
            if post.media.count() >= MAX_MEDIA:
                raise PublishingError(_("A post can have at most %(max)s images.") % {"max": MAX_MEDIA})
            if post.state != Post.State.DRAFT:
                _back_to_draft(post)
                post.save()
            item = Media.objects.create(
                post=post, position=post.media.count(), token=token, original_name=original_name,
                extension=prepared.extension, content_type=prepared.content_type, width=prepared.width,
                height=prepared.height, size=len(prepared.data), alt_text=alt_text, credit=credit.strip()[:300],
                licence=licence.strip()[:200], consent=consent,
            )
            audit.record(
                "publishing.media_added", target=post, actor=_user(by),
                data={"media": item.pk, "consent": consent, "width": prepared.width, "height": prepared.height},
            )
    except Exception:
        images.delete_files(token=token, extension=prepared.extension, original_name=original_name)
        raise
    return item


def remove_media(*, media: Media, by: Person | None) -> None:
    with transaction.atomic():
        post = _locked(media.post)
        if not post.is_editable:
            raise PublishingError(_("A post that has been sent can no longer be edited; withdraw it and write a new one."))
        if post.state != Post.State.DRAFT:
            _back_to_draft(post)
            post.save()
        files = {"token": media.token, "extension": media.extension, "original_name": media.original_name}
        audit.record("publishing.media_removed", target=post, actor=_user(by), data={"media": media.pk})
        media.delete()
        transaction.on_commit(lambda: images.delete_files(**files))


# --- review -----------------------------------------------------------------------------------


def submit_for_review(*, post: Post, by: Person | None, override_reason: str = "", now: dt.datetime | None = None) -> Post:
    """Run the checks. A block stops; warnings need a reason. A channel with four eyes sends the
    post to an approver; otherwise it is approved at once."""
    now = now or timezone.now()
    findings = check_post(post=post)  # before the transaction: checks take a moment
    reason = (override_reason or "").strip()
    with transaction.atomic():
        post = _locked(post)
        _require_state(post, Post.State.DRAFT)
        if blocks := _blocking(findings):
            raise PostBlocked(_("The post contains something that must not be published."), blocks)
        warnings = _warnings(findings)
        if warnings and not reason:
            raise PostNeedsReason(_("Check the warnings; to go on anyway, give a reason."), warnings)
        post.override_reason = reason if warnings else ""
        post.submitted_at = now
        post.review_comment = ""
        if warnings:
            audit.record(
                "publishing.warning_overridden", target=post, actor=_user(by),
                data={"reason": reason, "types": sorted({f.type for f in warnings})},
            )
        if requires_review(post):
            post.state = Post.State.IN_REVIEW
            post.approved_findings = []
            post.save()
            audit.record("publishing.post_submitted", target=post, actor=_user(by))
        else:
            post.state = Post.State.APPROVED
            post.approved_findings = [f.as_dict() for f in findings]
            post.reviewed_at = now
            post.save()
            audit.record("publishing.post_approved", target=post, actor=_user(by), data={"review_required": False})
    return post


def approve(*, post: Post, by: Person, now: dt.datetime | None = None) -> Post:
    """Hyväksyntä (four eyes): another person than the author approves; the findings they saw are kept."""
    now = now or timezone.now()
    findings = check_post(post=post)
    with transaction.atomic():
        post = _locked(post)
        _require_state(post, Post.State.IN_REVIEW)
        _require_second_person(
            by=by, author_id=post.author_id, organization_id=post.organization_id,
            own_work=_("You wrote this post; another person must approve it."),
        )
        if blocks := _blocking(findings):
            raise PostBlocked(_("The post contains something that must not be published."), blocks)
        new_warnings = {f.key for f in _warnings(findings)}
        if new_warnings and not post.override_reason:
            raise PostNeedsReason(_("The post has warnings that its author did not explain; return it to the author."), _warnings(findings))
        post.state = Post.State.APPROVED
        post.reviewer = by
        post.reviewed_at = now
        post.approved_findings = [f.as_dict() for f in findings]
        post.save()
        audit.record("publishing.post_approved", target=post, actor=_user(by), data={"review_required": True})
    return post


@transaction.atomic
def reject(*, post: Post, by: Person, comment: str, now: dt.datetime | None = None) -> Post:
    """Back to the author as a draft, with the approver's comment."""
    comment = (comment or "").strip()
    if not comment:
        raise PublishingError(_("Tell the author what to change."))
    post = _locked(post)
    _require_state(post, Post.State.IN_REVIEW)
    _back_to_draft(post)
    post.review_comment = comment[:4000]
    post.reviewer = by
    post.reviewed_at = now or timezone.now()
    post.save()
    audit.record("publishing.post_rejected", target=post, actor=_user(by), data={"comment": comment})
    return post


# --- scheduling -------------------------------------------------------------------------------


def _enqueue_publish(post_id: int, run_after: dt.datetime) -> bool:
    """A deferred task where the backend supports one; the task every minute is the safety net
    (and the only way with backends that cannot defer, such as the immediate one in tests)."""
    from .tasks import publish_post_task

    if not publish_post_task.get_backend().supports_defer:
        return False
    transaction.on_commit(lambda: publish_post_task.using(run_after=run_after).enqueue(post_id=post_id))
    return True


@transaction.atomic
def schedule(*, post: Post, by: Person | None, at: dt.datetime, now: dt.datetime | None = None) -> Post:
    """Ajastus: publish an approved post at `at` (not in the past)."""
    now = now or timezone.now()
    if timezone.is_naive(at):
        at = at.replace(tzinfo=HELSINKI)
    if at < now:
        raise PublishingError(
            _("The time %(time)s has already passed; choose a time in the future.")
            % {"time": at.astimezone(HELSINKI).strftime("%d.%m.%Y %H:%M")}
        )
    post = _locked(post)
    _require_state(post, Post.State.APPROVED, Post.State.SCHEDULED)
    post.state = Post.State.SCHEDULED
    post.scheduled_at = at
    post.save(update_fields=["state", "scheduled_at", "updated_at"])
    audit.record("publishing.post_scheduled", target=post, actor=_user(by), data={"at": at.isoformat()})
    _enqueue_publish(post.pk, at)
    return post


@transaction.atomic
def cancel_schedule(*, post: Post, by: Person | None) -> Post:
    post = _locked(post)
    _require_state(post, Post.State.SCHEDULED)
    post.state = Post.State.APPROVED
    post.scheduled_at = None
    post.save(update_fields=["state", "scheduled_at", "updated_at"])
    audit.record("publishing.schedule_cancelled", target=post, actor=_user(by))
    return post


# --- sending ----------------------------------------------------------------------------------


@dataclass
class PublishReport:
    post: Post
    sent: list[PostTarget] = field(default_factory=list)      # targets whose connector was called now
    skipped: list[PostTarget] = field(default_factory=list)


def _settle_post_state(post_id: int) -> Post:
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post_id)
        states = set(post.targets.values_list("state", flat=True))
        busy = {PostTarget.State.WAITING, PostTarget.State.PUBLISHING, PostTarget.State.PENDING, PostTarget.State.RETRY}
        if not states or states <= {PostTarget.State.WITHDRAWN}:
            new = Post.State.WITHDRAWN if states else post.state
        elif states <= {PostTarget.State.PUBLISHED, PostTarget.State.WITHDRAWN}:
            new = Post.State.PUBLISHED
        elif states & busy:
            new = Post.State.PUBLISHING
        else:
            new = Post.State.FAILED
        if new != post.state:
            post.state = new
            post.save(update_fields=["state", "updated_at"])
        return post


def _outgoing(post: Post, target: PostTarget) -> OutgoingPost:
    items = []
    for item in post.media.all():
        items.append(
            MediaItem(
                url=item.public_url, alt_text=item.alt_text, content_type=item.content_type,
                data=images.public_path(item.public_filename).read_bytes(),
            )
        )
    return OutgoingPost(
        text=post.published_text(), media=tuple(items), language="fi",
        idempotency_key=str(target.idempotency_key), link=post.link,
    )


def _archive_payload(post: Post, target: PostTarget, **extra: Any) -> dict[str, Any]:
    return {
        "post": post.pk,
        "target": target.pk,
        "url": target.url,
        "languages": sorted(post.language_texts()),
        "link": post.link,
        "media": [
            {"file": m.public_filename, "alt_text": m.alt_text, "credit": m.credit, "licence": m.licence, "consent": m.consent}
            for m in post.media.all()
        ],
        "approved_by": post.reviewer.name if post.reviewer else "",
        "override_reason": post.override_reason,
        **extra,
    }


def _mark_published(target: PostTarget, *, platform_id: str, url: str, now: dt.datetime, by: Person | None = None, **extra: Any) -> None:
    """Inside a transaction with the target locked."""
    post = target.post
    target.state = PostTarget.State.PUBLISHED
    target.platform_id = platform_id[:300]
    target.url = url[:1000]
    target.outcome = Outcome.OK
    target.error = ""
    target.container_id = ""
    target.retry_at = None
    target.published_at = now
    target.save()
    archive(
        organization=post.organization, kind=RecordKind.POST_PUBLISHED, channel=target.channel,
        text=post.published_text(), occurred_at=now, source_id=target.platform_id,
        author=post.author.name if post.author else "", payload=_archive_payload(post, target, **extra),
    )
    audit.record(
        "publishing.post_published", target=post, actor=_user(by),
        data={"channel": target.channel.key, "platform_id": target.platform_id, "url": target.url},
    )


def _record_outcome(*, target_id: int, result: Result, now: dt.datetime) -> PostTarget:
    with transaction.atomic():
        target = PostTarget.objects.select_for_update(of=("self",)).select_related("post__organization", "post__author", "channel").get(pk=target_id)
        if target.state == PostTarget.State.PUBLISHED:
            return target  # someone else finished it meanwhile: never record twice
        post = target.post
        target.outcome = str(result.outcome)
        if result.outcome == Outcome.OK:
            _mark_published(target, platform_id=result.platform_id, url=result.url, now=now)
        elif result.outcome == Outcome.PENDING:
            if result.pending is not None:
                target.container_id = result.pending.container_id[:300]
            if not target.container_id:
                target.state = PostTarget.State.FAILED
                target.error = "The platform reported the post as pending but gave nothing to finish."
            else:
                target.state = PostTarget.State.PENDING
                target.error = ""
            target.save()
            audit.record("publishing.publish_pending", target=post, data={"channel": target.channel.key})
        elif result.outcome == Outcome.RATE_LIMITED:
            wait = dt.timedelta(seconds=result.retry_after) if result.retry_after else DEFAULT_RETRY
            target.state = PostTarget.State.RETRY
            target.retry_at = now + wait
            target.error = result.message[:2000]
            target.save()
            audit.record("publishing.publish_rate_limited", target=post, data={"channel": target.channel.key, "retry_at": target.retry_at.isoformat()})
            _enqueue_publish(post.pk, target.retry_at)
        else:
            target.state = PostTarget.State.FAILED
            target.error = result.message[:2000]
            target.save()
            audit.record("publishing.publish_failed", target=post, data={"channel": target.channel.key, "outcome": str(result.outcome)})
    if result.outcome != Outcome.PENDING:
        record_connection_outcome(channel=target.channel, result=result, now=now)
    return target


def _claim(target: PostTarget, *, from_state: str, now: dt.datetime) -> bool:
    """Record the attempt and commit it before the platform is called. Only one worker wins."""
    claimed = PostTarget.objects.filter(pk=target.pk, state=from_state, attempts=target.attempts).update(
        state=PostTarget.State.PUBLISHING, attempts=F("attempts") + 1, attempt_started_at=now, retry_at=None
    )
    return claimed == 1


def _fail_before_sending(target: PostTarget, message: str, outcome: str = "blocked") -> None:
    PostTarget.objects.filter(pk=target.pk).update(state=PostTarget.State.FAILED, outcome=outcome, error=message[:2000])
    audit.record("publishing.publish_failed", target=target.post, data={"channel": target.channel.key, "outcome": outcome})


def publish_post(
    *, post: Post, by: Person | None = None, now: dt.datetime | None = None, force: bool = False, retry_failed: bool = False,
) -> PublishReport:
    """Send an approved or scheduled post to each of its channels (see the module docstring).

    A scheduled post is sent only once its time has come, unless `force` (a person's "publish
    now"). `retry_failed` sends failed targets again (after a reconnected token, say).
    Safe to call any number of times: published targets are skipped.
    """
    now = now or timezone.now()
    post = Post.objects.select_related("organization", "author", "reviewer").get(pk=post.pk)
    if post.state == Post.State.PUBLISHED:
        return PublishReport(post=post, skipped=list(post.targets.all()))  # a repeated call changes nothing
    sendable = {Post.State.APPROVED, Post.State.SCHEDULED, Post.State.PUBLISHING, Post.State.FAILED}
    if post.state not in sendable:
        raise PublishingError(
            _("A post that is “%(state)s” cannot be published.") % {"state": post.get_state_display()}
        )
    if post.state == Post.State.SCHEDULED and not force and post.scheduled_at and post.scheduled_at > now:
        return PublishReport(post=post)
    if post.state in (Post.State.APPROVED, Post.State.SCHEDULED):
        changed = Post.objects.filter(pk=post.pk, state=post.state).update(state=Post.State.PUBLISHING, updated_at=now)
        if changed:
            audit.record("publishing.publishing_started", target=post, actor=_user(by), data={"forced": force})
    report = PublishReport(post=post)

    # The checks once more, just before sending: a block stops; a warning nobody explained stops.
    findings = check_content(organization=post.organization, texts=post.language_texts(),
                             image_facts=[ImageFacts(m.alt_text) for m in post.media.all()], with_bulletins=False)
    problem = ""
    if _blocking(findings):
        problem = _("The checks found something that must not be published; return the post to draft and correct it.")
    elif _warnings(findings) and not post.override_reason:
        problem = _("The checks found warnings that nobody has explained; return the post to draft and give a reason.")

    for target in post.targets.select_related("channel").order_by("channel__key"):
        state = target.state
        if state in (PostTarget.State.PUBLISHED, PostTarget.State.WITHDRAWN, PostTarget.State.PENDING, PostTarget.State.NEEDS_CHECK):
            report.skipped.append(target)
            continue
        if state == PostTarget.State.FAILED and not retry_failed:
            report.skipped.append(target)
            continue
        if state == PostTarget.State.RETRY and target.retry_at and target.retry_at > now and not force:
            report.skipped.append(target)
            continue
        connector = connector_for_channel(target.channel)
        if state == PostTarget.State.PUBLISHING:
            if target.attempt_started_at and target.attempt_started_at > now - STALE_ATTEMPT:
                report.skipped.append(target)  # another worker is sending it right now
                continue
            if type(connector).platform not in IDEMPOTENT_CONNECTORS:
                # The previous attempt died inside the call; this platform cannot say whether it went through.
                PostTarget.objects.filter(pk=target.pk, state=PostTarget.State.PUBLISHING).update(
                    state=PostTarget.State.NEEDS_CHECK, outcome="needs_check", error=""
                )
                audit.record("publishing.target_needs_check", target=post, data={"channel": target.channel.key})
                report.skipped.append(target)
                continue
        if problem:
            _fail_before_sending(target, problem)
            report.skipped.append(target)
            continue
        if Capability.PUBLISH not in connector.capabilities:
            _fail_before_sending(target, _("Publishing to this platform is not supported."), outcome=str(Outcome.FAILED))
            continue
        try:
            outgoing = _outgoing(post, target)
        except OSError:
            _fail_before_sending(target, _("An image file of the post is missing from the server; remove the image and add it again."))
            continue
        if not _claim(target, from_state=state, now=now):
            report.skipped.append(target)
            continue
        try:
            result = connector.publish(outgoing)
        except Exception:
            # The call died: whether it went through is unknown. The target stays "publishing" and
            # the next run decides (sent again where the key is honoured, else checked by a person).
            log.exception("publishing post %s to channel %s failed inside the connector", post.pk, target.channel_id)
            continue
        report.sent.append(_record_outcome(target_id=target.pk, result=result, now=now))
    report.post = _settle_post_state(post.pk)
    return report


def finish_publish(*, target: PostTarget, now: dt.datetime | None = None) -> PostTarget:
    """Instagram's second step for a stored container; safe to repeat, also after a restart."""
    now = now or timezone.now()
    target = PostTarget.objects.select_related("channel", "post").get(pk=target.pk)
    if target.state != PostTarget.State.PENDING or not target.container_id:
        return target
    connector = connector_for_channel(target.channel)
    result = connector.finish_publish(PendingPublish(container_id=target.container_id, idempotency_key=str(target.idempotency_key)))
    if result.outcome == Outcome.PENDING:
        return target  # still processing: the next run looks again
    if result.outcome == Outcome.RATE_LIMITED:
        record_connection_outcome(channel=target.channel, result=result, now=now)
        return target
    target = _record_outcome(target_id=target.pk, result=result, now=now)
    _settle_post_state(target.post_id)
    return target


def finish_pending_publishes(*, now: dt.datetime | None = None) -> int:
    """Every waiting two-step publish, finished where the platform is ready. Returns how many finished."""
    finished = 0
    for target in PostTarget.objects.filter(state=PostTarget.State.PENDING).order_by("pk"):
        if finish_publish(target=target, now=now).state != PostTarget.State.PENDING:
            finished += 1
    return finished


def publish_due_posts(*, now: dt.datetime | None = None) -> int:
    """Scheduled posts whose time has come, rate-limited targets whose wait is over and attempts
    left hanging by a crash. Returns how many posts were looked at."""
    now = now or timezone.now()
    due = Post.objects.filter(
        Q(state=Post.State.SCHEDULED, scheduled_at__lte=now)
        | Q(state=Post.State.PUBLISHING, targets__state=PostTarget.State.RETRY, targets__retry_at__lte=now)
        | Q(state=Post.State.PUBLISHING, targets__state=PostTarget.State.WAITING)
        | Q(state=Post.State.PUBLISHING, targets__state=PostTarget.State.PUBLISHING, targets__attempt_started_at__lte=now - STALE_ATTEMPT)
    ).distinct()
    count = 0
    for post in due.order_by("pk"):
        try:
            publish_post(post=post, now=now)
        except PublishingError:
            continue
        count += 1
    return count


# --- after publishing -------------------------------------------------------------------------


@dataclass
class WithdrawReport:
    post: Post
    withdrawn: list[PostTarget] = field(default_factory=list)
    failed: list[tuple[PostTarget, str]] = field(default_factory=list)


def withdraw(*, post: Post, by: Person | None, reason: str, now: dt.datetime | None = None) -> WithdrawReport:
    """Poisto: delete the post from each platform where it was published; the archive keeps it.

    "Palvelussa julkaistua sisältöä ei välttämättä saa sieltä koskaan pois": copies, shares and
    screenshots remain. Withdrawal removes the post from the channel only."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise PublishingError(_("Give a reason for withdrawing the post; it is kept in the archive."))
    post = Post.objects.select_related("organization", "author").get(pk=post.pk)
    _require_state(post, Post.State.PUBLISHED, Post.State.FAILED, Post.State.PUBLISHING)
    report = WithdrawReport(post=post)
    for target in post.targets.filter(state=PostTarget.State.PUBLISHED).select_related("channel"):
        connector = connector_for_channel(target.channel)
        if Capability.DELETE not in connector.capabilities:
            report.failed.append((target, _("This platform does not let Somevahti delete posts; delete it on the platform.")))
            continue
        result = connector.delete(InteractionRef(platform_id=target.platform_id))
        if result.outcome not in (Outcome.OK, Outcome.NOT_FOUND):
            report.failed.append((target, explain_outcome(str(result.outcome), result.message)))
            record_connection_outcome(channel=target.channel, result=result, now=now)
            continue
        with transaction.atomic():
            locked = PostTarget.objects.select_for_update().get(pk=target.pk)
            if locked.state != PostTarget.State.PUBLISHED:
                continue
            locked.state = PostTarget.State.WITHDRAWN
            locked.withdrawn_at = now
            locked.save(update_fields=["state", "withdrawn_at", "updated_at"])
            archive(
                organization=post.organization, kind=RecordKind.POST_WITHDRAWN, channel=target.channel,
                text=post.published_text(), occurred_at=now, source_id=target.platform_id,
                author=by.name if by else "", payload=_archive_payload(post, locked, reason=reason, already_gone=result.outcome == Outcome.NOT_FOUND),
            )
            audit.record("publishing.post_withdrawn", target=post, actor=_user(by), data={"channel": target.channel.key, "reason": reason})
        report.withdrawn.append(locked)
    report.post = _settle_post_state(post.pk)
    return report


def resolve_needs_check(*, target: PostTarget, by: Person | None, url: str = "", send_again: bool = False, now: dt.datetime | None = None) -> PostTarget:
    """A person looked at the platform after an interrupted attempt: it is there (its link) or it is not (send again)."""
    now = now or timezone.now()
    url = (url or "").strip()
    if bool(url) == bool(send_again):
        raise PublishingError(_("Either give the link of the post on the platform, or choose to send it again."))
    if url and not url.lower().startswith(("https://", "http://")):
        raise PublishingError(_("The link must begin with https:// or http://."))
    with transaction.atomic():
        target = PostTarget.objects.select_for_update(of=("self",)).select_related("post__organization", "post__author", "channel").get(pk=target.pk)
        if target.state != PostTarget.State.NEEDS_CHECK:
            raise PublishingError(_("This channel's post does not need checking."))
        if url:
            _mark_published(target, platform_id=url, url=url, now=now, by=by, confirmed_by_person=True)
        else:
            target.state = PostTarget.State.WAITING
            target.outcome = ""
            target.save(update_fields=["state", "outcome", "updated_at"])
            audit.record("publishing.target_sent_again", target=target.post, actor=_user(by), data={"channel": target.channel.key})
    _settle_post_state(target.post_id)
    return target


# --- editing a published post -----------------------------------------------------------------

# Edit outcomes on a target worth sending again (a deleted post or a platform without edits is not).
RETRYABLE_EDIT_OUTCOMES = frozenset({Outcome.FAILED, Outcome.RATE_LIMITED, Outcome.UNAUTHORIZED})


@dataclass
class EditReport:
    edit: PostEdit
    edited: list[PostTarget] = field(default_factory=list)
    not_editable: list[PostTarget] = field(default_factory=list)   # the platform does not allow editing
    failed: list[tuple[PostTarget, str]] = field(default_factory=list)

    @property
    def waiting_for_review(self) -> bool:
        return self.edit.state == PostEdit.State.IN_REVIEW


def platform_allows_edit(channel: Channel) -> bool:
    """Whether a published post can be edited in place on the channel's platform."""
    try:
        return Capability.EDIT in capabilities_for(channel.platform)
    except LookupError:
        return False


def _published_targets(post: Post) -> list[PostTarget]:
    return list(post.targets.filter(state=PostTarget.State.PUBLISHED).select_related("channel").order_by("channel__key"))


def _require_published(post: Post) -> None:
    if post.state not in (Post.State.PUBLISHED, Post.State.FAILED) or not post.targets.filter(state=PostTarget.State.PUBLISHED).exists():
        raise PublishingError(_("Only a post that is on at least one channel can be edited this way."))


def _edit_findings(post: Post, texts: dict[str, str], *, with_bulletins: bool = True) -> list[PostFinding]:
    return check_content(
        organization=post.organization, texts=texts,
        image_facts=[ImageFacts(m.alt_text) for m in post.media.all()], with_bulletins=with_bulletins,
    )


def request_edit(
    *, post: Post, by: Person | None, text: str, reason: str, texts: dict[str, str] | None = None,
    override_reason: str = "", now: dt.datetime | None = None,
) -> EditReport:
    """Muokkaus: change the text of a published post on every channel whose platform allows it.

    The content checks run on the new text as on a new post: a block stops the edit; warnings
    need a reason, which is audited and kept. The reason for the edit itself is required: it is
    archived with every changed version. Images and the link stay as they were.

    Four eyes: on a channel where another person approves each post, the edit is approved again
    before anything is sent. What readers see is the municipality's communication whoever
    changes it, and an edit that skipped review would let an approved post become a text nobody
    approved. Without four eyes the edit is sent at once. Platforms that cannot edit (Instagram,
    Bluesky) keep the earlier text; the post's page offers withdrawal there.
    """
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise PublishingError(_("Say why the post is edited; the reason is kept in the archive."))
    text, others = _clean_texts(text, texts)
    post = Post.objects.select_related("organization").get(pk=post.pk)
    _require_published(post)
    if text == post.text and others == {k: v for k, v in (post.texts or {}).items() if str(v).strip()}:
        raise PublishingError(_("The new text is the same as the published one; change the text first."))
    findings = _edit_findings(post, {"fi": text, **others})  # before the transaction: checks take a moment
    if blocks := _blocking(findings):
        raise PostBlocked(_("The new text contains something that must not be published."), blocks)
    warnings = _warnings(findings)
    override_reason = (override_reason or "").strip()
    if warnings and not override_reason:
        raise PostNeedsReason(_("Check the warnings; to go on anyway, give a reason."), warnings)
    with transaction.atomic():
        post = _locked(post)
        _require_published(post)
        if post.edits.filter(state__in=(PostEdit.State.IN_REVIEW, PostEdit.State.APPROVED)).exists():
            raise PublishingError(_("An earlier edit of this post is still waiting for approval or being sent; it must be finished first."))
        review = requires_review(post)
        edit = PostEdit.objects.create(
            post=post, text=text, texts=others, previous_text=post.text, previous_texts=dict(post.texts or {}),
            reason=reason[:2000], override_reason=override_reason[:2000] if warnings else "", author=by,
            findings=[f.as_dict() for f in findings],
            state=PostEdit.State.IN_REVIEW if review else PostEdit.State.APPROVED,
            reviewed_at=None if review else now,
        )
        if warnings:
            audit.record(
                "publishing.warning_overridden", target=post, actor=_user(by),
                data={"edit": edit.pk, "reason": override_reason, "types": sorted({f.type for f in warnings})},
            )
        audit.record(
            "publishing.edit_requested", target=post, actor=_user(by),
            data={"edit": edit.pk, "reason": reason, "review_required": review},
        )
    if review:
        return EditReport(edit=edit)
    return _send_edit(edit=edit, by=by, now=now)


def approve_edit(*, edit: PostEdit, by: Person, now: dt.datetime | None = None) -> EditReport:
    """Another person than the editor approves the edit; it is then sent at once."""
    now = now or timezone.now()
    edit = PostEdit.objects.select_related("post__organization").get(pk=edit.pk)
    findings = _edit_findings(edit.post, edit.language_texts())
    with transaction.atomic():
        edit = PostEdit.objects.select_for_update(of=("self",)).select_related("post__organization").get(pk=edit.pk)
        if edit.state != PostEdit.State.IN_REVIEW:
            raise PublishingError(_("This edit is not waiting for approval."))
        _require_second_person(
            by=by, author_id=edit.author_id, organization_id=edit.post.organization_id,
            own_work=_("You made this edit; another person must approve it."),
        )
        if blocks := _blocking(findings):
            raise PostBlocked(_("The new text contains something that must not be published."), blocks)
        if _warnings(findings) and not edit.override_reason:
            raise PostNeedsReason(_("The new text has warnings that its editor did not explain; return the edit."), _warnings(findings))
        edit.state = PostEdit.State.APPROVED
        edit.reviewer = by
        edit.reviewed_at = now
        edit.findings = [f.as_dict() for f in findings]
        edit.save()
        audit.record("publishing.edit_approved", target=edit.post, actor=_user(by), data={"edit": edit.pk})
    return _send_edit(edit=edit, by=by, now=now)


@transaction.atomic
def reject_edit(*, edit: PostEdit, by: Person, comment: str, now: dt.datetime | None = None) -> PostEdit:
    """Return the edit to its maker; nothing is sent and the published text stays."""
    comment = (comment or "").strip()
    if not comment:
        raise PublishingError(_("Tell the editor why the edit is returned."))
    edit = PostEdit.objects.select_for_update(of=("self",)).select_related("post").get(pk=edit.pk)
    if edit.state != PostEdit.State.IN_REVIEW:
        raise PublishingError(_("This edit is not waiting for approval."))
    edit.state = PostEdit.State.REJECTED
    edit.reviewer = by
    edit.reviewed_at = now or timezone.now()
    edit.review_comment = comment[:4000]
    edit.save()
    audit.record("publishing.edit_rejected", target=edit.post, actor=_user(by), data={"edit": edit.pk, "comment": comment})
    return edit


def retry_edit(*, post: Post, by: Person | None, now: dt.datetime | None = None) -> EditReport:
    """Send the latest edit again to the channels where the platform refused it or could not be reached."""
    now = now or timezone.now()
    edit = post.edits.filter(state__in=(PostEdit.State.SENT, PostEdit.State.APPROVED)).order_by("-created_at", "-pk").first()
    if edit is None:
        raise PublishingError(_("This post has no edit to send again."))
    findings = _edit_findings(post, edit.language_texts(), with_bulletins=False)
    if _blocking(findings) or (_warnings(findings) and not edit.override_reason):
        raise PublishingError(_("The checks now find something in the new text; make a new edit instead."))
    # An edit left "approved" was interrupted while being sent: it goes to every channel again.
    return _send_edit(edit=edit, by=by, now=now, only_failed=edit.state == PostEdit.State.SENT)


def _send_edit(*, edit: PostEdit, by: Person | None, now: dt.datetime, only_failed: bool = False) -> EditReport:
    """Send an approved edit to each published target; record the outcome on each one."""
    with transaction.atomic():
        post = _locked(edit.post)
        if not only_failed:
            # The post now carries the new text: a channel that still waits for publishing gets it.
            post.text, post.texts = edit.text, dict(edit.texts)
            post.approved_findings = list(edit.findings)
            post.override_reason = edit.override_reason
            post.save(update_fields=["text", "texts", "approved_findings", "override_reason", "updated_at"])
    post = Post.objects.select_related("organization", "author", "reviewer").get(pk=post.pk)
    report = EditReport(edit=edit)
    targets = _published_targets(post)
    if only_failed:
        targets = [t for t in targets if t.edit_outcome in RETRYABLE_EDIT_OUTCOMES]
    for target in targets:
        if not platform_allows_edit(target.channel):
            PostTarget.objects.filter(pk=target.pk).update(edit_outcome="not_supported", edit_error="")
            audit.record("publishing.edit_not_supported", target=post, data={"edit": edit.pk, "channel": target.channel.key})
            report.not_editable.append(target)
            continue
        outgoing = OutgoingPost(
            text=edit.published_text(), link=post.link, language="fi", idempotency_key=str(target.idempotency_key),
            media=tuple(MediaItem(url=m.public_url, alt_text=m.alt_text, content_type=m.content_type) for m in post.media.all()),
        )
        try:
            result = _connector_edit(target, outgoing)
        except Exception:
            log.exception("editing post %s on channel %s failed inside the connector", post.pk, target.channel_id)
            result = Result(Outcome.FAILED, message="The connection to the platform failed unexpectedly; try again.")
        if result.ok:
            report.edited.append(_record_edit(edit=edit, post=post, target=target, result=result, by=by, now=now))
        else:
            PostTarget.objects.filter(pk=target.pk).update(edit_outcome=str(result.outcome), edit_error=result.message[:2000])
            audit.record(
                "publishing.edit_failed", target=post, actor=_user(by),
                data={"edit": edit.pk, "channel": target.channel.key, "outcome": str(result.outcome)},
            )
            report.failed.append((target, explain_outcome(str(result.outcome), result.message)))
        record_connection_outcome(channel=target.channel, result=result, now=now)
    PostEdit.objects.filter(pk=edit.pk).update(state=PostEdit.State.SENT, sent_at=now, updated_at=now)
    edit.refresh_from_db()
    report.edit = edit
    return report


def _connector_edit(target: PostTarget, outgoing: OutgoingPost) -> Result:
    connector = connector_for_channel(target.channel)
    return connector.edit(InteractionRef(platform_id=target.platform_id), outgoing)


def _record_edit(*, edit: PostEdit, post: Post, target: PostTarget, result: Result, by: Person | None, now: dt.datetime) -> PostTarget:
    with transaction.atomic():
        locked = PostTarget.objects.select_for_update().select_related("channel").get(pk=target.pk)
        locked.edited_at = now
        locked.edit_outcome = str(Outcome.OK)
        locked.edit_error = ""
        if result.url and not locked.url:
            locked.url = result.url[:1000]
        locked.save(update_fields=["edited_at", "edit_outcome", "edit_error", "url", "updated_at"])
        archive(
            organization=post.organization, kind=RecordKind.POST_EDITED, channel=locked.channel,
            text=edit.published_text(), occurred_at=now, source_id=locked.platform_id,
            author=edit.author.name if edit.author else "",
            payload=_archive_payload(
                post, locked, edit=edit.pk, reason=edit.reason, previous_text=_joined(edit.previous_text, edit.previous_texts),
                approved_by=edit.reviewer.name if edit.reviewer else "", override_reason=edit.override_reason,
            ),
        )
        audit.record(
            "publishing.post_edited", target=post, actor=_user(by),
            data={"edit": edit.pk, "channel": locked.channel.key, "platform_id": locked.platform_id},
        )
    return locked


def _joined(text: str, texts: dict[str, str]) -> str:
    """A post's published form (Post.published_text) from its Finnish text and the others."""
    parts = [text, *(str(v) for v in (texts or {}).values())]
    return "\n\n".join(p.strip() for p in parts if str(p).strip())


# --- settings and bulletins -------------------------------------------------------------------


@transaction.atomic
def set_review_required(*, channel: Channel, required: bool, by: Person | None) -> ChannelPublishingSettings:
    """Neljän silmän periaate per channel: every post needs another person's approval."""
    settings_row, _created = ChannelPublishingSettings.objects.get_or_create(channel=channel)
    if settings_row.review_required != required:
        settings_row.review_required = required
        settings_row.save()
        audit.record(
            "publishing.review_requirement_changed", target=settings_row, actor=_user(by),
            organization_id=channel.organization_id, data={"channel": channel.key, "required": required},
        )
    return settings_row


@transaction.atomic
def set_bulletin_feed(*, organization: Organization, url: str, by: Person | None) -> PublishingSettings:
    url = (url or "").strip()
    if url and not url.lower().startswith(("https://", "http://")):
        raise PublishingError(_("The feed address must begin with https:// or http://."))
    row, _created = PublishingSettings.objects.get_or_create(organization=organization)
    if row.bulletin_feed_url != url:
        row.bulletin_feed_url = url
        row.feed_error = ""
        row.save()
        audit.record("publishing.bulletin_feed_set", target=row, actor=_user(by), organization_id=organization.pk, data={"url": url})
    return row


@dataclass(frozen=True)
class BulletinRefresh:
    created: int = 0
    updated: int = 0
    error: str = ""


def refresh_bulletins(*, organization: Organization, now: dt.datetime | None = None) -> BulletinRefresh:
    """Read the organization's bulletin feed. A feed that cannot be read leaves its problem on the
    settings and every bulletin already stored as it was."""
    now = now or timezone.now()
    row = PublishingSettings.objects.filter(organization=organization).first()
    if row is None or not row.bulletin_feed_url:
        return BulletinRefresh(error=_("No bulletin feed address has been set."))
    try:
        items = feeds.parse_feed(feeds.fetch_feed(row.bulletin_feed_url))
    except feeds.FeedError as exc:
        PublishingSettings.objects.filter(pk=row.pk).update(feed_error=str(exc), feed_checked_at=now)
        return BulletinRefresh(error=str(exc))
    created = updated = 0
    with transaction.atomic():
        for item in items:
            _bulletin, was_created = Bulletin.objects.update_or_create(
                organization=organization, url=item.url[:1000],
                defaults={"title": item.title or item.url[:500], "text": item.text, "published_at": item.published_at, "fetched_at": now},
            )
            created += was_created
            updated += not was_created
        PublishingSettings.objects.filter(pk=row.pk).update(feed_error="", feed_checked_at=now, feed_ok_at=now)
    return BulletinRefresh(created=created, updated=updated)
