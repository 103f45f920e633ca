"""Administrative power reaches exactly the administrator's subtree; the three administrators stay separate."""

import json

import pytest
from django.urls import reverse

from tests.conftest import make_user, signed_in
from zhijiao.core.models import AuditEntry
from zhijiao.identity import services
from zhijiao.identity.models import Membership, Organisation, OrgKind, Role

pytestmark = pytest.mark.django_db


def api(client, method, path, body=None):
    return getattr(client, method)(f"/api/v1{path}", data=json.dumps(body) if body is not None else None,
                                   content_type="application/json")


# --- A county administrator and the county next door -------------------------------------------------


def test_county_admin_sees_own_schools_and_not_the_neighbours(tree, people):
    client = signed_in(people["county_a_admin"])
    assert client.get(reverse("manage:org", args=[tree.school_a.pk])).status_code == 200
    assert client.get(reverse("manage:org", args=[tree.school_b.pk])).status_code == 404
    assert client.get(reverse("manage:org", args=[tree.city.pk])).status_code == 404
    page = client.get(reverse("manage:orgs"), {"q": "中学"}).content.decode()
    assert tree.school_b.name not in page  # search only looks inside the admin's subtree


def test_county_admin_cannot_change_the_neighbours_schools_through_pages(tree, people):
    client = signed_in(people["county_a_admin"])
    response = client.post(reverse("manage:org", args=[tree.school_b.pk]),
                           {"form": "edit", "edit-name": "被改的名字", "edit-code": ""})
    assert response.status_code == 404
    tree.school_b.refresh_from_db()
    assert tree.school_b.name == "上城区第一中学"
    # Nor move their own school into the other county.
    client.post(reverse("manage:org-move", args=[tree.school_a.pk]), {"parent": tree.county_b.code})
    tree.school_a.refresh_from_db()
    assert tree.school_a.parent_id == tree.county_a.pk


def test_county_admin_cannot_read_or_change_the_neighbours_people(tree, people):
    client = signed_in(people["county_a_admin"])
    assert client.get(reverse("manage:user", args=[people["pupil_a"].pk])).status_code == 200
    assert client.get(reverse("manage:user", args=[people["pupil_b"].pk])).status_code == 404
    listing = client.get(reverse("manage:users"), {"org": tree.county_b.pk})
    assert listing.status_code == 404


def test_county_admin_api_is_scoped_the_same_way(tree, people):
    client = signed_in(people["county_a_admin"])
    assert api(client, "get", f"/orgs/{tree.county_a.pk}/members").status_code == 200
    assert api(client, "get", f"/orgs/{tree.county_b.pk}/members").status_code == 403
    assert api(client, "get", f"/users/{people['pupil_b'].pk}").status_code == 403
    response = api(client, "patch", f"/orgs/{tree.school_b.pk}", {"name": "被改的名字", "code": ""})
    assert response.status_code == 403 and response.json()["detail"] == "您无权执行此操作。"
    assert api(client, "post", "/orgs", {"name": "新学校", "kind": "school", "parent_id": tree.county_b.pk,
                                         "code": "3133000099"}).status_code == 403
    assert api(client, "post", "/memberships", {"user_id": people["pupil_b"].pk, "organisation_id":
                                                tree.school_b.pk, "role": "teacher"}).status_code == 403
    assert not Organisation.objects.filter(name="新学校").exists()
    # Inside its own county the same calls work.
    created = api(client, "post", "/orgs", {"name": "新学校", "kind": "school", "parent_id": tree.county_a.pk,
                                            "code": "3133000099"})
    assert created.status_code == 201


def test_members_listing_covers_the_whole_subtree(tree, people):
    client = signed_in(people["county_a_admin"])
    body = api(client, "get", f"/orgs/{tree.county_a.pk}/members?limit=2").json()
    first_page = [m["user"]["username"] for m in body["items"]]
    rest = api(client, "get", f"/orgs/{tree.county_a.pk}/members?after={body['next_cursor']}").json()
    names = set(first_page) | {m["user"]["username"] for m in rest["items"]}
    assert names == {"county_a_admin", "school_a_admin", "teacher_a", "pupil_a"}


def test_city_admin_reaches_both_counties(tree):
    city_admin = make_user("city_admin", role=Role.BUREAU_ADMIN, org=tree.city)
    client = signed_in(city_admin)
    for org in (tree.school_a, tree.school_b):
        assert client.get(reverse("manage:org", args=[org.pk])).status_code == 200


def test_bureau_organisation_acts_for_its_division(tree):
    bureau = services.create_organisation(None, name="西湖区教育局", kind=OrgKind.BUREAU, parent=tree.county_a)
    officer = make_user("officer", role=Role.BUREAU_ADMIN, org=bureau)
    client = signed_in(officer)
    assert client.get(reverse("manage:org", args=[tree.school_a.pk])).status_code == 200
    assert client.get(reverse("manage:org", args=[tree.school_b.pk])).status_code == 404


def test_moving_a_school_moves_its_members_subtree(tree, people):
    city_admin = make_user("city_admin", role=Role.BUREAU_ADMIN, org=tree.city)
    services.move_organisation(city_admin, tree.school_a, tree.county_b)
    tree.school_a.refresh_from_db()
    tree.class_a.refresh_from_db()
    assert tree.class_a.is_within(tree.county_b) and not tree.class_a.is_within(tree.county_a)
    assert Membership.objects.get(user=people["pupil_a"]).org_path == tree.class_a.path
    assert AuditEntry.objects.filter(action="org.move", target_id=str(tree.school_a.pk)).exists()
    # The county A admin lost reach over that school; the county B admin gained it.
    assert signed_in(people["county_a_admin"]).get(reverse("manage:org", args=[tree.school_a.pk])).status_code == 404
    assert signed_in(people["county_b_admin"]).get(reverse("manage:org", args=[tree.school_a.pk])).status_code == 200


