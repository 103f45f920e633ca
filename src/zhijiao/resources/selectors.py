"""Reads of the resource centre, for its pages and API and for other apps (search, lessons, cockpit).

Other apps use :func:`published_resources`, :func:`resource_for_search` and :func:`board_codes_for`;
nothing outside this app reads the models' internals.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from zhijiao.identity import permissions as identity_permissions
from zhijiao.identity.models import DIVISION_KINDS, User
from zhijiao.resources import permissions
from zhijiao.resources.models import (
    Board,
    Column,
    Complaint,
    ComplaintState,
    Edition,
    Favourite,
    Lesson,
    Major,
    Notice,
    RecentView,
    Resource,
    ResourceFile,
    ResourceStats,
    ResourceVersion,
    ReviewTask,
    Stage,
    Status,
    TaskKind,
    TaskState,
    Unit,
    Volume,
)

SEARCH_TEXT_CHARS = 200_000


def activity_id(resource_id: int) -> str:
    """The xAPI activity id of a resource (shared convention with the LRS and the tracker)."""
    return f"{settings.ZJ_PUBLIC_URL}/resources/{resource_id}/"


def published_resources() -> QuerySet[Resource]:
    """Every resource the public can see; the content fields are those of the live version."""
    return Resource.objects.filter(status=Status.PUBLISHED)


def resource_for_search(resource_id: int) -> dict | None:
    """The indexable fields of a published resource, or None when it is not (or no longer) published."""
    resource = (published_resources().select_related(
        "stage", "subject", "grade", "edition", "volume", "unit", "lesson", "major", "provider", "stats",
        "live_version").filter(pk=resource_id).first())
    if resource is None:
        return None
    files = ResourceFile.objects.filter(version_id=resource.live_version_id).exclude(text="").values_list("text",
                                                                                                          flat=True)
    text = "\n".join(files)[:SEARCH_TEXT_CHARS]
    stats = getattr(resource, "stats", None) or ResourceStats(resource=resource)
    columns = list(resource.columns.select_related("board").values_list("pk", "board__code"))
    return {
        "id": resource.pk,
        "title": resource.title,
        "summary": resource.summary,
        "text": text,
        "keywords": list(resource.keywords),
        "knowledge_points": list(resource.knowledge_points),
        "authors": list(resource.authors),
        "kind": resource.kind,
        "library": resource.library,
        "stage": resource.stage.code if resource.stage else None,
        "stage_name": resource.stage.name if resource.stage else "",
        "subject": resource.subject.code if resource.subject else None,
        "subject_name": resource.subject.name if resource.subject else "",
        "subject_id": resource.subject_id,
        "grade": resource.grade.number if resource.grade else None,
        "grade_name": resource.grade.name if resource.grade else "",
        "edition": resource.edition.code if resource.edition else None,
        "edition_name": resource.edition.name if resource.edition else "",
        "volume_id": resource.volume_id,
        "unit_id": resource.unit_id,
        "lesson_id": resource.lesson_id,
        "lesson_name": resource.lesson.name if resource.lesson else "",
        "major": resource.major.code if resource.major else None,
        "major_name": resource.major.name if resource.major else "",
        "board_codes": sorted({code for _pk, code in columns}),
        "column_ids": sorted(pk for pk, _code in columns),
        "provider_id": resource.provider_id,
        "provider_name": resource.provider.name,
        "university": resource.university,
        "first_class": resource.first_class,
        "premium": resource.premium,
        "language": resource.language,
        "duration_seconds": resource.duration_seconds,
        "published_at": resource.published_at,
        "views": stats.views,
        "downloads": stats.downloads,
        "favourites": stats.favourite_count,
        "rating": stats.rating,
        "rating_count": stats.rating_count,
        "complaints": stats.complaint_count,
    }


def board_codes_for(resource_ids) -> dict[int, list[str]]:
    """The codes of the boards each resource appears in (through its live columns)."""
    result: dict[int, set[str]] = defaultdict(set)
    through = Resource.columns.through
    for resource_id, code in through.objects.filter(resource_id__in=list(resource_ids)).values_list(
            "resource_id", "column__board__code"):
        result[resource_id].add(code)
    return {rid: sorted(codes) for rid, codes in result.items()}


# --- One resource ---------------------------------------------------------------------------------------


def get_resource(resource_id: int) -> Resource | None:
    return (Resource.objects.select_related("stage", "subject", "grade", "edition", "volume", "unit", "lesson",
                                            "major", "provider", "stats", "live_version")
            .filter(pk=resource_id).first())


def files_by_role(version_id: int | None) -> dict[str, list[ResourceFile]]:
    grouped: dict[str, list[ResourceFile]] = defaultdict(list)
    if version_id is None:
        return grouped
    for f in ResourceFile.objects.filter(version_id=version_id).defer("text").order_by("role", "id"):
        grouped[f.role].append(f)
    return grouped


def file_of(resource: Resource, file_id: int, *, include_unpublished: bool) -> ResourceFile | None:
    """A file of the live version; with ``include_unpublished`` any version's (for providers and reviewers)."""
    files = ResourceFile.objects.defer("text").filter(pk=file_id, version__resource=resource)
    if not include_unpublished:
        files = files.filter(version_id=resource.live_version_id)
    return files.first()


