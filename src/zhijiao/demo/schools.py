"""Demo schools: believable names, synthetic identification codes, grades and classes.

Demo schools are compulsory-education schools (义务教育: 小学, 初中, 九年一贯制学校). Their ten-digit
identification codes are synthetic: ``9`` + the county's six-digit division code + a three-digit number
within the county (9330106001 is the first demo school of 西湖区). They are well-formed and unique, and
they are not real schools' codes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

DEMO_CODE_LEADING_DIGIT = "9"
MAX_SCHOOLS_PER_COUNTY = 999

GRADE_NAMES = {1: "一年级", 2: "二年级", 3: "三年级", 4: "四年级", 5: "五年级", 6: "六年级",
               7: "七年级", 8: "八年级", 9: "九年级"}

# The middle of a school's name, as Chinese schools are commonly called.
NAME_WORDS = (
    "实验", "第一", "第二", "第三", "第四", "第五", "城关", "育才", "文澜", "求是", "新华", "人民路", "东方",
    "明德", "启明", "阳光", "振华", "育英", "崇文", "博雅", "行知", "树人", "光明", "红星", "春晖", "新城",
    "城南", "城北", "城东", "城西", "江南", "青云", "南山", "东湖", "朝晖", "紫金", "金桥", "翠苑", "和平",
    "胜利", "建设", "育新", "希望", "中心", "外国语", "师范附属", "新世纪", "云谷", "桃源", "星辰",
)


@dataclass(frozen=True)
class SchoolType:
    suffix: str
    grades: tuple[int, ...]
    weight: int


PRIMARY = SchoolType("小学", (1, 2, 3, 4, 5, 6), 6)
JUNIOR = SchoolType("中学", (7, 8, 9), 3)
NINE_YEAR = SchoolType("学校", (1, 2, 3, 4, 5, 6, 7, 8, 9), 1)
SCHOOL_TYPES = (PRIMARY, JUNIOR, NINE_YEAR)


def school_code(county_code: str, number: int) -> str:
    if not 1 <= number <= MAX_SCHOOLS_PER_COUNTY:
        raise ValueError(f"a county holds at most {MAX_SCHOOLS_PER_COUNTY} demo schools")
    return f"{DEMO_CODE_LEADING_DIGIT}{county_code}{number:03d}"


def class_name(grade: int, number: int) -> str:
    return f"{GRADE_NAMES[grade]}（{number}）班"


def chinese_ordinal(n: int) -> str:
    """1–99 in Chinese numerals, as in 第二十三中学."""
    if not 1 <= n <= 99:
        raise ValueError("ordinals run from 1 to 99")
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    if tens == 0:
        return digits[ones]
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def pick_school(rng: random.Random, county_name: str, taken: set[str]) -> tuple[str, SchoolType]:
    """A school type and a name not yet used in the county, e.g. 西湖区求是小学."""
    school_type = rng.choices(SCHOOL_TYPES, weights=[t.weight for t in SCHOOL_TYPES])[0]
    for _ in range(8):
        name = f"{county_name}{rng.choice(NAME_WORDS)}{school_type.suffix}"
        if name not in taken:
            break
    else:
        n = len(taken) + 1
        while (name := f"{county_name}第{chinese_ordinal(n)}{school_type.suffix}") in taken:
            n += 1
    taken.add(name)
    return name, school_type
