"""JSON API of the resources app, mounted under /api/v1/resources."""

from ninja import Router

router = Router(tags=["resources"])
