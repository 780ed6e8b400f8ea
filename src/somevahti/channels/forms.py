from __future__ import annotations

import datetime as dt
from typing import Any, cast

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
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = Person.objects.filter(organization=organization).order_by("name")

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
        kwargs.setdefault("auto_id", f"id_%s_{administrator.pk}")  # one row's ids apart from the others'
        super().__init__(*args, **kwargs)
        self.administrator = administrator

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


class ConnectionForm(forms.Form):
    """Enter or rotate a channel's token. The token is never rendered back into the page."""

    token = forms.CharField(
        label=_("Access token"),
        strip=True,
        required=False,  # the service's own check says what is missing, in one place
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Paste the token from the platform. It is stored encrypted and never shown again."),
    )
    base_url = forms.CharField(
        label=_("Server address"),
        required=False,
        max_length=500,
        help_text=_("The address of the account's server, starting with https://."),
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url"}),
    )
    expires_on = forms.DateField(
        label=_("Token expires on"),
        required=False,
        widget=DateInput(),
        help_text=_("When the platform tells it. Somevahti warns the administrators before that day."),
    )

    def __init__(self, *args: Any, channel: Channel, **kwargs: Any) -> None:
        from .connections import SERVER_PLATFORMS

        connection = getattr(channel, "connection", None) if channel.pk else None
        kwargs.setdefault("initial", {"base_url": connection.base_url if connection else ""})
        super().__init__(*args, **kwargs)
        self.channel = channel
        if channel.platform not in SERVER_PLATFORMS:
            del self.fields["base_url"]
        elif channel.platform == "bluesky":
            self.fields["base_url"].help_text = _("Leave empty for an account on bsky.social.")

    @property
    def expires_at(self) -> dt.datetime | None:
        day = self.cleaned_data.get("expires_on")
        return local_midnight(day) if day else None

    @property
    def base_url_value(self) -> str | None:
        return self.cleaned_data.get("base_url", "") if "base_url" in self.fields else None

    def clean(self) -> dict[str, Any]:
        from django.utils import timezone

        from .connections import connection_settings_errors

        data = super().clean() or {}
        if self.errors:
            return data
        errors = connection_settings_errors(
            channel=self.channel,
            token=data.get("token", ""),
            base_url=self.base_url_value,
            expires_at=self.expires_at,
            now=timezone.now(),
        )
        for name, message in errors.items():
            self.add_error({"expires_at": "expires_on"}.get(name, name), message)
        return data


class PlatformUserLinkForm(forms.Form):
    """Which registered person a user listed by the platform is."""

    platform_user_id = forms.CharField(widget=forms.HiddenInput(), max_length=200)
    person = forms.ModelChoiceField(
        label=_("Person in Somevahti"),
        queryset=Person.objects.none(),
        error_messages={
            "required": _("Choose the person."),
            "invalid_choice": _("Choose a person who has an administrator period on this channel."),
        },
    )

    def __init__(self, *args: Any, channel: Channel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel = channel
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = (
            Person.objects.filter(organization_id=channel.organization_id, channel_roles__channel=channel)
            .distinct()
            .order_by("name")
        )
