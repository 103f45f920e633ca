"""刷考 (scripted answering, answer copying, CAMEO harvesting) and 替考 (substitute exam takers)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from django.utils.translation import gettext_lazy as _

from zhijiao.monitoring.detection import evidence as ev_
from zhijiao.monitoring.detection import vocab
from zhijiao.monitoring.detection.detectors.base import Detector, Hit
from zhijiao.monitoring.detection.detectors.union import Union
from zhijiao.monitoring.detection.frame import DayFrame

SCRIPTING, PROXY = "exam_scripting", "proxy_exam"

ANSWER_SPEED = Detector(
    "answer_speed", SCRIPTING, _("Answers faster than reading"),
    _("Most answers come faster than a person can read the item (its length at a very fast reading speed) "
      "and are nevertheless right."),
    {"base_seconds": 1.0, "chars_per_second": 20.0, "min_answers": 8, "min_fast_share": 0.6,
     "min_fast_accuracy": 0.8})
IDENTICAL_ANSWERS = Detector(
    "identical_answers", SCRIPTING, _("Identical answer sequences"),
    _("Accounts give the same responses to the same items, including the same wrong responses."),
    {"min_shared_wrong": 4, "min_common_items": 8, "min_agreement": 0.9, "min_wrong_shared": 0.6,
     "max_group": 150},
    scope="cross")
CAMEO = Detector(
    "cameo", SCRIPTING, _("Harvester and master accounts (CAMEO)"),
    _("One account finds the answers by trying or revealing them; another account submits the right answers "
      "to the same items at the first attempt shortly afterwards and much faster than others, item after item "
      "(Northcutt, Ho & Chuang 2016)."),
    {"window_minutes": 120.0, "min_items": 10, "min_consistency": 0.9, "min_master_accuracy": 0.95,
     "max_harvester_accuracy": 0.4,
     "max_master_speed_ratio": 0.5,
     "max_candidates": 30},
    scope="cross")
REAUTH_FAILED = Detector(
    "reauth_failed", PROXY, _("Failed re-authentication"),
    _("Re-authentication during an exam failed repeatedly, or the exam went on after a failure without a pass."),
    {"min_failures": 2})
CONCURRENT_EXAMS = Detector(
    "concurrent_exam_sessions", PROXY, _("Concurrent exam sessions"),
    _("Two exam sessions of one account run at the same time on different devices."),
    {"min_overlap_seconds": 60.0})
NEW_EXAM_DEVICE = Detector(
    "new_exam_device", PROXY, _("Exam from a never-seen device and place"),
    _("The exam is taken on a device this learner never used, from a region they never studied in."),
    {"min_history_days": 3}, scope="history")
SNAPSHOT_FLAGGED = Detector(
    "snapshot_flagged", PROXY, _("Flagged webcam snapshots"),
    _("The exam's proctoring flagged webcam snapshots as possibly not the learner, for the responsible teacher "
      "to compare."),
    {"min_flags": 2, "low_similarity": 0.5})

DETECTORS = [ANSWER_SPEED, IDENTICAL_ANSWERS, CAMEO, REAUTH_FAILED, CONCURRENT_EXAMS, NEW_EXAM_DEVICE,
             SNAPSHOT_FLAGGED]


def _answer_seconds(f: DayFrame, idx: np.ndarray) -> np.ndarray:
    """Reported duration, or (without one) the time since the learner's previous statement."""
    previous = np.r_[np.nan, f.t[:-1]]
    previous[f.starts] = np.nan
    gap = f.t[idx] - previous[idx]
    dur = f.ev["dur"][idx].astype(float)
    return np.where(dur > 0, dur, gap)


