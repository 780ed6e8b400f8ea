"""Julkaisut: posts from draft to the platforms, their images and the bulletins they must not merely repeat.

A Post is written once and published to one or more channels; each channel is a PostTarget
with its own state, attempts and a fixed idempotency key, so a post is never published twice on
a platform that honours the key. Images keep their original privately; only a re-encoded copy
without EXIF, GPS or other personal metadata is ever served or sent.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from somevahti.channels.models import Channel
from somevahti.people.models import Organization, Person


class LanguageTexts:
    """A text in Finnish (`text`) and the same in other languages (`texts`, e.g. {"sv": ..., "en": ...})."""

    text: str
    texts: dict[str, Any]

    def language_texts(self) -> dict[str, str]:
        """{"fi": ..., "sv": ..., "en": ...} with the empty ones left out."""
        texts = {"fi": self.text}
        texts.update({lang: str(value) for lang, value in (self.texts or {}).items() if str(value).strip()})
        return {lang: value for lang, value in texts.items() if value.strip()}

    def published_text(self) -> str:
        """What goes out: the Finnish text, then each other language after an empty line."""
        return "\n\n".join(value.strip() for value in self.language_texts().values())


class Post(LanguageTexts, models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHING = "publishing", _("Being published")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Publishing failed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # The draft (text, images, channels) may change only before anything is sent; after that
    # the text changes only through an edit of the published post (PostEdit), never the images.
    EDITABLE_STATES = frozenset({State.DRAFT, State.IN_REVIEW, State.APPROVED, State.SCHEDULED})

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="posts")
    text = models.TextField(_("text"))
    # Other languages of the same post, e.g. {"sv": "...", "en": "..."}; published after the Finnish text.
    texts = models.JSONField(_("texts in other languages"), default=dict, blank=True)
    link = models.URLField(_("link"), max_length=1000, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    author = models.ForeignKey(
        Person, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL, related_name="posts_written"
    )
    reviewer = models.ForeignKey(
        Person, verbose_name=_("approved by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="posts_reviewed"
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True, db_index=True)
    # The findings as they were when the post was approved: what the approver saw.
    approved_findings = models.JSONField(_("findings at approval"), default=list, blank=True)
    override_reason = models.TextField(_("reason for publishing despite warnings"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "state"])]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self) -> str:
        first = " ".join(self.text.split())
        return first[:60] + ("…" if len(first) > 60 else "")

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES


class PostTarget(models.Model):
    """One post on one channel."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        PUBLISHING = "publishing", _("Being sent")
        PENDING = "pending", _("The platform is processing it")
        RETRY = "retry", _("Will be tried again")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")
        NEEDS_CHECK = "needs_check", _("Needs checking by a person")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="targets")
    channel = models.ForeignKey(Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="post_targets")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.WAITING, db_index=True)
    platform_id = models.CharField(_("platform id"), max_length=300, blank=True)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    outcome = models.CharField(_("last outcome"), max_length=20, blank=True)
    error = models.TextField(_("message from the platform"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Fixed for the target's life: a repeated attempt carries the same key.
    idempotency_key = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    container_id = models.CharField(_("pending container"), max_length=300, blank=True)
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    # The latest edit of the published post on this channel (services.request_edit): when it
    # went through, or what the platform answered ("ok", an Outcome, or "not_supported").
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    edit_outcome = models.CharField(_("outcome of the latest edit"), max_length=20, blank=True)
    edit_error = models.TextField(_("message from the platform about the edit"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["post", "channel__key"]
        constraints = [models.UniqueConstraint(fields=["post", "channel"], name="post_target_unique_channel")]
        verbose_name = _("post on a channel")
        verbose_name_plural = _("posts on channels")

    def __str__(self) -> str:
        return f"{self.post} → {self.channel}"

    @property
    def organization_id(self) -> int:
        return self.post.organization_id


class PostEdit(LanguageTexts, models.Model):
    """Muokkaus: a new text for a post that is already on the platforms, with its reason.

    Sent to each channel whose platform allows editing; on a four-eyes channel another person
    approves it first. The texts before the edit are kept here and in the archive."""

    class State(models.TextChoices):
        IN_REVIEW = "in_review", _("Waiting for approval")
        APPROVED = "approved", _("Approved, being sent")
        SENT = "sent", _("Sent to the channels")
        REJECTED = "rejected", _("Returned")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="edits")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.IN_REVIEW, db_index=True)
    text = models.TextField(_("new text"))
    texts = models.JSONField(_("new texts in other languages"), default=dict, blank=True)
    previous_text = models.TextField(_("text before the edit"))
    previous_texts = models.JSONField(_("texts in other languages before the edit"), default=dict, blank=True)
    reason = models.TextField(_("reason for the edit"))
    override_reason = models.TextField(_("reason for publishing despite warnings"), blank=True)
    findings = models.JSONField(_("findings of the checks"), default=list, blank=True)
    author = models.ForeignKey(
        Person, verbose_name=_("edited by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="post_edits_written"
    )
    reviewer = models.ForeignKey(
        Person, verbose_name=_("approved by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="post_edits_reviewed"
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("edit of a published post")
        verbose_name_plural = _("edits of published posts")

    def __str__(self) -> str:
        return f"{self.post} ({self.get_state_display()})"

    @property
    def organization_id(self) -> int:
        return self.post.organization_id


class Media(models.Model):
    """An image of a post. The original stays private; the public copy has no metadata."""

    class Consent(models.TextChoices):
        GIVEN = "given", _("The people in the image have agreed to its publication")
        NO_PEOPLE = "no_people", _("No identifiable people in the image")
        NOT_NEEDED = "not_needed", _("Consent is not needed (for example a public event)")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="media")
    position = models.PositiveSmallIntegerField(default=0)
    token = models.CharField(max_length=64, unique=True)  # the public copy's unguessable name
    original_name = models.CharField(max_length=100)       # another random name; never served
    extension = models.CharField(max_length=5)
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField(help_text="bytes of the public copy")
    alt_text = models.TextField(_("alternative text"))
    credit = models.CharField(_("photographer or source"), max_length=300, blank=True)
    licence = models.CharField(_("licence"), max_length=200, blank=True)
    consent = models.CharField(_("consent"), max_length=20, choices=Consent.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["post", "position", "pk"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return f"{self.token}.{self.extension}"

    @property
    def organization_id(self) -> int:
        return self.post.organization_id

    @property
    def public_filename(self) -> str:
        return f"{self.token}.{self.extension}"

    @property
    def public_url(self) -> str:
        return f"{settings.PUBLIC_BASE_URL}/media/p/{self.public_filename}"


class Bulletin(models.Model):
    """One item of the organization's own news feed (tiedote), for CONTENT-NOT-BULLETIN."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="bulletins")
    url = models.URLField(_("address"), max_length=1000)
    title = models.CharField(_("title"), max_length=500)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    fetched_at = models.DateTimeField(_("fetched"))

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["organization", "url"], name="bulletin_unique_url")]
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")

    def __str__(self) -> str:
        return self.title


class PublishingSettings(models.Model):
    """The organization's publishing settings: where its bulletins are read from."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="publishing_settings")
    bulletin_feed_url = models.URLField(_("bulletin feed address"), max_length=1000, blank=True)
    feed_error = models.TextField(_("last problem with the feed"), blank=True)
    feed_checked_at = models.DateTimeField(_("feed last read"), null=True, blank=True)
    feed_ok_at = models.DateTimeField(_("feed last read successfully"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("publishing settings")
        verbose_name_plural = _("publishing settings")

    def __str__(self) -> str:
        return str(self.organization)


class ChannelPublishingSettings(models.Model):
    """Per channel: whether a second person must approve each post ("four eyes")."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="publishing_settings")
    review_required = models.BooleanField(_("a second person approves each post"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("channel publishing settings")
        verbose_name_plural = _("channel publishing settings")

    def __str__(self) -> str:
        return str(self.channel)

    @property
    def organization_id(self) -> Any:
        return self.channel.organization_id
