"""State, activity profile and agent profile documents: storage, merge, ETag preconditions (Communication §2.2–§3.1)."""

import json

import pytest

from tests.conftest import signed_in
from tests.records.conftest import XapiClient
from zhijiao.records.agents import agent_for

pytestmark = pytest.mark.django_db
ACTIVITY = "http://example.com/activities/course-1"
AGENT = json.dumps({"objectType": "Agent", "mbox": "mailto:pupil@example.com"})


def state(lrs, method, body=None, content_type="application/json", headers=None, **params):
    query = {"activityId": ACTIVITY, "agent": AGENT, **params}
    raw = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
    return lrs.request(method, "activities/state", params=query, raw=raw, content_type=content_type, headers=headers)


def profile(lrs, method, body=None, headers=None, **params):
    raw = json.dumps(body).encode() if body is not None else None
    return lrs.request(method, "activities/profile", params={"activityId": ACTIVITY, **params}, raw=raw,
                       headers=headers)


def test_state_put_get_list_and_delete(lrs):
    assert state(lrs, "PUT", {"x": "foo", "y": "bar"}, stateId="bookmark").status_code == 204
    got = state(lrs, "GET", stateId="bookmark")
    assert got.status_code == 200 and got.json() == {"x": "foo", "y": "bar"}
    assert got["ETag"].startswith('"') and got["Last-Modified"]
    assert state(lrs, "PUT", b"\x00\x01binary", content_type="application/octet-stream", stateId="blob").status_code == 204
    blob = state(lrs, "GET", stateId="blob")
    assert blob.content == b"\x00\x01binary" and blob["Content-Type"] == "application/octet-stream"
    assert sorted(state(lrs, "GET").json()) == ["blob", "bookmark"]
    assert state(lrs, "GET", since="2099-01-01T00:00:00Z").json() == []
    assert state(lrs, "DELETE", stateId="blob").status_code == 204
    assert state(lrs, "GET", stateId="blob").status_code == 404
    assert state(lrs, "DELETE").status_code == 204
    assert state(lrs, "GET").json() == []


def test_state_documents_are_scoped_by_registration(lrs):
    registration = "6e0f9c9d-43b5-4a3f-9c47-4b7a1f4bd2b1"
    state(lrs, "PUT", {"a": 1}, stateId="s", registration=registration)
    assert state(lrs, "GET", stateId="s").status_code == 404
    assert state(lrs, "GET", stateId="s", registration=registration).json() == {"a": 1}


def test_post_merges_json_objects_and_refuses_anything_else(lrs):
    state(lrs, "PUT", {"x": "foo", "y": "bar"}, stateId="vars")
    assert state(lrs, "POST", {"x": "bash", "z": "faz"}, stateId="vars").status_code == 204
    assert state(lrs, "GET", stateId="vars").json() == {"x": "bash", "y": "bar", "z": "faz"}
    assert state(lrs, "POST", b"plain", content_type="text/plain", stateId="vars").status_code == 400
    assert state(lrs, "POST", [1, 2], stateId="vars").status_code == 400
    assert state(lrs, "GET", stateId="vars").json() == {"x": "bash", "y": "bar", "z": "faz"}


def test_document_parameters_are_checked(lrs):
    assert lrs.request("GET", "activities/state", params={"agent": AGENT}).status_code == 400
    assert lrs.request("GET", "activities/state", params={"activityId": ACTIVITY}).status_code == 400
    assert lrs.request("GET", "activities/state", params={"activityId": "no scheme", "agent": AGENT}).status_code == 400
    assert state(lrs, "PUT", {"a": 1}).status_code == 400  # no stateId
    assert state(lrs, "GET", registration="nope").status_code == 400
    assert state(lrs, "GET", stateId="x", since="2020-01-01T00:00:00Z").status_code == 400
    assert profile(lrs, "PUT", {"a": 1}).status_code == 400  # no profileId


def test_profile_etag_preconditions(lrs):
    assert profile(lrs, "PUT", {"v": 1}, profileId="p", headers={"If-None-Match": "*"}).status_code == 204
    assert profile(lrs, "PUT", {"v": 2}, profileId="p", headers={"If-None-Match": "*"}).status_code == 412
    assert profile(lrs, "PUT", {"v": 2}, profileId="p").status_code == 409  # exists, no precondition
    etag = profile(lrs, "GET", profileId="p")["ETag"]
    assert profile(lrs, "PUT", {"v": 2}, profileId="p", headers={"If-Match": '"stale"'}).status_code == 412
    assert profile(lrs, "PUT", {"v": 2}, profileId="p", headers={"If-Match": etag}).status_code == 204
    assert profile(lrs, "GET", profileId="p").json() == {"v": 2}
    assert profile(lrs, "DELETE", profileId="p", headers={"If-Match": etag}).status_code == 412
    assert profile(lrs, "DELETE", profileId="p").status_code == 204
    assert profile(lrs, "GET", profileId="p").status_code == 404


def test_agent_profiles_activities_and_agents_resources(lrs):
    r = lrs.request("PUT", "agents/profile", params={"agent": AGENT, "profileId": "prefs"},
                    raw=b'{"lang": "zh-CN"}', headers={"If-None-Match": "*"})
    assert r.status_code == 204
    assert lrs.request("GET", "agents/profile", params={"agent": AGENT}).json() == ["prefs"]
    person = lrs.request("GET", "agents", params={"agent": AGENT}).json()
    assert person == {"objectType": "Person", "mbox": ["mailto:pupil@example.com"]}
    assert lrs.request("GET", "agents", params={}).status_code == 400
    lrs.post({"actor": {"mbox": "mailto:a@example.com"}, "verb": {"id": "http://example.com/v"},
              "object": {"id": ACTIVITY, "definition": {"name": {"zh-CN": "课程一"}}}})
    activity = lrs.request("GET", "activities", params={"activityId": ACTIVITY}).json()
    assert activity == {"objectType": "Activity", "id": ACTIVITY, "definition": {"name": {"zh-CN": "课程一"}}}
    unknown = lrs.request("GET", "activities", params={"activityId": "http://example.com/unknown"}).json()
    assert unknown == {"objectType": "Activity", "id": "http://example.com/unknown"}


def test_people_keep_state_only_about_themselves(people):
    pupil = people["pupil_a"]
    me = XapiClient(signed_in(pupil, mfa=False))
    mine = json.dumps(agent_for(pupil))
    theirs = json.dumps(agent_for(people["pupil_b"]))
    ok = me.request("PUT", "activities/state", params={"activityId": ACTIVITY, "agent": mine, "stateId": "s"},
                    raw=b"{}")
    assert ok.status_code == 204
    denied = me.request("GET", "activities/state", params={"activityId": ACTIVITY, "agent": theirs, "stateId": "s"})
    assert denied.status_code == 403
