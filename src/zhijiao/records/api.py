"""JSON API of the records app, mounted under /api/v1/records."""

from ninja import Router

router = Router(tags=["records"])
