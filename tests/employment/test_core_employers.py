"""Employer registration, verification by staff, and what an unverified employer cannot do."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.conftest import make_user, signed_in
from tests.employment.conftest import VALID_CREDIT_CODES, make_employer, zh
from zhijiao.core.models import AuditEntry
from zhijiao.employment import services
from zhijiao.employment.models import Employer, EmployerState, Job, ResumeVisibility
from zhijiao.identity.models import Membership, Organisation, OrgKind, Role

pytestmark = pytest.mark.django_db

FORM = {"name": "杭州示例智能制造有限公司", "credit_code": VALID_CREDIT_CODES[0], "employer_type": "private",
        "industry_code": "34", "region_code": "330106", "address": "文三路 1 号", "size": "100-499",
        "contact_name": "周女士", "contact_phone": "13912345678", "contact_email": "hr@example.com"}


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_registration_creates_a_pending_employer_under_its_division(tree):
    user = make_user("new_hr")
    employer = services.register_employer(user, FORM)
    org = employer.organisation
    assert org.kind == OrgKind.EMPLOYER and org.code == VALID_CREDIT_CODES[0] and org.parent == tree.county_a
    assert employer.state == EmployerState.PENDING
    assert Membership.objects.filter(user=user, organisation=org, role=Role.EMPLOYER_HR).exists()
    # The phone is stored encrypted and shown masked.
    assert "13912345678" not in employer.contact_phone_enc
    assert services.contact_phone_masked(employer) == "139****5678"
    assert AuditEntry.objects.filter(action="employment.employer_register", target_id=str(employer.pk)).exists()


@pytest.mark.parametrize("field, value", [("credit_code", "914403001922038217"), ("credit_code", "12345"),
                                          ("region_code", "999999"), ("contact_phone", "12345"), ("name", "")])
def test_bad_registration_explains_and_creates_nothing(tree, field, value):
    user = make_user("new_hr")
    with pytest.raises(ValidationError) as caught:
        services.register_employer(user, {**FORM, field: value})
    assert field in caught.value.message_dict
    assert not Organisation.objects.filter(kind=OrgKind.EMPLOYER).exists()
    assert not Membership.objects.filter(user=user).exists()


def test_registration_through_the_api_reports_a_wrong_check_character(tree):
    client = signed_in(make_user("new_hr"))
    response = _post(client, "/api/v1/employment/employers", {**FORM, "credit_code": "914403001922038217"})
    assert response.status_code == 422
    assert "credit_code" in response.json()["errors"]
    response = _post(client, "/api/v1/employment/employers", FORM)
    assert response.status_code == 201
    assert response.json()["state"] == "pending" and response.json()["contact_phone"] == "139****5678"


def test_staff_verify_and_reject_with_reason_and_every_decision_is_audited(tree, emp):
    pending, _hr = make_employer("待审单位", VALID_CREDIT_CODES[1], "hr_pending", tree.county_b,
                                 state=EmployerState.PENDING)
    with pytest.raises(ValidationError):
        services.decide_employer(emp.officer, pending, verify=False, reason="")
    services.decide_employer(emp.officer, pending, verify=False, reason="营业执照与名称不符")
    pending.refresh_from_db()
    assert pending.state == EmployerState.REJECTED and pending.state_reason == "营业执照与名称不符"
    entry = AuditEntry.objects.get(action="employment.employer_decide", target_id=str(pending.pk))
    assert entry.detail["decision"] == "rejected" and entry.actor == emp.officer


def test_decision_through_the_api_and_out_of_scope_staff_refused(tree, emp):
    pending, _hr = make_employer("待审单位", VALID_CREDIT_CODES[1], "hr_pending", tree.county_b,
                                 state=EmployerState.PENDING)
    outsider = make_user("officer_far", role=Role.EMPLOYMENT_OFFICER, org=tree.school_a)
    response = _post(signed_in(outsider), f"/api/v1/employment/employers/{pending.pk}/decision", {"verify": True})
    assert response.status_code == 403
    client = signed_in(emp.officer)
    assert [e["id"] for e in client.get("/api/v1/employment/employers/pending").json()] == [pending.pk]
    response = _post(client, f"/api/v1/employment/employers/{pending.pk}/decision", {"verify": True})
    assert response.status_code == 200 and response.json()["state"] == "verified"


def test_unverified_employer_cannot_post_or_read_resumes(tree, emp):
    pending, hr = make_employer("待审单位", VALID_CREDIT_CODES[1], "hr_pending", tree.county_b,
                                state=EmployerState.PENDING)
    services.save_resume(emp.graduate, {"headline": "后端开发", "visibility": ResumeVisibility.EMPLOYERS})
    with pytest.raises(PermissionDenied):
        services.save_job(hr, {"title": "测试", "description": "x", "region_code": "330106"})
    with pytest.raises(PermissionDenied):
        services.resume_for_employer(hr, emp.graduate.pk)
    client = signed_in(hr)
    response = _post(client, "/api/v1/employment/jobs", {"title": "测试岗位", "description": "负责测试",
                                                          "region_code": "330106"})
    assert response.status_code == 403
    assert client.get(f"/api/v1/employment/resumes/{emp.graduate.pk}").status_code == 403
    assert client.get("/api/v1/employment/supply").status_code == 403
    assert not Job.objects.filter(employer=pending).exists()
    # The page says why instead of showing the form.
    page = client.get("/employment/employer/jobs/new/", follow=True)
    assert zh("Your employer has not been verified yet. Only verified employers may post jobs or read résumés.") \
        in page.content.decode()


def test_verified_employer_reads_only_resumes_made_visible(emp):
    services.save_resume(emp.graduate, {"headline": "后端开发", "visibility": ResumeVisibility.APPLIED})
    client = signed_in(emp.hr)
    assert client.get(f"/api/v1/employment/resumes/{emp.graduate.pk}").status_code == 403
    services.save_resume(emp.graduate, {"headline": "后端开发", "visibility": ResumeVisibility.EMPLOYERS})
    response = client.get(f"/api/v1/employment/resumes/{emp.graduate.pk}")
    assert response.status_code == 200 and response.json()["headline"] == "后端开发"
    assert AuditEntry.objects.filter(action="employment.resume_view", actor=emp.hr).exists()


def test_hiring_can_open_resumes_of_applicants(emp):
    services.save_resume(emp.graduate, {"headline": "后端开发", "visibility": ResumeVisibility.APPLIED})
    resume = emp.graduate.resume
    assert not services.can_read_resume(emp.employer, resume)

    def applied(employer, graduate):
        return employer == emp.employer and graduate == emp.graduate

    services.register_resume_access(applied)
    try:
        assert services.can_read_resume(emp.employer, resume)
    finally:
        services._resume_access.remove(applied)


def test_registration_page_flow(tree):
    client = signed_in(make_user("page_hr"))
    response = client.post("/employment/employer/register/", {**FORM, "credit_code": "bad"})
    assert response.status_code == 200
    assert zh("A unified social credit code has 18 characters: digits and capital letters other than I, O, S, V "
              "and Z, e.g. 91330106MA2XXXXXXX.") in response.content.decode()
    response = client.post("/employment/employer/register/", FORM, follow=True)
    assert Employer.objects.get().state == EmployerState.PENDING
    assert zh("Awaiting verification") in response.content.decode()
