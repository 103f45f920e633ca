"""The job search index (岗位检索索引): one :class:`JobDoc` row and one inverted-index entry per open job.

A job is in the index exactly when it is published and its employer is verified; :func:`sync_job` makes it
so after any change (the ``job_published`` signal, ``post_save`` of Job and Employer, see apps.py), and
:func:`reindex_all` rebuilds everything (``zj reindex-jobs``). Whether the deadline has passed is checked
at query time, and :func:`prune_expired` drops expired rows once a day (the push runs it).

Text analysis is core's (``zhijiao.core.search_text``): the same segmentation, pinyin and query parser as
every other search box. Filters become opaque tokens (``core.search.facet_token``) in the ``facets``
column, so text and filters are answered by one inverted-index lookup; the tokens are listed in
:func:`facet_tokens`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection, models, transaction
from django.utils import timezone

from zhijiao.core import search_text
from zhijiao.core.search import facet_token
from zhijiao.employment.matching.models import JobDoc
from zhijiao.employment.models import DEGREE_RANK, Employer, EmployerState, Job, JobState
from zhijiao.resources.models import Major

FTS_TABLE = "employment_matching_fts"
_SENTENCE_END = re.compile(r"(?<=[。！？；\n])")
DESCRIPTION_INDEXED = 4000  # characters of a description that are searchable
TERMS_KEPT = 120  # distinct words kept for résumé similarity
# Monthly salary thresholds (yuan). A job carries "reaches t" tokens for every threshold up to the top of its
# range and "starts at or below t" tokens for every threshold from its bottom, so a salary filter is one token
# (the nearest threshold) and the exact comparison is then made on the row.
SALARY_STEPS = (3000, 5000, 6000, 8000, 10_000, 12_000, 15_000, 20_000)
# Bands of the top of the range, for the salary sort: each is read and sorted on its own, highest first.
SORT_BANDS = (0, 5000, 8000, 10_000, 12_000, 15_000, 20_000, 30_000)


def band_of(amount: int) -> int:
    """The sort band of a monthly salary."""
    band = 0
    for i, start in enumerate(SORT_BANDS):
        if amount >= start:
            band = i
    return band


def reaches_token(low: int) -> str:
    """The threshold token for "the range reaches ``low``": the highest step not above it ("0": any salary)."""
    steps = [t for t in SALARY_STEPS if t <= low]
    return str(steps[-1]) if steps else "0"


def starts_token(high: int) -> str:
    """The threshold token for "the range starts at or below ``high``": the lowest step not below it."""
    steps = [t for t in SALARY_STEPS if t >= high]
    return str(steps[0]) if steps else "0"


def region_prefixes(code: str) -> list[str]:
    """GB/T 2260 code → the prefixes naming its province, city and county: 330106 → 33, 3301, 330106."""
    code = (code or "")[:6]
    if len(code) < 2 or not code.isdigit():
        return []
    found = [code[:2]]
    if len(code) >= 4 and code[2:4] != "00":
        found.append(code[:4])
    if len(code) == 6 and code[4:6] != "00":
        found.append(code)
    return found


def region_key(code: str) -> str:
    """The one prefix a filter on ``code`` means: its most specific level."""
    prefixes = region_prefixes(code)
    return prefixes[-1] if prefixes else ""


@lru_cache(maxsize=10_000)
def occupation_prefixes(code: str) -> tuple[str, ...]:
    """2-02-10 → 2, 2-02, 2-02-10 (大类, 中类, 小类)."""
    parts = [p for p in (code or "").split("-") if p]
    return tuple("-".join(parts[:i + 1]) for i in range(len(parts)))


def industry_keys(code: str, section: str) -> list[str]:
    return [k for k in dict.fromkeys((section, code)) if k]


_tree_cache: dict = {}


@dataclass
class MajorNode:
    pk: int
    name: str
    parent_id: int | None


class MajorTree:
    """The major catalogue (学科门类 → 专业类 → 专业) as parent links, loaded in one query."""

    def __init__(self, nodes: dict[int, MajorNode]):
        self.nodes = nodes

    @classmethod
    def load(cls, ids: Iterable[int] | None = None) -> MajorTree:
        """The whole catalogue, or only ``ids`` and the classes and categories above them."""
        if ids is None:
            rows = Major.objects.values_list("pk", "name", "parent_id")
            return cls({pk: MajorNode(pk, name, parent) for pk, name, parent in rows})
        nodes: dict[int, MajorNode] = {}
        wanted = set(ids)
        while wanted:
            rows = Major.objects.filter(pk__in=wanted).values_list("pk", "name", "parent_id")
            nodes.update({pk: MajorNode(pk, name, parent) for pk, name, parent in rows})
            wanted = {node.parent_id for node in nodes.values() if node.parent_id} - nodes.keys()
        return cls(nodes)

    @classmethod
    def cached(cls) -> MajorTree:
        """The whole catalogue, kept per process and reloaded when a cheap signature of it changes."""
        signature = tuple(Major.objects.aggregate(n=models.Count("pk"), top=models.Max("pk"),
                                                  parents=models.Sum("parent_id")).values())
        if _tree_cache.get("signature") != signature:
            _tree_cache.update(signature=signature, tree=cls.load())
        return _tree_cache["tree"]

    def ancestors(self, majors) -> list[int]:
        """The classes and categories above the given majors, without repeats (remembered per tree)."""
        key = tuple(majors)
        memo = self.__dict__.setdefault("_ancestors", {})
        if key not in memo:
            memo[key] = list(dict.fromkeys(a for m in key for a in self.chain(m)[1:]))
        return memo[key]

    def chain(self, pk: int) -> list[int]:
        """The major and its ancestors, nearest first (专业, 专业类, 门类)."""
        found = []
        while pk is not None and pk in self.nodes and len(found) < 4:
            found.append(pk)
            pk = self.nodes[pk].parent_id
        return found

    def name(self, pk: int) -> str:
        node = self.nodes.get(pk)
        return node.name if node else ""


# --- What a job looks like to the index ---------------------------------------------------------------


@dataclass
class JobData:
    """A job's fields as the index needs them (from the ORM or straight from bulk rows)."""

    job_id: int
    title: str
    description: str
    employer_id: int
    employer_name: str
    employer_type: str
    region_code: str
    industry_code: str
    industry_section: str
    industry_name: str
    occupation_code: str
    occupation_name: str
    job_type: str
    education: str
    salary_min: int | None
    salary_max: int | None
    major_ids: list[int]
    headcount: int
    deadline: object
    published_at: object


