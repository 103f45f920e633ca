"""JSON API of the sensitive-word dictionary and the screening automaton (/api/v1/screening).

The dictionary is read and edited by the security administrator only. Checking a text (``POST /scan``)
is open to the security administrator and to content reviewers, who see hits in context anyway; it is
not offered to everyone, since it would let anyone probe the dictionary word by word.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from zhijiao.core import screening, screening_services
from zhijiao.core.models import SensitiveWord
from zhijiao.identity import permissions

router = Router(tags=["screening"])

CategoryCode = Field(description="political, pornographic, violent, discriminatory, advertising or other")


class WordIn(Schema):
    word: str = Field(max_length=100)
    category: str = CategoryCode
    enabled: bool = True


class WordOut(Schema):
    id: int
    word: str
    category: str
    enabled: bool
    updated_at: datetime


class WordList(Schema):
    count: int
    items: list[WordOut]


class WordQuery(Schema):
    q: str = Field("", max_length=100, description="Part of the word (matched in normalised form)")
    category: str = Field("", max_length=20)
    enabled: bool | None = None
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=1_000_000)


class ImportIn(Schema):
    text: str = Field(max_length=2_000_000, description="One word a line; optionally ',category' after the word")
    category: str = Field(description="Category of lines without one")


class ImportOut(Schema):
    added: int
    already_present: int
    errors: list[dict]


class ScanIn(Schema):
    text: str = Field(max_length=1_000_000)


class HitOut(Schema):
    word: str
    category: str
    start: int = Field(description="Index of the first character in the text")
    end: int = Field(description="Index after the last character")
    matched: str = Field(description="The text as written, e.g. with spaces between the characters")
    context: str = Field(description="A snippet with the hit between 【 and 】")


def _require_manager(request) -> None:
    if not permissions.has_capability(request.auth, "screening.manage"):
        raise PermissionDenied


def _out(entry: SensitiveWord) -> dict:
    return {"id": entry.pk, "word": entry.word, "category": entry.category, "enabled": entry.enabled,
            "updated_at": entry.updated_at}


@router.get("/words", response=WordList, summary="List the dictionary")
def list_words(request, query: Query[WordQuery]):
    _require_manager(request)
    words = SensitiveWord.objects.all()
    if query.q.strip():
        words = words.filter(normalised__contains=screening.normalise(query.q))
    if query.category:
        words = words.filter(category=query.category)
    if query.enabled is not None:
        words = words.filter(enabled=query.enabled)
    words = words.order_by("category", "normalised")
    return {"count": words.count(), "items": [_out(w) for w in words[query.offset:query.offset + query.limit]]}


@router.post("/words", response={201: WordOut}, summary="Add a word")
def add_word(request, payload: WordIn):
    _require_manager(request)
    entry = screening_services.add_word(request.auth, word=payload.word, category=payload.category,
                                        enabled=payload.enabled, request=request)
    return Status(201, _out(entry))


@router.put("/words/{word_id}", response=WordOut, summary="Change a word, its category or whether it is enabled")
def update_word(request, word_id: int, payload: WordIn):
    _require_manager(request)
    entry = get_object_or_404(SensitiveWord, pk=word_id)
    entry = screening_services.update_word(request.auth, entry, word=payload.word, category=payload.category,
                                           enabled=payload.enabled, request=request)
    return _out(entry)


@router.delete("/words/{word_id}", response={204: None}, summary="Remove a word")
def delete_word(request, word_id: int):
    _require_manager(request)
    entry = get_object_or_404(SensitiveWord, pk=word_id)
    screening_services.delete_word(request.auth, entry, request=request)
    return Status(204, None)


@router.post("/words/import", response=ImportOut, summary="Import many words at once")
def import_words(request, payload: ImportIn):
    _require_manager(request)
    result = screening_services.import_words(request.auth, payload.text, default_category=payload.category,
                                             request=request)
    return {"added": result.added, "already_present": result.already_present,
            "errors": [{"line": n, "message": m} for n, m in result.errors]}


@router.post("/scan", response=list[HitOut], summary="Find dictionary words in a text")
def scan(request, payload: ScanIn):
    if not (permissions.has_capability(request.auth, "screening.manage")
            or permissions.has_capability(request.auth, "resource.review")):
        raise PermissionDenied
    return [hit.as_dict() for hit in screening.scan(payload.text)]

