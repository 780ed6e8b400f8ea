from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from somevahti.channels.models import Channel
from somevahti.core.calendar import HELSINKI

from .media import MAX_BYTES
from .models import Media, Post
from .services import MAX_TEXT


class PostFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All"))] + list(Post.State.choices)
    )


def _text_field(label: Any, *, lang: str, rows: int, required: bool = False, help_text: Any = "") -> forms.CharField:
    """A post's text in one language, spell-checked in that language."""
    return forms.CharField(
        label=label, max_length=MAX_TEXT, required=required, help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "spellcheck": "true", "lang": lang}),
    )


class _TextsForm(forms.Form):
    """The Finnish text (`text`) with the Swedish and English ones, as a post stores them."""

    def texts(self) -> dict[str, str]:
        return {"sv": self.cleaned_data.get("text_sv", ""), "en": self.cleaned_data.get("text_en", "")}


class PostForm(_TextsForm):
    text = _text_field(
        _("Text in Finnish"), lang="fi", rows=8, required=True, help_text=_("The post's main text. The checks run as you type.")
    )
    text_sv = _text_field(_("Text in Swedish"), lang="sv", rows=5, help_text=_("Optional. Published after the Finnish text."))
    text_en = _text_field(_("Text in English"), lang="en", rows=5, help_text=_("Optional. Published after the other texts."))
    link = forms.URLField(label=_("Link"), required=False, max_length=1000, assume_scheme="https")
    channels = forms.ModelMultipleChoiceField(
        label=_("Channels"), queryset=Channel.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one channel.")},
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["channels"]).queryset = Channel.objects.filter(
            organization=organization, status=Channel.Status.ACTIVE
        ).order_by("name")


class EditPublishedForm(_TextsForm):
    """A new text for a published post; the images and the link stay as they were."""

    text = _text_field(
        _("Text in Finnish"), lang="fi", rows=8, required=True, help_text=_("The whole new text. The checks run as you type.")
    )
    text_sv = _text_field(_("Text in Swedish"), lang="sv", rows=5)
    text_en = _text_field(_("Text in English"), lang="en", rows=5)
    reason = forms.CharField(
        label=_("Why is the post edited?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example “the date was wrong”. Kept in the archive with the new text."),
    )
    override_reason = forms.CharField(
        label=_("Reason for publishing despite the warnings"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MediaForm(forms.Form):
    image = forms.FileField(
        label=_("Image"), required=False, help_text=_("JPEG, PNG or WebP, at most 8 MB, each side at least 320 pixels. Location and camera data are removed.")
    )
    alt_text = forms.CharField(
        label=_("Alternative text"), max_length=1500, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Describe what the image shows, for those who cannot see it."),
    )
    credit = forms.CharField(label=_("Photographer or source"), max_length=300, required=False)
    licence = forms.CharField(label=_("Licence"), max_length=200, required=False, help_text=_("For example “own photo” or CC BY 4.0."))
    consent = forms.ChoiceField(label=_("Consent"), choices=Media.Consent.choices, widget=forms.RadioSelect, required=False)

    def clean_image(self) -> bytes:
        upload = self.cleaned_data["image"]
        if not upload:
            raise forms.ValidationError(_("Choose an image file."))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The image is larger than 8 MB."))
        return bytes(upload.read())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (cleaned.get("alt_text") or "").strip():
            self.add_error("alt_text", _("Write an alternative text that describes the image."))
        if not cleaned.get("consent"):
            self.add_error("consent", _("Say whether the people in the image have agreed to its publication."))
        return cleaned


class SubmitForm(forms.Form):
    override_reason = forms.CharField(
        label=_("Reason for publishing despite the warnings"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(forms.Form):
    comment = forms.CharField(label=_("What should the author change?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ScheduleForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Publish at"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Finnish time."),
    )

    def clean_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["at"]
        if timezone.is_naive(value):
            value = value.replace(tzinfo=HELSINKI)
        return value


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the post withdrawn?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the archive. Copies and screenshots of the post may remain on the internet."),
    )


class ResolveForm(forms.Form):
    url = forms.URLField(label=_("Link of the post on the platform"), required=False, max_length=1000, assume_scheme="https")
    send_again = forms.BooleanField(label=_("The post is not there: send it again"), required=False)


class FeedForm(forms.Form):
    bulletin_feed_url = forms.URLField(
        label=_("Bulletin feed address"), required=False, max_length=1000, assume_scheme="https",
        help_text=_("The RSS or Atom feed of the organization's news on its website."),
    )


class ReviewSettingsForm(forms.Form):
    def __init__(self, *args: Any, channels: list[Channel], required: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channels = channels
        for channel in channels:
            self.fields[f"channel_{channel.pk}"] = forms.BooleanField(
                label=str(channel), required=False, initial=channel.pk in required
            )

    def choices(self) -> list[tuple[Channel, bool]]:
        return [(c, bool(self.cleaned_data.get(f"channel_{c.pk}"))) for c in self.channels]
