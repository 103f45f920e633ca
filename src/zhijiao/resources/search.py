"""Resources in the search index (资源检索): what a published resource looks like to zhijiao.core.search.

:func:`index_resource` and :func:`remove_resource` run after publication and takedown commit (services
call them through ``transaction.on_commit``), so a resource is findable, or gone, within a second of the
decision. :func:`reindex_all` rebuilds the whole index in bulk (``zj reindex-resources``).

Facets (filter names) and their values: ``type`` (resource kind), ``library``, ``stage`` (code),
``subject`` (code, the same for every stage), ``grade`` (number), ``edition`` (code), ``board`` (code),
``column`` (id), ``provider`` (organisation id), ``university`` (name), ``first_class`` ("1": a
first-class course or a premium resource).
"""

from __future__ import annotations

from collections.abc import Iterator

from zhijiao.core import search
from zhijiao.core.search import Document
from zhijiao.resources import selectors
from zhijiao.resources.models import Resource, ResourceFile

KIND = "resource"
FACETS = ("type", "library", "stage", "subject", "grade", "edition", "board", "provider", "university", "first_class")
SUGGEST_MAX_CHARS = 24


def popularity(views: int, downloads: int, favourites: int) -> float:
    """One figure for "how much is it used": a favourite or a download says more than a view."""
    return float(views + 3 * downloads + 5 * favourites)


def document_for(data: dict) -> Document:
    """The search document of one resource, from ``selectors.resource_for_search``'s fields."""
    taxonomy = [data.get(key) or "" for key in ("stage_name", "subject_name", "grade_name", "edition_name",
                                                "lesson_name", "major_name")]
    keywords = [*taxonomy, *data.get("knowledge_points", []), *data.get("keywords", []), data.get("university") or "",
                data.get("provider_name") or "", *data.get("authors", [])]
    suggest = [data.get("lesson_name") or "", *data.get("knowledge_points", []), *data.get("keywords", [])]
    facets = {
        "type": data.get("kind"),
        "library": data.get("library"),
        "stage": data.get("stage"),
        "subject": data.get("subject"),
        "grade": str(data["grade"]) if data.get("grade") else None,
        "edition": data.get("edition"),
        "board": data.get("board_codes", []),
        "column": [str(c) for c in data.get("column_ids", [])],
        "provider": str(data["provider_id"]) if data.get("provider_id") else None,
        "university": data.get("university") or None,
        # 一流课程 and 精品资源 together: the "first-class" filter of the search page.
        "first_class": "1" if data.get("first_class") or data.get("premium") else None,
    }
    return Document(
        kind=KIND,
        object_id=data["id"],
        title=data["title"],
        body="\n".join(part for part in (data.get("summary") or "", data.get("text") or "") if part),
        keywords=[k for k in keywords if k],
        facets={k: v for k, v in facets.items() if v},
        popularity=popularity(data.get("views", 0), data.get("downloads", 0), data.get("favourites", 0)),
        rating=float(data.get("rating") or 0),
        published=data.get("published_at"),
        suggest=[s for s in suggest if s and len(s) <= SUGGEST_MAX_CHARS],
    )


def index_resource(resource_id: int) -> bool:
    """Put a published resource in the index (or refresh it); a resource that is not published is removed."""
    data = selectors.resource_for_search(resource_id)
    if data is None:
        search.remove(KIND, [resource_id])
        return False
    search.index([document_for(data)])
    return True


def remove_resource(resource_id: int) -> None:
    search.remove(KIND, [resource_id])


# --- Bulk rebuild ------------------------------------------------------------------------------------------

_BULK_FIELDS = (
    "pk", "title", "summary", "kind", "library", "keywords", "knowledge_points", "authors", "university",
    "first_class", "premium", "published_at", "provider_id", "provider__name", "stage__code", "stage__name", "subject__code",
    "subject__name", "grade__number", "grade__name", "edition__code", "edition__name", "lesson__name",
    "major__code", "major__name", "live_version_id", "stats__views", "stats__downloads", "stats__favourite_count",
    "stats__rating_sum", "stats__rating_count",
)


