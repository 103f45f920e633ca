"""The server side of the page tracker: the first-party visitor cookie and the configuration a page renders."""

from __future__ import annotations

import json
import re

import pytest
from django.http import HttpResponse
from django.template import engines
from django.test import Client
from django.urls import path
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import signed_in
from zhijiao import urls as site_urls
from zhijiao.records import visitor
from zhijiao.records.agents import agent_for

TRACKED_PAGE = engines["django"].from_string(
    "<title>第三课</title>{% include 'records/_tracker.html' with activity_id=activity_id board='sync-classroom' %}"
)


def tracked(request):
    html = TRACKED_PAGE.render({"activity_id": "http://127.0.0.1:8000/resources/7/"}, request)
    return HttpResponse(html)


def untracked(request):
    return HttpResponse("<p>no tracker here</p>")


urlpatterns = [path("tracked/", tracked), path("untracked/", untracked), *site_urls.urlpatterns]
pytestmark = pytest.mark.urls(__name__)


def config_of(response) -> dict:
    match = re.search(r'<script id="zj-tracker-config" type="application/json">(.*?)</script>',
                      response.content.decode())
    assert match, "the page has no tracker configuration"
    return json.loads(match.group(1))


@pytest.mark.django_db
def test_a_tracked_page_gives_a_new_visitor_a_first_party_cookie_for_a_year():
    response = Client().get("/tracked/")
    cookie = response.cookies[visitor.COOKIE_NAME]
    assert visitor.is_valid_visitor_id(cookie.value)
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 365 * 24 * 3600
    assert config_of(response)["visitor"] == cookie.value
    assert "private" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_a_returning_visitor_keeps_their_id_and_gets_no_new_cookie():
    client = Client()
    first = client.get("/tracked/").cookies[visitor.COOKIE_NAME].value
    again = client.get("/tracked/")
    assert visitor.COOKIE_NAME not in again.cookies
    assert config_of(again)["visitor"] == first


@pytest.mark.django_db
def test_a_forged_cookie_value_is_replaced():
    client = Client()
    client.cookies[visitor.COOKIE_NAME] = "<script>alert(1)</script>"
    response = client.get("/tracked/")
    fresh = response.cookies[visitor.COOKIE_NAME].value
    assert visitor.is_valid_visitor_id(fresh) and config_of(response)["visitor"] == fresh


@pytest.mark.django_db
def test_pages_without_the_tracker_set_no_visitor_cookie():
    assert visitor.COOKIE_NAME not in Client().get("/untracked/").cookies


@pytest.mark.django_db
def test_a_signed_in_learner_s_page_names_them_as_the_actor_and_carries_the_csrf_token(people):
    client = signed_in(people["pupil_a"], mfa=False)
    response = client.get("/tracked/")
    config = config_of(response)
    assert config["actor"] == agent_for(people["pupil_a"])
    assert config["endpoint"] == "/xapi/statements"
    assert config["csrf"] and response.cookies["csrftoken"].value
    assert config["heartbeat"] == visitor.HEARTBEAT_SECONDS
    html = response.content.decode()
    assert 'data-activity-id="http://127.0.0.1:8000/resources/7/"' in html
    assert 'data-board="sync-classroom"' in html
    assert "/static/records/tracker.js" in html


@pytest.mark.django_db
def test_an_anonymous_visitor_s_page_has_no_actor_and_reports_only_its_view():
    config = config_of(Client().get("/tracked/"))
    assert config["actor"] is None and config["csrf"] == ""
    assert config["pageViews"] == "/records/page-view"


@given(st.text(max_size=40))
def test_only_22_url_safe_characters_pass_as_a_visitor_id(value):
    expected = len(value) == 22 and all(c.isascii() and (c.isalnum() or c in "-_") for c in value)
    assert visitor.is_valid_visitor_id(value) == expected


def test_new_visitor_ids_are_valid_and_distinct():
    ids = {visitor.new_visitor_id() for _ in range(1000)}
    assert len(ids) == 1000 and all(visitor.is_valid_visitor_id(v) for v in ids)
