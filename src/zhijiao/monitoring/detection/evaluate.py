"""How good the detectors are: a fresh simulation with known labels, scored, then compared account by account.

Per kind: precision (of the accounts flagged with that kind, the share that really did it) and recall (of the
accounts that did it, the share flagged with that kind). Per detector: how often it fired, its precision
against its own kind, and its share of that kind's cheaters. Honest false-positive rate: honest accounts with
any rule finding ÷ honest accounts (the anomaly score is reported apart: it proposes days for review and is
not a verdict of any kind).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import asdict
from datetime import date

from zhijiao.monitoring.detection import ingest, score
from zhijiao.monitoring.detection.detectors import ALL
from zhijiao.monitoring.detection.models import Evaluation, SimulatedLabel
from zhijiao.monitoring.detection.simulate import Params, simulate
from zhijiao.monitoring.models import Finding, MisconductKind

RULE_KINDS = [MisconductKind.BRUSHING, MisconductKind.PROXY_STUDY, MisconductKind.EXAM_SCRIPTING,
              MisconductKind.PROXY_EXAM]
TARGETS = {"precision": 0.95, "recall": 0.90, "honest_fpr": 0.001}


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def measure(run: str) -> dict:
    labels = {}
    for user_id, kind, scenario in SimulatedLabel.objects.filter(run=run).values_list("user_id", "kind", "scenario"):
        labels.setdefault(user_id, (kind, scenario))
    findings = defaultdict(set)  # user → {(detector, kind)}
    for user_id, detector, kind in (Finding.objects.filter(user_id__in=list(labels))
                                    .values_list("user_id", "detector", "kind")):
        findings[user_id].add((detector, kind))
    honest = {u for u, (k, _s) in labels.items() if k == "honest"}
    result = {"accounts": len(labels), "kinds": {}, "detectors": {}, "scenarios": {}, "honest": {}}
    for kind in RULE_KINDS:
        truth = {u for u, (k, _s) in labels.items() if k == kind}
        flagged = {u for u, f in findings.items() if any(k == kind for _d, k in f)}
        hit = len(truth & flagged)
        result["kinds"][str(kind)] = {"cheaters": len(truth), "flagged": len(flagged), "true_positives": hit,
                                      "precision": _ratio(hit, len(flagged)), "recall": _ratio(hit, len(truth))}
    for det in ALL:
        flagged = {u for u, f in findings.items() if any(d == det.name for d, _k in f)}
        truth = {u for u, (k, _s) in labels.items() if k == det.kind}
        right = len(flagged & truth) if det.kind != "anomaly" else len(flagged - honest)
        result["detectors"][det.name] = {
            "kind": det.kind, "flagged": len(flagged), "precision": _ratio(right, len(flagged)),
            "share_of_kind": _ratio(len(flagged & truth), len(truth)) if det.kind != "anomaly" else None,
            "honest_flagged": len(flagged & honest)}
    scenarios = defaultdict(list)
    for u, (k, s) in labels.items():
        if k != "honest":
            scenarios[s].append(u)
    for s, users in sorted(scenarios.items()):
        kind = labels[users[0]][0]
        caught = [u for u in users if any(k == kind for _d, k in findings.get(u, ()))]
        by = defaultdict(int)
        for u in users:
            for d, _k in findings.get(u, ()):
                by[d] += 1
        result["scenarios"][s] = {"kind": kind, "accounts": len(users), "caught": len(caught),
                                  "recall": _ratio(len(caught), len(users)), "by_detector": dict(by)}
    ruled = {u for u in honest if any(k != MisconductKind.ANOMALY for _d, k in findings.get(u, ()))}
    anomalous = {u for u in honest if any(k == MisconductKind.ANOMALY for _d, k in findings.get(u, ()))}
    traits = defaultdict(lambda: [0, 0])
    for u in honest:
        for trait in (labels[u][1].split(":", 1)[1].split(",") if ":" in labels[u][1] else []):
            if trait:
                traits[trait][0] += 1
                traits[trait][1] += u in ruled
    false_by = defaultdict(int)
    for u in ruled:
        for d, k in findings[u]:
            if k != MisconductKind.ANOMALY:
                false_by[d] += 1
    result["honest"] = {"accounts": len(honest), "flagged": len(ruled), "fpr": _ratio(len(ruled), len(honest)),
                        "anomaly_flagged": len(anomalous), "by_detector": dict(false_by),
                        "traits": {t: {"accounts": n, "flagged": f} for t, (n, f) in sorted(traits.items())}}
    anomaly = result["detectors"]["anomaly"]
    result["anomaly"] = {"flagged": anomaly["flagged"], "precision": anomaly["precision"]}
    result["targets_met"] = meets_targets(result)
    return result


def meets_targets(result: dict) -> bool:
    ok = all((v["precision"] or 0) >= TARGETS["precision"] and (v["recall"] or 0) >= TARGETS["recall"]
             for v in result["kinds"].values() if v["cheaters"])
    return ok and (result["honest"]["fpr"] or 0) <= TARGETS["honest_fpr"]


def evaluate(params: Params, *, via: str = "events") -> Evaluation:
    started = time.perf_counter()
    simulate(params, into=via)
    if via == "lrs":
        ingest.backfill()
    first = params.start.toordinal()
    score.score_days(list(range(first, first + params.days)))
    results = measure(params.run)
    parameters = {**asdict(params), "start": params.start.isoformat(), "via": via}
    return Evaluation.objects.create(seed=params.seed, parameters=parameters, results=results,
                                     seconds=round(time.perf_counter() - started, 1))


def parse_day(text: str) -> date:
    return date.fromisoformat(text)
