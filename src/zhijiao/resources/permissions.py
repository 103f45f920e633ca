"""Who may do what with a resource.

- Providers (``resource.provide``) create resources for an organisation where they hold that role. A
  resource is managed by its creator and by the school, bureau and platform administrators whose scope
  covers its provider organisation; a teacher does not edit a colleague's resource.
- Reviewers (``resource.review``) and complaint handlers (``complaint.handle``) act on resources whose
  provider lies in their scope, but never on their own organisation's: nobody reviews their own
  organisation's resource (a reviewer of a county bureau may review the county's schools, not the bureau).
- Everyone sees a published resource; an unpublished one is seen only by those who manage, review or
  handle complaints about it.
"""

from __future__ import annotations

from zhijiao.identity import permissions
from zhijiao.identity.models import DIVISION_KINDS, PATH_WIDTH, Organisation, OrgKind, Role, User
from zhijiao.resources.models import DownloadPolicy, Resource, Status

PROVIDER_ADMIN_ROLES = {Role.SCHOOL_ADMIN, Role.BUREAU_ADMIN, Role.PLATFORM_OPERATOR}


def provider_organisations(user: User) -> list[Organisation]:
    """Organisations a user may publish resources for: where they hold a providing role themselves."""
    if not user.is_authenticated:
        return []
    roles = permissions.CAPABILITIES["resource.provide"]
    seen, orgs = set(), []
    for m in permissions.memberships(user):
        if m.role in roles and m.organisation_id not in seen:
            seen.add(m.organisation_id)
            orgs.append(m.organisation)
    return orgs


def can_provide(user: User) -> bool:
    return user.is_authenticated and permissions.has_capability(user, "resource.provide")


def can_manage(user: User, resource: Resource) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if resource.created_by_id == user.pk and permissions.has_capability(user, "resource.provide"):
        return True
    return any(
        m.role in PROVIDER_ADMIN_ROLES and resource.provider_path.startswith(admin_scope(m))
        for m in permissions.memberships(user)
    )


def admin_scope(membership) -> str:
    # A bureau acts for the division above it, as in identity.permissions.
    path = membership.org_path
    return path[:-PATH_WIDTH] if membership.organisation.kind == OrgKind.BUREAU else path


def is_own_organisation(user: User, resource: Resource) -> bool:
    """The resource comes from the user's own organisation: one they belong to, or (for a school, a
    bureau, an employer or a platform) anything inside it. Divisions are not "an organisation one
    belongs to" in this sense: a provincial reviewer reviews the province's schools."""
    if resource.created_by_id == user.pk:
        return True
    for m in permissions.memberships(user):
        if m.organisation_id == resource.provider_id:
            return True
        if m.organisation.kind not in DIVISION_KINDS and resource.provider_path.startswith(m.org_path):
            return True
    return False


def in_review_scope(user: User, resource: Resource) -> bool:
    return any(resource.provider_path.startswith(p) for p in permissions.scope_paths(user, "resource.review"))


def can_review(user: User, resource: Resource) -> bool:
    return in_review_scope(user, resource) and not is_own_organisation(user, resource)


def in_complaint_scope(user: User, resource: Resource) -> bool:
    return any(resource.provider_path.startswith(p) for p in permissions.scope_paths(user, "complaint.handle"))


def can_handle_complaints(user: User, resource: Resource) -> bool:
    return in_complaint_scope(user, resource) and not is_own_organisation(user, resource)


def can_see_unpublished(user: User, resource: Resource) -> bool:
    return user.is_authenticated and (
        can_manage(user, resource) or in_review_scope(user, resource) or in_complaint_scope(user, resource)
    )


def can_view(user: User, resource: Resource) -> bool:
    return resource.status == Status.PUBLISHED or can_see_unpublished(user, resource)


def can_download(user: User, resource: Resource) -> bool:
    """Downloading the files of the live version; those who manage or review may always."""
    if can_see_unpublished(user, resource):
        return True
    if resource.status != Status.PUBLISHED:
        return False
    policy = resource.download_policy
    if policy == DownloadPolicy.ANYONE:
        return True
    if policy == DownloadPolicy.SIGNED_IN:
        return user.is_authenticated
    if policy == DownloadPolicy.PROVIDER_AREA:
        return user.is_authenticated and any(
            m.org_path.startswith(resource.provider_path) for m in permissions.memberships(user))
    return False
