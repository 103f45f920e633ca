"""Search backend (统一检索): a full-text index for any kind of document, on SQLite or PostgreSQL.

A domain hands in :class:`Document` values (kind, object id, title, body, keywords, facet values, sort
values) with :func:`index` or :func:`index_bulk`, takes them out with :func:`remove`, and queries with
:func:`search` and :func:`suggest`. Nothing here knows about resources or jobs.

Storage: the rows live in ``core.SearchDocument``; the inverted index is an FTS5 virtual table on SQLite
(``core_search_fts``, rowid = document id) and a ``tsv`` tsvector column with a GIN index on PostgreSQL.
Tokens are produced in Python (zhijiao.core.search_text) and stored space-separated, so neither
database needs a Chinese parser or an extension. Facet values are stored as opaque tokens in the same
index, so filters are resolved by the inverted index too.

Ranking (docs/search.md): the candidates are the matching documents, or, when more match than
``ZJ_SEARCH_CANDIDATES``, the newest that many (documents enter the index in publication order, so the
inverted index yields them newest first without sorting). Each candidate scores
``0.75·relevance + 0.20·popularity + 0.05·rating``, each part within 0…1: relevance is where the query's
words occur (title, keywords, pinyin of those, or only the body) and how much of the title they cover;
popularity is log-scaled against the most popular candidate. Every candidate contains every word, so
document-frequency weighting (BM25's IDF) would not change their order; skipping it keeps the cost of a
query independent of how common its words are.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import multiprocessing
import os
import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from zhijiao.core import search_text
from zhijiao.core.models import SearchDocument, SearchPhrase
from zhijiao.core.search_text import ParsedQuery, parse_query

KIND_FACET = "kind"
COUNT_LIMIT = 10_000
BODY_STORED = 4000  # characters kept for snippets
BODY_INDEXED = 20_000  # characters of body text that are searchable
SORTS = ("relevance", "popularity", "newest", "rating")
WEIGHTS = {"relevance": 0.75, "popularity": 0.20, "rating": 0.05}


def candidates_limit() -> int:
    return settings.ZJ_SEARCH_CANDIDATES


# --- Documents and their analysis --------------------------------------------------------------------


@dataclass
class Document:
    """What a domain indexes. ``facets`` maps a facet name to one value or several; ``suggest`` lists the
    phrases this document offers while people type (defaults to nothing)."""

    kind: str
    object_id: str | int
    title: str
    body: str = ""
    keywords: Sequence[str] = ()
    facets: Mapping[str, str | Sequence[str]] = field(default_factory=dict)
    popularity: float = 0.0
    rating: float = 0.0
    published: datetime | None = None
    suggest: Sequence[str] = ()

    def facet_values(self) -> dict[str, list[str]]:
        values = {}
        for name, value in self.facets.items():
            items = [value] if isinstance(value, str | int) else list(value)
            items = [str(v) for v in items if v not in (None, "")]
            if items:
                values[name] = items
        return values


@dataclass
class Analysed:
    """The tokens of one document: its words (title, keywords, body), their pinyin, its facet values."""

    words: str
    pinyin: str
    facets: str

    def tokens(self) -> str:
        return f"{self.words} {self.pinyin} {self.facets}"


@lru_cache(maxsize=100_000)
def facet_token(name: str, value: str) -> str:
    """An opaque, tokenizer-proof token for ``name = value`` (letters and digits only)."""
    digest = hashlib.blake2b(f"{name}\x1f{value}".encode(), digest_size=8).hexdigest()
    return f"zf{digest}"


FACET_SEP, ITEM_SEP = "\x1f", "\x1e"


def pack_facets(values: dict[str, list[str]]) -> str:
    clean = str.maketrans("", "", FACET_SEP + ITEM_SEP)
    return ITEM_SEP.join(f"{name}{FACET_SEP}{value.translate(clean)}" for name, items in values.items()
                         for value in items)


def analyse(document: Document, facet_values: dict[str, list[str]] | None = None) -> Analysed:
    facets = [facet_token(KIND_FACET, document.kind)]
    for name, values in (facet_values if facet_values is not None else document.facet_values()).items():
        facets.extend(facet_token(name, v) for v in values)
    text = "\n".join((document.title, *document.keywords, document.body[:BODY_INDEXED]))
    return Analysed(
        words=" ".join(search_text.index_tokens(text)),
        pinyin=" ".join(dict.fromkeys(search_text.pinyin_tokens(document.title)
                                      + search_text.pinyin_words(" ".join(document.suggest)))),
        facets=" ".join(facets),
    )


# --- Match expressions -------------------------------------------------------------------------------


@dataclass
class Match:
    """What to look for: every term (any of its alternatives), every filter (any of its values), none of
    the excluded tokens."""

    terms: list[tuple[tuple[str, ...], ...]]
    filters: list[list[str]]
    excluded: list[str]

    @property
    def has_text(self) -> bool:
        return bool(self.terms)


def build_match(kind: str, query: ParsedQuery, filters: Mapping[str, Sequence[str]]) -> Match:
    facet_groups = [[facet_token(KIND_FACET, kind)]]
    for name, values in filters.items():
        values = [str(v) for v in values if str(v) != ""]
        if values:
            facet_groups.append([facet_token(name, v) for v in values])
    return Match(terms=[t.alternatives for t in query.terms], filters=facet_groups, excluded=list(query.excluded))


class SqliteStorage:
    table = "core_search_fts"

    @staticmethod
    def _quote(token: str) -> str:
        return '"' + token.replace('"', '""') + '"'

    def expression(self, match: Match) -> str:
        def alternatives(groups):
            parts = ["(" + " AND ".join(self._quote(t) for t in group) + ")" for group in groups]
            return "(" + " OR ".join(parts) + ")"

        text = [alternatives(groups) for groups in match.terms]
        filters = ["(" + " OR ".join(self._quote(t) for t in group) + ")" for group in match.filters]
        expr = "(" + " AND ".join(text + filters) + ")"
        for token in match.excluded:
            expr = f"({expr} NOT {self._quote(token)})"
        return expr

    def write(self, cursor, rows: list[tuple[int, Analysed]]) -> None:
        cursor.executemany(
            f"INSERT INTO {self.table} (rowid, tokens) VALUES (%s, %s)",
            [(pk, a.tokens()) for pk, a in rows],
        )

    def delete(self, cursor, ids: list[int]) -> None:
        cursor.executemany(f"DELETE FROM {self.table} WHERE rowid = %s", [(pk,) for pk in ids])

    def delete_kind(self, cursor, kind: str) -> None:
        token = facet_token(KIND_FACET, kind)
        cursor.execute(f"DELETE FROM {self.table} WHERE {self.table} MATCH %s", [self._quote(token)])

    def count(self, cursor, match: Match, limit: int) -> int:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {self.table} WHERE {self.table} MATCH %s LIMIT %s)",
            [self.expression(match), limit],
        )
        return cursor.fetchone()[0]

    def candidates(self, cursor, match: Match, limit: int) -> list[int]:
        """Ids of the newest ``limit`` matches (FTS5 walks its doclists in rowid order: no sorting)."""
        cursor.execute(
            f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s ORDER BY rowid DESC LIMIT %s",
            [self.expression(match), limit],
        )
        return [row[0] for row in cursor.fetchall()]

    def before_bulk(self, cursor) -> None:
        """Nothing to prepare: FTS5 buffers and merges its own segments."""

    def after_bulk(self, cursor) -> None:
        cursor.execute(f"INSERT INTO {self.table} ({self.table}) VALUES ('optimize')")


class PostgresStorage:

    @staticmethod
    def _quote(token: str) -> str:
        return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"

    def vector(self, analysed: Analysed) -> str:
        """A tsvector literal (lexemes only: ranking happens in Python), parsed without any text parser."""
        return " ".join(self._quote(t) for t in dict.fromkeys(analysed.tokens().split()))

    def text_query(self, match: Match) -> str:
        terms = []
        for groups in match.terms:
            parts = ["(" + " & ".join(self._quote(t) for t in group) + ")" for group in groups]
            terms.append("(" + " | ".join(parts) + ")")
        return " & ".join(terms)

    def expression(self, match: Match) -> str:
        parts = [self.text_query(match)] if match.terms else []
        parts += ["(" + " | ".join(self._quote(t) for t in group) + ")" for group in match.filters]
        parts += ["!" + self._quote(t) for t in match.excluded]
        return " & ".join(parts)

    def write(self, cursor, rows: list[tuple[int, Analysed]]) -> None:
        cursor.executemany(
            "UPDATE core_searchdocument SET tsv = %s::tsvector WHERE id = %s",
            [(self.vector(a), pk) for pk, a in rows],
        )

    def delete(self, cursor, ids: list[int]) -> None:
        """The tsvector goes with its row."""

    def delete_kind(self, cursor, kind: str) -> None:
        """The tsvector goes with its row."""

    def count(self, cursor, match: Match, limit: int) -> int:
        cursor.execute(
            "SELECT count(*) FROM (SELECT 1 FROM core_searchdocument WHERE tsv @@ %s::tsquery LIMIT %s) AS m",
            [self.expression(match), limit],
        )
        return cursor.fetchone()[0]

    def candidates(self, cursor, match: Match, limit: int) -> list[int]:
        cursor.execute(
            "SELECT id FROM core_searchdocument WHERE tsv @@ %s::tsquery ORDER BY id DESC LIMIT %s",
            [self.expression(match), limit],
        )
        return [row[0] for row in cursor.fetchall()]

    def before_bulk(self, cursor) -> None:
        # Building a GIN index once over all rows is many times faster than updating it row by row.
        cursor.execute("DROP INDEX IF EXISTS core_search_tsv")

    def after_bulk(self, cursor) -> None:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute("CREATE INDEX IF NOT EXISTS core_search_tsv ON core_searchdocument USING gin (tsv)")
        cursor.execute("RESET maintenance_work_mem")
        cursor.execute("ANALYZE core_searchdocument")


def storage_for(conn=None):
    vendor = (conn or connection).vendor
    if vendor == "sqlite":
        return SqliteStorage()
    if vendor == "postgresql":
        return PostgresStorage()
    raise NotImplementedError(f"search is not available on {vendor}")


# --- Writing -----------------------------------------------------------------------------------------


def _phrase_key(phrase: str) -> str:
    return " ".join(phrase.split())[: SearchPhrase._meta.get_field("phrase").max_length]


def _adjust_phrases(kind: str, added: Iterable[str], removed: Iterable[str]) -> None:
    for phrase in removed:
        SearchPhrase.objects.filter(kind=kind, phrase=phrase).update(weight=F("weight") - 1)
    SearchPhrase.objects.filter(kind=kind, weight__lte=0).delete()
    for phrase in added:
        updated = SearchPhrase.objects.filter(kind=kind, phrase=phrase).update(weight=F("weight") + 1)
        if not updated:
            full, initials = search_text.pinyin_of("".join(search_text.runs(phrase)))
            SearchPhrase.objects.create(kind=kind, phrase=phrase, pinyin=full[:300], initials=initials[:100], weight=1)


def _row_values(document: Document, facet_values: dict[str, list[str]]) -> dict:
    return {
        "title": document.title[:300],
        "body": document.body[:BODY_STORED],
        "keywords": " ".join(document.keywords)[:500],
        "facets": facet_values,
        "facet_text": pack_facets(facet_values),
        "phrases": list(dict.fromkeys(p for p in (_phrase_key(s) for s in document.suggest) if p)),
        "popularity": float(document.popularity or 0),
        "rating": float(document.rating or 0),
        "published": document.published,
    }


@transaction.atomic
def index(documents: Iterable[Document]) -> int:
    """Add or replace documents; findable as soon as the transaction commits. Returns how many."""
    storage = storage_for()
    count = 0
    with connection.cursor() as cursor:
        for document in documents:
            facet_values = document.facet_values()
            values = _row_values(document, facet_values)
            analysed = analyse(document, facet_values)
            row = SearchDocument.objects.filter(kind=document.kind, object_id=str(document.object_id)).first()
            old_phrases = []
            if row is None:
                row = SearchDocument.objects.create(kind=document.kind, object_id=str(document.object_id), **values)
            else:
                old_phrases = list(row.phrases)
                for key, value in values.items():
                    setattr(row, key, value)
                row.save()
                storage.delete(cursor, [row.pk])
            storage.write(cursor, [(row.pk, analysed)])
            new_phrases = values["phrases"]
            _adjust_phrases(document.kind, [p for p in new_phrases if p not in old_phrases],
                            [p for p in old_phrases if p not in new_phrases])
            count += 1
    return count


@transaction.atomic
def remove(kind: str, object_ids: Iterable[str | int]) -> int:
    """Take documents out of the index; gone as soon as the transaction commits. Returns how many."""
    rows = list(SearchDocument.objects.filter(kind=kind, object_id__in=[str(i) for i in object_ids])
                .values_list("id", "phrases"))
    if not rows:
        return 0
    with connection.cursor() as cursor:
        storage_for().delete(cursor, [pk for pk, _ in rows])
    SearchDocument.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
    _adjust_phrases(kind, [], [p for _, phrases in rows for p in phrases])
    return len(rows)


def most_popular(kind: str, limit: int) -> list[str]:
    """Object ids of the most used documents of a kind, all time (an index scan, however many there are)."""
    return list(SearchDocument.objects.filter(kind=kind).order_by("-popularity")
                .values_list("object_id", flat=True)[:limit])


def is_indexed(kind: str, object_id: str | int) -> bool:
    return SearchDocument.objects.filter(kind=kind, object_id=str(object_id)).exists()


def update_sort_values(kind: str, values: Mapping[str | int, tuple[float, float]]) -> int:
    """Refresh (popularity, rating) of indexed documents without re-analysing their text."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE core_searchdocument SET popularity = %s, rating = %s WHERE kind = %s AND object_id = %s",
            [(float(p), float(r), kind, str(object_id)) for object_id, (p, r) in values.items()])
    return len(values)


