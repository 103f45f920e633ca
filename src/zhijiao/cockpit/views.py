"""Cockpit pages (/cockpit/): the dashboard of an organisation, its CSV exports, and "My learning"."""

from __future__ import annotations

import csv
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhijiao.cockpit import permissions, selectors, services
from zhijiao.core.spreadsheets import spreadsheet_safe
from zhijiao.identity import permissions as identity_permissions
from zhijiao.identity.decorators import admin_page
from zhijiao.identity.models import Organisation


def cockpit_page(view):
    """Signed in with ``cockpit.view``; an administrator (school or bureau) also passes two-step
    verification, exactly as on the administration pages. Teachers need no second factor here."""
    guarded = admin_page(permissions.CAPABILITY)(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if identity_permissions.holds_admin_role(user) or not identity_permissions.has_capability(
                user, permissions.CAPABILITY):
            return guarded(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return wrapper


def _range(request) -> selectors.Range:
    try:
        return selectors.parse_range(request.GET.get("start"), request.GET.get("end"), timezone.localdate())
    except ValueError:
        return selectors.parse_range(None, None, timezone.localdate())


def _organisation(request, org_id: int) -> Organisation:
    org = get_object_or_404(Organisation, pk=org_id)
    if not permissions.may_view(request.user, org):
        raise PermissionDenied
    return org


@cockpit_page
def index(request):
    homes = permissions.home_organisations(request.user)
    if len(homes) == 1:
        return redirect("cockpit:org", org_id=homes[0].pk)
    return render(request, "cockpit/index.html", {"homes": homes})


def _dashboard_context(request, org: Organisation) -> dict:
    span = _range(request)
    days = selectors.daily(org, span)
    context = {
        "org": org, "span": span, "days": days, "summary": selectors.summary(days),
        "children": selectors.children(org, span), "boards": selectors.boards(org, span),
        "resources": selectors.top_resources(org, span),
        "crumbs": selectors.breadcrumbs(org, permissions.scope_paths(request.user)),
        "query": f"start={span.start.isoformat()}&end={span.end.isoformat()}",
    }
    if selectors.shows_progress(org):
        context["progress"] = selectors.class_progress(org, span)
        context["inactive_learners"] = selectors.learners_without_activity(org, context["progress"])
    context["chart_data"] = {
        "daily": {"days": [d["day"].isoformat() for d in days], "page_views": [d["page_views"] for d in days],
                  "visitors": [d["visitors"] for d in days], "active_learners": [d["active_learners"] for d in days],
                  "labels": [_("Page views"), _("Visitors"), _("Active learners")]},
        "children": {"names": [c["name"] for c in context["children"]],
                     "page_views": [c["page_views"] for c in context["children"]],
                     "learners": [c["active_learners"] for c in context["children"]],
                     "labels": [_("Page views"), _("Learner-days")],
                     "urls": [reverse("cockpit:org", args=[c["id"]]) + "?" + context["query"] for c in context["children"]]},
        "boards": [{"name": f"{b['board']} / {b['column']}" if b["column"] else b["board"], "value": b["learners"]}
                   for b in context["boards"]],
        "resources": {"names": [r["name"] for r in context["resources"]],
                      "learners": [r["learners"] for r in context["resources"]], "label": _("Learners")},
    }
    return context


@cockpit_page
def dashboard(request, org_id: int):
    org = _organisation(request, org_id)
    return render(request, "cockpit/dashboard.html", _dashboard_context(request, org))


EXPORTS = {
    "daily": (lambda org, span: selectors.daily(org, span),
              ["day", "page_views", "visitors", "active_learners", "completions", "attempts", "video_ms", "time_ms"]),
    "children": (lambda org, span: selectors.children(org, span),
                 ["id", "name", "kind", "code", "page_views", "visitors", "active_learners", "completions",
                  "attempts", "video_ms", "time_ms"]),
    "boards": (lambda org, span: selectors.boards(org, span), ["board", "column", "views", "learners", "completions"]),
    "resources": (lambda org, span: selectors.top_resources(org, span, limit=1000),
                  ["resource_id", "name", "views", "learners", "completions", "rating"]),
    "progress": (lambda org, span: selectors.class_progress(org, span),
                 ["user_id", "learner", "activity_iri", "activity_name", "distinct_video_ms", "video_length_ms",
                  "progress", "completions", "attempts", "score_max", "time_ms", "last_day"]),
}


@cockpit_page
def export(request, org_id: int, figure: str):
    if figure not in EXPORTS or (figure == "progress" and not selectors.shows_progress(
            get_object_or_404(Organisation, pk=org_id))):
        raise Http404
    org = _organisation(request, org_id)
    span = _range(request)
    build, columns = EXPORTS[figure]
    rows = build(org, span)
    services.record_export(request, org, figure, span, len(rows))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="cockpit-{org.pk}-{figure}-'
                                       f'{span.start.isoformat()}-{span.end.isoformat()}.csv"')
    response.write("\ufeff")  # Excel and WPS read UTF-8 only with the byte-order mark
    writer = csv.writer(response)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([spreadsheet_safe(row.get(c)) for c in columns])
    return response


@login_required
def my_learning(request):
    return render(request, "cockpit/my_learning.html", {"entries": selectors.my_learning(request.user)})
