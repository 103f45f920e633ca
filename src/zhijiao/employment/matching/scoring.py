"""How well a job fits a graduate (人岗匹配), and why (推荐理由).

One scorer serves the graduate's recommendations, the daily push and the employer's candidate list: a
:class:`Profile` (one graduate) against a :class:`JobBatch` (numpy arrays over many jobs) gives one
array per component, each within 0…1, and the weighted sum. A reason lists exactly the components that
scored above zero for that job, with the value that made them score.

Weights (docs/employment-matching.md says why): major fit 0.30, region 0.20, skills 0.15, salary 0.10,
occupation 0.075, industry 0.075, job type 0.05, education 0.05. Education is also a hard condition:
a job asking for more than the graduate's degree is never scored.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _

from zhijiao.core import search_text
from zhijiao.employment.matching import index

WEIGHTS = {"major": 0.30, "region": 0.20, "skills": 0.15, "salary": 0.10, "occupation": 0.075,
           "industry": 0.075, "job_type": 0.05, "education": 0.05}
# Major fit through the catalogue: the major itself > the same 专业类 > the same 门类 > no requirement.
MAJOR_FIT = {"exact": 1.0, "class": 0.75, "category": 0.5, "open": 0.35}
REGION_FIT = {"intention": 1.0, "origin": 0.6}
# Share of the résumé's term weight a job must cover to count as a full skills match.
SKILLS_SATURATION = 0.5
RESUME_TERMS = 60
RESUME_CHARS = 3000


@dataclass
class Profile:
    """What matching knows about one graduate: all of it from the roster, the intention and the résumé."""

    user_id: int
    major_chain: list[int] = field(default_factory=list)  # 专业, 专业类, 门类 (Major ids)
    degree_rank: int = 0
    origin_code: str = ""
    regions: list[str] = field(default_factory=list)  # intention region prefixes (index.region_key)
    job_types: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    occupations: list[str] = field(default_factory=list)
    salary_min: int | None = None
    salary_max: int | None = None
    terms: list[str] = field(default_factory=list)  # résumé words, skills first

    @property
    def has_intention(self) -> bool:
        return bool(self.regions or self.job_types or self.industries or self.occupations
                    or self.salary_min is not None or self.salary_max is not None)


def resume_terms(skills: list[str], text: str) -> list[str]:
    """The résumé's words for similarity: each skill, then the distinct words of its text (two characters
    or more), at most RESUME_TERMS."""
    found = []
    for skill in skills or []:
        found.extend(search_text.words(str(skill)))
    found.extend(search_text.index_tokens((text or "")[:RESUME_CHARS]))
    return [t for t in dict.fromkeys(found) if len(t) > 1][:RESUME_TERMS]


def _region_int(code: str) -> int:
    return int(code) if code and code.isdigit() and len(code) == 6 else 0


class JobBatch:
    """Many jobs as arrays, built once and scored against many profiles (the push scores one batch
    against a whole chunk of graduates)."""

    def __init__(self, rows: list[dict]):
        self.rows = rows
        n = self.n = len(rows)
        region = np.array([_region_int(r["region_code"]) for r in rows], dtype=np.int64)
        self.region = {6: region, 4: region // 100, 2: region // 10000}
        self.education = np.array([r["education_rank"] for r in rows], dtype=np.int64)
        self.salary_min = np.array([r["salary_min"] for r in rows], dtype=np.int64)
        self.salary_max = np.array([r["salary_max"] for r in rows], dtype=np.int64)
        self.job_type = np.array([r["job_type"] for r in rows], dtype=object)
        self.industry = np.array([r["industry_code"] for r in rows], dtype=object)
        self.section = np.array([r.get("industry_section", "") for r in rows], dtype=object)
        occupation_levels = [index.occupation_prefixes(r["occupation_code"]) for r in rows]
        self.occupation = [np.array([(levels[i] if len(levels) > i else "") for levels in occupation_levels],
                                    dtype=object) for i in range(3)]
        wanted_jobs, wanted_ids, any_jobs, any_ids = [], [], [], []
        for i, r in enumerate(rows):
            for major_id in r["majors"]:
                wanted_jobs.append(i)
                wanted_ids.append(major_id)
            for ancestor in r.get("major_ancestors", ()):
                any_jobs.append(i)
                any_ids.append(ancestor)
        self.wanted = (np.array(wanted_jobs, dtype=np.int64), np.array(wanted_ids, dtype=np.int64))
        # Wanted majors and every class and category above them.
        self.related = (np.array(wanted_jobs + any_jobs, dtype=np.int64), np.array(wanted_ids + any_ids, dtype=np.int64))
        self.open_majors = np.array([not r["majors"] for r in rows], dtype=bool)
        self._postings: dict[str, np.ndarray] | None = None
        self.size = n

    def postings(self) -> dict[str, np.ndarray]:
        """Term → the jobs holding it (for résumé similarity), built on first use."""
        if self._postings is None:
            lists: dict[str, list[int]] = defaultdict(list)
            for i, r in enumerate(self.rows):
                for term in r["terms"].split():
                    lists[term].append(i)
            self._postings = {t: np.array(v, dtype=np.int64) for t, v in lists.items()}
        return self._postings

    def _mask(self, pairs: tuple[np.ndarray, np.ndarray], major_id: int) -> np.ndarray:
        mask = np.zeros(self.n, dtype=bool)
        jobs, ids = pairs
        if len(ids):
            mask[jobs[ids == major_id]] = True
        return mask

    def score(self, profile: Profile, *, with_skills: bool = True) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
        """(total, components, eligible): eligible is False where the job asks for a higher degree."""
        n = self.n
        parts: dict[str, np.ndarray] = {}
        major = np.where(self.open_majors, MAJOR_FIT["open"], 0.0)
        chain = profile.major_chain
        if len(chain) >= 3:
            major = np.where(self._mask(self.related, chain[2]), MAJOR_FIT["category"], major)
        if len(chain) >= 2:
            major = np.where(self._mask(self.related, chain[1]), MAJOR_FIT["class"], major)
        if chain:
            major = np.where(self._mask(self.wanted, chain[0]), MAJOR_FIT["exact"], major)
        parts["major"] = major
        region = np.zeros(n)
        origin = _region_int(profile.origin_code)
        if origin:
            region = np.where(self.region[2] == origin // 10000, REGION_FIT["origin"], region)
        for key in profile.regions:
            region = np.where(self.region[len(key)] == int(key), REGION_FIT["intention"], region)
        parts["region"] = region
        parts["education"] = (self.education == profile.degree_rank).astype(float) if profile.degree_rank else np.zeros(n)
        salary = np.zeros(n)
        if profile.salary_min is not None or profile.salary_max is not None:
            ok = self.salary_max > 0
            if profile.salary_min is not None:
                ok &= self.salary_max >= profile.salary_min
            if profile.salary_max is not None:
                ok &= self.salary_min <= profile.salary_max
            salary = ok.astype(float)
        parts["salary"] = salary
        parts["job_type"] = (np.isin(self.job_type, profile.job_types).astype(float) if profile.job_types
                             else np.zeros(n))
        if profile.industries:
            parts["industry"] = (np.isin(self.industry, profile.industries)
                                 | np.isin(self.section, profile.industries)).astype(float)
        else:
            parts["industry"] = np.zeros(n)
        occupation = np.zeros(n, dtype=bool)
        for level in self.occupation:
            if profile.occupations:
                occupation |= np.isin(level, profile.occupations)
        parts["occupation"] = occupation.astype(float)
        parts["skills"] = self.skills(profile.terms) if with_skills and profile.terms else np.zeros(n)
        total = sum(WEIGHTS[key] * value for key, value in parts.items())
        eligible = self.education <= profile.degree_rank if profile.degree_rank else self.education == 0
        return total, parts, eligible

    def skills(self, terms: list[str], among=None) -> np.ndarray:
        """Share of the résumé's term weight that each job's words cover (idf over this batch), saturating at
        SKILLS_SATURATION. With ``among`` (job positions), only those jobs are compared; the rest score 0."""
        covered = np.zeros(self.n)
        if among is not None:
            weights = self._idf(terms, among)
            total = sum(weights.values())
            for i in among:
                words = set(self.rows[i]["terms"].split())
                covered[i] = sum(w for t, w in weights.items() if t in words)
        else:
            postings = self.postings()
            weights = {t: math.log(1 + self.n / max(len(postings.get(t, ())), 1)) for t in terms}
            total = sum(weights.values())
            for term, weight in weights.items():
                jobs = postings.get(term)
                if jobs is not None:
                    covered[jobs] += weight
        if not total:
            return covered
        return np.minimum(1.0, covered / total / SKILLS_SATURATION)

    def _idf(self, terms: list[str], among) -> dict[str, float]:
        counts = dict.fromkeys(terms, 0)
        for i in among:
            for word in set(self.rows[i]["terms"].split()) & counts.keys():
                counts[word] += 1
        n = max(len(among), 1)
        return {t: math.log(1 + n / max(c, 1)) for t, c in counts.items()}

    def matched_terms(self, i: int, terms: list[str], limit: int = 3) -> list[str]:
        words = set(self.rows[i]["terms"].split())
        return [t for t in terms if t in words][:limit]


# --- Reasons -----------------------------------------------------------------------------------------


@dataclass
class Names:
    """Display names the reasons need, looked up once per page or chunk."""

    majors: dict[int, str] = field(default_factory=dict)
    regions: dict[str, str] = field(default_factory=dict)
    industries: dict[str, str] = field(default_factory=dict)
    occupations: dict[str, str] = field(default_factory=dict)
    job_types: dict[str, str] = field(default_factory=dict)
    degrees: dict[int, str] = field(default_factory=dict)


def reason_parts(batch: JobBatch, i: int, profile: Profile, parts: dict[str, np.ndarray],
                 names: Names) -> list[tuple[str, str]]:
    """(component, text) for every component that scored for job ``i``, strongest weight first."""
    row = batch.rows[i]
    found: list[tuple[str, str]] = []
    major = parts["major"][i]
    chain = profile.major_chain
    if major == MAJOR_FIT["exact"] and chain:
        found.append(("major", _("Major fit: %(name)s") % {"name": names.majors.get(chain[0], "")}))
    elif major == MAJOR_FIT["class"] and len(chain) > 1:
        found.append(("major", _("Related major (same class): %(name)s") % {"name": names.majors.get(chain[1], "")}))
    elif major == MAJOR_FIT["category"] and len(chain) > 2:
        found.append(("major", _("Same discipline: %(name)s") % {"name": names.majors.get(chain[2], "")}))
    elif major == MAJOR_FIT["open"]:
        found.append(("major", _("Open to every major")))
    region = parts["region"][i]
    if region == REGION_FIT["intention"]:
        key = next((k for k in profile.regions if batch.region[len(k)][i] == int(k)), "")
        found.append(("region", _("Region you want: %(name)s") % {"name": names.regions.get(key, key)}))
    elif region == REGION_FIT["origin"]:
        key = profile.origin_code[:2]
        found.append(("region", _("Near your home (生源地): %(name)s") % {"name": names.regions.get(key, key)}))
    if parts["skills"][i] > 0:
        words = "、".join(batch.matched_terms(i, profile.terms))
        found.append(("skills", _("Skills match: %(words)s") % {"words": words}))
    if parts["salary"][i] > 0:
        found.append(("salary", _("Salary as you hope")))
    if parts["occupation"][i] > 0:
        code = next(c for c in index.occupation_prefixes(row["occupation_code"]) if c in profile.occupations)
        found.append(("occupation", _("Occupation you want: %(name)s") % {"name": names.occupations.get(code, code)}))
    if parts["industry"][i] > 0:
        code = row["industry_code"] if row["industry_code"] in profile.industries else row.get("industry_section", "")
        found.append(("industry", _("Industry you want: %(name)s") % {"name": names.industries.get(code, code)}))
    if parts["job_type"][i] > 0:
        found.append(("job_type", _("Job type you want: %(name)s") % {"name": names.job_types.get(row["job_type"], "")}))
    if parts["education"][i] > 0:
        found.append(("education", _("Asks for your degree: %(name)s") % {
            "name": names.degrees.get(profile.degree_rank, "")}))
    return found


def reason_text(found: list[tuple[str, str]]) -> str:
    return _("; ").join(text for _key, text in found)
