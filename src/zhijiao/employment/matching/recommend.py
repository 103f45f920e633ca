"""Recommendations (岗位推荐) for a graduate, and recommended candidates (人才推荐) for an employer's job.

Graduate → jobs: a bounded set of candidate jobs comes from the job index by its filter tokens (education
the graduate meets, combined with the major's place in the catalogue, the intention's regions, occupations
and industries), newest first, at most a few hundred per probe; scoring.JobBatch scores them together and
the best 20 are shown with their reasons.

Job → graduates (for a verified employer): graduates whose résumé is visible to employers, whose degree
meets the job's requirement and whose major the job takes, newest graduating class first; each is scored
with the same scorer against the one job. Nothing here reads difficulty flags.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from django.db import connection
from django.db.models import Q

from zhijiao.core.search import facet_token
from zhijiao.employment import regions
from zhijiao.employment.matching import index, scoring
from zhijiao.employment.matching.models import JobDoc
from zhijiao.employment.matching.search import JobFilters, Runner, all_of, any_of, facet, tok
from zhijiao.employment.models import (
    DEGREE_RANK,
    DegreeLevel,
    GraduateRecord,
    Industry,
    JobIntention,
    JobType,
    Occupation,
    Resume,
    ResumeVisibility,
)
from zhijiao.resources.models import Major

TOP = 20
PROBE_LIMIT = 200  # candidates per probe of the index
DOC_FIELDS = ("id", "job_id", "title", "employer_name", "employer_type", "region_code", "industry_code",
              "occupation_code", "job_type", "education_rank", "salary_min", "salary_max", "majors", "terms",
              "deadline", "published_at", "headcount")


# --- Profiles ----------------------------------------------------------------------------------------


def profile_from(record: dict, intention: dict | None, terms: list[str], tree: index.MajorTree) -> scoring.Profile:
    intention = intention or {}
    return scoring.Profile(
        user_id=record["user_id"],
        major_chain=tree.chain(record["major_id"]) if record.get("major_id") else [],
        degree_rank=DEGREE_RANK.get(record.get("degree_level"), 0),
        origin_code=record.get("origin_code") or "",
        regions=[k for k in dict.fromkeys(index.region_key(str(c)) for c in intention.get("region_codes") or []) if k],
        job_types=list(intention.get("job_types") or []),
        industries=[str(c) for c in intention.get("industry_codes") or []],
        occupations=[str(c) for c in intention.get("occupation_codes") or []],
        salary_min=intention.get("salary_min"),
        salary_max=intention.get("salary_max"),
        terms=terms,
    )


INTENTION_FIELDS = ("user_id", "region_codes", "job_types", "industry_codes", "occupation_codes", "salary_min",
                    "salary_max")
RECORD_FIELDS = ("user_id", "major_id", "degree_level", "origin_code")


def profile_for(user) -> scoring.Profile | None:
    """The graduate's profile, or None for someone without a graduate record."""
    record = GraduateRecord.objects.filter(user=user).values(*RECORD_FIELDS).first()
    if record is None:
        return None
    intention = JobIntention.objects.filter(user=user).values(*INTENTION_FIELDS).first()
    resume = Resume.objects.filter(user=user).values("skills", "search_text", "headline", "summary").first()
    terms = []
    if resume:
        terms = scoring.resume_terms(resume["skills"], resume["search_text"] or f"{resume['headline']} {resume['summary']}")
    return profile_from(record, intention, terms, index.MajorTree.cached())


# --- Job batches from index rows ---------------------------------------------------------------------


@lru_cache(maxsize=1)
def _sections() -> dict[str, str]:
    """Division code → its section letter (reference data loaded by migration; a section maps to itself)."""
    return {code: parent or code for code, parent in Industry.objects.values_list("code", "parent__code")}


def industry_sections(codes) -> dict[str, str]:
    known = _sections()
    return {c: known.get(c, c) for c in codes if c}


def batch_from_rows(rows: list[dict], tree: index.MajorTree | None = None) -> scoring.JobBatch:
    """A JobBatch of JobDoc rows (dicts with DOC_FIELDS): adds sections and the majors' ancestors."""
    tree = tree or index.MajorTree.cached()
    sections = _sections()
    for r in rows:
        r["industry_section"] = sections.get(r["industry_code"], r["industry_code"])
        r["major_ancestors"] = tree.ancestors(r["majors"])
    return scoring.JobBatch(rows)


