"""The unsupervised anomaly score: an isolation forest (Liu, Ting & Zhou 2008) over per-account-per-day
features, written with numpy and a fixed seed so that the same day scores the same way every time.

An isolation forest needs no labels: it isolates each account-day with random axis-parallel cuts, and what
is isolated in few cuts is unusual. Only account-days above a high quantile of the day's scores (and above
an absolute floor) become ``anomaly`` findings, for a person to look at; they are never a verdict.
"""

from __future__ import annotations

import math

import numpy as np
from django.utils.translation import gettext_lazy as _

from zhijiao.monitoring.detection import evidence as ev_
from zhijiao.monitoring.detection import vocab
from zhijiao.monitoring.detection.detectors.base import Detector, Hit
from zhijiao.monitoring.detection.frame import DayFrame, group_max, group_sum

ANOMALY = Detector(
    "anomaly", "anomaly", _("Unusual account-day (isolation forest)"),
    _("An isolation forest over each account's day (volume, hours, speeds, devices, places, answers) picks the "
      "most unusual days for review."),
    {"trees": 100, "sample": 256, "quantile": 0.999, "min_score": 0.62, "seed": 20260301, "min_accounts": 500},
    scope="cross")

FEATURES = ("events", "active_half_hours", "sessions", "max_speed", "max_rate", "playing_density", "night_share",
            "longest_break_hours", "devices", "regions", "answers", "answer_log_seconds", "accuracy",
            "pauses_per_hour", "seeks_per_hour")


