"""Credit-course platform registry: filings, white and black lists, the public page, reporting figures,
and the rule that universities choose credit courses only from white-listed platforms."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.conftest import make_user, signed_in
from tests.monitoring import test_case_support as support
from zhijiao.identity.models import Role
from zhijiao.monitoring import selectors, services
from zhijiao.monitoring.models import (
    CourseResponsibility,
    CreditCourse,
    CreditCourseChoice,
    FilingState,
    ListKind,
    PlatformListEntry,
)
from zhijiao.records import agents
from zhijiao.records.services import issue_credential, store_statements

pytestmark = pytest.mark.django_db
staff = support.staff


def _pdf(name="备案材料.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"1" * 700, content_type="application/pdf")


def _course(platform, key="https://mooc.example.cn/courses/ethics"):
    return CreditCourse.objects.create(platform=platform, course_key=key, title="思想道德与法治", credits=2)


def test_a_passed_filing_white_lists_the_platform_and_the_public_page_shows_it(client, staff):
    filing = services.submit_filing(staff.platform, actor=staff.operator, year=timezone.localdate().year,
                                    uploads=[_pdf()])
    assert filing.documents.count() == 1
    with pytest.raises(PermissionDenied):  # the operator does not review their own filing
        services.review_filing(filing, actor=staff.operator, passed=True, note="")
    services.review_filing(filing, actor=staff.national_monitor, passed=True, note="材料齐全")
    filing.refresh_from_db()
    assert filing.state == FilingState.PASSED
    assert services.list_status(staff.platform) == ListKind.WHITE
    page = client.get("/monitoring/platforms/")  # no sign-in
    assert page.status_code == 200
    white = page.content.decode().split('data-testid="white-list"')[1].split("</table>")[0]
    assert staff.platform.name in white
    assert client.get("/api/v1/monitoring/platforms/lists").json()["white"][0]["platform"]["name"] == staff.platform.name


def test_a_failed_filing_needs_its_outcome_note_and_a_second_filing_for_the_year_is_refused(staff):
    year = timezone.localdate().year
    filing = services.submit_filing(staff.platform, actor=staff.operator, year=year, uploads=[_pdf()])
    with pytest.raises(ValidationError) as exc:
        services.review_filing(filing, actor=staff.national_monitor, passed=False, note=" ")
    assert "note" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.submit_filing(staff.platform, actor=staff.operator, year=year, uploads=[_pdf()])
    with pytest.raises(ValidationError) as exc:
        services.submit_filing(staff.platform, actor=staff.operator, year=year + 1, uploads=[])
    assert "documents" in exc.value.message_dict
    exe = SimpleUploadedFile("材料.pdf", b"\x7fELF" + b"\0" * 600)
    with pytest.raises(ValidationError):
        services.submit_filing(staff.platform, actor=staff.operator, year=year + 1, uploads=[exe])
    assert services.list_status(staff.platform) is None


def test_black_listing_ends_the_white_entry_and_keeps_the_history(client, staff):
    white = services.add_list_entry(staff.platform, actor=staff.national_monitor, kind=ListKind.WHITE, reason="备案通过")
    services.add_list_entry(staff.platform, actor=staff.national_monitor, kind=ListKind.BLACK, reason="刷课问题频出")
    white.refresh_from_db()
    assert white.ended_on == timezone.localdate() and "刷课问题频出" in white.end_reason
    assert services.list_status(staff.platform) == ListKind.BLACK
    assert PlatformListEntry.objects.filter(platform=staff.platform).count() == 2
    with pytest.raises(ValidationError):
        services.add_list_entry(staff.platform, actor=staff.national_monitor, kind=ListKind.WHITE, reason="再次通过")
    with pytest.raises(ValidationError) as exc:
        services.add_list_entry(staff.other_platform, actor=staff.national_monitor, kind=ListKind.BLACK, reason="")
    assert "reason" in exc.value.message_dict
    lists = client.get("/api/v1/monitoring/platforms/lists").json()
    assert [e["platform"]["name"] for e in lists["black"]] == [staff.platform.name]
    assert [e["kind"] for e in lists["history"]] == ["white"]


@pytest.mark.parametrize("listing", [None, ListKind.BLACK])
def test_the_white_list_rule_blocks_courses_from_unlisted_and_black_listed_platforms(tree, people, staff, listing):
    if listing:
        services.add_list_entry(staff.platform, actor=staff.national_monitor, kind=listing, reason="刷课问题频出")
    course = _course(staff.platform)
    with pytest.raises(ValidationError) as exc:
        services.choose_credit_course(actor=people["school_a_admin"], school=tree.school_a, course=course,
                                      teacher=people["teacher_a"])
    assert staff.platform.name in exc.value.messages[0]
    assert not CreditCourseChoice.objects.exists()
    client = signed_in(people["school_a_admin"])
    response = client.post("/api/v1/monitoring/credit-courses/choices", {
        "school_id": tree.school_a.pk, "course_id": course.pk, "teacher_id": people["teacher_a"].pk},
        content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert ("black list" if listing else "white list") in response.json()["detail"]
    assert not CreditCourseChoice.objects.exists()


def test_a_university_chooses_a_white_listed_course_and_its_teacher_becomes_responsible(tree, people, staff):
    services.add_list_entry(staff.platform, actor=staff.national_monitor, kind=ListKind.WHITE, reason="备案通过")
    course = _course(staff.platform)
    client = signed_in(people["school_a_admin"])
    response = client.post("/monitoring/credit-courses/", {"school": tree.school_a.pk, "course": course.pk,
                                                           "teacher": people["teacher_a"].pk, "credits": "1.5"})
    assert response.status_code == 302
    choice = CreditCourseChoice.objects.get()
    assert choice.credits == 1.5 and choice.teacher == people["teacher_a"]
    assert CourseResponsibility.objects.filter(course_key=course.course_key, school=tree.school_a,
                                               teacher=people["teacher_a"]).exists()
    again = client.post("/monitoring/credit-courses/", {"school": tree.school_a.pk, "course": course.pk,
                                                        "teacher": people["teacher_a"].pk})
    assert again.status_code == 400
    outsider = make_user("teacher_elsewhere", role=Role.TEACHER, org=tree.school_b)
    with pytest.raises(ValidationError) as exc:
        services.choose_credit_course(actor=people["school_a_admin"], school=tree.school_a,
                                      course=_course(staff.platform, key="https://mooc.example.cn/c/2"),
                                      teacher=outsider)
    assert "teacher" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.choose_credit_course(actor=people["teacher_a"], school=tree.school_a, course=course,
                                      teacher=people["teacher_a"])


def test_the_registry_measures_reporting_completeness_and_latency(people, staff):
    credential, _secret = issue_credential(actor=people["sysadmin"], name="学堂在线示例 LRS", organisation=staff.platform,
                                           scopes=["write"])
    learner = make_user("mooc_learner")
    now = timezone.now()

    def statement(verb, delay_s):
        return {"id": str(uuid.uuid4()), "actor": agents.agent_for(learner), "verb": {"id": verb},
                "object": {"id": "https://mooc.example.cn/courses/x", "objectType": "Activity"},
                "timestamp": (now - timedelta(seconds=delay_s)).isoformat()}

    store_statements([statement("http://id.tincanapi.com/verb/viewed", 2),
                      statement("https://w3id.org/xapi/video/verbs/played", 4),
                      statement("https://w3id.org/xapi/adl/verbs/logged-in", 60)],
                     authority=support.AUTHORITY, credential_id=credential.pk)
    figures = selectors.reporting(staff.platform)
    assert figures["categories"] == {"identity": True, "access": True, "learning": True, "operating": False}
    assert figures["completeness"] == 0.75
    assert 1 <= figures["latency_median"] <= 6 and figures["latency_p95"] >= 59
    empty = selectors.reporting(staff.other_platform)
    assert empty["completeness"] == 0 and empty["latency_median"] is None
    client = signed_in(staff.national_monitor)
    page = client.get("/monitoring/registry/")
    assert page.status_code == 200 and "75%" in page.content.decode()
