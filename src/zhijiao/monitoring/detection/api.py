"""JSON API of zhijiao.monitoring.detection, mounted under /api/v1/monitoring/detection (``monitoring.view``):
the detectors with their parameters and last results, recent scoring runs, and detector evaluations."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Router, Schema

from zhijiao.identity import permissions
from zhijiao.monitoring.detection import selectors

router = Router(tags=["monitoring-detection"])


class DetectorOut(Schema):
    name: str
    kind: str
    title: str
    behaviour: str
    scope: str
    parameters: dict
    last_fired: int | None


class RunOut(Schema):
    mode: str
    day: date | None
    started_at: datetime
    seconds: float
    events: int
    users: int
    findings: int
    fired: dict


class EvaluationOut(Schema):
    created_at: datetime
    seed: int
    parameters: dict
    results: dict
    seconds: float


def _allowed(request) -> None:
    permissions.require(request.auth, selectors.CAPABILITY)


@router.get("/detectors", response=list[DetectorOut])
def detectors(request):
    _allowed(request)
    return selectors.detectors()


@router.get("/runs", response=list[RunOut])
def runs(request, limit: int = 20):
    _allowed(request)
    return selectors.runs(max(1, min(limit, 100)))


@router.get("/evaluations", response=list[EvaluationOut])
def evaluations(request, limit: int = 5):
    _allowed(request)
    return selectors.evaluations(max(1, min(limit, 50)))
