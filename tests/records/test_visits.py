"""Anonymous page views: a visitor who is not signed in is counted too, under their first-party visitor id,
and nothing they send can name another visitor, another site's page, or be counted twice."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client

from tests.conftest import signed_in
from zhijiao.cockpit import services as cockpit
from zhijiao.cockpit.models import Grain, OrgPeriod
from zhijiao.records import visits
from zhijiao.records.agents import user_id_for
from zhijiao.records.models import Statement
from zhijiao.records.visitor import COOKIE_NAME, EXT_VISITOR, new_visitor_id

HOME = "http://127.0.0.1:8000"
URL = "/records/page-view"


def visitor_client(visitor_id: str | None = None) -> Client:
    client = Client()
    client.cookies[COOKIE_NAME] = visitor_id or new_visitor_id()
    return client


def view(client: Client, **overrides):
    body = {"id": str(uuid.uuid4()), "activity": f"{HOME}/resources/", "page": True, "name": "资源中心",
            "board": "", "column": ""}
    body.update(overrides)
    return client.post(URL, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_an_anonymous_view_is_stored_under_the_visitor_named_by_the_cookie_not_the_page(tree):
    vid = new_visitor_id()
    response = view(visitor_client(vid), actor={"account": {"homePage": HOME, "name": "1"}})
    assert response.status_code == 204
    row = Statement.objects.get()
    assert row.user_id is None and row.verb_id == "http://id.tincanapi.com/verb/viewed"
    assert row.data["actor"]["account"] == {"homePage": f"{HOME}/visitors/", "name": vid}
    assert row.data["context"]["extensions"][EXT_VISITOR] == vid
    assert row.data["object"]["definition"]["type"] == visits.PAGE
    assert user_id_for(row.data["actor"]) is None


@pytest.mark.django_db
def test_the_cockpit_counts_anonymous_views_and_visitors_for_the_whole_platform(tree):
    first, second = visitor_client(), visitor_client()
    for client in (first, first, second):
        assert view(client).status_code == 204
    cockpit.catch_up()
    root = OrgPeriod.objects.get(organisation=tree.nation, grain=Grain.DAY)
    assert (root.page_views, root.visitors) == (3, 2)
    assert not OrgPeriod.objects.filter(organisation=tree.school_a).exists()


@pytest.mark.django_db
def test_a_retried_view_is_counted_once(tree):
    client = visitor_client()
    statement_id = str(uuid.uuid4())
    assert view(client, id=statement_id).status_code == 204
    assert view(client, id=statement_id).status_code == 204
    assert Statement.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, message", [
    ({"activity": "https://elsewhere.example/page"}, "本平台页面"),
    ({"activity": f"{HOME}/no-such-page/here"}, "本平台页面"),
    ({"activity": 7}, "本平台页面"),
    ({"id": "not-a-uuid"}, "UUID"),
    ({"name": ["list"]}, "必须是文本"),
])
def test_bad_views_are_refused_with_a_reason_and_store_nothing(tree, overrides, message):
    response = view(visitor_client(), **overrides)
    assert response.status_code == 400 and message in response.json()["detail"]
    assert not Statement.objects.exists()


@pytest.mark.django_db
def test_malformed_or_oversized_bodies_are_refused(tree):
    client = visitor_client()
    assert client.post(URL, "{not json", content_type="application/json").status_code == 400
    assert client.post(URL, "[1]", content_type="application/json").status_code == 400
    big = json.dumps({"id": str(uuid.uuid4()), "activity": f"{HOME}/", "name": "x" * 5000})
    assert client.post(URL, big, content_type="application/json").status_code == 413
    assert client.get(URL).status_code == 405
    assert not Statement.objects.exists()


@pytest.mark.django_db
def test_without_a_visitor_cookie_or_when_signed_in_nothing_is_stored(tree, people):
    assert view(Client()).status_code == 400
    client = signed_in(people["pupil_a"])
    client.cookies[COOKIE_NAME] = new_visitor_id()
    response = view(client)
    assert response.status_code == 400 and "学习记录库" in response.json()["detail"]
    assert not Statement.objects.exists()


@pytest.mark.django_db
def test_a_visitor_sending_too_many_views_is_slowed_down(tree, monkeypatch):
    monkeypatch.setattr(visits, "VISITOR_LIMIT", 3)
    client = visitor_client()
    codes = [view(client).status_code for _ in range(5)]
    assert codes == [204, 204, 204, 429, 429]
    assert Statement.objects.count() == 3
    # Another visitor behind the same address is not affected.
    assert view(visitor_client()).status_code == 204