def names_for(profile: scoring.Profile, batch: scoring.JobBatch) -> scoring.Names:
    """Names of the profile's major chain and regions, and the industries and occupations it wants."""
    majors = dict(Major.objects.filter(pk__in=profile.major_chain).values_list("pk", "name"))
    keys = set(profile.regions) | ({profile.origin_code[:2]} if profile.origin_code else set())
    regions = region_names(keys)
    industries = dict(Industry.objects.filter(code__in=profile.industries).values_list("code", "name"))
    occupations = dict(Occupation.objects.filter(code__in=profile.occupations).values_list("code", "name"))
    degrees = {DEGREE_RANK[value]: label for value, label in DegreeLevel.choices}
    return scoring.Names(majors=majors, regions=regions, industries=industries, occupations=occupations,
                         job_types=dict(JobType.choices), degrees=degrees)


def region_names(keys) -> dict[str, str]:
    """Region prefix (33, 3301, 330106) → the division's name."""
    return {key: regions.name(key) for key in keys if key}


# --- Graduate → jobs ---------------------------------------------------------------------------------


@dataclass
class Recommendation:
    job_id: int
    title: str
    employer_name: str
    region_code: str
    salary_min: int
    salary_max: int
    job_type: str
    score: float
    reasons: list[tuple[str, str]]

    @property
    def reason(self) -> str:
        return scoring.reason_text(self.reasons)

    @property
    def components(self) -> list[str]:
        return [key for key, _text in self.reasons]


def probes(profile: scoring.Profile) -> list:
    """Index expressions whose newest matches make the candidate set (each bounded by PROBE_LIMIT)."""
    education = facet("d", [profile.degree_rank])
    chain = profile.major_chain
    # The major or a class / category above it; then the same 专业类; then the same 门类.
    majors = [facet("mw", chain)] + [facet("mu", [a]) for a in chain[1:]] if chain else []
    regions = facet("r", profile.regions) if profile.regions else None
    origin = facet("r", [profile.origin_code[:2]]) if len(profile.origin_code) >= 2 else None
    wishes = [facet("o", profile.occupations) if profile.occupations else None,
              facet("i", profile.industries) if profile.industries else None,
              facet("t", profile.job_types) if profile.job_types else None]
    wish = any_of(wishes) if any(w is not None for w in wishes) else None
    open_majors = tok(facet_token("mw", "none"))
    found = []
    for place in (regions, origin, None):
        for major in majors[:2] if place is None else majors:
            found.append(all_of([education, major, place]))
        if wish is not None:
            found.append(all_of([education, open_majors, wish, place]))
            if place is not None:
                found.append(all_of([education, place, wish]))
        elif place is not None:
            found.append(all_of([education, open_majors, place]))
    if not found:
        found.append(education)
    unique = []
    for expr in found:
        if expr not in unique:
            unique.append(expr)
    return unique


CANDIDATE_COLUMNS = ("id", "job_id", "title", "employer_name", "employer_type", "region_code", "industry_code",
                     "occupation_code", "job_type", "education_rank", "salary_min", "salary_max", "majors")


def candidate_rows(profile: scoring.Profile, *, limit: int = PROBE_LIMIT) -> list[dict]:
    """The candidates' index rows, read with one plain query (the ORM's per-row work would cost more than
    the scoring); ``terms`` is filled in later, only for the jobs that can still reach the top."""
    runner = Runner(JobFilters())
    ids: dict[int, None] = {}
    for expr in probes(profile):
        ids.update(dict.fromkeys(runner.fetch(expr, "newest", limit)))
    return rows_by_id(list(ids))


def rows_by_id(ids: list[int]) -> list[dict]:
    found = []
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            cursor.execute(f"SELECT {', '.join(CANDIDATE_COLUMNS)} FROM employment_matching_jobdoc WHERE id IN "
                           f"({', '.join(['%s'] * len(chunk))})", chunk)
            for row in cursor.fetchall():
                item = dict(zip(CANDIDATE_COLUMNS, row, strict=True))
                majors = item["majors"]
                item["majors"] = json.loads(majors) if isinstance(majors, str) else list(majors or [])
                item["terms"] = ""
                found.append(item)
    found.sort(key=lambda r: r["id"])
    return found


def _fill_terms(rows: list[dict], chosen) -> None:
    wanted = {rows[i]["id"]: i for i in chosen}
    for pk, terms in JobDoc.objects.filter(pk__in=list(wanted)).values_list("id", "terms"):
        rows[wanted[pk]]["terms"] = terms


