"""`zj seed` at the small scale: what a person trying the platform sees in the tree and the accounts."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction

from zhijiao.core import audit
from zhijiao.core.models import AuditEntry
from zhijiao.demo.accounts import ACCOUNTS, DEMO_ACCOUNTS, DEMO_PASSWORD
from zhijiao.identity import permissions
from zhijiao.identity.models import (
    PATH_WIDTH,
    SEPARATED_ADMIN_ROLES,
    GuardianLink,
    Membership,
    Organisation,
    OrgKind,
    Role,
    User,
)
from zhijiao.identity.services import is_valid_id_number


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the whole module, then roll everything back."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    return seeded


def org(code: str, kind: str = "") -> Organisation:
    return Organisation.objects.get(code=code, kind__in=[kind] if kind else [OrgKind.PROVINCE, OrgKind.CITY, OrgKind.COUNTY])


def test_every_provincial_division_is_there_with_its_real_code(demo):
    provinces = dict(Organisation.objects.filter(kind=OrgKind.PROVINCE).values_list("code", "name"))
    assert len(provinces) == 32
    assert provinces["110000"] == "北京市"
    assert provinces["330000"] == "浙江省"
    assert provinces["520000"] == "贵州省"
    assert provinces["540000"] == "西藏自治区"
    assert provinces["650000"] == "新疆维吾尔自治区"
    assert provinces["660000"] == "新疆生产建设兵团"
    nation = Organisation.objects.get(kind=OrgKind.NATION)
    assert nation.name == "中华人民共和国"
    assert set(Organisation.objects.filter(kind=OrgKind.PROVINCE).values_list("parent", flat=True)) == {nation.pk}


def test_real_cities_and_counties_hang_where_they_belong(demo):
    xihu = org("330106")
    assert xihu.name == "西湖区"
    assert [a.name for a in xihu.ancestors()] == ["中华人民共和国", "浙江省", "杭州市", "西湖区"]
    beijing_districts = Organisation.objects.filter(parent=org("110000"))
    assert beijing_districts.count() == 16
    assert set(beijing_districts.values_list("kind", flat=True)) == {OrgKind.COUNTY}
    assert org("110108").name == "海淀区"
    for province, cities, counties in (("330000", 11, 90), ("520000", 9, 88)):
        subtree = Organisation.objects.subtree(org(province))
        assert subtree.filter(kind=OrgKind.CITY).count() == cities
        assert subtree.filter(kind=OrgKind.COUNTY).count() == counties
    assert org("522600").name == "黔东南苗族侗族自治州"
    assert org("520581").parent.name == "毕节市"


def test_materialised_paths_match_the_tree(demo):
    rows = {pk: (parent, path, depth) for pk, parent, path, depth in
            Organisation.objects.values_list("pk", "parent", "path", "depth")}
    for pk, (parent, path, depth) in rows.items():
        expected = (rows[parent][1] if parent else "") + str(pk).zfill(PATH_WIDTH)
        assert (path, depth) == (expected, len(path) // PATH_WIDTH - 1)
    for org_path, path in Membership.objects.values_list("org_path", "organisation__path"):
        assert org_path == path


def test_schools_have_unique_demo_codes_grades_and_classes(demo):
    schools = list(Organisation.objects.filter(kind=OrgKind.SCHOOL).select_related("parent"))
    assert 200 <= len(schools) <= 800
    assert len({s.code for s in schools}) == len(schools)
    for school in schools:
        assert re.fullmatch(r"9\d{9}", school.code)
        assert school.code[1:7] == school.parent.code
        if school.parent.kind == OrgKind.COUNTY:  # county schools carry the county's name; universities don't
            assert school.name.startswith(school.parent.name)
    showcase = Organisation.objects.get(name="西湖区文澜小学")
    grades = Organisation.objects.filter(parent=showcase, kind=OrgKind.DEPARTMENT).order_by("path")
    assert [g.name for g in grades] == ["一年级", "二年级", "三年级", "四年级", "五年级", "六年级"]
    assert Organisation.objects.filter(parent=grades[2], kind=OrgKind.CLASS, name="三年级（1）班").exists()


def test_every_id_number_is_valid_and_matches_the_birth_date(demo):
    users = User.objects.exclude(id_number_enc="")
    assert users.count() > 1000
    phones = []
    for user in users:
        number = user.id_number
        assert is_valid_id_number(number), number
        assert number[6:14] == f"{user.birth_date:%Y%m%d}"
        if user.phone:
            phones.append(user.phone)
    assert all(re.fullmatch(r"1\d{10}", p) for p in phones)
    assert len(set(phones)) == len(phones)


def test_every_pupil_is_a_minor_with_a_confirmed_guardian(demo):
    # University students (the employment service's graduates) are adults; every other learner is a pupil.
    pupils = User.objects.filter(memberships__role=Role.LEARNER, graduate_record__isnull=True)
    assert pupils.count() > 1000
    guarded = set(GuardianLink.objects.filter(confirmed_at__isnull=False).values_list("minor", flat=True))
    for pupil in pupils:
        assert pupil.is_minor
        assert pupil.pk in guarded
    parents = set(GuardianLink.objects.values_list("guardian", flat=True))
    assert parents <= set(Membership.objects.filter(role=Role.PARENT).values_list("user", flat=True))


def test_each_demo_account_signs_in_with_the_demo_password_and_holds_its_role(demo, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]  # as seeded
    assert [username for username, _label in DEMO_ACCOUNTS] == [a.username for a in ACCOUNTS]
    for account in ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert Membership.objects.filter(user=user, role=account.role).exists(), account.username
    assert authenticate(username="demo_learner", password=DEMO_PASSWORD).username == "demo_learner"
    teacher = Membership.objects.filter(role=Role.TEACHER).exclude(user__username__startswith="demo_").first().user
    assert authenticate(username=teacher.username, password=DEMO_PASSWORD) == teacher


def test_demo_accounts_sit_in_the_showcase_school_of_xihu(demo):
    school = Organisation.objects.get(name="西湖区文澜小学")
    learner = User.objects.get(username="demo_learner")
    assert learner.memberships.get().organisation.name == "三年级（1）班"
    assert learner.memberships.get().organisation.is_within(school)
    assert GuardianLink.objects.get(minor=learner, confirmed_at__isnull=False).guardian.username == "demo_parent"
    bureau_admin = User.objects.get(username="demo_bureau_admin")
    assert permissions.can(bureau_admin, "user.manage", school)
    assert not permissions.can(bureau_admin, "user.manage", org("330105"))


def test_the_three_separated_admins_are_three_different_people(demo):
    holders = Membership.objects.filter(role__in=SEPARATED_ADMIN_ROLES)
    assert sorted(holders.values_list("role", flat=True)) == sorted(SEPARATED_ADMIN_ROLES)
    assert len(set(holders.values_list("user", flat=True))) == 3


def test_named_accounts_role_grants_are_in_the_audit_log(demo):
    granted = AuditEntry.objects.filter(action="role.grant").values_list("target_id", flat=True)
    named = User.objects.filter(username__in=[a.username for a in ACCOUNTS]).values_list("pk", flat=True)
    assert {str(pk) for pk in named} <= set(granted)
    assert audit.verify().ok


def test_seeding_again_changes_nothing(demo):
    before = (Organisation.objects.count(), User.objects.count(), Membership.objects.count())
    out = StringIO()
    call_command("seed", stdout=out)
    assert "演示数据已存在" in out.getvalue()
    assert (Organisation.objects.count(), User.objects.count(), Membership.objects.count()) == before


def test_the_summary_reports_what_was_written(demo):
    assert "已写入演示数据" in demo
    assert f"{User.objects.count():,}" in demo
