"""JSON API of the employment service's core, mounted under /api/v1/employment.

Graduates read their verified student status (read-only: there is no write route for it), register their
job intention and keep their résumé; employer HR users register their employer and post jobs; staff verify
employers, decide held postings, import graduate rosters and flag graduates in difficulty; verified
employers and staff query graduate supply. Reference data and published jobs need no sign-in.

No response an employer can receive contains a difficulty flag, an ID number or a place of origin.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from zhijiao.employment import documents, graduate_roster, guidance, regions, selectors, services
from zhijiao.employment import permissions as perms
from zhijiao.employment.models import (
    DifficultyFlag,
    Employer,
    GraduateRecord,
    Industry,
    Job,
    JobIntention,
    JobState,
    Occupation,
    Resume,
)
from zhijiao.identity.api_auth import BearerAuth, SessionAuth
from zhijiao.identity.models import Organisation

router = Router(tags=["employment"])


def _anonymous(request):
    return request.user


PUBLIC = [BearerAuth(), SessionAuth(), _anonymous]


# --- Schemas -----------------------------------------------------------------------------------------


class CodeName(Schema):
    code: str
    name: str


class RecordOut(Schema):
    school: str
    college: str
    class_name: str
    student_number: str
    major_name: str
    major_code: str
    degree_level: str
    graduation_year: int
    verified: bool
    verified_at: datetime


class IntentionIn(Schema):
    job_types: list[str] = []
    industry_codes: list[str] = []
    occupation_codes: list[str] = []
    region_codes: list[str] = []
    salary_min: int | None = None
    salary_max: int | None = None


class IntentionOut(IntentionIn):
    updated_at: datetime


class ResumeItem(Schema):
    title: str = Field("", max_length=100)
    organisation: str = Field("", max_length=100)
    start: str = Field("", max_length=100)
    end: str = Field("", max_length=100)
    description: str = Field("", max_length=2000)


class ResumeSections(Schema):
    internships: list[ResumeItem] = []
    projects: list[ResumeItem] = []
    certificates: list[ResumeItem] = []
    awards: list[ResumeItem] = []


class ResumeIn(Schema):
    headline: str = Field("", max_length=200)
    summary: str = Field("", max_length=5000)
    skills: list[str] = []
    sections: ResumeSections = ResumeSections()
    visibility: str = "applied"


class ResumeOut(Schema):
    graduate_id: int
    name: str
    headline: str
    summary: str
    skills: list[str]
    sections: dict
    visibility: str
    education: RecordOut | None
    updated_at: datetime


class EmployerIn(Schema):
    name: str = Field("", max_length=200)
    credit_code: str = Field("", max_length=40)
    employer_type: str = ""
    industry_code: str = ""
    region_code: str = ""
    address: str = Field("", max_length=200)
    size: str = Field("", max_length=32)
    description: str = Field("", max_length=5000)
    contact_name: str = Field("", max_length=100)
    contact_phone: str = Field("", max_length=30)
    contact_email: str = Field("", max_length=254)


class EmployerOut(Schema):
    id: int
    name: str
    credit_code: str
    employer_type: str
    industry: CodeName | None
    region_code: str
    region_name: str
    address: str
    size: str
    description: str
    contact_name: str
    contact_phone: str  # masked
    state: str
    state_reason: str
    created_at: datetime


class DecisionIn(Schema):
    verify: bool
    reason: str = Field("", max_length=500)


class JobIn(Schema):
    title: str = Field("", max_length=100)
    occupation_code: str = ""
    industry_code: str = ""
    job_type: str = "full_time"
    region_code: str = ""
    salary_min: int | None = None
    salary_max: int | None = None
    education: str = ""
    major_ids: list[int] = []
    headcount: int = 1
    description: str = Field("", max_length=10000)
    deadline: date | None = None


class JobOut(Schema):
    id: int
    title: str
    employer_id: int
    employer_name: str
    employer_type: str
    occupation: CodeName | None
    industry: CodeName | None
    job_type: str
    region_code: str
    region_name: str
    salary_min: int | None
    salary_max: int | None
    education: str
    majors: list[CodeName]
    headcount: int
    description: str
    deadline: date | None
    state: str
    published_at: datetime | None
    review_note: str
    screening_flags: list[dict] | None = None  # the employer's and staff's own view only


class ReviewIn(Schema):
    publish: bool
    note: str = Field("", max_length=500)


class FlagIn(Schema):
    kind: str
    note: str = Field("", max_length=200)


class FlagOut(Schema):
    id: int
    kind: str
    note: str
    flagged_at: datetime


class StaffGraduateOut(Schema):
    id: int
    user_id: int
    name: str
    record: RecordOut
    origin_code: str
    flags: list[FlagOut]


class RowErrorOut(Schema):
    line: int
    field: str
    message: str


class ImportOut(Schema):
    imported: bool
    rows: int
    created: int
    updated: int
    errors: list[RowErrorOut]


class SupplyRowOut(Schema):
    school: str
    major: str
    degree_level: str
    graduation_year: int
    count: int | None
    fewer_than: int | None


class SupplyOut(Schema):
    rows: list[SupplyRowOut]
    suppressed: int
    min_cell: int


class AssessmentItem(Schema):
    number: int
    text: str


class AssessmentIn(Schema):
    answers: list[int] = Field(..., min_length=len(guidance.ITEMS), max_length=len(guidance.ITEMS))


class TypeScoreOut(Schema):
    code: str
    label: str
    score: int
    maximum: int


class AssessmentOut(Schema):
    holland_code: str
    scores: list[TypeScoreOut]
    occupations: list[CodeName]


class OccupationOut(Schema):
    code: str
    name: str
    parent_code: str | None
    description: str


# --- Converters --------------------------------------------------------------------------------------


def _record_out(record: GraduateRecord) -> dict:
    return {"school": record.school.name, "college": record.college.name if record.college else "",
            "class_name": record.class_org.name if record.class_org else "", "student_number": record.student_number,
            "major_name": record.major_name, "major_code": record.major.code if record.major else "",
            "degree_level": record.degree_level, "graduation_year": record.graduation_year, "verified": True,
            "verified_at": record.verified_at}


def _code_name(obj) -> dict | None:
    return {"code": obj.code, "name": obj.name} if obj is not None else None


def _employer_out(employer: Employer) -> dict:
    return {"id": employer.pk, "name": employer.organisation.name, "credit_code": employer.organisation.code,
            "employer_type": employer.employer_type, "industry": _code_name(employer.industry),
            "region_code": employer.region_code, "region_name": regions.full_name(employer.region_code),
            "address": employer.address, "size": employer.size, "description": employer.description,
            "contact_name": employer.contact_name, "contact_phone": services.contact_phone_masked(employer),
            "state": employer.state, "state_reason": employer.state_reason, "created_at": employer.created_at}


def _job_out(job: Job, *, insider: bool = False) -> dict:
    return {"id": job.pk, "title": job.title, "employer_id": job.employer_id,
            "employer_name": job.employer.organisation.name, "employer_type": job.employer.employer_type,
            "occupation": _code_name(job.occupation), "industry": _code_name(job.industry),
            "job_type": job.job_type, "region_code": job.region_code, "region_name": regions.full_name(job.region_code),
            "salary_min": job.salary_min, "salary_max": job.salary_max, "education": job.education,
            "majors": [{"code": m.code, "name": m.name} for m in job.majors.all()], "headcount": job.headcount,
            "description": job.description, "deadline": job.deadline, "state": job.state,
            "published_at": job.published_at, "review_note": job.review_note if insider else "",
            "screening_flags": job.screening_flags if insider else None}


def _resume_out(resume: Resume) -> dict:
    record = services.record_of(resume.user)
    return {"graduate_id": resume.user_id, "name": resume.user.get_full_name(), "headline": resume.headline,
            "summary": resume.summary, "skills": resume.skills, "sections": resume.sections,
            "visibility": resume.visibility, "education": _record_out(record) if record else None,
            "updated_at": resume.updated_at}


def _require_staff(request, capability: str) -> None:
    paths = perms.manage_paths if capability == perms.MANAGE else perms.follow_paths
    if not paths(request.auth):
        raise PermissionDenied


# --- Reference data ----------------------------------------------------------------------------------


@router.get("/industries", response=list[CodeName], auth=PUBLIC, summary="Industry classification (GB/T 4754-2017)")
def industries(request):
    return list(Industry.objects.order_by("code").values("code", "name"))


@router.get("/occupations", response=list[OccupationOut], auth=PUBLIC,
            summary="Occupation classification (职业分类大典) with encyclopedia descriptions")
def occupation_list(request, described: bool = False):
    rows = Occupation.objects.select_related("parent").order_by("code")
    if described:
        rows = rows.exclude(description="")
    return [{"code": o.code, "name": o.name, "parent_code": o.parent.code if o.parent else None,
             "description": o.description} for o in rows]


@router.get("/occupations/{code}", response=OccupationOut, auth=PUBLIC, summary="One occupation (职业百科)")
def occupation_detail(request, code: str):
    o = get_object_or_404(Occupation.objects.select_related("parent"), code=code)
    return {"code": o.code, "name": o.name, "parent_code": o.parent.code if o.parent else None,
            "description": o.description}


@router.get("/majors", response=list[CodeName], auth=PUBLIC, summary="Find majors of the catalogue (for pickers)")
def majors(request, q: str = Query("", max_length=50), limit: int = Query(20, ge=1, le=100)):
    from zhijiao.resources.models import Major, MajorLevel

    rows = Major.objects.filter(level=MajorLevel.MAJOR)
    if q:
        rows = rows.filter(name__contains=q) | rows.filter(code__startswith=q)
    return [{"code": m.code, "name": m.name} for m in rows.order_by("library", "code")[:limit]]


@router.get("/regions/{code}", response=CodeName, auth=PUBLIC, summary="Name a GB/T 2260 division code")
def region(request, code: str):
    if not regions.is_code(code):
        raise ValidationError({"code": _("Enter a division code of 2, 4 or 6 digits (GB/T 2260), e.g. 330106.")})
    return {"code": regions.full_code(code), "name": regions.full_name(code)}


# --- Graduates ---------------------------------------------------------------------------------------


@router.get("/me/record", response=RecordOut, summary="My verified student status (read-only)")
def my_record(request):
    record = services.record_of(request.auth)
    if record is None:
        raise Http404
    return _record_out(record)


@router.get("/me/intention", response=IntentionOut, summary="My job intention")
def my_intention(request):
    services.require_graduate(request.auth)
    return get_object_or_404(JobIntention, user=request.auth)


@router.put("/me/intention", response=IntentionOut, summary="Register or change my job intention")
def put_intention(request, payload: IntentionIn):
    return services.save_intention(request.auth, payload.dict(), request=request)


@router.get("/me/resume", response=ResumeOut, summary="My résumé")
def my_resume(request):
    services.require_graduate(request.auth)
    return _resume_out(get_object_or_404(Resume.objects.select_related("user"), user=request.auth))


@router.put("/me/resume", response=ResumeOut, summary="Write my résumé (education comes from the record)")
def put_resume(request, payload: ResumeIn):
    resume = services.save_resume(request.auth, payload.dict(), request=request)
    return _resume_out(resume)


@router.get("/me/resume/pdf", summary="My résumé as PDF")
def my_resume_pdf(request):
    record = services.require_graduate(request.auth)
    resume = get_object_or_404(Resume.objects.select_related("user"), user=request.auth)
    response = HttpResponse(documents.resume_pdf(resume, record), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="resume.pdf"'
    return response


@router.post("/assessment", response=AssessmentOut, auth=PUBLIC, summary="Score the career-interest assessment")
def assessment(request, payload: AssessmentIn):
    report = guidance.score(dict(enumerate(payload.answers)))
    return {"holland_code": report.holland_code,
            "scores": [{"code": s.code, "label": s.label, "score": s.score, "maximum": s.maximum}
                       for s in report.scores],
            "occupations": [{"code": o.code, "name": o.name} for o in report.occupations]}


@router.get("/assessment/items", response=list[AssessmentItem], auth=PUBLIC, summary="The assessment's statements")
def assessment_items(request):
    return [{"number": i, "text": str(text)} for i, (_kind, text) in enumerate(guidance.ITEMS)]


# --- Employers ---------------------------------------------------------------------------------------


@router.post("/employers", response={201: EmployerOut}, summary="Register an employer (I become its HR user)")
def register_employer(request, payload: EmployerIn):
    employer = services.register_employer(request.auth, payload.dict(), request=request)
    return Status(201, _employer_out(employer))


@router.get("/employers/mine", response=EmployerOut, summary="The employer I act for")
def my_employer(request):
    employer = services.employer_of(request.auth)
    if employer is None:
        raise Http404
    return _employer_out(employer)


@router.get("/employers/pending", response=list[EmployerOut], summary="Employers awaiting my verification")
def pending_employers(request, limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000)):
    _require_staff(request, perms.MANAGE)
    return [_employer_out(e) for e in selectors.pending_employers(request.auth)[offset:offset + limit]]


@router.post("/employers/{employer_id}/decision", response=EmployerOut, summary="Verify or reject an employer")
def decide_employer(request, employer_id: int, payload: DecisionIn):
    employer = get_object_or_404(Employer.objects.select_related("organisation"), pk=employer_id)
    employer = services.decide_employer(request.auth, employer, verify=payload.verify, reason=payload.reason,
                                        request=request)
    return _employer_out(employer)


# --- Jobs --------------------------------------------------------------------------------------------


def _insider(user, job: Job) -> bool:
    return user.is_authenticated and (job.employer.organisation_id in perms.hr_organisation_ids(user)
                                      or perms.can_manage(user, job.employer.organisation.path))


@router.get("/jobs/mine", response=list[JobOut], summary="My employer's postings")
def my_jobs(request, limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000)):
    employer = services.employer_of(request.auth)
    if employer is None:
        return []
    jobs = selectors.jobs_of_employer(employer).select_related("employer__organisation", "industry") \
        .prefetch_related("majors")[offset:offset + limit]
    return [_job_out(j, insider=True) for j in jobs]


@router.get("/jobs/held", response=list[JobOut], summary="Postings held by screening, for staff")
def held_jobs(request, limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000)):
    _require_staff(request, perms.MANAGE)
    jobs = selectors.held_jobs(request.auth).select_related("occupation", "industry").prefetch_related("majors")
    return [_job_out(j, insider=True) for j in jobs[offset:offset + limit]]


@router.get("/jobs/{job_id}", response=JobOut, auth=PUBLIC, summary="A job posting (public once published)")
def job_detail(request, job_id: int):
    job = selectors.job(job_id)
    if job is None or not selectors.can_see_job(request.auth, job):
        raise Http404
    return _job_out(job, insider=_insider(request.auth, job))


@router.post("/jobs", response={201: JobOut}, summary="Create a draft posting (verified employers)")
def create_job(request, payload: JobIn):
    job = services.save_job(request.auth, payload.dict(), request=request)
    return Status(201, _job_out(selectors.job(job.pk), insider=True))


@router.put("/jobs/{job_id}", response=JobOut, summary="Edit a posting (a published one is screened again)")
def edit_job(request, job_id: int, payload: JobIn):
    job = get_object_or_404(Job, pk=job_id)
    if job.employer.organisation_id not in perms.hr_organisation_ids(request.auth):
        raise PermissionDenied
    services.save_job(request.auth, payload.dict(), job=job, request=request)
    return _job_out(selectors.job(job_id), insider=True)


@router.post("/jobs/{job_id}/publish", response=JobOut, summary="Screen and publish (or hold for staff)")
def publish_job(request, job_id: int):
    job = get_object_or_404(Job, pk=job_id)
    services.publish_job(request.auth, job, request=request)
    return _job_out(selectors.job(job_id), insider=True)


@router.post("/jobs/{job_id}/close", response=JobOut, summary="Close a posting")
def close_job(request, job_id: int):
    job = get_object_or_404(Job, pk=job_id)
    services.close_job(request.auth, job, request=request)
    return _job_out(selectors.job(job_id), insider=True)


@router.post("/jobs/{job_id}/review", response=JobOut, summary="Staff decide a held posting")
def review_job(request, job_id: int, payload: ReviewIn):
    job = get_object_or_404(Job, pk=job_id, state__in=[JobState.HELD, JobState.PUBLISHED, JobState.REJECTED])
    services.review_job(request.auth, job, publish=payload.publish, note=payload.note, request=request)
    return _job_out(selectors.job(job_id), insider=True)


@router.get("/resumes/{graduate_id}", response=ResumeOut, summary="A graduate's résumé (verified employers)")
def resume_for_employer(request, graduate_id: int):
    return _resume_out(services.resume_for_employer(request.auth, graduate_id, request=request))


@router.get("/supply", response=SupplyOut, summary="Graduate supply counts (生源信息); cells under 5 suppressed")
def supply(request, year: int | None = Query(None, ge=1990, le=2100), degree_level: str = Query("", max_length=16),
           region_code: str = Query("", max_length=6), major: str = Query("", max_length=50),
           school: str = Query("", max_length=50)):
    if not perms.is_staff(request.auth):
        services.require_verified_employer(request.auth)
    result = selectors.supply(year=year, degree_level=degree_level, region_code=region_code, major=major,
                              school=school)
    return {"rows": [{"school": r.school, "major": r.major, "degree_level": r.degree_level,
                      "graduation_year": r.graduation_year, "count": r.count,
                      "fewer_than": selectors.SUPPLY_MIN_CELL if r.count is None else None} for r in result.rows],
            "suppressed": result.suppressed, "min_cell": selectors.SUPPLY_MIN_CELL}


# --- Staff: graduates --------------------------------------------------------------------------------


@router.post("/graduates/import", response=ImportOut, summary="Import a school's graduate roster (CSV or XLSX)")
def import_graduates(request, school_id: Form[int], file: File[UploadedFile]):
    school = Organisation.objects.filter(pk=school_id).first()
    if school is None or not perms.can_import_roster(request.auth, school):
        raise PermissionDenied
    result = graduate_roster.import_graduates(request.auth, file, school=school, file_name=file.name or "",
                                              request=request)
    return {"imported": result.ok, "rows": result.rows, "created": result.created, "updated": result.updated,
            "errors": [e.as_dict() for e in result.errors]}


def _staff_graduate_out(record: GraduateRecord) -> dict:
    return {"id": record.pk, "user_id": record.user_id, "name": record.user.get_full_name(),
            "record": _record_out(record), "origin_code": record.origin_code,
            "flags": list(record.difficulty_flags.all())}


@router.get("/graduates", response=list[StaffGraduateOut], summary="Graduates I follow")
def graduates(request, year: int | None = Query(None, ge=1990, le=2100), q: str = Query("", max_length=50),
              limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000)):
    _require_staff(request, perms.FOLLOW)
    records = selectors.graduates_in_scope(request.auth, year=year, query=q).select_related("major") \
        .prefetch_related("difficulty_flags")[offset:offset + limit]
    return [_staff_graduate_out(r) for r in records]


@router.get("/graduates/{record_id}", response=StaffGraduateOut, summary="One graduate I follow")
def graduate(request, record_id: int):
    record = selectors.graduate_for_staff(request.auth, record_id)
    if record is None:
        raise PermissionDenied
    from zhijiao.core import audit

    audit.record("employment.graduate_view", actor=request.auth, request=request, target=record)
    return _staff_graduate_out(record)


@router.post("/graduates/{record_id}/flags", response={201: FlagOut}, summary="Flag a graduate as in difficulty")
def add_flag(request, record_id: int, payload: FlagIn):
    record = selectors.graduate_for_staff(request.auth, record_id)
    if record is None:
        raise PermissionDenied
    return Status(201, services.set_difficulty_flag(request.auth, record, payload.kind, payload.note, request=request))


@router.delete("/graduates/{record_id}/flags/{flag_id}", response={204: None}, summary="Remove a difficulty flag")
def remove_flag(request, record_id: int, flag_id: int):
    flag = DifficultyFlag.objects.select_related("record").filter(pk=flag_id, record_id=record_id).first()
    if flag is None or not perms.can_follow(request.auth, flag.record.org_path):
        raise PermissionDenied
    services.remove_difficulty_flag(request.auth, flag, request=request)
    return Status(204, None)
