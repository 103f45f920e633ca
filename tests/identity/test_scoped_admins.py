"""Administrators below the root: their power stops at their subtree, also for people who belong to
several organisations, and the three separated administrators stay separate there too."""

import io
import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from tests.conftest import PASSWORD, make_user, signed_in
from zhijiao.core.models import AuditEntry
from zhijiao.identity import roster, services
from zhijiao.identity.models import Membership, Role, TOTPDevice, Verification

pytestmark = pytest.mark.django_db


def post(client, path, body):
    return client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json")


def test_a_school_cannot_pull_a_national_administrator_into_its_reach(tree, people):
    school_admin = people["school_a_admin"]
    response = post(signed_in(school_admin), "/memberships", {"user_id": people["sysadmin"].pk,
                                                              "organisation_id": tree.school_a.pk, "role": "learner"})
    assert response.status_code == 403
    assert not Membership.objects.filter(user=people["sysadmin"], organisation=tree.school_a).exists()
    # Even if the sysadmin did belong to the school too, a school security admin cannot touch them.
    services.grant_role_as_operator(people["sysadmin"], tree.school_a, Role.LEARNER)
    school_security = make_user("school_security", role=Role.SECURITY_ADMIN, org=tree.school_b)
    services.grant_role_as_operator(people["sysadmin"], tree.school_b, Role.LEARNER)
    with pytest.raises(PermissionDenied):
        from zhijiao.identity import auth

        auth.disable_totp(school_security, people["sysadmin"])


def test_nobody_changes_their_own_roles(tree, people):
    secadmin = people["secadmin"]
    response = post(signed_in(secadmin), "/memberships", {"user_id": secadmin.pk,
                                                          "organisation_id": tree.school_a.pk, "role": "school_admin"})
    assert response.status_code == 403
    own = Membership.objects.get(user=people["county_a_admin"])
    with pytest.raises(ValidationError):
        services.revoke_role(people["county_a_admin"], own)


def test_a_separated_administrator_holds_no_other_administrative_role(tree, people):
    with pytest.raises(ValidationError):
        services.grant_role_as_operator(people["secadmin"], tree.school_a, Role.SCHOOL_ADMIN)
    with pytest.raises(ValidationError):
        services.grant_role_as_operator(people["county_a_admin"], tree.province, Role.AUDIT_ADMIN)
    # A plain role beside it is fine (an auditor may also be a parent).
    services.grant_role_as_operator(people["auditor"], tree.school_a, Role.PARENT)


def test_a_role_is_granted_only_where_the_granting_membership_reaches(tree, people):
    # Admin of school A, and also a parent at school B: the parent membership gives no power at school B.
    admin = people["school_a_admin"]
    services.grant_role_as_operator(admin, tree.school_b, Role.PARENT)
    newcomer = make_user("newcomer")
    with pytest.raises(PermissionDenied):
        services.grant_role(admin, newcomer, tree.school_b, Role.TEACHER)
    services.grant_role(admin, newcomer, tree.school_a, Role.TEACHER)


@pytest.mark.parametrize("page", ["/manage/audit/", "/manage/outbox/", "/manage/clients/"])
def test_platform_wide_pages_need_a_membership_at_the_root(tree, page):
    who = {"/manage/audit/": Role.AUDIT_ADMIN}.get(page, Role.SYSTEM_ADMIN)
    local = make_user("local_admin", role=who, org=tree.school_a)
    assert signed_in(local).get(page).status_code == 403


def test_people_see_only_their_own_part_of_the_tree(tree, people):
    pupil = signed_in(people["pupil_a"], mfa=False)
    assert pupil.get(f"/api/v1/orgs/{tree.school_a.pk}").status_code == 200  # own school
    assert pupil.get(f"/api/v1/orgs/{tree.city.pk}").status_code == 200  # on the way to it
    assert pupil.get(f"/api/v1/orgs/{tree.school_b.pk}").status_code == 403
    names = [o["name"] for o in pupil.get("/api/v1/orgs", {"q": "中学"}).json()]
    assert tree.school_b.name not in names
    county_admin = signed_in(people["county_a_admin"])
    assert county_admin.get(f"/api/v1/orgs/{tree.school_b.pk}").status_code == 403


