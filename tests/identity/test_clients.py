"""Sign-on clients: only the system administrator registers them, secrets are shown once, every change is audited."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from tests.conftest import enrol_totp, signed_in
from zhijiao.core.models import AuditEntry
from zhijiao.identity import clients

pytestmark = pytest.mark.django_db

PORTAL = "https://portal.example.edu.cn/oidc/callback"


def register(actor, **fields):
    fields = {"name": "浙江职教平台", "client_type": "confidential", "redirect_uris": [PORTAL], **fields}
    return clients.create_client(actor, **fields)


def audit_entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


# --- Services ----------------------------------------------------------------------------------------


def test_a_confidential_client_gets_a_secret_that_is_stored_only_as_a_hash(people):
    issued = register(people["sysadmin"], post_logout_redirect_uris=["https://portal.example.edu.cn/"])

    stored = Application.objects.get(pk=issued.client.pk)
    assert len(issued.secret) >= 40
    assert stored.client_secret != issued.secret and check_password(issued.secret, stored.client_secret)
    assert (stored.authorization_grant_type, stored.algorithm) == ("authorization-code", "RS256")
    assert stored.user is None and not stored.skip_authorization
    assert stored.post_logout_redirect_uris == "https://portal.example.edu.cn/"
    entry = audit_entries("oidc.client_create")[-1]
    assert entry.actor == people["sysadmin"] and entry.target_id == str(stored.pk)
    assert entry.detail["client_id"] == stored.client_id and entry.detail["redirect_uris"] == [PORTAL]
    assert issued.secret not in str(entry.detail)


def test_a_public_client_has_no_secret_to_show(people):
    issued = register(people["sysadmin"], client_type="public", redirect_uris=["http://127.0.0.1:8765/cb"])
    assert issued.secret == "" and issued.client.client_type == "public"


@pytest.mark.parametrize("uri", [
    "https://portal.example.edu.cn/cb",
    "https://portal.example.edu.cn:8443/cb?tenant=zj",
    "http://localhost:8000/cb",
    "http://127.0.0.1/cb",
    "http://[::1]:9000/cb",
])
def test_accepted_redirect_uris(uri):
    assert clients.uri_allowed(uri)


@pytest.mark.parametrize("uri", [
    "http://portal.example.edu.cn/cb",
    "http://localhost.evil.example/cb",
    "ftp://portal.example.edu.cn/cb",
    "javascript:alert(1)",
    "/relative/cb",
    "https://portal.example.edu.cn/cb#fragment",
    "https://admin:secret@portal.example.edu.cn/cb",
    "https://*.example.edu.cn/cb",
    "https://portal.example.edu.cn:99999/cb",
])
def test_refused_redirect_uris(uri):
    assert not clients.uri_allowed(uri)


def test_bad_addresses_are_reported_per_field_and_nothing_is_saved(people):
    with pytest.raises(ValidationError) as caught:
        register(people["sysadmin"], name=" ", redirect_uris=["http://portal.example.edu.cn/cb"],
                 post_logout_redirect_uris=["ftp://portal.example.edu.cn/"])
    errors = caught.value.message_dict
    assert set(errors) == {"name", "redirect_uris", "post_logout_redirect_uris"}
    assert "http://portal.example.edu.cn/cb" in errors["redirect_uris"][0]
    assert not Application.objects.exists() and not audit_entries("oidc.client_create")


def test_a_client_needs_a_redirect_uri(people):
    with pytest.raises(ValidationError) as caught:
        register(people["sysadmin"], redirect_uris=["  "])
    assert "redirect_uris" in caught.value.message_dict


@pytest.mark.parametrize("who", ["secadmin", "auditor", "county_a_admin", "school_a_admin", "teacher_a"])
def test_nobody_but_the_system_administrator_manages_clients(people, who):
    issued = register(people["sysadmin"])
    actor = people[who]
    with pytest.raises(PermissionDenied):
        register(actor)
    with pytest.raises(PermissionDenied):
        clients.update_client(actor, issued.client, **{**clients.settings_of(issued.client), "trusted": True})
    with pytest.raises(PermissionDenied):
        clients.regenerate_secret(actor, issued.client)
    with pytest.raises(PermissionDenied):
        clients.delete_client(actor, issued.client)
    assert Application.objects.count() == 1 and not Application.objects.get().skip_authorization


def test_a_new_secret_replaces_the_old_one(people):
    issued = register(people["sysadmin"])
    renewed = clients.regenerate_secret(people["sysadmin"], issued.client)

    stored = Application.objects.get(pk=issued.client.pk).client_secret
    assert renewed.secret != issued.secret
    assert check_password(renewed.secret, stored) and not check_password(issued.secret, stored)
    assert audit_entries("oidc.client_secret")[-1].detail["client_id"] == issued.client.client_id


def test_a_public_client_cannot_get_a_secret(people):
    issued = register(people["sysadmin"], client_type="public")
    with pytest.raises(ValidationError):
        clients.regenerate_secret(people["sysadmin"], issued.client)


def test_update_records_what_changed_and_a_public_client_made_confidential_gets_a_secret(people):
    issued = register(people["sysadmin"], client_type="public")
    settings = clients.settings_of(issued.client)

    updated = clients.update_client(people["sysadmin"], issued.client,
                                    **{**settings, "client_type": "confidential", "trusted": True})

    stored = Application.objects.get(pk=issued.client.pk)
    assert stored.skip_authorization and stored.client_type == "confidential"
    assert updated.secret and check_password(updated.secret, stored.client_secret)
    detail = audit_entries("oidc.client_update")[-1].detail
    assert detail["changed"] == {"client_type": ["public", "confidential"], "trusted": [False, True]}
    assert detail["secret_issued"] is True


def test_removing_a_client_ends_its_tokens(people):
    issued = register(people["sysadmin"])
    AccessToken.objects.create(user=people["teacher_a"], application=issued.client, token="t0k3n", scope="openid",
                               expires=timezone.now() + timedelta(hours=1))

    clients.delete_client(people["sysadmin"], issued.client)

    assert not Application.objects.exists() and not AccessToken.objects.exists()
    assert audit_entries("oidc.client_delete")[-1].detail["name"] == "浙江职教平台"


# --- Pages -------------------------------------------------------------------------------------------


def test_the_client_pages_are_for_the_system_administrator_only(people):
    register(people["sysadmin"])
    assert signed_in(people["sysadmin"]).get("/manage/clients/").status_code == 200
    for who in ("secadmin", "auditor", "school_a_admin", "teacher_a"):
        browser = signed_in(people[who])
        assert browser.get("/manage/clients/").status_code == 403
        assert browser.post("/manage/clients/new/", {"name": "x"}).status_code == 403
    assert Client().get("/manage/clients/").status_code == 302


def test_registering_on_the_page_shows_the_secret_once(people):
    browser = signed_in(people["sysadmin"])
    response = browser.post("/manage/clients/new/", {
        "name": "杭州市教育云", "client_type": "confidential", "redirect_uris": f"{PORTAL}\nhttp://localhost:8000/cb",
        "post_logout_redirect_uris": "https://portal.example.edu.cn/", "trusted": "on",
    })

    assert response.status_code == 200
    secret = response.context["secret"]
    client = Application.objects.get(name="杭州市教育云")
    assert secret in response.content.decode() and client.client_id in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert client.skip_authorization and client.redirect_uris.split() == [PORTAL, "http://localhost:8000/cb"]
    for page in ("/manage/clients/", f"/manage/clients/{client.pk}/"):
        shown = browser.get(page)
        assert shown.status_code == 200 and "杭州市教育云" in shown.content.decode()
        assert secret not in shown.content.decode()


def test_a_bad_redirect_uri_is_shown_next_to_its_field(people):
    response = signed_in(people["sysadmin"]).post("/manage/clients/new/", {
        "name": "杭州市教育云", "client_type": "confidential", "redirect_uris": "http://portal.example.edu.cn/cb",
    })
    assert response.status_code == 200
    assert response.context["form"].errors["redirect_uris"]
    assert 'id="id_redirect_uris-error"' in response.content.decode()
    assert not Application.objects.exists()


def test_editing_regenerating_and_removing_on_the_pages(people):
    issued = register(people["sysadmin"])
    browser = signed_in(people["sysadmin"])
    page = f"/manage/clients/{issued.client.pk}/"

    form = browser.get(page).context["form"]
    assert form.initial["redirect_uris"] == PORTAL
    saved = browser.post(page, {"name": "浙江职教平台（新）", "client_type": "confidential",
                                "redirect_uris": PORTAL, "post_logout_redirect_uris": ""})
    assert saved.status_code == 302 and Application.objects.get().name == "浙江职教平台（新）"

    renewed = browser.post(f"{page}secret/")
    assert renewed.status_code == 200
    assert check_password(renewed.context["secret"], Application.objects.get().client_secret)
    assert browser.get(f"{page}secret/").status_code == 405

    assert browser.get(f"{page}delete/").status_code == 200 and Application.objects.exists()
    assert browser.post(f"{page}delete/").status_code == 302
    assert not Application.objects.exists()
    assert browser.get(page).status_code == 404


# --- API ---------------------------------------------------------------------------------------------


API = "/api/v1/oidc/clients"


def test_the_api_registers_a_client_and_returns_its_secret_only_then(people):
    browser = signed_in(people["sysadmin"])
    created = browser.post(API, {"name": "国家职教平台", "client_type": "confidential", "redirect_uris": [PORTAL],
                                 "trusted": True}, content_type="application/json")

    assert created.status_code == 201, created.content
    body = created.json()
    stored = Application.objects.get(pk=body["id"])
    assert check_password(body["client_secret"], stored.client_secret)
    assert body["client_id"] == stored.client_id and body["trusted"] and body["algorithm"] == "RS256"
    listed = browser.get(API).json()
    assert [c["client_id"] for c in listed] == [stored.client_id] and "client_secret" not in listed[0]
    assert browser.get(f"{API}/{stored.pk}").json()["redirect_uris"] == [PORTAL]


def test_the_api_changes_regenerates_and_removes(people):
    issued = register(people["sysadmin"], client_type="public")
    browser = signed_in(people["sysadmin"])
    url = f"{API}/{issued.client.pk}"

    patched = browser.patch(url, {"post_logout_redirect_uris": ["https://portal.example.edu.cn/bye"]},
                            content_type="application/json").json()
    assert patched["post_logout_redirect_uris"] == ["https://portal.example.edu.cn/bye"]
    assert patched["client_type"] == "public" and patched["client_secret"] is None
    assert browser.post(f"{url}/secret").status_code == 422

    patched = browser.patch(url, {"client_type": "confidential"}, content_type="application/json").json()
    assert check_password(patched["client_secret"], Application.objects.get().client_secret)
    renewed = browser.post(f"{url}/secret").json()
    assert check_password(renewed["client_secret"], Application.objects.get().client_secret)

    assert browser.delete(url).status_code == 204
    assert browser.get(url).status_code == 404


def test_the_api_reports_bad_redirect_uris(people):
    response = signed_in(people["sysadmin"]).post(API, {
        "name": "x", "client_type": "public", "redirect_uris": ["http://portal.example.edu.cn/cb"],
    }, content_type="application/json")
    assert response.status_code == 422
    assert "http://portal.example.edu.cn/cb" in response.json()["errors"]["redirect_uris"][0]


def test_the_api_refuses_everybody_else(people):
    issued = register(people["sysadmin"])
    for who in ("secadmin", "auditor", "school_a_admin"):
        browser = signed_in(people[who])
        assert browser.get(API).status_code == 403
        refused = browser.post(API, {"name": "x", "client_type": "public", "redirect_uris": [PORTAL]},
                               content_type="application/json")
        assert refused.status_code == 403 and refused.json()["detail"]
        assert browser.delete(f"{API}/{issued.client.pk}").status_code == 403
    assert Client().get(API).status_code == 401
    assert Application.objects.count() == 1


def test_the_api_needs_two_step_verification_and_refuses_access_tokens(people):
    sysadmin = people["sysadmin"]
    issued = register(sysadmin)
    assert signed_in(sysadmin, mfa=False).get(API).status_code == 403

    enrol_totp(sysadmin)
    AccessToken.objects.create(user=sysadmin, application=issued.client, token="sysadmin-token", scope="openid api",
                               expires=timezone.now() + timedelta(hours=1))
    bearer = {"HTTP_AUTHORIZATION": "Bearer sysadmin-token"}
    assert Client().get("/api/v1/me", **bearer).status_code == 200
    assert Client().get(API, **bearer).status_code == 403
