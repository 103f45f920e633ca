"""Hiring rules through the services: applications, the agreement's life, destinations, fairs and notices."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.employment.test_hiring_helpers import YEAR, world_fixture  # noqa: F401
from zhijiao.core.models import AuditEntry, SensitiveWord
from zhijiao.core.screening import normalise
from zhijiao.employment.hiring import selectors, services, signing
from zhijiao.employment.hiring.models import (
    Agreement,
    AgreementState,
    Application,
    ApplicationState,
    Destination,
    DestinationRecord,
    InterviewState,
    Message,
    NoticeReceipt,
    Party,
)
from zhijiao.employment.models import JobState

pytestmark = pytest.mark.django_db

ONE_ACTIVE = "You already have an active three-party agreement"


@pytest.fixture(autouse=True)
def _english():
    """The messages are compared in English (the platform's default language is Chinese)."""
    with translation.override("en"):
        yield


# --- Applications -------------------------------------------------------------------------------------


def test_a_graduate_applies_once_per_job(world):
    application = services.apply(world.grad, world.job, cover_letter="我对后端开发很感兴趣。")
    assert application.state == ApplicationState.SUBMITTED
    with pytest.raises(ValidationError, match="already applied"):
        services.apply(world.grad, world.job)
    assert Application.objects.filter(graduate=world.grad).count() == 1


def test_only_graduates_apply_and_only_to_published_jobs(world):
    with pytest.raises(PermissionDenied):
        services.apply(world.hr2, world.job)
    world.job.state = JobState.HELD
    world.job.save()
    with pytest.raises(ValidationError, match="not open"):
        services.apply(world.grad, world.job)
    assert not Application.objects.exists()


def test_the_pipeline_keeps_a_timestamped_history_and_only_the_employer_moves_it(world):
    application = services.apply(world.grad, world.job)
    with pytest.raises(PermissionDenied):
        services.move(world.grad, application, ApplicationState.INTERVIEW)
    with pytest.raises(PermissionDenied):
        services.open_application(world.hr2, application)
    services.open_application(world.hr, application)
    services.move(world.hr, application, ApplicationState.REJECTED, note="岗位已满")
    application.refresh_from_db()
    assert application.state == ApplicationState.REJECTED and application.viewed_at is not None
    history = [(e.from_state, e.to_state) for e in application.events.all()]
    assert history == [("", "submitted"), ("submitted", "viewed"), ("viewed", "rejected")]
    with pytest.raises(ValidationError, match="cannot be moved"):
        services.move(world.hr, application, ApplicationState.INTERVIEW)


def test_opening_an_application_makes_the_resume_readable_and_is_audited(world):
    from zhijiao.employment import services as employment_services
    from zhijiao.employment.models import Resume, ResumeVisibility

    resume = Resume.objects.create(user=world.grad, visibility=ResumeVisibility.APPLIED, headline="后端开发")
    application = services.apply(world.grad, world.job)
    assert not employment_services.can_read_resume(world.employer, resume)
    services.open_application(world.hr, application)
    assert employment_services.can_read_resume(world.employer, resume)
    assert not employment_services.can_read_resume(world.employer2, resume)
    assert AuditEntry.objects.filter(action="hiring.resume_view", actor=world.hr).count() == 1


def test_withdrawing_closes_the_application(world):
    application = services.apply(world.grad, world.job)
    with pytest.raises(PermissionDenied):
        services.withdraw(world.grad2, application)
    services.withdraw(world.grad, application)
    application.refresh_from_db()
    assert application.state == ApplicationState.WITHDRAWN
    with pytest.raises(ValidationError, match="already closed"):
        services.withdraw(world.grad, application)


def test_messages_are_screened_and_only_the_two_sides_write(world):
    SensitiveWord.objects.create(word="赌博", normalised=normalise("赌博"), category="other")
    application = services.apply(world.grad, world.job)
    services.send_message(world.hr, application, "请于周五前补充成绩单。")
    services.send_message(world.grad, application, "好的，谢谢！")
    with pytest.raises(ValidationError, match="not allowed"):
        services.send_message(world.grad, application, "赌 博")
    with pytest.raises(PermissionDenied):
        services.send_message(world.hr2, application, "你好")
    assert [m.from_employer for m in Message.objects.order_by("id")] == [True, False]


def test_an_interview_is_confirmed_or_a_new_time_asked_for(world):
    application = services.apply(world.grad, world.job)
    with pytest.raises(ValidationError, match="future"):
        services.schedule_interview(world.hr, application, starts_at=timezone.now() - timedelta(hours=1),
                                    place="A座301")
    with pytest.raises(ValidationError, match="place or an online"):
        services.schedule_interview(world.hr, application, starts_at=timezone.now() + timedelta(days=2))
    interview = services.schedule_interview(world.hr, application, starts_at=timezone.now() + timedelta(days=2),
                                            online_link="https://meeting.example.cn/123")
    assert Application.objects.get(pk=application.pk).state == ApplicationState.INTERVIEW
    with pytest.raises(ValidationError, match="which times"):
        services.answer_interview(world.grad, interview, confirm=False)
    services.answer_interview(world.grad, interview, confirm=False, note="下周一下午可以")
    assert interview.state == InterviewState.RESCHEDULE
    services.answer_interview(world.grad, interview, confirm=True)
    assert interview.state == InterviewState.CONFIRMED


# --- The agreement ------------------------------------------------------------------------------------


def test_an_offer_with_bad_terms_is_refused_and_nothing_is_made(world):
    application = services.apply(world.grad, world.job)
    with pytest.raises(ValidationError) as caught:
        world.offer(application, salary=0, post="", start_date=timezone.localdate() - timedelta(days=1))
    assert set(caught.value.message_dict) == {"salary", "post", "start_date"}
    assert not Agreement.objects.exists()
    assert Application.objects.get(pk=application.pk).state == ApplicationState.SUBMITTED


def test_the_full_signing_issues_a_number_three_signatures_and_a_destination(world):
    agreement = world.signed_agreement()
    assert agreement.state == AgreementState.SIGNED
    assert re.fullmatch(rf"{timezone.localdate().year}413301000100001", agreement.number)
    sigs = selectors.signatures(agreement)
    assert [s.party for s in sigs] == [Party.EMPLOYER, Party.GRADUATE, Party.SCHOOL]
    assert [s.signer for s in sigs] == [world.hr, world.grad, world.officer]
    assert all(s.content_hash == agreement.content_hash == signing.content_hash(agreement) for s in sigs)
    assert len({s.key_id for s in sigs}) == 3
    destination = DestinationRecord.objects.get(record=world.grad.graduate_record, current=True)
    assert destination.category == Destination.AGREEMENT and destination.agreement == agreement
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"hiring.offer", "hiring.accept", "hiring.approve"} <= actions


