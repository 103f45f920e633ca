"""Signing in: lockout, two-step verification, idle timeout, registration and password reset."""

import re
from datetime import timedelta

import pyotp
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD, enrol_totp, make_user
from zhijiao.core.models import AuditEntry, OutboxMessage
from zhijiao.identity.models import LoginAttempt, Role, User

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def post_login(client, identifier, password):
    return client.post(LOGIN, {"identifier": identifier, "password": password})


def test_sign_in_with_username_phone_or_email():
    make_user("li_ming", phone="13812345678", email="li@example.cn")
    for identifier in ("li_ming", "LI_MING", "13812345678", "+8613812345678", "li@example.cn"):
        client = Client()
        response = post_login(client, identifier, PASSWORD)
        assert response.status_code == 302, identifier
        assert client.get("/api/v1/me").json()["username"] == "li_ming"


def test_wrong_password_shows_one_message_for_unknown_and_known_accounts():
    make_user("li_ming")
    known = post_login(Client(), "li_ming", "wrong")
    unknown = post_login(Client(), "nobody", "wrong")
    for response in (known, unknown):
        assert response.status_code == 200
        assert "账号或密码错误" in response.content.decode()


def test_five_failures_in_fifteen_minutes_lock_the_account():
    user = make_user("li_ming")
    client = Client()
    for _ in range(5):
        post_login(client, "li_ming", "wrong")
    user.refresh_from_db()
    assert user.is_locked()
    # Even the right password is refused while locked, with a message that says so.
    response = post_login(client, "li_ming", PASSWORD)
    assert response.status_code == 200 and "锁定" in response.content.decode()
    assert AuditEntry.objects.filter(action="login.locked", actor=user).exists()
    # After the lock period (the failures lie before its end) the right password works again.
    LoginAttempt.objects.filter(user=user).update(at=timezone.now() - timedelta(minutes=10))
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert post_login(client, "li_ming", PASSWORD).status_code == 302


def test_failures_older_than_the_window_do_not_count():
    user = make_user("li_ming")
    for _ in range(4):
        post_login(Client(), "li_ming", "wrong")
    LoginAttempt.objects.filter(user=user).update(at=timezone.now() - timedelta(minutes=16))
    post_login(Client(), "li_ming", "wrong")
    user.refresh_from_db()
    assert not user.is_locked()


def test_login_history_and_audit_record_success_and_failure():
    user = make_user("li_ming")
    post_login(Client(), "li_ming", "wrong")
    client = Client()
    post_login(client, "li_ming", PASSWORD)
    assert list(LoginAttempt.objects.filter(user=user).order_by("at").values_list("success", flat=True)) == [False, True]
    assert AuditEntry.objects.filter(action="login.failure", actor=user, success=False).count() == 1
    assert AuditEntry.objects.filter(action="login.success", actor=user).count() == 1
    page = client.get(reverse("portal:security")).content.decode()
    assert "失败" in page and "成功" in page


def test_totp_account_needs_the_code_and_refuses_a_reused_one():
    user = make_user("li_ming")
    totp = enrol_totp(user)
    client = Client()
    response = post_login(client, "li_ming", PASSWORD)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/verify/")
    assert client.get("/api/v1/me").status_code == 401  # not signed in yet
    bad = client.post("/accounts/login/verify/", {"code": "000000"})
    assert bad.status_code == 200 and "验证码无效" in bad.content.decode()
    code = totp.now()
    assert client.post("/accounts/login/verify/", {"code": code}).status_code == 302
    assert client.get("/api/v1/me").status_code == 200
    # The same code cannot be replayed for a second sign-in.
    other = Client()
    post_login(other, "li_ming", PASSWORD)
    assert other.post("/accounts/login/verify/", {"code": code}).status_code == 200
    assert other.get("/api/v1/me").status_code == 401


def test_recovery_code_signs_in_once(client):
    user = make_user("li_ming")
    client.force_login(user)
    client.get(reverse("identity:mfa-setup"))
    secret = client.session["zj_totp_secret"]
    page = client.post(reverse("identity:mfa-setup"), {"code": pyotp.TOTP(secret).now()}).content.decode()
    codes = re.findall(r"<li>([0-9a-f]{5}-[0-9a-f]{5})</li>", page)
    assert len(codes) == 10
    for expected_status in (302, 200):
        fresh = Client()
        post_login(fresh, "li_ming", PASSWORD)
        assert fresh.post("/accounts/login/verify/", {"code": codes[0]}).status_code == expected_status


