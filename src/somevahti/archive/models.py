"""The archive: an append-only record of everything sent and received.

Posts, comments, messages and replies are public-authority documents; the municipality keeps
its own copy. Each record carries a SHA-256 hash chained to the previous record of the same
organization, so a changed or removed record is detected (`somevahti archive verify`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from somevahti.channels.models import Channel
from somevahti.people.models import Organization


class RecordKind(models.TextChoices):
    POST_PUBLISHED = "post_published", _("Post published")
    POST_EDITED = "post_edited", _("Post edited")
    POST_WITHDRAWN = "post_withdrawn", _("Post withdrawn")
    INTERACTION_RECEIVED = "interaction_received", _("Comment or message received")
    INTERACTION_EDITED = "interaction_edited", _("Comment edited by its author")
    INTERACTION_HIDDEN = "interaction_hidden", _("Comment hidden")
    INTERACTION_UNHIDDEN = "interaction_unhidden", _("Comment shown again")
    INTERACTION_REMOVED = "interaction_removed", _("Comment removed")
    REPLY_SENT = "reply_sent", _("Reply sent")
    IMPORTED = "imported", _("Imported from a platform export")


class ArchiveRecord(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="archive_records")
    sequence = models.PositiveBigIntegerField()  # 1, 2, 3… per organization
    kind = models.CharField(_("kind"), max_length=40, choices=RecordKind.choices)
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.PROTECT, related_name="archive_records")
    platform = models.CharField(_("platform"), max_length=20, blank=True)
    source_id = models.CharField(_("platform id"), max_length=300, blank=True, db_index=True)
    author = models.CharField(_("author"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    payload = models.JSONField(_("platform payload"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("time"), db_index=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    previous_hash = models.CharField(max_length=64)
    record_hash = models.CharField(max_length=64, unique=True)
    # Retention: when the record leaves search (its disposal is logged; the chain keeps its hash).
    removed_from_search_at = models.DateTimeField(null=True, blank=True)
    # The stemmed copy of the text that full-text search reads (see search.py). Derived from
    # `text`, set before the first save, not covered by the hash.
    search_text = models.TextField(blank=True, default="", editable=False)

    class Meta:
        ordering = ["organization", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "sequence"], name="archive_record_sequence_unique")
        ]
        indexes = [models.Index(fields=["organization", "occurred_at"]), models.Index(fields=["organization", "kind"])]
        verbose_name = _("archive record")
        verbose_name_plural = _("archive records")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.kind} {self.occurred_at:%Y-%m-%d}"


# Defaults when the organization has decided nothing else (days; None = kept in search for good).
# Published posts are the municipality's own communication: 10 years, like other information
# material in most municipal records-management plans (tiedonohjaussuunnitelma). Comments,
# messages and the replies to them are handled like feedback and customer correspondence:
# 6 years, which outlasts a complaint to the Parliamentary Ombudsman (2 years) and the general
# limitation of claims (3 years, Act 728/2003) with margin.
# Imports of platform history are the municipality's posts and comments of past years: 10 years.
DEFAULT_RETENTION_DAYS: dict[str, int | None] = {
    RecordKind.POST_PUBLISHED: 3650,
    RecordKind.POST_EDITED: 3650,
    RecordKind.POST_WITHDRAWN: 3650,
    RecordKind.INTERACTION_RECEIVED: 2190,
    RecordKind.INTERACTION_EDITED: 2190,
    RecordKind.INTERACTION_HIDDEN: 2190,
    RecordKind.INTERACTION_UNHIDDEN: 2190,
    RecordKind.INTERACTION_REMOVED: 2190,
    RecordKind.REPLY_SENT: 2190,
    RecordKind.IMPORTED: 3650,
}


class RetentionPolicy(models.Model):
    """Säilytysaika: how long records of one kind stay findable. The municipality decides."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="archive_retention_policies")
    kind = models.CharField(_("kind"), max_length=40, choices=RecordKind.choices)
    days = models.PositiveIntegerField(_("retention in days"), null=True, blank=True, help_text=_("Empty: kept for good."))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "kind"], name="archive_retention_unique")]
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return f"{self.kind}: {self.days}"


class DisposalLog(models.Model):
    """Hävittämisloki: records of one kind removed from search, occurred up to `up_to`."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="archive_disposals")
    kind = models.CharField(_("kind"), max_length=40, choices=RecordKind.choices)
    count = models.PositiveIntegerField(_("records"))
    up_to = models.DateTimeField(_("occurred before"))
    at = models.DateTimeField(_("time"))
    # Which run of retention removed them: the nightly task's result id, or a new id per call.
    run = models.CharField(_("run"), max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("disposal")
        verbose_name_plural = _("disposals")

    def __str__(self) -> str:
        return f"{self.kind} {self.count} < {self.up_to:%Y-%m-%d}"
