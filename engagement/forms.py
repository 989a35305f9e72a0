"""Forms of engagement's pages: a comment or a reply, a report, moderation, an area to follow and
the notification preferences. The services check again; the forms keep what was typed."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from engagement.models import BODY_MAX_LENGTH, Frequency, ReportReason, Stance


class CommentForm(forms.Form):
    stance = forms.ChoiceField(
        label=_("Your view"),
        choices=Stance.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether you are in favour, neutral or against.")},
    )
    body = forms.CharField(
        label=_("Comment"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": BODY_MAX_LENGTH}),
        help_text=_(
            "At most 1,000 characters. Personal numbers, phone numbers and e-mail addresses are "
            "removed before your comment is published; your first name and initial are shown."
        ),
        error_messages={"required": _("Write your comment.")},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why do you report it?"), choices=ReportReason.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label=_("Details for the moderators"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ModerationForm(forms.Form):
    ACTIONS = (
        ("hide", _("Hide it")),
        ("restore", _("Show it again")),
        ("keep", _("Keep it as it is")),
    )
    action = forms.ChoiceField(label=_("Decision"), choices=ACTIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "When you hide a comment, this is published in its place: “Hidden by the "
            "moderator: …”. Its author is told."
        ),
    )


class AreaForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    area = forms.CharField(
        label=_("Area (GeoJSON)"),
        help_text=_(
            "Draw the area on the map, or paste a GeoJSON Polygon in longitude and latitude "
            "(EPSG:4326)."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "class": "mono"}),
        max_length=200_000,
    )


class PreferenceForm(forms.Form):
    email = forms.BooleanField(label=_("Send me e-mails"), required=False)
    sms = forms.BooleanField(
        label=_("Send me SMS when I gave a phone number with an application"), required=False
    )
    frequency = forms.ChoiceField(
        label=_("E-mails"), choices=Frequency.choices, widget=forms.RadioSelect
    )
    language = forms.ChoiceField(label=_("Language of notifications"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("The portal's language"))] + [
            (code, name) for code, name in settings.LANGUAGES
        ]
