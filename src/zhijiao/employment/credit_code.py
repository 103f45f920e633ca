"""统一社会信用代码 (unified social credit code, GB 32100-2015).

Eighteen characters: the registering authority (1), the organisation type (1), the GB/T 2260 division
code of the registering office (6 digits), the organisation's code (9, GB 11714) and a check character.
Characters come from a 31-symbol alphabet (digits and capitals without I, O, S, V, Z). The check
character makes the weighted sum of all eighteen a multiple of 31, the weights being 3^i mod 31.
"""

from __future__ import annotations

import re
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
LENGTH = 18
_SHAPE = re.compile(rf"^[{ALPHABET}]{{2}}\d{{6}}[{ALPHABET}]{{10}}$")


def normalise(code: str) -> str:
    """As people type it: full-width forms and lower case folded, spaces and hyphens removed."""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", code or "")).upper()


def check_character(body: str) -> str:
    """The check character for the first seventeen characters ``body``."""
    total = sum(VALUE[ch] * weight for ch, weight in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why ``code`` (already normalised) is not a valid credit code, in a machine-readable word, or None."""
    if len(code) != LENGTH:
        return "length"
    if any(ch not in VALUE for ch in code):
        return "characters"
    if not _SHAPE.match(code):
        return "division"
    if check_character(code[:17]) != code[17]:
        return "check"
    return None


def is_valid(code: str) -> bool:
    return problem(normalise(code)) is None


def division_code(code: str) -> str:
    """The six-digit GB/T 2260 code of the office that registered the organisation."""
    return normalise(code)[2:8]