def versions_of(resource: Resource) -> list[ResourceVersion]:
    """The full history, newest first, with screening reports, decisions and files."""
    return list(resource.versions.prefetch_related(
        "screenings", "decisions__reviewer", "columns",
        Prefetch("files", queryset=ResourceFile.objects.defer("text")),
    ).select_related("created_by"))


def columns_of(resource: Resource) -> list[Column]:
    return list(resource.columns.select_related("board"))


def viewer_state(user: User, resource: Resource) -> dict:
    """What the signed-in viewer did with this resource: their rating and whether it is a favourite."""
    if not user.is_authenticated:
        return {"my_rating": None, "favourite": False}
    rating = resource.ratings.filter(user=user).values_list("stars", flat=True).first()
    favourite = Favourite.objects.filter(user=user, resource=resource).exists()
    return {"my_rating": rating, "favourite": favourite}


# --- Providers ----------------------------------------------------------------------------------------


def resources_managed_by(user: User) -> QuerySet[Resource]:
    """Resources the user created or administers (school, bureau, platform administrators)."""
    q = Q(created_by=user)
    for m in identity_permissions.memberships(user):
        if m.role in permissions.PROVIDER_ADMIN_ROLES:
            q |= Q(provider_path__startswith=permissions.admin_scope(m))
    return Resource.objects.filter(q).select_related("provider", "live_version").order_by("-created_at")


def latest_versions(resource_ids) -> dict[int, ResourceVersion]:
    latest: dict[int, ResourceVersion] = {}
    for version in ResourceVersion.objects.filter(resource_id__in=list(resource_ids)).order_by("resource_id",
                                                                                               "-number"):
        latest.setdefault(version.resource_id, version)
    return latest


def notices_of(user: User, limit: int = 20) -> list[Notice]:
    return list(Notice.objects.filter(user=user).select_related("resource")[:limit])


# --- Reviewers and complaint handlers -----------------------------------------------------------------


def _scope_q(user: User, capability: str, field: str = "provider_path") -> Q | None:
    paths = identity_permissions.scope_paths(user, capability)
    if not paths:
        return None
    q = Q()
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def own_organisation_q(user: User, prefix: str = "") -> Q:
    """Resources of the user's own organisations (see permissions.is_own_organisation)."""
    q = Q(**{f"{prefix}created_by": user})
    for m in identity_permissions.memberships(user):
        q |= Q(**{f"{prefix}provider_id": m.organisation_id})
        if m.organisation.kind not in DIVISION_KINDS:
            q |= Q(**{f"{prefix}provider_path__startswith": m.org_path})
    return q


