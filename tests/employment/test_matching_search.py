"""Job search: full text, filters, sorts, and what is never found."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import signed_in
from tests.employment.test_matching_helpers import world_fixture  # noqa: F401
from zhijiao.core.search import facet_token
from zhijiao.employment.matching import index, search
from zhijiao.employment.matching.models import JobDoc
from zhijiao.employment.models import DegreeLevel, EmployerState, EmployerType, JobState, JobType

pytestmark = pytest.mark.django_db


def titles(**params) -> list[str]:
    return [hit.title for hit in search.search_jobs(search.parse_filters(params)).hits]


def test_words_find_jobs_by_title_description_employer_occupation_and_major(world):
    world.job("Java开发工程师", description="参与电商平台后端开发。")
    world.job("运维岗位", description="负责服务器和数据库的日常维护。")
    world.job("电力调度员", employer=world.state_co)
    world.job("技术支持", occupation=world.it)
    world.job("管培生", majors=[world.maths])
    assert titles(q="Java") == ["Java开发工程师"]
    assert titles(q="数据库") == ["运维岗位"]
    assert titles(q="电网") == ["电力调度员"]
    assert titles(q="信息和通信工程") == ["技术支持"]
    assert titles(q="数学") == ["管培生"]
    assert titles(q="kaifa") == ["Java开发工程师"]  # pinyin of the title


def test_relevance_puts_title_matches_before_description_matches(world):
    world.job("Python开发工程师", published_ago=timedelta(days=3))
    world.job("测试工程师", description="会用Python写自动化测试脚本。", published_ago=timedelta(hours=1))
    assert titles(q="Python") == ["Python开发工程师", "测试工程师"]
    assert titles(q="Python", sort="newest") == ["测试工程师", "Python开发工程师"]


def test_salary_sort_and_salary_overlap(world):
    world.job("低薪", salary=(3000, 4000))
    world.job("中薪", salary=(8000, 12000))
    world.job("高薪", salary=(20000, 35000))
    world.job("面议", salary=None)
    assert titles(sort="salary") == ["高薪", "中薪", "低薪", "面议"]
    assert titles(salary_min="10000") == ["高薪", "中薪"]
    assert titles(salary_min="5000", salary_max="9000") == ["中薪"]
    assert titles(salary_max="3500") == ["低薪"]


def test_region_filter_by_province_city_or_county(world):
    world.job("西湖岗", region="330106")
    world.job("上城岗", region="330102")
    world.job("宁波岗", region="330203")
    world.job("北京岗", region="110105")
    assert set(titles(region="330000")) == {"西湖岗", "上城岗", "宁波岗"}
    assert set(titles(region="330100")) == {"西湖岗", "上城岗"}
    assert titles(region="330106") == ["西湖岗"]
    assert set(titles(region=["330106", "110000"])) == {"西湖岗", "北京岗"}


def test_industry_occupation_employer_and_job_type_filters(world):
    world.job("软件岗", industry=world.software, occupation=world.it)
    world.job("电力岗", employer=world.state_co, job_type=JobType.INTERNSHIP)
    assert titles(industry="I") == ["软件岗"]
    assert titles(industry="65") == ["软件岗"]
    assert titles(occupation="2-02") == ["软件岗"]
    assert titles(occupation="2") == ["软件岗"]
    assert titles(employer_type=EmployerType.STATE_OWNED) == ["电力岗"]
    assert titles(job_type=JobType.INTERNSHIP) == ["电力岗"]


def test_education_filter_keeps_jobs_the_graduate_qualifies_for(world):
    world.job("不限", education="")
    world.job("本科岗", education=DegreeLevel.BACHELOR)
    world.job("硕士岗", education=DegreeLevel.MASTER)
    assert set(titles(education=DegreeLevel.BACHELOR)) == {"不限", "本科岗"}
    assert set(titles(education=DegreeLevel.DOCTOR)) == {"不限", "本科岗", "硕士岗"}


def test_major_filter_follows_the_catalogue(world):
    world.job("要计科", majors=[world.cs])
    world.job("要计算机类", majors=[world.computing])
    world.job("要软工", majors=[world.se])
    world.job("要电气", majors=[world.ee])
    world.job("不限专业")
    # A 计算机科学与技术 graduate: jobs for the major and for its class.
    assert set(titles(major=str(world.cs.pk))) == {"要计科", "要计算机类"}
    # The class: jobs for it and for any major in it.
    assert set(titles(major=str(world.computing.pk))) == {"要计科", "要计算机类", "要软工"}
    assert set(titles(major=str(world.engineering.pk))) == {"要计科", "要计算机类", "要软工", "要电气"}


def test_closed_expired_unpublished_and_unverified_jobs_are_never_found(world):
    world.job("开放岗位")
    closed = world.job("已关闭岗位")
    world.job("已过期岗位", deadline_days=-1)
    world.job("草稿岗位", state=JobState.DRAFT)
    world.job("待审核岗位", state=JobState.HELD)
    world.job("未认证单位岗位", employer=world.shady)
    closed.state = JobState.CLOSED
    closed.save()
    assert titles(q="岗位") == ["开放岗位"]
    assert titles() == ["开放岗位"]
    world.state_co.state = EmployerState.REJECTED
    world.state_co.save()
    world.job("被拒单位岗位", employer=world.state_co)
    assert titles() == ["开放岗位"]


def test_edits_and_verification_changes_reach_the_index(world):
    job = world.job("Java工程师")
    job.title = "Golang工程师"
    job.save()
    assert titles(q="Golang") == ["Golang工程师"] and titles(q="Java") == []
    pending = world.job("等认证", employer=world.shady)
    assert titles(q="等认证") == []
    world.shady.state = EmployerState.VERIFIED
    world.shady.save()
    assert titles(q="等认证") == ["等认证"]
    assert JobDoc.objects.filter(job=pending).exists()
    world.shady.state = EmployerState.REJECTED
    world.shady.save()
    assert titles(q="等认证") == []


def test_paging_across_relevance_tiers(world):
    for i in (2, 1, 0):  # created (and indexed) in publication order
        world.job(f"Python 工程师{i}", published_ago=timedelta(hours=10 + i))
    for i in (2, 1, 0):
        world.job(f"助理{i}", description="协助编写 Python 脚本。", published_ago=timedelta(hours=i))
    filters = search.parse_filters({"q": "Python"})
    pages = []
    for page in (1, 2, 3):
        filters.page = page
        result = search.search_jobs(filters, per_page=2)
        pages.append([h.title for h in result.hits])
        assert result.total == 6 and result.total_exact
    assert pages == [["Python 工程师0", "Python 工程师1"], ["Python 工程师2", "助理0"], ["助理1", "助理2"]]


def test_reindex_rebuilds_the_same_index(world):
    world.job("前端开发", published_ago=timedelta(days=1))
    world.job("Go开发", majors=[world.cs], industry=world.software)
    before = titles(q="开发")
    assert index.reindex_all()["jobs"] == 2
    assert titles(q="开发") == before == ["Go开发", "前端开发"]
    assert titles(major=str(world.cs.pk)) == ["Go开发"]


@pytest.mark.parametrize("params, field", [
    ({"region": "33010"}, "region"), ({"region": "abc"}, "region"), ({"salary_min": "-5"}, "salary_min"),
    ({"salary_min": "9000", "salary_max": "5000"}, "salary_max"), ({"education": "phd"}, "education"),
    ({"sort": "random"}, "sort"), ({"page": "0"}, "page"), ({"page": "9999"}, "page"),
    ({"job_type": "gig"}, "job_type"), ({"major": "x"}, "major"), ({"salary_max": "１０００"}, "salary_max"),
])
def test_bad_filters_are_refused_with_a_message(params, field):
    with pytest.raises(ValidationError) as caught:
        search.parse_filters(params)
    assert field in caught.value.message_dict


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["q", "region", "industry", "occupation", "salary_min", "salary_max",
                                        "education", "major", "employer_type", "job_type", "sort", "page"]),
                       st.one_of(st.text(max_size=30), st.lists(st.text(max_size=12), max_size=4))))
def test_filter_parser_accepts_or_refuses_anything_cleanly(params):
    try:
        filters = search.parse_filters(params)
    except ValidationError as exc:
        assert exc.message_dict
        return
    assert 1 <= filters.page <= search.MAX_PAGES
    assert filters.sort in search.SORTS
    assert all(len(r) in (2, 4, 6) and r.isdigit() for r in filters.regions)
    if filters.salary_min is not None and filters.salary_max is not None:
        assert filters.salary_min <= filters.salary_max
    # Whatever was accepted renders as both index query languages.
    expr = search.filter_expr(filters)
    if expr is not None:
        assert search.render_fts(expr) and search.render_tsquery(expr)


@given(st.integers(1, 60_000), st.integers(1, 60_000), st.integers(0, 60_000))
def test_salary_tokens_never_lose_an_overlapping_job(low, high, asked):
    low, high = min(low, high), max(low, high)
    data = index.JobData(1, "t", "d", 1, "e", "private", "330106", "", "", "", "", "", "full_time", "", low, high, [],
                         1, None, None)
    tokens = set(index.facet_tokens(data, index.MajorTree({})))
    if high >= asked:
        assert facet_token("sge", index.reaches_token(asked)) in tokens
    if low <= asked:
        assert facet_token("sle", index.starts_token(asked)) in tokens


def test_search_page_and_api(world, client):
    world.job("Java开发工程师", region="330106")
    page = client.get("/employment/find/", {"q": "Java", "region": "330100"})
    assert page.status_code == 200 and "Java" in page.content.decode()
    bad = client.get("/employment/find/", {"salary_min": "lots"})
    assert bad.status_code == 200 and "0" in bad.context["errors"]["salary_min"]
    api = client.get("/api/v1/employment/match/jobs", {"q": "Java", "sort": "newest"})
    assert api.status_code == 200 and api.json()["results"][0]["title"] == "Java开发工程师"
    refused = client.get("/api/v1/employment/match/jobs", {"region": "12"  + "x"})
    assert refused.status_code == 422 and "region" in refused.json()["errors"]


def test_job_page_hides_unpublished_jobs(world):
    open_job = world.job("公开岗位")
    draft = world.job("草稿", state=JobState.DRAFT)
    viewer = signed_in(world.hr)
    opened = viewer.get(f"/employment/find/job/{open_job.pk}/")
    assert opened.status_code == 302 and opened["Location"] == f"/employment/job/{open_job.pk}/"
    from django.test import Client
    assert Client().get(f"/employment/find/job/{draft.pk}/").status_code == 404


def test_large_counts_are_estimated_with_the_row_checks(world, monkeypatch):
    for i in range(6):
        world.job(f"Python 岗位{i}", education=DegreeLevel.MASTER if i % 2 else "")
    monkeypatch.setattr(search, "EXACT_COUNT_LIMIT", 2)
    result = search.search_jobs(search.parse_filters({"q": "Python", "education": DegreeLevel.BACHELOR}), per_page=2)
    assert not result.total_exact and result.total == 3