def recommend(profile: scoring.Profile, *, top: int = TOP) -> list[Recommendation]:
    rows = candidate_rows(profile)
    if not rows:
        return []
    batch = batch_from_rows(rows)
    total, parts, eligible = batch.score(profile, with_skills=False)
    total = np.where(eligible, total, -1.0)
    if profile.terms:
        # Skills can add at most their weight: only jobs within that of the top-th score can still enter.
        cut = np.sort(total)[-top] - scoring.WEIGHTS["skills"] if len(total) >= top else -1.0
        hopeful = np.flatnonzero((total >= cut) & eligible)
        _fill_terms(rows, hopeful)
        skills = batch.skills(profile.terms, hopeful)
        parts["skills"] = skills
        total = total + scoring.WEIGHTS["skills"] * skills
    newest = np.array([r["id"] for r in rows], dtype=np.float64)
    order = np.lexsort((-newest, -np.round(total, 6)))
    names = names_for(profile, batch)
    found = []
    for i in order[:top]:
        if total[i] <= 0:
            break
        row = rows[i]
        found.append(Recommendation(
            job_id=row["job_id"], title=row["title"], employer_name=row["employer_name"],
            region_code=row["region_code"], salary_min=row["salary_min"], salary_max=row["salary_max"],
            job_type=row["job_type"], score=round(float(total[i]), 4),
            reasons=scoring.reason_parts(batch, i, profile, parts, names)))
    return found


# --- Job → graduates (for employers) -----------------------------------------------------------------


@dataclass
class Candidate:
    """A graduate as an employer sees them in the recommended list: no contact data, no difficulty flag."""

    user_id: int
    name: str
    school: str
    major_name: str
    degree_level: str
    graduation_year: int
    headline: str
    skills: list[str]
    score: float
    reasons: list[tuple[str, str]]

    @property
    def reason(self) -> str:
        return scoring.reason_text(self.reasons)


CANDIDATE_LIMIT = 300


def candidates_for_job(doc: JobDoc, *, top: int = TOP) -> list[Candidate]:
    """Graduates who made their résumé visible to verified employers, best fit for the job first."""
    row = {f: getattr(doc, f) for f in DOC_FIELDS}
    batch = batch_from_rows([row])
    allowed = [level for level, rank in DEGREE_RANK.items() if rank >= doc.education_rank]
    graduates = GraduateRecord.objects.filter(
        degree_level__in=allowed, user__resume__visibility=ResumeVisibility.EMPLOYERS, user__is_active=True)
    if doc.majors:
        related = set(doc.majors)
        for major_id in doc.majors:  # a class or category wanted takes every major below it
            related.update(Major.objects.filter(Q(parent_id=major_id) | Q(parent__parent_id=major_id))
                           .values_list("pk", flat=True))
        graduates = graduates.filter(major_id__in=related)
    records = list(graduates.order_by("-graduation_year", "-pk").values(
        *RECORD_FIELDS, "school__name", "major_name", "graduation_year", "user__real_name")[:CANDIDATE_LIMIT])
    users = [r["user_id"] for r in records]
    intentions = {i["user_id"]: i for i in JobIntention.objects.filter(user_id__in=users).values(*INTENTION_FIELDS)}
    resumes = {r["user_id"]: r for r in Resume.objects.filter(user_id__in=users).values(
        "user_id", "skills", "search_text", "headline")}
    tree = index.MajorTree.cached()
    scored = []
    for record in records:
        resume = resumes.get(record["user_id"], {})
        terms = scoring.resume_terms(resume.get("skills") or [], resume.get("search_text") or "")
        profile = profile_from(record, intentions.get(record["user_id"]), terms, tree)
        total, parts, eligible = batch.score(profile)
        if not eligible[0]:
            continue
        scored.append((float(total[0]), record, resume, profile, parts))
    scored.sort(key=lambda item: (-round(item[0], 6), -item[1]["graduation_year"], -item[1]["user_id"]))
    found = []
    for score, record, resume, profile, parts in scored[:top]:
        names = names_for(profile, batch)
        found.append(Candidate(
            user_id=record["user_id"], name=record["user__real_name"], school=record["school__name"],
            major_name=record["major_name"], degree_level=record["degree_level"],
            graduation_year=record["graduation_year"], headline=resume.get("headline", ""),
            skills=list(resume.get("skills") or [])[:8], score=round(score, 4),
            reasons=scoring.reason_parts(batch, 0, profile, parts, names)))
    return found