def clear(kind: str) -> None:
    """Remove every document of a kind (before a rebuild)."""
    with transaction.atomic(), connection.cursor() as cursor:
        storage_for().delete_kind(cursor, kind)
        SearchDocument.objects.filter(kind=kind).delete()
        SearchPhrase.objects.filter(kind=kind).delete()


def index_workers() -> int:
    return max(1, settings.ZJ_SEARCH_INDEX_WORKERS or os.cpu_count() or 1)


def _batches(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for document in documents:
        batch.append(document)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _analyse_batch(documents: list[Document]) -> list[tuple[str, str, Analysed, dict]]:
    """(kind, object id, tokens, row values) of each document: pure Python, run in worker processes."""
    analysed = []
    for document in documents:
        facet_values = document.facet_values()
        analysed.append((document.kind, str(document.object_id), analyse(document, facet_values),
                         _row_values(document, facet_values)))
    return analysed


def index_bulk(kind: str, documents: Iterable[Document], *, batch_size: int = 5000, progress=None) -> int:
    """Build the index of one kind from scratch, fast: clears the kind, then writes in large batches.

    Documents should come oldest first, so the index's newest-first order matches publication order.
    Text analysis (segmentation, pinyin) runs in ``ZJ_SEARCH_INDEX_WORKERS`` forked processes while this
    process reads the next documents and writes the analysed ones. ``progress(n)`` is called after each
    batch with the running total.
    """
    clear(kind)
    with connection.cursor() as cursor:
        storage_for().before_bulk(cursor)
    phrases: Counter[str] = Counter()
    total = 0

    def write(rows):
        nonlocal total
        total += _write_batch(rows, phrases)
        if progress:
            progress(total)

    batches = _batches(documents, batch_size)
    first, second = next(batches, None), next(batches, None)
    workers = index_workers()
    if second is None or workers == 1:  # one batch (or one core): no worker processes
        for batch in _chain(first, second, batches):
            if batch:
                write(_analyse_batch(batch))
    else:
        search_text.warm_up()  # load jieba's dictionary once, before the workers are forked
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending: deque = deque()
            for batch in _chain(first, second, batches):
                pending.append(pool.apply_async(_analyse_batch, (batch,)))
                if len(pending) > workers:
                    write(pending.popleft().get())
            while pending:
                write(pending.popleft().get())
    rows = []
    for phrase, weight in phrases.items():
        full, initials = search_text.pinyin_of("".join(search_text.runs(phrase)))
        rows.append(SearchPhrase(kind=kind, phrase=phrase, pinyin=full[:300], initials=initials[:100], weight=weight))
    SearchPhrase.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        storage_for().after_bulk(cursor)
    return total


def _chain(first, second, rest):
    for batch in (first, second):
        if batch is not None:
            yield batch
    yield from rest


def _write_batch(rows: list[tuple[str, str, Analysed, dict]], phrases: Counter) -> int:
    storage = storage_for()
    now = timezone.now()
    for _kind, _object_id, _analysed, values in rows:
        phrases.update(values["phrases"])
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy_postgres(cursor, rows, storage, now)
            return len(rows)
        cursor.execute("SELECT coalesce(max(id), 0) FROM core_searchdocument")
        first = cursor.fetchone()[0] + 1
        cursor.executemany(
            "INSERT INTO core_searchdocument (id, kind, object_id, title, body, keywords, facets, facet_text, "
            "phrases, popularity, rating, published, indexed_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (first + i, kind, object_id, v["title"], v["body"], v["keywords"],
                 json.dumps(v["facets"], ensure_ascii=False), v["facet_text"],
                 json.dumps(v["phrases"], ensure_ascii=False), v["popularity"], v["rating"], v["published"], now)
                for i, (kind, object_id, _a, v) in enumerate(rows)
            ],
        )
        storage.write(cursor, [(first + i, a) for i, (_k, _o, a, _v) in enumerate(rows)])
    return len(rows)


