"""Unions of time intervals, in whole milliseconds: seconds of video played, and time on task.

A union does not care how often or in which order an interval is added, which is what makes the
rollups idempotent and lets a full rebuild agree with the incremental path.
"""

from __future__ import annotations

import math

Span = tuple[int, int]

# A statement's activity is taken to last until the next statement, at most this long (time on task).
IDLE_CAP_MS = 5 * 60 * 1000
# Video positions beyond this (a day and a half of video) are not believable and are dropped.
MAX_POSITION_MS = 36 * 3600 * 1000


def union(spans: list[Span]) -> list[Span]:
    """Sorted, non-overlapping spans covering exactly the same instants; touching spans are joined."""
    merged: list[list[int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1][1] = end
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def length(spans: list[Span]) -> int:
    return sum(end - start for start, end in spans)


def encode(spans: list[Span]) -> str:
    return ",".join(f"{a}-{b}" for a, b in spans)


def decode(text: str) -> list[Span]:
    if not text:
        return []
    spans = []
    for part in text.split(","):
        start, _, end = part.partition("-")
        spans.append((int(start), int(end)))
    return spans


def _seconds_to_ms(text: str) -> int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return min(round(value * 1000), MAX_POSITION_MS)


def played_segments(text: object) -> list[Span]:
    """Parse the xAPI Video Profile's ``played-segments`` ("0[.]5.2[,]10[.]20": from 0 to 5.2 s, then from
    10 to 20 s). Malformed parts are skipped; a segment given backwards counts as played all the same."""
    if not isinstance(text, str) or not text:
        return []
    spans = []
    for part in text.split("[,]"):
        start_text, sep, end_text = part.partition("[.]")
        if not sep:
            continue
        start, end = _seconds_to_ms(start_text.strip()), _seconds_to_ms(end_text.strip())
        if start is None or end is None:
            continue
        spans.append((min(start, end), max(start, end)))
    return spans


def time_on_task(spans: list[Span]) -> int:
    """Time on task from the union of [t, t + IDLE_CAP_MS) over a learner's statement times.

    That union's length is the sum of the gaps between consecutive statements, each capped at
    IDLE_CAP_MS, plus one cap for the last statement; the last one is not counted, so a single
    statement is no time at all."""
    return max(0, length(spans) - IDLE_CAP_MS) if spans else 0
