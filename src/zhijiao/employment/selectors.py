"""Reads of the employment service's core: jobs, queues for staff, graduates in scope, and the graduate
supply statistics (生源信息查询) for employers.

Nothing here that an employer's page or API calls reads :class:`DifficultyFlag`, a graduate's ID number
or place of origin: employers see jobs, their own employer, résumés that are visible to them and counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from zhijiao.employment import permissions as perms
from zhijiao.employment.models import (
    CareerCase,
    CaseState,
    DegreeLevel,
    Employer,
    EmployerState,
    GraduateRecord,
    GuidanceCourse,
    Job,
    JobState,
    Occupation,
)
from zhijiao.identity.models import DIVISION_KINDS, Organisation, User

# Cells of the supply statistics below this count are shown as "fewer than 5", so that a small group (one
# major of one small college) cannot be recognised; see docs/employment.md.
SUPPLY_MIN_CELL = 5
SUPPLY_GROUPS = ("school", "major", "degree_level", "graduation_year")


def job(job_id: int) -> Job | None:
    return (Job.objects.select_related("employer__organisation", "occupation", "industry", "employer__industry")
            .prefetch_related("majors").filter(pk=job_id).first())


def can_see_job(user: User, job: Job) -> bool:
    """Published postings are public; others only for the employer's HR users and staff over the employer."""
    if job.state == JobState.PUBLISHED:
        return True
    if not user.is_authenticated:
        return False
    return (job.employer.organisation_id in perms.hr_organisation_ids(user)
            or perms.can_manage(user, job.employer.organisation.path))


def jobs_of_employer(employer: Employer):
    return Job.objects.filter(employer=employer).select_related("occupation").order_by("-updated_at")


def latest_jobs(limit: int = 10):
    return (Job.objects.filter(state=JobState.PUBLISHED).select_related("employer__organisation")
            .order_by("-published_at")[:limit])


def _under(paths: list[str], field: str) -> Q:
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(**{f"{field}__startswith": path})
    return query


def pending_employers(user: User):
    return (Employer.objects.filter(state=EmployerState.PENDING)
            .filter(_under(perms.manage_paths(user), "organisation__path"))
            .select_related("organisation", "industry").order_by("created_at"))


def held_jobs(user: User):
    return (Job.objects.filter(state=JobState.HELD)
            .filter(_under(perms.manage_paths(user), "employer__organisation__path"))
            .select_related("employer__organisation").order_by("updated_at"))


def held_cases(user: User):
    return (CareerCase.objects.filter(state=CaseState.HELD).exclude(author=user)
            .filter(_under(perms.manage_paths(user), "organisation__path")).order_by("created_at"))


def graduates_in_scope(user: User, *, year: int | None = None, query: str = ""):
    records = (GraduateRecord.objects.filter(_under(perms.follow_paths(user), "org_path"))
               .select_related("user", "school", "college", "class_org").order_by("school_id", "student_number"))
    if year:
        records = records.filter(graduation_year=year)
    if query:
        records = records.filter(Q(user__real_name__contains=query) | Q(student_number=query)
                                 | Q(major_name__contains=query))
    return records


def graduate_for_staff(user: User, record_id: int) -> GraduateRecord | None:
    record = (GraduateRecord.objects.select_related("user", "school", "college", "class_org", "major")
              .filter(pk=record_id).first())
    if record is None or not perms.can_follow(user, record.org_path):
        return None
    return record


def school_choices(user: User) -> list[Organisation]:
    """Schools whose graduate roster the user may import (a bounded list for a form)."""
    query = _under(perms.roster_paths(user), "path")
    return list(Organisation.objects.filter(query, kind="school").order_by("name")[:500])


def published_cases(limit: int = 50):
    return CareerCase.objects.filter(state=CaseState.PUBLISHED).select_related("occupation")[:limit]


def courses(limit: int = 50):
    return GuidanceCourse.objects.select_related("resource")[:limit]


def encyclopedia():
    """Occupations with a description, grouped by their 大类."""
    return (Occupation.objects.exclude(description="").select_related("parent__parent").order_by("code"))


# --- Supply statistics -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplyRow:
    school: str
    major: str
    degree_level: str
    graduation_year: int
    count: int | None  # None: fewer than SUPPLY_MIN_CELL

    @property
    def degree_label(self) -> str:
        return str(DegreeLevel(self.degree_level).label) if self.degree_level in DegreeLevel.values else ""


@dataclass(frozen=True)
class Supply:
    rows: list[SupplyRow]
    suppressed: int  # groups shown as "fewer than 5"
    years: list[int]


def supply(*, year: int | None = None, degree_level: str = "", region_code: str = "", major: str = "",
           school: str = "", limit: int = 500) -> Supply:
    """Counts of graduates by school, major, degree level and year; small cells suppressed. No personal data."""
    records = GraduateRecord.objects.all()
    if year:
        records = records.filter(graduation_year=year)
    if degree_level:
        records = records.filter(degree_level=degree_level)
    if major:
        records = records.filter(major_name__contains=major)
    if school:
        records = records.filter(school__name__contains=school)
    if region_code:
        from zhijiao.employment import regions

        division = Organisation.objects.filter(kind__in=DIVISION_KINDS, code=regions.full_code(region_code)).first()
        if division is None:
            return Supply([], 0, _years())
        records = records.filter(org_path__startswith=division.path)
    grouped = (records.values("school__name", "major_name", "degree_level", "graduation_year")
               .annotate(n=Count("id")).order_by("-graduation_year", "school__name", "major_name", "degree_level"))
    rows, suppressed = [], 0
    for g in grouped[:limit]:
        small = g["n"] < SUPPLY_MIN_CELL
        suppressed += small
        rows.append(SupplyRow(g["school__name"], g["major_name"], g["degree_level"], g["graduation_year"],
                              None if small else g["n"]))
    return Supply(rows, suppressed, _years())


def _years() -> list[int]:
    return sorted(set(GraduateRecord.objects.values_list("graduation_year", flat=True).distinct()), reverse=True)
