from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One change of state, sign-in or refused attempt: who, what, when. Never edited."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # An id, not a foreign key: core sits below the app that owns organizations.
    organization_id = models.BigIntegerField(_("organization"), null=True, blank=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=100, blank=True)
    target_label = models.CharField(_("target"), max_length=300, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.target_label}"
