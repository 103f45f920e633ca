"""The resource centre in the browser: a teacher uploads a micro-lesson video, a reviewer approves it,
and a learner opens the resource page and plays it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.actions import sign_in
from tests.conftest import PASSWORD, enrol_totp, make_user
from tests.resources.conftest import DEMO_VIDEO
from zhijiao.identity.models import Role, Verification
from zhijiao.resources import reference_data
from zhijiao.resources.models import Column, Resource, Subject

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_teacher_uploads_reviewer_approves_learner_plays(page: Page, tree, settings, tmp_path):
    settings.ZJ_REVIEW_LEVELS = 1
    settings.MEDIA_ROOT = str(tmp_path)
    reference_data.load()  # a transactional test starts from an emptied database
    make_user("li_laoshi", real_name="李老师", role=Role.TEACHER, org=tree.school_a, verification=Verification.VERIFIED)
    reviewer = make_user("shenhe", real_name="孙审核", role=Role.REVIEWER, org=tree.city)
    make_user("xiaoming", real_name="王小明", role=Role.LEARNER, org=tree.class_a)
    math = Subject.objects.get(stage__code="primary", code="math")
    column = Column.objects.get(code="k12-curriculum-primary")

    # The teacher accepts the agreement, describes the video and uploads it.
    sign_in(page, "li_laoshi", PASSWORD)
    page.goto("/resources/agreement/")
    page.get_by_test_id("accept-agreement").click()
    page.goto("/resources/new/?kind=video")
    form = page.get_by_test_id("resource-form")
    form.locator("[name=title]").fill("认识钟表 微课")
    form.locator("[name=summary]").fill("通过生活中的钟表认识整时，学会看钟面上的时针和分针。")
    form.locator("[name=subject]").select_option(str(math.pk))
    page.wait_for_load_state()
    form = page.get_by_test_id("resource-form")
    form.locator(f"[name=columns][value='{column.pk}']").check()
    form.locator("[name=keywords]").fill("钟表，整时")
    form.locator("[name=authors]").fill("李老师")
    form.locator("[name=duration_seconds]").fill("600")
    form.get_by_test_id("save").click()
    expect(page).to_have_url(re.compile(r"/resources/\d+/edit/$"))
    upload = page.get_by_test_id("upload-form")
    upload.locator("[name=role]").select_option("main")
    upload.locator("[name=file]").set_input_files(str(DEMO_VIDEO))
    upload.get_by_test_id("upload").click()
    expect(page.get_by_test_id("files")).to_contain_text("demo-lesson.webm")
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(r"/resources/\d+/history/$"))
    resource = Resource.objects.get(title="认识钟表 微课")
    assert resource.versions.get().state == "screened"

    # A reviewer of the city, with two-step verification, approves it on all four dimensions.
    page.context.clear_cookies()
    sign_in(page, "shenhe", PASSWORD, code=enrol_totp(reviewer).now())
    page.goto("/manage/resources/review/")
    page.get_by_test_id("review-queue").get_by_role("link", name="认识钟表 微课").click()
    review = page.get_by_test_id("review-form")
    for box in review.locator("input[type=checkbox]").all():
        box.check()
    review.locator("input[name=outcome][value=approve]").check()
    review.get_by_test_id("decide").click()
    expect(page.get_by_test_id("queue-empty")).to_be_visible()
    resource.refresh_from_db()
    assert resource.status == "published"

    # A learner opens the resource page and plays the video.
    page.context.clear_cookies()
    sign_in(page, "xiaoming", PASSWORD)
    page.goto(f"/resources/{resource.pk}/")
    player = page.get_by_test_id("player")
    expect(player).to_be_visible()
    assert player.get_attribute("data-activity-id").endswith(f"/resources/{resource.pk}/")
    page.evaluate("() => { const v = document.querySelector('[data-testid=player]'); v.muted = true; v.play(); }")
    page.wait_for_function("() => document.querySelector('[data-testid=player]').currentTime > 0.2")
    assert page.evaluate("() => document.querySelector('[data-testid=player]').readyState") >= 2
