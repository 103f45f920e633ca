"""A small matching world for the matching tests: a slice of the major catalogue, two verified employers and
an unverified one, graduates with records, intentions and résumés. Import the ``world`` fixture from here."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import make_user
from zhijiao.employment import reference_data as employment_reference
from zhijiao.employment.models import (
    DegreeLevel,
    Employer,
    EmployerState,
    EmployerType,
    GraduateRecord,
    Industry,
    Job,
    JobIntention,
    JobState,
    JobType,
    Occupation,
    Resume,
    ResumeVisibility,
)
from zhijiao.identity import services as identity_services
from zhijiao.identity.models import OrgKind, Role
from zhijiao.resources.models import Library, Major, MajorLevel


def credit_code(body17: str) -> str:
    from zhijiao.employment.credit_code import check_character

    return body17 + check_character(body17)


class World:
    def __init__(self, tree):
        make = identity_services.create_organisation
        self.tree = tree
        self.ningbo = make(None, name="宁波市", kind=OrgKind.CITY, parent=tree.province, code="330200")
        self.uni = make(None, name="杭州示范大学", kind=OrgKind.SCHOOL, parent=tree.city, code="4133010009")
        def major(*, library, level, code, name, parent=None):
            found, _created = Major.objects.get_or_create(library=library, code=code,
                                                          defaults={"level": level, "name": name, "parent": parent})
            return found

        self.engineering = major(library=Library.HIGHER, level=MajorLevel.CATEGORY, code="08", name="工学")
        self.computing = major(library=Library.HIGHER, level=MajorLevel.CLASS, code="0809", name="计算机类",
                               parent=self.engineering)
        self.cs = major(library=Library.HIGHER, level=MajorLevel.MAJOR, code="080901", name="计算机科学与技术",
                        parent=self.computing)
        self.se = major(library=Library.HIGHER, level=MajorLevel.MAJOR, code="080902", name="软件工程",
                        parent=self.computing)
        self.electrical = major(library=Library.HIGHER, level=MajorLevel.CLASS, code="0806", name="电气类",
                                parent=self.engineering)
        self.ee = major(library=Library.HIGHER, level=MajorLevel.MAJOR, code="080601", name="电气工程及其自动化",
                        parent=self.electrical)
        self.science = major(library=Library.HIGHER, level=MajorLevel.CATEGORY, code="07", name="理学")
        self.maths_class = major(library=Library.HIGHER, level=MajorLevel.CLASS, code="0701", name="数学类",
                                 parent=self.science)
        self.maths = major(library=Library.HIGHER, level=MajorLevel.MAJOR, code="070101", name="数学与应用数学",
                           parent=self.maths_class)
        employment_reference.load()  # a browser test's flushed database has lost the migration's rows
        self.software = Industry.objects.get(code="65")
        self.it = Occupation.objects.get(code="2-02-10")
        self.acme = self.employer("西湖软件有限公司", "91330106MA2AAAAB1", EmployerType.PRIVATE)
        self.state_co = self.employer("浙江电网有限公司", "91330106MA2AAAAB2", EmployerType.STATE_OWNED)
        self.shady = self.employer("未审核科技公司", "91330106MA2AAAAB3", EmployerType.PRIVATE,
                                   state=EmployerState.PENDING)
        self.hr = make_user("acme_hr", role=Role.EMPLOYER_HR, org=self.acme.organisation)
        self.shady_hr = make_user("shady_hr", role=Role.EMPLOYER_HR, org=self.shady.organisation)

    def employer(self, name, code, kind, state=EmployerState.VERIFIED):
        org = identity_services.create_organisation(None, name=name, kind=OrgKind.EMPLOYER, parent=self.tree.city,
                                                    code=credit_code(code[:17]))
        return Employer.objects.create(organisation=org, employer_type=kind, region_code="330106",
                                       contact_name="张三", state=state)

    def job(self, title, *, employer=None, majors=(), region="330106", education="", salary=(8000, 12000),
            description="负责产品研发。", job_type=JobType.FULL_TIME, occupation=None, industry=None,
            state=JobState.PUBLISHED, deadline_days=30, published_ago=timedelta(hours=1)):
        job = Job.objects.create(
            employer=employer or self.acme, title=title, description=description, region_code=region,
            education=education, salary_min=salary[0] if salary else None, salary_max=salary[1] if salary else None,
            job_type=job_type, occupation=occupation, industry=industry, state=state,
            deadline=timezone.localdate() + timedelta(days=deadline_days) if deadline_days is not None else None,
            published_at=timezone.now() - published_ago if state == JobState.PUBLISHED else None)
        if majors:
            job.majors.set(majors)
        return job

    def graduate(self, username, *, major=None, degree=DegreeLevel.BACHELOR, origin="330200", regions=(),
                 job_types=(), industries=(), occupations=(), salary=(None, None), skills=(), text="",
                 visibility=ResumeVisibility.APPLIED, intention=True, email=None):
        user = make_user(username, role=Role.LEARNER, org=self.uni, real_name=f"学生{username}",
                         email=email or f"{username}@example.edu.cn")
        major = major or self.cs
        GraduateRecord.objects.create(user=user, school=self.uni, org_path=self.uni.path, major=major,
                                      major_name=major.name, degree_level=degree, graduation_year=2026,
                                      origin_code=origin)
        if intention:
            JobIntention.objects.create(user=user, region_codes=list(regions), job_types=list(job_types),
                                        industry_codes=list(industries), occupation_codes=list(occupations),
                                        salary_min=salary[0], salary_max=salary[1])
        Resume.objects.create(user=user, visibility=visibility, skills=list(skills), headline="求职者",
                              search_text=" ".join([*skills, text]))
        return user


@pytest.fixture(name="world")
def world_fixture(tree):
    return World(tree)