def review_queue(user: User, *, kind: str = "", library: str = "", level: int | None = None,
                 older_than_days: int | None = None, query: str = "", mine: bool = False) -> QuerySet[ReviewTask]:
    """Open and claimed tasks the user may take, oldest first (ageing: the oldest waits longest)."""
    scope = _scope_q(user, "resource.review")
    if scope is None:
        return ReviewTask.objects.none()
    tasks = (ReviewTask.objects.filter(scope, state__in=[TaskState.OPEN, TaskState.CLAIMED])
             .exclude(own_organisation_q(user, "resource__"))
             .exclude(Q(kind=TaskKind.PUBLICATION) & Q(version__decisions__reviewer=user))
             .exclude(Q(state=TaskState.CLAIMED) & ~Q(claimed_by=user)))
    if kind:
        tasks = tasks.filter(kind=kind)
    if library:
        tasks = tasks.filter(version__library=library)
    if level:
        tasks = tasks.filter(level=level)
    if older_than_days:
        tasks = tasks.filter(created_at__lte=timezone.now() - timedelta(days=older_than_days))
    if query:
        tasks = tasks.filter(version__title__icontains=query)
    if mine:
        tasks = tasks.filter(claimed_by=user)
    return tasks.select_related("version", "resource", "resource__provider", "claimed_by").order_by("created_at", "id")


def complaint_queue(user: User, *, state: str = ComplaintState.OPEN, category: str = "") -> QuerySet[Complaint]:
    scope = _scope_q(user, "complaint.handle")
    if scope is None:
        return Complaint.objects.none()
    complaints = Complaint.objects.filter(scope).exclude(own_organisation_q(user, "resource__"))
    if state:
        complaints = complaints.filter(state=state)
    if category:
        complaints = complaints.filter(category=category)
    return complaints.select_related("resource", "complainant", "handler").order_by("created_at", "id")


def complaints_by(user: User) -> QuerySet[Complaint]:
    return Complaint.objects.filter(complainant=user).select_related("resource").order_by("-created_at")


# --- Learners ---------------------------------------------------------------------------------------------


def favourites_of(user: User) -> list[Resource]:
    ids = list(Favourite.objects.filter(user=user).values_list("resource_id", flat=True)[:500])
    by_id = published_resources().select_related("subject", "grade", "stats").in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def recently_viewed(user: User, limit: int = 20) -> list[Resource]:
    ids = list(RecentView.objects.filter(user=user).order_by("-viewed_at").values_list("resource_id", flat=True)[:limit])
    by_id = published_resources().select_related("subject", "grade").in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


# --- Taxonomy and catalogue -------------------------------------------------------------------------------


def stages_with_subjects() -> list[Stage]:
    return list(Stage.objects.prefetch_related("subjects", "grades"))


def editions_for(subject_id: int) -> list[Edition]:
    return list(Edition.objects.filter(volumes__subject_id=subject_id).distinct().order_by("order"))


def volumes_for(subject_id: int, edition_id: int | None = None) -> list[Volume]:
    volumes = Volume.objects.filter(subject_id=subject_id).select_related("edition", "grade")
    if edition_id:
        volumes = volumes.filter(edition_id=edition_id)
    return list(volumes.order_by("edition__order", "order"))


def units_with_lessons(volume_id: int) -> list[Unit]:
    return list(Unit.objects.filter(volume_id=volume_id).prefetch_related(
        Prefetch("lessons", queryset=Lesson.objects.order_by("order"))).order_by("order"))


def majors_of(library: str) -> list[Major]:
    return list(Major.objects.filter(library=library).order_by("code"))


def boards_with_columns(library: str = "", *, include_hidden: bool = False) -> list[Board]:
    boards = Board.objects.all()
    columns = Column.objects.prefetch_related("stages").order_by("order", "id")
    if not include_hidden:
        boards = boards.filter(active=True)
        columns = columns.filter(active=True)
    if library:
        boards = boards.filter(library=library)
    return list(boards.prefetch_related(Prefetch("columns", queryset=columns)).order_by("library", "order", "id"))


def lesson_packages(lesson_id: int) -> QuerySet[Resource]:
    """Published lesson packages of a lesson, the most used first."""
    from zhijiao.resources.models import Kind

    return (published_resources().filter(lesson_id=lesson_id, kind=Kind.LESSON_PACKAGE)
            .select_related("stats", "provider").order_by("-stats__views", "pk"))
