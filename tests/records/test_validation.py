"""Statement validation rules of xAPI 1.0.3 (Data §2.2 and each property), without HTTP."""

import copy
import uuid
from datetime import timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.records.conftest import statement
from zhijiao.records.validation import (
    StatementInvalid,
    is_iri,
    is_language_tag,
    parse_timestamp,
    validate_batch,
    validate_statement,
)


def invalid(**changes):
    body = statement()
    for path, value in changes.items():
        target = body
        keys = path.split("__")
        for key in keys[:-1]:
            target = target[key]
        if value is ...:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value
    with pytest.raises(StatementInvalid):
        validate_statement(body)


def test_the_template_statement_is_valid():
    validate_statement(statement())


@pytest.mark.parametrize("missing", ["actor", "verb", "object"])
def test_actor_verb_and_object_are_required(missing):
    invalid(**{missing: ...})


@pytest.mark.parametrize("changes", [
    {"id": 12345}, {"id": {"key": "x"}}, {"id": "AA97B177-9383-4934-8543-0F91A7A028368"},
    {"id": "MA97B177-9383-4934-8543-0F91A7A02836"}, {"id": ""},
])
def test_ids_must_be_uuids(changes):
    invalid(**changes)


@pytest.mark.parametrize("changes", [
    {"verb__id": "should fail"}, {"verb__id": ""}, {"object__id": "no scheme"},
    {"object__definition__type": "ab c"}, {"verb__display": {"a12345": "attended"}},
    {"verb__display": {"de-419-DE": "x"}}, {"verb__display": {"en-US": None}},
])
def test_iris_and_language_maps_are_checked(changes):
    invalid(**changes)


@pytest.mark.parametrize("actor", [
    {"mbox": "pupil@example.com"},
    {"mbox": "mailto:a@example.com", "openid": "http://openid.example.com/a"},
    {"objectType": "agent", "mbox": "mailto:a@example.com"},
    {"objectType": "Agent"},
    {"account": {"homePage": "http://example.com"}},
    {"account": {"homePage": "not an iri", "name": "x"}},
    {"account": {"name": {"key": "x"}, "homePage": "http://example.com"}},
    {"mbox_sha1sum": "xyz"},
    {"objectType": "Group"},
    {"objectType": "Group", "member": [{"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]}]},
    {"mbox": "mailto:a@example.com", "name": None},
    {"mbox": "mailto:a@example.com", "age": 12},
])
def test_agent_and_group_rules(actor):
    invalid(actor=actor)


def test_an_identified_group_and_an_anonymous_group_with_members_are_valid():
    validate_statement(statement(actor={"objectType": "Group", "mbox": "mailto:team@example.com"}))
    validate_statement(statement(actor={"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]}))


@pytest.mark.parametrize("result", [
    {"score": {"max": "one hundred"}}, {"score": {"max": "100"}}, {"success": "false"},
    {"completion": "We regret"}, {"score": {"scaled": 1.5}}, {"score": {"min": 10, "max": 5}},
    {"score": {"raw": 11, "max": 10}}, {"duration": "1 minute"}, {"score": {"raw": True}},
    {"extensions": {"not an iri": 1}},
])
def test_result_types_are_strict(result):
    invalid(result=result)


def test_nulls_are_allowed_only_inside_extensions():
    validate_statement(statement(result={"extensions": {"http://example.com/null": None}}))
    invalid(context={"registration": None})


@pytest.mark.parametrize("timestamp", [
    "should fail", "01/011/2015", "2008-09-15T15:53:00.601-00", "2008-09-15T15:53:00.601-0000",
    "2008-09-15T15:53:00.601-00:00", "2013-02-30T10:00:00Z",
])
def test_bad_timestamps_are_refused(timestamp):
    invalid(timestamp=timestamp)


def test_context_rules():
    invalid(context={"revision": "1"}, object={"objectType": "Agent", "mbox": "mailto:b@example.com"})
    invalid(context={"team": {"mbox": "mailto:t@example.com"}})
    invalid(context={"contextActivities": {"sibling": [{"id": "http://example.com/a"}]}})
    invalid(context={"language": "not a tag!"})
    invalid(context={"statement": {"id": str(uuid.uuid4())}})


def test_a_single_context_activity_is_normalised_to_a_list():
    body = statement(context={"contextActivities": {"category": {"id": "http://example.com/c"}}})
    validate_statement(body)
    assert body["context"]["contextActivities"]["category"] == [{"id": "http://example.com/c"}]


def test_voiding_statements_must_point_at_a_statement():
    invalid(verb={"id": "http://adlnet.gov/expapi/verbs/voided"})
    validate_statement(statement(verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
                                 object={"objectType": "StatementRef", "id": str(uuid.uuid4())}))


def test_substatements_cannot_nest_or_carry_ids():
    inner = statement()
    del inner["id"]
    sub = {"objectType": "SubStatement", **inner}
    validate_statement(statement(object=sub))
    invalid(object={**sub, "id": str(uuid.uuid4())})
    invalid(object={**sub, "object": copy.deepcopy(sub)})


def test_interaction_components_need_an_interaction_type_and_distinct_ids():
    definition = {"choices": [{"id": "a"}, {"id": "b"}]}
    invalid(object={"id": "http://example.com/q", "definition": definition})
    invalid(object={"id": "http://example.com/q", "definition": {
        "interactionType": "choice", "choices": [{"id": "a"}, {"id": "a"}]}})
    invalid(object={"id": "http://example.com/q", "definition": {"interactionType": "Choice"}})
    validate_statement(statement(object={"id": "http://example.com/q", "definition": {
        "interactionType": "choice", "correctResponsesPattern": ["a"], "choices": [{"id": "a"}, {"id": "b"}]}}))


def test_attachments_without_a_file_url_are_refused_until_multipart_is_supported():
    attachment = {"usageType": "http://example.com/usage", "display": {"en-US": "x"}, "contentType": "text/plain",
                  "length": 27, "sha2": "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a"}
    invalid(attachments=[attachment])
    validate_statement(statement(attachments=[{**attachment, "fileUrl": "http://example.com/file.txt"}]))


def test_a_batch_is_rejected_whole_and_ids_must_not_repeat():
    good, bad = statement(), statement(verb={"id": "should fail"})
    with pytest.raises(StatementInvalid):
        validate_batch([good, bad])
    with pytest.raises(StatementInvalid):
        validate_batch([good, dict(good)])
    with pytest.raises(StatementInvalid):
        validate_batch([])


def test_version_must_be_1_0_x():
    invalid(version="2.0.0")
    validate_statement(statement(version="1.0.3"))


@given(st.datetimes(), st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_every_iso_instant_parses_back_to_itself(moment, offset_minutes):
    moment = moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    text = moment.isoformat()
    if text.endswith("-00:00"):
        return
    assert parse_timestamp(text) == moment


@given(st.text(max_size=30))
def test_the_timestamp_parser_never_raises(text):
    result = parse_timestamp(text)
    assert result is None or result.tzinfo is not None


@given(st.text(max_size=40))
def test_iri_and_language_checks_never_raise(text):
    assert is_iri(text) in (True, False)
    assert is_language_tag(text) in (True, False)


@pytest.mark.parametrize("tag,ok", [("en-US", True), ("zh-Hans-CN", True), ("de-DE-1996", True), ("x-private", True),
                                     ("de-419-DE", False), ("a12345", False), ("", False), ("en_US", False)])
def test_language_tags(tag, ok):
    assert is_language_tag(tag) is ok