def test_agreement_numbers_count_up_per_school(world):
    first = world.signed_agreement(world.grad, world.job)
    second = world.signed_agreement(world.grad2, world.job)
    other = world.signed_agreement(world.grad_b, world.job)
    assert int(second.number[-5:]) == int(first.number[-5:]) + 1
    assert other.number.endswith("413301000200001")


def test_a_second_acceptance_is_refused_with_a_clear_message(world):
    first = world.offer(services.apply(world.grad, world.job))
    second = world.offer(services.apply(world.grad, world.job2))
    services.accept_offer(world.grad, first)
    with pytest.raises(ValidationError, match=ONE_ACTIVE):
        services.accept_offer(world.grad, second)
    second.refresh_from_db()
    assert second.state == AgreementState.OFFERED
    assert not second.signatures.filter(party=Party.GRADUATE).exists()


def test_the_database_itself_refuses_a_second_active_agreement(world):
    first = world.offer(services.apply(world.grad, world.job))
    second = world.offer(services.apply(world.grad, world.job2))
    Agreement.objects.filter(pk=first.pk).update(state=AgreementState.SIGNED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.filter(pk=second.pk).update(state=AgreementState.ACCEPTED)


def test_only_the_graduates_school_office_approves(world):
    agreement = world.offer(services.apply(world.grad, world.job))
    services.accept_offer(world.grad, agreement)
    for outsider in (world.officer_b, world.counsellor, world.hr, world.grad):
        with pytest.raises(PermissionDenied):
            services.approve_agreement(outsider, agreement)
    with pytest.raises(PermissionDenied):
        services.accept_offer(world.grad2, agreement)


def test_returning_an_accepted_agreement_frees_the_graduate(world):
    first = world.offer(services.apply(world.grad, world.job))
    services.accept_offer(world.grad, first)
    with pytest.raises(ValidationError, match="reason"):
        services.return_agreement(world.officer, first, reason=" ")
    services.return_agreement(world.officer, first, reason="薪资条款需补充")
    second = world.offer(services.apply(world.grad, world.job2))
    assert services.accept_offer(world.grad, second).state == AgreementState.ACCEPTED


def test_termination_needs_both_approvals_and_frees_the_graduate_to_sign_again(world):
    agreement = world.signed_agreement()
    with pytest.raises(ValidationError, match="reasons"):
        services.request_termination(world.grad, agreement, reason="")
    with pytest.raises(PermissionDenied):
        services.request_termination(world.officer, agreement, reason="学校不能发起解约")
    termination = services.request_termination(world.grad, agreement, reason="考取研究生，申请解约。")
    with pytest.raises(ValidationError, match="already waiting"):
        services.request_termination(world.hr, agreement, reason="重复的解约申请")
    with pytest.raises(PermissionDenied):
        services.approve_termination(world.grad, termination)  # the requester cannot approve their own request
    services.approve_termination(world.hr, termination)
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.SIGNED  # the office has not approved yet
    other = world.offer(services.apply(world.grad, world.job2))
    with pytest.raises(ValidationError, match=ONE_ACTIVE):
        services.accept_offer(world.grad, other)
    services.approve_termination(world.officer, termination)
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.TERMINATED
    assert DestinationRecord.objects.get(record=world.grad.graduate_record, current=True).category == "70"
    services.accept_offer(world.grad, other)
    signed = services.approve_agreement(world.officer, other)
    history = list(selectors.destination_history(world.grad.graduate_record).values_list("category", flat=True))
    assert history == ["10", "70", "10"] and signed.number != agreement.number
    assert AuditEntry.objects.filter(action="hiring.termination_approve").count() == 2


def test_a_refused_termination_leaves_the_agreement_signed(world):
    agreement = world.signed_agreement()
    termination = services.request_termination(world.hr, agreement, reason="岗位调整，申请解约。")
    with pytest.raises(ValidationError, match="reason"):
        services.refuse_termination(world.grad, termination, reason="")
    services.refuse_termination(world.grad, termination, reason="不同意解约")
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.SIGNED
    with pytest.raises(ValidationError, match="already been decided"):
        services.approve_termination(world.officer, termination)


def test_verification_detects_a_wrong_hash_changed_content_and_forged_signatures(world):
    agreement = world.signed_agreement()
    assert selectors.verify(agreement.number, agreement.content_hash).ok
    assert not selectors.verify(agreement.number, "0" * 64).hash_matches
    assert not selectors.verify("20260000000000099999", agreement.content_hash).found
    Agreement.objects.filter(pk=agreement.pk).update(salary=99999)
    changed = selectors.verify(agreement.number, agreement.content_hash)
    assert changed.hash_matches and not changed.content_intact and not changed.ok
    Agreement.objects.filter(pk=agreement.pk).update(salary=agreement.salary)
    agreement.signatures.filter(party=Party.SCHOOL).update(mac="f" * 64)
    assert not selectors.verify(agreement.number, agreement.content_hash).signatures_valid


def test_the_agreement_pdf_renders(world):
    from zhijiao.employment.hiring.documents import agreement_pdf

    pdf = agreement_pdf(world.signed_agreement())
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1000


@pytest.mark.django_db(transaction=True)
def test_racing_acceptances_make_exactly_one_agreement(world):
    offers = [world.offer(services.apply(world.grad, job)) for job in (world.job, world.job2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(agreement):
        translation.activate("en")  # the language is per thread; the messages below are compared in English
        barrier.wait()
        try:
            # SQLite's in-memory test database (shared cache) answers "table is locked" at once where a file
            # database would wait out its busy timeout; the retry stands in for that wait.
            for _attempt in range(200):
                try:
                    services.accept_offer(world.grad, agreement)
                    outcomes.append("accepted")
                    return
                except ValidationError as exc:
                    outcomes.append(exc.messages[0])
                    return
                except OperationalError as exc:
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.02)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(a,)) for a in offers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 2 and outcomes.count("accepted") == 1
    assert next(o for o in outcomes if o != "accepted").startswith(ONE_ACTIVE)
    assert Agreement.objects.filter(graduate=world.grad, state=AgreementState.ACCEPTED).count() == 1


# --- Destinations -------------------------------------------------------------------------------------


def test_a_counsellor_records_destinations_in_scope_and_history_is_kept(world):
    record = world.grad.graduate_record
    services.record_destination(world.counsellor, record, category=Destination.FURTHER_STUDY,
                                organisation_name="浙江大学")
    services.record_destination(world.counsellor, record, category=Destination.FLEXIBLE, region_code="330100")
    rows = list(DestinationRecord.objects.filter(record=record).order_by("id").values_list("category", "current"))
    assert rows == [("80", False), ("76", True)]
    with pytest.raises(PermissionDenied):
        services.record_destination(world.counsellor_econ, record, category=Destination.MILITARY)
    with pytest.raises(ValidationError) as caught:
        services.record_destination(world.counsellor, record, category="99", region_code="33")
    assert set(caught.value.message_dict) == {"category", "region_code"}
    with pytest.raises(ValidationError, match="signed agreements"):
        services.record_destination(world.counsellor, record, category=Destination.AGREEMENT)


def test_a_signed_agreement_fixes_the_destination_until_terminated(world):
    world.signed_agreement()
    with pytest.raises(ValidationError, match="signed agreement"):
        services.record_destination(world.counsellor, world.grad.graduate_record, category=Destination.SEEKING)


# --- Job fairs ----------------------------------------------------------------------------------------


def test_a_fair_counts_registrations_employers_jobs_and_applications_while_open(world):
    now = timezone.now()
    with pytest.raises(PermissionDenied):
        services.create_fair(world.counsellor, world.uni, title="春季专场", starts_at=now, ends_at=now + timedelta(days=1))
    with pytest.raises(ValidationError, match="close after"):
        services.create_fair(world.officer, world.uni, title="春季专场", starts_at=now, ends_at=now)
    fair = services.create_fair(world.officer, world.uni, title="2026届春季专场招聘会",
                                starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=2))
    services.join_fair(world.hr, fair, world.employer, jobs=[world.job])
    services.invite_employer(world.officer, fair, world.employer2)
    assert selectors.fair_stats(fair)["employers"] == 0  # one asked, one invited: neither approved yet
    entry = fair.participants.get(employer=world.employer)
    services.decide_participation(world.officer, entry, approve=True)
    with pytest.raises(ValidationError, match="your own"):
        services.join_fair(world.hr2, fair, world.employer2, jobs=[world.job])
    services.join_fair(world.hr2, fair, world.employer2, jobs=[world.job2])  # accepting the invitation
    services.register_for_fair(world.grad, fair)
    services.register_for_fair(world.grad, fair)
    services.register_for_fair(world.grad2, fair)
    with pytest.raises(PermissionDenied):
        services.register_for_fair(world.hr, fair)
    services.apply(world.grad, world.job)
    services.apply(world.grad2, world.job2)
    stats = selectors.fair_stats(fair)
    assert stats == {"registered_graduates": 2, "employers": 2, "jobs": 2, "applications": 2, "live": True}