def salary_range(low: int | None, high: int | None) -> tuple[int, int]:
    if low is None and high is None:
        return 0, 0
    low = low if low is not None else high
    high = high if high is not None else low
    return low, max(low, high)


def facet_tokens(data: JobData, majors: MajorTree) -> list[str]:
    """The filter tokens of a job: ``all``; ``r`` region prefixes; ``i`` industry section and division; ``o``
    occupation levels; ``t`` job type; ``e`` employer type; ``d`` every degree rank the job is open to;
    ``sge``/``sle`` salary thresholds reached / started below, and ``sm`` the sort band of the top of the
    range; ``mw`` majors wanted (or ``none``) and ``mu`` the classes and categories above them."""
    rank = DEGREE_RANK.get(data.education, 0)
    pairs = [("all", "1"), ("t", data.job_type), ("e", data.employer_type)]
    pairs += [("d", str(r)) for r in range(rank, 5)]  # open to a graduate of rank r
    pairs += [("r", p) for p in region_prefixes(data.region_code)]
    pairs += [("i", k) for k in industry_keys(data.industry_code, data.industry_section)]
    pairs += [("o", p) for p in occupation_prefixes(data.occupation_code)]
    low, high = salary_range(data.salary_min, data.salary_max)
    if high:
        pairs += [("sge", "0"), ("sle", "0")]
        pairs += [("sge", str(t)) for t in SALARY_STEPS if t <= high]
        pairs += [("sle", str(t)) for t in SALARY_STEPS if t >= low]
    pairs.append(("sm", str(band_of(high))))
    if not data.major_ids:
        pairs.append(("mw", "none"))
    for major_id in data.major_ids:
        chain = majors.chain(major_id)
        pairs.append(("mw", str(major_id)))
        pairs += [("mu", str(a)) for a in chain[1:]]
    return list(dict.fromkeys(facet_token(name, value) for name, value in pairs))


@dataclass
class Analysed:
    title: str
    tags: str
    body: str
    facets: str
    terms: str


