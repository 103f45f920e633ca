"""Hits become ``monitoring.Finding`` rows (one per detector, learner, course and day: a re-run updates it),
then ``monitoring.cases.assign_findings()`` gathers them into cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
from django.utils import timezone

from zhijiao.identity.models import Organisation
from zhijiao.monitoring.cases import assign_findings, universities_of
from zhijiao.monitoring.detection import events
from zhijiao.monitoring.detection.detectors import BY_NAME
from zhijiao.monitoring.models import Finding
from zhijiao.records.indexing import index_key
from zhijiao.records.models import Activity


@dataclass
class Context:
    day: date
    users: np.ndarray  # every learner scored, sorted
    course: np.ndarray  # digest of each learner's first course of the day
    platform: np.ndarray  # reporting platform of each learner's first event (0: ours)


def universities(user_ids: list[int]) -> dict[int, int]:
    """Each learner's university id (see ``monitoring.cases.universities_of``)."""
    found: dict[int, int] = {}
    for start in range(0, len(user_ids), 2000):
        found.update({u: org.pk for u, org in universities_of(user_ids[start:start + 2000]).items()})
    return found


def _names(course_texts: set[str]) -> dict[str, str]:
    names = {}
    keys = {index_key(t): t for t in course_texts}
    for key, definition in Activity.objects.filter(activity_key__in=list(keys)).values_list("activity_key", "definition"):
        name = (definition or {}).get("name") or {}
        if name:
            names[keys[key]] = name.get("zh-CN") or next(iter(name.values()))
    return names


def _resolve(evidence: dict, texts: dict[int, str]) -> dict:
    for key in ("timeline", "sessions", "answers", "pairs"):
        for entry in evidence.get(key, ()):
            for field in ("object", "item"):
                if isinstance(entry.get(field), int):
                    entry[field] = texts.get(entry[field], "")
    return evidence


def _ids(evidence: dict) -> set[int]:
    out = set()
    for key in ("timeline", "sessions", "answers", "pairs"):
        for entry in evidence.get(key, ()):
            for field in ("object", "item"):
                if isinstance(entry.get(field), int):
                    out.add(entry[field])
    return out


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def write(hits: list, context: Context) -> int:
    if not hits:
        return 0
    pos = {int(u): k for k, u in enumerate(context.users.tolist())}
    for hit in hits:
        k = pos.get(hit.user)
        if k is not None:
            hit.course = hit.course or int(context.course[k])
            hit.platform = hit.platform or int(context.platform[k])
    wanted = {h.course for h in hits}
    for h in hits:
        wanted |= _ids(h.evidence)
    texts = events.texts_of(wanted)
    names = _names({texts[c] for c in {h.course for h in hits} if c in texts})
    platforms = set(Organisation.objects.filter(pk__in={h.platform for h in hits if h.platform})
                    .values_list("pk", flat=True))
    now = timezone.now()
    rows = {}
    for hit in hits:
        course = texts.get(hit.course, "") or "-"
        row = Finding(
            detector=hit.detector, kind=BY_NAME[hit.detector].kind, user_id=hit.user,
            platform_id=hit.platform if hit.platform in platforms else None, course_key=course[:500],
            course_name=names.get(course, "")[:300], day=context.day, score=round(float(hit.score), 4),
            evidence=_resolve(hit.evidence, texts), window_start=_moment(hit.start), window_end=_moment(hit.end),
            created_at=now, updated_at=now)
        rows[(row.detector, row.user_id, row.course_key)] = row
    Finding.objects.bulk_create(
        list(rows.values()), batch_size=500, update_conflicts=True,
        unique_fields=["detector", "user", "course_key", "day"],
        update_fields=["kind", "platform", "course_name", "score", "evidence", "window_start", "window_end",
                       "updated_at"])
    assign_findings()
    return len(rows)
