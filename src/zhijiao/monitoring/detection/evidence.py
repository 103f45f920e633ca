"""Building the evidence JSON that case pages draw (schema: docs/monitoring.md, "Evidence")."""

from __future__ import annotations

import numpy as np

from zhijiao.monitoring.detection import vocab

TIMELINE_CAP = 500
ANSWERS_CAP = 200
ACCOUNTS_CAP = 100


def ms(seconds: float) -> int:
    return int(round(float(seconds) * 1000))


def device_label(d: int) -> str:
    return format(int(d) & 0xFFFFFFFFFFFF, "012x")


def base(detector: str, figures: dict, thresholds: dict) -> dict:
    return {"v": 1, "detector": detector, "figures": _plain(figures), "thresholds": _plain(thresholds)}


def _plain(values: dict) -> dict:
    out = {}
    for k, v in values.items():
        if isinstance(v, np.integer | int) and not isinstance(v, bool):
            out[k] = int(v)
        elif isinstance(v, np.floating | float):
            out[k] = round(float(v), 3)
        else:
            out[k] = v
    return out


def timeline(ev: np.ndarray, sessions: set[int] | None = None) -> tuple[list, list, bool]:
    """Playback points and sessions of one learner's events (``ev`` sorted by time)."""
    video = ev[ev["kind"] == vocab.KIND_VIDEO]
    if sessions is not None:
        video = video[np.isin(video["session"], list(sessions))]
    labels: dict[int, str] = {}
    spans: dict[int, dict] = {}
    for row in video:
        s = int(row["session"])
        if s not in labels:
            labels[s] = f"s{len(labels) + 1}"
            spans[s] = {"session": labels[s], "object": int(row["obj"]), "start": ms(row["ts"]), "end": ms(row["ts"]),
                        "device": device_label(row["device"])}
        spans[s]["end"] = ms(row["ts"])
    truncated = len(video) > TIMELINE_CAP
    if truncated:
        # Keep every statement a person caused and thin out the heartbeats evenly.
        keep = video["verb"] != vocab.PROGRESSED
        beats = np.flatnonzero(~keep)
        room = max(TIMELINE_CAP - int(keep.sum()), 0)
        if room and len(beats):
            keep[beats[np.linspace(0, len(beats) - 1, min(room, len(beats))).astype(int)]] = True
        video = video[keep][:TIMELINE_CAP]
    points = []
    for row in video:
        point = {"t": ms(row["ts"]), "playhead": round(float(row["time"]), 3),
                 "event": vocab.SHORT.get(int(row["verb"]), ""), "session": labels[int(row["session"])],
                 "object": int(row["obj"])}
        if row["speed"] > 0:
            point["speed"] = round(float(row["speed"]), 3)
        points.append(point)
    return points, list(spans.values()), truncated


def hours(ev: np.ndarray, day_start: float) -> list[int]:
    h = np.clip(((ev["ts"] - day_start) // 3600).astype(int), 0, 23)
    return np.bincount(h, minlength=24)[:24].astype(int).tolist()


def with_timeline(evidence: dict, ev: np.ndarray, sessions: set[int] | None = None) -> dict:
    points, spans, truncated = timeline(ev, sessions)
    evidence["timeline"] = points
    evidence["sessions"] = spans
    if truncated:
        evidence["truncated"] = True
    return evidence


def accounts(evidence: dict, users) -> dict:
    users = sorted({int(u) for u in users})
    if len(users) > ACCOUNTS_CAP:
        evidence["truncated"] = True
    evidence["accounts"] = users[:ACCOUNTS_CAP]
    return evidence
