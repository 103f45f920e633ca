"""The Statement resource over HTTP, as the xAPI conformance suite exercises it (Communication §1–§3)."""

import json
import uuid
from urllib.parse import urlencode

import pytest
from django.test import Client

from tests.conftest import signed_in
from tests.records.conftest import XapiClient, statement
from zhijiao.records.agents import agent_for
from zhijiao.records.models import Statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
pytestmark = pytest.mark.django_db


def ids(response):
    return [s["id"] for s in response.json()["statements"]]


def test_post_then_get_by_id_returns_it_with_lrs_properties(lrs):
    s = statement()
    r = lrs.post(s)
    assert r.status_code == 200 and r.json() == [s["id"]]
    got = lrs.get({"statementId": s["id"]})
    assert got.status_code == 200
    body = got.json()
    assert body["id"] == s["id"] and body["version"] == "1.0.0"
    assert body["stored"].endswith("Z") and len(body["stored"]) == 24  # milliseconds, UTC
    assert body["timestamp"] == body["stored"]
    assert body["authority"]["account"]["name"].startswith("lrs:")
    assert got["X-Experience-API-Version"] == "1.0.3"
    assert got["X-Experience-API-Consistent-Through"] >= body["stored"]
    assert got["Last-Modified"]


def test_put_stores_with_204_and_needs_a_matching_statement_id(lrs):
    s = statement()
    assert lrs.put(s, s["id"]).status_code == 204
    assert lrs.request("PUT", "statements", statement()).status_code == 400
    assert lrs.put(statement(), str(uuid.uuid4())).status_code == 400  # body id differs
    assert lrs.put(statement(), "true").status_code == 400
    assert lrs.put([statement()], str(uuid.uuid4())).status_code == 400


def test_same_id_same_content_is_acknowledged_but_different_content_is_a_conflict(lrs):
    s = statement()
    assert lrs.post(s).status_code == 200
    assert lrs.put(s, s["id"]).status_code == 204
    assert lrs.post([s]).json() == [s["id"]]
    changed = dict(s, verb={"id": "http://adlnet.gov/expapi/verbs/passed"})
    assert lrs.post(changed).status_code == 409
    assert lrs.get({"statementId": s["id"]}).json()["verb"]["id"] == s["verb"]["id"]
    assert Statement.objects.filter(statement_id=s["id"]).count() == 1


def test_definition_and_display_differences_do_not_conflict(lrs):
    s = statement()
    lrs.post(s)
    again = json.loads(json.dumps(s))
    again["verb"]["display"] = {"zh-CN": "尝试"}
    again["object"]["definition"] = {"name": {"en-US": "Renamed"}}
    assert lrs.post(again).status_code == 200


def test_a_batch_with_one_bad_statement_stores_nothing(lrs):
    good, bad = statement(), statement(verb={"id": "should fail"})
    r = lrs.post([good, bad])
    assert r.status_code == 400
    assert r.json()["error"] and "verb" in r.json()["detail"]
    assert lrs.get({"statementId": good["id"]}).status_code == 404


def test_ids_are_generated_when_missing_and_returned_in_order(lrs):
    a, b = statement(), statement()
    del a["id"]
    r = lrs.post([a, b])
    returned = r.json()
    assert len(returned) == 2 and returned[1] == b["id"]
    assert lrs.get({"statementId": returned[0]}).status_code == 200


@pytest.mark.parametrize("raw", ["{not json", "[1, 2", '{"actor": NaN}', "\"text\"", "[]"])
def test_malformed_bodies_are_400(lrs, raw):
    r = lrs.request("POST", "statements", raw=raw)
    assert r.status_code == 400
    assert "error" in r.json()


def test_version_header_is_required_and_checked(lrs):
    no_version = XapiClient(lrs.client, lrs.authorization, version=None)
    r = no_version.get()
    assert r.status_code == 400 and r["X-Experience-API-Consistent-Through"]
    for bad in ("0.9.5", "1.1.0", "2.0.0", "x"):
        assert XapiClient(lrs.client, lrs.authorization, version=bad).get().status_code == 400
    for good in ("1.0", "1.0.0", "1.0.1", "1.0.2", "1.0.3"):
        assert XapiClient(lrs.client, lrs.authorization, version=good).get().status_code == 200
    # About needs neither credentials nor the header.
    about = Client().get("/xapi/about")
    assert about.status_code == 200 and "1.0.3" in about.json()["version"]


