"""GB/T 2260 administrative division codes (行政区划代码) as the employment service uses them.

A six-digit code names a province (``330000``), a prefecture-level city (``330100``) or a county
(``330106``). Regions can also be given short: two digits for a province, four for a city. "A lies
within B" compares the significant prefix of B (two, four or six digits) with A. Municipalities'
districts (``110101``) lie within the municipality (``110000``) directly.
"""

from __future__ import annotations

import re
from functools import cache

from django.utils.translation import gettext as _

from zhijiao.demo.divisions import provinces, real_divisions

_CODE = re.compile(r"^(\d{2}|\d{4}|\d{6})$")


def is_code(value: str) -> bool:
    return bool(_CODE.match(value or ""))


def full_code(value: str) -> str:
    """The six-digit form: ``33`` → ``330000``, ``3301`` → ``330100``."""
    return (value or "").ljust(6, "0")


def prefix(code: str) -> str:
    """The significant digits: ``330000`` → ``33``, ``330100`` → ``3301``, ``330106`` → ``330106``."""
    code = full_code(code)
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def level(code: str) -> str:
    return {2: "province", 4: "city", 6: "county"}[len(prefix(code))]


def within(code: str, region: str) -> bool:
    """True when the division ``code`` lies within ``region`` (or is it)."""
    if not is_code(code) or not is_code(region):
        return False
    return full_code(code).startswith(prefix(region))


def province_of(code: str) -> str:
    return full_code(code)[:2] + "0000"


def city_of(code: str) -> str:
    return full_code(code)[:4] + "00"


@cache
def _reference_names() -> dict[str, str]:
    names = {p.code: p.name for p in provinces()}
    names.update({d.code: d.name for d in real_divisions()})
    return names


def name(code: str) -> str:
    """The division's name: from the bundled GB/T 2260 lists, else from the organisation tree, else the code."""
    code = full_code(code)
    if not is_code(code):
        return code or ""
    known = _reference_names().get(code)
    if known:
        return known
    from zhijiao.identity.models import DIVISION_KINDS, Organisation

    org = Organisation.objects.filter(kind__in=DIVISION_KINDS, code=code).values_list("name", flat=True).first()
    return org or code


def full_name(code: str) -> str:
    """Province, city and county names joined, e.g. 浙江省杭州市西湖区."""
    code = full_code(code)
    parts = []
    for step in (province_of(code), city_of(code), code):
        if step not in parts:
            parts.append(step)
    names = [name(step) for step in parts]
    return "".join(n for n in names if n and not n.isdigit()) or code


def clean(value: str, field: str = "region_code") -> str:
    """A region code as typed, or a ValidationError naming ``field``."""
    from django.core.exceptions import ValidationError

    value = (value or "").strip()
    if not is_code(value):
        raise ValidationError({field: _("Enter a division code of 2, 4 or 6 digits (GB/T 2260), e.g. 330106.")})
    return full_code(value)
