"""Single sign-on end to end: a real OpenID Connect client (Authlib) against a live Zhijiao server.

A relying party registers (through the service, as the system administrator would), reads the discovery
document, and sends a person's browser through the authorization-code flow with PKCE, state and nonce. The
browser is plain `requests`: it signs in through the real login form (and the code step when the account
has an authenticator), consents where the client is not trusted, and lands on the client's redirect URI,
which need not exist: the test stops at the redirect and reads its Location.
"""

from __future__ import annotations

import json
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oidc.core import CodeIDToken
from django.contrib.sessions.models import Session
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import KeySet
from oauth2_provider.models import AccessToken

from tests.conftest import PASSWORD, Tree, enrol_totp, make_user, signed_in
from zhijiao.core.models import AuditEntry
from zhijiao.identity import clients
from zhijiao.identity.models import Role

PORTAL = "https://portal.example.edu.cn/oidc/callback"
PORTAL_HOME = "https://portal.example.edu.cn/"
NATIVE_APP = "http://127.0.0.1:8765/callback"
ALL_SCOPES = "openid profile email orgs api"


# --- A browser that fills in forms ------------------------------------------------------------------------


class _Inputs(HTMLParser):
    """Every named <input> of a page, as a browser would submit them (the last value of a name wins)."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and attrs.get("type") == "hidden":
            self.values[attrs["name"]] = attrs.get("value") or ""


class Browser:
    """A person's browser: keeps cookies, and walks redirects one at a time so the test sees each step."""

    def __init__(self, site: str, http: requests.Session):
        self.site = site
        self.http = http
        self.pages: list[str] = []

    def get(self, url: str) -> requests.Response:
        return self.http.get(urljoin(self.site, url), allow_redirects=False, timeout=10)

    def submit(self, page: requests.Response, **fields) -> requests.Response:
        """Post the page's form back to where it came from, with its hidden fields and CSRF token."""
        parser = _Inputs()
        parser.feed(page.text)
        return self.http.post(page.url, data={**parser.values, **fields}, allow_redirects=False, timeout=10)

    def sign_in_and_authorize(self, url: str, user, *, totp=None, allow=True) -> str:
        """From the authorization URL to the redirect back to the client; returns that redirect's URL."""
        response = self.get(url)
        for _step in range(10):
            if response.is_redirect:
                target = urljoin(response.url, response.headers["Location"])
                if not target.startswith(self.site):
                    return target
                response = self.get(target)
                continue
            assert response.status_code == 200, (response.status_code, response.url, response.text[:500])
            page = urlsplit(response.url).path
            self.pages.append(page)
            if page == "/accounts/login/":
                response = self.submit(response, identifier=user.username, password=PASSWORD)
            elif page == "/accounts/login/verify/":
                response = self.submit(response, code=totp.now())
            elif page == "/o/authorize/":
                response = self.submit(response, **({"allow": "yes"} if allow else {}))
            else:
                raise AssertionError(f"unexpected page {response.url}")
        raise AssertionError("too many steps")


# --- Fixtures ----------------------------------------------------------------------------------------


@pytest.fixture
def site(live_server) -> str:
    return live_server.url


@pytest.fixture
def http():
    """Makes HTTP sessions and closes them when the test ends, so that no kept-alive connection outlives
    the test: its server thread would then close the shared in-memory test database from the wrong thread."""
    opened: list[requests.Session] = []

    def make(session_class=requests.Session, *args, **kwargs):
        session = session_class(*args, **kwargs)
        opened.append(session)
        return session

    yield make
    for session in opened:
        session.close()


@pytest.fixture
def new_browser(site, http):
    """A person's browser; ``browser()`` again gives a second person (or a second device)."""
    return lambda: Browser(site, http())


@pytest.fixture
def world(transactional_db):
    tree = Tree()
    sysadmin = make_user("sysadmin", role=Role.SYSTEM_ADMIN, org=tree.nation)
    teacher = make_user("wang_laoshi", role=Role.TEACHER, org=tree.school_a, real_name="王老师",
                        email="wang@example.edu.cn", phone="13812345678", id_number="110105198001011234",
                        language="zh-hans")
    return tree, sysadmin, teacher


@pytest.fixture
def discovery(site) -> dict:
    response = requests.get(f"{site}/o/.well-known/openid-configuration", timeout=10)
    assert response.status_code == 200
    return response.json()


