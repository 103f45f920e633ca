"""Reads of job matching for pages and the API."""

from __future__ import annotations

from zhijiao.employment.matching.models import PushItem
from zhijiao.employment.models import Industry, Occupation
from zhijiao.resources.models import Major, MajorLevel


def inbox(user):
    return (PushItem.objects.filter(user=user).select_related("job__employer__organisation")
            .order_by("-created_at", "-score", "-pk"))


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return PushItem.objects.filter(user=user, read_at__isnull=True).count()


def industry_sections() -> list[tuple[str, str]]:
    return list(Industry.objects.filter(parent__isnull=True).values_list("code", "name"))


def occupation_groups() -> list[tuple[str, str]]:
    """大类 and 中类 of the occupational classification (the filter's choices)."""
    return [(code, name) for code, name in Occupation.objects.values_list("code", "name") if code.count("-") <= 1]


def major_classes() -> list[tuple[int, str]]:
    return list(Major.objects.filter(level=MajorLevel.CLASS).order_by("library", "code").values_list("pk", "name"))
