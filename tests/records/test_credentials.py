"""LRS credentials: scopes, revocation, the admin pages and the JSON API, all audited."""

import pytest
from django.test import Client

from tests.conftest import signed_in
from tests.records.conftest import XapiClient, statement
from zhijiao.core.models import AuditEntry
from zhijiao.records.models import Credential
from zhijiao.records.services import hash_secret

pytestmark = pytest.mark.django_db


def client_for(authorization):
    return XapiClient(Client(), authorization)


def test_scopes_decide_what_a_credential_may_do(issue):
    _w, write_only = issue(scopes=["write"])
    _o, own = issue(scopes=["write", "read_own"], name="Own reader")
    _a, everything = issue(scopes=["read_all"], name="Analytics")
    writer, reader_own, reader_all = client_for(write_only), client_for(own), client_for(everything)
    first, second = statement(), statement()
    assert writer.post(first).status_code == 200
    assert writer.get().status_code == 403
    assert reader_own.post(second).status_code == 200
    listed = [s["id"] for s in reader_own.get().json()["statements"]]
    assert listed == [second["id"]]
    assert reader_own.get({"statementId": first["id"]}).status_code == 404
    assert {s["id"] for s in reader_all.get().json()["statements"]} == {first["id"], second["id"]}
    assert reader_all.post(statement()).status_code == 403


def test_secrets_are_stored_hashed_and_revocation_takes_effect(issue, people):
    credential, authorization = issue()
    assert len(credential.secret_hash) == 64 and credential.secret_hash != authorization
    lrs = client_for(authorization)
    assert lrs.get().status_code == 200
    from zhijiao.records.services import revoke_credential

    revoke_credential(actor=people["sysadmin"], credential=credential)
    assert lrs.get().status_code == 401
    assert AuditEntry.objects.filter(action="lrs.credential_issue").exists()
    assert AuditEntry.objects.filter(action="lrs.credential_revoke", target_id=str(credential.pk)).exists()


def test_admin_pages_issue_show_the_secret_once_and_revoke(tree, people):
    admin = signed_in(people["sysadmin"])
    page = admin.get("/manage/lrs/")
    assert page.status_code == 200
    form = admin.get("/manage/lrs/new/")
    assert form.status_code == 200
    issued = admin.post("/manage/lrs/new/", {"name": "区域平台", "organisation": tree.province.pk,
                                              "scopes": ["write", "read_own"]})
    assert issued.status_code == 200 and "no-store" in issued["Cache-Control"]
    credential = Credential.objects.get(name="区域平台")
    html = issued.content.decode()
    secret = html.split('data-testid="credential-secret"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert credential.secret_hash == hash_secret(secret)
    assert secret not in admin.get("/manage/lrs/").content.decode()
    admin.post(f"/manage/lrs/{credential.pk}/revoke/")
    credential.refresh_from_db()
    assert credential.revoked_at is not None


def test_only_lrs_managers_reach_the_pages_and_the_api(people):
    teacher = signed_in(people["teacher_a"])
    assert teacher.get("/manage/lrs/").status_code == 403
    assert teacher.get("/api/v1/records/credentials").status_code == 403


def test_json_api_issues_lists_and_revokes(tree, people):
    admin = signed_in(people["sysadmin"])
    admin.get("/")
    token = admin.cookies["csrftoken"].value if "csrftoken" in admin.cookies else ""
    created = admin.post("/api/v1/records/credentials", {"name": "Tool", "organisation_id": tree.nation.pk,
                                                          "scopes": ["write"]},
                         content_type="application/json", headers={"X-CSRFToken": token})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"] and body["scopes"] == ["write"]
    listed = admin.get("/api/v1/records/credentials").json()
    assert [c["key"] for c in listed] == [body["key"]] and "secret" not in listed[0]
    bad = admin.post("/api/v1/records/credentials", {"name": "Tool", "organisation_id": tree.nation.pk,
                                                      "scopes": ["delete"]},
                     content_type="application/json", headers={"X-CSRFToken": token})
    assert bad.status_code == 422
    revoked = admin.post(f"/api/v1/records/credentials/{body['id']}/revoke", headers={"X-CSRFToken": token})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