def _bulk_rows(batch_size: int) -> Iterator[list[dict]]:
    """Published resources in publication order, a batch at a time: the order is read once (ids only),
    then each batch by primary key, which stays cheap however far the rebuild has got."""
    published = selectors.published_resources()
    order = list(published.order_by("published_at", "pk").values_list("pk", flat=True))
    for start in range(0, len(order), batch_size):
        ids = order[start:start + batch_size]
        rows = {row["pk"]: row for row in published.filter(pk__in=ids).values(*_BULK_FIELDS)}
        batch = [rows[pk] for pk in ids if pk in rows]
        if batch:
            yield batch


def _texts(version_ids: list[int]) -> dict[int, str]:
    texts: dict[int, list[str]] = {}
    for version_id, text in (ResourceFile.objects.filter(version_id__in=version_ids).exclude(text="")
                             .values_list("version_id", "text")):
        texts.setdefault(version_id, []).append(text)
    return {vid: "\n".join(parts)[:selectors.SEARCH_TEXT_CHARS] for vid, parts in texts.items()}


def _bulk_documents(batch_size: int) -> Iterator[Document]:
    for batch in _bulk_rows(batch_size):
        ids = [row["pk"] for row in batch]
        boards = selectors.board_codes_for(ids)
        columns: dict[int, list[int]] = {}
        for resource_id, column_id in Resource.columns.through.objects.filter(resource_id__in=ids).values_list(
                "resource_id", "column_id"):
            columns.setdefault(resource_id, []).append(column_id)
        texts = _texts([row["live_version_id"] for row in batch if row["live_version_id"]])
        for row in batch:
            rating_count = row["stats__rating_count"] or 0
            yield document_for({
                "id": row["pk"], "title": row["title"], "summary": row["summary"],
                "text": texts.get(row["live_version_id"], ""), "keywords": row["keywords"] or [],
                "knowledge_points": row["knowledge_points"] or [], "authors": row["authors"] or [],
                "kind": row["kind"], "library": row["library"], "stage": row["stage__code"],
                "stage_name": row["stage__name"], "subject": row["subject__code"], "subject_name": row["subject__name"],
                "grade": row["grade__number"], "grade_name": row["grade__name"], "edition": row["edition__code"],
                "edition_name": row["edition__name"], "lesson_name": row["lesson__name"], "major": row["major__code"],
                "major_name": row["major__name"], "board_codes": boards.get(row["pk"], []),
                "column_ids": columns.get(row["pk"], []), "provider_id": row["provider_id"],
                "provider_name": row["provider__name"], "university": row["university"],
                "first_class": row["first_class"], "premium": row["premium"], "published_at": row["published_at"],
                "views": row["stats__views"] or 0, "downloads": row["stats__downloads"] or 0,
                "favourites": row["stats__favourite_count"] or 0,
                "rating": (row["stats__rating_sum"] / rating_count) if rating_count else 0,
            })


def reindex_all(*, batch_size: int = 5000, progress=None) -> int:
    """Rebuild the resource index from scratch, oldest publication first. Returns how many were indexed."""
    return search.index_bulk(KIND, _bulk_documents(batch_size), batch_size=batch_size, progress=progress)


def refresh_popularity(batch_size: int = 5000) -> int:
    """Copy current use figures (views, downloads, favourites, ratings) into the index's sort values."""
    changed = 0
    for batch in _bulk_rows(batch_size):
        values = {}
        for row in batch:
            rating_count = row["stats__rating_count"] or 0
            values[row["pk"]] = (
                popularity(row["stats__views"] or 0, row["stats__downloads"] or 0, row["stats__favourite_count"] or 0),
                (row["stats__rating_sum"] / rating_count) if rating_count else 0.0,
            )
        changed += search.update_sort_values(KIND, values)
    return changed


def is_indexed(resource_id: int) -> bool:
    return search.is_indexed(KIND, resource_id)

