"""Statements for the rollup tests, written straight into the statement table with the contract columns.

Writing rows directly (rather than through the LRS) lets a test choose ``seq`` and commit order, which is
what the out-of-order-commit tests need; ``stored_via_lrs`` tests use the real ingest service.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from zhijiao.records.agents import actor_key_for, agent_for
from zhijiao.records.models import Statement, StatementKey

VIDEO = "https://w3id.org/xapi/video/verbs/"
ADL = "http://adlnet.gov/expapi/verbs/"
VIEWED = "http://id.tincanapi.com/verb/viewed"
EXT = "https://zhijiao.cn/xapi/extensions/"
VEXT = "https://w3id.org/xapi/video/extensions/"


def resource_iri(resource_id: int) -> str:
    return f"{settings.ZJ_PUBLIC_URL}/resources/{resource_id}/"


def local(day: str, hh: int = 9, mm: int = 0, ss: float = 0) -> datetime:
    """An aware datetime at local time on ``day`` (YYYY-MM-DD)."""
    naive = datetime.fromisoformat(day) + timedelta(hours=hh, minutes=mm, seconds=ss)
    return timezone.make_aware(naive)


class Statements:
    """Builds and writes statements; ``seq`` is assigned in order unless given."""

    def __init__(self):
        self.next_seq = itertools.count(1)

    def build(self, user, verb: str, activity: str, at: datetime, *, result=None, extensions=None,
              visitor: str | None = None, board: str | None = None, name: str | None = None, actor=None) -> dict:
        context_ext = dict(extensions or {})
        if visitor:
            context_ext[EXT + "visitor-id"] = visitor
        if board:
            context_ext[EXT + "board"] = board
        obj = {"objectType": "Activity", "id": activity}
        if name:
            obj["definition"] = {"name": {"zh-CN": name}}
        statement = {
            "id": str(uuid.uuid4()),
            "actor": actor or (agent_for(user) if user else {"objectType": "Agent", "mbox": "mailto:x@example.com"}),
            "verb": {"id": verb},
            "object": obj,
            "timestamp": at.isoformat(),
        }
        if result:
            statement["result"] = result
        if context_ext:
            statement["context"] = {"extensions": context_ext}
        return statement

    def write(self, statement: dict, *, user=None, seq: int | None = None, voided: bool = False) -> Statement:
        seq = seq if seq is not None else next(self.next_seq)
        now = timezone.now()
        obj = statement["object"]
        ref = uuid.UUID(obj["id"]) if obj.get("objectType") == "StatementRef" else None
        row = Statement.objects.create(
            seq=seq, statement_id=uuid.UUID(statement["id"]), stored=now,
            timestamp=datetime.fromisoformat(statement["timestamp"]),
            actor_key=actor_key_for(user) if user else "mailto:x@example.com", user=user,
            verb_id=statement["verb"]["id"], object_id=obj["id"], voided=voided, ref_target=ref, data=statement,
        )
        StatementKey.objects.create(statement_id=row.statement_id, seq=seq, stored=now)
        return row

    def add(self, user, verb, activity, at, *, seq=None, **kwargs) -> Statement:
        return self.write(self.build(user, verb, activity, at, **kwargs), user=user, seq=seq)

    def void(self, user, target: Statement, at: datetime, *, seq=None) -> Statement:
        Statement.objects.filter(seq=target.seq).update(voided=True)
        statement = {
            "id": str(uuid.uuid4()), "actor": agent_for(user), "verb": {"id": ADL + "voided"},
            "object": {"objectType": "StatementRef", "id": str(target.statement_id)}, "timestamp": at.isoformat(),
        }
        return self.write(statement, user=user, seq=seq)


@pytest.fixture
def statements(db) -> Statements:
    return Statements()


def segments(*pairs) -> str:
    return "[,]".join(f"{a}[.]{b}" for a, b in pairs)
