"""Scoring a day: stream the day's events in chunks of whole learners, run the per-learner detectors on each
chunk, gather the small tables the cross-account detectors need, then run those, the anomaly score, and write
the findings.

Memory stays bounded by the chunk size (``CHUNK`` events) plus the gathered tables (one row per distinct
learner/device/address, per answer, per pause or seek, per learner's features).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.utils import timezone

from zhijiao.monitoring.detection import events, findings, profiles
from zhijiao.monitoring.detection.anomaly import ANOMALY, anomalies, features
from zhijiao.monitoring.detection.detectors import brushing, exams, parameters, proxy_study
from zhijiao.monitoring.detection.frame import DayFrame
from zhijiao.monitoring.detection.models import DetectorRun, RunMode

CHUNK = 400_000


@dataclass
class DayResult:
    day: int
    events: int = 0
    users: int = 0
    hits: list = field(default_factory=list)
    written: int = 0
    seconds: float = 0.0
    fired: dict = field(default_factory=dict)


def score_day(day: int, *, users: list[int] | None = None, write: bool = True, chunk: int = CHUNK) -> DayResult:
    """Score ``day`` (a date ordinal): every learner of the day (batch), or only ``users`` (incremental:
    per-learner detectors only; the cross-account detectors and the anomaly score need the whole day)."""
    started = time.perf_counter()
    whole_day = users is None
    p = parameters()
    history = profiles.before(day)
    day_start = events.day_start(day)
    result = DayResult(day)
    devices, answers, tokens, feature_rows, summaries = [], [], [], [], []
    user_ids, first_course, first_platform, first_ts, last_ts = [], [], [], [], []
    for block in events.read_day(day, users=users, chunk=chunk):
        f = DayFrame(block, day, day_start)
        aligned = history.aligned(f.users)
        result.events += f.n
        result.users += f.n_users
        for name, run in brushing.RUN.items():
            result.hits += run(f, p[name])
        result.hits += proxy_study.impossible_travel(f, p["impossible_travel"])
        result.hits += proxy_study.device_rhythm_change(f, p["device_rhythm_change"], aligned)
        result.hits += exams.answer_speed(f, p["answer_speed"])
        result.hits += exams.exam_detectors(f, p, aligned)
        user_ids.append(f.users)
        first_course.append(block["course"][f.starts])
        first_platform.append(block["platform"][f.starts])
        first_ts.append(f.t[f.starts])
        last_ts.append(f.t[f.ends - 1])
        if whole_day:
            devices.append(proxy_study.collect_devices(f))
            answers.append(exams.collect_answers(f))
            tokens.append(brushing.collect_tokens(f, p["shared_script"]))
            feature_rows.append(features(f))
            summaries.append(profiles.summarise(f))
    everyone = np.concatenate(user_ids) if user_ids else np.zeros(0, dtype=np.int64)
    context = findings.Context(
        day=date.fromordinal(day), users=everyone,
        course=np.concatenate(first_course) if first_course else np.zeros(0, dtype=np.int64),
        platform=np.concatenate(first_platform) if first_platform else np.zeros(0, dtype=np.int64))
    if whole_day and len(everyone):
        device_rows = np.concatenate(devices)
        universities = findings.universities(np.unique(device_rows["user"]).tolist())
        result.hits += proxy_study.device_sharing(device_rows, universities, p["device_sharing"])
        answer_rows = np.concatenate(answers)
        result.hits += exams.identical_answers(answer_rows, p["identical_answers"])
        result.hits += exams.cameo(answer_rows, p["cameo"])
        result.hits += brushing.shared_script(np.concatenate(tokens), p["shared_script"])
        result.hits += anomalies(everyone, np.concatenate(feature_rows), np.concatenate(first_ts),
                                 np.concatenate(last_ts), p[ANOMALY.name])
        profiles.save(day, history.table, summaries)
    for hit in result.hits:
        result.fired[hit.detector] = result.fired.get(hit.detector, 0) + 1
    if write:
        result.written = findings.write(result.hits, context)
    result.seconds = time.perf_counter() - started
    if write:
        DetectorRun.objects.create(
            mode=RunMode.BATCH if whole_day else RunMode.INCREMENTAL, day=date.fromordinal(day),
            started_at=timezone.now(), seconds=result.seconds, events=result.events, users=result.users,
            fired=result.fired, findings=result.written)
    return result


def score_days(days: list[int] | None = None, **kwargs) -> list[DayResult]:
    """Score each day in order (profiles of one day feed the next)."""
    return [score_day(day, **kwargs) for day in (days if days is not None else events.days_present())]