@lru_cache(maxsize=50_000)
def _title_tokens(title: str) -> tuple[tuple[str, ...], str]:
    tokens = tuple(search_text.index_tokens(title))
    return tokens, " ".join(dict.fromkeys(tokens + tuple(search_text.pinyin_tokens(title))))


@lru_cache(maxsize=50_000)
def _tags_tokens(text: str) -> str:
    return " ".join(dict.fromkeys(search_text.index_tokens(text) + search_text.pinyin_words(text)))


@lru_cache(maxsize=100_000)
def _sentence_tokens(sentence: str) -> tuple[str, ...]:
    return tuple(search_text.index_tokens(sentence))


def _body_tokens(text: str) -> list[str]:
    """Tokens of a description, analysed a sentence at a time (postings repeat their sentences a lot)."""
    tokens: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        if sentence:
            tokens.extend(_sentence_tokens(sentence))
    return tokens


def analyse(data: JobData, majors: MajorTree) -> Analysed:
    major_names = [majors.name(m) for m in data.major_ids]
    tags_text = " ".join([data.employer_name, data.occupation_name, data.industry_name, *major_names])
    title_tokens, title = _title_tokens(data.title)
    body_tokens = _body_tokens(data.description[:DESCRIPTION_INDEXED])
    terms = [t for t in dict.fromkeys([*title_tokens, *_sentence_tokens(data.occupation_name), *body_tokens])
             if len(t) > 1]
    return Analysed(
        title=title,
        tags=_tags_tokens(tags_text),
        body=" ".join(dict.fromkeys(body_tokens)),
        facets=" ".join(facet_tokens(data, majors)),
        terms=" ".join(terms[:TERMS_KEPT]),
    )


def doc_values(data: JobData, analysed: Analysed) -> dict:
    low, high = salary_range(data.salary_min, data.salary_max)
    description = " ".join(data.description.split())
    return {
        "job_id": data.job_id, "employer_id": data.employer_id, "title": data.title[:100],
        "employer_name": data.employer_name[:200], "employer_type": data.employer_type,
        "region_code": data.region_code[:6], "industry_code": data.industry_code or data.industry_section,
        "occupation_code": data.occupation_code, "job_type": data.job_type,
        "education_rank": DEGREE_RANK.get(data.education, 0), "salary_min": low, "salary_max": high,
        "majors": list(data.major_ids), "headcount": data.headcount, "deadline": data.deadline,
        "published_at": data.published_at, "terms": analysed.terms, "snippet": description[:300],
    }


# --- Storage: FTS5 on SQLite, a weighted tsvector on PostgreSQL ----------------------------------------

COLUMNS = ("title", "tags", "body", "facets")
WEIGHTS = {"title": "A", "tags": "B", "body": "C", "facets": "D"}


def _pg_quote(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(analysed: Analysed) -> str:
    """Each lexeme with one position per column it occurs in, weighted A (title) … D (filters)."""
    positions: dict[str, list[str]] = {}
    for number, column in enumerate(COLUMNS, start=1):
        for token in getattr(analysed, column).split():
            positions.setdefault(token, []).append(f"{number}{WEIGHTS[column]}")
    return " ".join(f"{_pg_quote(t)}:{','.join(p)}" for t, p in positions.items())


def _write_index(cursor, rows: list[tuple[int, Analysed]]) -> None:
    if connection.vendor == "sqlite":
        cursor.executemany(f"INSERT INTO {FTS_TABLE} (rowid, title, tags, body, facets) VALUES (%s, %s, %s, %s, %s)",
                           [(pk, a.title, a.tags, a.body, a.facets) for pk, a in rows])
    else:
        cursor.executemany("UPDATE employment_matching_jobdoc SET tsv = %s::tsvector WHERE id = %s",
                           [(tsvector_literal(a), pk) for pk, a in rows])


def _delete_index(cursor, ids: list[int]) -> None:
    if ids and connection.vendor == "sqlite":
        cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk in ids])


# --- Keeping it in sync ------------------------------------------------------------------------------