def features(f: DayFrame) -> np.ndarray:
    """One row of ``FEATURES`` per learner of the chunk."""
    n = f.n_users
    counts = np.diff(np.r_[f.starts, f.n]).astype(float)
    slot = np.clip(((f.t - f.day_start) // 1800).astype(np.int64), 0, 47)
    half_hours = np.bincount(np.unique(f.ui * 48 + slot) // 48, minlength=n).astype(float)
    sessions = np.bincount(f.sessions["ui"], minlength=n).astype(float)
    speed = group_max(f.ui, f.ev["speed"].astype(float), n)
    a, b, ui = f.stretches
    o = f.video_order
    dt = f.t[o[b]] - f.t[o[a]]
    dp = f.ev["time"][o[b]] - f.ev["time"][o[a]]
    rate = np.where(dt >= 2, dp / np.maximum(dt, 1e-9), 0)
    max_rate = np.minimum(group_max(ui, rate, n), 20)
    playing = group_sum(ui, np.minimum(dt, 90), n)
    span = np.maximum(f.t[f.ends - 1] - f.t[f.starts], 60)
    local_hour = (f.t - f.day_start) / 3600
    night = np.bincount(f.ui, weights=(local_hour < 6).astype(float), minlength=n) / counts
    gaps = np.r_[0.0, np.diff(f.t)]
    gaps[f.starts] = 0
    longest = np.maximum.reduceat(gaps, f.starts) / 3600 if f.n else np.zeros(0)
    distinct = []
    for column in ("device", "region"):
        pairs = np.unique(np.column_stack([f.ui, f.ev[column].astype(np.int64)]), axis=0)
        distinct.append(np.bincount(pairs[:, 0], minlength=n).astype(float))
    answered = f.verb == vocab.ANSWERED
    n_answers = np.bincount(f.ui[answered], minlength=n).astype(float)
    dur = f.ev["dur"].astype(float)
    log_seconds = group_sum(f.ui[answered], np.log1p(dur[answered]), n) / np.maximum(n_answers, 1)
    right = np.bincount(f.ui[answered & (f.ev["success"] == 1)], minlength=n)
    accuracy = right / np.maximum(n_answers, 1)
    hours_playing = np.maximum(playing / 3600, 0.1)
    pauses = np.bincount(f.ui[f.verb == vocab.PAUSED], minlength=n) / hours_playing
    seeks = np.bincount(f.ui[f.verb == vocab.SEEKED], minlength=n) / hours_playing
    return np.column_stack([np.log1p(counts), half_hours, np.log1p(sessions), speed, max_rate, playing / span,
                            night, longest, distinct[0], distinct[1], np.log1p(n_answers), log_seconds, accuracy,
                            np.log1p(pauses), np.log1p(seeks)])


def _c(n: float) -> float:
    """Average path length of an unsuccessful search in a binary search tree of n points."""
    if n <= 1:
        return 0.0
    return 2 * (math.log(n - 1) + 0.5772156649) - 2 * (n - 1) / n


class IsolationForest:
    def __init__(self, trees: int = 100, sample: int = 256, seed: int = 0):
        self.trees, self.sample, self.seed = trees, sample, seed
        self.forest: list[tuple[np.ndarray, ...]] = []

    def fit(self, X: np.ndarray) -> IsolationForest:
        rng = np.random.default_rng(self.seed)
        size = min(self.sample, len(X))
        self.psi = size
        limit = math.ceil(math.log2(max(size, 2)))
        for _t in range(self.trees):
            rows = X[rng.choice(len(X), size=size, replace=False)]
            self.forest.append(self._grow(rows, rng, limit))
        return self

    @staticmethod
    def _grow(rows, rng, limit):
        feature, threshold, left, right, leaf_size = [], [], [], [], []
        stack = [(rows, 0, None, None)]
        while stack:
            part, depth, parent, side = stack.pop()
            node = len(feature)
            if parent is not None:
                (left if side == 0 else right)[parent] = node
            feature.append(-1)
            threshold.append(0.0)
            left.append(-1)
            right.append(-1)
            leaf_size.append(len(part))
            if depth >= limit or len(part) <= 1:
                continue
            spans = part.max(0) - part.min(0)
            usable = np.flatnonzero(spans > 0)
            if not len(usable):
                continue
            q = int(rng.choice(usable))
            lo, hi = part[:, q].min(), part[:, q].max()
            cut = rng.uniform(lo, hi)
            feature[node], threshold[node] = q, cut
            go_left = part[:, q] < cut
            stack.append((part[~go_left], depth + 1, node, 1))
            stack.append((part[go_left], depth + 1, node, 0))
        return (np.array(feature), np.array(threshold), np.array(left), np.array(right), np.array(leaf_size))

    def score(self, X: np.ndarray) -> np.ndarray:
        total = np.zeros(len(X))
        rows = np.arange(len(X))
        for feature, threshold, left, right, leaf_size in self.forest:
            node = np.zeros(len(X), dtype=np.int64)
            depth = np.zeros(len(X))
            active = feature[node] >= 0
            while active.any():
                r, nd = rows[active], node[active]
                go_left = X[r, feature[nd]] < threshold[nd]
                node[active] = np.where(go_left, left[nd], right[nd])
                depth[active] += 1
                active = feature[node] >= 0
            total += depth + np.array([_c(s) for s in leaf_size])[node]
        mean = total / len(self.forest)
        return 2 ** (-mean / _c(self.psi))


def anomalies(users: np.ndarray, X: np.ndarray, starts: np.ndarray, ends: np.ndarray, p: dict) -> list[Hit]:
    if len(X) < p["min_accounts"]:
        return []
    # Robust scaling so no single feature's unit decides where random cuts fall more often.
    median = np.median(X, axis=0)
    spread = np.percentile(X, 90, axis=0) - np.percentile(X, 10, axis=0)
    Z = (X - median) / np.where(spread > 0, spread, 1)
    forest = IsolationForest(int(p["trees"]), int(p["sample"]), int(p["seed"])).fit(Z)
    scores = forest.score(Z)
    cut = max(float(np.quantile(scores, p["quantile"])), p["min_score"])
    hits = []
    for k in np.flatnonzero(scores >= cut):
        evidence = ev_.base(ANOMALY.name, {"score": scores[k], "cut": cut}, p)
        evidence["features"] = {name: round(float(v), 3) for name, v in zip(FEATURES, X[k], strict=True)}
        hits.append(Hit(ANOMALY.name, int(users[k]), float(min(scores[k], 0.99)), float(starts[k]), float(ends[k]),
                        evidence))
    return hits
