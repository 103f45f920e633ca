"""JSON API of zhijiao.employment.matching."""

from ninja import Router

router = Router(tags=["employment-matching"])
