from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from somevahti.people.models import Organization, Person, Unit


class Platform(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    BLUESKY = "bluesky", "Bluesky"
    MASTODON = "mastodon", "Mastodon"


class Channel(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="channels")
    key = models.SlugField(_("identifier"), max_length=80)
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    name = models.CharField(_("name"), max_length=200)
    handle = models.CharField(_("handle"), max_length=200, blank=True)
    url = models.URLField(_("address"), max_length=500, blank=True)
    platform_id = models.CharField(_("platform id"), max_length=200, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("owning unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="channels"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    login_identity = models.CharField(
        _("login identity"), max_length=254, blank=True, help_text=_("The shared functional mailbox used to log in.")
    )
    two_factor = models.BooleanField(_("two-factor login on"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="channel_unique_key")]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return f"{self.get_platform_display()}: {self.name}"


class ChannelAdministrator(models.Model):
    """A person's administrator period on a channel: [since, until), until open when None."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        EDITOR = "editor", _("Editor")
        MODERATOR = "moderator", _("Moderator")

    # Admins and editors keep the service updated; moderators only answer.
    COUNTS_FOR_COVERAGE = frozenset({Role.ADMIN, Role.EDITOR})

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="administrators")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="channel_roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.ADMIN)
    since = models.DateTimeField(_("since"))
    until = models.DateTimeField(_("until"), null=True, blank=True, help_text=_("The first moment no longer in the role."))
    # The person's user id on this channel's platform, to match who holds the page there
    # (channels.connections.compare_platform_administrators). Kept on every period of the person.
    platform_user_id = models.CharField(
        _("platform user id"), max_length=200, blank=True,
        help_text=_("The person's user id on the platform, as the platform lists the page's roles."),
    )

    class Meta:
        ordering = ["channel", "since"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gt=models.F("since")), name="channel_admin_order"
            ),
            models.UniqueConstraint(fields=["channel", "person", "since"], name="channel_admin_unique_period"),
        ]
        verbose_name = _("channel administrator")
        verbose_name_plural = _("channel administrators")

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()}) @ {self.channel}"

    @property
    def organization_id(self) -> int:
        return self.channel.organization_id

    @property
    def counts_for_coverage(self) -> bool:
        return self.role in self.COUNTS_FOR_COVERAGE


class ChannelConnection(models.Model):
    """How Somevahti reaches a channel on its platform: the token (encrypted), cursor and health."""

    class Health(models.TextChoices):
        UNKNOWN = "unknown", _("Not checked yet")
        OK = "ok", _("Working")
        RATE_LIMITED = "rate_limited", _("Rate limited")
        UNAUTHORIZED = "unauthorized", _("Token expired or revoked")
        FAILED = "failed", _("Failing")

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="connection")
    token_encrypted = models.TextField(blank=True)
    base_url = models.URLField(_("server address"), max_length=500, blank=True)
    token_expires_at = models.DateTimeField(_("token expires"), null=True, blank=True)
    # The expiry the administrators were last warned about: one warning per expiry, not one a day.
    expiry_warning_sent_for = models.DateTimeField(null=True, blank=True)
    cursor = models.TextField(blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    health = models.CharField(_("connection"), max_length=20, choices=Health.choices, default=Health.UNKNOWN)
    health_message = models.TextField(blank=True)
    health_checked_at = models.DateTimeField(null=True, blank=True)
    rate_usage = models.JSONField(default=dict, blank=True)
    retry_after = models.DateTimeField(null=True, blank=True)
    # Who holds the account on the platform, as last read (compared with the administrators).
    platform_administrators = models.JSONField(default=list, blank=True)
    platform_administrators_read_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("channel connection")
        verbose_name_plural = _("channel connections")

    def __str__(self) -> str:
        return f"{self.channel}: {self.get_health_display()}"

    @property
    def organization_id(self) -> int:
        return self.channel.organization_id

    def set_token(self, token: str) -> None:
        from somevahti.core.crypto import encrypt

        self.token_encrypted = encrypt(token) if token else ""

    def get_token(self) -> str:
        from somevahti.core.crypto import decrypt

        return decrypt(self.token_encrypted) if self.token_encrypted else ""
