"""Roster import pages (/manage/roster/) and the activation page for imported people (/accounts/activate/)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhijiao.identity import roster as roster_service
from zhijiao.identity.decorators import admin_page
from zhijiao.identity.forms import NewPasswordForm
from zhijiao.identity.views import apply_errors, within_rate


class RosterForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Roster file"),
                           help_text=gettext_lazy("CSV (UTF-8 or GBK) or Excel .xlsx, with a header row."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}))
    reissue_codes = forms.BooleanField(
        label=gettext_lazy("Issue new activation codes for people in the file who have not activated yet"),
        help_text=gettext_lazy("Their earlier activation codes stop working."),
        required=False,
    )


class ActivationForm(NewPasswordForm):
    field_order = ["username", "code", "password", "password2"]

    username = forms.CharField(label=gettext_lazy("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    code = forms.CharField(label=gettext_lazy("Activation code"), max_length=32,
                           help_text=gettext_lazy("The code on the slip from your school, e.g. ABCDE-FGH23."),
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                         "autocapitalize": "characters"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = gettext_lazy("New password")
        self.fields["password2"].label = gettext_lazy("New password again")


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@admin_page("user.manage")
def roster(request):
    form = RosterForm(request.POST or None, request.FILES or None)
    school = roster_service.default_organisation(request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = roster_service.import_roster(
                request.user, upload, file_name=upload.name, within=school,
                reissue_codes=form.cleaned_data["reissue_codes"], request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("manage:roster-result", import_id=result.record.pk)
    roster_service.purge_expired_downloads()
    return render(request, "identity/roster/roster.html", {
        "form": form, "columns": roster_service.COLUMNS, "imports": roster_service.imports_of(request.user),
        "school": school, "max_mb": round(settings.ZJ_ROSTER_MAX_BYTES / 1024 / 1024, 1),
    })


@admin_page("user.manage")
def roster_template(request):
    return _csv_response(roster_service.template_csv(), "roster-template.csv")


@admin_page("user.manage")
def roster_result(request, import_id: int):
    record = roster_service.get_import(request.user, import_id)
    errors = roster_service.import_errors(record)
    return render(request, "identity/roster/result.html", {
        "record": record, "errors": errors[: roster_service.SHOWN_ERRORS],
        "more_errors": len(errors) > roster_service.SHOWN_ERRORS,
        "downloads": roster_service.downloads_available(record), "slip": roster_service.slip_available(record),
    })


@admin_page("user.manage")
def roster_errors(request, import_id: int):
    record = roster_service.get_import(request.user, import_id)
    errors = roster_service.import_errors(record)
    return _csv_response(roster_service.errors_csv(errors), f"roster-{record.pk}-errors.csv")


@admin_page("user.manage")
def roster_slip(request, import_id: int):
    record = roster_service.get_import(request.user, import_id)
    try:
        text = roster_service.download_slip(request.user, record, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("manage:roster-result", import_id=record.pk)
    return _csv_response(text, f"roster-{record.pk}-activation-codes.csv")


def activate_view(request):
    """无需注册即开通: set the first password with the activation code from the school's slip."""
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and not within_rate(request, "activate", settings.ZJ_RATE_LOGIN):
        form.add_error(None, _("Too many sign-in attempts from your network. Wait 15 minutes and try again."))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            roster_service.activate_account(username=data["username"], code=data["code"],
                                            password=data["password"], request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your account is ready. Sign in with your username and new password."))
            return redirect("identity:login")
    return render(request, "identity/roster/activate.html", {"form": form})
