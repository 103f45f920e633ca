"""Job search (岗位检索): Chinese full text with filters and three sorts, answered by the job index.

Everything a search asks is pushed into one inverted-index lookup per *segment*, with ``ORDER BY`` and
``LIMIT`` in SQL, so no query ranks more rows in Python than the page shows:

* **relevance**: three segments, tried in order: every word in the title; every word in the title or the
  tags (occupation, industry, employer, majors) but not all in the title; the rest (some word only in the
  description). Within a segment, newest first. A page that straddles two segments reads both.
* **newest**: one segment, in index order (publication order: no sort at all).
* **salary**: one segment per band of the top of the salary range (index.SORT_BANDS), highest band first,
  each sorted by the salary in SQL (a band holds a fraction of the jobs, so the sort stays small).

Filters are tokens in the same lookup (index.facet_tokens); the exact salary overlap and the deadline are
checked on the joined row, and so are the broad filters (education, job and employer type, salary) when
there is text to search for. Counting stops at 10,000; above 2,000 matches it counts index entries only
(expired rows not yet pruned may be in it), and the page says "about".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhijiao.core.search import facet_token, highlight, snippet
from zhijiao.core.search_text import MAX_QUERY_LENGTH, ParsedQuery, parse_query
from zhijiao.employment.matching import index
from zhijiao.employment.matching.models import JobDoc
from zhijiao.employment.models import DEGREE_RANK, DegreeLevel, EmployerType, JobType

SORTS = {"relevance": gettext_lazy("Relevance"), "newest": gettext_lazy("Newest"),
         "salary": gettext_lazy("Highest salary")}
PER_PAGE = 20
MAX_PAGES = 50
COUNT_LIMIT = 10_000
EXACT_COUNT_LIMIT = 2000
MAX_SALARY = 1_000_000
MAX_VALUES = 20  # values per filter


# --- Filters: parsing what the page or API was given --------------------------------------------------


@dataclass
class JobFilters:
    q: str = ""
    regions: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    occupations: list[str] = field(default_factory=list)
    salary_min: int | None = None
    salary_max: int | None = None
    education: str = ""  # the searcher's degree level: jobs asking for it or less
    majors: list[int] = field(default_factory=list)
    employer_types: list[str] = field(default_factory=list)
    job_types: list[str] = field(default_factory=list)
    sort: str = "relevance"
    page: int = 1

    @property
    def any_filter(self) -> bool:
        return bool(self.regions or self.industries or self.occupations or self.salary_min is not None
                    or self.salary_max is not None or self.education or self.majors or self.employer_types
                    or self.job_types)


def _values(params, key: str) -> list[str]:
    getter = getattr(params, "getlist", None)
    raw = getter(key) if getter else params.get(key, [])
    if isinstance(raw, str):
        raw = [raw]
    found = []
    for item in raw or []:
        found.extend(part.strip() for part in str(item).split(",") if part.strip())
    return list(dict.fromkeys(found))


def _number(text: str | None, name: str, errors: dict) -> int | None:
    if text is None or str(text).strip() == "":
        return None
    text = str(text).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 7 or int(text) > MAX_SALARY:
        errors[name] = _("Enter a whole number of yuan between 0 and %(max)s.") % {"max": f"{MAX_SALARY:,}"}
        return None
    return int(text)


def parse_filters(params) -> JobFilters:
    """Read filters from a QueryDict or a plain dict of strings (or lists of strings). Anything malformed
    raises ValidationError naming the field; nothing is guessed."""
    errors: dict[str, str] = {}
    single = {}
    for key in ("q", "salary_min", "salary_max", "education", "sort", "page"):
        values = _values(params, key) if key != "q" else [str(params.get("q") or "")]
        single[key] = values[-1] if values else ""
    filters = JobFilters(q=" ".join(single["q"].split())[:MAX_QUERY_LENGTH])
    for key in ("region", "industry", "occupation", "major", "employer_type", "job_type"):
        if len(_values(params, key)) > MAX_VALUES:
            errors[key] = _("Choose at most %(n)s values.") % {"n": MAX_VALUES}
    regions = _values(params, "region")[:MAX_VALUES]
    if any(not (r.isascii() and r.isdigit() and len(r) in (2, 4, 6)) for r in regions):
        errors["region"] = _("A region is a division code of 2, 4 or 6 digits (e.g. 330106).")
    else:
        filters.regions = [k for k in dict.fromkeys(index.region_key(r.ljust(6, "0")) for r in regions) if k]
    industries = _values(params, "industry")[:MAX_VALUES]
    if any(not (i.isascii() and i.isalnum() and len(i) <= 4) for i in industries):
        errors["industry"] = _("An industry is a section letter (A–T) or a division code (e.g. 65).")
    else:
        filters.industries = [i.upper() for i in industries]
    occupations = _values(params, "occupation")[:MAX_VALUES]
    if any(not (o.isascii() and len(o) <= 16 and o.replace("-", "").isalnum()) for o in occupations):
        errors["occupation"] = _("An occupation is a code of the occupational classification (e.g. 2-02-10).")
    else:
        filters.occupations = occupations
    majors = _values(params, "major")[:MAX_VALUES]
    if any(not (m.isascii() and m.isdigit() and len(m) <= 9) for m in majors):
        errors["major"] = _("Choose a major from the catalogue.")
    else:
        filters.majors = [int(m) for m in majors]
    employer_types = _values(params, "employer_type")[:MAX_VALUES]
    if any(t not in EmployerType.values for t in employer_types):
        errors["employer_type"] = _("Choose an employer type from the list.")
    else:
        filters.employer_types = employer_types
    job_types = _values(params, "job_type")[:MAX_VALUES]
    if any(t not in JobType.values for t in job_types):
        errors["job_type"] = _("Choose a job type from the list.")
    else:
        filters.job_types = job_types
    if single["education"] and single["education"] not in DegreeLevel.values:
        errors["education"] = _("Choose a degree level from the list.")
    else:
        filters.education = single["education"]
    filters.salary_min = _number(single["salary_min"], "salary_min", errors)
    filters.salary_max = _number(single["salary_max"], "salary_max", errors)
    if filters.salary_min is not None and filters.salary_max is not None and filters.salary_min > filters.salary_max:
        errors["salary_max"] = _("The highest salary must not be below the lowest.")
    if single["sort"] and single["sort"] not in SORTS:
        errors["sort"] = _("Sort by relevance, newest or salary.")
    else:
        filters.sort = single["sort"] or "relevance"
    if single["page"]:
        page = single["page"]
        if not (page.isascii() and page.isdigit()) or not 1 <= int(page[:6]) <= MAX_PAGES or len(page) > 6:
            errors["page"] = _("Pages run from 1 to %(n)s.") % {"n": MAX_PAGES}
        else:
            filters.page = int(page)
    if errors:
        raise ValidationError(errors)
    return filters


# --- Match expressions -------------------------------------------------------------------------------
# A small tree rendered either as an FTS5 query or a tsquery: ("tok", token, columns | None),
# ("and", [...]), ("or", [...]), ("not", wanted, unwanted).


def tok(token: str, columns: tuple[str, ...] | None = None):
    return ("tok", token, columns)


def all_of(items):
    items = [i for i in items if i is not None]
    return items[0] if len(items) == 1 else ("and", items)


def any_of(items):
    items = [i for i in items if i is not None]
    return items[0] if len(items) == 1 else ("or", items)


def facet(name: str, values) -> tuple:
    return any_of([tok(facet_token(name, str(v))) for v in values])


def render_fts(expr) -> str:
    kind = expr[0]
    if kind == "tok":
        quoted = '"' + expr[1].replace('"', '""') + '"'
        return f"{{{' '.join(expr[2])}}} : {quoted}" if expr[2] else quoted
    if kind == "not":
        return f"({render_fts(expr[1])} NOT {render_fts(expr[2])})"
    joiner = " AND " if kind == "and" else " OR "
    return "(" + joiner.join(render_fts(e) for e in expr[1]) + ")"


def render_tsquery(expr) -> str:
    kind = expr[0]
    if kind == "tok":
        quoted = "'" + expr[1].replace("\\", "\\\\").replace("'", "''") + "'"
        return quoted + (":" + "".join(index.WEIGHTS[c] for c in expr[2]) if expr[2] else "")
    if kind == "not":
        return f"({render_tsquery(expr[1])} & !({render_tsquery(expr[2])}))"
    joiner = " & " if kind == "and" else " | "
    return "(" + joiner.join(render_tsquery(e) for e in expr[1]) + ")"


def text_expr(query: ParsedQuery, columns: tuple[str, ...] | None):
    if query.empty:
        return None
    return all_of([any_of([all_of([tok(t, columns) for t in group]) for group in term.alternatives])
                   for term in query.terms])


# Filters that match a large share of all jobs. Beside a text query (which is selective by itself) they are
# checked on the joined row instead: intersecting their long posting lists would cost more than they save.
BROAD = ("education", "job_type", "employer_type", "salary")


def filter_expr(filters: JobFilters, skip: tuple[str, ...] = ()):
    """Every filter as token alternatives (None when there is none), except those named in ``skip``."""
    filters = JobFilters(**{**filters.__dict__, **{k: v for k, v in {
        "education": "" if "education" in skip else filters.education,
        "job_types": [] if "job_type" in skip else filters.job_types,
        "employer_types": [] if "employer_type" in skip else filters.employer_types,
        "salary_min": None if "salary" in skip else filters.salary_min,
        "salary_max": None if "salary" in skip else filters.salary_max}.items()}})
    parts = []
    if filters.regions:
        parts.append(facet("r", filters.regions))
    if filters.industries:
        parts.append(facet("i", filters.industries))
    if filters.occupations:
        parts.append(facet("o", filters.occupations))
    if filters.employer_types:
        parts.append(facet("e", filters.employer_types))
    if filters.job_types:
        parts.append(facet("t", filters.job_types))
    if filters.education:
        parts.append(facet("d", [DEGREE_RANK[filters.education]]))
    if filters.salary_min is not None:
        parts.append(facet("sge", [index.reaches_token(filters.salary_min)]))
    if filters.salary_max is not None:
        parts.append(facet("sle", [index.starts_token(filters.salary_max)]))
    if filters.majors:
        parts.append(major_expr(filters.majors))
    return all_of(parts) if parts else None


def major_expr(major_ids: list[int]):
    """Jobs open to any of these majors: wanting the major itself, a class or category above it (a job for
    计算机类 takes a 计算机科学与技术 graduate), or anything below it (for a class or category)."""
    tree = index.MajorTree.load(major_ids)
    wanted, under = set(), set()
    for major_id in major_ids:
        wanted.update(tree.chain(major_id) or [major_id])
        under.add(major_id)
    return any_of([facet("mw", sorted(wanted)), facet("mu", sorted(under))])


# --- Running expressions -----------------------------------------------------------------------------


class Runner:
    """Fetch and count matches of an expression, with the row checks (deadline, exact salary) in SQL."""

    def __init__(self, filters: JobFilters, today=None, row_checks: tuple[str, ...] = ()):
        self.pg = connection.vendor == "postgresql"
        today = today or timezone.localdate()
        self.checks = ["(d.deadline IS NULL OR d.deadline >= %s)"]
        self.params: list = [connection.ops.adapt_datefield_value(today)]
        if "education" in row_checks and filters.education:
            self.checks.append("d.education_rank <= %s")
            self.params.append(DEGREE_RANK[filters.education])
        for name, column, values in (("job_type", "job_type", filters.job_types),
                                     ("employer_type", "employer_type", filters.employer_types)):
            if name in row_checks and values:
                self.checks.append(f"d.{column} IN ({', '.join(['%s'] * len(values))})")
                self.params.extend(values)
        if filters.salary_min is not None:
            self.checks.append("d.salary_max >= %s")
            self.params.append(filters.salary_min)
        if filters.salary_max is not None:
            self.checks.append("d.salary_min <= %s AND d.salary_max > 0")
            self.params.append(filters.salary_max)

    def _from(self, expr) -> tuple[str, list]:
        checks = " AND ".join(self.checks)
        if self.pg:
            return (f"FROM employment_matching_jobdoc d WHERE d.tsv @@ %s::tsquery AND {checks}",
                    [render_tsquery(expr), *self.params])
        return (f"FROM {index.FTS_TABLE} JOIN employment_matching_jobdoc d ON d.id = {index.FTS_TABLE}.rowid "
                f"WHERE {index.FTS_TABLE} MATCH %s AND {checks}", [render_fts(expr), *self.params])

    def order(self, sort: str) -> str:
        newest = "d.id DESC" if self.pg else f"{index.FTS_TABLE}.rowid DESC"
        return f"d.salary_max DESC, {newest}" if sort == "salary" else newest

    def fetch(self, expr, sort: str, limit: int, offset: int = 0) -> list[int]:
        sql, params = self._from(expr)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT d.id {sql} ORDER BY {self.order(sort)} LIMIT %s OFFSET %s",
                           [*params, limit, offset])
            return [row[0] for row in cursor.fetchall()]

    def count(self, expr, limit: int) -> int:
        sql, params = self._from(expr)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 {sql} LIMIT %s) AS m", [*params, limit])
            return cursor.fetchone()[0]

    def passing_share(self, expr, sample: int = 1000) -> float:
        """Share of the newest ``sample`` index matches that pass the row checks."""
        sql, params = self._from(expr)
        checks = " AND ".join(self.checks)
        where_match = sql.split(" AND " + checks)[0]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*), sum(CASE WHEN {checks} THEN 1 ELSE 0 END) FROM "
                           f"(SELECT d.* {where_match} ORDER BY {self.order('newest')} LIMIT %s) AS d",
                           [*self.params, params[0], sample])
            seen, passed = cursor.fetchone()
        return (passed or 0) / seen if seen else 0.0

    def count_index(self, expr, limit: int) -> int:
        """Index entries only (no row checks): cheap for large counts."""
        with connection.cursor() as cursor:
            if self.pg:
                cursor.execute("SELECT count(*) FROM (SELECT 1 FROM employment_matching_jobdoc WHERE tsv @@ "
                               "%s::tsquery LIMIT %s) AS m", [render_tsquery(expr), limit])
            else:
                cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {index.FTS_TABLE} WHERE {index.FTS_TABLE} "
                               "MATCH %s LIMIT %s)", [render_fts(expr), limit])
            return cursor.fetchone()[0]

    def segments(self, segments: list, sort: str, offset: int, need: int) -> list[int]:
        """The page ``[offset, offset + need)`` of the segments' matches taken one after another."""
        found: list[int] = []
        for segment in segments:
            if need <= 0:
                break
            got = self.fetch(segment, sort, need, offset)
            if offset and not got:
                offset -= self.count(segment, offset)
                continue
            offset = 0
            found.extend(got)
            need -= len(got)
        return found