def test_admin_pages_require_two_step_verification(tree):
    admin = make_user("county_admin", role=Role.BUREAU_ADMIN, org=tree.county_a)
    client = Client()
    post_login(client, "county_admin", PASSWORD)
    response = client.get(reverse("manage:orgs"))
    assert response.status_code == 302 and response["Location"] == reverse("identity:mfa-setup")
    assert "您的管理员角色要求开启两步验证" in client.get(reverse("manage:index")).content.decode()
    # Enrolling in this session opens the admin pages.
    client.get(reverse("identity:mfa-setup"))
    secret = client.session["zj_totp_secret"]
    client.post(reverse("identity:mfa-setup"), {"code": pyotp.TOTP(secret).now()})
    assert client.get(reverse("manage:orgs")).status_code == 200
    # An administrator cannot switch two-step verification off.
    client.post(reverse("identity:mfa-disable"))
    assert admin.totp.confirmed_at is not None


def test_admin_who_has_totp_but_signed_in_without_it_is_sent_back(tree):
    admin = make_user("county_admin", role=Role.BUREAU_ADMIN, org=tree.county_a)
    client = Client()
    client.force_login(admin)
    enrol_totp(admin)
    response = client.get(reverse("manage:orgs"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_idle_session_ends_after_the_timeout(settings):
    make_user("li_ming")
    client = Client()
    post_login(client, "li_ming", PASSWORD)
    assert client.get("/api/v1/me").status_code == 200
    session = client.session
    session["zj_seen"] = int((timezone.now() - settings.ZJ_IDLE_TIMEOUT - timedelta(minutes=1)).timestamp())
    session.save()
    assert client.get("/api/v1/me").status_code == 401


def test_register_validates_next_to_fields_and_creates_account():
    client = Client()
    response = client.post("/accounts/register/", {"username": "x", "password": "short", "password2": "other",
                                                   "phone": "12345"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "两次输入的密码不一致" in page
    assert not User.objects.filter(username="x").exists()
    response = client.post("/accounts/register/", {"username": "wang_fang", "password": "Learn#2026x",
                                                   "password2": "Learn#2026x", "phone": "13900001111"})
    assert response.status_code == 302
    assert client.get("/api/v1/me").json()["phone_masked"] == "139****1111"
    assert AuditEntry.objects.filter(action="user.register").exists()


def test_weak_password_is_refused_with_the_rule():
    response = Client().post("/accounts/register/", {"username": "wang_fang", "password": "abcdefgh",
                                                     "password2": "abcdefgh", "email": "w@example.cn"})
    assert "至少包含" in response.content.decode()
    assert not User.objects.filter(username="wang_fang").exists()


def test_password_reset_through_the_outbox(settings):
    settings.EMAIL_BACKEND = "zhijiao.core.mail.OutboxBackend"  # pytest-django swaps in locmem otherwise
    make_user("li_ming", email="li@example.cn")
    Client().post("/accounts/password/reset/", {"email": "li@example.cn"})
    message = OutboxMessage.objects.get()
    assert message.to == "li@example.cn"
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)
    client = Client()
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    client.post(form_page.redirect_chain[-1][0], {"new_password1": "Fresh#Pass99", "new_password2": "Fresh#Pass99"})
    assert post_login(Client(), "li_ming", "Fresh#Pass99").status_code == 302
    assert AuditEntry.objects.filter(action="password.reset").exists()


def test_password_change_needs_the_old_password(client):
    user = make_user("li_ming")
    client.force_login(user)
    response = client.post("/accounts/password/change/", {"old_password": "wrong", "new_password1": "Fresh#Pass99",
                                                          "new_password2": "Fresh#Pass99"})
    assert response.status_code == 200
    client.post("/accounts/password/change/", {"old_password": PASSWORD, "new_password1": "Fresh#Pass99",
                                               "new_password2": "Fresh#Pass99"})
    user.refresh_from_db()
    assert user.check_password("Fresh#Pass99")
    assert client.get("/api/v1/me").status_code == 200  # still signed in after the change


def test_guesses_in_flight_count_toward_the_lock(settings):
    """Attempts still being checked count as failures, so parallel guesses cannot pass the limit."""
    user = make_user("li_ming")
    for _ in range(settings.ZJ_LOCKOUT_FAILURES):
        LoginAttempt.objects.create(user=user, username="li_ming", success=False, reason="checking")
    response = post_login(Client(), "li_ming", PASSWORD)
    assert response.status_code == 200 and "锁定" in response.content.decode()
    user.refresh_from_db()
    assert user.is_locked()
