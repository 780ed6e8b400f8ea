from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from somevahti.core.roles import Role


class Organization(models.Model):
    slug = models.SlugField(_("identifier"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="unit_unique_name")]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="people")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("work e-mail"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="people")
    supervisor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    elected_official = models.BooleanField(_("elected official"), default=False)
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_until = models.DateField(_("active until"), null=True, blank=True, help_text=_("Last day, included."))
    # The language of the e-mails Somevahti sends the person; empty means the default (Finnish).
    language = models.CharField(_("language"), max_length=10, blank=True, choices=settings.LANGUAGES)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "email"], name="person_unique_email"),
            models.CheckConstraint(
                condition=Q(active_until__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_until__gte=models.F("active_from")),
                name="person_active_order",
            ),
        ]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name

    def is_active_on(self, day: dt.date) -> bool:
        return (self.active_from is None or self.active_from <= day) and (
            self.active_until is None or day <= self.active_until
        )

    @property
    def role_codes(self) -> frozenset[str]:
        return frozenset(r.role for r in self.roles.all())


class PersonRole(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "role"], name="person_role_unique")]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return f"{self.person}: {self.get_role_display()}"


class CalendarFeed(models.Model):
    """An iCalendar address (Outlook, Google) whose events are a person's absences."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="calendar_feeds")
    url = models.URLField(_("address"), max_length=1000)
    kind = models.CharField(_("kind of absence"), max_length=20, default="vacation")
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.person}: {self.url}"

    @property
    def organization_id(self) -> int:
        return self.person.organization_id


class Absence(models.Model):
    class Kind(models.TextChoices):
        VACATION = "vacation", _("Vacation")
        SICK = "sick", _("Sick leave")
        TRAINING = "training", _("Training")
        LEAVE = "leave", _("Leave of absence")
        OTHER = "other", _("Other")

    class Source(models.TextChoices):
        FORM = "form", _("Form")
        IMPORT = "import", _("Organization file")
        ICS_UPLOAD = "ics_upload", _("Calendar file")
        ICS_FEED = "ics_feed", _("Calendar feed")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="absences")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), help_text=_("The first moment back at work."))
    all_day = models.BooleanField(_("whole days"), default=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.VACATION)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.FORM)
    feed = models.ForeignKey(CalendarFeed, null=True, blank=True, on_delete=models.CASCADE, related_name="absences")
    # A calendar event's UID plus its occurrence (RECURRENCE-ID), so re-imports update in place.
    uid = models.CharField(max_length=500, blank=True)
    summary = models.CharField(_("description"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="absence_end_after_start"),
            models.UniqueConstraint(
                fields=["person", "source", "uid"], condition=~Q(uid=""), name="absence_unique_uid"
            ),
        ]
        indexes = [models.Index(fields=["person", "start", "end"])]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")

    def __str__(self) -> str:
        return f"{self.person}: {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"

    @property
    def organization_id(self) -> int:
        return self.person.organization_id


class WorkProfile(models.Model):
    """A person's own work profile on a platform, where they set the "on holiday" note."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="work_profiles")
    platform = models.CharField(_("platform"), max_length=40)
    address = models.CharField(_("address or handle"), max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "platform", "address"], name="work_profile_unique")
        ]
        verbose_name = _("work profile")
        verbose_name_plural = _("work profiles")

    def __str__(self) -> str:
        return f"{self.platform}: {self.address}"

    @property
    def organization_id(self) -> int:
        return self.person.organization_id


class HolidayNoteReminder(models.Model):
    """One reminder sent for one absence, so each is sent once (MAINT-HOLIDAY-NOTE)."""

    class Kind(models.TextChoices):
        SET = "set", _("Set the holiday note")
        REMOVE = "remove", _("Remove the holiday note")

    absence = models.ForeignKey(Absence, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The absence's dates when the reminder went out: a moved absence gets a new reminder.
    absence_start = models.DateTimeField()
    absence_end = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["absence", "kind", "absence_start", "absence_end"], name="holiday_reminder_once"
            )
        ]