def _data_for(job: Job) -> JobData:
    employer = job.employer
    industry = job.industry
    section = ""
    if industry is not None:
        section = industry.parent.code if industry.parent_id else industry.code
    return JobData(
        job_id=job.pk, title=job.title, description=job.description, employer_id=employer.pk,
        employer_name=employer.organisation.name, employer_type=employer.employer_type,
        region_code=job.region_code, industry_code=industry.code if industry and industry.parent_id else "",
        industry_section=section, industry_name=industry.name if industry else "",
        occupation_code=job.occupation.code if job.occupation else "",
        occupation_name=job.occupation.name if job.occupation else "", job_type=job.job_type,
        education=job.education, salary_min=job.salary_min, salary_max=job.salary_max,
        major_ids=sorted(m.pk for m in job.majors.all()), headcount=job.headcount, deadline=job.deadline,
        published_at=job.published_at or timezone.now(),
    )


def is_open(job: Job) -> bool:
    """Whether graduates may find the job (the deadline aside: that is checked when searching)."""
    return job.state == JobState.PUBLISHED and job.employer.state == EmployerState.VERIFIED


@transaction.atomic
def sync_job(job_id: int) -> bool:
    """Bring one job's index entry up to date: written when it is open, removed otherwise. A job keeps its
    place in publication order when edited. Returns whether the job is in the index afterwards."""
    job = (Job.objects.select_related("employer__organisation", "industry__parent", "occupation")
           .prefetch_related("majors").filter(pk=job_id).first())
    existing = JobDoc.objects.filter(job_id=job_id).values_list("pk", flat=True).first()
    with connection.cursor() as cursor:
        if job is None or not is_open(job):
            if existing:
                _delete_index(cursor, [existing])
                JobDoc.objects.filter(pk=existing).delete()
            return False
        data = _data_for(job)
        analysed = analyse(data, MajorTree.load(data.major_ids))
        values = doc_values(data, analysed)
        if existing:
            JobDoc.objects.filter(pk=existing).update(**{k: v for k, v in values.items() if k != "job_id"})
            _delete_index(cursor, [existing])
            pk = existing
        else:
            pk = JobDoc.objects.create(**values).pk
        _write_index(cursor, [(pk, analysed)])
    return True


@transaction.atomic
def sync_employer(employer_id: int) -> int:
    """After an employer changed: a verified one's published jobs in the index (re-analysed when its name or
    type changed), everything of one that is not verified out. Returns how many of its jobs are indexed."""
    employer = Employer.objects.select_related("organisation").filter(pk=employer_id).first()
    docs = dict(JobDoc.objects.filter(employer_id=employer_id).values_list("job_id", "pk"))
    if employer is None or employer.state != EmployerState.VERIFIED:
        with connection.cursor() as cursor:
            _delete_index(cursor, list(docs.values()))
        JobDoc.objects.filter(pk__in=list(docs.values())).delete()
        return 0
    stale = set(JobDoc.objects.filter(employer_id=employer_id).exclude(
        employer_name=employer.organisation.name[:200], employer_type=employer.employer_type)
        .values_list("job_id", flat=True))
    published = Job.objects.filter(employer_id=employer_id, state=JobState.PUBLISHED).values_list("pk", flat=True)
    return sum(sync_job(pk) for pk in published if pk not in docs or pk in stale) + len(docs) - len(stale)


@transaction.atomic
def prune_expired(today=None) -> int:
    """Drop rows whose application deadline has passed (searches skip them anyway)."""
    today = today or timezone.localdate()
    ids = list(JobDoc.objects.filter(deadline__lt=today).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 5000):
            _delete_index(cursor, ids[start:start + 5000])
    JobDoc.objects.filter(pk__in=ids).delete()
    return len(ids)


# --- Bulk rebuild ------------------------------------------------------------------------------------


