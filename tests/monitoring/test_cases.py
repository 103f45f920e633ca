"""Case queues and case pages: who sees what, dispositions, appeals, notices, and the audit trail."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.conftest import signed_in
from tests.monitoring import test_case_support as support
from tests.monitoring.test_case_support import COURSE, make_case, store_playback
from zhijiao.core.models import AuditEntry
from zhijiao.monitoring import permissions, services
from zhijiao.monitoring.models import (
    Appeal,
    AppealOutcome,
    Case,
    CaseDecision,
    CaseEvent,
    CaseState,
    CourseResponsibility,
    EventKind,
    Notice,
    Sanction,
)

pytestmark = pytest.mark.django_db
staff = support.staff


def _queue_ids(user):
    scope = permissions.case_scope(user)
    return set() if scope is None else set(Case.objects.filter(scope).values_list("pk", flat=True))


def test_each_queue_holds_only_its_own_scope(tree, people, staff):
    a = make_case(people["pupil_a"], platform=staff.platform)
    b = make_case(people["pupil_b"], platform=staff.other_platform)
    assert a.university == tree.school_a and b.university == tree.school_b
    assert _queue_ids(people["school_a_admin"]) == {a.pk}
    assert _queue_ids(staff.monitor_a) == {a.pk}  # the bureau of 西湖区 sees its subtree only
    assert _queue_ids(staff.national_monitor) == {a.pk, b.pk}
    assert _queue_ids(staff.operator) == {a.pk}  # the operator sees the cases from their platform
    assert _queue_ids(people["teacher_a"]) == set()  # a teacher sees nothing until named responsible
    CourseResponsibility.objects.create(course_key=COURSE, school=tree.school_a, teacher=people["teacher_a"])
    assert _queue_ids(people["teacher_a"]) == {a.pk}
    # A responsibility at a school where the teacher does not teach gives nothing.
    CourseResponsibility.objects.create(course_key=COURSE, school=tree.school_a, teacher=staff.teacher_b)
    assert _queue_ids(staff.teacher_b) == set()


def test_a_teacher_of_another_school_gets_404_on_the_page_and_an_audited_403_from_the_api(tree, people, staff):
    a = make_case(people["pupil_a"], platform=staff.platform)
    CourseResponsibility.objects.create(course_key=COURSE, school=tree.school_b, teacher=staff.teacher_b)
    client = signed_in(staff.teacher_b, mfa=False)
    assert client.get(f"/monitoring/cases/{a.pk}/").status_code == 404
    denied = AuditEntry.objects.filter(action="access.denied", actor=staff.teacher_b)
    assert denied.count() == 1
    response = client.get(f"/api/v1/monitoring/cases/{a.pk}")
    assert response.status_code == 403
    assert denied.count() == 2
    listing = client.get("/api/v1/monitoring/cases").json()
    assert listing["count"] == 0
    assert not CaseEvent.objects.filter(case=a, kind=EventKind.VIEWED).exists()


def test_every_view_of_a_case_is_in_its_history_and_the_audit_log(people, staff):
    case = make_case(people["pupil_a"], platform=staff.platform)
    store_playback(people["pupil_a"], start=case.evidence_from)
    client = signed_in(staff.monitor_a)
    page = client.get(f"/monitoring/cases/{case.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-chart="playback"' in html and "110***" in html  # masked ID number, never the whole
    assert "110105201403071238" not in html
    data = json.loads(html.split('id="case-data" type="application/json">')[1].split("</script>")[0])
    assert data["playback"]["speed"][1:] == [3.0] * 5  # the bot's 3× playhead shows as speed 3
    api = client.get(f"/api/v1/monitoring/cases/{case.pk}").json()
    assert api["id_number_masked"].startswith("110") and "*" in api["id_number_masked"]
    assert api["answers"][0]["seconds"] == 1.2
    views = AuditEntry.objects.filter(action="monitoring.case_view", target_id=str(case.pk))
    assert views.count() == 2 and set(views.values_list("actor", flat=True)) == {staff.monitor_a.pk}
    assert case.events.filter(kind=EventKind.VIEWED, actor=staff.monitor_a).count() == 2


def test_confirming_records_the_sanction_and_notifies_the_university(tree, people, staff,
                                                                     django_capture_on_commit_callbacks):
    case = make_case(people["pupil_a"], platform=staff.platform)
    people["school_a_admin"].email = "admin_a@example.com"
    people["school_a_admin"].save()
    CourseResponsibility.objects.create(course_key=COURSE, school=tree.school_a, teacher=people["teacher_a"])
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm(case, actor=staff.monitor_a, sanction=Sanction.CANCEL_GRADE, note="三次以上倍速")
    case.refresh_from_db()
    assert case.state == CaseState.CONFIRMED and case.decision.sanction == Sanction.CANCEL_GRADE
    recipients = set(Notice.objects.filter(case=case).values_list("recipient", flat=True))
    assert recipients == {people["school_a_admin"].pk, people["teacher_a"].pk}
    assert [m.to for m in mail.outbox] == [["admin_a@example.com"]]  # the teacher has no address
    assert AuditEntry.objects.filter(action="monitoring.case_confirm", target_id=str(case.pk)).exists()
    assert case.events.filter(kind=EventKind.NOTIFIED).exists()


def test_other_sanction_needs_its_text_and_dismissing_needs_a_reason(people, staff):
    case = make_case(people["pupil_a"], platform=staff.platform)
    with pytest.raises(ValidationError) as exc:
        services.confirm(case, actor=staff.monitor_a, sanction=Sanction.OTHER, sanction_text="  ")
    assert "sanction_text" in exc.value.message_dict
    client = signed_in(staff.monitor_a)
    response = client.post(f"/api/v1/monitoring/cases/{case.pk}/dismiss", {"reason": ""},
                           content_type="application/json")
    assert response.status_code == 422 and "reason" in response.json()["errors"]
    page = client.post(f"/monitoring/cases/{case.pk}/dismiss/", {"reason": "   "})
    assert page.status_code == 400 and "reason-error" in page.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.OPEN and not CaseDecision.objects.filter(case=case).exists()
    services.dismiss(case, actor=staff.monitor_a, reason="1.5 倍速正常学习")
    case.refresh_from_db()
    assert case.state == CaseState.DISMISSED and case.decision.reason == "1.5 倍速正常学习"


def test_only_deciders_in_scope_decide(people, staff):
    case = make_case(people["pupil_a"], platform=staff.platform)
    for outsider in (staff.operator, people["county_b_admin"], people["teacher_a"]):
        with pytest.raises(Exception) as exc:
            services.confirm(case, actor=outsider, sanction=Sanction.WARNING)
        assert exc.type.__name__ == "PermissionDenied"
    case.refresh_from_db()
    assert case.state == CaseState.OPEN


def test_the_student_appeals_once_and_the_decider_resolves(people, staff):
    pupil = people["pupil_a"]
    case = make_case(pupil, platform=staff.platform)
    services.confirm(case, actor=people["school_a_admin"], sanction=Sanction.WARNING)
    client = signed_in(pupil, mfa=False)
    page = client.get("/monitoring/integrity/")
    assert page.status_code == 200 and f"integrity-case-{case.pk}" in page.content.decode()
    assert 'data-testid="integrity-link"' in client.get("/me/").content.decode()
    assert "median_rate" not in page.content.decode()  # detector internals stay with the staff
    pdf = SimpleUploadedFile("说明.pdf", b"%PDF-1.4\n" + b"0" * 600, content_type="application/pdf")
    response = client.post(f"/api/v1/monitoring/my/cases/{case.pk}/appeal",
                           {"text": "我本人在图书馆学习，有同学作证。", "attachment": pdf})
    assert response.status_code == 201, response.content
    assert response.json()["state"] == CaseState.UNDER_APPEAL and response.json()["appeal"]["has_attachment"]
    again = client.post(f"/api/v1/monitoring/my/cases/{case.pk}/appeal", {"text": "再申诉一次"},
                        HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 422 and "only once" in again.json()["detail"]
    services.resolve_appeal(case, actor=people["school_a_admin"], outcome=AppealOutcome.REJECTED, note="证据充分")
    case.refresh_from_db()
    assert case.state == CaseState.CONFIRMED
    third = client.post(f"/monitoring/integrity/{case.pk}/appeal/", {"text": "第三次"})
    assert third.status_code == 400
    assert case.appeal.text.startswith("我本人")


def test_an_upheld_appeal_dismisses_the_case(people, staff):
    case = make_case(people["pupil_a"], platform=staff.platform)
    services.confirm(case, actor=staff.monitor_a, sanction=Sanction.WARNING)
    services.appeal(case, actor=people["pupil_a"], text="设备是学校机房共用的")
    services.resolve_appeal(case, actor=staff.monitor_a, outcome=AppealOutcome.UPHELD, note="机房共用，核实属实")
    case.refresh_from_db()
    assert case.state == CaseState.DISMISSED and case.decision.reason == "机房共用，核实属实"
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.APPEALED, EventKind.APPEAL_UPHELD]


def test_an_executable_attachment_is_refused_and_nothing_changes(people, staff):
    case = make_case(people["pupil_a"], platform=staff.platform)
    services.confirm(case, actor=staff.monitor_a, sanction=Sanction.WARNING)
    exe = SimpleUploadedFile("proof.pdf", b"MZ" + b"\0" * 600, content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.appeal(case, actor=people["pupil_a"], text="见附件", upload=exe)
    assert "attachment" in exc.value.message_dict
    case.refresh_from_db()
    assert case.state == CaseState.CONFIRMED and not Appeal.objects.filter(case=case).exists()


def test_the_student_cannot_change_a_case_through_the_api(people, staff):
    pupil = people["pupil_a"]
    case = make_case(pupil, platform=staff.platform)
    client = signed_in(pupil, mfa=False)
    for path, body in ((f"/api/v1/monitoring/cases/{case.pk}/dismiss", {"reason": "不是我"}),
                       (f"/api/v1/monitoring/cases/{case.pk}/confirm", {"sanction": "warning"})):
        assert client.post(path, body, content_type="application/json").status_code == 403
    assert client.get(f"/api/v1/monitoring/cases/{case.pk}").status_code == 403
    # An open case is not shown to the learner, nor can it be appealed.
    assert client.get("/api/v1/monitoring/my/cases").json() == []
    assert client.post(f"/api/v1/monitoring/my/cases/{case.pk}/appeal", {"text": "x"}).status_code == 404
    case.refresh_from_db()
    assert case.state == CaseState.OPEN


def test_another_student_never_sees_the_case(people, staff):
    case = make_case(people["pupil_a"], platform=staff.platform)
    services.confirm(case, actor=staff.monitor_a, sanction=Sanction.WARNING)
    client = signed_in(people["pupil_b"], mfa=False)
    assert client.get("/api/v1/monitoring/my/cases").json() == []
    assert client.post(f"/api/v1/monitoring/my/cases/{case.pk}/appeal", {"text": "x"}).status_code == 404
    assert client.get(f"/monitoring/cases/{case.pk}/appeal/file/").status_code == 404


def test_the_university_admin_reads_and_marks_notices(people, staff):
    case = make_case(people["pupil_a"], platform=staff.platform)
    services.confirm(case, actor=staff.monitor_a, sanction=Sanction.CRITICISM)
    client = signed_in(people["school_a_admin"])
    items = client.get("/api/v1/monitoring/notices?unread=true").json()
    assert len(items) == 1 and items[0]["case_id"] == case.pk
    assert client.post(f"/api/v1/monitoring/notices/{items[0]['id']}/read").status_code == 204
    assert client.get("/api/v1/monitoring/notices?unread=true").json() == []
    other = signed_in(people["county_b_admin"])
    assert other.post(f"/api/v1/monitoring/notices/{items[0]['id']}/read").status_code == 404


def test_the_queue_filters_sorts_and_pages(people, staff):
    pupil = people["pupil_a"]
    low = make_case(pupil, platform=staff.platform, score=0.5, course=COURSE + "-a")
    high = make_case(pupil, platform=staff.platform, score=0.99, course=COURSE + "-b",
                     start=timezone.now() - timedelta(days=3))
    client = signed_in(staff.monitor_a)
    by_severity = client.get("/api/v1/monitoring/cases?sort=severity").json()["items"]
    assert [c["id"] for c in by_severity] == [high.pk, low.pk]
    assert client.get("/api/v1/monitoring/cases?severity=3").json()["count"] == 1
    assert client.get("/api/v1/monitoring/cases?limit=1&offset=1").json()["items"][0]["id"] == low.pk
    assert client.get("/api/v1/monitoring/cases?kind=proxy_exam").json()["count"] == 0
    assert client.get("/api/v1/monitoring/cases?sort=sideways").status_code == 422
    page = client.get("/monitoring/?severity=3").content.decode()
    assert f'data-case-id="{high.pk}"' in page and f'data-case-id="{low.pk}"' not in page


def test_new_findings_after_an_appeal_open_a_new_case(people, staff):
    pupil = people["pupil_a"]
    case = make_case(pupil, platform=staff.platform)
    services.confirm(case, actor=staff.monitor_a, sanction=Sanction.WARNING)
    services.appeal(case, actor=pupil, text="不是我")
    later = make_case(pupil, platform=staff.platform, detector="heartbeat_regularity")
    assert later.pk != case.pk and later.state == CaseState.OPEN


def test_a_learner_without_a_case_has_no_integrity_link(people):
    client = signed_in(people["pupil_b"], mfa=False)
    assert "integrity-link" not in client.get("/me/").content.decode()
    assert client.get("/monitoring/integrity/").status_code == 200


def test_a_run_that_read_findings_before_another_attached_them_opens_no_second_case(people, staff):
    from zhijiao.monitoring.cases import _attach

    case = make_case(people["pupil_a"], platform=staff.platform)
    services.confirm(case, actor=staff.monitor_a, sanction=Sanction.WARNING)
    finding = case.findings.get()
    _attach(finding.user_id, finding.course_key, finding.kind, [finding], case.university)
    finding.refresh_from_db()
    assert finding.case_id == case.pk and Case.objects.filter(user=people["pupil_a"]).count() == 1
