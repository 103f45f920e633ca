"""Columns derived once per chunk of a day's events (sorted by user, then time) and shared by the detectors:
learner boundaries, player sessions, and the playing stretches between consecutive player statements."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from zhijiao.monitoring.detection import vocab

# A playing stretch longer than this (wall clock) is cut: a player reports at least every 30 s while playing,
# so a longer silence means it stopped without saying so (a closed laptop).
MAX_STRETCH = 90.0


def group_sum(index: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(index, weights=values, minlength=size)[:size]


def group_max(index: np.ndarray, values: np.ndarray, size: int, empty: float = 0.0) -> np.ndarray:
    out = np.full(size, empty, dtype=float)
    np.maximum.at(out, index, values)
    return out


class DayFrame:
    """One chunk of one day: ``ev`` is a REC array sorted by (user, ts) holding whole learners."""

    def __init__(self, ev: np.ndarray, day: int, day_start: float):
        self.ev = ev
        self.day = day
        self.day_start = day_start
        self.n = len(ev)
        u = ev["user"]
        self.starts = np.flatnonzero(np.r_[True, u[1:] != u[:-1]]) if self.n else np.zeros(0, dtype=np.int64)
        self.ends = np.r_[self.starts[1:], self.n].astype(np.int64)
        self.users = u[self.starts].astype(np.int64)
        self.n_users = len(self.users)
        self.ui = np.repeat(np.arange(self.n_users), self.ends - self.starts)
        self.t = ev["ts"]
        self.verb = ev["verb"]

    def user_slice(self, i: int) -> np.ndarray:
        return self.ev[self.starts[i]:self.ends[i]]

    @cached_property
    def video_order(self) -> np.ndarray:
        """Indexes of the player statements, ordered by (user, session, time)."""
        idx = np.flatnonzero(self.ev["kind"] == vocab.KIND_VIDEO)
        order = np.lexsort((self.t[idx], self.ev["session"][idx], self.ev["user"][idx]))
        return idx[order]

    @cached_property
    def session_group(self) -> np.ndarray:
        """For each position of ``video_order``, the number of its player session (0, 1, ... in that order)."""
        o = self.video_order
        if not len(o):
            return np.zeros(0, dtype=np.int64)
        s, u = self.ev["session"][o], self.ev["user"][o]
        change = np.r_[True, (s[1:] != s[:-1]) | (u[1:] != u[:-1])]
        return np.cumsum(change) - 1

    @cached_property
    def stretches(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Playing stretches: (positions in ``video_order`` of the start and the end, per stretch)."""
        o, g = self.video_order, self.session_group
        if len(o) < 2:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        a, b = np.arange(len(o) - 1), np.arange(1, len(o))
        va, vb = self.verb[o[a]], self.verb[o[b]]
        keep = (g[a] == g[b]) & np.isin(va, vocab.PLAYING_FROM) & np.isin(vb, vocab.PLAYING_TO)
        return a[keep], b[keep], self.ui[o[a[keep]]]

    @cached_property
    def sessions(self) -> dict[str, np.ndarray]:
        """Per player session: user index, first and last time, object, device."""
        o, g = self.video_order, self.session_group
        if not len(o):
            z = np.zeros(0)
            return {"ui": z.astype(np.int64), "start": z, "end": z, "obj": z.astype(np.int64),
                    "device": z.astype(np.int64), "first": z.astype(np.int64)}
        first = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
        last = np.r_[first[1:] - 1, len(o) - 1]
        return {"ui": self.ui[o[first]], "start": self.t[o[first]], "end": self.t[o[last]],
                "obj": self.ev["obj"][o[first]], "device": self.ev["device"][o[first]], "first": first}