def register(sysadmin, **fields):
    fields = {"name": "浙江职教平台", "client_type": "confidential", "redirect_uris": [PORTAL],
              "post_logout_redirect_uris": [PORTAL_HOME], "trusted": True, **fields}
    return clients.create_client(sysadmin, **fields)


def relying_party(http, issued, redirect_uri=PORTAL, scope=ALL_SCOPES) -> OAuth2Session:
    client = issued.client
    return http(
        OAuth2Session, client.client_id, issued.secret or None, scope=scope, redirect_uri=redirect_uri, code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic" if issued.secret else "none",
    )


def start(rp: OAuth2Session, discovery: dict, **extra):
    """The relying party's side of the first step: (authorization URL, state, nonce, code verifier)."""
    verifier, nonce = generate_token(64), generate_token(24)
    url, state = rp.create_authorization_url(discovery["authorization_endpoint"], nonce=nonce,
                                             code_verifier=verifier, **extra)
    return url, state, nonce, verifier


def validated_id_token(token: dict, discovery: dict, client_id: str, nonce: str) -> CodeIDToken:
    """What a careful relying party does: signature against the JWKS, then iss, aud, exp, nonce, at_hash."""
    keys = KeySet.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())
    decoded = jwt.decode(token["id_token"], keys, algorithms=discovery["id_token_signing_alg_values_supported"])
    claims = CodeIDToken(
        decoded.claims, decoded.header,
        {"iss": {"essential": True, "value": discovery["issuer"]}, "aud": {"essential": True, "value": client_id}},
        {"nonce": nonce, "client_id": client_id, "access_token": token["access_token"]},
    )
    claims.validate()
    return claims


def api_me(site: str, access_token: str) -> requests.Response:
    return requests.get(f"{site}/api/v1/me", headers={"Authorization": f"Bearer {access_token}"}, timeout=10)


# --- Tests -------------------------------------------------------------------------------------------


