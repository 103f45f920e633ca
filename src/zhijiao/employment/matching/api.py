"""JSON API of job matching (mounted at /api/v1/employment/match): job search (public), recommendations and
the push inbox (the signed-in graduate), recommended candidates (a verified employer's HR)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Query, Router, Schema

from zhijiao.employment.matching import recommend, search, selectors, services
from zhijiao.identity.api_auth import BearerAuth, SessionAuth

router = Router(tags=["employment-matching"])


def _anonymous(request):
    """Lets public reads through without credentials."""
    return request.user


PUBLIC = [BearerAuth(), SessionAuth(), _anonymous]


class JobQuery(Schema):
    q: str = Field("", max_length=100, description="Words (all must match), pinyin, -word to exclude")
    region: list[str] = Field([], description="GB/T 2260 code of a province, city or county (330000, 330100, 330106)")
    industry: list[str] = Field([], description="Industry section letter (I) or division code (65)")
    occupation: list[str] = Field([], description="Occupation code at any level (2, 2-02, 2-02-10)")
    salary_min: str = Field("", description="Monthly yuan: jobs whose range reaches this")
    salary_max: str = Field("", description="Monthly yuan: jobs whose range starts at or below this")
    education: str = Field("", description="The searcher's degree level: jobs asking for it or less")
    major: list[str] = Field([], description="Major id at any catalogue level; jobs open to it")
    employer_type: list[str] = Field([])
    job_type: list[str] = Field([])
    sort: str = Field("relevance", description="relevance, newest or salary")
    page: str = Field("1")


class JobOut(Schema):
    job_id: int
    title: str
    title_html: str = Field(description="HTML-escaped title with the matched words in <mark>")
    snippet_html: str
    employer_name: str
    employer_type: str
    region_code: str
    job_type: str
    education_rank: int = Field(description="0 any, 1 专科, 2 本科, 3 硕士, 4 博士")
    salary_min: int
    salary_max: int
    deadline: date | None
    published_at: datetime


class JobPage(Schema):
    total: int
    total_exact: bool
    page: int
    pages: int
    relaxed: bool
    results: list[JobOut]


@router.get("/jobs", response=JobPage, auth=PUBLIC, summary="Search open jobs (岗位搜索)")
def jobs(request, params: Query[JobQuery]):
    filters = search.parse_filters(params.dict())
    result = search.search_jobs(filters)
    return {"total": result.total, "total_exact": result.total_exact, "page": filters.page, "pages": result.pages,
            "relaxed": result.relaxed, "results": [hit.__dict__ for hit in result.hits]}


class ReasonOut(Schema):
    component: str = Field(description="major, region, skills, salary, occupation, industry, job_type, education")
    text: str


class RecommendationOut(Schema):
    job_id: int
    title: str
    employer_name: str
    region_code: str
    salary_min: int
    salary_max: int
    job_type: str
    score: float
    reason: str = Field(description="推荐理由: the contributing components, joined")
    reasons: list[ReasonOut]


def _reasons(found) -> list[dict]:
    return [{"component": key, "text": text} for key, text in found]


@router.get("/recommendations", response=list[RecommendationOut], summary="Jobs recommended for the signed-in graduate")
def recommendations(request):
    profile = recommend.profile_for(request.auth)
    if profile is None:
        return []
    return [{**r.__dict__, "reason": r.reason, "reasons": _reasons(r.reasons)} for r in recommend.recommend(profile)]


class PushItemOut(Schema):
    id: int
    job_id: int
    title: str
    day: date
    score: float
    reason: str
    read: bool


class InboxOut(Schema):
    unread: int
    items: list[PushItemOut]


@router.get("/inbox", response=InboxOut, summary="Jobs pushed to the signed-in graduate (每日推送)")
def inbox(request, limit: int = Query(50, ge=1, le=200)):
    items = selectors.inbox(request.auth)[:limit]
    return {"unread": selectors.unread_count(request.auth), "items": [
        {"id": i.pk, "job_id": i.job_id, "title": i.job.title, "day": i.day, "score": i.score, "reason": i.reason,
         "read": i.read_at is not None} for i in items]}


class ReadIn(Schema):
    ids: list[int] | None = Field(None, description="Items to mark read; all when left out")


class ReadOut(Schema):
    changed: int
    unread: int


@router.post("/inbox/read", response=ReadOut, summary="Mark pushed jobs read")
def inbox_read(request, payload: ReadIn):
    changed = services.mark_read(request.auth, payload.ids)
    return {"changed": changed, "unread": selectors.unread_count(request.auth)}


class CandidateOut(Schema):
    user_id: int
    name: str
    school: str
    major_name: str
    degree_level: str
    graduation_year: int
    headline: str
    skills: list[str]
    score: float
    reason: str
    reasons: list[ReasonOut]


@router.get("/jobs/{int:job_id}/candidates", response=list[CandidateOut],
            summary="Recommended graduates for a job of the caller's verified employer (audited)")
def candidates(request, job_id: int):
    _job, found = services.candidates(request.auth, job_id, request=request)
    return [{**c.__dict__, "reason": c.reason, "reasons": _reasons(c.reasons)} for c in found]
