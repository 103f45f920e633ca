"""Administration in the browser: a county bureau administrator at work on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.actions import PHONE, sign_in
from tests.conftest import PASSWORD, enrol_totp, make_user
from zhijiao.identity.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_county_admin_adds_a_class_to_a_school_on_a_phone(page: Page, tree):
    admin = make_user("xihu_admin", real_name="周敏", role=Role.BUREAU_ADMIN, org=tree.county_a)
    authenticator = enrol_totp(admin)

    sign_in(page, "xihu_admin", PASSWORD, code=authenticator.now())
    expect(page).to_have_url(re.compile(r"/me/$"))

    # On a phone the main navigation folds away behind the ☰ button.
    navigation = page.get_by_role("navigation", name="主导航")
    manage_link = navigation.get_by_role("link", name="管理")
    expect(manage_link).to_be_hidden()
    page.get_by_text("☰").click()
    manage_link.click()

    page.get_by_role("link").filter(has=page.get_by_role("heading", name="机构", exact=True)).click()
    expect(page.get_by_role("heading", name="机构", level=1)).to_be_visible()
    page.get_by_label("名称或代码").fill("实验小学")
    page.get_by_role("button", name="搜索").click()
    results = page.locator("section").filter(has=page.get_by_role("heading", name="搜索结果"))
    results.get_by_role("link", name="西湖区实验小学").click()
    expect(page.get_by_role("heading", name="西湖区实验小学", level=1)).to_be_visible()

    add_form = page.locator("section").filter(has=page.get_by_role("heading", name="新增下级机构"))
    add_form.get_by_role("textbox", name="名称", exact=True).fill("三年级二班")
    add_form.get_by_role("combobox", name="类型").select_option(label="班级")
    add_form.get_by_role("button", name="创建").click()

    expect(page.get_by_role("status")).to_have_text("已创建“三年级二班”。")
    below = page.locator("section").filter(has=page.get_by_role("heading", name="下级机构", exact=True))
    expect(below.get_by_role("link", name="三年级二班")).to_be_visible()
    expect(below.get_by_role("link", name="三年级一班")).to_be_visible()
    # The table stays inside the phone's width instead of pushing the page sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
