"""The graduate's side: verified status (not theirs to edit), job intention, résumé and its PDF."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from tests.conftest import make_user, signed_in
from tests.employment.conftest import zh
from zhijiao.employment import services
from zhijiao.employment.models import GraduateRecord, JobIntention

pytestmark = pytest.mark.django_db


def _put(client, url, body):
    return client.put(url, json.dumps(body), content_type="application/json")


def test_status_card_is_shown_as_verified(emp):
    page = signed_in(emp.graduate).get("/employment/").content.decode()
    assert zh("Verified (已核验)") in page and "计算机科学与技术" in page and "杭州示例大学" in page


def test_graduate_cannot_edit_verified_student_status_through_the_api(emp):
    client = signed_in(emp.graduate)
    before = GraduateRecord.objects.get(user=emp.graduate)
    assert client.get("/api/v1/employment/me/record").json()["verified"] is True
    for method in (client.put, client.patch, client.post):
        response = method("/api/v1/employment/me/record", json.dumps({"major_name": "临床医学"}),
                          content_type="application/json")
        assert response.status_code == 405
    # Education fields sent along with the résumé are ignored.
    response = _put(client, "/api/v1/employment/me/resume",
                    {"headline": "后端开发", "major_name": "临床医学", "degree_level": "doctor",
                     "education": {"school": "别的大学"}})
    assert response.status_code == 200
    assert response.json()["education"]["major_name"] == "计算机科学与技术"
    after = GraduateRecord.objects.get(user=emp.graduate)
    assert (after.major_name, after.degree_level, after.school_id) == \
        (before.major_name, before.degree_level, before.school_id)


def test_intention_is_registered_with_codes_and_bad_codes_explained(emp):
    client = signed_in(emp.graduate)
    body = {"job_types": ["full_time", "internship"], "industry_codes": ["65", "I"], "occupation_codes": ["2-02-10"],
            "region_codes": ["3301", "33"], "salary_min": 8000, "salary_max": 12000}
    response = _put(client, "/api/v1/employment/me/intention", body)
    assert response.status_code == 200 and response.json()["region_codes"] == ["330100", "330000"]
    bad = _put(client, "/api/v1/employment/me/intention", {**body, "industry_codes": ["ZZ"], "salary_min": 20000})
    assert bad.status_code == 422 and {"industry_codes", "salary_max"} <= set(bad.json()["errors"])
    assert JobIntention.objects.get(user=emp.graduate).industry_codes == ["65", "I"]


def test_only_graduates_register_intentions(tree):
    learner = make_user("not_graduate")
    response = _put(signed_in(learner), "/api/v1/employment/me/intention", {"job_types": ["full_time"]})
    assert response.status_code == 403
    assert signed_in(learner).get("/employment/me/resume/").status_code == 404


def test_resume_search_text_holds_the_resume_and_the_major(emp):
    resume = services.save_resume(emp.graduate, {
        "headline": "后端开发", "skills": ["Python", "Django"], "visibility": "employers",
        "sections": {"projects": [{"title": "校园二手书平台", "description": "用 Django 开发"}]}})
    assert {"Python", "校园二手书平台", "计算机科学与技术"} <= set(resume.search_text.split("\n")) | \
        set(" ".join(resume.search_text.split("\n")).split())


def test_bad_resume_is_refused_and_nothing_changes(emp):
    services.save_resume(emp.graduate, {"headline": "第一版"})
    with pytest.raises(ValidationError):
        services.save_resume(emp.graduate, {"headline": "第二版", "visibility": "everyone"})
    with pytest.raises(ValidationError):
        services.save_resume(emp.graduate, {"headline": "第二版", "sections": {"awards": [{"description": "no title"}]}})
    assert emp.graduate.resume.headline == "第一版"


def test_resume_pdf_contains_the_name(emp):
    client = signed_in(emp.graduate)
    client.post("/employment/me/resume/", {"headline": "后端开发", "skills": "Python, SQL", "visibility": "employers",
                                           "projects": "校园二手书平台 | 计算机学院 | 2024-03 | 2024-06 | 负责后端"})
    response = client.get("/employment/me/resume/pdf/")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "李明" in text and "校园二手书平台" in text and "计算机科学与技术" in text
    api = client.get("/api/v1/employment/me/resume/pdf")
    assert api.status_code == 200 and api.content.startswith(b"%PDF")
