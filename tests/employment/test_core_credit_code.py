"""统一社会信用代码 validation (GB 32100-2015): real codes, typing mistakes, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.employment.conftest import VALID_CREDIT_CODES
from zhijiao.employment import credit_code

ALPHABET = credit_code.ALPHABET


@pytest.mark.parametrize("code", VALID_CREDIT_CODES + ("12100000400000624D",))
def test_published_codes_are_valid(code):
    assert credit_code.is_valid(code)


@pytest.mark.parametrize("code, reason", [
    ("914403001922038217", "check"),  # last character mistyped
    ("914403001922038261", "check"),  # two digits swapped
    ("91440300192203821", "length"),  # one character short
    ("9144030019220382166", "length"),
    ("91440300I92203821O", "characters"),  # I and O are not in the alphabet
    ("9144030071526726XS", "characters"),  # nor is S
    ("91A403001922038216", "division"),  # the division code is six digits
    ("", "length"),
])
def test_mistakes_are_caught(code, reason):
    assert credit_code.problem(code) == reason
    assert not credit_code.is_valid(code)


def test_people_may_type_lower_case_full_width_and_spaces():
    assert credit_code.is_valid("9144 0300 7152 6726xg")
    assert credit_code.is_valid("９１４４０３００１９２２０３８２１６")


bodies = st.tuples(
    st.text(ALPHABET, min_size=2, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(ALPHABET, min_size=9, max_size=9),
).map("".join)


@given(bodies)
def test_a_body_with_its_check_character_is_valid(body):
    assert credit_code.is_valid(body + credit_code.check_character(body))


@given(bodies, st.integers(0, 17), st.integers(1, 30))
def test_any_single_wrong_character_is_detected(body, position, shift):
    code = body + credit_code.check_character(body)
    if 2 <= position <= 7:
        # Keep the division digits digits, so only the check character can reveal the change.
        replacement = str((int(code[position]) + shift) % 10) if shift % 10 else None
    else:
        replacement = ALPHABET[(ALPHABET.index(code[position]) + shift) % 31]
    if replacement is None:
        return
    changed = code[:position] + replacement + code[position + 1:]
    assert not credit_code.is_valid(changed)


@given(st.text(max_size=30))
def test_never_raises_on_any_text(text):
    assert isinstance(credit_code.is_valid(text), bool)
