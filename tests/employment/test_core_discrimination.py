"""Discriminatory requirements in postings are found; neutral phrasings are left alone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhijiao.employment import discrimination

HELD = [
    ("限男性，本科及以上学历", "gender"),
    ("仅招女生，形象好", "gender"),
    ("男性优先", "gender"),
    ("限 男 性", "gender"),
    ("须为男性", "gender"),
    ("已婚已育优先", "marital"),
    ("近两年无生育计划", "marital"),
    ("要求本地户口", "origin"),
    ("仅限本市户籍", "origin"),
    ("要求汉族", "ethnicity"),
    ("乙肝携带者勿扰", "health"),
    ("年龄35岁以下", "age"),
    ("年龄25-35岁", "age"),
    ("14岁以上即可", "age"),
    ("身体健全，无残疾", "disability"),
]
CLEAN = [
    "男女不限，学历本科",
    "不限男女",
    "性别不限，民族不限",
    "户籍不限",
    "不限户籍，协助办理落户",
    "婚育不限",
    "年龄不限",
    "五险一金（含生育保险），带薪产假",
    "年满16周岁",
    "负责女装品类的运营",
    "熟悉男性护肤品市场",
    "男女均可",
    "本科及以上学历，计算机相关专业，熟悉 Python",
    "工作地点：杭州市西湖区",
]


@pytest.mark.parametrize("text, category", HELD)
def test_discriminatory_phrasings_are_found(text, category):
    assert category in {f.category for f in discrimination.scan(text)}


@pytest.mark.parametrize("text", CLEAN)
def test_neutral_phrasings_are_not(text):
    assert discrimination.scan(text) == []


def test_a_finding_shows_the_words_and_their_context():
    [finding] = discrimination.scan("岗位职责：开发。任职要求：限男性，能出差。")
    assert finding.text == "限男性"
    assert "【限男性】" in finding.context
    assert finding.as_flag()["kind"] == "discrimination"


@given(st.text(max_size=200))
def test_any_text_scans_without_error_and_findings_quote_it(text):
    for finding in discrimination.scan(text):
        assert finding.category in discrimination.CATEGORIES
        assert finding.text in text
