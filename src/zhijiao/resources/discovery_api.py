"""JSON API for finding resources (mounted inside /api/v1/resources): search with facets, suggestions,
hot list, browse tree and recommendations.

Search, suggestions, the hot list and the browse tree show only published resources and need no sign-in;
recommendations are personal and need it.
"""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from zhijiao.core import search as core_search
from zhijiao.resources import discovery, selectors
from zhijiao.resources import search as resource_search
from zhijiao.resources.models import Volume

router = Router(tags=["resources: discovery"])


class SearchQuery(Schema):
    q: str = Field("", max_length=100, description="Words, a phrase, pinyin (shuxue) or initials (sx); -word excludes")
    type: list[str] = Field([], description="Resource type, e.g. video, courseware, lesson_package (repeatable)")
    library: list[str] = Field([], description="k12, vocational, higher, training")
    stage: list[str] = Field([], description="Stage code: primary, junior, senior")
    subject: list[str] = Field([], description="Subject code, e.g. math, chinese, physics")
    grade: list[str] = Field([], description="Grade number 1–12")
    edition: list[str] = Field([], description="Textbook edition code, e.g. pep, tongbian")
    board: list[str] = Field([], description="Board code, e.g. k12-moral")
    provider: list[str] = Field([], description="Provider organisation id")
    university: list[str] = Field([], description="University name")
    first_class: list[str] = Field([], description='"1" for first-class / premium only')
    sort: str = Field("relevance", pattern="^(relevance|popularity|newest|rating)$")
    page: int = Field(1, ge=1, le=100)
    per_page: int = Field(20, ge=1, le=50)


class FacetValue(Schema):
    value: str
    label: str
    count: int


class Facet(Schema):
    name: str
    label: str
    values: list[FacetValue]


class SearchItem(Schema):
    id: int
    title: str
    title_html: str = Field(description="The title, HTML-escaped, with matches in <mark>")
    snippet_html: str = Field(description="A passage of the summary or text, HTML-escaped, with matches in <mark>")
    type: str
    stage: str | None
    subject: str | None
    grade: str | None
    url: str
    popularity: float
    rating: float
    published: datetime | None


class SearchOut(Schema):
    total: int = Field(description="Matches (capped at 10,000; see total_exact)")
    total_exact: bool
    page: int
    pages: int
    sort: str
    relaxed: bool = Field(description="Nothing contained every word; these contain some of them")
    did_you_mean: list[str]
    facets: list[Facet]
    facets_exact: bool = Field(description="False when counted over the best-ranked results only")
    items: list[SearchItem]


class ResourceBrief(Schema):
    id: int
    title: str
    type: str
    subject: str | None
    grade: str | None
    url: str


class LessonOut(Schema):
    id: int
    name: str
    url: str


class UnitOut(Schema):
    id: int
    name: str
    lessons: list[LessonOut]


class VolumeTree(Schema):
    id: int
    name: str
    edition: str
    subject: str
    grade: str | None
    units: list[UnitOut]


def _brief(resource) -> dict:
    return {"id": resource.pk, "title": resource.title, "type": resource.kind,
            "subject": resource.subject.name if resource.subject_id else None,
            "grade": resource.grade.name if resource.grade_id else None, "url": selectors.activity_id(resource.pk)}


@router.get("/search", response=SearchOut, auth=None, summary="Search published resources, with facet counts")
def search(request, query: Query[SearchQuery]):
    params = query.dict()
    filters = discovery.Filters.from_params(params)
    found = discovery.search_resources(filters, per_page=query.per_page)
    result: core_search.SearchResult = found["result"]
    items = []
    for item in found["hits"]:
        hit = item["hit"]
        items.append({
            "id": item["id"], "title": hit.title, "title_html": str(hit.title_html),
            "snippet_html": str(hit.snippet_html), "type": (hit.facets.get("type") or [""])[0],
            "stage": (hit.facets.get("stage") or [None])[0], "subject": (hit.facets.get("subject") or [None])[0],
            "grade": (hit.facets.get("grade") or [None])[0], "url": selectors.activity_id(item["id"]),
            "popularity": hit.popularity, "rating": hit.rating, "published": hit.published,
        })
    facets = [{"name": f["name"], "label": str(f["label"]),
               "values": [{"value": v["value"], "label": str(v["label"]), "count": v["count"]} for v in f["values"]]}
              for f in found["facets"]]
    return {"total": result.total, "total_exact": result.total_exact, "page": result.page, "pages": result.pages,
            "sort": result.sort, "relaxed": result.relaxed, "did_you_mean": result.did_you_mean, "facets": facets,
            "facets_exact": result.facets_exact, "items": items}


@router.get("/suggest", response=list[str], auth=None, url_name="resources_discovery_suggest",
            summary="Phrases for what is being typed (Chinese, pinyin or initials)")
def suggest(request, q: str = Query("", max_length=50)):
    return core_search.suggest(resource_search.KIND, q)


@router.get("/hot", response=list[ResourceBrief], auth=None, summary="Most used in the last 7 days")
def hot(request, limit: int = Query(12, ge=1, le=50)):
    return [_brief(r) for r in discovery.hot_resources(limit)]


@router.get("/recommendations", response=list[ResourceBrief], summary="猜你喜欢: recommended for the signed-in user")
def recommendations(request, limit: int = Query(12, ge=1, le=50)):
    return [_brief(r) for r in discovery.recommendations(request.auth, limit)]


@router.get("/volumes/{volume_id}/tree", response=VolumeTree, auth=None,
            summary="A textbook volume's units and lessons")
def volume_tree(request, volume_id: int):
    volume = get_object_or_404(Volume.objects.select_related("edition", "subject", "grade"), pk=volume_id)
    units = selectors.units_with_lessons(volume.pk)
    return {"id": volume.pk, "name": volume.name, "edition": volume.edition.name, "subject": volume.subject.name,
            "grade": volume.grade.name if volume.grade_id else None,
            "units": [{"id": u.pk, "name": u.name, "lessons": [
                {"id": lesson.pk, "name": lesson.name, "url": f"/resources/lessons/{lesson.pk}/"}
                for lesson in u.lessons.all()]} for u in units]}
