"""Who may act on what in hiring.

* A graduate is a user with a :class:`GraduateRecord`; they act on their own applications and agreements.
* An employer's staff hold ``employment.recruit`` at the employer's organisation, and act only while the
  employer is verified.
* A school's employment office holds ``employment.approve`` over the graduate's school (approvals).
* ``employment.follow`` gives the dashboards and destinations within the holder's subtree;
  ``employment.manage`` organises job fairs and sends notices.
"""

from __future__ import annotations

from zhijiao.employment.models import Employer, EmployerState, GraduateRecord
from zhijiao.identity import permissions
from zhijiao.identity.models import Organisation, User

RECRUIT = "employment.recruit"
APPROVE = "employment.approve"
FOLLOW = "employment.follow"
MANAGE = "employment.manage"


def graduate_record(user: User) -> GraduateRecord | None:
    if not user.is_authenticated:
        return None
    try:
        return user.graduate_record
    except GraduateRecord.DoesNotExist:
        return None


def employers_of(user: User) -> list[Employer]:
    """The verified employers the user acts for."""
    paths = permissions.scope_paths(user, RECRUIT)
    if not paths:
        return []
    orgs = [m.organisation_id for m in permissions.memberships(user)
            if m.role in permissions.CAPABILITIES[RECRUIT]]
    return list(Employer.objects.filter(organisation_id__in=orgs, state=EmployerState.VERIFIED)
                .select_related("organisation"))


def acts_for(user: User, employer: Employer) -> bool:
    return employer.is_verified and permissions.can(user, RECRUIT, employer.organisation)


def approves_for(user: User, school: Organisation) -> bool:
    return permissions.can(user, APPROVE, school)


def follows(user: User, org_path: str) -> bool:
    return any(org_path.startswith(p) for p in permissions.scope_paths(user, FOLLOW))


def follow_paths(user: User) -> list[str]:
    return permissions.scope_paths(user, FOLLOW)


def manage_paths(user: User) -> list[str]:
    return permissions.scope_paths(user, MANAGE)


def manages(user: User, organisation: Organisation) -> bool:
    return permissions.can(user, MANAGE, organisation)


def top_paths(paths: list[str]) -> list[str]:
    """Scope roots with the ones inside another left out."""
    paths = sorted(set(paths))
    return [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]


def scope_paths_approve(user: User) -> list[str]:
    return permissions.scope_paths(user, APPROVE)
