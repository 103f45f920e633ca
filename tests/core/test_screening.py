"""The sensitive-word automaton: evasive spellings are caught, positions point into the original text, and
the dictionary an administrator edits is what every scan uses."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from zhijiao.core import screening, screening_services
from zhijiao.core.models import AuditEntry, SensitiveWord
from zhijiao.core.screening import Automaton, normalise


def test_plain_word_is_found_with_its_position_and_context():
    automaton = Automaton([("网络赌博", "advertising")])
    text = "本课件介绍了如何识别网络赌博的危害，请同学们注意。"
    [hit] = automaton.scan(text)
    assert (hit.word, hit.category) == ("网络赌博", "advertising")
    assert text[hit.start:hit.end] == "网络赌博"
    assert "【网络赌博】" in hit.context


@pytest.mark.parametrize("evasion", [
    "网 络 赌 博",  # spaces between the characters
    "网.络.赌.博",  # punctuation
    "网★络☆赌♥博",  # symbols and emoji-like characters
    "网\u200b络\u200b赌\u200b博",  # zero-width spaces
    "网络，赌博",  # a full-width comma
])
def test_interleaved_spaces_punctuation_and_symbols_do_not_hide_a_word(evasion):
    automaton = Automaton([("网络赌博", "advertising")])
    text = f"快来{evasion}吧"
    [hit] = automaton.scan(text)
    assert hit.matched == evasion
    assert text[hit.start:hit.end] == evasion


def test_full_width_letters_and_case_are_folded():
    automaton = Automaton([("VPN代理", "other")])
    for text in ("免费ＶＰＮ代理", "免费vpn代理", "免费 V-P-N 代理"):
        assert [h.word for h in automaton.scan(text)] == ["VPN代理"], text


def test_overlapping_words_are_all_reported():
    automaton = Automaton([("he", "other"), ("she", "other"), ("hers", "other"), ("his", "other")])
    found = sorted((h.word, h.start) for h in automaton.scan("ushers"))
    assert found == [("he", 2), ("hers", 2), ("she", 1)]


def test_text_without_words_gives_no_hits():
    assert Automaton([("赌博", "advertising")]).scan("勾股定理的证明") == []
    assert Automaton([]).scan("任何文本") == []


def _naive(words: list[str], text: str) -> set[tuple[int, int, str]]:
    normalised = normalise(text)
    found = set()
    for word in words:
        key = normalise(word)
        if not key:
            continue
        start = normalised.find(key)
        while start != -1:
            found.add((start, start + len(key), key))
            start = normalised.find(key, start + 1)
    return found


ALPHABET = st.sampled_from(list("ab赌博网络 ,.Ａ★"))


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.text(ALPHABET, min_size=1, max_size=4), min_size=1, max_size=6),
       text=st.text(ALPHABET, max_size=40))
def test_automaton_finds_exactly_what_naive_substring_search_finds(words, text):
    automaton = Automaton([(w, "other") for w in words])
    normalised = normalise(text)
    found = {(s, e, normalised[s:e]) for s, e, _ in automaton.find(normalised)}
    assert found == _naive(words, text)


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.text(ALPHABET, min_size=1, max_size=4), min_size=1, max_size=5),
       text=st.text(ALPHABET, max_size=40))
def test_every_hit_maps_back_to_original_text_that_normalises_to_the_word(words, text):
    automaton = Automaton([(w, "other") for w in words])
    for hit in automaton.scan(text):
        assert normalise(text[hit.start:hit.end]) == normalise(hit.word)


# --- The dictionary -----------------------------------------------------------------------------------


@pytest.fixture
def secadmin(people):
    return people["secadmin"]


def test_security_admin_adds_a_word_and_scan_uses_it_at_once(secadmin):
    assert screening.scan("澳门博彩官方网站") == []
    screening_services.add_word(secadmin, word="博彩", category="advertising")
    [hit] = screening.scan("澳门博 彩官方网站")
    assert hit.word == "博彩"
    assert AuditEntry.objects.filter(action="screening.word_add", actor=secadmin).exists()


def test_a_disabled_word_is_no_longer_found_and_removal_is_audited(secadmin):
    entry = screening_services.add_word(secadmin, word="刷单返利", category="advertising")
    assert screening.scan("兼职刷单返利")
    screening_services.update_word(secadmin, entry, word=entry.word, category=entry.category, enabled=False)
    assert screening.scan("兼职刷单返利") == []
    screening_services.delete_word(secadmin, entry)
    assert not SensitiveWord.objects.exists()
    assert AuditEntry.objects.filter(action="screening.word_delete").exists()


def test_another_process_rebuilds_after_the_dictionary_changes(secadmin):
    screening_services.add_word(secadmin, word="代考", category="other")
    assert screening.scan("提供代考服务")
    # Another worker changed the table; this process's automaton was built before.
    SensitiveWord.objects.create(word="替考", normalised="替考", category="other")
    assert [h.word for h in screening.scan("替考")] == ["替考"]


def test_duplicates_in_another_spelling_and_empty_words_are_refused(secadmin):
    screening_services.add_word(secadmin, word="VPN", category="other")
    with pytest.raises(ValidationError) as exc:
        screening_services.add_word(secadmin, word="ｖ ｐ ｎ", category="other")
    assert "VPN" in exc.value.message_dict["word"][0]  # names the word already there
    with pytest.raises(ValidationError):
        screening_services.add_word(secadmin, word=" ，。 ", category="other")
    with pytest.raises(ValidationError):
        screening_services.add_word(secadmin, word="好词", category="no-such-category")


@pytest.mark.parametrize("who", ["sysadmin", "teacher_a", "auditor"])
def test_only_the_security_admin_may_edit_the_dictionary(people, who):
    with pytest.raises(PermissionDenied):
        screening_services.add_word(people[who], word="赌博", category="advertising")
    assert not SensitiveWord.objects.exists()


def test_bulk_import_reports_bad_lines_and_skips_known_words(secadmin):
    screening_services.add_word(secadmin, word="赌博", category="advertising")
    text = "# 广告词\n赌 博\n裸聊,pornographic\n\n高利贷\t other\n" + "长" * 101 + "\n！！\n"
    result = screening_services.import_words(secadmin, text, default_category="advertising")
    assert result.added == 2 and result.already_present == 1
    assert [n for n, _ in result.errors] == [6, 7]
    assert dict(SensitiveWord.objects.values_list("word", "category")) == {
        "赌博": "advertising", "裸聊": "pornographic", "高利贷": "other"}
