"""Online signing in the browser: an employer posts a job, a graduate finds it among their recommendations
and applies, the employer offers, the graduate accepts, the school's employment office approves, and both
parties download the agreement as a PDF.

The four people have chosen English as their language, so the steps read the English labels whatever the
state of the Chinese translations.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.actions import sign_in
from tests.conftest import PASSWORD, enrol_totp, make_user
from tests.employment.test_hiring_helpers import credit_code
from zhijiao.employment.hiring.models import Agreement
from zhijiao.employment.models import (
    DegreeLevel,
    Employer,
    EmployerState,
    EmployerType,
    GraduateRecord,
    Job,
    JobIntention,
)
from zhijiao.identity import services
from zhijiao.identity.models import OrgKind, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JOB_TITLE = "Python 后端开发工程师"


def people(tree):
    make = services.create_organisation
    uni = make(None, name="杭州示范大学", kind=OrgKind.SCHOOL, parent=tree.city, code="4133010001")
    college = make(None, name="计算机学院", kind=OrgKind.DEPARTMENT, parent=uni)
    company = make(None, name="杭州云帆科技有限公司", kind=OrgKind.EMPLOYER, parent=tree.city,
                   code=credit_code("91330100123456789"))
    Employer.objects.create(organisation=company, employer_type=EmployerType.PRIVATE, region_code="330100",
                            contact_name="人事部", state=EmployerState.VERIFIED)
    hr = make_user("hr_yunfan", role=Role.EMPLOYER_HR, org=company, language="en")
    graduate = make_user("grad_zhang", role=Role.LEARNER, org=college, real_name="张小明", language="en")
    GraduateRecord.objects.create(user=graduate, school=uni, college=college, org_path=college.path,
                                  student_number="2022000001", major_name="计算机科学与技术",
                                  degree_level=DegreeLevel.BACHELOR, graduation_year=2026, origin_code="330106")
    JobIntention.objects.create(user=graduate, job_types=["full_time"], region_codes=["3301"])
    officer = make_user("officer_uni", role=Role.EMPLOYMENT_OFFICER, org=uni, language="en")
    return hr, graduate, officer


def sign_out(page: Page) -> None:
    """Sign out, and forget the language cookie so the next person meets the Chinese sign-in page."""
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()
    page.context.clear_cookies()


def download_agreement(page: Page, agreement_id: int) -> None:
    page.goto(f"/employment/hiring/agreements/{agreement_id}/")
    link = page.get_by_test_id("agreement-pdf")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    response = page.request.get(link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")


def test_post_find_apply_offer_accept_approve_and_download(page: Page, tree):
    hr, graduate, officer = people(tree)
    totp = enrol_totp(officer)

    # The employer's HR posts a job.
    sign_in(page, "hr_yunfan", PASSWORD)
    page.goto("/employment/employer/jobs/new/")
    page.get_by_role("textbox", name="Job title").fill(JOB_TITLE)
    page.get_by_role("textbox", name="Workplace (division code)").fill("330106")
    page.get_by_role("spinbutton", name="Lowest monthly salary (yuan)").fill("10000")
    page.get_by_role("spinbutton", name="Highest monthly salary (yuan)").fill("16000")
    page.get_by_role("textbox", name="Description and requirements").fill("负责平台后端服务的开发与维护。")
    page.get_by_test_id("publish").click()
    job = Job.objects.get(title=JOB_TITLE)
    expect(page).to_have_url(re.compile(rf"/employment/job/{job.pk}/$"))
    sign_out(page)

    # The graduate finds it among the recommendations, opens it and applies.
    sign_in(page, "grad_zhang", PASSWORD)
    page.goto("/employment/find/recommended/")
    expect(page.get_by_test_id("job-item").filter(has_text=JOB_TITLE)).to_be_visible()
    page.goto(f"/employment/job/{job.pk}/")
    page.get_by_test_id("apply").click()
    page.get_by_role("textbox", name="Cover letter").fill("我熟悉 Python 与 Django，期待加入。")
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_test_id("application-state")).to_have_text("Submitted")
    sign_out(page)

    # The employer opens the application and makes an offer.
    sign_in(page, "hr_yunfan", PASSWORD)
    page.goto("/employment/hiring/employer/")
    page.get_by_role("link", name="张小明").click()
    expect(page.get_by_test_id("application-state")).to_have_text("Viewed by the employer")
    page.get_by_role("link", name="Make an offer (three-party agreement)").click()
    page.get_by_role("spinbutton", name="Monthly salary (yuan)").fill("12000")
    page.get_by_label("Start date").fill((timezone.localdate() + timedelta(days=60)).isoformat())
    page.get_by_role("textbox", name="Contract terms").fill("劳动合同期限三年，试用期三个月。")
    page.get_by_role("button", name="Sign and send the offer").click()
    expect(page.get_by_test_id("agreement-state")).to_have_text("Offered by the employer")
    sign_out(page)

    # The graduate accepts and signs.
    sign_in(page, "grad_zhang", PASSWORD)
    page.goto("/employment/hiring/applications/")
    # The second table lists offers by post; the offer's post is the job's title.
    page.get_by_role("link", name=JOB_TITLE).last.click()
    page.get_by_role("button", name="Accept and sign").click()
    expect(page.get_by_test_id("agreement-state")).to_have_text("Accepted, awaiting the school")
    sign_out(page)

    # The school's employment office approves (an administrator: two-step verification).
    sign_in(page, "officer_uni", PASSWORD, code=totp.now())
    page.goto("/employment/hiring/approvals/")
    page.get_by_role("link", name="张小明").click()
    page.get_by_role("button", name="Approve and issue the number").click()
    expect(page.get_by_test_id("agreement-state")).to_have_text("Signed")
    agreement = Agreement.objects.get()
    expect(page.get_by_test_id("agreement-number")).to_have_text(agreement.number)
    sign_out(page)

    # Both parties see the agreement and download it as a PDF.
    for username in ("grad_zhang", "hr_yunfan"):
        sign_in(page, username, PASSWORD)
        download_agreement(page, agreement.pk)
        sign_out(page)