# --- Searching ---------------------------------------------------------------------------------------


@dataclass
class JobHit:
    job_id: int
    title: str
    title_html: str
    snippet_html: str
    employer_name: str
    employer_type: str
    region_code: str
    job_type: str
    education_rank: int
    salary_min: int
    salary_max: int
    deadline: object
    published_at: object


@dataclass
class JobSearchResult:
    filters: JobFilters
    query: ParsedQuery
    total: int
    total_exact: bool
    hits: list[JobHit]
    relaxed: bool = False

    @property
    def pages(self) -> int:
        return max(1, min(MAX_PAGES, math.ceil(self.total / PER_PAGE)))


def segments_for(query: ParsedQuery, filters: JobFilters, skip: tuple[str, ...] = ()) -> tuple[list, object]:
    """The segments a sort reads, and the expression of all matches (for counting)."""
    where = filter_expr(filters, skip)
    everything = all_of([text_expr(query, None), where]) if (where or not query.empty) else tok(facet_token("all", "1"))
    excluded = any_of([tok(t) for t in query.excluded]) if query.excluded else None

    def without_excluded(expr):
        return ("not", expr, excluded) if excluded is not None else expr

    if filters.sort == "salary":
        bands = range(len(index.SORT_BANDS) - 1, -1, -1)
        return [without_excluded(all_of([everything, facet("sm", [b])])) for b in bands], without_excluded(everything)
    if filters.sort == "newest" or query.empty:
        return [without_excluded(everything)], without_excluded(everything)
    in_title = all_of([text_expr(query, ("title",)), where])
    in_tags = all_of([text_expr(query, ("title", "tags")), where])
    tiers = [in_title, ("not", in_tags, in_title), ("not", everything, in_tags)]
    return [without_excluded(t) for t in tiers], without_excluded(everything)


