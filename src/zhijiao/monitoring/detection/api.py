"""JSON API of zhijiao.monitoring.detection."""

from ninja import Router

router = Router(tags=["monitoring-detection"])
