"""The guideline as code: Guideline → Clause → Rule → Finding.

guideline sits below people in the import order, so it names people's models by string.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    BLOCK = "block", _("Blocking")
    WARN = "warn", _("Warning")
    INFO = "info", _("Notice")


class Guideline(models.Model):
    organization = models.ForeignKey("people.Organization", on_delete=models.CASCADE, related_name="guidelines")
    title = models.CharField(_("title"), max_length=300)
    version = models.CharField(_("version"), max_length=50)
    approved_by = models.CharField(_("approved by"), max_length=200, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    source_text = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-approved_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "version"], name="guideline_unique_version")
        ]
        verbose_name = _("guideline")
        verbose_name_plural = _("guidelines")

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"


class Clause(models.Model):
    guideline = models.ForeignKey(Guideline, on_delete=models.CASCADE, related_name="clauses")
    ref = models.CharField(_("reference"), max_length=40)
    section = models.CharField(_("section"), max_length=200)
    text = models.TextField(_("text"))
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["guideline", "order"]
        constraints = [models.UniqueConstraint(fields=["guideline", "ref"], name="clause_unique_ref")]
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")

    def __str__(self) -> str:
        return f"{self.ref} {self.text[:60]}"


class Rule(models.Model):
    guideline = models.ForeignKey(Guideline, on_delete=models.CASCADE, related_name="rules")
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="rules")
    code = models.CharField(_("code"), max_length=40)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.WARN)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["guideline", "id"]
        constraints = [models.UniqueConstraint(fields=["guideline", "code"], name="rule_unique_code")]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")

    def __str__(self) -> str:
        return self.code

    @property
    def organization_id(self) -> int:
        return self.guideline.organization_id


class Finding(models.Model):
    """Something a rule saw. It stays open while the rule keeps seeing it."""

    organization = models.ForeignKey("people.Organization", on_delete=models.CASCADE, related_name="findings")
    rule_code = models.CharField(_("rule"), max_length=40, db_index=True)
    key = models.CharField(max_length=300)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    # The message is an English msgid with named placeholders, shown in the reader's language.
    message = models.TextField(_("message"))
    params = models.JSONField(default=dict, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    url = models.CharField(max_length=500, blank=True)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["resolved_at", "-last_seen"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "rule_code", "key"], name="finding_unique_key")
        ]
        indexes = [models.Index(fields=["organization", "resolved_at"])]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return f"{self.rule_code}: {self.text}"

    @property
    def text(self) -> str:
        try:
            return gettext(self.message) % self.params
        except (KeyError, TypeError, ValueError):
            return gettext(self.message)

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Acknowledgement(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="acknowledgements")
    guideline = models.ForeignKey(Guideline, on_delete=models.CASCADE, related_name="acknowledgements")
    at = models.DateTimeField(_("acknowledged at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "guideline"], name="acknowledgement_once")
        ]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")

    @property
    def organization_id(self) -> int:
        return self.guideline.organization_id
