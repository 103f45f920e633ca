"""Each learner's own history, for the detectors that compare a day with the learner's habits.

A profile holds the days the learner was seen, a decayed histogram of their activity by local hour, and
the devices and regions they used most recently. Profiles are one packed array per day (the state at the
end of that day, :class:`~zhijiao.monitoring.detection.models.Profile`); scoring day D reads the newest
before D, so scoring a day again gives the same answer.
"""

from __future__ import annotations

import numpy as np

from zhijiao.monitoring.detection.frame import DayFrame
from zhijiao.monitoring.detection.models import Profile

DEVICES, REGIONS = 8, 4
DECAY = 0.9
PROFILE = np.dtype([("user", "i8"), ("days", "i2"), ("last_day", "i4"), ("hours", "f4", 24),
                    ("devices", "i8", DEVICES), ("regions", "i2", REGIONS)])


class Aligned:
    """Profile columns aligned with a list of users (zeros for a learner without history)."""

    def __init__(self, table: np.ndarray, users: np.ndarray):
        n = len(users)
        pos = np.searchsorted(table["user"], users) if len(table) else np.zeros(n, dtype=np.int64)
        pos = np.minimum(pos, max(len(table) - 1, 0))
        found = (table["user"][pos] == users) if len(table) else np.zeros(n, dtype=bool)
        self.days = np.where(found, table["days"][pos] if len(table) else 0, 0)
        self.hours = np.where(found[:, None], table["hours"][pos] if len(table) else 0, 0)
        self.devices = np.where(found[:, None], table["devices"][pos] if len(table) else 0, 0)
        self.regions = np.where(found[:, None], table["regions"][pos] if len(table) else 0, 0)


class History:
    def __init__(self, table: np.ndarray, day: int | None):
        self.table = table
        self.day = day

    def aligned(self, users: np.ndarray) -> Aligned:
        return Aligned(self.table, users)


_CACHE: dict[int, History] = {}


def before(day: int) -> History:
    """The newest profiles from before ``day`` (empty when there are none)."""
    row = Profile.objects.filter(day__lt=day).order_by("-day").values_list("day", "updated_at").first()
    if row is None:
        return History(np.zeros(0, dtype=PROFILE), None)
    cached = _CACHE.get(day)
    if cached is not None and cached.day == row[0] and getattr(cached, "stamp", None) == row[1]:
        return cached
    data = Profile.objects.filter(day=row[0]).values_list("data", flat=True).first()
    history = History(np.frombuffer(bytes(data), dtype=PROFILE).copy(), row[0])
    history.stamp = row[1]
    _CACHE.clear()
    _CACHE[day] = history
    return history


def summarise(f: DayFrame) -> np.ndarray:
    """Today's contribution of the chunk's learners: hours, devices (most used first), regions."""
    out = np.zeros(f.n_users, dtype=PROFILE)
    out["user"] = f.users
    out["days"] = 1
    out["last_day"] = f.day
    hour = np.clip(((f.t - f.day_start) // 3600).astype(np.int64), 0, 23)
    counts = np.bincount(f.ui * 24 + hour, minlength=f.n_users * 24).reshape(f.n_users, 24)
    out["hours"] = counts / np.maximum(counts.sum(1, keepdims=True), 1)
    for column, width, field in (("device", DEVICES, "devices"), ("region", REGIONS, "regions")):
        values = f.ev[column].astype(np.int64)
        order = np.lexsort((values, f.ui))
        u, v = f.ui[order], values[order]
        change = np.r_[True, (u[1:] != u[:-1]) | (v[1:] != v[:-1])]
        first = np.flatnonzero(change)
        n = np.diff(np.r_[first, len(v)])
        uu, vv = u[first], v[first]
        ranked = np.lexsort((-n, uu))
        uu, vv = uu[ranked], vv[ranked]
        rank = np.arange(len(uu)) - np.searchsorted(uu, uu)
        keep = (rank < width) & (vv != 0)
        out[field][uu[keep], rank[keep]] = vv[keep]
    return out


def merge(previous: np.ndarray, today: np.ndarray) -> np.ndarray:
    """The profiles at the end of today: yesterday's, updated with today's learners."""
    today = np.sort(today, order="user")
    if not len(previous):
        return today
    pos = np.searchsorted(previous["user"], today["user"])
    pos_c = np.minimum(pos, len(previous) - 1)
    seen = previous["user"][pos_c] == today["user"]
    merged = today.copy()
    old = previous[pos_c[seen]]
    merged["days"][seen] = old["days"] + 1
    merged["hours"][seen] = old["hours"] * DECAY + today["hours"][seen]
    for field, width in (("devices", DEVICES), ("regions", REGIONS)):
        new_rows, old_rows = today[field][seen], old[field]
        combined = np.concatenate([new_rows, old_rows], axis=1)
        result = np.zeros_like(new_rows)
        for k in range(len(combined)):
            _values, first = np.unique(combined[k], return_index=True)
            ordered = combined[k][np.sort(first)]
            ordered = ordered[ordered != 0][:width]
            result[k, :len(ordered)] = ordered
        merged[field][seen] = result
    untouched = np.ones(len(previous), dtype=bool)
    untouched[pos_c[seen]] = False
    return np.sort(np.concatenate([previous[untouched], merged]), order="user")


def save(day: int, previous: np.ndarray, summaries: list[np.ndarray]) -> None:
    today = np.concatenate(summaries) if summaries else np.zeros(0, dtype=PROFILE)
    table = merge(previous, today)
    Profile.objects.update_or_create(day=day, defaults={"data": table.tobytes()})
