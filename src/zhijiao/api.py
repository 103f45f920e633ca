"""The JSON API under /api/v1: one NinjaAPI, its authentication, its error shape, and every app's router.

Errors always come back as ``{"detail": <message in the caller's language>, "errors": {field: [..]}}``
with the right status; no stack trace or database message ever reaches the caller.
"""

from __future__ import annotations

import logging

from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.db import DataError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.views import openapi_view

from zhijiao.cockpit.api import router as cockpit_router
from zhijiao.core import audit
from zhijiao.core.audit_api import router as audit_router
from zhijiao.core.screening_api import router as screening_router
from zhijiao.employment.api import router as employment_router
from zhijiao.employment.hiring.api import router as hiring_router
from zhijiao.employment.matching.api import router as matching_router
from zhijiao.identity.api import router as identity_router
from zhijiao.identity.api_auth import BearerAuth, CsrfRejected, SessionAuth, TwoStepRequired
from zhijiao.identity.clients_api import router as clients_router
from zhijiao.identity.roster_api import router as roster_router
from zhijiao.monitoring.api import router as monitoring_router
from zhijiao.monitoring.detection.api import router as detection_router
from zhijiao.records.api import router as records_router
from zhijiao.resources.api import router as resources_router

logger = logging.getLogger("zhijiao.api")


api = NinjaAPI(
    title="智教 Zhijiao API",
    version="1",
    description="JSON API of the Zhijiao smart education platform. Browser sessions (with CSRF token) or "
    "OAuth2 bearer tokens from /o/token/.",
    # Bearer first: a program's token must be looked at before the cookie check demands a CSRF token.
    auth=[BearerAuth(), SessionAuth()],
    urls_namespace="api",
)


def docs_view(request):
    return openapi_view(request, api)


def error(request, status: int, detail: str, errors: dict | None = None):
    body = {"detail": detail}
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(ValidationError)
def on_django_validation(request, exc: ValidationError):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    first = next(iter(errors.values()))[0]
    return error(request, 422, first, errors)


@api.exception_handler(NinjaValidationError)
def on_schema_validation(request, exc: NinjaValidationError):
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        loc = [str(p) for p in item.get("loc", []) if p not in ("body", "query", "path", "payload", "form")]
        errors.setdefault(".".join(loc) or "__all__", []).append(_translate_pydantic(item))
    return error(request, 422, _("Some fields are missing or invalid."), errors)


def _translate_pydantic(item: dict) -> str:
    kind = item.get("type", "")
    if kind == "missing":
        return _("This field is required.")
    if kind.startswith("string_too_long"):
        return _("This value is too long.")
    if kind.startswith("string_too_short"):
        return _("This value is too short.")
    if kind in ("int_parsing", "int_type", "float_parsing"):
        return _("Enter a number.")
    if kind.startswith("json"):
        return _("The request body is not valid JSON.")
    return _("This value is not valid.")


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return error(request, 401, _("Sign in first, or send a valid access token."))


@api.exception_handler(CsrfRejected)
def on_csrf_rejected(request, exc):
    return error(request, 403, _("The CSRF token is missing or wrong. Reload the page and try again."))


@api.exception_handler(MultiPartParserError)
def on_unreadable_form(request, exc):
    return error(request, 400, _("The request body could not be read."))


@api.exception_handler(DataError)
@api.exception_handler(OverflowError)  # SQLite's driver refuses integers beyond 64 bits before the query runs
def on_unstorable_value(request, exc):
    # A value the database cannot hold (a number out of range, say) is the caller's error, not ours.
    return error(request, 400, _("A value is out of range or contains characters that cannot be stored."))


@api.exception_handler(BadRequest)
@api.exception_handler(SuspiciousOperation)
def on_suspicious(request, exc):
    return error(request, 400, _("The request could not be understood."))


@api.exception_handler(TwoStepRequired)
def on_two_step_required(request, exc):
    return error(request, 403, _("Administrators must pass two-step verification before using the API."))


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    audit.record("access.denied", request=request, actor=getattr(request, "auth", None), success=False,
                 path=request.path[:200], method=request.method)
    return error(request, 403, _("You do not have permission to do this."))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, _("Not found."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    # ninja raises HttpError(400, "Cannot parse request body") for malformed JSON.
    if exc.status_code == 400 and "parse" in str(exc).lower():
        return error(request, 400, _("The request body is not valid JSON."))
    return error(request, exc.status_code, str(exc))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return error(request, 413, _("The request is too large."))


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    logger.exception("unhandled API error on %s %s", request.method, request.path)
    return error(request, 500, _("Something went wrong on our side. The error has been logged."))


# Each app owns its router; this is the one place they are mounted.
api.add_router("/", identity_router)
api.add_router("/oidc", clients_router)
api.add_router("/roster", roster_router)
api.add_router("/audit", audit_router)
api.add_router("/screening", screening_router)
api.add_router("/resources", resources_router)
api.add_router("/records", records_router)
api.add_router("/cockpit", cockpit_router)
api.add_router("/employment/match", matching_router)
api.add_router("/employment/hiring", hiring_router)
api.add_router("/employment", employment_router)
api.add_router("/monitoring/detection", detection_router)
api.add_router("/monitoring", monitoring_router)