def test_requests_without_valid_credentials_are_401(lrs):
    assert XapiClient(Client(), None).get().status_code == 401
    assert XapiClient(Client(), "Basic bm90OnZhbGlk").get().status_code == 401
    assert XapiClient(Client(), "Bearer nonsense").get().status_code == 401


def test_get_with_both_ids_or_extra_parameters_is_400(lrs):
    s = statement()
    lrs.post(s)
    assert lrs.get({"statementId": s["id"], "voidedStatementId": s["id"]}).status_code == 400
    for extra in ({"verb": s["verb"]["id"]}, {"limit": 1}, {"ascending": "true"}, {"since": "2012-06-01T19:09:13.245Z"}):
        assert lrs.get({"statementId": s["id"], **extra}).status_code == 400
    assert lrs.get({"statementId": s["id"], "format": "ids", "attachments": "false"}).status_code == 200
    assert lrs.get({"unknown": "1"}).status_code == 400
    assert lrs.get({"statementId": "not-a-uuid"}).status_code == 400
    assert lrs.get({"agent": "{not json"}).status_code == 400
    assert lrs.get({"agent": json.dumps({"name": "no ifi"})}).status_code == 400
    assert lrs.get({"since": "yesterday"}).status_code == 400
    assert lrs.get({"limit": "-1"}).status_code == 400
    assert lrs.get({"format": "full"}).status_code == 400
    assert lrs.get({"ascending": "yes"}).status_code == 400


def test_voiding_hides_the_statement_except_by_voided_statement_id(lrs):
    target = statement()
    lrs.post(target)
    voiding = statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target["id"]})
    assert lrs.post(voiding).status_code == 200
    assert lrs.get({"statementId": target["id"]}).status_code == 404
    assert lrs.get({"voidedStatementId": target["id"]}).json()["id"] == target["id"]
    assert lrs.get({"voidedStatementId": voiding["id"]}).status_code == 404
    assert target["id"] not in ids(lrs.get())
    # The voiding statement itself cannot be voided.
    again = statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": voiding["id"]})
    assert lrs.post(again).status_code == 400
    assert lrs.get({"statementId": voiding["id"]}).status_code == 200


