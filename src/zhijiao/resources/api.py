"""JSON API of the resource centre, mounted under /api/v1/resources.

Providers create resources, edit them (every edit goes into a new version while the approved one stays
live), upload files and submit; reviewers work their queue; anyone signed in rates, keeps favourites and
reports problems; catalogue administrators edit boards, columns and the textbook tree. Reading a
published resource, the taxonomy and the boards needs no sign-in.

Files are uploaded with ``PUT /api/v1/resources/{id}/files/{role}?name=<file name>``: the request body is
the file itself (``Content-Type`` its type), streamed to disk and checked as it arrives.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from zhijiao.core import storage
from zhijiao.identity import permissions as identity_permissions
from zhijiao.identity.api_auth import BearerAuth, SessionAuth
from zhijiao.identity.models import Organisation
from zhijiao.resources import catalogue, feedback, permissions, selectors, services
from zhijiao.resources.models import (
    Board,
    Column,
    Complaint,
    ComplaintCategory,
    ComplaintState,
    DownloadPolicy,
    Edition,
    Grade,
    Kind,
    Lesson,
    Library,
    Licence,
    Major,
    Outcome,
    Resource,
    ResourceVersion,
    ReviewTask,
    Stage,
    Subject,
    TaskKind,
    Unit,
    Volume,
)

router = Router(tags=["resources"])


def _anonymous(request):
    """Lets public reads through without credentials; request.user is then the anonymous user."""
    return request.user


PUBLIC = [BearerAuth(), SessionAuth(), _anonymous]


# --- Schemas -----------------------------------------------------------------------------------------


class NamedRef(Schema):
    id: int
    name: str


class CodedRef(Schema):
    id: int
    code: str
    name: str


class FileOut(Schema):
    id: int
    role: str
    file_type: str
    name: str
    size: int
    content_type: str
    duration_seconds: int | None
    url: str


class StatsOut(Schema):
    views: int
    downloads: int
    favourites: int
    rating: float | None
    rating_count: int
    complaints: int


class ColumnRef(Schema):
    id: int
    code: str
    name: str
    board_code: str
    board_name: str


class ResourceOut(Schema):
    id: int
    kind: Kind
    status: str
    title: str
    summary: str
    library: Library
    stage: CodedRef | None
    subject: CodedRef | None
    grade: NamedRef | None
    edition: CodedRef | None
    volume: CodedRef | None
    unit: NamedRef | None
    lesson: NamedRef | None
    major: CodedRef | None
    knowledge_points: list[str]
    keywords: list[str]
    authors: list[str]
    language: str
    licence: Licence
    university: str
    first_class: bool
    premium: bool
    duration_seconds: int | None
    external_url: str
    link_owner: str
    download_policy: DownloadPolicy
    provider: NamedRef
    columns: list[ColumnRef]
    files: list[FileOut]
    stats: StatsOut
    published_at: datetime | None
    activity_id: str
    page_url: str
    can_download: bool


class ResourceFields(Schema):
    """Descriptive fields; taxonomy tags by id. A more specific tag fills the broader ones (a lesson
    implies its unit, volume, edition, subject, grade and stage)."""

    title: str | None = Field(None, max_length=200)
    summary: str | None = Field(None, max_length=5000)
    library: Library | None = None
    stage_id: int | None = None
    subject_id: int | None = None
    grade_id: int | None = None
    edition_id: int | None = None
    volume_id: int | None = None
    unit_id: int | None = None
    lesson_id: int | None = None
    major_id: int | None = None
    knowledge_points: list[str] | None = None
    keywords: list[str] | None = None
    authors: list[str] | None = None
    language: str | None = Field(None, max_length=16)
    licence: Licence | None = None
    university: str | None = Field(None, max_length=100)
    first_class: bool | None = None
    premium: bool | None = None
    duration_seconds: int | None = Field(None, ge=1, le=86400)
    external_url: str | None = Field(None, max_length=500)
    link_owner: str | None = Field(None, max_length=200)
    download_policy: DownloadPolicy | None = None
    column_ids: list[int] | None = None


class ResourceIn(ResourceFields):
    kind: Kind
    provider_id: int
    title: str = Field(..., min_length=1, max_length=200)


class ResourcePatch(ResourceFields):
    change_note: str | None = Field(None, max_length=300)


class FindingOut(Schema):
    check: str
    field: str
    message: str
    word: str | None = None
    category: str | None = None
    context: str | None = None


class ScreeningOut(Schema):
    passed: bool
    findings: list[FindingOut]
    created_at: datetime


class DecisionOut(Schema):
    level: int
    outcome: str
    reviewer: str
    dimensions: dict
    comment: str
    decided_at: datetime


class VersionOut(Schema):
    number: int
    state: str
    title: str
    summary: str
    change_note: str
    created_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    review_level: int
    rejection_reasons: str
    live: bool
    files: list[FileOut]
    column_ids: list[int]
    screenings: list[ScreeningOut]
    decisions: list[DecisionOut]


class MineOut(Schema):
    id: int
    kind: str
    status: str
    title: str
    latest_version: int
    latest_state: str
    live_version: int | None


class TaskOut(Schema):
    id: int
    kind: TaskKind
    level: int
    state: str
    reason: str
    queued_at: datetime
    age_days: int
    claimed_by: str | None
    resource_id: int
    version: int
    title: str
    provider: str
    library: str


class TaskDetailOut(TaskOut):
    checklist: dict
    resource: ResourceOut
    proposal: VersionOut


class DecisionIn(Schema):
    outcome: Outcome
    dimensions: dict = Field(default_factory=dict, description='{"political": {"checks": {"direction": true, '
                                                               '"maps": true}, "comment": ""}, …}')
    comment: str = Field("", max_length=4000)


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=1000)


class SpotCheckIn(Schema):
    count: int | None = Field(None, ge=1, le=1000)


class ComplaintIn(Schema):
    category: ComplaintCategory
    text: str = Field(..., min_length=1, max_length=2000)


class ComplaintOut(Schema):
    id: int
    resource_id: int
    resource_title: str
    category: str
    text: str
    state: str
    created_at: datetime
    outcome: str
    handled_at: datetime | None


class ComplaintDecisionIn(Schema):
    uphold: bool
    outcome: str = Field(..., min_length=1, max_length=4000)


class RatingIn(Schema):
    stars: int = Field(..., ge=1, le=5)


class RatingOut(Schema):
    stars: int
    rating: float | None
    rating_count: int


class AgreementOut(Schema):
    version: str
    accepted: bool
    ready_to_submit: bool
    blockers: list[str]


class SubjectOut(Schema):
    id: int
    code: str
    name: str


class GradeOut(Schema):
    id: int
    number: int
    name: str


class StageOut(Schema):
    id: int
    code: str
    name: str
    grades: list[GradeOut]
    subjects: list[SubjectOut]


class VolumeOut(Schema):
    id: int
    code: str
    name: str
    edition: CodedRef
    grade: NamedRef | None


class LessonOut(Schema):
    id: int
    name: str
    order: int


class UnitOut(Schema):
    id: int
    name: str
    order: int
    lessons: list[LessonOut]


class MajorOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None


class ColumnOut(Schema):
    id: int
    code: str
    name: str
    stages: list[str]
    order: int
    active: bool


class BoardOut(Schema):
    id: int
    library: str
    code: str
    name: str
    description: str
    order: int
    active: bool
    columns: list[ColumnOut]


class BoardIn(Schema):
    library: Library
    code: str = Field(..., max_length=40)
    name: str = Field(..., max_length=50)
    description: str = Field("", max_length=300)
    order: int = Field(0, ge=0, le=1000)


class BoardPatch(Schema):
    name: str | None = Field(None, max_length=50)
    description: str | None = Field(None, max_length=300)
    order: int | None = Field(None, ge=0, le=1000)
    active: bool | None = None


class ColumnIn(Schema):
    board_id: int
    code: str = Field(..., max_length=60)
    name: str = Field(..., max_length=50)
    stages: list[str] = Field(default_factory=list)
    order: int = Field(0, ge=0, le=1000)


class ColumnPatch(Schema):
    name: str | None = Field(None, max_length=50)
    stages: list[str] | None = None
    order: int | None = Field(None, ge=0, le=1000)
    active: bool | None = None


class NodeIn(Schema):
    parent_id: int
    name: str = Field(..., max_length=100)


class NoticeOut(Schema):
    id: int
    resource_id: int | None
    text: str
    created_at: datetime


# --- Conversions -------------------------------------------------------------------------------------------


def _coded(obj) -> dict | None:
    return {"id": obj.pk, "code": obj.code, "name": obj.name} if obj is not None else None


def _named(obj) -> dict | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def file_url(resource_id: int, f) -> str:
    return reverse("resources:file", args=[resource_id, f.pk])


def _file(resource_id: int, f) -> dict:
    return {"id": f.pk, "role": f.role, "file_type": f.file_type, "name": f.name, "size": f.size,
            "content_type": f.content_type, "duration_seconds": f.duration_seconds, "url": file_url(resource_id, f)}


def _stats(resource: Resource) -> dict:
    s = getattr(resource, "stats", None)
    if s is None:
        return {"views": 0, "downloads": 0, "favourites": 0, "rating": None, "rating_count": 0, "complaints": 0}
    return {"views": s.views, "downloads": s.downloads, "favourites": s.favourite_count, "rating": s.rating,
            "rating_count": s.rating_count, "complaints": s.complaint_count}


def _resource(user, resource: Resource, version_id: int | None = None) -> dict:
    version_id = version_id or resource.live_version_id
    files = [f for group in selectors.files_by_role(version_id).values() for f in group]
    return {
        "id": resource.pk, "kind": resource.kind, "status": resource.status, "title": resource.title,
        "summary": resource.summary, "library": resource.library, "stage": _coded(resource.stage),
        "subject": _coded(resource.subject), "grade": _named(resource.grade), "edition": _coded(resource.edition),
        "volume": _coded(resource.volume), "unit": _named(resource.unit), "lesson": _named(resource.lesson),
        "major": _coded(resource.major), "knowledge_points": resource.knowledge_points,
        "keywords": resource.keywords, "authors": resource.authors, "language": resource.language,
        "licence": resource.licence, "university": resource.university, "first_class": resource.first_class,
        "premium": resource.premium, "duration_seconds": resource.duration_seconds,
        "external_url": resource.external_url, "link_owner": resource.link_owner,
        "download_policy": resource.download_policy, "provider": _named(resource.provider),
        "columns": [{"id": c.pk, "code": c.code, "name": c.name, "board_code": c.board.code,
                     "board_name": c.board.name} for c in selectors.columns_of(resource)],
        "files": [_file(resource.pk, f) for f in files], "stats": _stats(resource),
        "published_at": resource.published_at, "activity_id": selectors.activity_id(resource.pk),
        "page_url": reverse("resources:detail", args=[resource.pk]),
        "can_download": permissions.can_download(user, resource),
    }


def _version(resource: Resource, v: ResourceVersion) -> dict:
    return {
        "number": v.number, "state": v.state, "title": v.title, "summary": v.summary, "change_note": v.change_note,
        "created_at": v.created_at, "submitted_at": v.submitted_at, "decided_at": v.decided_at,
        "review_level": v.review_level, "rejection_reasons": v.rejection_reasons,
        "live": v.pk == resource.live_version_id,
        "files": [_file(resource.pk, f) for f in v.files.all()],
        "column_ids": [c.pk for c in v.columns.all()],
        "screenings": [{"passed": s.passed, "findings": s.findings, "created_at": s.created_at}
                       for s in v.screenings.all()],
        "decisions": [{"level": d.level, "outcome": d.outcome, "reviewer": str(d.reviewer or ""),
                       "dimensions": d.dimensions, "comment": d.comment, "decided_at": d.decided_at}
                      for d in v.decisions.all()],
    }


def _task(task: ReviewTask) -> dict:
    from django.utils import timezone

    return {
        "id": task.pk, "kind": task.kind, "level": task.level, "state": task.state, "reason": task.reason,
        "queued_at": task.created_at, "age_days": (timezone.now() - task.created_at).days,
        "claimed_by": str(task.claimed_by) if task.claimed_by_id else None, "resource_id": task.resource_id,
        "version": task.version.number, "title": task.version.title, "provider": task.resource.provider.name,
        "library": task.version.library,
    }


def _complaint(c: Complaint) -> dict:
    return {"id": c.pk, "resource_id": c.resource_id, "resource_title": c.resource.title, "category": c.category,
            "text": c.text, "state": c.state, "created_at": c.created_at, "outcome": c.outcome,
            "handled_at": c.handled_at}


_TAXONOMY = {"stage": Stage, "subject": Subject, "grade": Grade, "edition": Edition, "volume": Volume,
             "unit": Unit, "lesson": Lesson, "major": Major}


def content_from(data: dict) -> tuple[dict, list | None]:
    """Service keyword arguments from API (or form) fields: taxonomy ids become objects."""
    content, columns = {}, None
    for key, value in data.items():
        if key == "column_ids":
            if value is not None:
                columns = list(Column.objects.select_related("board").filter(pk__in=value))
                if len(columns) != len(set(value)):
                    raise ValidationError({"column_ids": _("Unknown column.")})
            continue
        if key.endswith("_id") and key[:-3] in _TAXONOMY:
            name = key[:-3]
            if value is None:
                content[name] = None
                continue
            obj = _TAXONOMY[name].objects.filter(pk=value).first()
            if obj is None:
                raise ValidationError({key: _("Unknown %(what)s.") % {"what": name}})
            content[name] = obj
            continue
        content[key] = value
    return content, columns


def _visible(user, resource_id: int) -> Resource:
    resource = selectors.get_resource(resource_id)
    if resource is None or not permissions.can_view(user, resource):
        raise Http404
    return resource


def _managed(user, resource_id: int) -> Resource:
    resource = get_object_or_404(Resource, pk=resource_id)
    if not permissions.can_manage(user, resource):
        if permissions.can_view(user, resource):
            raise PermissionDenied
        raise Http404
    return resource


# --- Resources ------------------------------------------------------------------------------------------


@router.get("/mine", response=list[MineOut], summary="Resources you created or administer")
def mine(request, limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000)):
    resources = list(selectors.resources_managed_by(request.auth)[offset:offset + limit])
    latest = selectors.latest_versions([r.pk for r in resources])
    return [{"id": r.pk, "kind": r.kind, "status": r.status, "title": r.title,
             "latest_version": latest[r.pk].number, "latest_state": latest[r.pk].state,
             "live_version": r.live_version.number if r.live_version_id else None} for r in resources]


@router.post("", response={201: ResourceOut}, summary="Create a resource (its first draft version)")
def create(request, payload: ResourceIn):
    provider = get_object_or_404(Organisation, pk=payload.provider_id)
    data = payload.dict(exclude_unset=True)
    kind = data.pop("kind")
    data.pop("provider_id")
    content, columns = content_from(data)
    resource = services.create_resource(request.auth, kind=kind, provider=provider, columns=columns,
                                        request=request, **content)
    resource = selectors.get_resource(resource.pk)
    return Status(201, _resource(request.auth, resource, resource.versions.get().pk))


@router.get("/{int:resource_id}", response=ResourceOut, auth=PUBLIC,
            summary="A resource as the public sees it (its live version)")
def get_resource(request, resource_id: int):
    return _resource(request.auth, _visible(request.auth, resource_id))


@router.patch("/{int:resource_id}", response=VersionOut,
              summary="Edit: changes go into the working draft (a new version when needed)")
def update(request, resource_id: int, payload: ResourcePatch):
    resource = _managed(request.auth, resource_id)
    data = payload.dict(exclude_unset=True)
    change_note = data.pop("change_note", None)
    content, columns = content_from(data)
    version = services.update_draft(request.auth, resource, columns=columns, change_note=change_note,
                                    request=request, **content)
    return _version(resource, version)


@router.get("/{int:resource_id}/versions", response=list[VersionOut],
            summary="Full version history with screening reports and review decisions")
def versions(request, resource_id: int):
    resource = get_object_or_404(Resource, pk=resource_id)
    if not permissions.can_see_unpublished(request.auth, resource):
        raise PermissionDenied
    return [_version(resource, v) for v in selectors.versions_of(resource)]


@router.put("/{int:resource_id}/files/{role}", response={201: FileOut},
            summary="Upload a file into the working draft; the body is the file",
            openapi_extra={"requestBody": {"content": {"application/octet-stream": {
                "schema": {"type": "string", "format": "binary"}}}, "required": True}})
def upload_file(request, resource_id: int, role: str, name: str = Query(..., min_length=1, max_length=200)):
    resource = _managed(request.auth, resource_id)
    stored = services.add_file(request.auth, resource, role=role, chunks=storage.chunks_of_stream(request),
                               file_name=name, declared_content_type=request.content_type or "", request=request)
    return Status(201, _file(resource.pk, stored))


@router.delete("/{int:resource_id}/files/{int:file_id}", response={204: None}, summary="Remove a file from the working draft")
def delete_file(request, resource_id: int, file_id: int):
    resource = _managed(request.auth, resource_id)
    services.remove_file(request.auth, resource, file_id, request=request)
    return Status(204, None)


@router.post("/{int:resource_id}/submit", response=VersionOut,
             summary="Submit the working draft: machine pre-screen, then the review queue")
def submit(request, resource_id: int):
    resource = _managed(request.auth, resource_id)
    version = services.submit(request.auth, resource, request=request)
    return _version(resource, ResourceVersion.objects.get(pk=version.pk))


@router.post("/{int:resource_id}/withdraw", response=VersionOut, summary="Withdraw the newest version from review")
def withdraw(request, resource_id: int):
    resource = _managed(request.auth, resource_id)
    return _version(resource, services.withdraw(request.auth, resource, request=request))


@router.post("/{int:resource_id}/take-down", response=ResourceOut, summary="Take a published resource offline")
def take_down(request, resource_id: int, payload: ReasonIn):
    resource = get_object_or_404(Resource, pk=resource_id)
    services.take_down(request.auth, resource, reason=payload.reason, request=request)
    return _resource(request.auth, selectors.get_resource(resource_id))


# --- Provider agreement (Art.7) --------------------------------------------------------------------------


@router.get("/agreement/status", response=AgreementOut, summary="Whether you may submit resources")
def agreement_status(request):
    from django.conf import settings

    blockers = services.submission_blockers(request.auth)
    return {"version": settings.ZJ_RESOURCE_AGREEMENT_VERSION, "accepted": services.has_accepted_agreement(request.auth),
            "ready_to_submit": not blockers, "blockers": blockers}


@router.post("/agreement/status", response=AgreementOut, summary="Accept the current resource-use agreement")
def accept_agreement(request):
    services.accept_agreement(request.auth, request=request)
    return agreement_status(request)


# --- Review --------------------------------------------------------------------------------------------


@router.get("/reviews/queue", response=list[TaskOut], summary="Your review queue, oldest first")
def review_queue(request, kind: TaskKind | None = None, library: Library | None = None,
                 level: int | None = Query(None, ge=1, le=9), older_than_days: int | None = Query(None, ge=0),
                 q: str = Query("", max_length=100), limit: int = Query(100, ge=1, le=500)):
    if not identity_permissions.has_capability(request.auth, "resource.review"):
        raise PermissionDenied
    tasks = selectors.review_queue(request.auth, kind=kind or "", library=library or "", level=level,
                                   older_than_days=older_than_days, query=q)[:limit]
    return [_task(t) for t in tasks]


def _task_for(user, task_id: int) -> ReviewTask:
    task = get_object_or_404(ReviewTask.objects.select_related("version", "resource", "resource__provider"),
                             pk=task_id)
    if not permissions.in_review_scope(user, task.resource):
        raise Http404
    return task


@router.get("/reviews/{int:task_id}", response=TaskDetailOut, summary="A review task with the proposal to judge")
def review_task(request, task_id: int):
    task = _task_for(request.auth, task_id)
    resource = selectors.get_resource(task.resource_id)
    version = next(v for v in selectors.versions_of(resource) if v.pk == task.version_id)
    checklist = {dim: [{"code": code, "label": str(label)} for code, label in items]
                 for dim, items in services.CHECKLIST.items()}
    return {**_task(task), "checklist": checklist, "resource": _resource(request.auth, resource, version.pk),
            "proposal": _version(resource, version)}


@router.post("/reviews/{int:task_id}/claim", response=TaskOut, summary="Take a task from the queue")
def claim(request, task_id: int):
    return _task(services.claim(request.auth, _task_for(request.auth, task_id)))


@router.post("/reviews/{int:task_id}/release", response=TaskOut, summary="Put a task you took back in the queue")
def release(request, task_id: int):
    return _task(services.release(request.auth, _task_for(request.auth, task_id)))


@router.post("/reviews/{int:task_id}/decision", response=DecisionOut,
             summary="Decide: approve / reject (publication), keep / take_down (spot check, evaluation)")
def decide(request, task_id: int, payload: DecisionIn):
    decision = services.decide(request.auth, _task_for(request.auth, task_id), outcome=payload.outcome,
                               dimensions=payload.dimensions, comment=payload.comment, request=request)
    return {"level": decision.level, "outcome": decision.outcome, "reviewer": str(decision.reviewer),
            "dimensions": decision.dimensions, "comment": decision.comment, "decided_at": decision.decided_at}


@router.post("/reviews/spot-checks", response=list[TaskOut], summary="Queue a random sample for a spot check")
def spot_checks(request, payload: SpotCheckIn):
    return [_task(t) for t in services.queue_spot_checks(request.auth, count=payload.count, request=request)]


# --- Complaints (Art.15) ---------------------------------------------------------------------------------


@router.post("/{int:resource_id}/complaints", response={201: ComplaintOut}, summary="Report a problem with a resource")
def complain(request, resource_id: int, payload: ComplaintIn):
    resource = _visible(request.auth, resource_id)
    complaint = feedback.complain(request.auth, resource, category=payload.category, text=payload.text,
                                  request=request)
    return Status(201, _complaint(complaint))


@router.get("/complaints/mine", response=list[ComplaintOut], summary="Your reports and their outcomes")
def my_complaints(request):
    return [_complaint(c) for c in selectors.complaints_by(request.auth)[:200]]


@router.get("/complaints/queue", response=list[ComplaintOut], summary="Complaints to handle, oldest first")
def complaint_queue(request, state: ComplaintState = ComplaintState.OPEN, category: ComplaintCategory | None = None,
                    limit: int = Query(100, ge=1, le=500)):
    if not identity_permissions.has_capability(request.auth, "complaint.handle"):
        raise PermissionDenied
    return [_complaint(c) for c in selectors.complaint_queue(request.auth, state=state,
                                                             category=category or "")[:limit]]


@router.post("/complaints/{int:complaint_id}/decision", response=ComplaintOut,
             summary="Uphold (takes the resource down) or dismiss a complaint; the complainant is told")
def handle_complaint(request, complaint_id: int, payload: ComplaintDecisionIn):
    complaint = get_object_or_404(Complaint.objects.select_related("resource"), pk=complaint_id)
    if not permissions.in_complaint_scope(request.auth, complaint.resource):
        raise Http404
    complaint = feedback.handle_complaint(request.auth, complaint, uphold=payload.uphold, outcome=payload.outcome,
                                          request=request)
    return _complaint(complaint)


# --- Ratings, favourites, notices ----------------------------------------------------------------------


@router.put("/{int:resource_id}/rating", response=RatingOut, summary="Rate a resource 1–5 (again to change it)")
def rate(request, resource_id: int, payload: RatingIn):
    resource = _visible(request.auth, resource_id)
    rating = feedback.rate(request.auth, resource, payload.stars)
    stats = selectors.get_resource(resource_id).stats
    return {"stars": rating.stars, "rating": stats.rating, "rating_count": stats.rating_count}


@router.put("/{int:resource_id}/favourite", response={204: None}, summary="Add to your favourites")
def add_favourite(request, resource_id: int):
    feedback.set_favourite(request.auth, _visible(request.auth, resource_id), True)
    return Status(204, None)


@router.delete("/{int:resource_id}/favourite", response={204: None}, summary="Remove from your favourites")
def remove_favourite(request, resource_id: int):
    feedback.set_favourite(request.auth, get_object_or_404(Resource, pk=resource_id), False)
    return Status(204, None)


@router.get("/favourites/mine", response=list[MineOut], summary="Your favourite resources")
def my_favourites(request):
    return [{"id": r.pk, "kind": r.kind, "status": r.status, "title": r.title, "latest_version": 0,
             "latest_state": "", "live_version": None} for r in selectors.favourites_of(request.auth)]


@router.get("/notices/mine", response=list[NoticeOut], summary="Review and complaint outcomes sent to you")
def my_notices(request):
    return [{"id": n.pk, "resource_id": n.resource_id, "text": n.text, "created_at": n.created_at}
            for n in selectors.notices_of(request.auth, limit=100)]


# --- Taxonomy and boards (public reads, catalogue administrators write) -----------------------------------


@router.get("/taxonomy/stages", response=list[StageOut], auth=PUBLIC, summary="School stages with grades and subjects")
def stages(request):
    return [{"id": s.pk, "code": s.code, "name": s.name,
             "grades": [{"id": g.pk, "number": g.number, "name": g.name} for g in s.grades.all()],
             "subjects": [{"id": x.pk, "code": x.code, "name": x.name} for x in s.subjects.all()]}
            for s in selectors.stages_with_subjects()]


@router.get("/taxonomy/volumes", response=list[VolumeOut], auth=PUBLIC,
            summary="Textbook volumes of a subject (optionally of one edition)")
def volumes(request, subject_id: int, edition_id: int | None = None):
    return [{"id": v.pk, "code": v.code, "name": v.name, "edition": _coded(v.edition), "grade": _named(v.grade)}
            for v in selectors.volumes_for(subject_id, edition_id)]


@router.get("/taxonomy/volumes/{int:volume_id}/units", response=list[UnitOut], auth=PUBLIC,
            summary="Units and lessons of a textbook volume")
def units(request, volume_id: int):
    get_object_or_404(Volume, pk=volume_id)
    return [{"id": u.pk, "name": u.name, "order": u.order,
             "lessons": [{"id": lesson.pk, "name": lesson.name, "order": lesson.order} for lesson in u.lessons.all()]}
            for u in selectors.units_with_lessons(volume_id)]


@router.get("/taxonomy/majors", response=list[MajorOut], auth=PUBLIC,
            summary="Vocational or undergraduate major catalogue, with codes")
def majors(request, library: Library):
    return [{"id": m.pk, "code": m.code, "name": m.name, "level": m.level, "parent_id": m.parent_id}
            for m in selectors.majors_of(library)]


def _board(b: Board) -> dict:
    return {"id": b.pk, "library": b.library, "code": b.code, "name": b.name, "description": b.description,
            "order": b.order, "active": b.active,
            "columns": [{"id": c.pk, "code": c.code, "name": c.name, "stages": [s.code for s in c.stages.all()],
                         "order": c.order, "active": c.active} for c in b.columns.all()]}


@router.get("/boards", response=list[BoardOut], auth=PUBLIC, summary="Boards and their columns")
def boards(request, library: Library | None = None):
    return [_board(b) for b in selectors.boards_with_columns(library or "")]


@router.post("/boards", response={201: BoardOut}, summary="Create a board (catalogue administrators)")
def create_board(request, payload: BoardIn):
    board = catalogue.create_board(request.auth, request=request, **payload.dict())
    return Status(201, _board(board))


@router.patch("/boards/{int:board_id}", response=BoardOut, summary="Change a board")
def update_board(request, board_id: int, payload: BoardPatch):
    board = get_object_or_404(Board, pk=board_id)
    return _board(catalogue.update_board(request.auth, board, request=request, **payload.dict(exclude_unset=True)))


@router.post("/columns", response={201: ColumnOut}, summary="Create a column in a board")
def create_column(request, payload: ColumnIn):
    board = get_object_or_404(Board, pk=payload.board_id)
    data = payload.dict()
    data.pop("board_id")
    column = catalogue.create_column(request.auth, board, request=request, **data)
    return Status(201, {"id": column.pk, "code": column.code, "name": column.name,
                        "stages": [s.code for s in column.stages.all()], "order": column.order, "active": column.active})


@router.patch("/columns/{int:column_id}", response=ColumnOut, summary="Change a column (name, stages, shown)")
def update_column(request, column_id: int, payload: ColumnPatch):
    column = get_object_or_404(Column, pk=column_id)
    column = catalogue.update_column(request.auth, column, request=request, **payload.dict(exclude_unset=True))
    return {"id": column.pk, "code": column.code, "name": column.name, "stages": [s.code for s in column.stages.all()],
            "order": column.order, "active": column.active}


@router.post("/taxonomy/units", response={201: LessonOut}, summary="Add a unit to a textbook volume")
def add_unit(request, payload: NodeIn):
    volume = get_object_or_404(Volume, pk=payload.parent_id)
    unit = catalogue.add_unit(request.auth, volume, name=payload.name, request=request)
    return Status(201, {"id": unit.pk, "name": unit.name, "order": unit.order})


@router.post("/taxonomy/lessons", response={201: LessonOut}, summary="Add a lesson to a unit")
def add_lesson(request, payload: NodeIn):
    unit = get_object_or_404(Unit, pk=payload.parent_id)
    lesson = catalogue.add_lesson(request.auth, unit, name=payload.name, request=request)
    return Status(201, {"id": lesson.pk, "name": lesson.name, "order": lesson.order})

# Search, suggestions, hot list, browse tree and recommendations: resources/discovery_api.py.
from zhijiao.resources.discovery_api import router as discovery_router  # noqa: E402

router.add_router("", discovery_router)
