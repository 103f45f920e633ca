"""Finding resources (资源发现): search with readable facets, hot and first-class lists, and 猜你喜欢.

Reads only; the pages (discovery_views) and the API (discovery_api) call these.

Recommendations (explained in docs/search.md): a profile is built from the person's roles, the grades
of the classes they belong to, and their favourites (weight 3) and recently viewed resources (weight 1):
which subjects, grades and resource types they use. Candidates come from the search index, filtered by
the strongest (subject, grade) pairs and ranked by popularity and rating; resources already viewed or
favourited are left out, and no lesson appears twice. Without any history, the role and grade decide,
and the hot list fills the rest.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from zhijiao.core import search as core_search
from zhijiao.identity import permissions as identity_permissions
from zhijiao.identity.models import OrgKind, Role
from zhijiao.resources import search as resource_search
from zhijiao.resources import selectors
from zhijiao.resources.models import (
    Board,
    Column,
    Edition,
    Favourite,
    Grade,
    Kind,
    Library,
    RecentView,
    Resource,
    Stage,
    Subject,
)

HOT_DAYS = 7
HOT_CACHE_SECONDS = 300
SORT_LABELS = {"relevance": _("Relevance"), "popularity": _("Most used"), "newest": _("Newest"),
               "rating": _("Best rated")}
# What each role mostly comes for; used to weight resource types in recommendations.
ROLE_TYPES = {
    Role.LEARNER: [Kind.LESSON_PACKAGE, Kind.VIDEO, Kind.EXERCISE_SET, Kind.VIRTUAL_EXPERIMENT, Kind.E_TEXTBOOK],
    Role.TEACHER: [Kind.DOCUMENT, Kind.COURSEWARE, Kind.TEACHING_CASE, Kind.LESSON_PACKAGE, Kind.VIDEO],
    Role.PARENT: [Kind.VIDEO, Kind.E_BOOK, Kind.DOCUMENT],
}
GRADE_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_GRADE_NAME = re.compile(r"(高[一二三])|([一二三四五六七八九])年级|初([一二三])")


# --- Facet labels ------------------------------------------------------------------------------------


LABELS_SECONDS = 300
_labels: dict[str, tuple[float, dict]] = {}
_providers: dict[str, tuple[float, str]] = {}


def facet_labels() -> dict[str, dict[str, str]]:
    """Facet value → label for every facet shown (codes in the index, names on the page).

    Kept in the process for five minutes per language: taxonomy names change rarely, and every search
    needs them.
    """
    language = get_language() or ""
    cached = _labels.get(language)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    labels = {
        "type": {k: str(v) for k, v in Kind.choices},
        "library": {k: str(v) for k, v in Library.choices},
        "stage": dict(Stage.objects.values_list("code", "name")),
        "subject": dict(Subject.objects.values_list("code", "name")),
        "grade": {str(n): name for n, name in Grade.objects.values_list("number", "name")},
        "edition": dict(Edition.objects.values_list("code", "name")),
        "board": dict(Board.objects.values_list("code", "name")),
        "first_class": {"1": str(_("First-class / premium"))},
    }
    _labels[language] = (time.monotonic() + LABELS_SECONDS, labels)
    return labels


def provider_labels(ids) -> dict[str, str]:
    """Organisation names of provider ids, kept in the process for five minutes."""
    from zhijiao.identity.models import Organisation

    now = time.monotonic()
    missing = [i for i in ids if i.isdigit() and (i not in _providers or _providers[i][0] < now)]
    if missing:
        names = dict(Organisation.objects.filter(pk__in=missing).values_list("pk", "name"))
        for i in missing:
            _providers[i] = (now + LABELS_SECONDS, names.get(int(i), i))
    return {i: _providers[i][1] for i in ids if i in _providers}


@dataclass
class Filters:
    """What a search page or API call asked for, cleaned."""

    q: str = ""
    sort: str = "relevance"
    page: int = 1
    values: dict[str, list[str]] | None = None

    @classmethod
    def from_params(cls, params) -> Filters:
        values = {}
        for name in resource_search.FACETS:
            picked = [v.strip()[:100] for v in params.getlist(name) if v.strip()] if hasattr(params, "getlist") \
                else [str(v).strip()[:100] for v in (params.get(name) or []) if str(v).strip()]
            if picked:
                values[name] = picked[:10]
        sort = params.get("sort") or "relevance"
        try:
            page = max(1, min(int(params.get("page") or 1), 100))
        except (TypeError, ValueError):
            page = 1
        return cls(q=(params.get("q") or "").strip()[:100], sort=sort if sort in SORT_LABELS else "relevance",
                   page=page, values=values)


def search_resources(filters: Filters, per_page: int = 20) -> dict:
    """Run a search and attach readable labels to facets and hits."""
    result = core_search.search(resource_search.KIND, filters.q, filters=filters.values or {}, sort=filters.sort,
                                page=filters.page, per_page=per_page, facets=resource_search.FACETS)
    labels = facet_labels()
    provider_ids = {v for v, _ in result.facets.get("provider", [])}
    labels = {**labels, "provider": provider_labels(provider_ids)}
    facets = []
    for name in resource_search.FACETS:
        counts = result.facets.get(name)
        if not counts:
            continue
        chosen = set((filters.values or {}).get(name, []))
        facets.append({"name": name, "label": FACET_TITLES[name], "values": [
            {"value": value, "label": labels.get(name, {}).get(value, value), "count": count, "chosen": value in chosen}
            for value, count in counts[:20]]})
    hits = [{"hit": hit, "id": int(hit.object_id), "first_class": bool(hit.facets.get("first_class")),
             "labels": [labels[n].get(str(hit.facets[n][0]), "") for n in ("type", "stage", "subject", "grade")
                        if hit.facets.get(n)]}
            for hit in result.hits]
    return {"result": result, "facets": facets, "hits": hits, "chosen": filters.values or {}}


FACET_TITLES = {
    "type": _("Type"), "library": _("Library"), "stage": _("Stage"), "subject": _("Subject"), "grade": _("Grade"),
    "edition": _("Edition"), "board": _("Board"), "provider": _("Provider"), "university": _("University"),
    "first_class": _("First-class"),
}


# --- Lists ---------------------------------------------------------------------------------------------


def hot_resources(limit: int = 12, days: int = HOT_DAYS) -> list[Resource]:
    """最热: the resources the most people opened or favourited in the last ``days`` days; when nothing
    happened in that window (a fresh site), the most used of all time."""
    key = f"zj:resources:hot:{days}:{limit}"
    ids = cache.get(key)
    if ids is None:
        since = timezone.now() - timedelta(days=days)
        scores: Counter[int] = Counter()
        for resource_id, n in (RecentView.objects.filter(viewed_at__gte=since).values("resource_id")
                               .annotate(n=Count("id")).order_by("-n").values_list("resource_id", "n")[:500]):
            scores[resource_id] += n
        for resource_id, n in (Favourite.objects.filter(created_at__gte=since).values("resource_id")
                               .annotate(n=Count("id")).order_by("-n").values_list("resource_id", "n")[:500]):
            scores[resource_id] += 3 * n
        ids = [rid for rid, _ in scores.most_common(limit * 2)]
        cache.set(key, ids, HOT_CACHE_SECONDS)
    if len(ids) < limit:  # a quiet week: fill up with the most used of all time
        ids += [int(i) for i in core_search.most_popular(resource_search.KIND, limit * 2) if int(i) not in ids]
    found = selectors.published_resources().select_related("subject", "grade").in_bulk(ids)
    return [found[i] for i in ids if i in found][:limit]


def first_class_resources(limit: int = 12) -> list[Resource]:
    """一流课程 / 精品资源, the most used first (through the index: the first-class filter and popularity)."""
    result = core_search.search(resource_search.KIND, "", filters={"first_class": ["1"]}, sort="popularity",
                                per_page=limit)
    ids = [int(h.object_id) for h in result.hits]
    found = selectors.published_resources().select_related("subject", "grade").in_bulk(ids)
    return [found[i] for i in ids if i in found]


def board_resources(board: Board, column: Column | None, filters: Filters, per_page: int = 20) -> dict:
    """A board's or column's resources, through the search index (so the same filters and sorts apply)."""
    values = dict(filters.values or {})
    values["board"] = [board.code]
    if column is not None:
        values["column"] = [str(column.pk)]
    return search_resources(Filters(q=filters.q, sort=filters.sort, page=filters.page, values=values), per_page)


# --- 猜你喜欢 ------------------------------------------------------------------------------------------


def grades_of(user) -> list[int]:
    """Grade numbers of the classes and grade departments the user belongs to (三年级一班 → 3, 高一 → 10)."""
    grades = []
    for membership in identity_permissions.memberships(user):
        organisation = membership.organisation
        if organisation.kind not in (OrgKind.CLASS, OrgKind.DEPARTMENT):
            continue
        number = grade_from_name(organisation.name)
        if number and number not in grades:
            grades.append(number)
    return grades


def grade_from_name(name: str) -> int | None:
    match = _GRADE_NAME.search(name or "")
    if not match:
        return None
    if match.group(1):
        return 9 + "一二三".index(match.group(1)[1]) + 1
    if match.group(2):
        return GRADE_WORDS[match.group(2)]
    return 6 + GRADE_WORDS[match.group(3)]


@dataclass
class Profile:
    roles: list[str]
    grades: list[int]
    subjects: Counter
    grade_use: Counter
    types: Counter
    seen: set[int]

    @property
    def empty(self) -> bool:
        return not (self.grades or self.subjects)


def profile_of(user) -> Profile:
    roles = [m.role for m in identity_permissions.memberships(user)]
    favourites = list(Favourite.objects.filter(user=user).values_list("resource_id", flat=True)[:100])
    recent = list(RecentView.objects.filter(user=user).order_by("-viewed_at").values_list("resource_id", flat=True)[:50])
    subjects, grade_use, types = Counter(), Counter(), Counter()
    rows = Resource.objects.filter(pk__in=set(favourites) | set(recent)).values_list(
        "pk", "subject__code", "grade__number", "kind")
    for pk, subject, grade, kind in rows:
        weight = 3 if pk in favourites else 1
        if subject:
            subjects[subject] += weight
        if grade:
            grade_use[grade] += weight
        types[kind] += weight
    return Profile(roles, grades_of(user), subjects, grade_use, types, set(favourites) | set(recent))


def recommendations(user, limit: int = 12) -> list[Resource]:
    """猜你喜欢 for a signed-in user (see the module docstring for how)."""
    profile = profile_of(user)
    role_types = []
    for role in profile.roles:
        role_types += [str(k) for k in ROLE_TYPES.get(role, []) if str(k) not in role_types]
    grades = [g for g, _ in profile.grade_use.most_common(2)] or profile.grades[:2]
    subjects = [s for s, _ in profile.subjects.most_common(3)]
    slices = []
    if subjects:
        for subject in subjects:
            slices.append({"subject": [subject], **({"grade": [str(g) for g in grades]} if grades else {})})
    elif grades:
        slices.append({"grade": [str(g) for g in grades]})
    picked: list[int] = []
    lessons_seen: set = set()
    for values in slices:
        if role_types:
            values = {**values, "type": role_types}
        result = core_search.search(resource_search.KIND, "", filters=values, sort="relevance", per_page=limit * 2)
        ids = [int(h.object_id) for h in result.hits]
        lesson_of = dict(Resource.objects.filter(pk__in=ids).values_list("pk", "lesson_id"))
        taken = 0
        for pk in ids:
            lesson = lesson_of.get(pk)
            if pk in profile.seen or pk in picked or (lesson and lesson in lessons_seen):
                continue
            picked.append(pk)
            if lesson:
                lessons_seen.add(lesson)
            taken += 1
            if taken >= max(3, limit // max(1, len(slices))):
                break
    found = selectors.published_resources().select_related("subject", "grade", "stats").in_bulk(picked)
    chosen = [found[pk] for pk in picked if pk in found][:limit]
    if len(chosen) < limit:
        chosen += [r for r in hot_resources(limit * 2) if r.pk not in profile.seen and r not in chosen][
            : limit - len(chosen)]
    return chosen