# --- Notices ------------------------------------------------------------------------------------------


def test_a_notice_reaches_every_counsellor_and_officer_below_and_counts_reads(world):
    with pytest.raises(PermissionDenied):
        services.send_notice(world.counsellor, world.uni, title="通知", body="内容")
    notice = services.send_notice(world.bureau_admin, world.tree.city, title="关于做好2026届毕业生去向登记的通知",
                                  body="请各位辅导员于本周内完成去向登记。")
    recipients = set(NoticeReceipt.objects.filter(notice=notice).values_list("recipient__username", flat=True))
    assert recipients == {"counsellor_cs", "counsellor_econ", "counsellor_b", "officer_uni", "officer_uni_b"}
    services.mark_read(world.counsellor, notice)
    services.mark_read(world.counsellor, notice)
    notice_row = selectors.sent_notices(world.bureau_admin).get()
    assert (notice_row.read, notice_row.total) == (1, 5)
    with pytest.raises(PermissionDenied):
        services.mark_read(world.grad, notice)
    school_notice = services.send_notice(world.officer, world.uni, title="校内通知", body="请按时提交。")
    assert set(school_notice.receipts.values_list("recipient__username", flat=True)) == {
        "counsellor_cs", "counsellor_econ"}
    with pytest.raises(PermissionDenied):
        services.send_notice(world.officer, world.uni_b, title="越权通知", body="……")
    with pytest.raises(ValidationError) as caught:
        services.send_notice(world.officer, world.uni, title="", body="")
    assert set(caught.value.message_dict) == {"title", "body"}


