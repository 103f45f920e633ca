"""JSON API of the credit-course monitoring centre, mounted under /api/v1/monitoring.

Staff read their case queue and decide cases; a learner reads their own decided cases and appeals once
(multipart: ``text`` and an optional ``attachment``); recipients read their notices; the bureau reads the
monthly report and the abnormal rates the cockpit draws; the registry files, reviews and lists platforms;
university administrators choose credit courses. The public white and black lists need no sign-in.

A case outside the caller's scope answers 403 (audited); one that does not exist, 404.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from zhijiao.core import audit
from zhijiao.identity import permissions as identity_permissions
from zhijiao.identity.api_auth import BearerAuth, SessionAuth
from zhijiao.identity.models import Organisation, OrgKind, User
from zhijiao.monitoring import permissions, selectors, services
from zhijiao.monitoring.models import (
    AppealOutcome,
    Case,
    CaseState,
    CreditCourse,
    CreditCourseChoice,
    ListKind,
    MisconductKind,
    Notice,
    PlatformFiling,
    PlatformListEntry,
    Sanction,
)

router = Router(tags=["monitoring"])


def _anonymous(request):
    return request.user


PUBLIC = [BearerAuth(), SessionAuth(), _anonymous]


# --- Schemas ----------------------------------------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class CaseOut(Schema):
    id: int
    kind: MisconductKind
    kind_label: str
    state: CaseState
    severity: int
    learner: str
    course_key: str
    course_name: str
    university: Ref | None
    platform: Ref | None
    opened_at: datetime
    updated_at: datetime
    evidence_from: datetime | None
    evidence_to: datetime | None


class CasePage(Schema):
    count: int
    items: list[CaseOut]


class FindingOut(Schema):
    detector: str
    day: date
    score: float
    window_start: datetime
    window_end: datetime
    evidence: dict


class EventOut(Schema):
    kind: str
    at: datetime
    actor: str | None
    note: str


class DecisionOut(Schema):
    sanction: str
    sanction_text: str
    reason: str
    decided_at: datetime


class AppealOut(Schema):
    text: str
    has_attachment: bool
    submitted_at: datetime
    outcome: AppealOutcome
    resolution: str


class PlaybackPoint(Schema):
    at: datetime
    verb: str
    session: str
    playhead: float
    speed: float | None


class AnswerPoint(Schema):
    at: datetime
    item: str
    seconds: float | None
    success: bool | None


class CaseDetailOut(CaseOut):
    learner_real_name: str
    id_number_masked: str
    phone_masked: str
    findings: list[FindingOut]
    history: list[EventOut]
    decision: DecisionOut | None
    appeal: AppealOut | None
    playback: list[PlaybackPoint]
    answers: list[AnswerPoint]
    can_decide: bool


class OwnCaseOut(Schema):
    id: int
    kind: MisconductKind
    kind_label: str
    state: CaseState
    course_name: str
    platform: str
    evidence_from: datetime | None
    evidence_to: datetime | None
    decision: DecisionOut | None
    appeal: AppealOut | None


class ConfirmIn(Schema):
    sanction: Sanction
    sanction_text: str = Field("", max_length=300)
    note: str = Field("", max_length=2000)


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000)


class ResolveIn(Schema):
    outcome: AppealOutcome
    note: str = Field("", max_length=2000)


class NoticeOut(Schema):
    id: int
    case_id: int
    university: Ref
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


class ReportRow(Schema):
    key: str
    name: str
    cases: int
    confirmed: int
    abnormal_learners: int
    active_learners: int
    rate: float | None


class KindRow(Schema):
    kind: str
    label: str
    cases: int
    confirmed: int
    dismissed: int
    abnormal_learners: int


class Totals(Schema):
    cases: int
    confirmed: int
    dismissed: int
    pending: int
    abnormal_learners: int


class ReportOut(Schema):
    month: str
    totals: Totals
    universities: list[ReportRow]
    platforms: list[ReportRow]
    courses: list[ReportRow]
    kinds: list[KindRow]
    university_ranking: list[ReportRow]
    platform_ranking: list[ReportRow]


class ListEntryOut(Schema):
    id: int
    platform: Ref
    kind: ListKind
    reason: str
    listed_on: date
    ended_on: date | None
    end_reason: str


class PublicListsOut(Schema):
    white: list[ListEntryOut]
    black: list[ListEntryOut]
    history: list[ListEntryOut]


class ReportingOut(Schema):
    categories: dict[str, bool]
    completeness: float
    statements: int
    latency_median: float | None
    latency_p95: float | None


class FilingOut(Schema):
    id: int
    platform: Ref
    year: int
    state: str
    outcome_note: str
    documents: list[str]
    submitted_at: datetime
    reviewed_at: datetime | None


class RegistryRow(Schema):
    platform: Ref
    status: str | None
    reporting: ReportingOut
    filings: list[FilingOut]


class ReviewIn(Schema):
    passed: bool
    note: str = Field("", max_length=2000)


class ListEntryIn(Schema):
    kind: ListKind
    reason: str = Field("", max_length=2000)


class CreditCourseOut(Schema):
    id: int
    platform: Ref
    course_key: str
    title: str
    credits: Decimal
    list_status: str | None


class ChoiceIn(Schema):
    school_id: int
    course_id: int
    teacher_id: int
    credits: Decimal | None = Field(None, ge=0, le=100, max_digits=4, decimal_places=1)


class ChoiceOut(Schema):
    id: int
    school: Ref
    course: Ref
    teacher: Ref
    credits: Decimal
    chosen_at: datetime


# --- Helpers --------------------------------------------------------------------------------------------------


def _ref(org) -> dict | None:
    return {"id": org.pk, "name": org.name} if org is not None else None


def _case(case: Case) -> dict:
    return {"id": case.pk, "kind": case.kind, "kind_label": case.get_kind_display(), "state": case.state,
            "severity": case.severity, "learner": case.user.username, "course_key": case.course_key,
            "course_name": case.course_name, "university": _ref(case.university), "platform": _ref(case.platform),
            "opened_at": case.opened_at, "updated_at": case.updated_at, "evidence_from": case.evidence_from,
            "evidence_to": case.evidence_to}


def _decision(case: Case) -> dict | None:
    d = getattr(case, "decision", None)
    return None if d is None else {"sanction": d.sanction, "sanction_text": d.sanction_text, "reason": d.reason,
                                   "decided_at": d.decided_at}


def _appeal(case: Case) -> dict | None:
    a = getattr(case, "appeal", None)
    return None if a is None else {"text": a.text, "has_attachment": bool(a.attachment),
                                   "submitted_at": a.submitted_at, "outcome": a.outcome, "resolution": a.resolution}


def _scoped_case(request, case_id: int) -> Case:
    case = get_object_or_404(Case.objects.select_related("user", "university", "platform"), pk=case_id)
    if not permissions.can_view_case(request.auth, case):
        raise PermissionDenied
    return case


def _detail(request, case: Case) -> dict:
    charts = selectors.case_charts(case)
    return {**_case(case), "learner_real_name": case.user.real_name, "id_number_masked": case.user.id_number_masked,
            "phone_masked": case.user.phone_masked,
            "findings": [{"detector": f.detector, "day": f.day, "score": f.score, "window_start": f.window_start,
                          "window_end": f.window_end, "evidence": f.evidence}
                         for f in case.findings.order_by("day", "detector")],
            "history": [{"kind": e.kind, "at": e.at, "actor": e.actor.username if e.actor else None, "note": e.note}
                        for e in case.events.select_related("actor")],
            "decision": _decision(case), "appeal": _appeal(case), "playback": charts["playback"],
            "answers": charts["answers"], "can_decide": permissions.can_decide(request.auth, case)}


def _report_row(row: dict, key: str, name: str) -> dict:
    return {"key": str(row[key]) if row[key] is not None else "", "name": row[name] or "", "cases": row["cases"],
            "confirmed": row["confirmed"], "abnormal_learners": row["abnormal_learners"],
            "active_learners": row["active_learners"], "rate": row["rate"]}


def _month(value: str | None) -> date:
    try:
        return selectors.month_start(value)
    except ValueError as exc:
        raise ValidationError({"month": _("Choose a month as YYYY-MM.")}) from exc


def _entry(e: PlatformListEntry) -> dict:
    return {"id": e.pk, "platform": _ref(e.platform), "kind": e.kind, "reason": e.reason, "listed_on": e.listed_on,
            "ended_on": e.ended_on, "end_reason": e.end_reason}


def _filing(f: PlatformFiling) -> dict:
    return {"id": f.pk, "platform": _ref(f.platform), "year": f.year, "state": f.state,
            "outcome_note": f.outcome_note, "documents": [d.name for d in f.documents.all()],
            "submitted_at": f.submitted_at, "reviewed_at": f.reviewed_at}


def _registry_platform(request, platform_id: int) -> Organisation:
    platform = get_object_or_404(Organisation, pk=platform_id, kind=OrgKind.PLATFORM)
    if not identity_permissions.can(request.auth, permissions.REGISTER, platform):
        raise PermissionDenied
    return platform


def _choice(c: CreditCourseChoice) -> dict:
    return {"id": c.pk, "school": _ref(c.school), "course": {"id": c.course_id, "name": c.course.title},
            "teacher": {"id": c.teacher_id, "name": c.teacher.real_name or c.teacher.username},
            "credits": c.credits, "chosen_at": c.chosen_at}


# --- Cases ----------------------------------------------------------------------------------------------------


@router.get("/cases", response=CasePage, summary="Your case queue, filtered, sorted and paged")
def cases(request, kind: MisconductKind | None = None, severity: int | None = Query(None, ge=1, le=3),
          state: CaseState | None = None, course: str = Query("", max_length=200),
          university_id: int | None = None, platform_id: int | None = None,
          opened_from: date | None = None, opened_to: date | None = None,
          sort: str = Query("newest", pattern="^(newest|oldest|severity|updated)$"),
          limit: int = Query(25, ge=1, le=200), offset: int = Query(0, ge=0, le=1_000_000)):
    scope = permissions.case_scope(request.auth)
    if scope is None:
        raise PermissionDenied
    found = selectors.queue(scope, selectors.QueueFilters(
        kind=kind or "", severity=severity, state=state or "", course=course.strip(), university=university_id,
        platform=platform_id, opened_from=opened_from, opened_to=opened_to, sort=sort))
    return {"count": found.count(), "items": [_case(c) for c in found[offset:offset + limit]]}


@router.get("/cases/{int:case_id}", response=CaseDetailOut, summary="A case: learner (masked), evidence, charts, history")
def case_detail(request, case_id: int):
    case = _scoped_case(request, case_id)
    services.record_view(case, actor=request.auth, request=request, via="api")
    return _detail(request, case)


@router.post("/cases/{int:case_id}/confirm", response=CaseOut, summary="Confirm an open case with the sanction")
def confirm(request, case_id: int, payload: ConfirmIn):
    case = _scoped_case(request, case_id)
    return _case(services.confirm(case, actor=request.auth, sanction=payload.sanction,
                                  sanction_text=payload.sanction_text, note=payload.note, request=request))


@router.post("/cases/{int:case_id}/dismiss", response=CaseOut, summary="Dismiss an open case (reason required)")
def dismiss(request, case_id: int, payload: ReasonIn):
    case = _scoped_case(request, case_id)
    return _case(services.dismiss(case, actor=request.auth, reason=payload.reason, request=request))


@router.post("/cases/{int:case_id}/appeal/resolve", response=CaseOut, summary="Decide the learner's appeal")
def resolve(request, case_id: int, payload: ResolveIn):
    case = _scoped_case(request, case_id)
    return _case(services.resolve_appeal(case, actor=request.auth, outcome=payload.outcome, note=payload.note,
                                         request=request))


# --- The learner's own cases ------------------------------------------------------------------------------------


def _own(user: User):
    return (Case.objects.filter(user=user).exclude(state=CaseState.OPEN)
            .exclude(state=CaseState.DISMISSED, appeal__isnull=True).select_related("platform"))


def _own_case(c: Case) -> dict:
    return {"id": c.pk, "kind": c.kind, "kind_label": c.get_kind_display(), "state": c.state,
            "course_name": c.course_name or c.course_key, "platform": c.platform.name if c.platform else "",
            "evidence_from": c.evidence_from, "evidence_to": c.evidence_to, "decision": _decision(c),
            "appeal": _appeal(c)}


@router.get("/my/cases", response=list[OwnCaseOut], summary="My learning integrity: cases decided about me")
def my_cases(request):
    found = list(_own(request.auth).order_by("-opened_at"))
    for case in found:
        services.record_view(case, actor=request.auth, request=request, via="learner-api")
    return [_own_case(c) for c in found]


@router.post("/my/cases/{int:case_id}/appeal", response={201: OwnCaseOut},
             summary="Appeal a confirmed case once (multipart: text, optional attachment)")
def appeal(request, case_id: int, text: Form[str] = "", attachment: File[UploadedFile] = None):
    case = _own(request.auth).filter(pk=case_id).first()
    if case is None:
        raise Http404
    services.appeal(case, actor=request.auth, text=text, upload=attachment, request=request)
    case.refresh_from_db()
    return Status(201, _own_case(Case.objects.select_related("platform").get(pk=case.pk)))


# --- Notices ------------------------------------------------------------------------------------------------------


@router.get("/notices", response=list[NoticeOut], summary="Notices (通报) sent to you, newest first")
def notices(request, unread: bool = False, limit: int = Query(50, ge=1, le=200),
            offset: int = Query(0, ge=0, le=1_000_000)):
    items = Notice.objects.filter(recipient=request.auth).select_related("university")
    if unread:
        items = items.filter(read_at__isnull=True)
    return [{"id": n.pk, "case_id": n.case_id, "university": _ref(n.university), "title": n.title, "body": n.body,
             "created_at": n.created_at, "read_at": n.read_at} for n in items[offset:offset + limit]]


@router.post("/notices/{int:notice_id}/read", response={204: None}, summary="Mark a notice read")
def notice_read(request, notice_id: int):
    notice = get_object_or_404(Notice, pk=notice_id, recipient=request.auth)
    services.mark_notice_read(notice, actor=request.auth)
    return Status(204, None)


# --- Report and statistics --------------------------------------------------------------------------------------------


@router.get("/report", response=ReportOut, summary="Monthly report: cases and abnormal rates in your scope")
def report(request, month: str | None = Query(None, max_length=7)):
    scope = permissions.report_scope(request.auth)
    if scope is None:
        raise PermissionDenied
    first = _month(month)
    data = selectors.report(scope, first)
    audit.record("monitoring.report", actor=request.auth, request=request, month=first.strftime("%Y-%m"), format="api")
    return {"month": first.strftime("%Y-%m"), "totals": data["totals"],
            "universities": [_report_row(r, "university_id", "university__name") for r in data["universities"]],
            "platforms": [_report_row(r, "platform_id", "platform__name") for r in data["platforms"]],
            "courses": [_report_row(r, "course_key", "course_name") for r in data["courses"]],
            "kinds": data["kinds"],
            "university_ranking": [_report_row(r, "university_id", "university__name")
                                   for r in data["university_ranking"]],
            "platform_ranking": [_report_row(r, "platform_id", "platform__name") for r in data["platform_ranking"]]}


@router.get("/stats", response=list[ReportRow],
            summary="Abnormal rates by university, platform, course or month (for the cockpit)")
def stats(request, by: str = Query("university", pattern="^(university|platform|course|month)$"),
          start: str | None = Query(None, max_length=7), end: str | None = Query(None, max_length=7)):
    scope = permissions.report_scope(request.auth)
    if scope is None:
        raise PermissionDenied
    last = _month(end)
    first = _month(start) if start else last
    if first > last:
        raise ValidationError({"start": _("The first month comes after the last.")})
    if (last.year - first.year) * 12 + last.month - first.month >= 24:
        raise ValidationError({"start": _("Ask for at most 24 months at a time.")})
    return selectors.abnormal_rates(scope, by, first, last,
                                    identity_permissions.scope_paths(request.auth, permissions.VIEW))


# --- Platforms ------------------------------------------------------------------------------------------------------------


@router.get("/platforms/lists", response=PublicListsOut, auth=PUBLIC, summary="The white and black lists (public)")
def public_lists(request):
    data = selectors.public_lists()
    return {key: [_entry(e) for e in entries] for key, entries in data.items()}


@router.get("/registry", response=list[RegistryRow], summary="Platforms in your registry scope, with reporting figures")
def registry(request):
    if not identity_permissions.has_capability(request.auth, permissions.REGISTER):
        raise PermissionDenied
    rows = []
    for p in permissions.registry_platforms(request.auth)[:200]:
        rows.append({"platform": _ref(p), "status": services.list_status(p), "reporting": selectors.reporting(p),
                     "filings": [_filing(f) for f in PlatformFiling.objects.filter(platform=p)
                                 .select_related("platform").prefetch_related("documents")]})
    return rows


@router.post("/registry/{int:platform_id}/filings", response={201: FilingOut},
             summary="File for a year (multipart: year, documents)")
def file_filing(request, platform_id: int, year: Form[int], documents: File[list[UploadedFile]] = None):
    platform = _registry_platform(request, platform_id)
    filing = services.submit_filing(platform, actor=request.auth, year=year, uploads=documents or [],
                                    request=request)
    return Status(201, _filing(filing))


@router.post("/filings/{int:filing_id}/review", response=FilingOut, summary="Record the review of a filing")
def review_filing(request, filing_id: int, payload: ReviewIn):
    filing = get_object_or_404(PlatformFiling.objects.select_related("platform"), pk=filing_id)
    _registry_platform(request, filing.platform_id)
    return _filing(services.review_filing(filing, actor=request.auth, passed=payload.passed, note=payload.note,
                                          request=request))


@router.post("/registry/{int:platform_id}/lists", response={201: ListEntryOut},
             summary="Put a platform on the white or black list")
def add_entry(request, platform_id: int, payload: ListEntryIn):
    platform = _registry_platform(request, platform_id)
    return Status(201, _entry(services.add_list_entry(platform, actor=request.auth, kind=payload.kind,
                                                      reason=payload.reason, request=request)))


@router.post("/lists/{int:entry_id}/end", response=ListEntryOut, summary="Take a platform off a list")
def end_entry(request, entry_id: int, payload: ReasonIn):
    entry = get_object_or_404(PlatformListEntry.objects.select_related("platform"), pk=entry_id)
    _registry_platform(request, entry.platform_id)
    return _entry(services.end_list_entry(entry, actor=request.auth, reason=payload.reason, request=request))


@router.get("/credit-courses", response=list[CreditCourseOut], summary="Credit courses and their platforms' list status")
def credit_courses(request, limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000)):
    courses = CreditCourse.objects.select_related("platform").order_by("title", "pk")[offset:offset + limit]
    status: dict[int, str | None] = {}
    rows = []
    for c in courses:
        if c.platform_id not in status:
            status[c.platform_id] = services.list_status(c.platform)
        rows.append({"id": c.pk, "platform": _ref(c.platform), "course_key": c.course_key, "title": c.title,
                     "credits": c.credits, "list_status": status[c.platform_id]})
    return rows


@router.get("/credit-courses/choices", response=list[ChoiceOut], summary="Courses your universities chose")
def choices(request):
    schools = permissions.chooser_schools(request.auth)
    if not schools:
        raise PermissionDenied
    found = CreditCourseChoice.objects.filter(school__in=schools).select_related("school", "course", "teacher")
    return [_choice(c) for c in found]


@router.post("/credit-courses/choices", response={201: ChoiceOut},
             summary="Choose a credit course (white-listed platforms only)")
def choose(request, payload: ChoiceIn):
    school = get_object_or_404(Organisation, pk=payload.school_id)
    if not permissions.can_choose_for(request.auth, school):
        raise PermissionDenied
    course = get_object_or_404(CreditCourse.objects.select_related("platform"), pk=payload.course_id)
    teacher = User.objects.filter(pk=payload.teacher_id).first()
    if teacher is None:
        raise ValidationError({"teacher_id": services.teacher_error(school)})
    choice = services.choose_credit_course(actor=request.auth, school=school, course=course, teacher=teacher,
                                           credits=payload.credits, request=request)
    return Status(201, _choice(choice))
