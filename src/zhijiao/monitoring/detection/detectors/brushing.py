"""刷课 — scripted or bot course-brushing, one learner's day at a time.

Each function takes a :class:`~zhijiao.monitoring.detection.frame.DayFrame` and the detector's parameters
and returns the hits. They are vectorised over the whole chunk; evidence is built only for the learners
who fire. docs/monitoring.md explains each behaviour, signal and threshold.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from django.utils.translation import gettext_lazy as _

from zhijiao.monitoring.detection import evidence as ev_
from zhijiao.monitoring.detection import vocab
from zhijiao.monitoring.detection.detectors.base import Detector, Hit
from zhijiao.monitoring.detection.detectors.union import Union
from zhijiao.monitoring.detection.frame import MAX_STRETCH, DayFrame, group_max, group_sum

KIND = "brushing"

SPEED_LIMIT = Detector(
    "speed_limit", KIND, _("Playback above the allowed speed"),
    _("Player statements declare a playback rate above the course's allowed maximum."),
    {"max_speed": 2.0, "min_seconds": 120.0})
PROGRESS_VS_CLOCK = Detector(
    "progress_vs_clock", KIND, _("Progress faster than the clock"),
    _("The playhead advances faster than wall-clock time allows at the maximum speed, whatever rate is declared."),
    {"max_speed": 2.0, "tolerance": 0.15, "slack_seconds": 3.0, "min_video_seconds": 180.0})
CONCURRENT_VIDEOS = Detector(
    "concurrent_videos", KIND, _("Several videos playing at once"),
    _("Two or more player sessions of one account are playing at the same time (several tabs or windows)."),
    {"min_overlap_seconds": 600.0})
AROUND_THE_CLOCK = Detector(
    "around_the_clock", KIND, _("Activity around the clock"),
    _("Activity in nearly every half hour of the day with no break long enough to sleep."),
    {"min_active_half_hours": 40, "max_break_hours": 3.0})
REGULARITY = Detector(
    "regularity", KIND, _("Breaks too regular to be human"),
    _("The pauses and the breaks between videos have too little spread (coefficient of variation) and too "
      "little entropy; people's breaks range from seconds to hours."),
    {"min_breaks": 20, "max_cv": 0.8, "max_entropy_bits": 3.0})
END_JUMP = Detector(
    "end_jump", KIND, _("Jumps to the end"),
    _("The playhead is moved to the end of a video that was mostly not played, and the video is then completed."),
    {"end_share": 0.9, "max_played_share": 0.5, "min_sessions": 2})
NO_INTERACTION = Detector(
    "no_interaction", KIND, _("Hours without any interaction"),
    _("Videos play continuously for hours with no pause, seek, answer or other action of a person."),
    {"min_hours": 4.0, "max_silence_seconds": 120.0})

DETECTORS = [SPEED_LIMIT, PROGRESS_VS_CLOCK, CONCURRENT_VIDEOS, AROUND_THE_CLOCK, REGULARITY, END_JUMP,
             NO_INTERACTION]


def _stretch_values(f: DayFrame):
    a, b, ui = f.stretches
    o = f.video_order
    ta, tb = f.t[o[a]], f.t[o[b]]
    pa, pb = f.ev["time"][o[a]], f.ev["time"][o[b]]
    return ui, ta, tb, pb - pa, f.ev["speed"][o[a]]


def _hit(det: Detector, f: DayFrame, i: int, score: float, figures: dict, p: dict, *, timeline=True,
         sessions=None) -> Hit:
    ev = f.user_slice(i)
    evidence = ev_.base(det.name, figures, p)
    if timeline:
        ev_.with_timeline(evidence, ev, sessions)
    video = ev[ev["kind"] == vocab.KIND_VIDEO]
    course = int(video["course"][0]) if len(video) else 0
    return Hit(det.name, int(f.users[i]), min(score, 0.99), float(ev["ts"][0]), float(ev["ts"][-1]), evidence,
               course=course)


def speed_limit(f: DayFrame, p: dict) -> list[Hit]:
    ui, ta, tb, dp, speed = _stretch_values(f)
    dt = np.minimum(tb - ta, MAX_STRETCH)
    over = speed > p["max_speed"] + 1e-6
    seconds = group_sum(ui[over], dt[over], f.n_users)
    top = group_max(ui[over], speed[over], f.n_users)
    hits = []
    for i in np.flatnonzero(seconds >= p["min_seconds"]):
        hits.append(_hit(SPEED_LIMIT, f, i, 0.9 + min(seconds[i] / 36000, 0.09),
                         {"max_speed": top[i], "seconds_over": seconds[i]}, p))
    return hits


def progress_vs_clock(f: DayFrame, p: dict) -> list[Hit]:
    ui, ta, tb, dp, _speed = _stretch_values(f)
    dt = tb - ta
    valid = dt >= 2.0  # statements sent together carry the same time: no rate can be read from them
    allowed = dt * p["max_speed"] * (1 + p["tolerance"]) + p["slack_seconds"]
    fast = valid & (dp > allowed)
    video_seconds = group_sum(ui[fast], dp[fast], f.n_users)
    rate = np.where(valid, dp / np.maximum(dt, 1e-9), 0.0)
    top = group_max(ui[fast], rate[fast], f.n_users)
    hits = []
    for i in np.flatnonzero(video_seconds >= p["min_video_seconds"]):
        hits.append(_hit(PROGRESS_VS_CLOCK, f, i, 0.9 + min(video_seconds[i] / 36000, 0.09),
                         {"max_rate": top[i], "fast_video_seconds": video_seconds[i]}, p))
    return hits


def concurrent_videos(f: DayFrame, p: dict) -> list[Hit]:
    a, b, ui = f.stretches
    if not len(a):
        return []
    o = f.video_order
    start = f.t[o[a]]
    end = np.minimum(f.t[o[b]], start + MAX_STRETCH)
    # A sweep over +1 at each start and -1 at each end, per learner: the running sum is how many sessions
    # play at once. Ends sort before starts at the same instant, so back-to-back stretches do not overlap.
    users = np.r_[ui, ui]
    times = np.r_[start, end]
    delta = np.r_[np.ones(len(a)), -np.ones(len(a))]
    order = np.lexsort((delta, times, users))
    users, times, delta = users[order], times[order], delta[order]
    running = np.cumsum(delta)
    span = np.r_[times[1:] - times[:-1], 0.0]
    same = np.r_[users[1:] == users[:-1], False]
    both = same & (running >= 2)
    overlap = group_sum(users[both], span[both], f.n_users)
    hits = []
    for i in np.flatnonzero(overlap >= p["min_overlap_seconds"]):
        s = f.sessions
        mine = s["ui"] == i
        hits.append(_hit(CONCURRENT_VIDEOS, f, i, 0.9 + min(overlap[i] / 72000, 0.09),
                         {"overlap_seconds": overlap[i], "sessions": int(mine.sum())}, p))
    return hits


def around_the_clock(f: DayFrame, p: dict) -> list[Hit]:
    if not f.n:
        return []
    slot = np.clip(((f.t - f.day_start) // 1800).astype(np.int64), 0, 47)
    occupied = np.unique(f.ui * 48 + slot)
    half_hours = np.bincount(occupied // 48, minlength=f.n_users)
    gaps = np.r_[0.0, np.diff(f.t)]
    gaps[f.starts] = f.t[f.starts] - f.day_start  # from midnight to the first event
    longest = np.maximum.reduceat(gaps, f.starts)
    tail = (f.day_start + 86400) - f.t[f.ends - 1]
    longest = np.maximum(longest, tail)
    hits = []
    for i in np.flatnonzero((half_hours >= p["min_active_half_hours"]) & (longest < p["max_break_hours"] * 3600)):
        hit = _hit(AROUND_THE_CLOCK, f, i, 0.95,
                   {"active_half_hours": half_hours[i], "longest_break_hours": longest[i] / 3600}, p, timeline=False)
        hit.evidence["hours"] = ev_.hours(f.user_slice(i), f.day_start)
        hits.append(hit)
    return hits


def _breaks(f: DayFrame) -> tuple[np.ndarray, np.ndarray]:
    """The intervals a person decides: pauses within a session, and breaks between sessions (user index, s)."""
    o, g = f.video_order, f.session_group
    out_u, out_g = [], []
    if len(o) > 1:
        a, b = np.arange(len(o) - 1), np.arange(1, len(o))
        paused = (g[a] == g[b]) & (f.verb[o[a]] == vocab.PAUSED) & (f.verb[o[b]] == vocab.PLAYED)
        out_u.append(f.ui[o[a[paused]]])
        out_g.append(f.t[o[b[paused]]] - f.t[o[a[paused]]])
    s = f.sessions
    if len(s["ui"]) > 1:
        order = np.lexsort((s["start"], s["ui"]))
        su, st, se = s["ui"][order], s["start"][order] - f.day_start, s["end"][order] - f.day_start
        # The latest end of the learner's earlier sessions (sessions may overlap): a running maximum, kept
        # per learner by offsetting each learner's times far above the previous learner's.
        offset = su * 1e6
        reach = np.maximum.accumulate(se + offset) - offset
        gap = st - np.r_[-np.inf, reach[:-1]]
        keep = np.r_[False, su[1:] == su[:-1]] & (gap > 0)
        out_u.append(su[keep])
        out_g.append(gap[keep])
    if not out_u:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(out_u), np.concatenate(out_g)


ENTROPY_BINS = 28  # half-octave bins of 1 s … 2^14 s (4.5 h)


def regularity(f: DayFrame, p: dict) -> list[Hit]:
    ui, gaps = _breaks(f)
    keep = (gaps >= 1.0) & (gaps < 3 * 3600)
    ui, gaps = ui[keep], gaps[keep]
    n = np.bincount(ui, minlength=f.n_users)
    candidates = n >= p["min_breaks"]
    if not candidates.any():
        return []
    total = group_sum(ui, gaps, f.n_users)
    squares = group_sum(ui, gaps * gaps, f.n_users)
    mean = total / np.maximum(n, 1)
    cv = np.sqrt(np.maximum(squares / np.maximum(n, 1) - mean * mean, 0)) / np.maximum(mean, 1e-9)
    bins = np.clip((np.log2(gaps) * 2).astype(np.int64), 0, ENTROPY_BINS - 1)
    counts = np.bincount(ui * ENTROPY_BINS + bins, minlength=f.n_users * ENTROPY_BINS).reshape(f.n_users, -1)
    share = counts / np.maximum(counts.sum(1, keepdims=True), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.nansum(np.where(share > 0, share * np.log2(share), 0.0), axis=1)
    fire = candidates & (cv < p["max_cv"]) & (entropy < p["max_entropy_bits"])
    hits = []
    for i in np.flatnonzero(fire):
        hit = _hit(REGULARITY, f, i, 0.8 + 0.1 * (1 - cv[i] / p["max_cv"]),
                   {"breaks": n[i], "cv": cv[i], "entropy_bits": entropy[i]}, p)
        hit.evidence["gaps"] = [round(float(x), 1) for x in gaps[ui == i][:200]]
        hits.append(hit)
    return hits


def end_jump(f: DayFrame, p: dict) -> list[Hit]:
    o, g = f.video_order, f.session_group
    if len(o) < 2:
        return []
    a, b, _ui = f.stretches
    played = np.zeros(len(o))
    played[b] = np.maximum(f.ev["time"][o[b]] - f.ev["time"][o[a]], 0)
    cumulative = np.cumsum(played)
    session_base = cumulative[f.sessions["first"]] - played[f.sessions["first"]]
    before = cumulative - session_base[g]
    verb, length = f.verb[o], f.ev["length"][o]
    last_completed = np.full(g[-1] + 1, -1)
    done = np.flatnonzero(verb == vocab.COMPLETED)
    np.maximum.at(last_completed, g[done], done)
    jumps = np.flatnonzero((verb == vocab.SEEKED) & (length > 0) & (f.ev["time"][o] >= p["end_share"] * length)
                           & (before < p["max_played_share"] * length))
    jumps = jumps[last_completed[g[jumps]] > jumps]
    if not len(jumps):
        return []
    sessions = np.unique(g[jumps])
    per_user = np.bincount(f.ui[o[f.sessions["first"][sessions]]], minlength=f.n_users)
    hits = []
    for i in np.flatnonzero(per_user >= p["min_sessions"]):
        mine = sessions[f.sessions["ui"][sessions] == i]
        keys = {int(f.ev["session"][o[f.sessions["first"][k]]]) for k in mine[:20]}
        hits.append(_hit(END_JUMP, f, i, 0.85 + min(0.02 * per_user[i], 0.13),
                         {"sessions_jumped": per_user[i]}, p, sessions=keys))
    return hits


def no_interaction(f: DayFrame, p: dict) -> list[Hit]:
    if not f.n:
        return []
    gaps = np.r_[np.inf, np.diff(f.t)]
    # The player pauses by itself at the end of a video; that is not a person doing something.
    at_end = (f.verb == vocab.PAUSED) & (f.ev["length"] > 0) & (f.ev["time"] >= f.ev["length"] - 2)
    acted = np.isin(f.verb, vocab.INTERACTIONS) & ~at_end
    cut = (gaps > p["max_silence_seconds"]) | acted | (f.ev["kind"] != vocab.KIND_VIDEO)
    cut[f.starts] = True
    segment = np.cumsum(cut) - 1
    first = np.flatnonzero(cut)
    last = np.r_[first[1:] - 1, f.n - 1]
    duration = f.t[last] - f.t[first]
    owner = f.ui[first]
    longest = group_max(owner, duration, f.n_users)
    del segment
    hits = []
    for i in np.flatnonzero(longest >= p["min_hours"] * 3600):
        hits.append(_hit(NO_INTERACTION, f, i, 0.85 + min((longest[i] / 3600 - p["min_hours"]) * 0.02, 0.13),
                         {"longest_hours": longest[i] / 3600}, p))
    return hits


RUN = {"speed_limit": speed_limit, "progress_vs_clock": progress_vs_clock, "concurrent_videos": concurrent_videos,
       "around_the_clock": around_the_clock, "regularity": regularity, "end_jump": end_jump,
       "no_interaction": no_interaction}


SHARED_SCRIPT = Detector(
    "shared_script", KIND, _("One script replayed on many accounts"),
    _("Several accounts pause and seek at the same places of the same videos: the same action sequence replayed "
      "(sets of action tokens compared across accounts)."),
    {"bin_seconds": 20.0, "min_shared_tokens": 8, "min_jaccard": 0.5, "min_accounts": 4, "max_token_accounts": 200},
    scope="cross")
DETECTORS.append(SHARED_SCRIPT)

_MIX = np.int64(-7046029254386353131)  # 0x9E3779B97F4A7C15 as a signed 64-bit number


def collect_tokens(f: DayFrame, p: dict) -> np.ndarray:
    """(user, token) for every pause and seek: the video, the action and where in the video it happened.

    Starts, completions and heartbeats are the same for everybody who watches a video, so they say nothing
    about who is driving the player; where a person pauses and what they skip is personal."""
    # A pause at the very end is the player stopping by itself, the same for everybody.
    at_end = (f.ev["length"] > 0) & (f.ev["time"] >= f.ev["length"] - 2)
    idx = np.flatnonzero((f.ev["kind"] == vocab.KIND_VIDEO) & np.isin(f.verb, (vocab.PAUSED, vocab.SEEKED)) & ~at_end)
    out = np.empty(2 * len(idx), dtype=[("user", "i8"), ("token", "i8"), ("ts", "f8")])
    if not len(idx):
        return out
    size = p["bin_seconds"]
    # Two binnings half a bin apart: two replays of one script a few seconds apart share a token in at least
    # one of them, wherever the bin edges fall.
    for shift in (0, 1):
        offset = shift * size / 2
        at = ((f.ev["time"][idx] + offset) // size).astype(np.int64)
        source = np.where(f.verb[idx] == vocab.SEEKED, ((f.ev["aux"][idx] + offset) // size).astype(np.int64), -1)
        with np.errstate(over="ignore"):
            token = (f.ev["obj"][idx] * _MIX + f.verb[idx].astype(np.int64) * 1_000_003 + at * 7919
                     + source * 104_729 + shift * 15_485_863)
        part = slice(shift * len(idx), (shift + 1) * len(idx))
        out["user"][part], out["token"][part], out["ts"][part] = f.ev["user"][idx], token, f.t[idx]
    return out


def shared_script(rows: np.ndarray, p: dict) -> list[Hit]:
    if not len(rows):
        return []
    order = np.lexsort((rows["user"], rows["token"]))
    rows = rows[order]
    distinct = np.r_[True, (rows["token"][1:] != rows["token"][:-1]) | (rows["user"][1:] != rows["user"][:-1])]
    pairs_rows = rows[distinct]
    sizes = np.bincount(np.unique(pairs_rows["user"], return_inverse=True)[1])
    user_ids = np.unique(pairs_rows["user"])
    size_of = dict(zip(user_ids.tolist(), sizes.tolist(), strict=True))
    bounds = np.flatnonzero(np.r_[True, pairs_rows["token"][1:] != pairs_rows["token"][:-1], True])
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for s, e in zip(bounds[:-1], bounds[1:], strict=True):
        if 2 <= e - s <= p["max_token_accounts"]:
            users = pairs_rows["user"][s:e].tolist()
            for x in range(len(users)):
                for y in range(x + 1, len(users)):
                    shared[(users[x], users[y])] += 1
    union = Union()
    best: dict[int, float] = {}
    for (a, b), n in shared.items():
        if n < p["min_shared_tokens"]:
            continue
        jaccard = n / (size_of[a] + size_of[b] - n)
        if jaccard >= p["min_jaccard"]:
            union.union(a, b)
            best[a] = max(best.get(a, 0), jaccard)
            best[b] = max(best.get(b, 0), jaccard)
    groups: dict[int, set[int]] = defaultdict(set)
    for u in best:
        groups[union.find(u)].add(u)
    hits = []
    for members in groups.values():
        if len(members) < p["min_accounts"]:
            continue
        for u in sorted(members):
            own = rows[rows["user"] == u]
            evidence = ev_.base(SHARED_SCRIPT.name, {"accounts": len(members), "best_jaccard": best[u],
                                                     "tokens": size_of[u]}, p)
            ev_.accounts(evidence, members - {u})
            hits.append(Hit(SHARED_SCRIPT.name, u, min(0.85 + 0.1 * best[u], 0.97), float(own["ts"].min()),
                            float(own["ts"].max()), evidence))
    return hits