def open_jobs_data(batch_size: int = 5000) -> Iterator[list[JobData]]:
    """Every open job in publication order, a batch at a time, in plain queries (no model instances)."""
    open_jobs = Job.objects.filter(state=JobState.PUBLISHED, employer__state=EmployerState.VERIFIED)
    order = list(open_jobs.order_by("published_at", "pk").values_list("pk", flat=True))
    fields = ("pk", "title", "description", "employer_id", "employer__organisation__name", "employer__employer_type",
              "region_code", "industry__code", "industry__parent_id", "industry__parent__code", "industry__name",
              "occupation__code", "occupation__name", "job_type", "education", "salary_min", "salary_max",
              "headcount", "deadline", "published_at")
    through = Job.majors.through
    for start in range(0, len(order), batch_size):
        ids = order[start:start + batch_size]
        rows = {row[0]: row for row in open_jobs.filter(pk__in=ids).values_list(*fields)}
        majors: dict[int, list[int]] = {}
        for job_id, major_id in through.objects.filter(job_id__in=ids).values_list("job_id", "major_id"):
            majors.setdefault(job_id, []).append(major_id)
        batch = []
        for pk in ids:
            if pk not in rows:
                continue
            (_pk, title, description, employer_id, employer_name, employer_type, region, ind_code, ind_parent,
             ind_parent_code, ind_name, occ_code, occ_name, job_type, education, smin, smax, headcount, deadline,
             published) = rows[pk]
            batch.append(JobData(
                job_id=pk, title=title, description=description, employer_id=employer_id,
                employer_name=employer_name, employer_type=employer_type, region_code=region,
                industry_code=ind_code if ind_parent else "", industry_section=ind_parent_code or ind_code or "",
                industry_name=ind_name or "", occupation_code=occ_code or "", occupation_name=occ_name or "",
                job_type=job_type, education=education, salary_min=smin, salary_max=smax,
                major_ids=sorted(majors.get(pk, [])), headcount=headcount, deadline=deadline,
                published_at=published))
        if batch:
            yield batch


def clear() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DELETE FROM {FTS_TABLE}")
        elif not connection.in_atomic_block:
            # Building the GIN index once at the end beats updating it row by row (not possible inside a
            # transaction that has just deleted rows: PostgreSQL refuses with pending trigger events).
            cursor.execute("DROP INDEX IF EXISTS employment_matching_tsv")
    JobDoc.objects.all().delete()


def write_bulk(batches: Iterable[list[JobData]], *, progress=None) -> int:
    """Append jobs (in publication order) to an index that holds nothing newer. Plain multi-row INSERTs:
    the ORM would spend most of the time building model instances."""
    majors = MajorTree.load()
    fields = [f for f in JobDoc._meta.concrete_fields]
    columns = [f.column for f in fields]
    pg = connection.vendor == "postgresql"
    sql = (f"INSERT INTO employment_matching_jobdoc ({', '.join(columns)}{', tsv' if pg else ''}) "
           f"VALUES ({', '.join(['%s'] * len(columns))}{', %s::tsvector' if pg else ''})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM employment_matching_jobdoc")
        next_id = cursor.fetchone()[0] + 1
    total = 0
    for batch in batches:
        rows, index_rows = [], []
        for data in batch:
            analysed = analyse(data, majors)
            values = doc_values(data, analysed)
            values["id"] = next_id
            row = []
            for f in fields:
                value = values[f.attname] if f.attname in values else values.get(f.name)
                if f.name == "majors":
                    value = f.get_db_prep_value(value, connection)
                elif f.get_internal_type() == "DateTimeField":
                    value = connection.ops.adapt_datetimefield_value(value)
                elif f.get_internal_type() == "DateField":
                    value = connection.ops.adapt_datefield_value(value)
                row.append(value)
            if pg:
                row.append(tsvector_literal(analysed))
            rows.append(tuple(row))
            index_rows.append((next_id, analysed))
            next_id += 1
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
            if not pg:
                _write_index(cursor, index_rows)
        total += len(rows)
        if progress:
            progress(total)
    with connection.cursor() as cursor:
        if pg:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'employment_matching_tsv'")
            if cursor.fetchone() is None:
                cursor.execute("SET maintenance_work_mem = '256MB'")
                cursor.execute("CREATE INDEX employment_matching_tsv ON employment_matching_jobdoc USING gin (tsv)")
                cursor.execute("RESET maintenance_work_mem")
            cursor.execute("ANALYZE employment_matching_jobdoc")
            cursor.execute("SELECT setval(pg_get_serial_sequence('employment_matching_jobdoc', 'id'), "
                           "coalesce(max(id), 1)) FROM employment_matching_jobdoc")
        else:
            cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")
            cursor.execute("ANALYZE employment_matching_jobdoc")
    return total


def reindex_all(*, batch_size: int = 5000, progress=None) -> dict:
    """Rebuild the index from the jobs (``zj reindex-jobs``). Returns the count and seconds taken."""
    started = time.monotonic()
    clear()
    total = write_bulk(open_jobs_data(batch_size), progress=progress)
    return {"jobs": total, "seconds": time.monotonic() - started}
