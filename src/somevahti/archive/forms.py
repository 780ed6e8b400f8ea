from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from somevahti.channels.models import Channel

from .export import FORMATS
from .models import RecordKind
from .queries import ArchiveQuery


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