@pytest.mark.live
def test_discovery_advertises_absolute_endpoints_and_s256(site, discovery):
    issuer = f"{site}/o"
    assert discovery["issuer"] == issuer
    assert discovery["authorization_endpoint"] == f"{issuer}/authorize/"
    assert discovery["token_endpoint"] == f"{issuer}/token/"
    assert discovery["userinfo_endpoint"] == f"{issuer}/userinfo/"
    assert discovery["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
    assert discovery["end_session_endpoint"] == f"{issuer}/logout/"
    assert "S256" in discovery["code_challenge_methods_supported"]
    assert "RS256" in discovery["id_token_signing_alg_values_supported"]
    assert {"openid", "profile", "email", "orgs"} <= set(discovery["scopes_supported"])
    assert {"sub", "name", "preferred_username", "locale", "email", "orgs", "roles"} <= set(discovery["claims_supported"])
    assert not {"phone_number", "address"} & set(discovery["claims_supported"])
    jwks = requests.get(discovery["jwks_uri"], timeout=10).json()
    assert [key["kty"] for key in jwks["keys"]] == ["RSA"] and "d" not in jwks["keys"][0]


@pytest.mark.live
def test_trusted_client_signs_a_teacher_in_refreshes_and_signs_out(site, world, discovery, http, new_browser):
    tree, sysadmin, teacher = world
    issued = register(sysadmin)
    rp = relying_party(http, issued)
    url, state, nonce, verifier = start(rp, discovery)
    browser = new_browser()

    callback = browser.sign_in_and_authorize(url, teacher)

    assert browser.pages == ["/accounts/login/"], "a trusted client must not show the consent page"
    assert callback.startswith(PORTAL + "?")
    assert parse_qs(urlsplit(callback).query)["state"] == [state]
    token = rp.fetch_token(discovery["token_endpoint"], authorization_response=callback, state=state,
                           code_verifier=verifier)

    claims = validated_id_token(token, discovery, issued.client.client_id, nonce)
    assert claims["sub"] == str(teacher.pk)
    assert (claims["name"], claims["preferred_username"]) == ("王老师", "wang_laoshi")
    assert (claims["locale"], claims["email"]) == ("zh-Hans", "wang@example.edu.cn")
    assert claims["roles"] == ["teacher"]
    assert claims["orgs"] == [{"id": tree.school_a.pk, "name": "西湖区实验小学", "kind": "school",
                               "code": "3133000001", "role": "teacher"}]
    raw = json.dumps(dict(claims), ensure_ascii=False)
    assert "13812345678" not in raw and "110105198001011234" not in raw

    userinfo = rp.get(discovery["userinfo_endpoint"]).json()
    assert userinfo["sub"] == str(teacher.pk) and userinfo["orgs"] == claims["orgs"]
    assert userinfo["roles"] == ["teacher"] and "phone_number" not in userinfo

    me = api_me(site, token["access_token"])
    assert me.status_code == 200
    assert me.json()["username"] == "wang_laoshi" and me.json()["phone_masked"] != "13812345678"

    first_access, first_refresh = token["access_token"], token["refresh_token"]
    refreshed = rp.refresh_token(discovery["token_endpoint"])
    assert refreshed["access_token"] != first_access and refreshed["refresh_token"] != first_refresh
    assert api_me(site, refreshed["access_token"]).status_code == 200
    assert api_me(site, first_access).status_code == 401
    with pytest.raises(OAuthError):
        rp.refresh_token(discovery["token_endpoint"], refresh_token=first_refresh)

    session_key = browser.http.cookies["sessionid"]
    logout = browser.get(discovery["end_session_endpoint"] + "?" + urlencode({
        "id_token_hint": token["id_token"], "post_logout_redirect_uri": PORTAL_HOME, "state": "bye",
    }))
    assert logout.status_code == 302 and logout.headers["Location"] == PORTAL_HOME + "?state=bye"
    assert not Session.objects.filter(session_key=session_key).exists()
    assert browser.get(url).headers["Location"].startswith("/accounts/login/")
    assert api_me(site, refreshed["access_token"]).status_code == 401
    assert AuditEntry.objects.filter(action="logout", actor=teacher).exists()


@pytest.mark.live
def test_untrusted_public_client_asks_for_consent_and_gets_only_what_its_scopes_allow(site, world, discovery, http, new_browser):
    _tree, sysadmin, teacher = world
    issued = register(sysadmin, name="班级助手", client_type="public", redirect_uris=[NATIVE_APP], trusted=False)
    rp = relying_party(http, issued, redirect_uri=NATIVE_APP, scope="openid profile api")
    browser = new_browser()

    url, state, _nonce, _verifier = start(rp, discovery)
    refused = browser.sign_in_and_authorize(url, teacher, allow=False)
    assert browser.pages == ["/accounts/login/", "/o/authorize/"]
    assert parse_qs(urlsplit(refused).query)["error"] == ["access_denied"]

    url, state, nonce, verifier = start(rp, discovery)
    consent = browser.get(url)
    assert consent.status_code == 200 and "班级助手" in consent.text
    callback = browser.sign_in_and_authorize(url, teacher, allow=True)
    assert callback.startswith(NATIVE_APP + "?")
    token = rp.fetch_token(discovery["token_endpoint"], authorization_response=callback, state=state,
                           code_verifier=verifier)

    claims = validated_id_token(token, discovery, issued.client.client_id, nonce)
    assert claims["preferred_username"] == "wang_laoshi"
    assert not {"orgs", "roles", "email"} & set(claims), "claims beyond the granted scopes leaked"
    assert set(rp.get(discovery["userinfo_endpoint"]).json()) == {"sub", "name", "preferred_username", "locale",
                                                                     "verification"}

    assert api_me(site, token["access_token"]).status_code == 200
    AccessToken.objects.filter(user=teacher).update(expires=timezone.now() - timedelta(seconds=1))
    expired = api_me(site, token["access_token"])
    assert expired.status_code == 401 and expired.json()["detail"]

    renewed = rp.refresh_token(discovery["token_endpoint"])
    assert api_me(site, renewed["access_token"]).status_code == 200
    rp.revoke_token(f"{site}/o/revoke_token/", token=renewed["access_token"], token_type_hint="access_token")
    revoked = api_me(site, renewed["access_token"])
    assert revoked.status_code == 401 and revoked.json()["detail"]


@pytest.mark.live
def test_an_unregistered_redirect_uri_is_refused_without_redirecting(site, world, discovery, http, new_browser):
    _tree, sysadmin, teacher = world
    issued = register(sysadmin)
    rp = relying_party(http, issued, redirect_uri="https://attacker.example.com/callback")
    url, *_ = start(rp, discovery)
    browser = new_browser()

    browser.submit(browser.get("/accounts/login/"), identifier=teacher.username, password=PASSWORD)
    refused = browser.get(url)

    assert refused.status_code == 400 and "Location" not in refused.headers
    assert 'href="https://attacker.example.com' not in refused.text
    assert 'data-testid="oidc-error"' in refused.text


@pytest.mark.live
def test_the_code_is_useless_without_the_pkce_verifier(site, world, discovery, http, new_browser):
    _tree, sysadmin, teacher = world
    issued = register(sysadmin)
    rp = relying_party(http, issued)
    url, state, _nonce, _verifier = start(rp, discovery)
    callback = new_browser().sign_in_and_authorize(url, teacher)

    with pytest.raises(OAuthError):
        rp.fetch_token(discovery["token_endpoint"], authorization_response=callback, state=state)
    with pytest.raises(OAuthError):
        rp.fetch_token(discovery["token_endpoint"], authorization_response=callback, state=state,
                       code_verifier=generate_token(64))

    no_challenge = new_browser().sign_in_and_authorize(
        rp.create_authorization_url(discovery["authorization_endpoint"], nonce="n")[0], teacher)
    assert parse_qs(urlsplit(no_challenge).query)["error"] == ["invalid_request"]


@pytest.mark.live
def test_a_person_with_an_authenticator_passes_the_code_step_before_the_flow_continues(site, world, discovery, http, new_browser):
    _tree, sysadmin, teacher = world
    totp = enrol_totp(teacher)
    issued = register(sysadmin)
    rp = relying_party(http, issued)
    url, state, nonce, verifier = start(rp, discovery)
    browser = new_browser()

    callback = browser.sign_in_and_authorize(url, teacher, totp=totp)

    assert browser.pages == ["/accounts/login/", "/accounts/login/verify/"]
    token = rp.fetch_token(discovery["token_endpoint"], authorization_response=callback, state=state,
                           code_verifier=verifier)
    assert validated_id_token(token, discovery, issued.client.client_id, nonce)["sub"] == str(teacher.pk)


@pytest.mark.django_db
def test_a_consent_form_missing_its_request_is_refused(people):
    response = signed_in(people["teacher_a"], mfa=False).post("/o/authorize/", {"allow": "yes"})
    assert response.status_code == 200 and "Location" not in response.headers
    assert 'class="form-errors" role="alert"' in response.content.decode()


@pytest.mark.django_db
def test_a_sign_in_token_without_the_api_scope_does_not_act_on_the_api(people):
    from django.test import Client

    AccessToken.objects.create(user=people["teacher_a"], token="sign-in-only", scope="openid profile orgs",
                               expires=timezone.now() + timedelta(hours=1))
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer sign-in-only").status_code == 401
    AccessToken.objects.filter(token="sign-in-only").update(scope="openid api")
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer sign-in-only").status_code == 200


@pytest.mark.django_db
def test_a_token_issued_to_a_platform_is_audited(people):
    from oauth2_provider.signals import app_authorized

    from zhijiao.core.models import AuditEntry

    token = AccessToken.objects.create(user=people["teacher_a"], token="issued", scope="openid",
                                       expires=timezone.now() + timedelta(hours=1))
    app_authorized.send(sender=None, request=None, token=token)
    assert AuditEntry.objects.filter(action="oidc.token", actor=people["teacher_a"]).exists()


@pytest.mark.django_db
def test_an_administrator_reaches_connected_platforms_only_after_two_step_verification(people):
    from tests.conftest import enrol_totp, signed_in

    url = "/o/authorize/?response_type=code&client_id=x"
    without_code = signed_in(people["county_a_admin"], mfa=False)
    response = without_code.get(url)
    assert response.status_code == 302 and response["Location"] == "/accounts/mfa/setup/"
    enrol_totp(people["county_a_admin"])
    response = without_code.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    # A learner's session goes on to the usual authorization handling (here: an unknown client).
    learner = signed_in(people["pupil_a"], mfa=False).get(url)
    assert not learner.get("Location", "").startswith(("/accounts/mfa", "/accounts/login"))
