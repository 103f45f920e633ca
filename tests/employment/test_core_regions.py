"""GB/T 2260 division codes: names and "lies within"."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from zhijiao.employment import regions


@pytest.mark.parametrize("code, region, inside", [
    ("330106", "330000", True), ("330106", "33", True), ("330106", "3301", True), ("330106", "330100", True),
    ("330106", "330106", True), ("330106", "3302", False), ("330106", "110000", False),
    ("110101", "110000", True), ("330100", "330106", False), ("33010", "33", False), ("abc", "33", False),
])
def test_within(code, region, inside):
    assert regions.within(code, region) is inside


@pytest.mark.django_db
def test_names_come_from_the_reference_lists():
    assert regions.name("330000") == "浙江省"
    assert regions.full_name("330106") == "浙江省杭州市西湖区"
    assert regions.full_name("110101") == "北京市东城区"
    assert regions.level("3301") == "city"


def test_clean_refuses_other_shapes():
    with pytest.raises(ValidationError):
        regions.clean("33010")
    assert regions.clean("3301") == "330100"


@given(st.from_regex(r"\d{6}", fullmatch=True))
def test_every_code_lies_within_its_province_and_city(code):
    assert regions.within(code, regions.province_of(code))
    assert regions.within(code, regions.city_of(code))
