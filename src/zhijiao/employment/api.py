"""JSON API of zhijiao.employment."""

from ninja import Router

router = Router(tags=["employment"])
