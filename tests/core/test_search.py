"""The search backend on its own: documents of any kind, Chinese words, pinyin, synonyms, filters, facets,
highlighting and suggestions. Runs on SQLite (FTS5) and PostgreSQL (tsvector) alike."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhijiao.core import search
from zhijiao.core.search import Document
from zhijiao.core.search_text import parse_query

pytestmark = pytest.mark.django_db

DOCS = [
    Document("resource", 1, "《分数的初步认识》第1课时 微课", body="通过分蛋糕的情境，认识几分之一。",
             keywords=["小学", "数学", "三年级"], facets={"subject": "math", "grade": "3", "type": "video"},
             popularity=50, rating=4.5, suggest=["分数的初步认识"]),
    Document("resource", 2, "勾股定理的证明 教学设计", body="用面积法证明勾股定理，体会数形结合。",
             keywords=["初中", "数学", "八年级"], facets={"subject": "math", "grade": "8", "type": "document"},
             popularity=10, suggest=["勾股定理"]),
    Document("resource", 3, "光合作用实验视频", body="探究光照强度对光合作用的影响。",
             keywords=["初中", "生物学", "七年级"], facets={"subject": "biology", "grade": "7", "type": "video"},
             popularity=30, suggest=["光合作用"]),
    Document("resource", 4, "数学 函数 复习课件", body="一次函数与二次函数的图象和性质。",
             keywords=["初中", "数学"], facets={"subject": "math", "grade": "9", "type": "courseware"}, popularity=5),
    Document("job", 1, "初中数学教师", body="招聘数学老师，负责勾股定理等章节教学。"),
]


@pytest.fixture
def indexed():
    search.index(DOCS)


def ids(result) -> list[str]:
    return [hit.object_id for hit in result.hits]


def test_a_chinese_word_inside_a_title_finds_the_document(indexed):
    assert ids(search.search("resource", "分数")) == ["1"]
    assert ids(search.search("resource", "勾股定理")) == ["2"]
    assert ids(search.search("resource", "光合")) == ["3"]  # a word inside 光合作用


def test_pinyin_and_pinyin_initials_find_chinese_words(indexed):
    assert ids(search.search("resource", "gougudingli")) == ["2"]
    assert ids(search.search("resource", "fenshu")) == ["1"]
    assert ids(search.search("resource", "sxhs")) == ["4"]  # 数学 函数: initials of neighbouring words
    assert "4" in ids(search.search("resource", "shuxue"))


def test_synonyms_find_the_other_term(indexed):
    assert ids(search.search("resource", "毕达哥拉斯定理")) == ["2"]
    assert ids(search.search("resource", "微视频")) == ["1"]  # 微课


def test_every_word_must_match_and_minus_excludes(indexed):
    assert ids(search.search("resource", "数学 证明")) == ["2"]
    assert set(ids(search.search("resource", "数学 -证明"))) == {"1", "4"}


def test_kinds_are_separate_indexes(indexed):
    assert ids(search.search("job", "勾股定理")) == ["1"]
    assert search.search("job", "光合作用").total == 0


def test_filters_narrow_and_facets_count_what_matches(indexed):
    result = search.search("resource", "数学", filters={"type": ["video", "courseware"]}, facets=["type", "grade"])
    assert set(ids(result)) == {"1", "4"}
    assert dict(result.facets["type"]) == {"video": 1, "courseware": 1}
    everything = search.search("resource", "", facets=["subject"])
    assert everything.total == 4 and dict(everything.facets["subject"]) == {"math": 3, "biology": 1}
    assert search.search("resource", "", filters={"subject": ["math"], "grade": ["8"]}).total == 1


def test_sorts(indexed):
    assert ids(search.search("resource", "数学", sort="popularity"))[0] == "1"
    assert ids(search.search("resource", "", sort="newest"))[0] == "4"
    assert ids(search.search("resource", "", sort="rating"))[0] == "1"


def test_matches_are_highlighted_and_everything_else_is_escaped():
    search.index([Document("resource", 9, "<script>alert(1)</script> 勾股定理 & 证明",
                           body="<img src=x onerror=alert(1)> 勾股定理的应用")])
    [hit] = search.search("resource", "勾股定理").hits
    assert str(hit.title_html) == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>勾股定理</mark> &amp; 证明"
    assert "<img" not in str(hit.snippet_html) and "<mark>勾股定理</mark>" in str(hit.snippet_html)


def test_pinyin_query_highlights_the_chinese_word(indexed):
    [hit] = search.search("resource", "gougudingli").hits
    assert "<mark>勾股定理</mark>" in str(hit.title_html)


def test_removed_documents_are_gone_and_reindexing_replaces(indexed):
    search.remove("resource", [2])
    assert search.search("resource", "勾股定理").total == 0
    search.index([Document("resource", 1, "小数的意义 微课", facets={"subject": "math"})])
    assert search.search("resource", "分数").total == 0
    assert ids(search.search("resource", "小数")) == ["1"]
    assert search.search("resource", "", filters={"grade": ["3"]}).total == 0  # old facet values are gone too


def test_suggestions_by_chinese_prefix_full_pinyin_and_initials(indexed):
    assert search.suggest("resource", "勾") == ["勾股定理"]
    assert search.suggest("resource", "goug") == ["勾股定理"]
    assert search.suggest("resource", "gg") == ["勾股定理"]
    assert search.suggest("resource", "fen") == ["分数的初步认识"]
    assert search.suggest("resource", "<>") == []
    search.remove("resource", [2])
    assert search.suggest("resource", "gg") == []


def test_nothing_matching_all_words_falls_back_to_some_and_offers_phrases(indexed):
    relaxed = search.search("resource", "勾股定理 火山")
    assert relaxed.relaxed and ids(relaxed) == ["2"]
    empty = search.search("resource", "分数的初步认识啊呀")
    assert empty.total == 0 or empty.relaxed
    nothing = search.search("resource", "goug火山")
    assert nothing.total == 0


def test_bulk_index_builds_from_scratch(indexed):
    docs = [Document("resource", n, f"第{n}课 勾股定理 练习", facets={"grade": "8"}, suggest=["勾股定理"])
            for n in range(100, 130)]
    assert search.index_bulk("resource", docs, batch_size=7) == 30
    result = search.search("resource", "勾股定理", facets=["grade"])
    assert result.total == 30 and dict(result.facets["grade"]) == {"8": 30}
    assert search.search("resource", "光合作用").total == 0  # the old documents of the kind are gone
    assert search.search("job", "勾股定理").total == 1  # other kinds are untouched
    assert search.suggest("resource", "gg") == ["勾股定理"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=60))
def test_any_typed_text_is_a_valid_query(indexed, text):
    result = search.search("resource", text, filters={"subject": [text[:5] or "x"]}, facets=["type"])
    assert result.total >= 0
    for hit in result.hits:
        assert "<script" not in str(hit.title_html)


@given(text=st.text(max_size=120))
def test_parsed_queries_hold_only_clean_tokens(text):
    parsed = parse_query(text)
    assert len(parsed.terms) <= 8
    for term in parsed.terms:
        for group in term.alternatives:
            assert group and all(token and token.isalnum() for token in group)
    assert all(token.isalnum() for token in parsed.excluded)


def test_query_parser_understands_quotes_and_exclusions():
    parsed = parse_query('"勾股定理 证明" -微课 shuxue')
    assert [t.text for t in parsed.terms] == ["勾股定理", "证明", "shuxue"]
    assert parsed.excluded == ["微课"]
