"""Who may do what, and where.

A capability is granted by roles; a role is held in an organisation, and the power it gives reaches that
organisation's whole subtree and nothing outside it. A bureau organisation (教育局) acts for the division
it sits under. Three capabilities concern the whole platform (the audit log, the outbox, sign-on
clients) and come only from a membership at the root of the tree.

A person is within an administrator's reach only when *all* of their memberships lie inside the
administrator's scope: a school cannot act on a national administrator by first giving them a role at
the school.

三员分立 (separation of the three administrators): the system administrator runs the organisation tree,
accounts and sign-on clients; the security administrator grants roles, unlocks accounts and resets
two-step verification; the audit administrator only reads the audit log. No capability is shared
between them; services refuse to give a holder of one of them any other administrative role, and
refuse anyone a change to their own roles.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from zhijiao.identity.models import (
    ADMIN_ROLES,
    PATH_WIDTH,
    Membership,
    Organisation,
    OrgKind,
    Role,
    User,
)

CAPABILITIES: dict[str, set[str]] = {
    "org.manage": {Role.BUREAU_ADMIN, Role.SCHOOL_ADMIN, Role.SYSTEM_ADMIN},
    "user.manage": {Role.BUREAU_ADMIN, Role.SCHOOL_ADMIN, Role.SYSTEM_ADMIN},
    "role.manage": {Role.BUREAU_ADMIN, Role.SCHOOL_ADMIN, Role.SECURITY_ADMIN},
    "security.manage": {Role.SECURITY_ADMIN},
    "oidc.manage": {Role.SYSTEM_ADMIN},
    "outbox.read": {Role.SYSTEM_ADMIN},
    "audit.read": {Role.AUDIT_ADMIN},
    # Learning record store: issue LRS credentials to connected platforms and tools.
    "lrs.manage": {Role.SYSTEM_ADMIN, Role.PLATFORM_OPERATOR},
    # Data cockpit: a teacher sees their classes, a school or bureau its subtree.
    "cockpit.view": {Role.TEACHER, Role.SCHOOL_ADMIN, Role.BUREAU_ADMIN, Role.PLATFORM_OPERATOR},
    # Resource centre.
    "resource.provide": {Role.TEACHER, Role.SCHOOL_ADMIN, Role.BUREAU_ADMIN, Role.PLATFORM_OPERATOR},
    "resource.review": {Role.REVIEWER},
    "resource.catalogue": {Role.PLATFORM_OPERATOR},
    "complaint.handle": {Role.PLATFORM_OPERATOR, Role.REVIEWER},
    "screening.manage": {Role.SECURITY_ADMIN},
    # 24365 employment service.
    # Verify employers, screen held postings, see supply statistics and progress within the subtree.
    "employment.manage": {Role.EMPLOYMENT_OFFICER, Role.BUREAU_ADMIN},
    # Follow graduates: progress dashboards, destination entries, difficulty flags (never shown to employers).
    "employment.follow": {Role.COUNSELLOR, Role.EMPLOYMENT_OFFICER, Role.BUREAU_ADMIN, Role.SCHOOL_ADMIN},
    # Approve three-party agreements and terminations for the school's graduates.
    "employment.approve": {Role.EMPLOYMENT_OFFICER},
    # Act for an employer organisation: post jobs, read visible résumés, run the hiring pipeline.
    "employment.recruit": {Role.EMPLOYER_HR},
    # Credit-course monitoring centre: case queues, dispositions, notices and reports within the subtree.
    "monitoring.view": {Role.MONITOR, Role.SCHOOL_ADMIN, Role.BUREAU_ADMIN, Role.PLATFORM_OPERATOR},
    "monitoring.decide": {Role.MONITOR, Role.SCHOOL_ADMIN},
    # Registry of credit-course platforms: filings, white and black lists (national or provincial level).
    "platform.register": {Role.MONITOR, Role.PLATFORM_OPERATOR},
}

# Capabilities over the whole platform: only a membership at the root of the tree gives them.
PLATFORM_WIDE = {"oidc.manage", "outbox.read", "audit.read", "lrs.manage", "resource.catalogue", "screening.manage"}

# What each granting role may hand out. The separated roles are never grantable here: they come from
# `zj createadmin`, an operator's act on the server.
GRANTABLE_BY_BUSINESS_ADMINS = {
    Role.LEARNER,
    Role.TEACHER,
    Role.PARENT,
    Role.SCHOOL_ADMIN,
    Role.BUREAU_ADMIN,
    Role.REVIEWER,
    Role.EMPLOYER_HR,
    Role.COUNSELLOR,
    Role.EMPLOYMENT_OFFICER,
    Role.MONITOR,
}
GRANTABLE_BY_SECURITY_ADMIN = GRANTABLE_BY_BUSINESS_ADMINS | {Role.PLATFORM_OPERATOR}


def memberships(user: User) -> list[Membership]:
    """The user's memberships with their organisations, loaded once per user object.

    Permission checks and the pages that list a person's roles share this one query.
    """
    cached = getattr(user, "_zj_memberships", None)
    if cached is None:
        cached = sorted(Membership.objects.filter(user=user).select_related("organisation"),
                        key=lambda m: (m.org_path, m.role))
        user._zj_memberships = cached
    return cached


def preload_memberships(users: list[User]) -> None:
    """Load the memberships of many users in one query, for pages that check permissions per row."""
    by_user: dict[int, list[Membership]] = {user.pk: [] for user in users}
    for m in Membership.objects.filter(user_id__in=list(by_user)).select_related("organisation"):
        by_user[m.user_id].append(m)
    for user in users:
        user._zj_memberships = sorted(by_user[user.pk], key=lambda m: (m.org_path, m.role))


def _memberships(user: User) -> list[tuple[str, str, str]]:
    """(role, org_path, org_kind) for each of the user's memberships."""
    return [(m.role, m.org_path, m.organisation.kind) for m in memberships(user)]