def _copy_postgres(cursor, rows, storage: PostgresStorage, now) -> None:
    columns = ("kind, object_id, title, body, keywords, facets, facet_text, phrases, popularity, rating, "
               "published, indexed_at, tsv")
    with cursor.cursor.copy(f"COPY core_searchdocument ({columns}) FROM STDIN") as copy:
        for kind, object_id, a, v in rows:
            copy.write_row((kind, object_id, v["title"], v["body"], v["keywords"],
                            json.dumps(v["facets"], ensure_ascii=False), v["facet_text"],
                            json.dumps(v["phrases"], ensure_ascii=False), v["popularity"], v["rating"],
                            v["published"], now, storage.vector(a)))


# --- Querying ----------------------------------------------------------------------------------------


@dataclass
class SearchHit:
    kind: str
    object_id: str
    title: str
    title_html: SafeString
    snippet_html: SafeString
    score: float
    facets: dict
    popularity: float
    rating: float
    published: datetime | None


@dataclass
class SearchResult:
    query: ParsedQuery
    total: int
    total_exact: bool
    hits: list[SearchHit]
    facets: dict[str, list[tuple[str, int]]]
    facets_exact: bool  # False: counted over the ranked candidates only
    page: int
    per_page: int
    sort: str
    reachable: int = 0  # how many ranked results can be paged through (at most ZJ_SEARCH_CANDIDATES)
    relaxed: bool = False  # nothing matched every word; these match some of them
    did_you_mean: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.reachable / self.per_page))


