"""Reads of identity data for pages and the API."""

from django.db.models import Q
from django.utils import timezone

from zhijiao.identity import permissions
from zhijiao.identity.models import (
    GuardianLink,
    LoginAttempt,
    Membership,
    Organisation,
    RecoveryCode,
    User,
    path_successor,
)


def memberships_of(user: User) -> list[Membership]:
    return permissions.memberships(user)


def guardians_of(user: User):
    return list(GuardianLink.objects.filter(minor=user, confirmed_at__isnull=False).select_related("guardian"))


def wards_of(user: User):
    return list(GuardianLink.objects.filter(guardian=user, confirmed_at__isnull=False).select_related("minor"))


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def login_history(user: User, limit: int = 20):
    return list(LoginAttempt.objects.filter(user=user).order_by("-at")[:limit])


def members_under(root: Organisation, *, role: str | None = None, query: str = ""):
    """Memberships anywhere in ``root``'s subtree: one range scan on the membership table."""
    qs = Membership.objects.filter(org_path__gte=root.path, org_path__lt=path_successor(root.path))
    if role:
        qs = qs.filter(role=role)
    if query:
        qs = qs.filter(Q(user__username__icontains=query) | Q(user__real_name__icontains=query))
    return qs.select_related("user", "organisation").order_by("org_path", "id")


def members_page(root: Organisation, *, role: str | None = None, query: str = "", after: int = 0,
                 limit: int = 50) -> tuple[list[Membership], int | None]:
    """One page of :func:`members_under` after membership ``after``, in (org_path, id) order, which the
    (org_path, id) index serves directly; returns the page and the cursor of the next one (or None)."""
    qs = members_under(root, role=role, query=query)
    if after:
        last = Membership.objects.filter(pk=after).values_list("org_path", flat=True).first()
        if last is not None:
            qs = qs.filter(Q(org_path__gt=last) | Q(org_path=last, pk__gt=after))
    items = list(qs[: limit + 1])
    has_more = len(items) > limit
    items = items[:limit]
    return items, (items[-1].pk if has_more else None)


def search_organisations(query: str, within: list[str] | None = None, limit: int = 50):
    """By name (contains) or code (prefix). ``within`` limits to subtrees given as paths."""
    qs = Organisation.objects.all()
    query = query.strip()
    if query:
        qs = qs.filter(Q(code__startswith=query) if query.isdigit() else Q(name__icontains=query))
    if within is not None:
        scope = Q(pk__in=[])
        for path in within:
            scope |= Q(path__gte=path, path__lt=path_successor(path))
        qs = qs.filter(scope)
    return list(qs.order_by("path")[:limit])


def locked_accounts(within: list[str], limit: int = 200) -> list[User]:
    """Locked accounts with a membership inside one of the given subtrees (paths)."""
    scope = Q(pk__in=[])
    for path in within:
        scope |= Q(memberships__org_path__gte=path, memberships__org_path__lt=path_successor(path))
    qs = User.objects.filter(scope, locked_until__gt=timezone.now()).distinct()
    return list(qs.order_by("-locked_until")[:limit])


def organisations_by_reference(text: str, limit: int = 10) -> list[Organisation]:
    """What people type to name an organisation: "#<id>", a code, or else an exact name.

    Several results mean the reference is ambiguous (codes are unique only within a kind).
    """
    text = (text or "").strip()
    if text.startswith("#"):
        number = text[1:]
        return list(Organisation.objects.filter(pk=int(number))) if number.isdecimal() else []
    if not text:
        return []
    by_code = list(Organisation.objects.filter(code=text).order_by("path")[:limit])
    return by_code or list(Organisation.objects.filter(name=text).order_by("path")[:limit])
