"""A published resource is findable seconds after approval and gone after takedown (through the real
review flow and the index callbacks the services register)."""

from __future__ import annotations

import pytest

from zhijiao.core import search as core_search
from zhijiao.resources import search, services


def found(query: str, **filters) -> list[int]:
    return [int(h.object_id) for h in core_search.search(search.KIND, query, filters=filters).hits]


@pytest.fixture
def published(centre, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        resource = centre.new_video(title="认识钟表 微课", submit=True)
        centre.approve_all_levels(resource)
    return resource


def test_approved_resource_is_found_by_a_word_inside_its_title(published):
    assert found("钟表") == [published.pk]
    assert found("认识钟表") == [published.pk]


def test_approved_resource_is_found_by_pinyin_and_initials(published):
    assert found("zhongbiao") == [published.pk]
    assert found("rszb") == [published.pk]  # 认识 钟表


def test_facets_of_the_resource_are_filters(published):
    assert found("", subject=["math"], stage=["primary"], type=["video"]) == [published.pk]
    assert found("", subject=["chinese"]) == []


def test_taken_down_resource_is_not_found(published, centre, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.take_down(centre.handler, published, reason="核实中")
    assert found("钟表") == []
    assert not search.is_indexed(published.pk)


def test_a_draft_is_never_indexed(centre, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = centre.new_video(title="认识钟表 微课", submit=True)
    assert found("钟表") == []
    assert search.index_resource(draft.pk) is False


def test_reindex_all_rebuilds_from_published_resources(published):
    core_search.clear(search.KIND)
    assert found("钟表") == []
    assert search.reindex_all() == 1
    assert found("钟表") == [published.pk]
    assert "认识钟表" in core_search.suggest(search.KIND, "renshi")