def search_jobs(filters: JobFilters, *, per_page: int = PER_PAGE, today=None) -> JobSearchResult:
    """One page of open jobs matching ``filters``, in the order ``filters.sort`` asks for."""
    query = parse_query(filters.q)
    skip = BROAD if not query.empty else ()
    runner = Runner(filters, today, skip)
    segments, everything = segments_for(query, filters, skip)
    offset = (min(filters.page, MAX_PAGES) - 1) * per_page
    ids = runner.segments(segments, filters.sort, offset, per_page)
    relaxed = False
    if not ids and filters.page == 1 and len(query.terms) > 1:
        relaxed_query = query.relaxed()
        segments, everything = segments_for(relaxed_query, JobFilters(**{**filters.__dict__, "sort": "newest"}),
                                            skip)
        ids = runner.segments(segments, "newest", 0, per_page)
        relaxed = bool(ids)
    total, exact = _total(runner, everything, ids, offset, per_page)
    return JobSearchResult(filters=filters, query=query, total=total, total_exact=exact,
                           hits=_hits(ids, query), relaxed=relaxed)


def _total(runner: Runner, everything, ids: list[int], offset: int, per_page: int) -> tuple[int, bool]:
    if len(ids) < per_page and (ids or not offset):  # the last page: everything is in sight
        return offset + len(ids), True
    in_index = runner.count_index(everything, COUNT_LIMIT + 1)
    if in_index <= EXACT_COUNT_LIMIT:
        return runner.count(everything, EXACT_COUNT_LIMIT + 1), True
    # Many matches: the index count, scaled by the share of the newest matches that pass the row checks.
    return min(round(in_index * runner.passing_share(everything)), COUNT_LIMIT), False


def _hits(doc_ids: list[int], query: ParsedQuery) -> list[JobHit]:
    rows = JobDoc.objects.in_bulk(doc_ids)
    marks = query.marks()
    hits = []
    for pk in doc_ids:
        doc = rows.get(pk)
        if doc is None:
            continue
        hits.append(JobHit(
            job_id=doc.job_id, title=doc.title, title_html=highlight(doc.title, marks),
            snippet_html=snippet(doc.snippet, marks), employer_name=doc.employer_name,
            employer_type=doc.employer_type, region_code=doc.region_code, job_type=doc.job_type,
            education_rank=doc.education_rank, salary_min=doc.salary_min, salary_max=doc.salary_max,
            deadline=doc.deadline, published_at=doc.published_at))
    return hits