def answer_speed(f: DayFrame, p: dict) -> list[Hit]:
    idx = np.flatnonzero((f.verb == vocab.ANSWERED) & (f.ev["chars"] > 0))
    if not len(idx):
        return []
    seconds = _answer_seconds(f, idx)
    floor = p["base_seconds"] + f.ev["chars"][idx] / p["chars_per_second"]
    judged = ~np.isnan(seconds)
    fast = judged & (seconds < floor)
    right = f.ev["success"][idx] == 1
    # Judged per sitting (an exam session, or a learner's answers in one course without a session): a script
    # may sit one exam while the learner does the exercises by hand.
    sittings = np.column_stack([f.ui[idx], f.ev["session"][idx], f.ev["course"][idx]])
    _keys, sitting = np.unique(sittings, axis=0, return_inverse=True)
    sitting = sitting.ravel()
    size = int(sitting.max()) + 1
    n = np.bincount(sitting[judged], minlength=size)
    n_fast = np.bincount(sitting[fast], minlength=size)
    fast_right = np.bincount(sitting[fast & right], minlength=size)
    share = n_fast / np.maximum(n, 1)
    accuracy = fast_right / np.maximum(n_fast, 1)
    owner = np.zeros(size, dtype=np.int64)
    owner[sitting] = f.ui[idx]
    hits = []
    fired = (n >= p["min_answers"]) & (share >= p["min_fast_share"]) & (accuracy >= p["min_fast_accuracy"])
    done = set()
    for k in np.flatnonzero(fired):
        i = int(owner[k])
        if i in done:
            continue
        done.add(i)
        mine = np.flatnonzero(sitting == k)
        answers = [{"t": ev_.ms(f.t[idx[j]]), "item": int(f.ev["obj"][idx[j]]),
                    "seconds": round(float(seconds[j]), 3) if judged[j] else None,
                    "floor": round(float(floor[j]), 3), "success": bool(right[j])} for j in mine[:ev_.ANSWERS_CAP]]
        evidence = ev_.base(ANSWER_SPEED.name, {"answers": n[k], "fast_share": share[k], "fast_accuracy": accuracy[k]}, p)
        evidence["answers"] = answers
        if len(mine) > ev_.ANSWERS_CAP:
            evidence["truncated"] = True
        hits.append(Hit(ANSWER_SPEED.name, int(f.users[i]), 0.8 + 0.19 * share[k], float(f.t[idx[mine[0]]]),
                        float(f.t[idx[mine[-1]]]), evidence, course=int(f.ev["course"][idx[mine[0]]])))
    return hits


ANSWER_ROW = np.dtype([("user", "i8"), ("item", "i8"), ("course", "i8"), ("ts", "f8"), ("resp", "i8"),
                       ("dur", "f4"), ("success", "i1"), ("verb", "u1")])


def collect_answers(f: DayFrame) -> np.ndarray:
    idx = np.flatnonzero(np.isin(f.verb, (vocab.ANSWERED, vocab.ANSWER_REVEALED)))
    out = np.empty(len(idx), dtype=ANSWER_ROW)
    out["user"], out["item"], out["course"] = f.ev["user"][idx], f.ev["obj"][idx], f.ev["course"][idx]
    out["ts"], out["resp"], out["success"], out["verb"] = f.t[idx], f.ev["resp"][idx], f.ev["success"][idx], f.verb[idx]
    out["dur"] = f.ev["dur"][idx]
    return out


def _first_answers(rows: np.ndarray) -> np.ndarray:
    """Each learner's first answer to each item (by time)."""
    rows = rows[rows["verb"] == vocab.ANSWERED]
    order = np.lexsort((rows["ts"], rows["item"], rows["user"]))
    rows = rows[order]
    first = np.r_[True, (rows["user"][1:] != rows["user"][:-1]) | (rows["item"][1:] != rows["item"][:-1])]
    return rows[first]


