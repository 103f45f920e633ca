"""What the detection page and API show: the detectors with their parameters and last results, the recent
runs, and the evaluations. Figures only — no learner appears here (cases are the casework pages' business)."""

from __future__ import annotations

from zhijiao.monitoring.detection.detectors import ALL
from zhijiao.monitoring.detection.models import DetectorRun, Evaluation, RunMode
from zhijiao.monitoring.models import MisconductKind

CAPABILITY = "monitoring.view"


def detectors() -> list[dict]:
    last = DetectorRun.objects.filter(mode=RunMode.BATCH).first()
    kinds = dict(MisconductKind.choices)
    return [{"name": d.name, "kind": d.kind, "kind_label": str(kinds.get(d.kind, d.kind)), "title": str(d.title),
             "behaviour": str(d.behaviour), "scope": d.scope, "parameters": d.settings_params(),
             "last_fired": (last.fired.get(d.name, 0) if last else None)} for d in ALL]


def runs(limit: int = 20) -> list[DetectorRun]:
    return list(DetectorRun.objects.all()[:limit])


def last_batch() -> DetectorRun | None:
    return DetectorRun.objects.filter(mode=RunMode.BATCH).first()


def evaluations(limit: int = 5) -> list[Evaluation]:
    return list(Evaluation.objects.all()[:limit])
