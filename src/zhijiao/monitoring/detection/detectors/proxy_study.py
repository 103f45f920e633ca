"""替课 — someone else studies for the account: shared operator devices, impossible travel, and a sudden
change of device and rhythm against the learner's own history."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from django.utils.translation import gettext_lazy as _

from zhijiao.monitoring.detection import evidence as ev_
from zhijiao.monitoring.detection import geo
from zhijiao.monitoring.detection.detectors.base import Detector, Hit
from zhijiao.monitoring.detection.detectors.union import Union
from zhijiao.monitoring.detection.frame import DayFrame

KIND = "proxy_study"

DEVICE_SHARING = Detector(
    "device_sharing", KIND, _("One device serving accounts of several universities (代刷)"),
    _("A device, or an address with one browser, is used by several accounts from different universities on "
      "one day, and such links join a group of accounts spread over several universities. An address shared "
      "by many devices (a campus or mobile network) links nobody."),
    {"min_accounts": 5, "min_universities": 3, "hub_min_accounts": 3, "hub_min_universities": 2,
     "max_hub_accounts": 200, "address_max_devices_per_account": 0.5, "campus_share": 0.7},
    scope="cross")
IMPOSSIBLE_TRAVEL = Detector(
    "impossible_travel", KIND, _("Impossible travel"),
    _("Consecutive activity from places too far apart for the time between them (IP location)."),
    {"max_kmh": 900.0, "overhead_hours": 0.5, "min_km": 300.0, "min_jumps": 2})
DEVICE_RHYTHM_CHANGE = Detector(
    "device_rhythm_change", KIND, _("Sudden change of device and rhythm"),
    _("Nearly all of the day's activity comes from devices this learner never used, at hours unlike their own "
      "habit: hours at which their own history shows (almost) no activity."),
    {"min_history_days": 3, "min_events": 40, "new_device_share": 0.9, "quiet_hour_share": 0.01,
     "min_unusual_share": 0.6, "min_unusual_share_same_region": 0.9},
    scope="history")

DETECTORS = [DEVICE_SHARING, IMPOSSIBLE_TRAVEL, DEVICE_RHYTHM_CHANGE]

_DISTANCES = None


def _distances() -> np.ndarray:
    global _DISTANCES
    if _DISTANCES is None:
        _DISTANCES = np.array(geo.distance_table())
    return _DISTANCES


def _course_of(ev) -> int:
    return int(ev["course"][0]) if len(ev) else 0


def impossible_travel(f: DayFrame, p: dict) -> list[Hit]:
    located = np.flatnonzero(f.ev["region"] > 0)
    if len(located) < 2:
        return []
    r, t, u = f.ev["region"][located], f.t[located], f.ui[located]
    a, b = np.arange(len(located) - 1), np.arange(1, len(located))
    change = (u[a] == u[b]) & (r[a] != r[b])
    a, b = a[change], b[change]
    km = _distances()[r[a], r[b]]
    hours = (t[b] - t[a]) / 3600
    jump = (km >= p["min_km"]) & (hours < km / p["max_kmh"] + p["overhead_hours"])
    counts = np.bincount(u[b[jump]], minlength=f.n_users)
    hits = []
    for i in np.flatnonzero(counts >= p["min_jumps"]):
        ev = f.user_slice(i)
        mine = jump & (u[b] == i)
        logins = []
        for k in np.flatnonzero(mine)[:50]:
            for x in (located[a[k]], located[b[k]]):
                row = f.ev[x]
                code = geo.CODE_OF.get(int(row["region"]), "")
                net = int(row["ipnet"])
                logins.append({"t": ev_.ms(row["ts"]), "region": code, "region_name": geo.REGIONS.get(code, ("",))[0],
                               "ip": f"{net >> 8}.{net & 255}.*.*"})
        evidence = ev_.base(IMPOSSIBLE_TRAVEL.name, {"jumps": counts[i], "max_km": km[mine].max()}, p)
        evidence["logins"] = logins
        hits.append(Hit(IMPOSSIBLE_TRAVEL.name, int(f.users[i]), min(0.8 + 0.05 * counts[i], 0.97),
                        float(ev["ts"][0]), float(ev["ts"][-1]), evidence, course=_course_of(ev)))
    return hits


def device_rhythm_change(f: DayFrame, p: dict, history) -> list[Hit]:
    """``history`` is the profiles of ``f.users`` (``profiles.Aligned``)."""
    counts = np.diff(np.r_[f.starts, f.n])
    candidates = (history.days >= p["min_history_days"]) & (counts >= p["min_events"])
    if not candidates.any():
        return []
    known = (history.devices[f.ui] == f.ev["device"][:, None]).any(axis=1) & (f.ev["device"] != 0)
    new_share = 1 - np.bincount(f.ui, weights=known, minlength=f.n_users) / np.maximum(counts, 1)
    hits = []
    for i in np.flatnonzero(candidates & (new_share >= p["new_device_share"])):
        ev = f.user_slice(i)
        today = np.array(ev_.hours(ev, f.day_start), dtype=float)
        usual = history.hours[i].astype(float)
        usual = _smooth(usual / max(usual.sum(), 1e-9))
        # Activity at hours this learner is (nearly) never active: people keep their sleeping hours.
        unusual = float(today[usual < p["quiet_hour_share"]].sum() / max(today.sum(), 1))
        # From a region the learner never studied in, unusual hours are enough; from home, nearly all of the
        # day must fall in the learner's sleeping hours.
        located = ev["region"][ev["region"] > 0]
        new_region = float(np.mean(~np.isin(located, history.regions[i]))) if len(located) else 0.0
        needed = p["min_unusual_share"] if new_region >= 0.5 else p["min_unusual_share_same_region"]
        if unusual < needed:
            continue
        evidence = ev_.base(DEVICE_RHYTHM_CHANGE.name,
                            {"new_device_share": new_share[i], "unusual_hour_share": unusual,
                             "new_region_share": new_region,
                             "history_days": int(history.days[i])}, p)
        evidence["hours"] = ev_.hours(ev, f.day_start)
        evidence["history_hours"] = [round(float(x), 4) for x in history.hours[i] / max(history.hours[i].sum(), 1e-9)]
        evidence["devices"] = sorted({ev_.device_label(d) for d in np.unique(ev["device"])})[:20]
        hits.append(Hit(DEVICE_RHYTHM_CHANGE.name, int(f.users[i]), 0.75 + 0.2 * unusual,
                        float(ev["ts"][0]), float(ev["ts"][-1]), evidence, course=_course_of(ev)))
    return hits


def _smooth(h: np.ndarray) -> np.ndarray:
    """Spread each hour over two hours either side (circularly): a learner who studied at 10 and at 14 may well
    study at 12 or 8 too; what stays (almost) empty is the time they sleep."""
    return (np.roll(h, -2) + 2 * np.roll(h, -1) + 3 * h + 2 * np.roll(h, 1) + np.roll(h, 2)) / 9


# --- Across accounts ---------------------------------------------------------------------------------------

def collect_devices(f: DayFrame) -> np.ndarray:
    """(user, device, ip, ua, first, last) once per distinct (user, device, ip, ua) of the chunk."""
    ev = f.ev
    if not f.n:
        return _stack([np.zeros(0, dtype=np.int64)] * 4, np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0))
    order = np.lexsort((ev["ua"], ev["ip"], ev["device"], ev["user"]))
    cols = [ev["user"][order].astype(np.int64), ev["device"][order], ev["ip"][order], ev["ua"][order]]
    change = np.r_[True, (cols[0][1:] != cols[0][:-1]) | (cols[1][1:] != cols[1][:-1])
                   | (cols[2][1:] != cols[2][:-1]) | (cols[3][1:] != cols[3][:-1])]
    first = np.flatnonzero(change)
    t = ev["ts"][order]
    start = np.minimum.reduceat(t, first)
    end = np.maximum.reduceat(t, first)
    return _stack(cols, first, start, end)


def _stack(cols, first, start, end):
    out = np.empty(len(first), dtype=[("user", "i8"), ("device", "i8"), ("ip", "i8"), ("ua", "i8"),
                                      ("first", "f8"), ("last", "f8")])
    for name, c in zip(("user", "device", "ip", "ua"), cols, strict=True):
        out[name] = c[first]
    out["first"], out["last"] = start, end
    return out


def device_sharing(rows: np.ndarray, universities: dict[int, int], p: dict) -> list[Hit]:
    if not len(rows):
        return []
    uni = np.array([universities.get(int(u), -int(u)) for u in rows["user"]])  # unknown: its own "university"
    union = Union()
    hub_of: dict[int, list] = defaultdict(list)

    def hubs(key: np.ndarray, label: str, devices_ok=None):
        order = np.argsort(key, kind="stable")
        k = key[order]
        bounds = np.flatnonzero(np.r_[True, k[1:] != k[:-1], True])
        for s, e in zip(bounds[:-1], bounds[1:], strict=True):
            if e - s < p["hub_min_accounts"] or k[s] == 0:
                continue
            members = order[s:e]
            users = np.unique(rows["user"][members])
            if not (p["hub_min_accounts"] <= len(users) <= p["max_hub_accounts"]):
                continue
            unis, counts = np.unique(uni[members], return_counts=True)
            if len(unis) < p["hub_min_universities"] or counts.max() / counts.sum() >= p["campus_share"]:
                continue  # one university's shared machine or network: a campus, not an operator
            if devices_ok is not None and not devices_ok(members, len(users)):
                continue
            for u in users[1:]:
                union.union(int(users[0]), int(u))
            for u in users:
                hub_of[int(u)].append((label, int(k[s]), len(users)))

    hubs(rows["device"], "device")

    def few_devices(members, n_users):
        # A network with (almost) one device per account is a NAT or carrier network of independent people.
        return len(np.unique(rows["device"][members])) <= p["address_max_devices_per_account"] * n_users

    hubs(rows["ip"] * 1000003 + rows["ua"], "address", few_devices)
    groups: dict[int, set[int]] = defaultdict(set)
    for u in hub_of:
        groups[union.find(u)].add(u)
    user_uni = dict(zip(rows["user"].tolist(), uni.tolist(), strict=False))
    hits = []
    for members in groups.values():
        spread = len({user_uni[u] for u in members})
        if len(members) < p["min_accounts"] or spread < p["min_universities"]:
            continue
        mine = np.isin(rows["user"], list(members))
        devices = sorted({ev_.device_label(d) for d in np.unique(rows["device"][mine]) if d})
        for u in sorted(members):
            own = rows[rows["user"] == u]
            evidence = ev_.base(DEVICE_SHARING.name, {"accounts": len(members), "universities": spread,
                                                      "shared_hubs": len(hub_of[u])}, p)
            ev_.accounts(evidence, members - {u})
            evidence["universities"] = spread
            evidence["devices"] = devices[:50]
            hits.append(Hit(DEVICE_SHARING.name, u, min(0.85 + 0.01 * len(members), 0.98),
                            float(own["first"].min()), float(own["last"].max()), evidence))
    return hits


RUN = {"impossible_travel": impossible_travel}
