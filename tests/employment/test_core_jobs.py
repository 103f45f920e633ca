"""Postings: screening holds discriminatory ones for staff; clean ones publish and announce themselves."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import make_user, signed_in
from zhijiao.core.models import AuditEntry
from zhijiao.employment import services
from zhijiao.employment.models import Job, JobState
from zhijiao.employment.signals import job_published
from zhijiao.identity.models import Role
from zhijiao.resources.models import Major

pytestmark = pytest.mark.django_db

JOB = {"title": "Java 开发工程师", "occupation_code": "2-02-10", "industry_code": "65", "job_type": "full_time",
       "region_code": "330106", "salary_min": 9000, "salary_max": 16000, "education": "bachelor", "headcount": 3,
       "description": "参与电商后台开发。男女不限，本科及以上学历。"}


@pytest.fixture
def published():
    seen = []

    def receiver(sender, job, **kwargs):
        seen.append(job.pk)

    job_published.connect(receiver)
    yield seen
    job_published.disconnect(receiver)


def _post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_clean_posting_is_published_and_announced(emp, published):
    client = signed_in(emp.hr)
    major = Major.objects.get(library="higher", code="080901")
    created = _post(client, "/api/v1/employment/jobs", {**JOB, "major_ids": [major.pk]})
    assert created.status_code == 201 and created.json()["state"] == "draft"
    job_id = created.json()["id"]
    response = _post(client, f"/api/v1/employment/jobs/{job_id}/publish")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "published" and body["published_at"] and body["majors"][0]["code"] == "080901"
    assert published == [job_id]
    # Anyone may read it now, without the screening details.
    public = signed_in(make_user("visitor")).get(f"/api/v1/employment/jobs/{job_id}").json()
    assert public["title"] == "Java 开发工程师" and public["screening_flags"] is None
    page = client.get(f"/employment/job/{job_id}/")
    assert page.status_code == 200 and "Java 开发工程师" in page.content.decode()


def test_discriminatory_posting_is_held_for_staff(emp, published):
    client = signed_in(emp.hr)
    job_id = _post(client, "/api/v1/employment/jobs",
                   {**JOB, "description": "限男性，已婚已育优先，要求本地户口。"}).json()["id"]
    body = _post(client, f"/api/v1/employment/jobs/{job_id}/publish").json()
    assert body["state"] == "held" and body["published_at"] is None
    assert {f["category"] for f in body["screening_flags"]} >= {"gender", "marital", "origin"}
    assert published == []
    # Not public while held.
    assert signed_in(make_user("visitor")).get(f"/api/v1/employment/jobs/{job_id}").status_code == 404
    assert signed_in(make_user("visitor2")).get(f"/employment/job/{job_id}/").status_code == 404
    # In the staff queue, page and API.
    officer = signed_in(emp.officer)
    assert [j["id"] for j in officer.get("/api/v1/employment/jobs/held").json()] == [job_id]
    assert "限男性" in officer.get(f"/employment/staff/jobs/{job_id}/").content.decode()
    # Rejecting needs a note, which the employer then sees; nothing changes without it.
    assert _post(officer, f"/api/v1/employment/jobs/{job_id}/review", {"publish": False}).status_code == 422
    assert Job.objects.get(pk=job_id).state == JobState.HELD
    response = _post(officer, f"/api/v1/employment/jobs/{job_id}/review",
                     {"publish": False, "note": "删除性别、婚育和户籍要求后重新提交"})
    assert response.json()["state"] == "rejected"
    assert client.get(f"/api/v1/employment/jobs/{job_id}").json()["review_note"].startswith("删除性别")
    assert AuditEntry.objects.filter(action="employment.job_review", target_id=str(job_id)).exists()


def test_staff_may_publish_a_held_posting_after_judging_it(emp, published):
    job = services.save_job(emp.hr, {**JOB, "description": "35岁以下，熟悉财务软件"})
    job = services.publish_job(emp.hr, job)
    assert job.state == JobState.HELD
    job = services.review_job(emp.officer, job, publish=True, note="年龄要求已与单位沟通")
    assert job.state == JobState.PUBLISHED and job.published_at is not None
    assert published == [job.pk]


def test_neutral_wording_is_not_held(emp):
    job = services.publish_job(emp.hr, services.save_job(emp.hr, JOB))
    assert job.state == JobState.PUBLISHED and job.screening_flags == []


def test_editing_a_published_posting_screens_it_again(emp, published):
    job = services.publish_job(emp.hr, services.save_job(emp.hr, JOB))
    job = services.save_job(emp.hr, {**JOB, "description": "仅招女生"}, job=job)
    assert job.state == JobState.HELD
    assert published == [job.pk]  # announced once


@pytest.mark.parametrize("field, value", [("title", ""), ("region_code", "33"), ("salary_max", 100),
                                          ("occupation_code", "9-99"), ("headcount", 0),
                                          ("deadline", "2000-01-01"), ("major_ids", [999999])])
def test_bad_posting_fields_are_explained_and_nothing_saved(emp, field, value):
    with pytest.raises(ValidationError) as caught:
        services.save_job(emp.hr, {**JOB, field: value})
    assert field in caught.value.message_dict
    assert Job.objects.filter(employer=emp.employer).count() == 1  # the fixture's job only


def test_other_employers_and_staff_elsewhere_cannot_act(tree, emp):
    stranger = make_user("officer_far", role=Role.EMPLOYMENT_OFFICER, org=tree.school_a)
    job = services.publish_job(emp.hr, services.save_job(emp.hr, {**JOB, "description": "限男性"}))
    response = _post(signed_in(stranger), f"/api/v1/employment/jobs/{job.pk}/review", {"publish": True})
    assert response.status_code == 403
    assert signed_in(stranger).get("/api/v1/employment/jobs/held").json() == []  # not in their queue
    assert Job.objects.get(pk=job.pk).state == JobState.HELD


def test_employer_pages_post_a_job(emp):
    client = signed_in(emp.hr)
    response = client.post("/employment/employer/jobs/new/", {**JOB, "publish": "1"}, follow=True)
    job = Job.objects.get(title="Java 开发工程师")
    assert job.state == JobState.PUBLISHED
    assert response.redirect_chain[-1][0] == f"/employment/job/{job.pk}/"
