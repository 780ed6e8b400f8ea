from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from somevahti.people.models import Organization

from .models import CannedReply, Interaction
from .queries import (
    ASSIGNEE_MINE,
    ASSIGNEE_NOBODY,
    SORT_DEADLINE,
    SORT_NEWEST,
    STATE_ALL,
    STATE_OPEN,
    Assignable,
    InboxFilter,
    organization_channels,
)
from .reports import MAX_WEEKS
from .services import MAX_REPLY_LENGTH

AUTOMATIC = "auto"


class _ChoicesMixin:
    fields: dict[str, forms.Field]

    def _choices(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])


class InboxFilterForm(_ChoicesMixin, forms.Form):
    """The list's filters, read from the query string; a bad value is named and the default used."""

    state = forms.ChoiceField(label=_("State"), required=False)
    channel = forms.TypedChoiceField(label=_("Channel"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    sort = forms.ChoiceField(label=_("Order"), required=False)

    def __init__(self, data: Any = None, *, organization: Organization) -> None:
        super().__init__(data)
        self._choices("state").choices = [
            (STATE_OPEN, _("Open (new and assigned)")),
            (STATE_ALL, _("All")),
            *Interaction.State.choices,
        ]
        self._choices("channel").choices = [("", _("All channels"))] + [
            (c.pk, str(c)) for c in organization_channels(organization=organization)
        ]
        self._choices("kind").choices = [("", _("All kinds")), *Interaction.Kind.choices]
        self._choices("assignee").choices = [
            ("", _("Anyone")),
            (ASSIGNEE_MINE, _("Mine")),
            (ASSIGNEE_NOBODY, _("Not assigned")),
        ]
        self._choices("sort").choices = [(SORT_DEADLINE, _("Deadline first")), (SORT_NEWEST, _("Newest first"))]

    def filters(self) -> InboxFilter:
        if not self.is_bound:
            return InboxFilter()
        self.is_valid()  # a bad value is left out of cleaned_data, and its default is used
        data = self.cleaned_data
        return InboxFilter(
            state=data.get("state") or STATE_OPEN,
            channel_id=data.get("channel"),
            kind=data.get("kind") or "",
            assignee=data.get("assignee") or "",
            sort=data.get("sort") or SORT_DEADLINE,
        )


class CannedChoiceForm(_ChoicesMixin, forms.Form):
    """Which canned reply or official position to start the reply from (a GET form)."""

    canned = forms.TypedChoiceField(label=_("Canned reply or official position"), required=False, coerce=int, empty_value=None)

    def __init__(self, data: Any = None, *, canned: list[CannedReply]) -> None:
        super().__init__(data)
        kinds = dict(CannedReply.Kind.choices)
        languages = dict(settings.LANGUAGES)
        self._choices("canned").choices = [("", _("Write your own"))] + [
            (c.pk, f"{c.title} ({kinds.get(c.kind, c.kind)}, {languages.get(c.language, c.language)})") for c in canned
        ]


class ReplyForm(forms.Form):
    # Named "text" so that the checks page answers the live check of this very field.
    text = forms.CharField(
        label=_("Reply"),
        max_length=MAX_REPLY_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "true", "class": "check-input"}),
        help_text=_("The reply is checked for personal data and confidential matters before it is sent."),
    )
    override_reason = forms.CharField(
        label=_("Reason to send despite the warnings"),
        required=False,
        max_length=2000,
        help_text=_("Needed only when the check gives warnings. The reason is recorded in the audit log."),
    )


class AssignForm(_ChoicesMixin, forms.Form):
    assignee = forms.ChoiceField(label=_("Assign to"))

    def __init__(self, data: Any = None, *, people: list[Assignable], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        choices: list[tuple[str, str]] = [(AUTOMATIC, str(_("Automatically (the available administrator with the fewest open items)")))]
        for entry in people:
            label = entry.person.name
            if entry.away:
                label = str(_("%(name)s (away)")) % {"name": entry.person.name}
            choices.append((str(entry.person.pk), label))
        self._choices("assignee").choices = choices


class NoAnswerForm(forms.Form):
    reason = forms.CharField(
        label=_("Why no answer is needed"),
        max_length=2000,
        help_text=_("For example: a plain thank-you, spam, or a question already answered in the thread."),
    )


class GiveUpDeliveryForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is given up"),
        max_length=2000,
        help_text=_("For example: a test delivery from the platform's developer tools, or the items were entered by hand."),
    )


class CannedReplyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CannedReply.Kind.choices)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text"), max_length=8000, widget=forms.Textarea(attrs={"rows": 8}))

    @classmethod
    def for_row(cls, row: CannedReply) -> CannedReplyForm:
        return cls(initial={"kind": row.kind, "language": row.language, "title": row.title, "text": row.text})


class ReportRangeForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}), input_formats=["%Y-%m-%d", "%d.%m.%Y"])
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}), input_formats=["%Y-%m-%d", "%d.%m.%Y"])

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["start"].error_messages["invalid"] = _("Give the start date as YYYY-MM-DD, for example 2026-03-02.")
        self.fields["end"].error_messages["invalid"] = _("Give the end date as YYYY-MM-DD, for example 2026-03-29.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start: dt.date | None = cleaned.get("start")
        end: dt.date | None = cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end date is before the start date."))
            elif (end - start).days > MAX_WEEKS * 7:
                self.add_error("end", _("The period is too long: at most %(weeks)s weeks at a time.") % {"weeks": MAX_WEEKS})
        return cleaned
