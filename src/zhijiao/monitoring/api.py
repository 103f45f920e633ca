"""JSON API of zhijiao.monitoring."""

from ninja import Router

router = Router(tags=["monitoring"])