@dataclass
class Candidate:
    pk: int
    popularity: float
    rating: float
    title: str
    keywords: str
    body: str | None
    facet_text: str
    relevance: float = 0.0
    score: float = 0.0


# Where a query word occurs, in order of preference.
FIELD_WEIGHTS = {"title": 1.0, "keywords": 0.6, "pinyin": 0.5, "body": 0.2}


def term_relevance(term: tuple[tuple[str, ...], ...], candidate: Candidate, strict: bool) -> tuple[float, int]:
    """(weight of the best field holding the term, title characters it covers).

    With ``strict`` (every term was required) a term found in no stored field must be in the indexed body.
    """
    title, keywords = candidate.title.casefold(), candidate.keywords.casefold()
    for group in term:
        if all(token in title for token in group):
            return FIELD_WEIGHTS["title"], sum(len(token) for token in group)
    for group in term:
        if all(token in keywords for token in group):
            return FIELD_WEIGHTS["keywords"], 0
    if any(not search_text.has_cjk(token) for group in term for token in group):
        return FIELD_WEIGHTS["pinyin"], 0
    if strict:
        return FIELD_WEIGHTS["body"], 0
    body = (candidate.body or "").casefold()
    return (FIELD_WEIGHTS["body"], 0) if any(all(t in body for t in group) for group in term) else (0.0, 0)


