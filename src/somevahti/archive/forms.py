from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from somevahti.channels.models import Channel

from .export import FORMATS
from .models import RecordKind
from .queries import ArchiveQuery
from .services import MAX_RETENTION_DAYS, MIN_RETENTION_DAYS

DAYS_IN_YEAR = 365   # as the defaults count: ten years are 3650 days


class ArchiveSearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=300,
                        help_text=_("Finds every form of a word: uimahalli also finds uimahallissa."))  # fmt: skip
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *RecordKind.choices]
    )
    author = forms.CharField(
        label=_("Author"), required=False, max_length=200, help_text=_("A part of the name is enough.")
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channels = Channel.objects.filter(organization=organization).order_by("name")
        channel_field: forms.ChoiceField = self.fields["channel"]  # type: ignore[assignment]
        channel_field.choices = [("", _("All channels")), *((c.key, c.name) for c in channels)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def criteria(self) -> ArchiveQuery:
        data = self.cleaned_data
        return ArchiveQuery(
            query=data.get("q") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            channel=data.get("channel") or "",
            kind=data.get("kind") or "",
            author=data.get("author") or "",
        )


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=[(f, f.upper()) for f in FORMATS])
    redact = forms.BooleanField(label=_("Redact personal data"), required=False,
                                help_text=_("Identity codes, names, phone numbers and other personal data are replaced with markers."))  # fmt: skip


class RetentionForm(forms.Form):
    """Säilytysajat: one period per record kind, in whole years or days, or kept for good."""

    UNITS = (("years", _("years")), ("days", _("days")), ("forever", _("kept for good")))

    def __init__(self, *args: Any, current: dict[str, int | None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in RecordKind:
            amount, unit = self.split(current.get(kind))
            self.fields[f"{kind.value}_amount"] = forms.IntegerField(
                label=_("Retention of “%(kind)s”") % {"kind": kind.label}, required=False, initial=amount,
                error_messages={"invalid": _("Give a whole number, for example 6.")},
                widget=forms.NumberInput(attrs={"min": 1, "step": 1, "inputmode": "numeric"}),
            )
            self.fields[f"{kind.value}_unit"] = forms.ChoiceField(
                label=_("Unit of the retention of “%(kind)s”") % {"kind": kind.label}, choices=self.UNITS, initial=unit,
            )

    @staticmethod
    def split(days: int | None) -> tuple[int | None, str]:
        if days is None:
            return None, "forever"
        if days % DAYS_IN_YEAR == 0:
            return days // DAYS_IN_YEAR, "years"
        return days, "days"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        max_years = MAX_RETENTION_DAYS // DAYS_IN_YEAR
        for kind in RecordKind:
            name = f"{kind.value}_amount"
            unit, amount = data.get(f"{kind.value}_unit"), data.get(name)
            if unit in (None, "forever") or name in self.errors:
                continue
            if amount is None:
                self.add_error(name, _("Give the number of years or days, or choose “kept for good”."))
            elif unit == "years" and not 1 <= amount <= max_years:
                self.add_error(name, _("Give a whole number of years from 1 to %(max)s.") % {"max": max_years})
            elif unit == "days" and not MIN_RETENTION_DAYS <= amount <= MAX_RETENTION_DAYS:
                self.add_error(name, _("Give a whole number of days from %(min)s to %(max)s.")
                               % {"min": MIN_RETENTION_DAYS, "max": MAX_RETENTION_DAYS})
        return data

    def days_by_kind(self) -> dict[str, int | None]:
        """The periods in days, once the form is valid."""
        found: dict[str, int | None] = {}
        for kind in RecordKind:
            unit, amount = self.cleaned_data[f"{kind.value}_unit"], self.cleaned_data[f"{kind.value}_amount"]
            found[kind.value] = None if unit == "forever" else amount * (DAYS_IN_YEAR if unit == "years" else 1)
        return found

    def rows(self) -> list[tuple[RecordKind, forms.BoundField, forms.BoundField]]:
        return [(kind, self[f"{kind.value}_amount"], self[f"{kind.value}_unit"]) for kind in RecordKind]
