"""JSON API for identity: the signed-in user, organisations, members and roles.

Every handler that touches an object checks permission on that object (its place in the tree), not
just on the kind of request. Personal numbers only ever leave in masked form.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from zhijiao.identity import permissions, selectors, services
from zhijiao.identity.models import Membership, Organisation, OrgKind, Role, User

router = Router(tags=["identity"])


class OrgOut(Schema):
    id: int
    name: str
    kind: str
    code: str
    parent_id: int | None
    depth: int


class MembershipOut(Schema):
    id: int
    role: str
    organisation: OrgOut


class MeOut(Schema):
    id: int
    username: str
    real_name: str
    email: str | None
    phone_masked: str
    id_number_masked: str
    verification: str
    language: str
    mfa_enabled: bool
    memberships: list[MembershipOut]


class UserOut(Schema):
    id: int
    username: str
    real_name: str
    phone_masked: str
    id_number_masked: str
    verification: str
    is_active: bool
    locked: bool


class MemberOut(Schema):
    id: int
    role: str
    organisation: OrgOut
    user: UserOut


class MembersPage(Schema):
    items: list[MemberOut]
    next_cursor: int | None


class ProfileIn(Schema):
    """Only the fields sent are changed."""

    real_name: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=20)
    language: str | None = Field(None, max_length=10)


class OrgIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: OrgKind
    parent_id: int
    code: str = Field("", max_length=32)


class OrgUpdateIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    code: str = Field("", max_length=32)


class MoveIn(Schema):
    parent_id: int


class GrantIn(Schema):
    user_id: int
    organisation_id: int
    role: Role


class UserIn(Schema):
    username: str = Field(..., min_length=3, max_length=150)
    real_name: str = Field(..., min_length=1, max_length=100)
    organisation_id: int
    role: Role
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=20)
    id_number: str = Field("", max_length=18)


def _org(o: Organisation) -> dict:
    return {"id": o.pk, "name": o.name, "kind": o.kind, "code": o.code, "parent_id": o.parent_id, "depth": o.depth}


def _user(u: User) -> dict:
    return {"id": u.pk, "username": u.username, "real_name": u.real_name, "phone_masked": u.phone_masked,
            "id_number_masked": u.id_number_masked, "verification": u.verification, "is_active": u.is_active,
            "locked": u.is_locked()}


def _me(user: User) -> dict:
    from zhijiao.identity.auth import has_confirmed_totp

    return {
        **_user(user), "email": user.email, "language": user.language, "mfa_enabled": has_confirmed_totp(user),
        "memberships": [{"id": m.pk, "role": m.role, "organisation": _org(m.organisation)}
                        for m in selectors.memberships_of(user)],
    }


@router.get("/me", response=MeOut, summary="The signed-in user, with organisations and roles")
def me(request):
    return _me(request.auth)


@router.patch("/me", response=MeOut, summary="Update one's own profile")
def update_me(request, payload: ProfileIn):
    user = request.auth
    current = {"real_name": user.real_name, "email": user.email or "", "phone": user.phone, "language": user.language}
    changes = {key: value for key, value in payload.dict(exclude_unset=True).items() if value is not None}
    services.update_profile(user, **{**current, **changes}, request=request)
    return _me(user)


@router.get("/orgs", response=list[OrgOut], summary="Search organisations by name or code")
def list_orgs(request, q: str = Query("", max_length=100), parent_id: int | None = None):
    """With ``parent_id``: that node's children. With ``q``: name contains or code starts with ``q``.

    Only organisations the caller may see: inside their administrative scopes, or on the way from the
    root to their own organisations.
    """
    user = request.auth
    if parent_id is not None:
        parent = _visible_org(user, parent_id)
        children = Organisation.objects.filter(parent=parent).order_by("code", "name")[:500]
        return [_org(o) for o in children if permissions.can_see_organisation(user, o)]
    return [_org(o) for o in selectors.search_organisations(q, within=permissions.visible_paths(user))]


def _visible_org(user: User, org_id: int) -> Organisation:
    org = get_object_or_404(Organisation, pk=org_id)
    if not permissions.can_see_organisation(user, org):
        raise PermissionDenied
    return org


@router.get("/orgs/{org_id}", response=OrgOut)
def get_org(request, org_id: int):
    return _org(_visible_org(request.auth, org_id))


@router.post("/orgs", response={201: OrgOut}, summary="Create an organisation under a parent in your scope")
def create_org(request, payload: OrgIn):
    parent = get_object_or_404(Organisation, pk=payload.parent_id)
    org = services.create_organisation(request.auth, name=payload.name, kind=payload.kind, parent=parent,
                                       code=payload.code, request=request)
    return Status(201, _org(org))


@router.patch("/orgs/{org_id}", response=OrgOut)
def update_org(request, org_id: int, payload: OrgUpdateIn):
    org = get_object_or_404(Organisation, pk=org_id)
    return _org(services.update_organisation(request.auth, org, name=payload.name, code=payload.code,
                                             request=request))


@router.post("/orgs/{org_id}/move", response=OrgOut, summary="Move an organisation and its subtree")
def move_org(request, org_id: int, payload: MoveIn):
    org = get_object_or_404(Organisation, pk=org_id)
    parent = get_object_or_404(Organisation, pk=payload.parent_id)
    return _org(services.move_organisation(request.auth, org, parent, request=request))


@router.get("/orgs/{org_id}/members", response=MembersPage, summary="Members anywhere under an organisation")
def org_members(request, org_id: int, role: Role | None = None, q: str = Query("", max_length=100),
                after: int = Query(0, ge=0), limit: int = Query(50, ge=1, le=500)):
    org = get_object_or_404(Organisation, pk=org_id)
    permissions.require(request.auth, "user.manage", org)
    items, next_cursor = selectors.members_page(org, role=role, query=q, after=after, limit=limit)
    return {
        "items": [{"id": m.pk, "role": m.role, "organisation": _org(m.organisation), "user": _user(m.user)}
                  for m in items],
        "next_cursor": next_cursor,
    }


@router.post("/users", response={201: UserOut}, summary="Open an account in your scope with its first role")
def create_user(request, payload: UserIn):
    org = get_object_or_404(Organisation, pk=payload.organisation_id)
    user = services.create_user(request.auth, organisation=org, role=payload.role, username=payload.username,
                                real_name=payload.real_name, email=payload.email, phone=payload.phone,
                                id_number=payload.id_number, request=request)
    return Status(201, _user(user))


@router.get("/users/{user_id}", response=UserOut)
def get_user(request, user_id: int):
    user = get_object_or_404(User, pk=user_id)
    if user.pk != request.auth.pk and not permissions.can_manage_user(request.auth, user):
        raise PermissionDenied
    return _user(user)


@router.post("/memberships", response={201: MembershipOut}, summary="Grant a role")
def grant(request, payload: GrantIn):
    user = get_object_or_404(User, pk=payload.user_id)
    org = get_object_or_404(Organisation, pk=payload.organisation_id)
    m = services.grant_role(request.auth, user, org, payload.role, request=request)
    return Status(201, {"id": m.pk, "role": m.role, "organisation": _org(org)})


@router.delete("/memberships/{membership_id}", response={204: None}, summary="Revoke a role")
def revoke(request, membership_id: int):
    m = get_object_or_404(Membership.objects.select_related("organisation", "user"), pk=membership_id)
    services.revoke_role(request.auth, m, request=request)
    return Status(204, None)


class GuardianIn(Schema):
    guardian_username: str = Field(..., min_length=1, max_length=150)
    relation: str = Field("", max_length=32)


class GuardianOut(Schema):
    guardian: UserOut
    relation: str
    confirmed_at: datetime | None


@router.get("/users/{user_id}/guardians", response=list[GuardianOut], summary="A person's confirmed guardians")
def guardians(request, user_id: int):
    minor = get_object_or_404(User, pk=user_id)
    if minor.pk != request.auth.pk and not permissions.can_manage_user(request.auth, minor):
        raise PermissionDenied
    return [{"guardian": _user(link.guardian), "relation": link.relation, "confirmed_at": link.confirmed_at}
            for link in selectors.guardians_of(minor)]


@router.post("/users/{user_id}/guardians", response={201: GuardianOut}, summary="Record a person's guardian")
def add_guardian(request, user_id: int, payload: GuardianIn):
    minor = get_object_or_404(User, pk=user_id)
    guardian = User.objects.with_username(payload.guardian_username).first()
    if guardian is None:
        raise ValidationError({"guardian_username": _("No account has this username.")})
    link = services.link_guardian(request.auth, guardian=guardian, minor=minor, relation=payload.relation,
                                  request=request)
    return Status(201, {"guardian": _user(guardian), "relation": link.relation, "confirmed_at": link.confirmed_at})


class LoginAttemptOut(Schema):
    at: datetime
    success: bool
    ip: str | None
    user_agent: str


@router.get("/me/logins", response=list[LoginAttemptOut], summary="One's own recent sign-ins")
def my_logins(request):
    return [{"at": a.at, "success": a.success, "ip": a.ip, "user_agent": a.user_agent}
            for a in selectors.login_history(request.auth)]
