"""Administration pages owned by the shared kernel: the audit log (audit admin) and the outbox (system admin)."""

from __future__ import annotations

import csv
import io
import json

from django import forms
from django.apps import apps
from django.conf import settings
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhijiao.core import audit, selectors
from zhijiao.core.spreadsheets import spreadsheet_safe
from zhijiao.identity import selectors as identity_selectors
from zhijiao.identity.decorators import admin_page

RESULT_CHOICES = [("", gettext_lazy("Any result")), ("success", gettext_lazy("Succeeded")),
                  ("failure", gettext_lazy("Failed"))]


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False,
                               choices=[("", gettext_lazy("All actions")), *audit.ACTIONS.items()])
    actor = forms.CharField(label=gettext_lazy("Actor (username)"), max_length=150, required=False)
    target_type = forms.CharField(label=gettext_lazy("Target type"), max_length=64, required=False,
                                  widget=forms.TextInput(attrs={"placeholder": "identity.user"}))
    target_id = forms.CharField(label=gettext_lazy("Target id"), max_length=64, required=False)
    result = forms.ChoiceField(label=gettext_lazy("Result"), choices=RESULT_CHOICES, required=False)
    date_from = forms.DateField(label=gettext_lazy("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=gettext_lazy("To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    organisation = forms.CharField(label=gettext_lazy("Organisation (code, exact name or #id)"), max_length=200,
                                   required=False, help_text=gettext_lazy("Includes everything under it."))

    def clean_organisation(self):
        text = self.cleaned_data["organisation"].strip()
        if not text:
            return None
        found = identity_selectors.organisations_by_reference(text, limit=2)
        if not found:
            raise forms.ValidationError(_("No organisation matches this."))
        if len(found) > 1:
            raise forms.ValidationError(_("Several organisations have this name; enter the code instead."))
        return found[0]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def audit_filter(self) -> selectors.AuditFilter:
        data = self.cleaned_data
        return selectors.AuditFilter(
            action=data["action"], actor=data["actor"].strip(), target_type=data["target_type"].strip(),
            target_id=data["target_id"].strip(), success={"success": True, "failure": False}.get(data["result"]),
            date_from=data["date_from"], date_to=data["date_to"], organisation=data["organisation"],
        )


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdecimal() else None


def target_label(entry) -> str:
    """"user #42": the target model's name in the reader's language, and the target's id."""
    if not entry.target_type:
        return ""
    try:
        kind = str(apps.get_model(entry.target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        kind = entry.target_type
    return f"{kind} #{entry.target_id}"


def detail_text(detail: dict) -> str:
    """The detail as ``key: value`` pairs; strings bare, anything else as compact JSON."""
    return "; ".join(
        f"{key}: {value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}"
        for key, value in sorted(detail.items())
    )


@admin_page("audit.read")
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    page = None
    if not form.is_bound or form.is_valid():
        audit_filter = form.audit_filter() if form.is_bound else selectors.AuditFilter()
        page = selectors.keyset_page(selectors.audit_entries(audit_filter), "seq",
                                     before=_int_param(request, "before"), after=_int_param(request, "after"))
        page.items = [
            {"entry": e, "label": selectors.action_label(e.action), "target": target_label(e),
             "detail": detail_text(e.detail), "org_filter": f"#{e.organisation_id}"}
            for e in page.items
        ]
    export_query = request.GET.copy()
    for key in ("before", "after"):
        export_query.pop(key, None)
    return render(request, "core/audit_log.html", {
        "form": form, "page": page, "zone": timezone.get_current_timezone_name(),
        "export_url": f"{reverse('manage:audit-export')}?{export_query.urlencode()}",
    })


def _csv_header() -> list[str]:
    return [
        _("Sequence"), _("Time (%(zone)s)") % {"zone": timezone.get_current_timezone_name()}, _("Actor"),
        _("Action"), _("Action code"), _("Target type"), _("Target id"), _("Organisation"), _("IP address"),
        _("Result"), _("Detail"),
    ]


def _csv_row(entry) -> list:
    return [
        entry.seq,
        timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
        entry.actor_name,
        selectors.action_label(entry.action),
        entry.action,
        entry.target_type,
        entry.target_id,
        entry.organisation.name if entry.organisation_id else "",
        entry.ip or "",
        _("Succeeded") if entry.success else _("Failed"),
        json.dumps(entry.detail, ensure_ascii=False, sort_keys=True),
    ]


def _csv_text(rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def _csv_chunks(qs, up_to_seq: int):
    # Excel reads a CSV file as UTF-8 (and so shows Chinese correctly) only when it starts with a BOM.
    yield "\ufeff" + _csv_text([_csv_header()])
    for batch in selectors.iter_audit_entries(qs, up_to_seq=up_to_seq):
        yield _csv_text(_csv_row(e) for e in batch)


@admin_page("audit.read")
def audit_export(request):
    """The current filter as CSV, streamed. The export is recorded, with its row count, before any row leaves."""
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return redirect(f"{reverse('manage:audit')}?{request.GET.urlencode()}")
    audit_filter = form.audit_filter()
    # Fix the export's upper end now, so the recorded count is exactly what is sent, whatever is logged meanwhile.
    up_to_seq = selectors.latest_audit_seq()
    qs = selectors.audit_entries(audit_filter)
    rows = qs.filter(seq__lte=up_to_seq).count()
    audit.record("audit.export", request=request, filter=audit_filter.describe(), rows=rows, up_to_seq=up_to_seq)
    response = StreamingHttpResponse(_csv_chunks(qs, up_to_seq), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response


@admin_page("outbox.read")
def outbox(request):
    """The outbox list; ``?message=<id>`` opens one message, and every opening is recorded."""
    smtp_configured = bool(settings.ZJ_SMTP_HOST)
    message_id = _int_param(request, "message")
    if message_id is not None:
        message = selectors.outbox_message(message_id)
        if message is None:
            raise Http404
        audit.record("outbox.read", request=request, target=message, to=message.to, subject=message.subject)
        return render(request, "core/outbox_message.html",
                      {"message": message, "smtp_configured": smtp_configured})
    page = selectors.outbox_messages(before=_int_param(request, "before"), after=_int_param(request, "after"))
    return render(request, "core/outbox.html", {"page": page, "smtp_configured": smtp_configured})
