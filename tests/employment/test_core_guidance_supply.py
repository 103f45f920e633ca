"""Supply statistics without personal data, the interest assessment, the encyclopedia and career cases."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.conftest import make_user, signed_in
from tests.employment.conftest import make_graduate
from zhijiao.core.models import SensitiveWord
from zhijiao.employment import guidance, selectors, services
from zhijiao.employment.models import CaseState

pytestmark = pytest.mark.django_db


def test_supply_counts_suppress_small_groups_and_name_nobody(emp):
    for k in range(5):
        make_graduate(f"acc_{k}", emp.klass, school=emp.university, real_name=f"会计{k}", major_code="120203K")
    result = selectors.supply()
    counts = {(r.major, r.count) for r in result.rows}
    assert ("会计学", 5) in counts and ("计算机科学与技术", None) in counts
    body = signed_in(emp.hr).get("/api/v1/employment/supply").content.decode()
    assert "李明" not in body and "会计0" not in body and '"fewer_than":5' in body.replace(" ", "")


def test_assessment_scores_and_suggests(emp):
    answers = {i: (2 if kind == "I" else 1 if kind == "C" else 0) for i, (kind, _t) in enumerate(guidance.ITEMS)}
    report = guidance.score(answers)
    assert report.holland_code.startswith("IC") and report.top[0].score == 12
    assert "2-02-10" in {o.code for o in report.occupations}
    with pytest.raises(ValidationError):
        guidance.score({0: 2})
    api = signed_in(emp.graduate).post("/api/v1/employment/assessment",
                                       json.dumps({"answers": [answers[i] for i in range(len(guidance.ITEMS))]}),
                                       content_type="application/json")
    assert api.json()["holland_code"] == report.holland_code
    page = signed_in(emp.graduate).post("/employment/guidance/assessment/", {f"q{i}": v for i, v in answers.items()})
    assert 'data-testid="report"' in page.content.decode()


def test_encyclopedia_pages(client, db):
    assert "软件" in client.get("/employment/guidance/occupations/2-02-10/").content.decode()
    assert client.get("/employment/guidance/occupations/").status_code == 200
    assert client.get("/employment/guidance/occupations/9-99/").status_code == 404


def test_cases_are_screened_and_held_ones_need_another_staff_member(tree, emp):
    SensitiveWord.objects.create(word="赌博", category="illegal")
    clean = services.create_case(emp.officer, {"title": "从实习到转正", "body": "大三暑假实习后留用。",
                                               "occupation_code": "2-02-10"})
    assert clean.state == CaseState.PUBLISHED
    held = services.create_case(emp.officer, {"title": "一段经历", "body": "曾被拉去赌博网站做客服。"})
    assert held.state == CaseState.HELD
    with pytest.raises(PermissionDenied):
        services.review_case(emp.officer, held, publish=True)  # not their own
    colleague = make_user("officer_qian", role="employment_officer", org=tree.city)
    services.review_case(colleague, held, publish=False, note="涉及不良信息")
    assert [c.pk for c in selectors.published_cases()] == [clean.pk]
    assert signed_in(emp.graduate).get(f"/employment/guidance/cases/{held.pk}/").status_code == 404