def forget(user: User) -> None:
    """Drop the per-object cache after the user's memberships changed."""
    user.__dict__.pop("_zj_memberships", None)


def scope_paths(user: User, capability: str) -> list[str]:
    """The subtree roots (as paths) where ``user`` has ``capability``."""
    if not user.is_authenticated or not user.is_active:
        return []
    roles = CAPABILITIES[capability]
    paths = [_scope_of(path, kind) for role, path, kind in _memberships(user) if role in roles]
    if capability in PLATFORM_WIDE:
        paths = [p for p in paths if len(p) == PATH_WIDTH]
    return paths


def _scope_of(path: str, kind: str) -> str:
    # A bureau acts for the division above it.
    return path[:-PATH_WIDTH] if kind == OrgKind.BUREAU else path


def has_capability(user: User, capability: str) -> bool:
    return bool(scope_paths(user, capability))


def can(user: User, capability: str, organisation: Organisation) -> bool:
    return any(organisation.path.startswith(p) for p in scope_paths(user, capability))


def require(user: User, capability: str, organisation: Organisation | None = None) -> None:
    allowed = can(user, capability, organisation) if organisation is not None else has_capability(user, capability)
    if not allowed:
        raise PermissionDenied


def _covers(paths: list[str], target_paths: list[str]) -> bool:
    return all(any(tp.startswith(p) for p in paths) for tp in target_paths)


def can_manage_user(actor: User, target: User, capability: str = "user.manage") -> bool:
    """Every one of the target's memberships lies in the actor's scope for ``capability``.

    A user with no membership at all (a self-registered learner) is reachable only from the root.
    """
    paths = scope_paths(actor, capability)
    if not paths:
        return False
    target_paths = [p for _, p, _ in _memberships(target)]
    if not target_paths:
        return any(len(p) == PATH_WIDTH for p in paths)
    return _covers(paths, target_paths)


def may_grant(actor: User, target: User, role: str, organisation: Organisation) -> bool:
    """One of the actor's own memberships both allows handing out ``role`` and covers ``organisation``,
    and the target's existing memberships all lie in the actor's role-granting scope.

    A user without memberships may be given a first role by any administrator whose scope covers the
    organisation: that is how a self-registered teacher joins their school.
    """
    if actor.pk == target.pk:
        return False
    covering = [
        _scope_of(path, kind)
        for held, path, kind in _memberships(actor)
        if role in _GRANTS.get(held, set()) and organisation.path.startswith(_scope_of(path, kind))
    ]
    if not covering:
        return False
    target_paths = [p for _, p, _ in _memberships(target)]
    return _covers(scope_paths(actor, "role.manage"), target_paths)


def can_see_organisation(user: User, organisation: Organisation) -> bool:
    """Read access to an organisation: inside any administrative scope of the user, or on the way from
    the root to one of the user's own organisations."""
    if not user.is_authenticated:
        return False
    for capability in ("org.manage", "user.manage", "role.manage", "security.manage"):
        if can(user, capability, organisation):
            return True
    return any(path.startswith(organisation.path) for _, path, _ in _memberships(user))


def visible_paths(user: User) -> list[str]:
    """Subtrees whose organisations the user may search (their administrative scopes)."""
    paths: set[str] = set()
    for capability in ("org.manage", "user.manage", "role.manage", "security.manage"):
        paths.update(scope_paths(user, capability))
    return sorted(paths)


def holds_admin_role(user: User) -> bool:
    return any(role in ADMIN_ROLES for role, _, _ in _memberships(user))


_GRANTS = {
    Role.SECURITY_ADMIN: GRANTABLE_BY_SECURITY_ADMIN,
    Role.BUREAU_ADMIN: GRANTABLE_BY_BUSINESS_ADMINS,
    Role.SCHOOL_ADMIN: GRANTABLE_BY_BUSINESS_ADMINS,
}


def grantable_roles(actor: User) -> set[str]:
    """Every role the actor may hand out somewhere (for choosing in forms; may_grant decides)."""
    roles: set[str] = set()
    for role, _, _ in _memberships(actor):
        roles |= _GRANTS.get(role, set())
    return roles
