"""The employment service in the browser: an employer's HR user registers the employer, an employment
officer verifies it, the employer posts a job, and the job is public."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.actions import sign_in
from tests.conftest import PASSWORD, enrol_totp, make_user
from zhijiao.core import search_text
from zhijiao.employment import reference_data
from zhijiao.employment.models import Employer, EmployerState, Job, JobState
from zhijiao.identity.models import Role
from zhijiao.resources import reference_data as resource_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_employer_registers_staff_verify_employer_posts_a_job(page: Page, tree):
    # A transactional test starts from an emptied database.
    resource_reference_data.load()
    reference_data.load()
    # Publishing indexes the job for search (Chinese word segmentation); load the dictionary before the clock runs.
    search_text.warm_up()
    make_user("hr_zhou", real_name="周人事")
    officer = make_user("officer_qian", real_name="钱就业", role=Role.EMPLOYMENT_OFFICER, org=tree.city)

    # The HR user registers the employer with its unified social credit code.
    sign_in(page, "hr_zhou", PASSWORD)
    page.goto("/employment/")
    page.get_by_test_id("register-employer").click()
    form = page.get_by_test_id("employer-form")
    form.locator("[name=name]").fill("杭州西湖示例软件有限公司")
    form.locator("[name=credit_code]").fill("914403001922038217")  # a mistyped check character first
    form.locator("[name=employer_type]").select_option("private")
    form.locator("[name=industry_code]").select_option("65")
    form.locator("[name=region_code]").fill("330106")
    form.locator("[name=contact_name]").fill("周人事")
    form.locator("[name=contact_phone]").fill("13912345678")
    form.get_by_test_id("save").click()
    expect(page.locator("#id_credit_code-error")).to_be_visible()
    assert not Employer.objects.exists()
    page.get_by_test_id("employer-form").locator("[name=credit_code]").fill("914403001922038216")
    page.get_by_test_id("employer-form").get_by_test_id("save").click()
    expect(page).to_have_url(re.compile(r"/employment/employer/$"))
    expect(page.get_by_test_id("employer-state")).to_contain_text("914403001922038216")
    employer = Employer.objects.get()
    assert employer.state == EmployerState.PENDING

    # The employment officer of 杭州市 verifies it.
    page.context.clear_cookies()
    sign_in(page, "officer_qian", PASSWORD, code=enrol_totp(officer).now())
    page.goto("/employment/staff/employers/")
    page.get_by_test_id("pending-employers").get_by_role("link", name="杭州西湖示例软件有限公司").click()
    decision = page.get_by_test_id("decision-form")
    decision.locator("input[name=decision][value=verify]").check()
    decision.get_by_test_id("decide").click()
    expect(page).to_have_url(re.compile(r"/employment/staff/employers/$"))
    employer.refresh_from_db()
    assert employer.state == EmployerState.VERIFIED

    # The employer posts a job; it passes screening and is published.
    page.context.clear_cookies()
    sign_in(page, "hr_zhou", PASSWORD)
    page.goto("/employment/employer/")
    page.get_by_test_id("new-job").click()
    job_form = page.get_by_test_id("job-form")
    job_form.locator("[name=title]").fill("后端开发工程师")
    job_form.locator("[name=occupation_code]").select_option("2-02-10")
    job_form.locator("[name=region_code]").fill("330106")
    job_form.locator("[name=salary_min]").fill("9000")
    job_form.locator("[name=salary_max]").fill("15000")
    job_form.locator("[name=education]").select_option("bachelor")
    page.locator(".majors-filter").fill("计算机科学")
    job_form.locator("[name=major_ids]").select_option(label="080901 计算机科学与技术")
    job_form.locator("[name=description]").fill("负责后端服务开发。男女不限，欢迎应届毕业生。")
    job_form.get_by_test_id("publish").click()
    expect(page).to_have_url(re.compile(r"/employment/job/\d+/$"))
    expect(page.get_by_test_id("job")).to_contain_text("后端开发工程师")
    job = Job.objects.get()
    assert job.state == JobState.PUBLISHED and job.published_at is not None
    assert list(job.majors.values_list("code", flat=True)) == ["080901"]

    # Anyone can open the published job.
    page.context.clear_cookies()
    page.goto(f"/employment/job/{job.pk}/")
    expect(page.get_by_test_id("job")).to_contain_text("杭州西湖示例软件有限公司")
