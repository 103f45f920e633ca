"""A person's own account in the browser: registering, two-step verification, form errors, lockout."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.browser.actions import sign_in
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def field(page: Page, label: str):
    """The form row around the input labelled ``label``: where its help text and errors appear."""
    return page.locator(".field").filter(has=page.get_by_role("textbox", name=label, exact=True))


def test_register_set_up_totp_and_sign_in_again_with_the_code(page: Page):
    page.goto("/accounts/register/")
    page.get_by_role("textbox", name="用户名", exact=True).fill("lin_xiaoyu")
    page.get_by_role("textbox", name="手机号", exact=True).fill("13912345678")
    page.get_by_role("textbox", name="密码", exact=True).fill(PASSWORD)
    page.get_by_role("textbox", name="确认密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="注册").click()

    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.get_by_role("status")).to_contain_text("欢迎")
    expect(page.get_by_role("button", name="退出")).to_be_visible()

    page.get_by_role("link", name="密码、两步验证和登录记录").click()
    expect(page.get_by_test_id("mfa-status")).to_have_text("未开启")
    page.get_by_role("link", name="设置两步验证").click()

    # The person types the key into an authenticator app; pyotp plays the app.
    authenticator = pyotp.TOTP(page.get_by_test_id("totp-secret").inner_text().strip())
    page.get_by_label("验证码").fill(authenticator.now())
    page.get_by_role("button", name="开启").click()

    codes = page.get_by_test_id("recovery-codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    expect(codes.first).to_have_text(re.compile(r"^[0-9a-f]{5}-[0-9a-f]{5}$"))
    page.get_by_role("link", name="我已保存").click()
    expect(page.get_by_test_id("mfa-status")).to_have_text("已开启")

    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("link", name="登录").first).to_be_visible()

    # The code typed at set-up may not be replayed; the app's next code is accepted (clock drift).
    sign_in(page, "lin_xiaoyu", PASSWORD, code=authenticator.at(time.time() + authenticator.interval))
    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.get_by_role("heading", name="个人空间", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name="lin_xiaoyu", exact=True)).to_be_visible()


def test_form_errors_appear_next_to_the_field_in_chinese_then_in_english(page: Page):
    page.goto("/accounts/register/")
    page.get_by_role("textbox", name="用户名", exact=True).fill("wang_fang")
    page.get_by_role("textbox", name="邮箱", exact=True).fill("wang.fang@example.cn")
    page.get_by_role("textbox", name="密码", exact=True).fill(PASSWORD)
    page.get_by_role("textbox", name="确认密码", exact=True).fill(PASSWORD + "x")
    page.get_by_role("button", name="注册").click()

    expect(field(page, "确认密码")).to_contain_text("两次输入的密码不一致。")
    expect(field(page, "密码")).not_to_contain_text("两次输入的密码不一致。")

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("textbox", name="Username", exact=True).fill("wang_fang")
    page.get_by_role("textbox", name="Email", exact=True).fill("wang.fang@example.cn")
    page.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
    page.get_by_role("textbox", name="Password again", exact=True).fill(PASSWORD + "x")
    page.get_by_role("button", name="Register").click()

    expect(field(page, "Password again")).to_contain_text("The two passwords differ.")
    expect(field(page, "Password again")).not_to_contain_text("两次")


def test_five_wrong_passwords_lock_the_account(page: Page):
    make_user("zhao_lei", real_name="赵磊")
    for attempt in range(4):
        sign_in(page, "zhao_lei", f"wrong-{attempt}")
        expect(page.get_by_role("alert")).to_have_text("账号或密码错误。")

    sign_in(page, "zhao_lei", "wrong-4")
    expect(page.get_by_role("alert")).to_contain_text("账号已锁定")

    # Locked means locked: the right password does not get in either until the lock ends.
    sign_in(page, "zhao_lei", PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("账号已锁定")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