def identical_answers(rows: np.ndarray, p: dict) -> list[Hit]:
    if not len(rows):
        return []
    first = _first_answers(rows)
    wrong = first[(first["success"] == 0) & (first["resp"] != 0)]
    shared: dict[tuple[int, int], int] = defaultdict(int)
    order = np.lexsort((wrong["resp"], wrong["item"]))
    wrong = wrong[order]
    bounds = np.flatnonzero(np.r_[True, (wrong["item"][1:] != wrong["item"][:-1])
                                  | (wrong["resp"][1:] != wrong["resp"][:-1]), True])
    for s, e in zip(bounds[:-1], bounds[1:], strict=True):
        if 2 <= e - s <= p["max_group"]:
            users = sorted(set(wrong["user"][s:e].tolist()))
            for x in range(len(users)):
                for y in range(x + 1, len(users)):
                    shared[(users[x], users[y])] += 1
    candidates = [pair for pair, n in shared.items() if n >= p["min_shared_wrong"]]
    if not candidates:
        return []
    involved = {u for pair in candidates for u in pair}
    answers: dict[int, dict[int, int]] = defaultdict(dict)
    wrongs: dict[int, int] = defaultdict(int)
    mine = first[np.isin(first["user"], list(involved))]
    for row in mine:
        answers[int(row["user"])][int(row["item"])] = int(row["resp"])
        wrongs[int(row["user"])] += int(row["success"] == 0)
    union = Union()
    figures = {}
    for a, b in candidates:
        common = answers[a].keys() & answers[b].keys()
        if len(common) < p["min_common_items"]:
            continue
        agreement = sum(answers[a][k] == answers[b][k] for k in common) / len(common)
        # Copies share most of their mistakes; two people who both know the subject share few of theirs.
        wrong_shared = shared[(a, b)] / max(wrongs[a], wrongs[b], 1)
        if agreement >= p["min_agreement"] and wrong_shared >= p["min_wrong_shared"]:
            union.union(a, b)
            for u in (a, b):
                best = figures.get(u, (0, 0.0))
                figures[u] = max(best, (shared[(a, b)], agreement))
    groups: dict[int, set[int]] = defaultdict(set)
    for u in figures:
        groups[union.find(u)].add(u)
    hits = []
    for members in groups.values():
        for u in sorted(members):
            own = mine[mine["user"] == u]
            evidence = ev_.base(IDENTICAL_ANSWERS.name, {"shared_wrong": figures[u][0], "agreement": figures[u][1],
                                                         "ring_size": len(members)}, p)
            ev_.accounts(evidence, members - {u})
            evidence["answers"] = [{"t": ev_.ms(r["ts"]), "item": int(r["item"]), "success": bool(r["success"] == 1)}
                                   for r in own[:ev_.ANSWERS_CAP]]
            hits.append(Hit(IDENTICAL_ANSWERS.name, u, min(0.85 + 0.03 * figures[u][0], 0.98),
                            float(own["ts"].min()), float(own["ts"].max()), evidence, course=int(own["course"][0])))
    return hits


