"""Forms of the absence pages: an absence, a calendar file, a calendar address, a work profile."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from somevahti.core.calendar import HELSINKI, local_datetime, local_midnight

from .models import Absence

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
NO_SUCH_DATE = _("Enter a date that exists, for example 2026-07-06.")
NO_SUCH_TIME = _("Enter a time of day, for example 08:30.")

PLATFORMS = [
    ("Facebook", "Facebook"),
    ("Instagram", "Instagram"),
    ("LinkedIn", "LinkedIn"),
    ("Bluesky", "Bluesky"),
    ("Mastodon", "Mastodon"),
    ("Threads", "Threads"),
    ("X", "X"),
    ("TikTok", "TikTok"),
    ("YouTube", "YouTube"),
    ("other", _("Other")),
]


def _date_field(label: Any, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text,
        widget=DATE_WIDGET,
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        error_messages={"invalid": NO_SUCH_DATE, "required": _("Enter a date.")},
    )


def _time_field(label: Any, help_text: Any = "") -> forms.TimeField:
    return forms.TimeField(
        label=label, help_text=help_text, required=False, widget=TIME_WIDGET, error_messages={"invalid": NO_SUCH_TIME}
    )


class AbsenceForm(forms.Form):
    """Whole days when no times are given (the last day is included); otherwise from a moment to a moment."""

    start_date = _date_field(_("First day"))
    start_time = _time_field(_("Start time"), _("Leave the times empty for whole days."))
    end_date = _date_field(_("Last day"))
    end_time = _time_field(_("End time"), _("The time you are back at work."))
    kind = forms.ChoiceField(label=_("Kind"), choices=Absence.Kind.choices, initial=Absence.Kind.VACATION)
    summary = forms.CharField(label=_("Description"), max_length=300, required=False)

    def __init__(self, *args: Any, absence: Absence | None = None, **kwargs: Any) -> None:
        if absence is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(absence)
        super().__init__(*args, **kwargs)

    @staticmethod
    def initial_for(absence: Absence) -> dict[str, Any]:
        start = absence.start.astimezone(HELSINKI)
        end = absence.end.astimezone(HELSINKI)
        if absence.all_day:
            return {
                "start_date": start.date(),
                "end_date": end.date() - dt.timedelta(days=1),
                "kind": absence.kind,
                "summary": absence.summary,
            }
        return {
            "start_date": start.date(),
            "start_time": start.time(),
            "end_date": end.date(),
            "end_time": end.time(),
            "kind": absence.kind,
            "summary": absence.summary,
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start_date, end_date = data.get("start_date"), data.get("end_date")
        start_time, end_time = data.get("start_time"), data.get("end_time")
        if self.has_error("start_time") or self.has_error("end_time"):
            return data
        if (start_time is None) != (end_time is None):
            missing = "end_time" if end_time is None else "start_time"
            self.add_error(missing, _("Give both times, or leave both empty for whole days."))
            return data
        if start_date is None or end_date is None:
            return data
        data["all_day"] = start_time is None
        if data["all_day"]:
            if end_date < start_date:
                self.add_error("end_date", _("The end is before the start."))
                return data
            data["start"] = local_midnight(start_date)
            data["end"] = local_midnight(end_date + dt.timedelta(days=1))
        else:
            assert start_time is not None and end_time is not None
            data["start"] = local_datetime(start_date, start_time)
            data["end"] = local_datetime(end_date, end_time)
            if data["end"] < data["start"]:
                self.add_error("end_date", _("The end is before the start."))
            elif data["end"] == data["start"]:
                self.add_error("end_time", _("The absence ends at the moment it starts."))
        return data


class CalendarUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Calendar file (.ics)"),
        help_text=_("Export your absences from Outlook or Google Calendar as an iCalendar file."),
        widget=forms.ClearableFileInput(attrs={"accept": ".ics,text/calendar"}),
        error_messages={"required": _("Choose a calendar file."), "empty": _("The file is empty.")},
    )
    kind = forms.ChoiceField(label=_("Kind of absence"), choices=Absence.Kind.choices, initial=Absence.Kind.VACATION)

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > settings.ICS_MAX_BYTES:
            raise forms.ValidationError(
                _("The calendar file is too large: %(size)s. The largest allowed is %(max)s."),
                params={"size": filesizeformat(upload.size), "max": filesizeformat(settings.ICS_MAX_BYTES)},
                code="too_large",
            )
        return upload


class CalendarFeedForm(forms.Form):
    url = forms.CharField(
        label=_("Calendar address"),
        max_length=1000,
        help_text=_("The iCalendar (ICS) address of your absence calendar, beginning with https://."),
        widget=forms.URLInput,
        error_messages={"required": _("Enter the calendar address.")},
    )
    kind = forms.ChoiceField(label=_("Kind of absence"), choices=Absence.Kind.choices, initial=Absence.Kind.VACATION)


class WorkProfileForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform"), choices=PLATFORMS)
    address = forms.CharField(
        label=_("Address or handle"),
        max_length=300,
        help_text=_("For example https://www.facebook.com/… or @name"),
        error_messages={"required": _("Enter the address of the profile.")},
    )
