"""Fixtures of the employment service, for every part of it (core, matching, hiring).

The ``emp`` fixture builds, on top of the shared ``tree`` (浙江省 → 杭州市 → 西湖区 …):

* a university under 杭州市 with a college (计算机学院) and a class (计科2201班);
* a graduate (``emp.graduate``) with a verified :class:`GraduateRecord` in that class, major 080901;
* a counsellor of the college, and an employment officer of 杭州市 (``employment.manage`` over the city);
* a verified employer in 西湖区 (``emp.employer``) with its HR user (``emp.hr``), and a published job.

Helpers build more of each: :func:`make_graduate`, :func:`make_employer`, :func:`make_job`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import timezone, translation
from django.utils.html import escape

from tests.conftest import make_user
from zhijiao.core import crypto
from zhijiao.employment.models import (
    DegreeLevel,
    Employer,
    EmployerState,
    EmployerType,
    GraduateRecord,
    Industry,
    Job,
    JobState,
    Occupation,
)
from zhijiao.identity import services as identity_services
from zhijiao.identity.models import Organisation, OrgKind, Role, User
from zhijiao.resources.models import Major

# Unified social credit codes with correct check characters (published codes of well-known companies).
VALID_CREDIT_CODES = ("914403001922038216", "9144030071526726XG", "91330100799655058B", "91110108551385082Q")


def zh(message: str) -> str:
    """``message`` as a page in the default language (Chinese) shows it, HTML-escaped."""
    with translation.override("zh-hans"):
        return escape(translation.gettext(message))


def make_graduate(username: str, place: Organisation, *, school: Organisation, college=None, real_name=None,
                  major_code: str = "080901", degree: str = DegreeLevel.BACHELOR, year: int | None = None,
                  id_number: str | None = None, **user_fields) -> User:
    user = make_user(username, real_name=real_name or username, role=Role.LEARNER, org=place,
                     id_number=id_number, **user_fields)
    major = Major.objects.filter(code=major_code).first()
    GraduateRecord.objects.create(
        user=user, school=school, college=college, class_org=place if place.kind == OrgKind.CLASS else None,
        org_path=place.path, student_number=f"S{user.pk:06d}", major=major,
        major_name=major.name if major else "未知专业", degree_level=degree,
        graduation_year=year or timezone.localdate().year, origin_code="330106")
    return user


def make_employer(name: str, code: str, hr_username: str, parent: Organisation, *,
                  state: str = EmployerState.VERIFIED) -> tuple[Employer, User]:
    org = identity_services.create_organisation(None, name=name, kind=OrgKind.EMPLOYER, parent=parent, code=code)
    hr = make_user(hr_username, role=Role.EMPLOYER_HR, org=org)
    employer = Employer.objects.create(
        organisation=org, employer_type=EmployerType.PRIVATE, industry=Industry.objects.get(code="65"),
        region_code=parent.code or "330106", contact_name="联系人", state=state,
        contact_phone_enc=crypto.encrypt("13800138000", "employer-phone"))
    return employer, hr


def make_job(employer: Employer, title: str = "Python 开发工程师", *, state: str = JobState.PUBLISHED,
             **fields) -> Job:
    defaults = {"occupation": Occupation.objects.get(code="2-02-10"), "industry": Industry.objects.get(code="65"),
                "region_code": "330106", "salary_min": 8000, "salary_max": 15000,
                "education": DegreeLevel.BACHELOR, "description": "负责后端服务开发，熟悉 Python 和 Django。",
                "published_at": timezone.now() if state == JobState.PUBLISHED else None}
    defaults.update(fields)
    majors = defaults.pop("majors", None)
    job = Job.objects.create(employer=employer, title=title, state=state, **defaults)
    job.majors.set(majors if majors is not None else Major.objects.filter(code="080901"))
    return job


@dataclass
class Employment:
    university: Organisation
    college: Organisation
    klass: Organisation
    graduate: User
    counsellor: User
    officer: User
    employer: Employer
    hr: User
    job: Job


@pytest.fixture
def emp(tree) -> Employment:
    make = identity_services.create_organisation
    university = make(None, name="杭州示例大学", kind=OrgKind.SCHOOL, parent=tree.city, code="4133010001")
    college = make(None, name="计算机学院", kind=OrgKind.DEPARTMENT, parent=university)
    klass = make(None, name="计科2201班", kind=OrgKind.CLASS, parent=college)
    graduate = make_graduate("grad_li", klass, school=university, college=college, real_name="李明",
                             id_number="330106200301011237")
    counsellor = make_user("counsellor_wang", real_name="王辅导", role=Role.COUNSELLOR, org=college)
    officer = make_user("officer_zhao", real_name="赵就业", role=Role.EMPLOYMENT_OFFICER, org=tree.city)
    employer, hr = make_employer("杭州云栖示例科技有限公司", VALID_CREDIT_CODES[2], "hr_chen", tree.county_a)
    job = make_job(employer)
    return Employment(university, college, klass, graduate, counsellor, officer, employer, hr, job)