def cameo(rows: np.ndarray, p: dict) -> list[Hit]:
    """For every item, who knew the answer when (harvesters: after trying or revealing it) and who answered
    it right at the first attempt (masters); pairs that repeat item after item are CAMEO pairs."""
    if not len(rows):
        return []
    window = p["window_minutes"] * 60
    order = np.lexsort((rows["ts"], rows["user"], rows["item"]))
    rows = rows[order]
    item_bounds = np.flatnonzero(np.r_[True, rows["item"][1:] != rows["item"][:-1], True])
    matched: dict[tuple[int, int], list] = defaultdict(list)
    knew: dict[int, set[int]] = defaultdict(set)
    mastered: dict[int, set[int]] = defaultdict(set)
    answered: dict[int, set[int]] = defaultdict(set)
    item_median: dict[int, float] = {}
    took: dict[tuple[int, int], float] = {}
    for s, e in zip(item_bounds[:-1], item_bounds[1:], strict=True):
        block = rows[s:e]
        timed = block["dur"][(block["verb"] == vocab.ANSWERED) & (block["dur"] > 0)]
        item_median[int(block["item"][0])] = float(np.median(timed)) if len(timed) else 0.0
        knowers, masters = [], []  # (time known, user, tried first) / (time, user)
        ub = np.flatnonzero(np.r_[True, block["user"][1:] != block["user"][:-1], True])
        for a, b in zip(ub[:-1], ub[1:], strict=True):
            mine = block[a:b]
            user = int(mine["user"][0])
            head = mine[0]
            item = int(head["item"])
            answered[user].add(item)
            if head["verb"] == vocab.ANSWERED and head["success"] == 1:
                masters.append((float(head["ts"]), user))
                mastered[user].add(item)
                took[(user, item)] = float(head["dur"])
                continue
            known = np.flatnonzero((mine["verb"] == vocab.ANSWER_REVEALED) | (mine["success"] == 1))
            if len(known):
                knowers.append((float(mine["ts"][known[0]]), user))
                knew[user].add(item)
        if not knowers or not masters:
            continue
        knowers.sort()
        known_times = np.array([k[0] for k in knowers])
        for t_master, master in masters:
            lo = np.searchsorted(known_times, t_master - window)
            hi = np.searchsorted(known_times, t_master)
            for k in range(max(lo, hi - p["max_candidates"]), hi):
                matched[(knowers[k][1], master)].append((knowers[k][0], t_master, int(block["item"][0])))
    hits = []
    seen: dict[int, Hit] = {}
    for (harvester, master), items in matched.items():
        if harvester == master or len(items) < p["min_items"]:
            continue
        # Of the items the harvester found out and the master answered right at once, how many followed
        # the harvester within the window: a coincidence does that now and then, a pair item after item.
        consistency = len(items) / max(len(knew[harvester] & mastered[master]), 1)
        # The master gets the harvested items right at once; the harvester gets few right at once.
        master_accuracy = len(knew[harvester] & mastered[master]) / max(len(knew[harvester] & answered[master]), 1)
        harvester_accuracy = len(mastered[harvester]) / max(len(answered[harvester]), 1)
        # A master copies: they answer much faster than people usually take for these items.
        ratios = [took[(master, i)] / item_median[i] for _h, _m, i in items if item_median.get(i) and took.get((master, i))]
        speed_ratio = float(np.median(ratios)) if ratios else 1.0
        if (consistency < p["min_consistency"] or master_accuracy < p["min_master_accuracy"]
                or harvester_accuracy > p["max_harvester_accuracy"] or speed_ratio > p["max_master_speed_ratio"]):
            continue
        pairs = [{"harvester": harvester, "master": master, "item": item, "harvester_at": ev_.ms(th),
                  "master_at": ev_.ms(tm), "lag": round(tm - th, 1)} for th, tm, item in items[:ev_.ANSWERS_CAP]]
        lags = [tm - th for th, tm, _i in items]
        for user, role in ((harvester, "harvester"), (master, "master")):
            if user in seen:
                continue
            figures = {"items": len(items), "consistency": consistency, "median_lag_seconds": float(np.median(lags)),
                       "master_accuracy": master_accuracy, "harvester_accuracy": harvester_accuracy,
                       "master_speed_ratio": speed_ratio, "role": role}
            evidence = ev_.base(CAMEO.name, figures, p)
            evidence["pairs"] = pairs
            ev_.accounts(evidence, [master if user == harvester else harvester])
            times = [x for th, tm, _i in items for x in (th, tm)]
            hit = Hit(CAMEO.name, user, min(0.85 + 0.005 * len(items), 0.97), min(times), max(times), evidence)
            seen[user] = hit
            hits.append(hit)
    return hits


# --- 替考 -----------------------------------------------------------------------------------------------------

def _exam_users(f: DayFrame) -> np.ndarray:
    exam = f.ev["kind"] == vocab.KIND_EXAM
    return np.unique(f.ui[exam]) if exam.any() else np.zeros(0, dtype=np.int64)


def _exam_hit(det: Detector, f: DayFrame, i: int, score: float, figures: dict, p: dict, exam: np.ndarray) -> Hit:
    evidence = ev_.base(det.name, figures, p)
    spans = {}
    for row in exam:
        s = int(row["session"])
        span = spans.setdefault(s, {"session": f"s{len(spans) + 1}", "object": int(row["obj"]), "start": ev_.ms(row["ts"]),
                                    "end": ev_.ms(row["ts"]), "device": ev_.device_label(row["device"])})
        span["end"] = ev_.ms(row["ts"])
    evidence["sessions"] = list(spans.values())
    return Hit(det.name, int(f.users[i]), min(score, 0.99), float(exam["ts"][0]), float(exam["ts"][-1]), evidence,
               course=int(exam["course"][0]))


