"""Recommendations for graduates with reasons, and recommended candidates for employers."""

from __future__ import annotations

import pytest

from tests.conftest import signed_in
from tests.employment.test_matching_helpers import world_fixture  # noqa: F401
from zhijiao.core.models import AuditEntry
from zhijiao.employment.matching import recommend
from zhijiao.employment.models import DegreeLevel, DifficultyFlag, DifficultyKind, GraduateRecord, JobIntention, JobType
from zhijiao.employment.models import ResumeVisibility as Visibility

pytestmark = pytest.mark.django_db


def recommended(user) -> dict[str, recommend.Recommendation]:
    return {r.title: r for r in recommend.recommend(recommend.profile_for(user))}


def test_major_fit_follows_the_catalogue_hierarchy(world):
    world.job("要计科", majors=[world.cs])
    world.job("要软工", majors=[world.se])
    world.job("要电气", majors=[world.ee])
    world.job("不限专业")
    world.job("要数学", majors=[world.maths])
    graduate = world.graduate("g1", major=world.cs)
    found = recommend.recommend(recommend.profile_for(graduate))
    order = [r.title for r in found]
    assert order.index("要计科") < order.index("要软工") < order.index("要电气") < order.index("不限专业")
    by_title = {r.title: r for r in found}
    assert dict(by_title["要计科"].reasons)["major"].endswith("计算机科学与技术")
    assert dict(by_title["要软工"].reasons)["major"].endswith("计算机类")
    assert dict(by_title["要电气"].reasons)["major"].endswith("工学")
    assert "要数学" not in by_title or by_title["要数学"].components.count("major") == 0


def test_reasons_list_exactly_the_fields_that_produced_them(world):
    world.job("杭州Java开发", majors=[world.cs], region="330106", salary=(9000, 14000),
              occupation=world.it, industry=world.software, description="使用Java和MySQL开发后端服务。")
    graduate = world.graduate("g2", major=world.cs, regions=["330100"], salary=(8000, 12000),
                              occupations=["2-02-10"], industries=["I"], job_types=[JobType.FULL_TIME],
                              skills=["Java", "MySQL"])
    item = recommended(graduate)["杭州Java开发"]
    assert set(item.components) == {"major", "region", "salary", "occupation", "industry", "job_type", "skills"}
    reasons = dict(item.reasons)
    assert reasons["major"].endswith("计算机科学与技术")
    assert reasons["region"].endswith("杭州市")
    assert reasons["occupation"].endswith("信息和通信工程技术人员")
    assert reasons["industry"].endswith("信息传输、软件和信息技术服务业")
    assert "java" in reasons["skills"].casefold() and "mysql" in reasons["skills"].casefold()
    assert item.reason == "; ".join(text for _key, text in item.reasons) or "；" in item.reason


def test_changing_the_intention_changes_the_reason(world):
    world.job("宁波岗位", majors=[world.cs], region="330203", salary=(6000, 8000))
    graduate = world.graduate("g3", major=world.cs, origin="110105", regions=["330200"], salary=(5000, 7000))
    first = recommended(graduate)["宁波岗位"]
    assert "region" in first.components and "宁波市" in first.reason
    assert "salary" in first.components
    intention = JobIntention.objects.get(user=graduate)
    intention.region_codes = ["330100"]
    intention.salary_min, intention.salary_max = 20000, 30000
    intention.save()
    second = recommended(graduate)["宁波岗位"]
    assert "region" not in second.components and "宁波市" not in second.reason
    assert "salary" not in second.components
    assert second.score < first.score


def test_place_of_origin_counts_when_the_intention_names_no_region(world):
    world.job("宁波岗位", majors=[world.cs], region="330203")
    graduate = world.graduate("g4", major=world.cs, origin="330205", regions=[])
    item = recommended(graduate)["宁波岗位"]
    assert "region" in item.components and "浙江省" in item.reason


def test_jobs_asking_for_a_higher_degree_are_never_recommended(world):
    world.job("硕士岗", majors=[world.cs], education=DegreeLevel.MASTER)
    world.job("本科岗", majors=[world.cs], education=DegreeLevel.BACHELOR)
    graduate = world.graduate("g5", major=world.cs, degree=DegreeLevel.BACHELOR)
    found = recommended(graduate)
    assert "本科岗" in found and "硕士岗" not in found
    assert "education" in found["本科岗"].components


def test_recommendation_page_and_api(world):
    world.job("Java开发", majors=[world.cs])
    graduate = world.graduate("g6", major=world.cs)
    client = signed_in(graduate, mfa=False)
    page = client.get("/employment/find/recommended/")
    assert page.status_code == 200 and "计算机科学与技术" in page.content.decode()
    api = client.get("/api/v1/employment/match/recommendations")
    assert api.status_code == 200
    first = api.json()[0]
    assert first["reasons"][0]["component"] == "major" and first["reasons"][0]["text"].endswith("计算机科学与技术")
    assert first["reason"].startswith(first["reasons"][0]["text"])
    nobody = signed_in(world.hr, mfa=False)
    assert nobody.get("/api/v1/employment/match/recommendations").json() == []


def test_employer_candidates_exclude_applied_only_resumes_and_show_no_difficulty(world):
    job = world.job("Java开发", majors=[world.cs], description="Java后端开发。")
    visible = world.graduate("open1", major=world.cs, skills=["Java"], visibility=Visibility.EMPLOYERS)
    world.graduate("hidden1", major=world.cs, skills=["Java"], visibility=Visibility.APPLIED)
    world.graduate("other_major", major=world.maths, visibility=Visibility.EMPLOYERS)
    DifficultyFlag.objects.create(record=GraduateRecord.objects.get(user=visible), kind=DifficultyKind.DISABILITY,
                                  note="残疾证")
    client = signed_in(world.hr, mfa=False)
    response = client.get(f"/api/v1/employment/match/jobs/{job.pk}/candidates")
    assert response.status_code == 200
    names = [c["name"] for c in response.json()]
    assert names == ["学生open1"]
    text = response.content.decode()
    for word in ("difficulty", "disability", "残疾", "困难", "flag"):
        assert word not in text
    page = client.get(f"/employment/find/job/{job.pk}/candidates/")
    assert page.status_code == 200 and "学生open1" in page.content.decode()
    assert "学生hidden1" not in page.content.decode() and "残疾" not in page.content.decode()
    assert AuditEntry.objects.filter(action="matching.candidates_view").count() == 2
    resume = client.get(f"/employment/find/job/{job.pk}/candidates/{visible.pk}/")
    assert resume.status_code == 200 and "残疾" not in resume.content.decode()
    assert AuditEntry.objects.filter(action="employment.resume_view").exists()


def test_unverified_employers_and_other_employers_get_no_candidates(world):
    job = world.job("Java开发", majors=[world.cs])
    world.graduate("open2", major=world.cs, visibility=Visibility.EMPLOYERS)
    shady = signed_in(world.shady_hr, mfa=False)
    assert shady.get(f"/api/v1/employment/match/jobs/{job.pk}/candidates").status_code == 403
    assert shady.get(f"/employment/find/job/{job.pk}/candidates/").status_code == 403
    other_job = world.job("电力岗", employer=world.state_co)
    acme = signed_in(world.hr, mfa=False)
    assert acme.get(f"/employment/find/job/{other_job.pk}/candidates/").status_code == 404
