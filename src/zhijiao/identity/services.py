"""Every write to organisations, accounts and memberships, with its permission check and audit entry.

Pages and the API both call these functions; neither writes identity models directly.
"""

from __future__ import annotations

import re
import uuid

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from zhijiao.core import audit, crypto
from zhijiao.identity import permissions
from zhijiao.identity.models import (
    ADMIN_ROLES,
    ALLOWED_PARENTS,
    DIVISION_KINDS,
    PATH_WIDTH,
    SEPARATED_ADMIN_ROLES,
    GuardianLink,
    Membership,
    Organisation,
    OrgKind,
    Role,
    User,
    Verification,
    child_path,
    path_successor,
)

DIVISION_CODE = re.compile(r"^\d{6}$")
SCHOOL_CODE = re.compile(r"^\d{10}$")
# Roles an account may be opened with by whoever may manage accounts at that organisation.
BASIC_ROLES = {Role.LEARNER, Role.TEACHER, Role.PARENT, Role.EMPLOYER_HR}
PHONE = re.compile(r"^1\d{10}$")
USERNAME = re.compile(r"^[\w.@+-]{3,150}$")
ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


# --- Validation of identifiers ---------------------------------------------------------------------


def is_valid_id_number(value: str) -> bool:
    """GB 11643 citizen identity number: 17 digits and an ISO 7064 MOD 11-2 check character."""
    value = value.strip().upper()
    if not ID_NUMBER.match(value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == value[17]


def validate_org_code(kind: str, code: str) -> None:
    if not code:
        return
    if kind in DIVISION_KINDS - {OrgKind.NATION} and not DIVISION_CODE.match(code):
        raise ValidationError({"code": _("A division code has six digits (GB/T 2260), e.g. 110101.")})
    if kind == OrgKind.SCHOOL and not SCHOOL_CODE.match(code):
        raise ValidationError({"code": _("A school identification code has ten digits.")})


def clean_phone(phone: str | None) -> str:
    phone = (phone or "").strip().replace(" ", "").replace("-", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if phone and not PHONE.match(phone):
        raise ValidationError({"phone": _("Enter an 11-digit mainland mobile number.")})
    return phone


def find_user_by_identifier(identifier: str) -> User | None:
    """Username, email or phone number, as people type them at the login box."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    if "@" in identifier:
        user = User.objects.filter(email__iexact=identifier).first()
        if user:
            return user
    digits = identifier.removeprefix("+86")
    if PHONE.match(digits):
        user = User.objects.filter(phone_index=crypto.blind_index(digits, "user.phone")).first()
        if user:
            return user
    return User.objects.with_username(identifier).first()


# --- Organisations -----------------------------------------------------------------------------------


def _check_parent(kind: str, parent: Organisation | None) -> None:
    allowed = ALLOWED_PARENTS[kind]
    if parent is None:
        if allowed:
            raise ValidationError({"parent": _("This kind of organisation needs a parent.")})
        return
    if parent.kind not in allowed:
        raise ValidationError(
            {"parent": _("A %(kind)s cannot sit under a %(parent)s.")
             % {"kind": OrgKind(kind).label, "parent": OrgKind(parent.kind).label}}
        )


@transaction.atomic
def create_organisation(
    actor: User | None, *, name: str, kind: str, parent: Organisation | None, code: str = "", request=None
) -> Organisation:
    """Create a node. ``actor`` None means the operator's own command line (seed, createadmin)."""
    name, code = (name or "").strip(), (code or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    if kind not in OrgKind.values:
        raise ValidationError({"kind": _("Choose a kind of organisation.")})
    _check_parent(kind, parent)
    validate_org_code(kind, code)
    if actor is not None and (parent is None or not permissions.can(actor, "org.manage", parent)):
        raise PermissionDenied
    if code and Organisation.objects.filter(kind=kind, code=code).exists():
        raise ValidationError({"code": _("Another organisation of this kind already has this code.")})
    try:
        with transaction.atomic():
            org = Organisation.objects.create(name=name, kind=kind, code=code, parent=parent,
                                              path=f"pending-{uuid.uuid4().hex}")
    except IntegrityError as exc:  # a concurrent request took the same code first
        raise ValidationError({"code": _("Another organisation of this kind already has this code.")}) from exc
    org.path = child_path(parent.path if parent else "", org.pk)
    org.depth = len(org.path) // PATH_WIDTH - 1
    org.save(update_fields=["path", "depth"])
    if actor is not None:
        audit.record("org.create", actor=actor, request=request, target=org, organisation=org, name=name, kind=kind)
    return org


@transaction.atomic
def update_organisation(actor: User, org: Organisation, *, name: str, code: str, request=None) -> Organisation:
    permissions.require(actor, "org.manage", org)
    name, code = (name or "").strip(), (code or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    validate_org_code(org.kind, code)
    if code and Organisation.objects.filter(kind=org.kind, code=code).exclude(pk=org.pk).exists():
        raise ValidationError({"code": _("Another organisation of this kind already has this code.")})
    before = {"name": org.name, "code": org.code}
    org.name, org.code = name, code
    try:
        with transaction.atomic():
            org.save(update_fields=["name", "code"])
    except IntegrityError as exc:
        raise ValidationError({"code": _("Another organisation of this kind already has this code.")}) from exc
    audit.record("org.update", actor=actor, request=request, target=org, organisation=org, before=before,
                 after={"name": name, "code": code})
    return org


@transaction.atomic
def move_organisation(actor: User, org: Organisation, new_parent: Organisation, request=None) -> Organisation:
    """Re-hang ``org`` and its whole subtree under ``new_parent``; both ends must be in the actor's scope."""
    # Lock both rows and work from their current paths, so two moves at once cannot build a cycle.
    locked = Organisation.objects.select_for_update().in_bulk([org.pk, new_parent.pk])
    org, new_parent = locked[org.pk], locked[new_parent.pk]
    permissions.require(actor, "org.manage", org)
    permissions.require(actor, "org.manage", new_parent)
    if new_parent.is_within(org):
        raise ValidationError({"parent": _("An organisation cannot move under itself.")})
    _check_parent(org.kind, new_parent)
    old_path = org.path
    new_path = child_path(new_parent.path, org.pk)
    cut = len(old_path) + 1
    depth_shift = (len(new_path) - len(old_path)) // PATH_WIDTH
    subtree = Organisation.objects.subtree(org)
    # Rewrite every descendant's path prefix in two statements, whatever the size of the subtree.
    subtree.update(path=Concat(Value(new_path), Substr("path", cut)), depth=F("depth") + depth_shift)
    Membership.objects.filter(org_path__gte=old_path, org_path__lt=path_successor(old_path)).update(
        org_path=Concat(Value(new_path), Substr("org_path", cut))
    )
    Organisation.objects.filter(pk=org.pk).update(parent=new_parent)
    old_parent_id = org.parent_id
    org.refresh_from_db()
    audit.record("org.move", actor=actor, request=request, target=org, organisation=org,
                 from_parent=old_parent_id, to_parent=new_parent.pk)
    return org


# --- Accounts ----------------------------------------------------------------------------------------


def _check_unique_contact(email: str | None, phone: str, exclude: User | None = None) -> None:
    errors = {}
    others = User.objects.exclude(pk=exclude.pk) if exclude else User.objects.all()
    if email and others.filter(email__iexact=email).exists():
        errors["email"] = _("This email address is already registered.")
    if phone and others.filter(phone_index=crypto.blind_index(phone, "user.phone")).exists():
        errors["phone"] = _("This mobile number is already registered.")
    if errors:
        raise ValidationError(errors)


def _account_to_open(
    *, username: str, password: str | None, email: str | None, phone: str | None, real_name: str,
    language: str, id_number: str | None = None,
) -> User:
    """An unsaved account with every identifier validated and the password hashed.

    Hashing is deliberately slow, so it happens here, before any transaction: on SQLite an open write
    transaction holds the only write lock.
    """
    username = (username or "").strip()
    if not USERNAME.match(username):
        raise ValidationError({"username": _("Use 3 to 150 letters, digits or . @ + - _")})
    if User.objects.with_username(username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    email = (email or "").strip().lower() or None
    phone = clean_phone(phone)
    _check_unique_contact(email, phone)
    user = User(username=username, email=email, real_name=(real_name or "").strip(), language=language or "zh-hans")
    user.set_phone(phone)
    if id_number:
        if not is_valid_id_number(id_number):
            raise ValidationError({"id_number": _("This is not a valid resident identity card number.")})
        user.set_id_number(id_number)
        if User.objects.filter(id_number_index=user.id_number_index).exists():
            raise ValidationError({"id_number": _("This ID number is already registered.")})
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    return user


def _save_new_account(user: User) -> User:
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        # Two registrations raced for the same name, email or number; the second one loses cleanly.
        raise ValidationError({"username": _("This account already exists.")}) from exc
    return user


def open_account(**fields) -> User:
    """Create the account row after validating every identifier; no role, no audit entry (callers add both)."""
    return _save_new_account(_account_to_open(**fields))


def register_user(*, username: str, password: str, email: str = "", phone: str = "", real_name: str = "",
                  language: str = "zh-hans", request=None) -> User:
    """Self-registration (learners and the public). Roles come later from a school or an administrator."""
    if not email and not phone:
        raise ValidationError({"email": _("Give an email address or a mobile number so you can recover your account.")})
    user = _account_to_open(username=username, password=password, email=email, phone=phone, real_name=real_name,
                            language=language)
    with transaction.atomic():
        _save_new_account(user)
        audit.record("user.register", actor=user, request=request, target=user)
    return user


@transaction.atomic
def create_user(actor: User, *, organisation: Organisation, role: str, username: str, real_name: str,
                email: str = "", phone: str = "", id_number: str = "", password: str = "", request=None) -> User:
    """An administrator opens an account inside their scope and gives it its first role there."""
    permissions.require(actor, "user.manage", organisation)
    user = open_account(username=username, password=password or None, email=email, phone=phone,
                     real_name=real_name, language="zh-hans", id_number=id_number)
    audit.record("user.create", actor=actor, request=request, target=user, organisation=organisation)
    # Opening an account with a basic role is provisioning (user.manage); anything more is a grant of
    # privilege and needs role.manage, which the system administrator does not have (三员分立).
    _grant(actor, user, organisation, role, request=request, check=role not in BASIC_ROLES)
    return user


@transaction.atomic
def update_profile(user: User, *, real_name: str, email: str, phone: str, language: str, request=None) -> User:
    email = (email or "").strip().lower() or None
    phone = clean_phone(phone)
    _check_unique_contact(email, phone, exclude=user)
    if language not in dict(User._meta.get_field("language").choices):
        raise ValidationError({"language": _("Choose a language.")})
    real_name = (real_name or "").strip()
    if user.verification == Verification.VERIFIED and real_name != user.real_name:
        raise ValidationError({"real_name": _("Your name was verified against official records; ask your school "
                                              "or bureau to correct it.")})
    user.real_name, user.email, user.language = (real_name or "").strip(), email, language
    user.set_phone(phone)
    user.save()
    audit.record("user.update", actor=user, request=request, target=user, fields=["real_name", "email", "phone", "language"])
    return user


def remember_language_choice(user: User, language: str) -> None:
    """The language switch in the page header also becomes the account's language (not audited: it is
    a display preference, changed as often as people like)."""
    if language in dict(User._meta.get_field("language").choices) and user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language


@transaction.atomic
def unlock_user(actor: User, user: User, request=None) -> None:
    if not permissions.can_manage_user(actor, user, "security.manage"):
        raise PermissionDenied
    user.locked_until = None
    user.save(update_fields=["locked_until"])
    audit.record("user.unlock", actor=actor, request=request, target=user)


# --- Roles -------------------------------------------------------------------------------------------


def _check_admin_roles_stay_separate(user: User, role: str) -> None:
    """A holder of one of the three separated roles holds no other administrative role, and nobody
    holds two of the three."""
    if role not in ADMIN_ROLES:
        return
    held = set(user.memberships.filter(role__in=ADMIN_ROLES).values_list("role", flat=True)) | {role}
    if held & SEPARATED_ADMIN_ROLES and len(held) > 1:
        raise ValidationError({"role": _("The system, security and audit administrators must be three different "
                                         "people, each holding no other administrative role.")})


def _grant(actor: User | None, user: User, organisation: Organisation, role: str, *, request=None,
           check: bool) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    if check and not permissions.may_grant(actor, user, role, organisation):
        raise PermissionDenied
    _check_admin_roles_stay_separate(user, role)
    if role == Role.SYSTEM_ADMIN and Membership.objects.filter(organisation=organisation, role=role).exclude(user=user).exists():
        raise ValidationError({"role": _("This unit already has a system administrator.")})
    try:
        with transaction.atomic():
            membership, created = Membership.objects.get_or_create(
                user=user, organisation=organisation, role=role,
                defaults={"org_path": organisation.path, "granted_by": actor},
            )
    except IntegrityError as exc:
        # Only the one-system-admin-per-unit constraint can fire here: a concurrent grant won.
        raise ValidationError({"role": _("This unit already has a system administrator.")}) from exc
    if created:
        permissions.forget(user)
        audit.record("role.grant", actor=actor, actor_name="" if actor else "operator", request=request,
                     target=user, organisation=organisation, role=role)
    return membership


@transaction.atomic
def grant_role(actor: User, user: User, organisation: Organisation, role: str, request=None) -> Membership:
    return _grant(actor, user, organisation, role, request=request, check=True)


@transaction.atomic
def grant_role_as_operator(user: User, organisation: Organisation, role: str) -> Membership:
    """From the server's command line (`zj createadmin`, `zj seed`): no acting user, still audited."""
    return _grant(None, user, organisation, role, check=False)


@transaction.atomic
def revoke_role(actor: User, membership: Membership, request=None) -> None:
    if membership.user_id == actor.pk:
        raise ValidationError({"role": _("You cannot change your own roles; another administrator must.")})
    if not permissions.may_grant(actor, membership.user, membership.role, membership.organisation):
        raise PermissionDenied
    audit.record("role.revoke", actor=actor, request=request, target=membership.user,
                 organisation=membership.organisation, role=membership.role)
    membership.delete()
    permissions.forget(membership.user)


# --- Guardians ---------------------------------------------------------------------------------------


@transaction.atomic
def link_guardian(actor: User, *, guardian: User, minor: User, relation: str = "", request=None) -> GuardianLink:
    """A school or bureau administrator records who a minor's guardian is; the link counts as consent
    only once confirmed this way (the minor alone cannot add a guardian)."""
    if not permissions.can_manage_user(actor, minor):
        raise PermissionDenied
    if guardian.pk == minor.pk:
        raise ValidationError({"guardian": _("A person cannot be their own guardian.")})
    if guardian.is_minor or not guardian.is_active:
        raise ValidationError({"guardian": _("A guardian must be an adult with an active account.")})
    link, _created = GuardianLink.objects.update_or_create(
        guardian=guardian, minor=minor, defaults={"relation": relation[:32], "confirmed_at": timezone.now()}
    )
    audit.record("guardian.link", actor=actor, request=request, target=minor, guardian=guardian.pk)
    return link