def exam_detectors(f: DayFrame, params: dict[str, dict], history) -> list[Hit]:
    hits = []
    for i in _exam_users(f):
        ev = f.user_slice(i)
        exam = ev[ev["kind"] == vocab.KIND_EXAM]
        for run in (_reauth, _concurrent, _new_device, _snapshots):
            hit = run(f, i, ev, exam, params, history)
            if hit is not None:
                hits.append(hit)
    return hits


def _reauth(f, i, ev, exam, params, history):
    p = params[REAUTH_FAILED.name]
    worst, failures_total = 0, 0
    for s in np.unique(exam["session"]):
        rows = exam[exam["session"] == s]
        failures = passed_after = answered_after = 0
        for row in rows:
            if row["verb"] == vocab.REAUTH_FAILED:
                failures += 1
                passed_after = answered_after = 0
            elif row["verb"] == vocab.REAUTH_PASSED:
                passed_after = 1
            elif row["verb"] == vocab.ANSWERED and failures and not passed_after:
                answered_after = 1
        failures_total += failures
        unresolved = failures and not passed_after
        if (failures >= p["min_failures"] and unresolved) or (answered_after and unresolved):
            worst = max(worst, failures)
    if not worst:
        return None
    return _exam_hit(REAUTH_FAILED, f, i, 0.85 + 0.04 * worst, {"failures": failures_total}, p, exam)


def _concurrent(f, i, ev, exam, params, history):
    p = params[CONCURRENT_EXAMS.name]
    spans = []
    for s in np.unique(exam["session"]):
        rows = exam[exam["session"] == s]
        spans.append((float(rows["ts"].min()), float(rows["ts"].max()), set(rows["device"].tolist())))
    overlap = 0.0
    for x in range(len(spans)):
        for y in range(x + 1, len(spans)):
            a, b = spans[x], spans[y]
            if a[2] != b[2]:
                overlap = max(overlap, min(a[1], b[1]) - max(a[0], b[0]))
    if overlap < p["min_overlap_seconds"]:
        return None
    return _exam_hit(CONCURRENT_EXAMS, f, i, 0.92, {"overlap_seconds": overlap, "sessions": len(spans)}, p, exam)


def _new_device(f, i, ev, exam, params, history):
    p = params[NEW_EXAM_DEVICE.name]
    if history.days[i] < p["min_history_days"]:
        return None
    started = exam[exam["verb"] == vocab.EXAM_STARTED]
    if not len(started):
        return None
    other = ev[ev["kind"] != vocab.KIND_EXAM]
    devices = set(history.devices[i].tolist()) | set(other["device"].tolist())
    regions = set(history.regions[i].tolist()) | set(other["region"].tolist())
    strange = [row for row in started if row["device"] not in devices and row["region"] not in regions
               and row["region"] != 0]
    if not strange:
        return None
    hit = _exam_hit(NEW_EXAM_DEVICE, f, i, 0.8, {"exam_sessions": len(started), "from_new_device": len(strange)}, p,
                    exam)
    hit.evidence["devices"] = sorted({ev_.device_label(row["device"]) for row in strange})
    return hit


def _snapshots(f, i, ev, exam, params, history):
    p = params[SNAPSHOT_FLAGGED.name]
    flagged = exam[exam["verb"] == vocab.SNAPSHOT_FLAGGED]
    if not len(flagged):
        return None
    lowest = float(flagged["chars"].min())
    if len(flagged) < p["min_flags"] and not (0 < lowest < p["low_similarity"]):
        return None
    return _exam_hit(SNAPSHOT_FLAGGED, f, i, 0.8 + 0.05 * min(len(flagged), 3),
                     {"flagged": len(flagged), "lowest_similarity": lowest}, p, exam)


RUN = {"answer_speed": answer_speed}
