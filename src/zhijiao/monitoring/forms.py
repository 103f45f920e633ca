"""Forms of the monitoring pages. They only parse; the rules (required reasons, one appeal, the white
list) live in the services, whose ValidationErrors the views put back next to these fields."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhijiao.monitoring.models import AppealOutcome, CaseState, ListKind, MisconductKind, Sanction, Severity


def _any(label):
    return [("", label)]


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_any(_("All kinds")) + MisconductKind.choices)
    severity = forms.TypedChoiceField(label=_("Severity"), required=False, coerce=int, empty_value=None,
                                      choices=_any(_("All severities")) + Severity.choices)
    state = forms.ChoiceField(label=_("State"), required=False, choices=_any(_("All states")) + CaseState.choices)
    course = forms.CharField(label=_("Course"), required=False, max_length=200)
    university = forms.TypedChoiceField(label=_("University"), required=False, coerce=int, empty_value=None)
    platform = forms.TypedChoiceField(label=_("Platform"), required=False, coerce=int, empty_value=None)
    opened_from = forms.DateField(label=_("Opened from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    opened_to = forms.DateField(label=_("Opened to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=[
        ("newest", _("Newest first")), ("oldest", _("Oldest first")), ("severity", _("Severity")),
        ("updated", _("Recently updated"))])

    def __init__(self, *args, universities=(), platforms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["university"].choices = _any(_("All universities")) + [(o.pk, o.name) for o in universities]
        self.fields["platform"].choices = _any(_("All platforms")) + [(o.pk, o.name) for o in platforms]


class ConfirmForm(forms.Form):
    sanction = forms.ChoiceField(label=_("Sanction the university records"), choices=Sanction.choices,
                                 widget=forms.RadioSelect)
    sanction_text = forms.CharField(label=_("Sanction details (required for “Other”)"), required=False,
                                    max_length=300)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("Reason for dismissing"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ResolveAppealForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Appeal decision"), widget=forms.RadioSelect, choices=[
        (AppealOutcome.UPHELD, AppealOutcome.UPHELD.label), (AppealOutcome.REJECTED, AppealOutcome.REJECTED.label)])
    note = forms.CharField(label=_("Explanation"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class AppealForm(forms.Form):
    text = forms.CharField(label=_("Why you appeal"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(label=_("Supporting file (PDF, image or Word; optional)"), required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilingForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), initial=lambda: timezone.localdate().year)
    documents = forms.FileField(label=_("Documents (PDF, Word, Excel, images or ZIP)"), required=False,
                                widget=MultipleFileInput(attrs={"multiple": True}))


class ReviewFilingForm(forms.Form):
    passed = forms.TypedChoiceField(label=_("Decision"), widget=forms.RadioSelect, coerce=lambda v: v == "1",
                                    choices=[("1", _("Pass")), ("0", _("Fail"))])
    note = forms.CharField(label=_("Outcome note (required when the filing fails)"), required=False,
                           max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ListEntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("List"), choices=ListKind.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class EndEntryForm(forms.Form):
    reason = forms.CharField(label=_("Why it ends"), required=False, max_length=2000)


class ChoiceForm(forms.Form):
    course = forms.TypedChoiceField(label=_("Credit course"), coerce=int)
    teacher = forms.TypedChoiceField(label=_("Responsible teacher"), coerce=int)
    credits = forms.DecimalField(label=_("Credits (blank: the course's own)"), required=False, max_digits=4,
                                 decimal_places=1)

    def __init__(self, *args, courses=(), teachers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = [(c.pk, f"{c.title} · {c.platform.name} · {c.credits}") for c in courses]
        self.fields["teacher"].choices = [(t.pk, t.real_name or t.username) for t in teachers]
