"""Discriminatory requirements in job postings (就业歧视筛查).

China's Employment Promotion Law (就业促进法 Art. 3, 26–31), the Labour Law and the rules for human
resources markets forbid job postings that exclude people by gender, ethnicity, religion, place of origin
or household registration (户籍), marital or childbearing status, health status such as hepatitis B
carriers, or disability, and forbid hiring below the minimum working age of 16. Upper age limits are not
forbidden outright but are a common complaint; a posting with one is held so that staff can judge it.

This module finds such requirements in Chinese text with patterns for the usual phrasings ("限男性",
"仅招女生", "已婚已育优先", "本地户口", "汉族"), while leaving neutral phrasings alone ("男女不限",
"不限户籍", "婚育不限", "年龄不限", "生育保险"). Findings hold the posting for staff review; they never
reject it by themselves.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass

from django.utils.translation import gettext_lazy as _

from zhijiao.core.screening import context_snippet, normalise_with_positions

MINIMUM_WORKING_AGE = 16

CATEGORIES = {
    "gender": _("Gender"),
    "ethnicity": _("Ethnicity"),
    "origin": _("Place of origin or household registration (户籍)"),
    "marital": _("Marital or childbearing status"),
    "health": _("Health status"),
    "disability": _("Disability"),
    "religion": _("Religion"),
    "age": _("Age"),
}

_SEX = r"(?:男|女)(?:性|生|士|孩|的)?"
# Patterns over the normalised text (no spaces or punctuation, full-width folded, lower case), so "限 男 性"
# and "限·男性" match too. "不" before 限 marks the neutral phrasing (不限男女, 不限户籍).
_NORMALISED: list[tuple[str, re.Pattern]] = [
    ("gender", re.compile(rf"(?<!不)(?:仅限|只限|限于|限|仅招|只招|只要|仅要|要求|需|须)(?:为|是)?{_SEX}(?!女|男|不限|均可|皆可|比例)")),
    ("gender", re.compile(rf"{_SEX}(?:优先|为主|更佳)")),
    ("gender", re.compile(rf"(?:不招|不要|不收|谢绝|拒收|婉拒){_SEX}")),
    ("gender", re.compile(rf"{_SEX}(?:勿扰|免谈|勿投|请勿|不予考虑)")),
    ("ethnicity", re.compile(r"汉族|(?:仅限|只限|限|仅招|只招)\w{1,4}族(?!不限)")),
    ("ethnicity", re.compile(r"(?:少数民族|维吾尔族|藏族|回族)(?:勿|不要|除外|不招|免)")),
    ("origin", re.compile(r"(?:本地|本市|本省|本区|本县|当地|城镇|农村|外地|外省|非本地)(?:户口|户籍|人|生源|籍)(?!不限)")),
    ("origin", re.compile(r"(?<!不)(?:仅限|只限|限|要求|需|须)(?:有)?\w{0,4}?(?:户口|户籍|籍贯)(?!不限)")),
    ("origin", re.compile(r"(?:户口|户籍|籍贯)(?:在|为|须|需|要求|限)")),
    ("origin", re.compile(r"(?:某某|[东西南北河湖山广]\w?)人(?:勿扰|免谈|勿投|不要)")),
    ("marital", re.compile(r"(?:已婚|未婚|已育|未育|单身|离异)(?!不限)")),
    ("marital", re.compile(r"(?:无|没有|暂无|不|近\w{0,3}年内?不)(?:生育|怀孕|要孩子|生孩子|结婚)(?:计划|打算)?")),
    ("marital", re.compile(r"(?:孕妇|孕期|哺乳期)(?:勿|不|免|除外)")),
    ("health", re.compile(r"(?:乙肝|hbv|小三阳|大三阳)(?:携带者|病毒携带者|阳性)?(?:勿|不|免|除外|谢绝)")),
    ("health", re.compile(r"(?:无|非)(?:乙肝|传染病史|病史)|(?:谢绝|不招|不要)\w{0,3}(?:乙肝|携带者|病人)")),
    ("disability", re.compile(r"(?:身体健全|无残疾|非残疾|五官端正)|残疾人?(?:勿|不|免|除外)")),
    ("religion", re.compile(r"(?:无宗教信仰|不得有宗教信仰|(?:信教|宗教信仰)者?(?:勿|不|免|除外))")),
]
# Age rules read the text as typed (only width-folded), because "25-35岁" needs its hyphen.
_AGE_UPPER = [
    re.compile(r"(\d{2})\s*周?岁\s*(?:以下|以内|之内|及以下|之下)"),
    re.compile(r"年龄\s*(?:要求)?\s*[:：]?\s*(?:不超过|不大于|不高于|低于|小于|在|限|须在|需在|为)?\s*(?:\d{2}\s*[-–—~至到]\s*)?(\d{2})\s*周?岁"),
    re.compile(r"(?:不超过|不大于|不高于|低于|小于|未满|限)\s*(\d{2})\s*周?岁"),
]
_AGE_LOWER = re.compile(r"(\d{1,2})\s*周?岁\s*(?:以上|及以上|起)|年满\s*(\d{1,2})\s*周?岁")


@dataclass(frozen=True)
class Finding:
    category: str
    text: str  # the words as they appear in the posting
    context: str

    def as_flag(self) -> dict:
        return {"kind": "discrimination", **asdict(self)}

    @property
    def label(self) -> str:
        return str(CATEGORIES[self.category])


def scan(text: str) -> list[Finding]:
    """Every discriminatory requirement found in ``text``, in order, one per place."""
    text = text or ""
    findings: list[tuple[int, int, str]] = []
    normalised, positions = normalise_with_positions(text)
    for category, pattern in _NORMALISED:
        for match in pattern.finditer(normalised):
            if match.end() > match.start():
                findings.append((positions[match.start()], positions[match.end() - 1] + 1, category))
    folded = unicodedata.normalize("NFKC", text)
    if len(folded) == len(text):  # NFKC can change lengths; positions stay exact only when it did not
        findings.extend(_age(folded))
    else:
        findings.extend((0, 0, "age") for _ in _age(folded))
    result: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for start, end, category in sorted(findings):
        if any(start < t_end and end > t_start for t_start, t_end in taken):
            continue  # one finding per place (the first pattern to match it)
        taken.append((start, end))
        result.append(Finding(category, text[start:end], context_snippet(text, start, end)))
    return result


def _age(text: str):
    for pattern in _AGE_UPPER:
        for match in pattern.finditer(text):
            limit = int(match.group(1))
            # An "upper limit" at or beyond the retirement ages is no limit on graduates.
            if limit < 60:
                yield match.start(), match.end(), "age"
    for match in _AGE_LOWER.finditer(text):
        limit = int(match.group(1) or match.group(2))
        if limit < MINIMUM_WORKING_AGE:
            yield match.start(), match.end(), "age"


def scan_fields(fields: dict[str, str]) -> list[dict]:
    """Screening flags for several named texts, ready for ``Job.screening_flags``."""
    return [{**finding.as_flag(), "field": name} for name, text in fields.items() for finding in scan(text)]