def rank(candidates: list[Candidate], terms: list, sort: str, strict: bool) -> list[Candidate]:
    """Score every candidate (see the module docstring) and order them by ``sort``."""
    top_pop = math.log1p(max((c.popularity for c in candidates), default=0)) or 1.0
    for candidate in candidates:
        if terms:
            found = [term_relevance(term, candidate, strict) for term in terms]
            weight = sum(w for w, _ in found) / len(found)
            coverage = min(1.0, sum(chars for _, chars in found) / max(1, len(candidate.title)))
            candidate.relevance = 0.8 * weight + 0.2 * coverage
        candidate.score = (WEIGHTS["relevance"] * candidate.relevance
                           + WEIGHTS["popularity"] * math.log1p(max(candidate.popularity, 0)) / top_pop
                           + WEIGHTS["rating"] * candidate.rating / 5)
    keys = {
        "relevance": lambda c: (c.score, c.pk),
        "popularity": lambda c: (c.popularity, c.pk),
        # Documents enter the index in publication order, so the newest have the highest ids.
        "newest": lambda c: c.pk,
        "rating": lambda c: (c.rating, c.popularity, c.pk),
    }
    return sorted(candidates, key=keys[sort], reverse=True)


def _candidate_rows(cursor, ids: list[int], with_body: bool) -> list[Candidate]:
    """The candidates' sort values and stored text in one plain query (the ORM is too slow for 500 rows)."""
    body = "substr(body, 1, 1000)" if with_body else "NULL"
    found = []
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        cursor.execute(
            f"SELECT id, popularity, rating, title, keywords, {body}, facet_text FROM core_searchdocument "
            "WHERE id IN (" + ", ".join(["%s"] * len(chunk)) + ")", chunk)
        found.extend(Candidate(*row) for row in cursor.fetchall())
    return found