def test_an_organisation_cannot_move_under_itself(tree, people):
    city_admin = make_user("city_admin", role=Role.BUREAU_ADMIN, org=tree.city)
    client = signed_in(city_admin)
    response = api(client, "post", f"/orgs/{tree.county_a.pk}/move", {"parent_id": tree.school_a.pk})
    assert response.status_code == 422
    tree.county_a.refresh_from_db()
    assert tree.county_a.parent_id == tree.city.pk


# --- 三员分立 ------------------------------------------------------------------------------------------


ADMIN_PAGES = {
    "sysadmin": {"manage:orgs", "manage:users", "manage:clients", "manage:outbox"},
    "secadmin": {"manage:security", "manage:users"},
    "auditor": {"manage:audit"},
}
ALL_PAGES = set().union(*ADMIN_PAGES.values())


@pytest.mark.parametrize("who", sorted(ADMIN_PAGES))
def test_three_administrators_each_open_only_their_own_pages(people, who):
    client = signed_in(people[who])
    for page in sorted(ALL_PAGES):
        status = client.get(reverse(page)).status_code
        expected = 200 if page in ADMIN_PAGES[who] else 403
        assert status == expected, (who, page, status)


def test_system_admin_opens_accounts_but_cannot_grant_privileges(tree, people):
    sysadmin = people["sysadmin"]
    client = signed_in(sysadmin)
    created = api(client, "post", "/users", {"username": "new_teacher", "real_name": "新老师",
                                             "organisation_id": tree.school_a.pk, "role": "teacher"})
    assert created.status_code == 201
    escalate = api(client, "post", "/memberships", {"user_id": created.json()["id"],
                                                    "organisation_id": tree.nation.pk, "role": "bureau_admin"})
    assert escalate.status_code == 403


def test_security_admin_grants_roles_but_cannot_manage_organisations(tree, people):
    client = signed_in(people["secadmin"])
    # The people list is theirs to find whom to give a role, but not to open accounts from.
    listing = client.get(reverse("manage:users")).content.decode()
    assert "teacher_a" in listing and "开通账号</button>" not in listing
    assert client.post(reverse("manage:users"), {"username": "sneaky", "real_name": "x", "role": "learner"}).status_code == 200
    from zhijiao.identity.models import User
    assert not User.objects.filter(username="sneaky").exists()
    granted = api(client, "post", "/memberships", {"user_id": people["teacher_a"].pk,
                                                   "organisation_id": tree.school_a.pk, "role": "reviewer"})
    assert granted.status_code == 201
    assert api(client, "post", "/orgs", {"name": "x", "kind": "school", "parent_id": tree.county_a.pk}).status_code == 403


def test_nobody_can_grant_the_separated_roles_over_the_web(tree, people):
    for who in ("secadmin", "county_a_admin"):
        client = signed_in(people[who])
        for role in ("system_admin", "security_admin", "audit_admin"):
            response = api(client, "post", "/memberships", {"user_id": people["teacher_a"].pk,
                                                            "organisation_id": tree.school_a.pk, "role": role})
            assert response.status_code == 403, (who, role)


def test_one_person_cannot_hold_two_of_the_three_admin_roles(tree, people):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.grant_role_as_operator(people["auditor"], tree.nation, Role.SECURITY_ADMIN)
    with pytest.raises(ValidationError):
        services.grant_role_as_operator(people["sysadmin"], tree.province, Role.AUDIT_ADMIN)


def test_one_system_admin_per_unit(tree, people):
    from django.core.exceptions import ValidationError

    other = make_user("other_sysadmin")
    with pytest.raises(ValidationError):
        services.grant_role_as_operator(other, tree.nation, Role.SYSTEM_ADMIN)


def test_learner_and_teacher_have_no_admin_pages(people):
    for who in ("pupil_a", "teacher_a"):
        client = signed_in(people[who], mfa=False)
        for page in sorted(ALL_PAGES):
            assert client.get(reverse(page)).status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(db):
    from django.test import Client

    response = Client().get(reverse("manage:orgs"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Client().get("/api/v1/me").status_code == 401


def test_school_admin_records_a_guardian_through_the_page_and_the_api(tree, people):
    from zhijiao.identity.models import GuardianLink

    mother = make_user("mother_li", real_name="李母")
    client = signed_in(people["school_a_admin"])
    page = client.post(reverse("manage:user", args=[people["pupil_a"].pk]),
                       {"form": "guardian", "g-guardian_username": "mother_li", "g-relation": "母亲"}, follow=True)
    html = page.content.decode()
    assert "李母" in html
    title = html[html.index("<title>"):html.index("</title>")]
    assert "<" not in title[len("<title>"):] and html.count("登记监护人</button>") == 1
    assert GuardianLink.objects.get(minor=people["pupil_a"]).guardian == mother
    listed = client.get(f"/api/v1/users/{people['pupil_a'].pk}/guardians").json()
    assert [g["guardian"]["username"] for g in listed] == ["mother_li"]
    # Another county's admin can neither add nor read them.
    other = signed_in(people["county_b_admin"])
    assert api(other, "post", f"/users/{people['pupil_a'].pk}/guardians", {"guardian_username": "mother_li"}).status_code == 403
    assert other.get(f"/api/v1/users/{people['pupil_a'].pk}/guardians").status_code == 403
    # A child cannot be recorded as a guardian.
    bad = api(client, "post", f"/users/{people['pupil_a'].pk}/guardians", {"guardian_username": "pupil_a"})
    assert bad.status_code == 422