# --- Progress -----------------------------------------------------------------------------------------


def test_the_weekly_rate_follows_each_graduates_newest_entry_week_by_week(world):
    today = timezone.localdate()
    now = timezone.now()

    def entry(user, category, weeks_ago):
        made = services.record_destination(world.officer, user.graduate_record, category=category)
        DestinationRecord.objects.filter(pk=made.pk).update(recorded_at=now - timedelta(weeks=weeks_ago))

    entry(world.grad, "11", 5)  # settled five weeks ago
    entry(world.grad2, "80", 3)  # settled three weeks ago ...
    entry(world.grad2, "70", 1)  # ... and back to seeking one week ago
    entry(world.grad3, "70", 4)  # never settled
    weekly = selectors.weekly_rate(world.uni, YEAR, today=today, weeks=8)
    assert [w["settled"] for w in weekly] == [0, 0, 1, 1, 2, 2, 1, 1]
    assert weekly[-1]["graduates"] == 3 and weekly[-1]["rate"] == 33.3
    assert all(w["week_end"].weekday() == 6 for w in weekly)
    trend = selectors.weekly_by(world.uni, YEAR, "unit", today=today, weeks=8)
    by_name = {s["name"]: s["rates"] for s in trend["series"]}
    assert by_name["计算机学院"] == [0.0, 0.0, 50.0, 50.0, 100.0, 100.0, 50.0, 50.0]
    assert by_name["经济学院"] == [0.0] * 8
    tables = selectors.breakdown(world.uni, YEAR)
    assert {(r["name"], r["graduates"], r["settled"]) for r in tables["units"]} == {("计算机学院", 2, 1),
                                                                                ("经济学院", 1, 0)}
    assert {(r["name"], r["rate"]) for r in tables["majors"]} == {("计算机科学与技术", 50.0), ("经济学", 0.0)}


