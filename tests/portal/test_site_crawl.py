"""Walk every page a person can reach by following links, as several kinds of user, and check that
personal numbers never appear unmasked and that every form carries a CSRF token."""

import json
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest
from django.test import Client

from tests.conftest import make_user, signed_in
from zhijiao.identity.models import Role

pytestmark = pytest.mark.django_db

RAW_ID_NUMBERS = ("110105201403071238", "330102201205061233")
RAW_PHONE = "13987654321"
SKIP = ("/accounts/logout/", "/static/", "/lang/", "/o/", "/api/docs", "/manage/audit/export.csv")


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.forms, self._form = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self._form = {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action"), "csrf": False}
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and attrs.get("name") == "csrfmiddlewaretoken":
            self._form["csrf"] = True

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def crawl(client: Client, start: list[str], limit: int = 150):
    seen, queue, pages = set(), list(start), []
    while queue and len(seen) < limit:
        url = queue.pop(0)
        path = urlparse(url).path + (("?" + urlparse(url).query) if urlparse(url).query else "")
        if path in seen or any(urlparse(url).path.startswith(s) for s in SKIP):
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        parser = Page()
        parser.feed(html)
        pages.append((path, html, parser))
        for link in parser.links:
            target = urljoin(path, link)
            if urlparse(target).netloc in ("", "testserver"):
                queue.append(target)
    return pages


@pytest.fixture
def crawlers(tree, people):
    people["pupil_a"].set_phone(RAW_PHONE)
    people["pupil_a"].save()
    city_admin = make_user("city_admin", role=Role.BUREAU_ADMIN, org=tree.city)
    return {
        "anonymous": Client(),
        "pupil": signed_in(people["pupil_a"], mfa=False),
        "city_admin": signed_in(city_admin),
        "sysadmin": signed_in(people["sysadmin"]),
        "secadmin": signed_in(people["secadmin"]),
        "auditor": signed_in(people["auditor"]),
    }


def test_no_page_shows_an_unmasked_id_or_phone_number(crawlers, people):
    visited = 0
    for name, client in crawlers.items():
        start = ["/", "/me/", "/me/security/", "/manage/", f"/manage/users/{people['pupil_a'].pk}/",
                 "/manage/security/?username=pupil_a", "/manage/audit/"]
        for path, html, _ in crawl(client, start):
            visited += 1
            for secret in (*RAW_ID_NUMBERS, RAW_PHONE):
                assert secret not in html, f"{secret} unmasked on {path} as {name}"
    assert visited > 20
    # The masked forms are what people see instead.
    page = crawlers["city_admin"].get(f"/manage/users/{people['pupil_a'].pk}/").content.decode()
    assert "110***********1238" in page and "139****4321" in page


def test_no_api_response_carries_an_unmasked_number(crawlers, tree, people):
    calls = ["/api/v1/me", f"/api/v1/users/{people['pupil_a'].pk}", f"/api/v1/orgs/{tree.nation.pk}/members",
             "/api/v1/me/logins", "/api/v1/audit"]
    for client in crawlers.values():
        for call in calls:
            body = client.get(call).content.decode()
            for secret in (*RAW_ID_NUMBERS, RAW_PHONE):
                assert secret not in body, (call, secret)
    me = signed_in(people["pupil_a"], mfa=False).get("/api/v1/me").json()
    assert me["id_number_masked"] == "110***********1238" and me["phone_masked"] == "139****4321"


def test_every_post_form_carries_a_csrf_token(crawlers, people):
    forms = 0
    for client in crawlers.values():
        for path, _, parser in crawl(client, ["/", "/me/", "/me/profile/", "/manage/", "/accounts/login/",
                                               "/accounts/register/", "/accounts/password/reset/",
                                               "/accounts/password/change/"]):
            for form in parser.forms:
                if form["method"] == "post":
                    forms += 1
                    assert form["csrf"], f"form posting to {form['action'] or path} on {path} lacks a CSRF token"
    assert forms > 10


def test_posts_without_the_csrf_token_are_refused(tree, people):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"identifier": "teacher_a", "password": "x"})
    assert response.status_code == 403 and "表单已过期" in response.content.decode()
    admin = Client(enforce_csrf_checks=True)
    admin.force_login(people["pupil_a"])
    assert admin.post("/me/profile/", {"real_name": "改名", "language": "zh-hans"}).status_code == 403
    # The API with a session cookie also needs the token for unsafe methods.
    api = admin.patch("/api/v1/me", data=json.dumps({"real_name": "改名"}), content_type="application/json")
    assert api.status_code == 403
    people["pupil_a"].refresh_from_db()
    assert people["pupil_a"].real_name == "pupil_a"