def search(kind: str, text: str, *, filters: Mapping[str, Sequence[str]] | None = None, sort: str = "relevance",
           page: int = 1, per_page: int = 20, facets: Sequence[str] = ()) -> SearchResult:
    """Find documents of ``kind``. ``filters`` maps facet names to accepted values (any of them);
    ``facets`` names the facets to count. An empty text lists everything that passes the filters."""
    if sort not in SORTS:
        sort = "relevance"
    page = max(1, int(page))
    per_page = max(1, min(int(per_page), 100))
    filters = filters or {}
    query = parse_query(text)
    storage = storage_for()
    relaxed = False
    with connection.cursor() as cursor:
        limit = candidates_limit()
        match = build_match(kind, query, filters)
        ids = storage.candidates(cursor, match, limit)
        if not ids and len(query.terms) > 1:
            relaxed_match = build_match(kind, query.relaxed(), filters)
            ids = storage.candidates(cursor, relaxed_match, limit)
            match, relaxed = relaxed_match, bool(ids)
        # Fewer candidates than the limit are all the matches; otherwise count them (up to COUNT_LIMIT).
        total = len(ids) if len(ids) < limit else storage.count(cursor, match, COUNT_LIMIT + 1)
        candidates = _candidate_rows(cursor, ids, with_body=relaxed)
    terms = [term.alternatives for term in query.terms]
    ranked = rank(candidates, terms, sort, strict=not relaxed)
    start = (page - 1) * per_page
    page_items = ranked[start:start + per_page]
    rows = SearchDocument.objects.in_bulk([c.pk for c in page_items])
    marks = query.marks()
    hits = []
    for candidate in page_items:
        row = rows.get(candidate.pk)
        if row is None:
            continue
        row_marks = marks + pinyin_marks(query, f"{row.title} {row.keywords}")
        hits.append(SearchHit(
            kind=row.kind, object_id=row.object_id, title=row.title, title_html=highlight(row.title, row_marks),
            snippet_html=snippet(row.body or row.keywords, row_marks), score=round(candidate.score, 4),
            facets=row.facets, popularity=row.popularity, rating=row.rating, published=row.published,
        ))
    shown_total = min(total, COUNT_LIMIT)
    result = SearchResult(
        query=query, total=shown_total, total_exact=total <= COUNT_LIMIT, hits=hits,
        facets=count_facets([c.facet_text for c in ranked], facets) if facets else {},
        facets_exact=len(ranked) >= shown_total, page=page, per_page=per_page, sort=sort,
        reachable=len(ranked), relaxed=relaxed,
    )
    if not total and not query.empty:
        result.did_you_mean = did_you_mean(kind, query)
    return result


