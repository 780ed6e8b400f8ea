from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from somevahti.core.calendar import local_midnight
from somevahti.people.models import Organization, Person

from .models import Channel, ChannelAdministrator


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class AddAdministratorForm(forms.Form):
    """A new administrator period: whole days, the last day included."""

    person = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Person.objects.none(),
        error_messages={"invalid_choice": _("Choose a person of this organization.")},
    )
    role = forms.ChoiceField(label=_("Role"), choices=ChannelAdministrator.Role.choices, initial=ChannelAdministrator.Role.ADMIN)
    since = forms.DateField(label=_("First day"), widget=DateInput())
    until = forms.DateField(
        label=_("Last day"), required=False, widget=DateInput(), help_text=_("Leave empty when the period has no end.")
    )

    def __init__(self, *args: Any, channel: Channel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel = channel
        organization: Organization = channel.organization
        self.fields["person"].queryset = Person.objects.filter(organization=organization).order_by("name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        person: Person | None = data.get("person")
        since: dt.date | None = data.get("since")
        until: dt.date | None = data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The last day is before the first day."))
        if person is not None and since is not None:
            if person.active_until is not None and person.active_until < since:
                self.add_error(
                    "person",
                    _("%(name)s left the organization on %(date)s.")
                    % {"name": person.name, "date": date_format(person.active_until, "j.n.Y")},
                )
            elif ChannelAdministrator.objects.filter(
                channel=self.channel, person=person, since=local_midnight(since)
            ).exists():
                self.add_error("since", _("%(name)s already has a period starting on that day.") % {"name": person.name})
        return data

    @property
    def since_moment(self) -> dt.datetime:
        return local_midnight(self.cleaned_data["since"])

    @property
    def until_moment(self) -> dt.datetime | None:
        until = self.cleaned_data.get("until")
        return local_midnight(until + dt.timedelta(days=1)) if until else None


class EndAdministratorForm(forms.Form):
    until = forms.DateField(label=_("Last day"), widget=DateInput())

    def __init__(self, *args: Any, administrator: ChannelAdministrator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.administrator = administrator
        self.fields["until"].widget.attrs["id"] = f"id_until_{administrator.pk}"

    def clean_until(self) -> dt.date:
        until: dt.date = self.cleaned_data["until"]
        if local_midnight(until + dt.timedelta(days=1)) <= self.administrator.since:
            raise forms.ValidationError(_("The last day is before the period starts."))
        return until

    @property
    def until_moment(self) -> dt.datetime:
        return local_midnight(self.cleaned_data["until"] + dt.timedelta(days=1))


class CoverageFilterForm(forms.Form):
    start = forms.DateField(
        label=_("First month"),
        required=False,
        input_formats=["%Y-%m-%d", "%Y-%m"],
        help_text=_("A date or a month, written 2027-07-01 or 2027-07."),
    )
    months = forms.IntegerField(label=_("Months"), required=False, min_value=1, max_value=12)