def test_a_statement_voided_before_it_arrives_is_stored_voided(lrs):
    later = str(uuid.uuid4())
    lrs.post(statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": later}))
    lrs.post(statement(id=later))
    assert lrs.get({"statementId": later}).status_code == 404
    assert lrs.get({"voidedStatementId": later}).status_code == 200


def test_statements_targeting_a_voided_statement_match_its_filters(lrs):
    """The conformance suite's XAPI-00162: filter by the voided statement's verb finds the voiding statement and a
    StatementRef to it, newest first, but not the voided statement."""
    verb = "http://adlnet.gov/expapi/test/voided/target/" + str(uuid.uuid4())
    voided = statement(verb={"id": verb})
    lrs.post(voided)
    voiding = statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": voided["id"]})
    lrs.post(voiding)
    ref = statement(verb={"id": verb}, object={"objectType": "StatementRef", "id": voided["id"]})
    lrs.post(ref)
    assert ids(lrs.get({"verb": verb})) == [ref["id"], voiding["id"]]
    assert ids(lrs.get({"verb": verb, "limit": 1})) == [ref["id"]]
    assert voiding["id"] in ids(lrs.get({"verb": VOIDED}))


def test_statement_refs_inherit_agent_and_activity_filters_recursively(lrs):
    ben = {"mbox": "mailto:ben@example.com"}
    training = "http://example.com/explosives-training"
    original = statement(actor=ben, object={"id": training})
    confirm = statement(actor={"mbox": "mailto:andrew@example.com"}, verb={"id": "http://example.com/confirmed"},
                        object={"objectType": "StatementRef", "id": original["id"]})
    endorse = statement(actor={"mbox": "mailto:carol@example.com"}, verb={"id": "http://example.com/endorsed"},
                        object={"objectType": "StatementRef", "id": confirm["id"]})
    # Out of order: the chain is linked whichever arrives first.
    lrs.post(endorse)
    lrs.post(confirm)
    lrs.post(original)
    expected = {original["id"], confirm["id"], endorse["id"]}
    assert set(ids(lrs.get({"agent": json.dumps(ben)}))) == expected
    assert set(ids(lrs.get({"activity": training}))) == expected
    assert set(ids(lrs.get({"agent": json.dumps(ben), "verb": "http://example.com/endorsed"}))) == {endorse["id"]}


def test_agent_activity_registration_and_related_filters(lrs):
    registration = str(uuid.uuid4())
    pri = {"objectType": "Agent", "mbox": "mailto:pri@example.com"}
    team_member = {"mbox": "mailto:member@example.com"}
    s = statement(context={
        "registration": registration, "instructor": pri,
        "team": {"objectType": "Group", "member": [team_member]},
        "contextActivities": {"category": {"id": "http://example.com/category"}},
    })
    grouped = statement(actor={"objectType": "Group", "member": [{"mbox": "mailto:pupil@example.com"}]})
    other = statement(actor={"mbox": "mailto:someone@example.com"})
    lrs.post([s, grouped, other])
    pupil = json.dumps({"mbox": "mailto:pupil@example.com"})
    assert set(ids(lrs.get({"agent": pupil}))) == {s["id"], grouped["id"]}  # group members match
    assert ids(lrs.get({"agent": json.dumps(pri)})) == []
    assert ids(lrs.get({"agent": json.dumps(pri), "related_agents": "true"})) == [s["id"]]
    assert ids(lrs.get({"agent": json.dumps(team_member), "related_agents": "true"})) == [s["id"]]
    assert ids(lrs.get({"activity": "http://example.com/category"})) == []
    assert ids(lrs.get({"activity": "http://example.com/category", "related_activities": "true"})) == [s["id"]]
    assert ids(lrs.get({"registration": registration})) == [s["id"]]
    assert ids(lrs.get({"registration": registration.upper()})) == [s["id"]]


def test_related_agents_finds_statements_by_their_authority(lrs, issue):
    credential, _authorization = issue(name="Another platform")
    s = statement()
    lrs.post(s)
    me = lrs.get({"statementId": s["id"]}).json()["authority"]
    assert ids(lrs.get({"agent": json.dumps(me), "related_agents": "true"})) == [s["id"]]
    assert ids(lrs.get({"agent": json.dumps(me)})) == []


def test_since_until_ascending_limit_and_more_pages(lrs):
    posted = []
    for _ in range(5):
        s = statement()
        lrs.post(s)
        posted.append(s["id"])
    first = lrs.get({"limit": 2})
    assert ids(first) == posted[::-1][:2]
    more = first.json()["more"]
    assert more.startswith("/xapi/statements?")
    second = lrs.client.get(more, headers=lrs.headers())
    assert ids(second) == posted[::-1][2:4]
    third = lrs.client.get(second.json()["more"], headers=lrs.headers())
    assert ids(third) == posted[::-1][4:] and third.json()["more"] == ""
    ascending = lrs.get({"ascending": "true"})
    assert ids(ascending) == posted
    stored = [lrs.get({"statementId": i}).json()["stored"] for i in posted]
    assert set(ids(lrs.get({"since": stored[1]}))) <= set(posted[2:]) | {posted[1]}
    assert ids(lrs.get({"until": "2012-06-01T19:09:13.245Z"})) == []
    assert ids(lrs.get({"verb": "http://adlnet.gov/expapi/non/existent"})) == []


def test_formats_ids_and_canonical(lrs):
    s = statement(object={"id": "http://example.com/activities/lang", "definition": {
        "name": {"en-US": "Colour", "en-GB": "Colour (GB)"}, "description": {"en-US": "d", "en-GB": "d GB"}}},
        verb={"id": "http://example.com/verbs/chose", "display": {"en-US": "chose", "en-GB": "chose (GB)"}})
    lrs.post(s)
    exact = lrs.get({"statementId": s["id"]}).json()
    assert exact["object"]["definition"]["name"] == s["object"]["definition"]["name"]
    ids_only = lrs.get({"statementId": s["id"], "format": "ids"}).json()
    assert ids_only["verb"] == {"id": s["verb"]["id"]} and "definition" not in ids_only["object"]
    assert "name" not in ids_only["actor"]
    canonical = lrs.get({"statementId": s["id"], "format": "canonical"},
                        headers={"Accept-Language": "en-GB"}).json()
    assert canonical["verb"]["display"] == {"en-GB": "chose (GB)"}
    assert canonical["object"]["definition"]["name"] == {"en-GB": "Colour (GB)"}


def test_attachments_true_answers_multipart_and_multipart_uploads_are_refused(lrs):
    s = statement()
    lrs.post(s)
    r = lrs.get({"statementId": s["id"], "attachments": "true"})
    assert r.status_code == 200 and r["Content-Type"].startswith("multipart/mixed; boundary=")
    assert s["id"] in r.content.decode()
    plain = lrs.get({"statementId": s["id"], "attachments": "false"})
    assert plain["Content-Type"] == "application/json"
    upload = lrs.request("POST", "statements", raw=b"--x\r\n\r\n{}\r\n--x--",
                         content_type="multipart/mixed; boundary=x")
    assert upload.status_code == 400 and "multipart" in upload.json()["error"]


def test_head_answers_like_get_without_a_body(lrs):
    s = statement()
    lrs.post(s)
    r = lrs.request("HEAD", "statements", params={"statementId": s["id"]})
    assert r.status_code == 200 and r.content == b""
    assert r["X-Experience-API-Consistent-Through"]


def test_alternate_request_syntax(lrs):
    s = statement()
    form = {"content": json.dumps(s), "Authorization": lrs.authorization, "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json", "statementId": s["id"]}
    r = Client().post("/xapi/statements?method=PUT", urlencode(form),
                      content_type="application/x-www-form-urlencoded")
    assert r.status_code == 204
    listing = Client().post("/xapi/statements?method=GET",
                            urlencode({"Authorization": lrs.authorization, "X-Experience-API-Version": "1.0.3",
                                       "limit": 1}), content_type="application/x-www-form-urlencoded")
    assert listing.status_code == 200 and "more" in listing.json()
    extra = Client().post("/xapi/statements?method=GET&limit=1", urlencode(form),
                          content_type="application/x-www-form-urlencoded")
    assert extra.status_code == 400


def test_session_users_write_only_about_themselves_with_the_csrf_token(people):
    pupil = people["pupil_a"]
    browser = signed_in(pupil, mfa=False)
    browser.handler.enforce_csrf_checks = True
    browser.get("/")  # receive the CSRF cookie
    token = browser.cookies["csrftoken"].value
    me = XapiClient(browser)
    mine = statement(actor=agent_for(pupil))
    assert me.post(mine).status_code == 403  # no CSRF header
    r = me.post(mine, headers={"X-CSRFToken": token, "User-Agent": "Mozilla/5.0 test"},
                )
    assert r.status_code == 200
    row = Statement.objects.get(statement_id=mine["id"])
    assert row.user_id == pupil.pk and row.client_address == "127.0.0.1" and row.user_agent == "Mozilla/5.0 test"
    assert "client_address" not in json.dumps(row.data) and row.data["authority"] == agent_for(pupil)
    someone_else = statement(actor=agent_for(people["pupil_b"]))
    assert me.post(someone_else, headers={"X-CSRFToken": token}).status_code == 403
    # They read their own statements and nobody else's.
    assert ids(me.get()) == [mine["id"]]


def test_credential_statements_keep_no_client_address(lrs):
    s = statement()
    lrs.post(s, headers={"User-Agent": "platform/1.0"})
    row = Statement.objects.get(statement_id=s["id"])
    assert row.client_address is None and row.user_agent == "" and row.credential_id is not None


def test_actor_accounts_on_our_home_page_resolve_to_users(lrs, people):
    pupil = people["pupil_a"]
    s = statement(actor=agent_for(pupil))
    stranger = statement(actor={"account": {"homePage": "http://127.0.0.1:8000", "name": "999999999"}})
    lrs.post([s, stranger])
    assert Statement.objects.get(statement_id=s["id"]).user_id == pupil.pk
    assert Statement.objects.get(statement_id=stranger["id"]).user_id is None
