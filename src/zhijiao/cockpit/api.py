"""JSON API of the cockpit app, mounted under /api/v1/cockpit."""

from ninja import Router

router = Router(tags=["cockpit"])
