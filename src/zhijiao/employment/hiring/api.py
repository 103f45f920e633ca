"""JSON API of zhijiao.employment.hiring."""

from ninja import Router

router = Router(tags=["employment-hiring"])
