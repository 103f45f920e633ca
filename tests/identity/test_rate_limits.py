"""Limits per client address where the per-account lockout cannot help."""

import pytest
from django.test import Client

from tests.conftest import PASSWORD, make_user
from zhijiao.core.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_many_accounts_tried_from_one_address_are_slowed(settings):
    settings.ZJ_RATE_LOGIN = 3
    make_user("li_ming")
    client = Client()
    for name in ("a1", "a2", "a3"):
        client.post("/accounts/login/", {"identifier": name, "password": "x"})
    response = client.post("/accounts/login/", {"identifier": "li_ming", "password": PASSWORD})
    assert response.status_code == 200 and "登录尝试过多" in response.content.decode()
    assert client.get("/api/v1/me").status_code == 401
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post("/accounts/login/", {"identifier": "li_ming", "password": PASSWORD}).status_code == 302


def test_password_reset_mail_to_one_inbox_is_limited(settings):
    settings.EMAIL_BACKEND = "zhijiao.core.mail.OutboxBackend"
    settings.ZJ_RATE_PASSWORD_RESET = 2
    make_user("li_ming", email="li@example.cn")
    for n in range(4):
        # Different addresses each time: the per-inbox limit still holds.
        Client(REMOTE_ADDR=f"10.0.0.{n}").post("/accounts/password/reset/", {"email": "LI@example.cn"})
    assert OutboxMessage.objects.count() == 2


def test_registrations_from_one_address_are_limited(settings):
    settings.ZJ_RATE_REGISTER = 1
    client = Client()
    form = {"password": "Learn#2026x", "password2": "Learn#2026x"}
    assert client.post("/accounts/register/", {**form, "username": "first", "email": "f@example.cn"}).status_code == 302
    response = Client().post("/accounts/register/", {**form, "username": "second", "email": "s@example.cn"})
    assert "注册过于频繁" in response.content.decode()


def test_behind_a_proxy_the_forwarded_address_is_used(settings):
    from zhijiao.core.models import AuditEntry

    settings.ZJ_PROXY_HOPS = 1
    make_user("li_ming")
    Client(HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7").post("/accounts/login/", {"identifier": "li_ming",
                                                                                   "password": "x"})
    # The right-most entry was added by our proxy; "1.2.3.4" came from the client and is not trusted.
    assert AuditEntry.objects.get(action="login.failure").ip == "203.0.113.7"