def test_verification_answers_any_text_typed_as_the_hash(world):
    agreement = world.signed_agreement()
    result = selectors.verify(f" {agreement.number} ", "协议内容哈希")
    assert result.found and not result.hash_matches and not result.ok


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(post=st.text(max_size=120), salary=st.one_of(st.integers(), st.none(), st.text(max_size=5)),
       days=st.integers(min_value=-400, max_value=400), code=st.text(max_size=8),
       damages=st.one_of(st.integers(), st.floats(allow_nan=True)))
def test_offer_terms_are_either_accepted_whole_or_refused_field_by_field(db, post, salary, days, code, damages):
    start = timezone.localdate() + timedelta(days=days)
    try:
        cleaned_post, _terms = services._clean_offer(post, salary, start, code, "合同条款", damages)
    except ValidationError as exc:
        assert set(exc.message_dict) <= {"post", "salary", "start_date", "workplace_code", "liquidated_damages"}
        return
    assert 0 < len(cleaned_post) <= 100 and 0 < salary <= 1_000_000 and days >= 0
    assert code == "" or (len(code) == 6 and code.isdigit())
    assert 0 <= damages <= 1_000_000


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=st.text(max_size=40), sha=st.text(max_size=70))
def test_verifying_arbitrary_text_never_fails(db, number, sha):
    result = selectors.verify(number, sha)
    assert not result.found and not result.ok
