"""Keeping the event table up to date with the LRS: every statement stored since the last pass is extracted
(``events.extract``) and written, and the learners it concerns are scored again for that day (per-learner
detectors; the cross-account ones and the anomaly score run in the batch pass, ``zj detect``).

Statements are read in ``seq`` order above a watermark. A seq below the watermark that was not visible yet
(a transaction that committed after a later one, possible on PostgreSQL) is remembered as a gap and looked
for again on later passes, for ``GAP_GRACE_SECONDS``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from zhijiao.monitoring.detection import events, score
from zhijiao.monitoring.detection.models import DetectionState
from zhijiao.records.models import Credential, Statement

BATCH = 5000
GAP_GRACE_SECONDS = 600


@dataclass
class PassResult:
    read: int = 0
    written: int = 0
    high_seq: int = 0
    scored_users: int = 0
    findings: int = 0
    seconds: float = 0.0
    touched: dict = field(default_factory=dict)


_PLATFORMS: dict[int, int] = {}


def _platform(credential_id: int | None) -> int:
    if not credential_id:
        return 0
    if credential_id not in _PLATFORMS:
        _PLATFORMS[credential_id] = (Credential.objects.filter(pk=credential_id)
                                     .values_list("organisation_id", flat=True).first() or 0)
    return _PLATFORMS[credential_id]


def _extract_rows(rows) -> list:
    out = []
    for seq, user_id, data, address, agent, credential_id in rows:
        if user_id is None:
            continue
        record = events.extract(data, user_id=user_id, seq=seq, client_address=address, user_agent=agent or "",
                                platform_id=_platform(credential_id))
        if record is not None:
            out.append(record)
    return out


def catch_up(*, score_users: bool = True, limit: int = BATCH) -> PassResult:
    """Extract everything stored since the last pass; then score the touched learners' days."""
    started = time.perf_counter()
    result = PassResult()
    touched: dict[int, set[int]] = defaultdict(set)
    with transaction.atomic():
        state, _ = DetectionState.objects.select_for_update().get_or_create(pk=1)
        now = timezone.now().timestamp()
        columns = ("seq", "user_id", "data", "client_address", "user_agent", "credential_id")
        gaps = {int(k): v for k, v in (state.gaps or {}).items() if now - v < GAP_GRACE_SECONDS}
        if gaps:
            found = list(Statement.objects.filter(seq__in=list(gaps), voided=False).values_list(*columns))
            for row in found:
                gaps.pop(row[0], None)
            records = _extract_rows(found)
            result.written += events.write(records)
            for r in records:
                touched[events.day_number(datetime.fromtimestamp(r[0], UTC))].add(r[9])
        while True:
            rows = list(Statement.objects.filter(seq__gt=state.high_seq, voided=False).order_by("seq")
                        .values_list(*columns)[:limit])
            if not rows:
                break
            expected = state.high_seq + 1
            for row in rows:
                for missing in range(expected, row[0]):
                    gaps[missing] = now
                expected = row[0] + 1
            records = _extract_rows(rows)
            result.read += len(rows)
            result.written += events.write(records)
            for r in records:
                touched[events.day_number(datetime.fromtimestamp(r[0], UTC))].add(r[9])
            state.high_seq = rows[-1][0]
            if len(rows) < limit:
                break
        if len(gaps) > 10_000:  # a huge rollback: do not carry it around
            gaps = dict(sorted(gaps.items())[-10_000:])
        state.gaps = {str(k): v for k, v in gaps.items()}
        state.updated_at = timezone.now()
        state.save()
        result.high_seq = state.high_seq
    if score_users:
        for day, users in sorted(touched.items()):
            scored = score.score_day(day, users=sorted(users))
            result.scored_users += scored.users
            result.findings += scored.written
    result.touched = {day: len(users) for day, users in touched.items()}
    result.seconds = time.perf_counter() - started
    return result


def backfill(*, progress=None) -> PassResult:
    """Extract the whole LRS into the event table (``zj detect --backfill``); scoring is left to the batch."""
    total = PassResult()
    while True:
        result = catch_up(score_users=False, limit=20_000)
        total.read += result.read
        total.written += result.written
        total.high_seq = result.high_seq
        if progress:
            progress(total)
        if result.read < 20_000:
            return total
