"""Who may do what, and where.

A capability is granted by roles; a role is held in an organisation, and the power it gives reaches that
organisation's whole subtree and nothing outside it. A bureau organisation (教育局) acts for the division
it sits under.

三员分立 (separation of the three administrators): the system administrator runs the organisation tree,
accounts and sign-on clients; the security administrator grants roles, unlocks accounts and resets
two-step verification; the audit administrator only reads the audit log. No capability is shared
between them, and no person may hold two of the three roles (enforced in services).
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
}

# Roles that only the security administrator may hand out, and never the separated ones (those come
# from `zj createadmin`, an operator's act on the server).
GRANTABLE_BY_BUSINESS_ADMINS = {
    Role.LEARNER,
    Role.TEACHER,
    Role.PARENT,
    Role.SCHOOL_ADMIN,
    Role.BUREAU_ADMIN,
    Role.REVIEWER,
    Role.EMPLOYER_HR,
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
    paths = []
    for role, path, kind in _memberships(user):
        if role in roles:
            # A bureau acts for the division above it.
            paths.append(path[:-PATH_WIDTH] if kind == OrgKind.BUREAU else path)
    return paths


def has_capability(user: User, capability: str) -> bool:
    return bool(scope_paths(user, capability))


def can(user: User, capability: str, organisation: Organisation) -> bool:
    return any(organisation.path.startswith(p) for p in scope_paths(user, capability))


def require(user: User, capability: str, organisation: Organisation | None = None) -> None:
    allowed = can(user, capability, organisation) if organisation is not None else has_capability(user, capability)
    if not allowed:
        raise PermissionDenied


def can_manage_user(actor: User, target: User, capability: str = "user.manage") -> bool:
    """An administrator reaches a user through any of the user's memberships inside the admin's scope.

    A user with no membership at all is reachable only from the root of the tree.
    """
    paths = scope_paths(actor, capability)
    if not paths:
        return False
    target_paths = [p for _, p, _ in _memberships(target)]
    if not target_paths:
        return any(len(p) == PATH_WIDTH for p in paths)
    return any(tp.startswith(p) for tp in target_paths for p in paths)


def holds_admin_role(user: User) -> bool:
    return any(role in ADMIN_ROLES for role, _, _ in _memberships(user))


def grantable_roles(actor: User) -> set[str]:
    roles: set[str] = set()
    for role, _, _ in _memberships(actor):
        if role == Role.SECURITY_ADMIN:
            roles |= GRANTABLE_BY_SECURITY_ADMIN
        elif role in (Role.BUREAU_ADMIN, Role.SCHOOL_ADMIN):
            roles |= GRANTABLE_BY_BUSINESS_ADMINS
    return roles
