from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import ContactsError, PublicContacts

MAX_TEXT = 100_000


class CheckForm(forms.Form):
    text = forms.CharField(
        label=_("Text to check"),
        max_length=MAX_TEXT,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"class": "check-input", "rows": 12, "spellcheck": "true"}),
        help_text=_("Paste a post, a reply or a comment. Nothing you write here is saved."),
    )


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class ContactsForm(forms.Form):
    phones = forms.CharField(label=_("Phone numbers"), required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text=_("One per line."))
    emails = forms.CharField(label=_("E-mail addresses"), required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text=_("One per line."))
    addresses = forms.CharField(label=_("Addresses"), required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text=_("One per line."))
    names = forms.CharField(label=_("Names of officials with public contact data"), required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text=_("One per line."))

    def as_data(self) -> dict[str, list[str]]:
        return {key: _lines(self.cleaned_data.get(key, "")) for key in PublicContacts.FIELDS}


class ContactsUploadForm(forms.Form):
    file = forms.FileField(label=_("JSON file"), help_text=_('Form: {"phones": [...], "emails": [...], "addresses": [...], "names": [...]}'))

    def clean_file(self) -> dict[str, Any]:
        upload = self.cleaned_data["file"]
        if upload.size > 1_000_000:
            raise forms.ValidationError(_("The file is larger than one megabyte."))
        try:
            data = json.loads(upload.read().decode("utf-8"))
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("The file is not valid JSON: line %(line)s, column %(column)s."), params={"line": exc.lineno, "column": exc.colno}
            ) from None
        try:
            PublicContacts.from_json(data)
        except ContactsError as exc:
            raise forms.ValidationError(_("The file has an error at %(place)s."), params={"place": str(exc)}) from None
        return data
