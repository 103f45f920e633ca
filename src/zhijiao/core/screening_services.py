"""Edits of the sensitive-word dictionary (敏感词库): security administrator only, every change audited.

Every process notices a change before its next scan and rebuilds its automaton (zhijiao.core.screening).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zhijiao.core import audit, screening
from zhijiao.core.models import SensitiveWord, WordCategory
from zhijiao.identity import permissions

MAX_WORD_LENGTH = SensitiveWord._meta.get_field("word").max_length
MAX_IMPORT_LINES = 20_000


def _clean(word: str, category: str) -> tuple[str, str, str]:
    word = " ".join((word or "").split())
    if not word:
        raise ValidationError({"word": _("Enter a word.")})
    if len(word) > MAX_WORD_LENGTH:
        raise ValidationError({"word": _("A word has at most %(n)d characters.") % {"n": MAX_WORD_LENGTH}})
    normalised = screening.normalise(word)
    if not normalised:
        raise ValidationError({"word": _("The word has no letters or digits once spaces and punctuation are ignored.")})
    if category not in WordCategory.values:
        raise ValidationError({"category": _("Choose a category from the list.")})
    return word, normalised, category


def _duplicate(normalised: str, exclude: int | None = None) -> SensitiveWord | None:
    return SensitiveWord.objects.filter(normalised=normalised).exclude(pk=exclude).first()


@transaction.atomic
def add_word(actor, *, word: str, category: str, enabled: bool = True, request=None) -> SensitiveWord:
    permissions.require(actor, "screening.manage")
    word, normalised, category = _clean(word, category)
    existing = _duplicate(normalised)
    if existing is not None:
        raise ValidationError({"word": _("“%(word)s” is already in the dictionary.") % {"word": existing.word}})
    try:
        with transaction.atomic():
            entry = SensitiveWord.objects.create(word=word, normalised=normalised, category=category,
                                                 enabled=enabled, created_by=actor)
    except IntegrityError as exc:
        raise ValidationError({"word": _("This word is already in the dictionary.")}) from exc
    audit.record("screening.word_add", actor=actor, request=request, target=entry, word=word, category=category,
                 enabled=enabled)
    return entry


@transaction.atomic
def update_word(actor, entry: SensitiveWord, *, word: str, category: str, enabled: bool, request=None) -> SensitiveWord:
    permissions.require(actor, "screening.manage")
    word, normalised, category = _clean(word, category)
    if _duplicate(normalised, exclude=entry.pk) is not None:
        raise ValidationError({"word": _("This word is already in the dictionary.")})
    before = {"word": entry.word, "category": entry.category, "enabled": entry.enabled}
    entry.word, entry.normalised, entry.category, entry.enabled = word, normalised, category, enabled
    entry.save()
    audit.record("screening.word_update", actor=actor, request=request, target=entry, before=before,
                 after={"word": word, "category": category, "enabled": enabled})
    return entry


@transaction.atomic
def delete_word(actor, entry: SensitiveWord, request=None) -> None:
    permissions.require(actor, "screening.manage")
    audit.record("screening.word_delete", actor=actor, request=request, target=entry, word=entry.word,
                 category=entry.category)
    entry.delete()


@dataclass
class ImportResult:
    added: int = 0
    already_present: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message)


def parse_import_line(line: str, default_category: str) -> tuple[str, str] | None:
    """``word`` or ``word<TAB or comma>category``; blank lines and ``#`` comments give None."""
    text = line.strip().lstrip("\ufeff")
    if not text or text.startswith("#"):
        return None
    for separator in ("\t", ",", "，"):
        if separator in text:
            word, _sep, category = text.rpartition(separator)
            category = category.strip().lower()
            if category in WordCategory.values:
                return word.strip(), category
    return text, default_category


@transaction.atomic
def import_words(actor, text: str, *, default_category: str, request=None) -> ImportResult:
    """Bulk import from a text file (UTF-8, one word a line). Invalid lines are reported, valid ones kept."""
    permissions.require(actor, "screening.manage")
    if default_category not in WordCategory.values:
        raise ValidationError({"category": _("Choose a category from the list.")})
    lines = text.splitlines()
    if len(lines) > MAX_IMPORT_LINES:
        raise ValidationError({"file": _("A file may hold at most %(n)d lines.") % {"n": MAX_IMPORT_LINES}})
    result = ImportResult()
    known = set(SensitiveWord.objects.values_list("normalised", flat=True))
    new_rows = []
    for number, line in enumerate(lines, start=1):
        parsed = parse_import_line(line, default_category)
        if parsed is None:
            continue
        try:
            word, normalised, category = _clean(*parsed)
        except ValidationError as exc:
            result.errors.append((number, next(iter(exc.message_dict.values()))[0]))
            continue
        if normalised in known:
            result.already_present += 1
            continue
        known.add(normalised)
        new_rows.append(SensitiveWord(word=word, normalised=normalised, category=category, created_by=actor))
    SensitiveWord.objects.bulk_create(new_rows, batch_size=1000)
    result.added = len(new_rows)
    audit.record("screening.import", actor=actor, request=request, added=result.added,
                 already_present=result.already_present, invalid=len(result.errors), category=default_category)
    return result


def seed_starter_dictionary(entries: list[tuple[str, str]]) -> int:
    """Demo data: add words that are not there yet, without an actor (used by ``zj seed``)."""
    known = set(SensitiveWord.objects.values_list("normalised", flat=True))
    rows = []
    for word, category in entries:
        normalised = screening.normalise(word)
        if normalised and normalised not in known:
            known.add(normalised)
            rows.append(SensitiveWord(word=word, normalised=normalised, category=category))
    SensitiveWord.objects.bulk_create(rows)
    return len(rows)
