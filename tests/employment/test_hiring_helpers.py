"""A small hiring world for the hiring tests: two universities with colleges and classes under the shared
tree, graduates with records, two verified employers with HR staff and a published job each, a counsellor,
employment officers and a city bureau administrator. Import ``world_fixture`` (the ``world`` fixture) from here."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import make_user
from zhijiao.employment.hiring import services
from zhijiao.employment.models import (
    DegreeLevel,
    Employer,
    EmployerState,
    EmployerType,
    GraduateRecord,
    Job,
    JobState,
)
from zhijiao.identity import services as identity_services
from zhijiao.identity.models import OrgKind, Role

YEAR = 2026


def credit_code(body17: str) -> str:
    from zhijiao.employment.credit_code import check_character

    return body17 + check_character(body17)


class World:
    def __init__(self, tree):
        make = identity_services.create_organisation
        self.tree = tree
        self.uni = make(None, name="杭州示范大学", kind=OrgKind.SCHOOL, parent=tree.city, code="4133010001")
        self.cs = make(None, name="计算机学院", kind=OrgKind.DEPARTMENT, parent=self.uni)
        self.cs_class = make(None, name="计科2201班", kind=OrgKind.CLASS, parent=self.cs)
        self.econ = make(None, name="经济学院", kind=OrgKind.DEPARTMENT, parent=self.uni)
        self.uni_b = make(None, name="上城职业技术学院", kind=OrgKind.SCHOOL, parent=tree.county_b, code="4133010002")
        self.bureau = make(None, name="杭州市教育局", kind=OrgKind.BUREAU, parent=tree.city)
        self.counsellor = make_user("counsellor_cs", role=Role.COUNSELLOR, org=self.cs, real_name="王辅导")
        self.counsellor_econ = make_user("counsellor_econ", role=Role.COUNSELLOR, org=self.econ)
        self.counsellor_b = make_user("counsellor_b", role=Role.COUNSELLOR, org=self.uni_b)
        self.officer = make_user("officer_uni", role=Role.EMPLOYMENT_OFFICER, org=self.uni, real_name="李就业")
        self.officer_b = make_user("officer_uni_b", role=Role.EMPLOYMENT_OFFICER, org=self.uni_b)
        self.bureau_admin = make_user("city_bureau", role=Role.BUREAU_ADMIN, org=self.bureau)
        self.county_admin = make_user("county_b_bureau", role=Role.BUREAU_ADMIN, org=tree.county_b)
        self.grad = self.graduate("grad_zhang", "张小明", self.cs, self.cs_class, "计算机科学与技术", "13800001111")
        self.grad2 = self.graduate("grad_li", "李华", self.cs, self.cs_class, "计算机科学与技术")
        self.grad3 = self.graduate("grad_wang", "王芳", self.econ, None, "经济学")
        self.grad_b = self.graduate("grad_b", "赵强", None, None, "软件技术", school=self.uni_b,
                                    degree=DegreeLevel.VOCATIONAL)
        self.employer, self.hr = self.make_employer("杭州云帆科技有限公司", "hr_yunfan", "9133010012345678X")
        self.employer2, self.hr2 = self.make_employer("宁波海港物流有限公司", "hr_haigang", "9133020098765432K")
        self.job = self.make_job(self.employer, "后端开发工程师", self.hr)
        self.job2 = self.make_job(self.employer2, "物流调度专员", self.hr2)

    def graduate(self, username, name, college, class_org, major, phone=None, *, school=None,
                 degree=DegreeLevel.BACHELOR):
        user = make_user(username, role=Role.LEARNER, org=class_org or college or school, real_name=name, phone=phone)
        school = school or self.uni
        deepest = class_org or college or school
        GraduateRecord.objects.create(user=user, school=school, college=college, class_org=class_org,
                                      org_path=deepest.path, student_number=f"2022{user.pk:06d}", major_name=major,
                                      degree_level=degree, graduation_year=YEAR)
        return user

    def make_employer(self, name, hr_username, body):
        org = identity_services.create_organisation(None, name=name, kind=OrgKind.EMPLOYER, parent=self.tree.city,
                                                    code=credit_code(body[:17]))
        employer = Employer.objects.create(organisation=org, employer_type=EmployerType.PRIVATE, region_code="330100",
                                           contact_name="人事部", state=EmployerState.VERIFIED)
        hr = make_user(hr_username, role=Role.EMPLOYER_HR, org=org)
        return employer, hr

    def make_job(self, employer, title, hr, **fields):
        return Job.objects.create(employer=employer, title=title, region_code=fields.pop("region_code", "330106"),
                                  salary_min=9000, salary_max=15000, description="岗位职责：……", headcount=3,
                                  state=JobState.PUBLISHED, published_at=timezone.now(), created_by=hr, **fields)

    # --- Steps ------------------------------------------------------------------------------------------

    def offer(self, application, **overrides):
        terms = {"post": "后端开发工程师", "salary": 12000, "start_date": timezone.localdate() + timedelta(days=60),
                 "contract_terms": "劳动合同期限三年，试用期三个月。", "liquidated_damages": 5000}
        terms.update(overrides)
        hr = self.hr if application.employer_id == self.employer.pk else self.hr2
        return services.issue_offer(hr, application, **terms)

    def signed_agreement(self, graduate=None, job=None):
        """An agreement through every step: applied, offered, accepted, approved."""
        graduate, job = graduate or self.grad, job or self.job
        application = services.apply(graduate, job)
        agreement = self.offer(application)
        services.accept_offer(graduate, agreement)
        officer = self.officer if graduate.graduate_record.school_id == self.uni.pk else self.officer_b
        return services.approve_agreement(officer, agreement)


@pytest.fixture(name="world")
def world_fixture(tree) -> World:
    return World(tree)