def count_facets(packed: list[str], names: Sequence[str]) -> dict[str, list[tuple[str, int]]]:
    """Value counts of the named facets over documents' packed facet values."""
    counter: Counter[str] = Counter()
    for text in packed:
        if text:
            counter.update(text.split(ITEM_SEP))
    wanted = set(names)
    counts: dict[str, list[tuple[str, int]]] = {}
    for item, n in counter.most_common():
        name, _sep, value = item.partition(FACET_SEP)
        if name in wanted:
            counts.setdefault(name, []).append((value, n))
    return counts


# --- Suggestions while typing and "did you mean" ------------------------------------------------------


def suggest(kind: str, prefix: str, limit: int = 8) -> list[str]:
    """Phrases starting with what was typed, in Chinese, full pinyin or pinyin initials; weightiest first."""
    folded = "".join(search_text.runs(prefix))[:50]
    if not folded:
        return []
    end = folded + "\U0010ffff"
    keys = ["phrase"] if search_text.has_cjk(folded) else ["pinyin", "initials"]
    found: dict[str, float] = {}
    for key in keys:  # one index range scan each, bounded: the first 200 in key order
        rows = SearchPhrase.objects.filter(kind=kind, **{f"{key}__gte": folded, f"{key}__lt": end})
        found.update(rows.order_by(key).values_list("phrase", "weight")[:200])
    ranked = sorted(found.items(), key=lambda row: (-row[1], len(row[0]), row[0]))
    return [phrase for phrase, _ in ranked[:limit]]


def did_you_mean(kind: str, query: ParsedQuery, limit: int = 5) -> list[str]:
    """Phrases close to a query that found nothing: those starting with its first word or its pinyin."""
    found: list[str] = []
    for term in query.terms:
        for candidate in (term.text, search_text.pinyin_of(term.text)[0]):
            for phrase in suggest(kind, candidate[:4], limit):
                if phrase not in found and phrase != query.text:
                    found.append(phrase)
        if len(found) >= limit:
            break
    return found[:limit]


# --- Highlighting ------------------------------------------------------------------------------------


def pinyin_marks(query: ParsedQuery, text: str) -> list[str]:
    """Chinese words of ``text`` that a pinyin term of the query matched (shuxue → 数学)."""
    latin = {token for term in query.terms for group in term.alternatives for token in group
             if not search_text.has_cjk(token)}
    if not latin:
        return []
    marks = []
    for run in search_text.runs(text):
        chinese = [w for w in search_text.words(run) if search_text.has_cjk(w)]
        for start in range(len(chinese)):
            for end in range(start + 1, min(start + 3, len(chinese)) + 1):
                phrase = "".join(chinese[start:end])
                if set(search_text.pinyin_of(phrase)) & latin:
                    marks.append(phrase)
    return marks


def _spans(text: str, marks: Sequence[str]) -> list[tuple[int, int]]:
    marks = [m for m in dict.fromkeys(marks) if m]
    if not marks or not text:
        return []
    pattern = re.compile("|".join(re.escape(m) for m in sorted(marks, key=len, reverse=True)), re.IGNORECASE)
    return [m.span() for m in pattern.finditer(text)]


def highlight(text: str, marks: Sequence[str]) -> SafeString:
    """``text`` with every mark wrapped in ``<mark>``; everything else HTML-escaped."""
    out, last = [], 0
    for start, end in _spans(text, marks):
        out.append(html.escape(text[last:start]))
        out.append("<mark>" + html.escape(text[start:end]) + "</mark>")
        last = end
    out.append(html.escape(text[last:]))
    return mark_safe("".join(out))


def snippet(text: str, marks: Sequence[str], width: int = 90) -> SafeString:
    """About ``width`` characters of ``text`` around the first mark, highlighted and escaped."""
    text = " ".join((text or "").split())
    spans = _spans(text, marks)
    start = max(0, spans[0][0] - width // 3) if spans else 0
    end = min(len(text), start + width)
    piece = highlight(text[start:end], marks)
    return mark_safe(("…" if start else "") + piece + ("…" if end < len(text) else ""))
