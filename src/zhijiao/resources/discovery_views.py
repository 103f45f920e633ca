"""Discovery pages of the resource centre: home (/resources/), search, browse, lesson, board and column.

Thin: each parses the request, calls zhijiao.resources.discovery / selectors, renders.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from zhijiao.resources import discovery, selectors
from zhijiao.resources.models import Board, FileRole, Lesson, Library, Subject


def _libraries():
    boards = selectors.boards_with_columns()
    return [{"code": code, "label": label, "boards": [b for b in boards if b.library == code]}
            for code, label in Library.choices]


@require_GET
def index(request):
    context = {
        "libraries": _libraries(),
        "hot": discovery.hot_resources(),
        "first_class": discovery.first_class_resources(),
        "stages": selectors.stages_with_subjects(),
        "recommended": discovery.recommendations(request.user) if request.user.is_authenticated else [],
    }
    return render(request, "resources/index.html", context)


def _toggle_url(params, name: str, value: str) -> str:
    """This page's query with ``name=value`` added, or removed when present; back to page 1."""
    query = params.copy()
    query.pop("page", None)
    values = query.getlist(name)
    query.setlist(name, [v for v in values if v != value] if value in values else [*values, value])
    return "?" + query.urlencode()


def _link_facets(params, found: dict) -> list[dict]:
    """Give every facet value its toggle link; return the chosen ones as removable chips."""
    chips = []
    for facet in found["facets"]:
        for value in facet["values"]:
            value["url"] = _toggle_url(params, facet["name"], value["value"])
            if value["chosen"]:
                chips.append({"label": f"{facet['label']}: {value['label']}", "url": value["url"]})
    shown = {(chip["url"]) for chip in chips}
    for name, values in found["chosen"].items():
        for value in values:
            url = _toggle_url(params, name, value)
            if url not in shown:
                chips.append({"label": f"{discovery.FACET_TITLES.get(name, name)}: {value}", "url": url})
    return chips


def _results_page(request, template: str, found: dict, filters, **extra):
    result = found["result"]
    chips = _link_facets(request.GET, found)
    return render(request, template, {
        **found, **extra, "filters": filters, "chips": chips, "sorts": discovery.SORT_LABELS.items(),
        "has_previous": result.page > 1, "has_next": result.page < result.pages,
    })


@require_GET
def search_page(request):
    filters = discovery.Filters.from_params(request.GET)
    return _results_page(request, "resources/search.html", discovery.search_resources(filters), filters)


def _int(value) -> int | None:
    return int(value) if value and str(value).isdecimal() else None


@require_GET
def browse(request):
    """Pick 学段 → 学科 → 教材版本 → 册次 and see the 单元 → 课时 tree."""
    stages = selectors.stages_with_subjects()
    stage = next((s for s in stages if s.code == request.GET.get("stage")), stages[0] if stages else None)
    subject = Subject.objects.filter(pk=_int(request.GET.get("subject")), stage=stage).first() if stage else None
    editions = selectors.editions_for(subject.pk) if subject else []
    edition = next((e for e in editions if e.pk == _int(request.GET.get("edition"))), editions[0] if editions else None)
    volumes = selectors.volumes_for(subject.pk, edition.pk if edition else None) if subject else []
    volume = next((v for v in volumes if v.pk == _int(request.GET.get("volume"))), volumes[0] if volumes else None)
    units = selectors.units_with_lessons(volume.pk) if volume else []
    return render(request, "resources/browse.html", {
        "stages": stages, "stage": stage, "subject": subject, "editions": editions, "edition": edition,
        "volumes": volumes, "volume": volume, "units": units,
    })


def _file_url(resource, file) -> str | None:
    for name in ("resources:file", "resources:download"):
        try:
            return reverse(name, args=[resource.pk, file.pk])
        except NoReverseMatch:
            continue
    return None