def test_roster_import_cannot_attach_someone_from_another_county(tree, people):
    teacher_b = make_user("teacher_b", role=Role.TEACHER, org=tree.school_b, real_name="王老师",
                          id_number="33010219800101123X")
    csv = f"姓名,身份证号,角色,学校标识码\n王老师,{teacher_b.id_number},教师,{tree.school_a.code}\n"
    upload = io.BytesIO(csv.encode())
    upload.name = "roster.csv"
    result = roster.import_roster(people["county_a_admin"], upload, file_name="roster.csv")
    assert result.rejected == 1
    assert "管辖范围以外" in str(result.errors[0].message)
    assert not Membership.objects.filter(user=teacher_b, organisation=tree.school_a).exists()


def test_partial_profile_update_keeps_the_rest(people):
    pupil = people["pupil_a"]
    pupil.set_phone("13900001111")
    pupil.email = "pupil@example.cn"
    pupil.save()
    client = signed_in(pupil, mfa=False)
    body = client.patch("/api/v1/me", data=json.dumps({"language": "en"}), content_type="application/json").json()
    assert (body["language"], body["email"], body["phone_masked"], body["real_name"]) == (
        "en", "pupil@example.cn", "139****1111", "pupil_a")


def test_a_verified_name_cannot_be_changed_by_its_owner(people):
    pupil = people["pupil_a"]
    pupil.verification = Verification.VERIFIED
    pupil.save()
    response = signed_in(pupil, mfa=False).patch("/api/v1/me", data=json.dumps({"real_name": "别人"}),
                                                  content_type="application/json")
    assert response.status_code == 422 and "real_name" in response.json()["errors"]


def test_a_phone_number_typed_at_a_failed_sign_in_is_not_kept_in_clear(db):
    Client().post("/accounts/login/", {"identifier": "13812345678", "password": "wrong"})
    entry = AuditEntry.objects.get(action="login.failure")
    assert entry.actor_name == "138****5678"


def test_a_new_password_ends_the_tokens_issued_before(people):
    pupil = people["pupil_a"]
    AccessToken.objects.create(user=pupil, token="old-token", scope="openid api",
                               expires=timezone.now() + timedelta(hours=1))
    client = signed_in(pupil, mfa=False)
    client.post("/accounts/password/change/", {"old_password": PASSWORD, "new_password1": "Fresh#Pass99",
                                               "new_password2": "Fresh#Pass99"})
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer old-token").status_code == 401


def test_security_admin_resetting_their_own_verification_gets_a_message(people):
    secadmin = people["secadmin"]
    client = signed_in(secadmin)
    response = client.post(f"/manage/security/{secadmin.pk}/reset-mfa/", follow=True)
    assert response.status_code == 200
    assert TOTPDevice.objects.filter(user=secadmin).exists()


def test_odd_digits_in_query_strings_are_not_errors(people):
    client = signed_in(people["county_a_admin"])
    assert client.get("/manage/users/", {"org": "²"}).status_code == 200


def test_the_locked_accounts_list_costs_the_same_for_one_or_many(tree, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(people["secadmin"])
    client.get("/manage/security/")  # the first request also settles the session

    def queries_with(locked: int) -> int:
        for n in range(locked):
            make_user(f"locked_{locked}_{n}", role=Role.LEARNER, org=tree.school_a,
                      locked_until=timezone.now() + timedelta(minutes=10))
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/manage/security/").content.decode()
        assert f"locked_{locked}_0" in page
        return len(captured)

    assert queries_with(1) == queries_with(20)
