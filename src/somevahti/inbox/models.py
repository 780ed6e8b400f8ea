"""The feedback inbox: every comment, reply, message and mention, and what was done with it.

Nothing is ever deleted: hiding, removal on the platform and removal by the author are states
with their history (InteractionEvent).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from somevahti.channels.models import Channel
from somevahti.people.models import Organization, Person


class Interaction(models.Model):
    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        REPLY = "reply", _("Reply")
        MESSAGE = "message", _("Private message")
        MENTION = "mention", _("Mention")

    class State(models.TextChoices):
        NEW = "new", _("New")
        ASSIGNED = "assigned", _("Assigned")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")
        HIDDEN = "hidden", _("Hidden")
        REMOVED = "removed", _("Removed")

    OPEN_STATES = (State.NEW, State.ASSIGNED)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="interactions")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    platform_id = models.CharField(max_length=300)
    post_platform_id = models.CharField(max_length=300, blank=True)
    parent_platform_id = models.CharField(max_length=300, blank=True)
    thread_id = models.CharField(max_length=300, blank=True, db_index=True)
    author_platform_id = models.CharField(max_length=300, blank=True)
    author_name = models.CharField(_("author"), max_length=300, blank=True)
    author_handle = models.CharField(max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    media_urls = models.JSONField(default=list, blank=True)
    permalink = models.URLField(max_length=1000, blank=True)
    platform_extra = models.JSONField(default=dict, blank=True)
    from_us = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("created on the platform"))
    received_at = models.DateTimeField(_("received"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.NEW)
    assignee = models.ForeignKey(
        Person, verbose_name=_("assignee"), null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_interactions"
    )
    expects_answer = models.BooleanField(default=True)
    no_answer_reason = models.TextField(blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    findings = models.JSONField(default=list, blank=True)
    has_blocking_finding = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "platform_id"], name="interaction_unique_platform_id")
        ]
        indexes = [
            models.Index(fields=["organization", "state", "deadline"]),
            models.Index(fields=["organization", "-created_at"]),
        ]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.author_name}: {self.text[:40]}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES and self.expects_answer


class InteractionEvent(models.Model):
    """One thing that happened to an interaction, on the platform or in Somevahti."""

    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    verb = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    text_before = models.TextField(blank=True)
    text_after = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class Reply(models.Model):
    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="replies")
    text = models.TextField(_("reply"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SENDING)
    idempotency_key = models.CharField(max_length=100, unique=True)
    platform_id = models.CharField(max_length=300, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    outcome = models.CharField(max_length=20, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]


class CannedReply(models.Model):
    class Kind(models.TextChoices):
        CANNED = "canned", _("Canned reply")
        OFFICIAL = "official", _("Official position")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="canned_replies")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CANNED)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="fi")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["kind", "language", "title"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self) -> str:
        return self.title


class WebhookDelivery(models.Model):
    """A platform's delivery, kept as received until it has been processed.

    It lives in the webhook journal (inbox.routers), so it holds no foreign keys: who gave it up
    is a name here and a user in the audit log. Nothing is deleted; a person may give up on a
    delivery, which only stops the automatic retries.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        PROCESSED = "processed", _("Processed")
        FAILED = "failed", _("Failed; will be retried")
        GIVEN_UP = "given_up", _("Given up; kept, not retried")

    platform = models.CharField(max_length=20)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    body = models.BinaryField()
    body_sha256 = models.CharField(max_length=64, db_index=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    interactions = models.PositiveIntegerField(default=0)
    # The body cannot be read (not the platform's form): trying again cannot help by itself.
    # Columns added later carry database defaults: deliveries are stored with a plain INSERT.
    unreadable = models.BooleanField(default=False, db_default=False)
    # ",id,id," of the pages the body is for, once read; None while not yet read.
    page_ids = models.TextField(null=True, blank=True)
    given_up_at = models.DateTimeField(null=True, blank=True)
    given_up_by = models.CharField(max_length=150, blank=True, default="", db_default="")
    given_up_reason = models.TextField(blank=True, default="", db_default="")
    # When the administrators were told it failed for good; they are told once.
    failure_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.platform} #{self.pk} ({self.body_sha256[:12]})"


class Escalation(models.Model):
    """One reminder or escalation e-mail, sent once."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Deadline approaching")
        OVERDUE = "overdue", _("Deadline passed")

    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="escalations")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sent_at = models.DateTimeField()
    recipients = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["interaction", "kind"], name="escalation_once")]
