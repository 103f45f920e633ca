"""Steps a person takes in the browser, shared by the flows."""

from __future__ import annotations

import re

from playwright.sync_api import Page

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def sign_in(page: Page, identifier: str, password: str, code: str | None = None) -> None:
    """Sign in on the login page, and on the second step with ``code`` when the account has an authenticator."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名、邮箱或手机号").fill(identifier)
    page.get_by_role("textbox", name="密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    if code is not None:
        page.wait_for_url(re.compile(r"/accounts/login/verify/"))
        page.get_by_label("验证码").fill(code)
        page.get_by_role("button", name="验证").click()
