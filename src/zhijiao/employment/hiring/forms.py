"""Forms of the hiring pages: they parse types (dates, numbers); the services judge the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhijiao.employment.hiring.models import Destination


class ApplyForm(forms.Form):
    cover_letter = forms.CharField(label=_("Cover letter"), required=False, max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 5}))


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class MoveForm(forms.Form):
    state = forms.CharField()
    note = forms.CharField(required=False, max_length=500)


class InterviewForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    online_link = forms.CharField(label=_("Online meeting link"), required=False, max_length=200)


class InterviewAnswerForm(forms.Form):
    note = forms.CharField(label=_("Times that would suit you"), required=False, max_length=500)


class OfferForm(forms.Form):
    post = forms.CharField(label=_("Post"), max_length=100)
    salary = forms.IntegerField(label=_("Monthly salary (yuan)"), min_value=1, max_value=1_000_000)
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    workplace_code = forms.CharField(label=_("Place of work (division code)"), required=False, max_length=6)
    contract_terms = forms.CharField(label=_("Contract terms"), max_length=5000,
                                     widget=forms.Textarea(attrs={"rows": 6}))
    liquidated_damages = forms.IntegerField(label=_("Liquidated damages (yuan, 0 for none)"), min_value=0,
                                            max_value=1_000_000, initial=0)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reasons"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("Agreement number"), max_length=32)
    sha256 = forms.CharField(label=_("Content SHA-256"), max_length=64)


class FairForm(forms.Form):
    organiser = forms.ChoiceField(label=_("Organiser"))
    title = forms.CharField(label=_("Title"), max_length=150)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    starts_at = forms.DateTimeField(label=_("Opens"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    ends_at = forms.DateTimeField(label=_("Closes"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])

    def __init__(self, *args, organisers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].choices = [(str(o.pk), o.name) for o in organisers]


class NoticeForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Send to everyone under"))
    title = forms.CharField(label=_("Title"), max_length=150)
    body = forms.CharField(label=_("Text"), max_length=10000, widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(str(o.pk), o.name) for o in organisations]


class DestinationForm(forms.Form):
    category = forms.ChoiceField(label=_("Destination"),
                                 choices=[(d.value, d.label) for d in Destination if d != Destination.AGREEMENT])
    organisation_name = forms.CharField(label=_("Employer or institution"), required=False, max_length=200)
    region_code = forms.CharField(label=_("Region (division code)"), required=False, max_length=6)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
