"""The hiring JSON API: who may do what, the errors people get, and scoping of every read."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from tests.conftest import signed_in
from tests.employment.test_hiring_helpers import YEAR, world_fixture  # noqa: F401
from zhijiao.core.models import AuditEntry
from zhijiao.employment.hiring import services
from zhijiao.employment.hiring.models import AgreementState, Application, ApplicationState
from zhijiao.employment.models import DegreeLevel

pytestmark = pytest.mark.django_db

API = "/api/v1/employment/hiring"


def offer_body(**overrides):
    body = {"post": "后端开发工程师", "salary": 12000, "start_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
            "contract_terms": "劳动合同三年。", "liquidated_damages": 0}
    body.update(overrides)
    return body


def test_a_graduate_applies_and_the_employer_runs_the_pipeline(world):
    grad, hr = signed_in(world.grad), signed_in(world.hr)
    created = grad.post(f"{API}/applications", {"job_id": world.job.pk, "cover_letter": "你好"},
                        content_type="application/json")
    assert created.status_code == 201 and created.json()["state"] == "submitted"
    again = grad.post(f"{API}/applications", {"job_id": world.job.pk}, content_type="application/json")
    assert again.status_code == 422 and again.json()["detail"] in ("You have already applied to this job.", "您已申请过该岗位。")
    app_id = created.json()["id"]
    assert [a["id"] for a in hr.get(f"{API}/employer/applications").json()] == [app_id]
    opened = hr.get(f"{API}/applications/{app_id}").json()
    assert opened["state"] == "viewed" and [h["to_state"] for h in opened["history"]] == ["submitted", "viewed"]
    offered = hr.post(f"{API}/applications/{app_id}/offer", offer_body(), content_type="application/json")
    assert offered.status_code == 201 and offered.json()["signatures"][0]["party"] == "employer"
    assert grad.get(f"{API}/applications").json()[0]["state"] == "offer"


def test_a_graduate_cannot_move_an_application_or_act_for_others_on_an_agreement(world):
    application = services.apply(world.grad, world.job)
    agreement = world.offer(application)
    grad = signed_in(world.grad)
    moved = grad.post(f"{API}/applications/{application.pk}/state", {"state": "interview"},
                      content_type="application/json")
    assert moved.status_code == 403
    assert grad.post(f"{API}/applications/{application.pk}/offer", offer_body(),
                     content_type="application/json").status_code == 403
    assert grad.post(f"{API}/agreements/{agreement.pk}/approve").status_code == 403
    assert grad.post(f"{API}/agreements/{agreement.pk}/withdraw").status_code == 403
    assert Application.objects.get(pk=application.pk).state == ApplicationState.OFFER
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.OFFERED
    assert AuditEntry.objects.filter(action="access.denied", actor=world.grad).count() == 4


def test_another_companys_staff_get_403_and_nothing_is_shown(world):
    application = services.apply(world.grad, world.job)
    agreement = world.offer(application)
    other = signed_in(world.hr2)
    for url in (f"{API}/applications/{application.pk}", f"{API}/applications/{application.pk}/messages",
                f"{API}/agreements/{agreement.pk}"):
        response = other.get(url)
        assert response.status_code == 403, url
        assert "张小明" not in response.content.decode()
    assert other.get(f"{API}/applications/999999").status_code == 404
    assert other.get(f"{API}/employer/applications").json() == []
    assert Application.objects.get(pk=application.pk).viewed_at is None


def test_a_second_acceptance_through_the_api_gets_the_clear_message(world):
    first = world.offer(services.apply(world.grad, world.job))
    second = world.offer(services.apply(world.grad, world.job2))
    grad = signed_in(world.grad)
    assert grad.post(f"{API}/agreements/{first.pk}/accept").json()["state"] == "accepted"
    refused = grad.post(f"{API}/agreements/{second.pk}/accept")
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("您已有一份") or "active three-party" in refused.json()["detail"]


def test_approval_pdf_and_verification_through_the_api(world):
    agreement = world.offer(services.apply(world.grad, world.job))
    services.accept_offer(world.grad, agreement)
    officer = signed_in(world.officer)
    assert [a["id"] for a in officer.get(f"{API}/agreements/pending").json()] == [agreement.pk]
    approved = officer.post(f"{API}/agreements/{agreement.pk}/approve").json()
    assert approved["state"] == "signed" and approved["number"]
    assert [s["party"] for s in approved["signatures"]] == ["employer", "graduate", "school"]
    for client in (signed_in(world.grad), signed_in(world.hr), officer):
        pdf = client.get(f"{API}/agreements/{agreement.pk}/pdf").json()
        assert base64.b64decode(pdf["base64"]).startswith(b"%PDF-")
    anonymous = signed_in(world.grad2, mfa=False)
    anonymous.logout()
    ok = anonymous.get(f"{API}/agreements/verify", {"number": approved["number"], "sha256": approved["content_sha256"]})
    assert ok.status_code == 200 and ok.json()["valid"] is True
    bad = anonymous.get(f"{API}/agreements/verify", {"number": approved["number"], "sha256": "ab" * 32}).json()
    assert bad["found"] and not bad["hash_matches"] and not bad["valid"]


def test_terminations_through_the_api(world):
    agreement = world.signed_agreement()
    hr, officer, grad = signed_in(world.hr), signed_in(world.officer), signed_in(world.grad)
    empty = hr.post(f"{API}/agreements/{agreement.pk}/terminations", {"reason": ""}, content_type="application/json")
    assert empty.status_code == 422 and "reason" in empty.json()["errors"]
    made = hr.post(f"{API}/agreements/{agreement.pk}/terminations", {"reason": "业务调整，双方协商解约。"},
                   content_type="application/json").json()
    assert signed_in(world.hr2).post(f"{API}/terminations/{made['id']}/approve").status_code == 403
    assert grad.post(f"{API}/terminations/{made['id']}/approve").json()["state"] == "pending"
    assert officer.post(f"{API}/terminations/{made['id']}/approve").json()["state"] == "approved"
    assert grad.get(f"{API}/agreements/{agreement.pk}").json()["state"] == "terminated"


def test_progress_is_scoped_per_role(world):
    services.record_destination(world.counsellor, world.grad.graduate_record, category="80")
    counsellor = signed_in(world.counsellor)
    mine = counsellor.get(f"{API}/progress/{world.cs.pk}").json()
    assert mine["year"] == YEAR and mine["weekly"][-1]["graduates"] == 2 and mine["weekly"][-1]["settled"] == 1
    assert counsellor.get(f"{API}/progress/{world.econ.pk}").status_code == 403
    assert counsellor.get(f"{API}/progress/{world.uni.pk}").status_code == 403
    bureau = signed_in(world.bureau_admin).get(f"{API}/progress/{world.tree.city.pk}").json()
    assert bureau["weekly"][-1]["graduates"] == 4
    assert {u["name"] for u in bureau["units"]} == {"杭州示范大学", "上城区"}
    county = signed_in(world.county_admin)
    assert county.get(f"{API}/progress/{world.uni.pk}").status_code == 403
    assert county.get(f"{API}/progress/{world.tree.county_b.pk}").json()["weekly"][-1]["graduates"] == 1
    missing = signed_in(world.officer).get(f"{API}/progress/{world.uni.pk}").json()["without_destination"]
    assert {m["name"] for m in missing} == {"李*", "王*"}
    assert all("*" in m["student_number"] for m in missing)


def test_destinations_through_the_api(world):
    record = world.grad3.graduate_record
    econ = signed_in(world.counsellor_econ)
    bad = econ.post(f"{API}/graduates/{record.pk}/destinations", {"category": "10"}, content_type="application/json")
    assert bad.status_code == 422 and "category" in bad.json()["errors"]
    made = econ.post(f"{API}/graduates/{record.pk}/destinations", {"category": "75", "organisation_name": "自办工作室"},
                     content_type="application/json")
    assert made.status_code == 201 and made.json()["current"] is True
    assert signed_in(world.counsellor).get(f"{API}/graduates/{record.pk}/destinations").status_code == 403
    assert [d["category"] for d in econ.get(f"{API}/graduates/{record.pk}/destinations").json()] == ["75"]


def test_notices_and_read_receipts_through_the_api(world):
    bureau = signed_in(world.bureau_admin)
    sent = bureau.post(f"{API}/notices", {"organisation_id": world.tree.city.pk, "title": "去向登记通知",
                                          "body": "请于周五前完成。"}, content_type="application/json")
    assert sent.status_code == 201 and sent.json()["total"] == 5 and sent.json()["read"] == 0
    notice_id = signed_in(world.counsellor).get(f"{API}/notices/inbox").json()[0]["id"]
    assert signed_in(world.counsellor).post(f"{API}/notices/{notice_id}/read").json()["read_at"]
    receipts = bureau.get(f"{API}/notices/{notice_id}/receipts").json()
    assert receipts["read"] == 1 and len(receipts["unread"]) == 4
    assert signed_in(world.counsellor).get(f"{API}/notices/{notice_id}/receipts").status_code == 403
    assert signed_in(world.grad).post(f"{API}/notices/{notice_id}/read").status_code == 403


def test_fair_api_shows_live_statistics(world):
    now = timezone.now()
    officer = signed_in(world.officer)
    made = officer.post(f"{API}/fairs", {"organiser_id": world.uni.pk, "title": "秋季专场", "starts_at": (
        now - timedelta(hours=1)).isoformat(), "ends_at": (now + timedelta(days=1)).isoformat()},
        content_type="application/json")
    assert made.status_code == 201
    fair_id = made.json()["id"]
    hr = signed_in(world.hr)
    joined = hr.post(f"{API}/fairs/{fair_id}/employers", {"employer_id": world.employer.pk, "job_ids": [world.job.pk]},
                     content_type="application/json").json()
    officer.post(f"{API}/fairs/{fair_id}/employers/{joined['id']}/decision", {"approve": True},
                 content_type="application/json")
    signed_in(world.grad).post(f"{API}/fairs/{fair_id}/registrations")
    services.apply(world.grad, world.job)
    stats = signed_in(world.grad2).get(f"{API}/fairs/{fair_id}/stats").json()
    assert stats == {"registered_graduates": 1, "employers": 1, "jobs": 1, "applications": 1, "live": True}
    wrong = officer.post(f"{API}/fairs", {"organiser_id": world.uni.pk, "title": "x", "starts_at": now.isoformat(),
                                          "ends_at": now.isoformat()}, content_type="application/json")
    assert wrong.status_code == 422 and "ends_at" in wrong.json()["errors"]


def test_weekly_rate_by_group_is_scoped(world):
    services.record_destination(world.counsellor, world.grad.graduate_record, category="11")
    bureau = signed_in(world.bureau_admin).get(f"{API}/progress/{world.tree.city.pk}/weekly", {"by": "degree"}).json()
    with translation.override("zh-hans"):  # the caller's language
        expected = {str(DegreeLevel.BACHELOR.label): 3, str(DegreeLevel.VOCATIONAL.label): 1}
    assert {s["name"]: s["graduates"] for s in bureau["series"]} == expected
    counsellor = signed_in(world.counsellor)
    assert counsellor.get(f"{API}/progress/{world.uni.pk}/weekly").status_code == 403
    assert counsellor.get(f"{API}/progress/{world.cs.pk}/weekly", {"by": "nonsense"}).status_code == 422
    mine = counsellor.get(f"{API}/progress/{world.cs.pk}/weekly", {"by": "major"}).json()
    assert mine["series"] == [{"name": "计算机科学与技术", "graduates": 2, "rates": [0.0] * 25 + [50.0]}]
