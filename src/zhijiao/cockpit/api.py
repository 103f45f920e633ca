"""JSON API of the cockpit, mounted under /api/v1/cockpit: every figure the dashboards show.

Dates are ``start`` and ``end`` (YYYY-MM-DD, inclusive; default the last 30 days, at most 366 days).
An organisation outside the caller's cockpit scope answers 403.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from zhijiao.cockpit import permissions, selectors
from zhijiao.identity.models import Organisation

router = Router(tags=["cockpit"])


class OrgOut(Schema):
    id: int
    name: str
    kind: str


class DayOut(Schema):
    day: date
    page_views: int
    visitors: int
    active_learners: int
    completions: int
    attempts: int
    video_ms: int
    time_ms: int


class SummaryOut(Schema):
    page_views: int
    peak_views_day: date | None
    peak_views: int
    peak_visitors_day: date | None
    peak_visitors: int
    average_visitors: float
    average_active_learners: float
    peak_active_learners: int
    completions: int
    attempts: int
    video_hours: float
    learning_hours: float


class DailyOut(Schema):
    organisation: OrgOut
    start: date
    end: date
    summary: SummaryOut
    days: list[DayOut]


class ChildOut(Schema):
    id: int
    name: str
    kind: str
    code: str
    page_views: int
    visitors: int
    active_learners: int
    completions: int
    attempts: int
    video_ms: int
    time_ms: int


class BoardOut(Schema):
    board: str
    column: str
    views: int
    learners: int
    completions: int


class ResourceOut(Schema):
    resource_id: int
    name: str
    views: int
    learners: int
    completions: int
    rating: float | None


class ProgressOut(Schema):
    user_id: int
    learner: str = ""
    activity_id: int
    activity_iri: str
    activity_name: str
    resource_id: int | None
    distinct_video_ms: int
    video_length_ms: int
    progress: float
    completions: int
    attempts: int
    score_max: float | None
    time_ms: int
    last_day: date


def _viewable(request, org_id: int) -> Organisation:
    org = get_object_or_404(Organisation, pk=org_id)
    permissions.require_view(request.auth, org)
    return org


def _range(start: str | None, end: str | None) -> selectors.Range:
    try:
        return selectors.parse_range(start, end, timezone.localdate())
    except ValueError:
        raise ValidationError({"start": [_("Enter dates as YYYY-MM-DD.")]}) from None


@router.get("/scopes", response=list[OrgOut], summary="Organisations whose cockpit the caller may open")
def scopes(request):
    return [{"id": o.pk, "name": o.name, "kind": o.kind} for o in permissions.home_organisations(request.auth)]


@router.get("/orgs/{org_id}/daily", response=DailyOut, summary="Daily page views, visitors, active learners")
def daily(request, org_id: int, start: str | None = None, end: str | None = None):
    org, span = _viewable(request, org_id), _range(start, end)
    days = selectors.daily(org, span)
    return {"organisation": {"id": org.pk, "name": org.name, "kind": org.kind}, "start": span.start,
            "end": span.end, "summary": selectors.summary(days), "days": days}


@router.get("/orgs/{org_id}/children", response=list[ChildOut], summary="Regional comparison of the child organisations")
def children(request, org_id: int, start: str | None = None, end: str | None = None):
    return selectors.children(_viewable(request, org_id), _range(start, end))


@router.get("/orgs/{org_id}/boards", response=list[BoardOut], summary="Resource use by board and column")
def boards(request, org_id: int, start: str | None = None, end: str | None = None):
    return selectors.boards(_viewable(request, org_id), _range(start, end))


@router.get("/orgs/{org_id}/resources", response=list[ResourceOut], summary="Most used resources")
def resources(request, org_id: int, start: str | None = None, end: str | None = None):
    return selectors.top_resources(_viewable(request, org_id), _range(start, end), limit=50)


@router.get("/orgs/{org_id}/progress", response=list[ProgressOut],
            summary="Per-learner progress (a class, grade or school)")
def progress(request, org_id: int, start: str | None = None, end: str | None = None):
    org = _viewable(request, org_id)
    if not selectors.shows_progress(org):
        raise ValidationError(_("Per-learner progress is available for a school, grade or class."))
    return selectors.class_progress(org, _range(start, end))


@router.get("/me/learning", response=list[ProgressOut], summary="The caller's own learning progress")
def my_learning(request):
    return selectors.my_learning(request.auth)
