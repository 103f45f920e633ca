"""Shared fixtures: a small real-shaped organisation tree, people in roles, and signed-in clients."""

from __future__ import annotations

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from zhijiao.core import crypto
from zhijiao.identity import auth, services
from zhijiao.identity.models import OrgKind, Role, TOTPDevice, User

PASSWORD = "Zhijiao#2026"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_background_rollups(settings):
    # A rollup thread running beside a test would race its transactions; tests that want rollups run a
    # pass themselves, and the end-to-end browser test turns live rollups back on.
    settings.ZJ_COCKPIT_LIVE_ROLLUPS = False
    settings.ZJ_MONITORING_LIVE_DETECTION = False


@pytest.fixture(autouse=True)
def _own_cache(settings, request):
    # Every test gets an empty in-process cache: rate-limit counters and cached sessions of one test
    # (or of a parallel worker sharing var/cache) must not leak into another.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": request.node.nodeid}}


class Tree:
    """国家 → 浙江省 → 杭州市 → 西湖区 / 上城区 → one school in each county → a class in the first school."""

    def __init__(self):
        make = services.create_organisation
        self.nation = make(None, name="中华人民共和国", kind=OrgKind.NATION, parent=None)
        self.province = make(None, name="浙江省", kind=OrgKind.PROVINCE, parent=self.nation, code="330000")
        self.city = make(None, name="杭州市", kind=OrgKind.CITY, parent=self.province, code="330100")
        self.county_a = make(None, name="西湖区", kind=OrgKind.COUNTY, parent=self.city, code="330106")
        self.county_b = make(None, name="上城区", kind=OrgKind.COUNTY, parent=self.city, code="330102")
        self.school_a = make(None, name="西湖区实验小学", kind=OrgKind.SCHOOL, parent=self.county_a, code="3133000001")
        self.school_b = make(None, name="上城区第一中学", kind=OrgKind.SCHOOL, parent=self.county_b, code="3133000002")
        self.class_a = make(None, name="三年级一班", kind=OrgKind.CLASS, parent=self.school_a)


@pytest.fixture
def tree(db) -> Tree:
    return Tree()


def make_user(username: str, *, role: str | None = None, org=None, password: str = PASSWORD, **fields) -> User:
    user = User(username=username, real_name=fields.pop("real_name", username), email=fields.pop("email", None))
    user.set_phone(fields.pop("phone", None))
    user.set_id_number(fields.pop("id_number", None))
    for key, value in fields.items():
        setattr(user, key, value)
    user.set_password(password)
    user.save()
    if role is not None:
        services.grant_role_as_operator(user, org, role)
    return user


def enrol_totp(user: User) -> pyotp.TOTP:
    secret = pyotp.random_base32()
    TOTPDevice.objects.update_or_create(
        user=user, defaults={"secret_enc": crypto.encrypt(secret, "totp.secret"), "confirmed_at": timezone.now()}
    )
    return pyotp.TOTP(secret)


def signed_in(user: User, *, mfa: bool = True) -> Client:
    """A test client signed in as ``user``; with ``mfa`` the session has passed two-step verification."""
    client = Client()
    client.force_login(user)
    if mfa:
        if not auth.has_confirmed_totp(user):
            enrol_totp(user)
        session = client.session
        session[auth.SESSION_MFA_AT] = int(timezone.now().timestamp())
        session.save()
    return client


@pytest.fixture
def people(tree):
    """One person per role that the permission tests need, each in a sensible place."""
    return {
        "county_a_admin": make_user("county_a_admin", role=Role.BUREAU_ADMIN, org=tree.county_a),
        "county_b_admin": make_user("county_b_admin", role=Role.BUREAU_ADMIN, org=tree.county_b),
        "school_a_admin": make_user("school_a_admin", role=Role.SCHOOL_ADMIN, org=tree.school_a),
        "teacher_a": make_user("teacher_a", role=Role.TEACHER, org=tree.school_a),
        "pupil_a": make_user("pupil_a", role=Role.LEARNER, org=tree.class_a, id_number="110105201403071238"),
        "pupil_b": make_user("pupil_b", role=Role.LEARNER, org=tree.school_b, id_number="330102201205061233"),
        "sysadmin": make_user("sysadmin", role=Role.SYSTEM_ADMIN, org=tree.nation),
        "secadmin": make_user("secadmin", role=Role.SECURITY_ADMIN, org=tree.nation),
        "auditor": make_user("auditor", role=Role.AUDIT_ADMIN, org=tree.nation),
    }
