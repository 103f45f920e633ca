"""Who may do what in the employment service.

- A **graduate** is a user with a :class:`GraduateRecord`; the record is the school's, never the graduate's.
- An **employer HR** acts for the employer organisations where they hold ``employer_hr``; only a
  *verified* employer may post jobs or read résumés (``services.require_verified_employer``).
- **Employment staff** act within their subtree: ``employment.manage`` (employment officers, bureau
  administrators) verify employers under their division, screen held postings and career cases and import
  graduate rosters; ``employment.follow`` (counsellors, employment officers, school and bureau
  administrators) see graduates and set difficulty flags. School administrators may also import their
  school's graduate roster.
"""

from __future__ import annotations

from zhijiao.identity import permissions
from zhijiao.identity.models import Organisation, Role, User

MANAGE = "employment.manage"
FOLLOW = "employment.follow"


def _in(path: str, scopes: list[str]) -> bool:
    return any(path.startswith(p) for p in scopes)


def manage_paths(user: User) -> list[str]:
    return permissions.scope_paths(user, MANAGE)


def follow_paths(user: User) -> list[str]:
    return permissions.scope_paths(user, FOLLOW)


def roster_paths(user: User) -> list[str]:
    """Subtrees whose graduate rosters the user may import: employment managers, and school administrators
    for their school."""
    if not user.is_authenticated:
        return []
    paths = set(manage_paths(user))
    paths.update(m.org_path for m in permissions.memberships(user) if m.role == Role.SCHOOL_ADMIN)
    return sorted(paths)


def is_staff(user: User) -> bool:
    return user.is_authenticated and bool(manage_paths(user) or follow_paths(user) or roster_paths(user))


def can_follow(user: User, org_path: str) -> bool:
    return _in(org_path, follow_paths(user))


def can_manage(user: User, org_path: str) -> bool:
    return _in(org_path, manage_paths(user))


def can_import_roster(user: User, school: Organisation) -> bool:
    return _in(school.path, roster_paths(user))


def hr_organisation_ids(user: User) -> list[int]:
    """Employer organisations the user acts for."""
    if not user.is_authenticated:
        return []
    return [m.organisation_id for m in permissions.memberships(user) if m.role == Role.EMPLOYER_HR]


def is_employer_hr(user: User) -> bool:
    return bool(hr_organisation_ids(user))
