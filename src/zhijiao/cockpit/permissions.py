"""Who sees which cockpit: the holder of ``cockpit.view`` sees the subtrees their roles cover, nothing else.

A teacher's role sits at their school (or class), so a teacher sees their school's and classes' figures;
a bureau sees its division; a platform operator at the root sees the nation.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from zhijiao.identity import permissions
from zhijiao.identity.models import Organisation, User

CAPABILITY = "cockpit.view"


def scope_paths(user: User) -> list[str]:
    return permissions.scope_paths(user, CAPABILITY)


def may_view(user: User, organisation: Organisation) -> bool:
    return permissions.can(user, CAPABILITY, organisation)


def require_view(user: User, organisation: Organisation) -> None:
    if not may_view(user, organisation):
        raise PermissionDenied


def home_organisations(user: User) -> list[Organisation]:
    """The tops of the viewer's scopes (a scope inside another is left out), root first."""
    paths = sorted(set(scope_paths(user)))
    tops = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    return list(Organisation.objects.filter(path__in=tops).order_by("path"))
