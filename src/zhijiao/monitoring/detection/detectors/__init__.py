"""Every detector, by kind. Each module documents its behaviours; docs/monitoring.md explains the thresholds."""

from zhijiao.monitoring.detection.anomaly import ANOMALY
from zhijiao.monitoring.detection.detectors import brushing, exams, proxy_study

ALL = [*brushing.DETECTORS, *proxy_study.DETECTORS, *exams.DETECTORS, ANOMALY]
BY_NAME = {d.name: d for d in ALL}


def parameters() -> dict[str, dict]:
    return {d.name: d.settings_params() for d in ALL}
