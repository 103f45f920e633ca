"""The xAPI 1.0.3 resources under /xapi/ (Communication §1–§3).

Plain Django views, because xAPI has wire rules of its own: the version header on every request,
the alternate request syntax (``POST ?method=PUT`` with headers and content as form fields), HEAD on
everything that has GET, ``X-Experience-API-Consistent-Through`` on every statement response, ETag
preconditions on documents, and error bodies ``{"error": <message>, "detail": <where>}``.

CSRF: the views are exempt from Django's middleware check because credentials and bearer tokens are
not ambient; a request that authenticates with the session cookie must carry the CSRF token header on
unsafe methods, checked here.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC
from email.utils import format_datetime
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja.utils import check_csrf

from zhijiao.core.http import client_address
from zhijiao.records import selectors, services, validation
from zhijiao.records.models import DocumentKind
from zhijiao.records.permissions import NotAuthenticated, Principal, authenticate
from zhijiao.records.validation import StatementInvalid

logger = logging.getLogger("zhijiao.records")

VERSION = "1.0.3"
SUPPORTED_VERSIONS = ["1.0.3", "1.0.2", "1.0.1", "1.0.0"]
HEADER_FIELDS = {"authorization", "x-experience-api-version", "content-type", "content-length", "if-match",
                 "if-none-match"}
METHODS = {"GET", "HEAD", "PUT", "POST", "DELETE"}


class XapiError(Exception):
    def __init__(self, status: int, message: str, detail: str = ""):
        self.status, self.message, self.detail = status, message, detail
        super().__init__(message)


class XapiRequest:
    """A request with the alternate syntax already unfolded: method, parameters, headers, body."""

    def __init__(self, request):
        self.django = request
        self.method = request.method
        self.params = {key: request.GET.get(key) for key in request.GET}
        self.headers = {key.lower(): value for key, value in request.headers.items()}
        self.alternate = False
        if request.method == "POST" and "method" in request.GET:
            self._unfold_alternate(request)
        else:
            try:
                self.body = request.body
            except RequestDataTooBig:
                raise XapiError(413, _("The request is too large.")) from None

    def _unfold_alternate(self, request):
        self.alternate = True
        method = request.GET["method"].upper()
        if method not in METHODS - {"HEAD"} or len(request.GET) != 1:
            raise XapiError(400, _("Alternate request syntax takes only the method parameter in the query string."))
        if not request.content_type.startswith("application/x-www-form-urlencoded"):
            raise XapiError(400, _("Alternate request syntax needs a form-encoded body."))
        self.method = method
        try:
            form = parse_qsl(request.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            raise XapiError(400, _("The request body is not UTF-8.")) from None
        except RequestDataTooBig:
            raise XapiError(413, _("The request is too large.")) from None
        self.params, self.body = {}, b""
        for key, value in form:
            if key == "content":
                self.body = value.encode("utf-8")
            elif key.lower() in HEADER_FIELDS:
                self.headers[key.lower()] = value
            else:
                self.params[key] = value
        if "content-type" in self.headers and self.headers["content-type"].startswith(
            "application/x-www-form-urlencoded"
        ):
            self.headers["content-type"] = "application/json"

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


# --- Response helpers ------------------------------------------------------------------------------

def _json(payload, status=200) -> HttpResponse:
    return HttpResponse(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), status=status,
                        content_type="application/json")


def _error(exc: XapiError) -> HttpResponse:
    body = {"error": exc.message}
    if exc.detail:
        body["detail"] = exc.detail
    return _json(body, exc.status)


def _http_date(moment) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def xapi_view(*, statements: bool = False, public: bool = False):
    """Wrap a resource handler with the rules every xAPI request shares. ``public`` resources (About)
    need neither the version header nor credentials."""

    def decorator(handler):
        @csrf_exempt
        def view(request, *args, **kwargs):
            try:
                response = _dispatch(request, handler, public)
            except XapiError as exc:
                response = _error(exc)
            except Exception:
                logger.exception("xAPI error on %s %s", request.method, request.path)
                response = _error(XapiError(500, _("Something went wrong on our side. The error has been logged.")))
            response["X-Experience-API-Version"] = VERSION
            if statements:
                response["X-Experience-API-Consistent-Through"] = services.format_instant(timezone.now())
            if request.method == "HEAD":
                response.content = b""
            return response

        view.__name__ = handler.__name__
        return view

    return decorator


def _dispatch(request, handler, public: bool) -> HttpResponse:
    if request.method not in METHODS:
        raise XapiError(405, _("This method is not part of xAPI."))
    xreq = XapiRequest(request)
    if not public:
        version = xreq.headers.get("x-experience-api-version")
        if version is None:
            raise XapiError(400, _("The X-Experience-API-Version header is required."))
        if not validation._VERSION.match(version.strip()):
            raise XapiError(400, _("This LRS speaks xAPI 1.0.x; the requested version is not supported."),
                            version[:20])
    try:
        principal = None if public else authenticate(request, xreq.headers.get("authorization"))
    except NotAuthenticated:
        response = _error(XapiError(401, _("Send LRS credentials (HTTP Basic), an access token, or sign in.")))
        response["WWW-Authenticate"] = 'Basic realm="xAPI"'
        return response
    unsafe = xreq.method not in ("GET", "HEAD")
    if principal is not None and principal.via_session and unsafe and check_csrf(request) is not None:
        raise XapiError(403, _("The CSRF token is missing or wrong. Reload the page and try again."))
    method = "GET" if xreq.method == "HEAD" else xreq.method
    return handler(xreq, principal, method)


def _unknown_params(params: dict, allowed: set[str]) -> None:
    for key in params:
        if key not in allowed:
            raise XapiError(400, _("This resource does not take the parameter %(name)s.") % {"name": key[:50]})


def _bool_param(params, name) -> bool:
    value = params.get(name)
    if value is None:
        return False
    if value not in ("true", "false"):
        raise XapiError(400, _("%(name)s must be true or false.") % {"name": name})
    return value == "true"


def _json_param(params, name, *, required=False):
    raw = params.get(name)
    if raw is None:
        if required:
            raise XapiError(400, _("The %(name)s parameter is required.") % {"name": name})
        return None
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except ValueError:
        raise XapiError(400, _("The %(name)s parameter is not valid JSON.") % {"name": name}) from None


def _agent_param(params, name="agent", *, required=False):
    agent = _json_param(params, name, required=required)
    if agent is None:
        return None
    try:
        validation.validate_agent(agent, name)
    except StatementInvalid as exc:
        raise XapiError(400, _("The %(name)s parameter is not a valid Agent or Group.") % {"name": name},
                        str(exc)) from None
    return agent


def _iri_param(params, name, *, required=False):
    value = params.get(name)
    if value is None:
        if required:
            raise XapiError(400, _("The %(name)s parameter is required.") % {"name": name})
        return None
    if not validation.is_iri(value):
        raise XapiError(400, _("The %(name)s parameter must be an IRI.") % {"name": name})
    return value


def _uuid_param(params, name):
    value = params.get(name)
    if value is not None and not validation.is_uuid(value):
        raise XapiError(400, _("The %(name)s parameter must be a UUID.") % {"name": name})
    return value


def _time_param(params, name):
    value = params.get(name)
    if value is None:
        return None
    moment = validation.parse_timestamp(value)
    if moment is None:
        raise XapiError(400, _("The %(name)s parameter must be an ISO 8601 timestamp.") % {"name": name})
    return moment


def _reject_constant(value):
    raise ValueError(value)


def _parse_json_body(xreq) -> object:
    if xreq.content_type.startswith("multipart/"):
        raise XapiError(400, _("Attachments sent as multipart/mixed are not accepted yet. Send statements as "
                               "application/json, with a fileUrl for any attachment."))
    try:
        return json.loads(xreq.body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError):
        raise XapiError(400, _("The request body is not valid JSON.")) from None


# --- Statements --------------------------------------------------------------------------------

STATEMENT_GET_PARAMS = {"statementId", "voidedStatementId", "agent", "verb", "activity", "registration",
                        "related_activities", "related_agents", "since", "until", "limit", "format",
                        "attachments", "ascending", "cursor"}


@xapi_view(statements=True)
def statements(xreq: XapiRequest, principal: Principal, method: str) -> HttpResponse:
    if method == "GET":
        return _get_statements(xreq, principal)
    if method in ("PUT", "POST"):
        return _store_statements(xreq, principal, method)
    raise XapiError(405, _("The statements resource takes GET, HEAD, PUT and POST."))


def _store_statements(xreq, principal, method) -> HttpResponse:
    if not principal.may_write_statements:
        raise XapiError(403, _("This credential may not write statements."))
    if method == "PUT":
        _unknown_params(xreq.params, {"statementId"})
        statement_id = xreq.params.get("statementId")
        if statement_id is None:
            raise XapiError(400, _("PUT needs the statementId parameter."))
        if not validation.is_uuid(statement_id):
            raise XapiError(400, _("The statementId parameter must be a UUID."))
    else:
        _unknown_params(xreq.params, set())
    body = _parse_json_body(xreq)
    if method == "PUT":
        if not isinstance(body, dict):
            raise XapiError(400, _("PUT stores exactly one statement."))
        if "id" in body and (not isinstance(body["id"], str) or body["id"].lower() != statement_id.lower()):
            raise XapiError(400, _("The statement's id differs from the statementId parameter."))
        body["id"] = body.get("id", statement_id)
    batch = body if isinstance(body, list) else [body]
    if principal.user is not None:
        for statement in batch:
            if isinstance(statement, dict) and isinstance(statement.get("actor"), dict) and not (
                principal.may_write_actor(statement["actor"])
            ):
                raise XapiError(403, _("You can only send statements about yourself."))
    session = principal.via_session
    try:
        ids = services.store_statements(
            body,
            authority=principal.authority,
            credential_id=principal.credential.pk if principal.credential else None,
            client_address=client_address(xreq.django) if session else None,
            user_agent=xreq.django.META.get("HTTP_USER_AGENT", "") if session else None,
        )
    except StatementInvalid as exc:
        raise XapiError(400, exc.message, exc.path) from None
    except services.StatementConflict as exc:
        raise XapiError(409, _("A different statement with this id is already stored."), exc.statement_id) from None
    if method == "PUT":
        return HttpResponse(status=204)
    return _json(ids)


def _get_statements(xreq, principal) -> HttpResponse:
    params = xreq.params
    _unknown_params(params, STATEMENT_GET_PARAMS)
    if not principal.may_read_statements:
        raise XapiError(403, _("This credential may not read statements."))
    fmt = params.get("format", "exact")
    if fmt not in ("exact", "ids", "canonical"):
        raise XapiError(400, _("format must be ids, exact or canonical."))
    attachments = _bool_param(params, "attachments")
    accept_language = xreq.headers.get("accept-language", "")
    single = [name for name in ("statementId", "voidedStatementId") if name in params]
    if single:
        if len(single) == 2 or set(params) - {"statementId", "voidedStatementId", "format", "attachments"}:
            raise XapiError(400, _("statementId and voidedStatementId take no other parameters except format "
                                   "and attachments."))
        name = single[0]
        statement_id = _uuid_param(params, name)
        row = selectors.statement_by_id(uuid.UUID(statement_id), voided=name == "voidedStatementId")
        if row is None or not principal.may_read_row(row):
            raise XapiError(404, _("No such statement."))
        payload = selectors.format_statements([row.data], fmt, accept_language)[0]
        response = _statement_payload(payload, attachments)
        response["Last-Modified"] = _http_date(row.stored)
        return response

    query = selectors.StatementQuery(
        agent=_agent_param(params),
        verb=_iri_param(params, "verb"),
        activity=_iri_param(params, "activity"),
        registration=_uuid_param(params, "registration"),
        related_agents=_bool_param(params, "related_agents"),
        related_activities=_bool_param(params, "related_activities"),
        since=_time_param(params, "since"),
        until=_time_param(params, "until"),
        ascending=_bool_param(params, "ascending"),
    )
    limit = params.get("limit", "0")
    if not limit.isdigit():
        raise XapiError(400, _("limit must be a whole number."))
    query.limit = int(limit)
    if "cursor" in params:
        query.after = selectors.decode_cursor(params["cursor"])
        if query.after is None:
            raise XapiError(400, _("The cursor parameter is not valid."))
    if principal.user is not None:
        query.only_agent_key = principal.user_agent_key
    elif not principal.reads_all:
        query.only_credential_id = principal.credential.pk
    rows, after = selectors.find_statements(query)
    more = ""
    if after is not None:
        next_params = {k: v for k, v in params.items() if k != "cursor"}
        next_params["cursor"] = selectors.encode_cursor(after)
        more = reverse("xapi:statements") + "?" + urlencode(next_params)
    payload = {"statements": selectors.format_statements([r.data for r in rows], fmt, accept_language),
               "more": more}
    response = _statement_payload(payload, attachments)
    if rows:
        response["Last-Modified"] = _http_date(max(r.stored for r in rows))
    return response


def _statement_payload(payload, attachments: bool) -> HttpResponse:
    """JSON, or with attachments=true the multipart/mixed form (this LRS keeps no attachment data, so the
    statements part is the only part)."""
    if not attachments:
        return _json(payload)
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Type: application/json\r\n\r\n"
            + json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
            + f"\r\n--{boundary}--\r\n").encode("utf-8")
    return HttpResponse(body, content_type=f'multipart/mixed; boundary={boundary}')


# --- Documents -----------------------------------------------------------------------------------

def _document_response(document) -> HttpResponse:
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    response["ETag"] = f'"{document.etag}"'
    response["Last-Modified"] = _http_date(document.updated)
    return response


def _document_request(xreq, principal, method, address, *, single: bool, concurrency: bool,
                      since=None) -> HttpResponse:
    write = method in ("PUT", "POST", "DELETE")
    if not principal.may_touch_document(address.agent, write=write):
        raise XapiError(403, _("You may not use this document."))
    headers = xreq.headers
    try:
        if method == "GET":
            if single:
                document = selectors.document(address.filter())
                if document is None:
                    raise XapiError(404, _("No such document."))
                return _document_response(document)
            scope = address.filter()
            scope.pop("document_key")
            ids, latest = selectors.document_ids(scope, since)
            response = _json(ids)
            if latest is not None:
                response["Last-Modified"] = _http_date(latest)
            return response
        if method == "DELETE":
            services.delete_documents(address, single=single, if_match=headers.get("if-match"),
                                      if_none_match=headers.get("if-none-match"))
            return HttpResponse(status=204)
        content_type = headers.get("content-type", "application/octet-stream")
        if method == "PUT":
            services.put_document(address, xreq.body, content_type, if_match=headers.get("if-match"),
                                  if_none_match=headers.get("if-none-match"), require_precondition=concurrency)
        else:
            services.post_document(address, xreq.body, content_type, if_match=headers.get("if-match"),
                                   if_none_match=headers.get("if-none-match"))
        return HttpResponse(status=204)
    except services.DocumentPreconditionFailed:
        raise XapiError(412, _("The document changed: its ETag does not match the precondition.")) from None
    except services.DocumentConflict:
        raise XapiError(409, _("The document exists; send If-Match or If-None-Match to change it.")) from None
    except services.DocumentMergeRefused:
        raise XapiError(400, _("Only JSON objects can be merged: both documents must be application/json "
                               "objects.")) from None


@xapi_view()
def state(xreq, principal, method) -> HttpResponse:
    params = xreq.params
    _unknown_params(params, {"activityId", "agent", "registration", "stateId", "since"})
    activity_id = _iri_param(params, "activityId", required=True)
    agent = _agent_param(params, required=True)
    registration = _uuid_param(params, "registration") or ""
    state_id = params.get("stateId")
    if method in ("PUT", "POST") and state_id is None:
        raise XapiError(400, _("The stateId parameter is required."))
    if "since" in params and (method != "GET" or state_id is not None):
        raise XapiError(400, _("since only applies when listing state ids."))
    address = services.DocumentAddress(DocumentKind.STATE, state_id or "", activity_id, agent, registration)
    return _document_request(xreq, principal, method, address, single=state_id is not None, concurrency=False,
                             since=_time_param(params, "since"))


@xapi_view()
def activity_profile(xreq, principal, method) -> HttpResponse:
    params = xreq.params
    _unknown_params(params, {"activityId", "profileId", "since"})
    activity_id = _iri_param(params, "activityId", required=True)
    return _profile(xreq, principal, method, DocumentKind.ACTIVITY_PROFILE, activity_id=activity_id)


@xapi_view()
def agent_profile(xreq, principal, method) -> HttpResponse:
    params = xreq.params
    _unknown_params(params, {"agent", "profileId", "since"})
    agent = _agent_param(params, required=True)
    return _profile(xreq, principal, method, DocumentKind.AGENT_PROFILE, agent=agent)


def _profile(xreq, principal, method, kind, *, activity_id="", agent=None) -> HttpResponse:
    params = xreq.params
    profile_id = params.get("profileId")
    if method in ("PUT", "POST", "DELETE") and profile_id is None:
        raise XapiError(400, _("The profileId parameter is required."))
    if "since" in params and (method != "GET" or profile_id is not None):
        raise XapiError(400, _("since only applies when listing profile ids."))
    address = services.DocumentAddress(kind, profile_id or "", activity_id, agent)
    return _document_request(xreq, principal, method, address, single=profile_id is not None, concurrency=True,
                             since=_time_param(params, "since"))


# --- Activities, agents, about -------------------------------------------------------------------

@xapi_view()
def activities(xreq, principal, method) -> HttpResponse:
    if method != "GET":
        raise XapiError(405, _("The activities resource takes GET and HEAD."))
    _unknown_params(xreq.params, {"activityId"})
    return _json(selectors.activity_object(_iri_param(xreq.params, "activityId", required=True)))


@xapi_view()
def agents(xreq, principal, method) -> HttpResponse:
    if method != "GET":
        raise XapiError(405, _("The agents resource takes GET and HEAD."))
    _unknown_params(xreq.params, {"agent"})
    agent = _agent_param(xreq.params, required=True)
    if agent.get("objectType") == "Group":
        raise XapiError(400, _("The agents resource describes Agents, not Groups."))
    return _json(selectors.person_object(agent))


@xapi_view(public=True)
def about(xreq, principal, method) -> HttpResponse:
    if method != "GET":
        raise XapiError(405, _("The about resource takes GET and HEAD."))
    return _json({"version": SUPPORTED_VERSIONS,
                  "extensions": {"https://zhijiao.cn/xapi/extensions/lrs": {"name": "Zhijiao LRS",
                                                                            "public_url": settings.ZJ_PUBLIC_URL}}})
