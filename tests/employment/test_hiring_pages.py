"""Hiring pages through Django's test client: what each person sees, and what stays hidden."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import signed_in
from tests.employment.test_hiring_helpers import YEAR, world_fixture  # noqa: F401
from zhijiao.core.models import AuditEntry, SensitiveWord
from zhijiao.core.screening import normalise
from zhijiao.employment.hiring import services
from zhijiao.employment.hiring.models import Application, NoticeReceipt

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"employment_hiring:{name}", args=args)


def test_apply_page_sends_the_application_and_refuses_screened_words(world):
    SensitiveWord.objects.create(word="代考", normalised=normalise("代考"), category="other")
    grad = signed_in(world.grad)
    page = grad.get(url("apply", world.job.pk))
    assert page.status_code == 200 and "后端开发工程师" in page.content.decode()
    refused = grad.post(url("apply", world.job.pk), {"cover_letter": "本人可提供代考服务"})
    assert refused.status_code == 200 and "代考" in refused.content.decode()
    assert not Application.objects.exists()
    sent = grad.post(url("apply", world.job.pk), {"cover_letter": "希望加入贵公司。"})
    application = Application.objects.get()
    assert sent.status_code == 302 and sent["Location"] == url("application", application.pk)
    not_a_graduate = signed_in(world.hr).get(url("apply", world.job.pk)).content.decode()
    assert 'role="alert"' in not_a_graduate and 'name="cover_letter"' not in not_a_graduate


def test_another_employer_gets_404_pages(world):
    application = services.apply(world.grad, world.job)
    agreement = world.offer(application)
    other = signed_in(world.hr2)
    assert other.get(url("application", application.pk)).status_code == 404
    assert other.get(url("agreement", agreement.pk)).status_code == 404
    assert other.get(url("agreement-pdf", agreement.pk)).status_code == 404
    assert other.post(url("move", application.pk), {"state": "rejected"}).status_code == 404
    assert Application.objects.get(pk=application.pk).state == "offer"


def test_the_employer_opening_an_application_sees_the_resume_and_it_is_audited(world):
    from zhijiao.employment.models import Resume

    Resume.objects.create(user=world.grad, headline="熟悉 Python 与 Django", skills=["Python", "SQL"])
    application = services.apply(world.grad, world.job)
    page = signed_in(world.hr).get(url("application", application.pk)).content.decode()
    assert "熟悉 Python 与 Django" in page and "Python、SQL" in page
    assert AuditEntry.objects.filter(action="hiring.resume_view").count() == 1
    assert "熟悉 Python 与 Django" not in signed_in(world.grad).get(url("application", application.pk)).content.decode()


def test_both_parties_download_the_agreement_pdf(world):
    agreement = world.signed_agreement()
    for user in (world.grad, world.hr, world.officer):
        response = signed_in(user).get(url("agreement-pdf", agreement.pk))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
    assert signed_in(world.grad2).get(url("agreement-pdf", agreement.pk)).status_code == 404
    page = signed_in(world.grad).get(url("agreement", agreement.pk)).content.decode()
    assert agreement.number in page and agreement.content_hash in page


def test_officers_pass_two_step_verification_before_approving(world):
    agreement = world.offer(services.apply(world.grad, world.job))
    services.accept_offer(world.grad, agreement)
    response = signed_in(world.officer, mfa=False).get(url("approvals"))
    assert response.status_code == 302
    page = signed_in(world.officer).get(url("approvals")).content.decode()
    assert "张小明" in page
    assert signed_in(world.officer).post(url("agreement-action", agreement.pk, "approve")).status_code == 302
    agreement.refresh_from_db()
    assert agreement.state == "signed"


def test_the_verify_page_answers_anyone(world, client):
    agreement = world.signed_agreement()
    ok = client.get(url("verify"), {"number": agreement.number, "sha256": agreement.content_hash})
    assert ok.status_code == 200 and 'data-testid="verify-result"' in ok.content.decode()
    assert "genuine" in ok.content.decode() or "真实" in ok.content.decode()
    bad = client.get(url("verify"), {"number": agreement.number, "sha256": "0" * 64}).content.decode()
    assert 'role="alert"' in bad


def test_the_progress_dashboard_is_scoped_and_its_csv_is_audited(world):
    services.record_destination(world.counsellor, world.grad.graduate_record, category="11",
                                organisation_name="杭州某公司", region_code="330106")
    counsellor = signed_in(world.counsellor)
    index = counsellor.get(url("progress-index"))
    assert index.status_code == 302 and index["Location"] == url("progress", world.cs.pk)
    page = counsellor.get(url("progress", world.cs.pk)).content.decode()
    assert 'data-testid="kpi-rate">50.0%' in page and "李*" in page and "王*" not in page
    assert counsellor.get(url("progress", world.econ.pk)).status_code == 404
    assert counsellor.get(url("progress", world.uni.pk)).status_code == 404
    csv = counsellor.get(url("progress-export", world.cs.pk, "missing"))
    body = csv.content.decode("utf-8-sig")
    assert csv["Content-Type"].startswith("text/csv") and "李*" in body and "李华" not in body
    assert AuditEntry.objects.filter(action="hiring.progress_export", actor=world.counsellor).count() == 1
    school = signed_in(world.officer).get(url("progress", world.uni.pk), {"year": YEAR}).content.decode()
    assert "计算机学院" in school and "经济学院" in school and "王*" in school
    assert signed_in(world.officer).get(url("progress", world.uni_b.pk)).status_code == 404
    assert signed_in(world.grad).get(url("progress-index")).status_code == 403


def test_a_counsellor_records_a_destination_from_the_drill_down(world):
    record = world.grad2.graduate_record
    counsellor = signed_in(world.counsellor)
    page = counsellor.get(url("graduate", record.pk))
    assert page.status_code == 200 and "李*" in page.content.decode()
    assert AuditEntry.objects.filter(action="hiring.graduate_view").count() == 1
    wrong = counsellor.post(url("graduate", record.pk), {"category": "80", "region_code": "abc"})
    assert wrong.status_code == 200 and record.destinations.count() == 0
    done = counsellor.post(url("graduate", record.pk), {"category": "80", "organisation_name": "复旦大学"})
    assert done.status_code == 302 and record.destinations.get().category == "80"
    assert signed_in(world.counsellor_econ).get(url("graduate", record.pk)).status_code == 404


def test_notice_pages_show_the_inbox_and_who_has_not_read(world):
    bureau = signed_in(world.bureau_admin)
    form = bureau.get(url("notice-new"))
    assert form.status_code == 200
    sent = bureau.post(url("notice-new"), {"organisation": world.tree.city.pk, "title": "就业工作部署",
                                           "body": "请各校做好去向登记。"})
    assert sent.status_code == 302
    notice_id = int(sent["Location"].rstrip("/").split("/")[-1])
    inbox = signed_in(world.counsellor_b).get(url("notices")).content.decode()
    assert "就业工作部署" in inbox
    signed_in(world.counsellor_b).get(url("notice", notice_id))
    assert NoticeReceipt.objects.filter(recipient=world.counsellor_b, read_at__isnull=False).count() == 1
    receipts = bureau.get(url("notice", notice_id)).content.decode()
    assert receipts.count("未读") + receipts.count("Unread") == 4
    assert signed_in(world.grad).get(url("notice", notice_id)).status_code == 404
    assert signed_in(world.counsellor).get(url("notice-new")).status_code == 403


def test_the_fair_page_lists_employers_jobs_and_statistics(world, client):
    now = timezone.now()
    fair = services.create_fair(world.officer, world.uni, title="2026届春季双选会", starts_at=now - timedelta(hours=1),
                                ends_at=now + timedelta(days=1))
    services.join_fair(world.hr, fair, world.employer, jobs=[world.job])
    services.decide_participation(world.officer, fair.participants.get(), approve=True)
    page = client.get(url("fair", fair.pk)).content.decode()
    assert "杭州云帆科技有限公司" in page and "后端开发工程师" in page
    assert 'data-testid="stat-employers">1<' in page
    registered = signed_in(world.grad).post(url("fair-register", fair.pk))
    assert registered.status_code == 302
    assert 'data-testid="stat-registered">1<' in client.get(url("fair", fair.pk)).content.decode()


def test_null_characters_are_refused_with_a_message_and_nothing_is_stored(world):
    application = services.apply(world.grad, world.job)
    grad = signed_in(world.grad)
    response = grad.post(url("message", application.pk), {"body": "你好\x00"}, follow=True)
    assert response.status_code == 200 and not application.messages.exists()
    assert signed_in(world.counsellor).post(url("graduate", world.grad.graduate_record.pk),
                                            {"category": "80", "note": "备注\x00"}).status_code == 200
    assert not world.grad.graduate_record.destinations.exists()