# Anonymous visitors of a lesson all get the same page (per language), so it is rendered at most once a
# minute and kept in the shared cache; only the tracker snippet, which carries the visitor's own id, is
# rendered per request. A newly published lesson package shows within the minute.
LESSON_CACHE_SECONDS = 60
_TRACKER_SLOT = "<!--zj-tracker-->"


def _lesson_cache_key(request, lesson_id: int) -> str | None:
    if request.user.is_authenticated or request.GET or settings.SESSION_COOKIE_NAME in request.COOKIES \
            or "messages" in request.COOKIES:
        return None
    return f"zj:lesson-page:{lesson_id}:{get_language()}"


def _with_tracker(request, html: str, activity_id: str, title: str) -> HttpResponse:
    tracker = render_to_string("records/_tracker.html", {"activity_id": activity_id, "activity_name": title},
                               request=request)
    response = HttpResponse(html.replace(_TRACKER_SLOT, tracker, 1))
    patch_cache_control(response, private=True, max_age=0)
    return response


@require_GET
def lesson(request, lesson_id: int):
    """A 课时: its micro-lesson video, learning task sheet and after-class exercises, and related resources."""
    key = _lesson_cache_key(request, lesson_id)
    if key is not None:
        cached = cache.get(key)
        if cached is not None:
            return _with_tracker(request, cached["html"], cached["activity_id"], cached["title"])
    lesson_obj = get_object_or_404(Lesson.objects.select_related("unit__volume__edition", "unit__volume__subject__stage",
                                                                  "unit__volume__grade"), pk=lesson_id)
    packages = list(selectors.lesson_packages(lesson_obj.pk)[:10])
    package = packages[0] if packages else None
    parts = {}
    if package is not None:
        files = selectors.files_by_role(package.live_version_id)
        for role in (FileRole.VIDEO, FileRole.MAIN, FileRole.TASK_SHEET, FileRole.EXERCISES, FileRole.POSTER,
                     FileRole.SUBTITLES):
            parts[role] = [{"file": f, "url": _file_url(package, f)} for f in files.get(role, [])]
    videos = parts.get(FileRole.VIDEO) or [p for p in parts.get(FileRole.MAIN, [])
                                           if p["file"].file_type in ("mp4", "webm")]
    others = list(selectors.published_resources().filter(lesson_id=lesson_obj.pk).exclude(
        pk=package.pk if package else None).select_related("stats").order_by("-stats__views", "pk")[:20])
    activity_id = selectors.activity_id(package.pk) if package else request.build_absolute_uri()
    title = package.title if package else lesson_obj.name
    context = {
        "lesson": lesson_obj, "unit": lesson_obj.unit, "volume": lesson_obj.unit.volume, "package": package,
        "packages": packages, "video": (videos or [None])[0], "activity_id": activity_id,
        "poster": (parts.get(FileRole.POSTER) or [None])[0], "subtitles": parts.get(FileRole.SUBTITLES, []),
        "task_sheets": parts.get(FileRole.TASK_SHEET, []), "exercises": parts.get(FileRole.EXERCISES, []),
        "others": others, "siblings": list(lesson_obj.unit.lessons.order_by("order")),
    }
    if key is not None:
        html = render_to_string("resources/lesson.html", {**context, "tracker_slot": _TRACKER_SLOT}, request=request)
        cache.set(key, {"html": html, "activity_id": activity_id, "title": title}, LESSON_CACHE_SECONDS)
        return _with_tracker(request, html, activity_id, title)
    return render(request, "resources/lesson.html", context)


@require_GET
def board(request, code: str, column_id: int | None = None):
    board_obj = get_object_or_404(Board, code=code, active=True)
    columns = list(board_obj.columns.filter(active=True).order_by("order", "id"))
    column = None
    if column_id is not None:
        column = next((c for c in columns if c.pk == column_id), None)
        if column is None:
            raise Http404
    filters = discovery.Filters.from_params(request.GET)
    found = discovery.board_resources(board_obj, column, filters)
    return _results_page(request, "resources/board.html", found, filters, board=board_obj, columns=columns,
                         column=column)

