"""Chinese is the default language: every string in the catalogue is translated, and the compiled
catalogue that ships matches the source catalogue."""

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "src" / "zhijiao" / "locale" / "zh_Hans" / "LC_MESSAGES"


def _entries():
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if not msgid:
            continue
        unquote = lambda s: "".join(re.findall(r'"(.*)"', s)).encode().decode("unicode_escape").encode("latin-1").decode()  # noqa: E731
        key = unquote(msgid.group(1))
        if not key:
            continue
        msgstr = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M)
        yield key, unquote(msgstr.group(1)), "#, fuzzy" in block, "msgid_plural" in block


def test_every_string_has_a_chinese_translation():
    untranslated = [key for key, value, fuzzy, _ in _entries() if not value or fuzzy]
    assert not untranslated, f"untranslated in django.po: {untranslated[:10]}"


def test_compiled_catalogue_matches_the_source():
    with open(LOCALE / "django.mo", "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = []
    for key, value, _, plural in _entries():
        got = catalogue.ngettext(key, key, 1) if plural else catalogue.gettext(key)
        if got != value:
            stale.append(key)
    assert not stale, f"django.mo is older than django.po (run `make messages`): {stale[:5]}"
