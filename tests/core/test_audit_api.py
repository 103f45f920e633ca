"""GET /api/v1/audit and /api/v1/audit/verify: the audit administrator's programs read and check the log."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from tests.conftest import enrol_totp, signed_in
from zhijiao.core import audit
from zhijiao.core.models import AuditEntry

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/audit"
VERIFY_URL = "/api/v1/audit/verify"


@pytest.fixture
def auditor(people):
    return signed_in(people["auditor"])


@pytest.mark.parametrize("url", [LIST_URL, VERIFY_URL])
@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "county_a_admin", "pupil_a"])
def test_everyone_but_the_audit_admin_gets_403_json(people, url, who):
    response = signed_in(people[who]).get(url)
    assert response.status_code == 403
    assert response.json()["detail"]
    assert AuditEntry.objects.filter(action="access.denied", actor=people[who], detail__path=url).exists()


@pytest.mark.parametrize("url", [LIST_URL, VERIFY_URL])
def test_anonymous_caller_gets_401_json(db, url):
    response = Client().get(url)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_audit_admin_session_without_two_step_verification_is_refused(people):
    client = Client()
    client.force_login(people["auditor"])
    assert client.get(LIST_URL).status_code == 403


def test_bearer_token_of_the_audit_admin_is_accepted(people):
    enrol_totp(people["auditor"])
    AccessToken.objects.create(user=people["auditor"], token="audit-token-1", scope="openid api",
                               expires=timezone.now() + timedelta(hours=1))
    response = Client().get(VERIFY_URL, HTTP_AUTHORIZATION="Bearer audit-token-1")
    assert response.status_code == 200 and response.json()["ok"] is True


def test_list_filters_and_labels(people, auditor):
    audit.record("logout", actor=people["pupil_a"])
    audit.record("login.failure", actor=people["pupil_a"], success=False, reason="password")
    body = auditor.get(LIST_URL, {"action": "login.failure", "actor": "pupil_a", "success": "false"}).json()
    assert len(body["items"]) == 1
    item = body["items"][0]
    assert item["action"] == "login.failure" and item["success"] is False
    assert item["actor_name"] == "pupil_a" and item["detail"] == {"reason": "password"}
    assert item["action_label"]
    assert body["next_before_seq"] is None


def test_organisation_filter_by_id_includes_the_subtree(tree, people, auditor):
    inside = audit.record("org.update", actor=people["sysadmin"], organisation=tree.class_a)
    audit.record("org.update", actor=people["sysadmin"], organisation=tree.school_b)
    body = auditor.get(LIST_URL, {"action": "org.update", "organisation_id": tree.county_a.pk}).json()
    assert [i["seq"] for i in body["items"]] == [inside.seq]
    assert body["items"][0]["organisation_name"] == tree.class_a.name


def test_keyset_paging_returns_the_next_older_page_without_overlap(auditor):
    written = [audit.record("logout", actor_name=f"u{i}").seq for i in range(25)]
    first = auditor.get(LIST_URL, {"action": "logout", "limit": 10}).json()
    second = auditor.get(LIST_URL, {"action": "logout", "limit": 10, "before_seq": first["next_before_seq"]}).json()
    third = auditor.get(LIST_URL, {"action": "logout", "limit": 10, "before_seq": second["next_before_seq"]}).json()
    pages = [[i["seq"] for i in page["items"]] for page in (first, second, third)]
    assert [len(p) for p in pages] == [10, 10, 5]
    assert [seq for page in pages for seq in page] == sorted(written, reverse=True)
    assert third["next_before_seq"] is None


@pytest.mark.parametrize("params, field", [
    ({"limit": 501}, "limit"),
    ({"limit": 0}, "limit"),
    ({"action": "no.such"}, "action"),
    ({"organisation_id": 987654}, "organisation_id"),
    ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "date_to"),
])
def test_bad_filters_are_422_with_the_field_named(auditor, params, field):
    response = auditor.get(LIST_URL, params)
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_verify_reports_intact_then_the_altered_entry(auditor):
    entries = [audit.record("logout", actor_name=f"u{i}") for i in range(3)]
    body = auditor.get(VERIFY_URL).json()
    assert body["ok"] is True and body["first_bad_seq"] is None and body["problem"] == ""
    assert body["checked"] == AuditEntry.objects.count()

    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET actor_name = %s WHERE seq = %s", ["mallory", entries[1].seq])
    body = auditor.get(VERIFY_URL).json()
    assert body == {"ok": False, "checked": entries[1].seq - 1, "first_bad_seq": entries[1].seq, "problem": "altered"}
