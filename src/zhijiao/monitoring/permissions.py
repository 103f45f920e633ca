"""Who sees which cases, who decides them, and who runs the platform registry.

Queues (``monitoring.view``), each limited to its holder's own scope:

- a university's school administrators see the cases of their university's learners (a case's
  ``org_path`` is its university's path);
- a teacher named responsible for a course at their university (:class:`CourseResponsibility`) sees the
  cases of that course at that university, nothing else;
- bureau monitoring staff and bureau administrators see their division's subtree;
- a platform operator sees the cases whose records came from their platform; the operator at the root of
  the tree sees every case.

Decisions (``monitoring.decide``: monitoring officers and school administrators) are taken within the
decider's subtree. The registry (``platform.register``): a platform operator files for their own
platform; monitoring officers review filings and keep the white and black lists for the platforms under
their division. A university's school administrator chooses its credit courses.
"""

from __future__ import annotations

from django.db.models import Q

from zhijiao.identity import permissions
from zhijiao.identity.models import PATH_WIDTH, Organisation, OrgKind, Role, User
from zhijiao.monitoring.models import Case, CourseResponsibility

VIEW = "monitoring.view"
DECIDE = "monitoring.decide"
REGISTER = "platform.register"

_NOTHING = Q(pk__in=[])


def _scope_of(membership) -> str:
    # A bureau acts for the division above it, as in identity.permissions.
    path = membership.org_path
    return path[:-PATH_WIDTH] if membership.organisation.kind == OrgKind.BUREAU else path


def case_scope(user: User) -> Q | None:
    """The cases in the user's queue as a filter on :class:`Case`; None when the user has no queue at all."""
    if not user.is_authenticated or not user.is_active:
        return None
    roles = permissions.CAPABILITIES[VIEW]
    scope, found = _NOTHING, False
    teacher_paths = []
    for m in permissions.memberships(user):
        if m.role == Role.PLATFORM_OPERATOR and m.role in roles:
            found = True
            if len(m.org_path) == PATH_WIDTH:
                return Q()
            if m.organisation.kind == OrgKind.PLATFORM:
                scope |= Q(platform_id=m.organisation_id)
            else:
                scope |= Q(platform__path__startswith=_scope_of(m))
        elif m.role in roles:
            found = True
            scope |= Q(org_path__startswith=_scope_of(m))
        elif m.role == Role.TEACHER:
            teacher_paths.append(m.org_path)
    if teacher_paths:
        for r in CourseResponsibility.objects.filter(teacher=user).select_related("school"):
            # Only while the teacher still teaches at that university.
            if any(p.startswith(r.school.path) for p in teacher_paths):
                found = True
                scope |= Q(university_id=r.school_id, course_key=r.course_key)
    return scope if found else None


def has_queue(user: User) -> bool:
    return case_scope(user) is not None


def can_view_case(user: User, case: Case) -> bool:
    scope = case_scope(user)
    return scope is not None and Case.objects.filter(scope, pk=case.pk).exists()


def can_decide(user: User, case: Case) -> bool:
    return bool(case.org_path) and any(case.org_path.startswith(p) for p in permissions.scope_paths(user, DECIDE))


def can_report(user: User) -> bool:
    """The monthly report and statistics: bureau, university and monitoring staff (not teachers)."""
    return permissions.has_capability(user, VIEW)


def report_scope(user: User) -> Q | None:
    """The cases counted in the user's report: the same scope as their queue, without course grants."""
    if not can_report(user):
        return None
    return case_scope(user)


# --- Registry ---------------------------------------------------------------------------------------------


def can_file(user: User, platform: Organisation) -> bool:
    """File for a platform: its own operator, or a monitoring officer whose division holds it."""
    return platform.kind == OrgKind.PLATFORM and permissions.can(user, REGISTER, platform)


def can_review_registry(user: User, platform: Organisation | None = None) -> bool:
    """Review filings and keep the lists: monitoring officers (for platforms under their division)."""
    for m in permissions.memberships(user):
        if m.role == Role.MONITOR and (platform is None or platform.path.startswith(_scope_of(m))):
            return True
    return False


def registry_platforms(user: User):
    """The platforms on the user's registry page."""
    paths = permissions.scope_paths(user, REGISTER)
    if not paths:
        return Organisation.objects.none()
    match = Q(pk__in=[])
    for p in paths:
        match |= Q(path__startswith=p)
    return Organisation.objects.filter(match, kind=OrgKind.PLATFORM).order_by("name", "pk")


# --- Credit-course choice ----------------------------------------------------------------------------------


def chooser_schools(user: User) -> list[Organisation]:
    """Universities whose credit courses the user chooses: where they are a school administrator."""
    if not user.is_authenticated:
        return []
    return [m.organisation for m in permissions.memberships(user)
            if m.role == Role.SCHOOL_ADMIN and m.organisation.kind == OrgKind.SCHOOL]


def can_choose_for(user: User, school: Organisation) -> bool:
    return any(s.pk == school.pk for s in chooser_schools(user))
