"""Page views of visitors who are not signed in (匿名访问).

Most people who open a public education platform never sign in, and the cockpit's page views and unique
visitors must count them too. The LRS takes statements only from a signed-in session or a credential, so
an anonymous page reports its view here instead, and the server writes the xAPI statement itself:

- the actor is the visitor, named by the first-party visitor id from the ``zj_vid`` cookie (an account
  on ``{ZJ_PUBLIC_URL}/visitors/``), never by anything the page says — a page cannot speak for another
  visitor, and the id says nothing about the person;
- the object is one of this site's own pages (its path must resolve to a page of the platform);
- the verb is always ``viewed``: there is nothing else an anonymous page can report;
- the statement id comes from the page, so a retry is harmless (a second statement under the same id
  is not stored again);
- a visitor is limited to ``VISITOR_LIMIT`` views a minute and an address to ``ADDRESS_LIMIT``.

The cockpit counts these statements at the root of the tree (the platform as a whole): an anonymous
visitor belongs to no organisation.
"""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from zhijiao.core import ratelimit
from zhijiao.core.http import client_address
from zhijiao.records import services
from zhijiao.records.validation import StatementInvalid
from zhijiao.records.visitor import COOKIE_NAME, EXT, EXT_VISITOR, is_valid_visitor_id

VIEWED = "http://id.tincanapi.com/verb/viewed"
PAGE = "http://activitystrea.ms/schema/1.0/page"
MAX_BODY = 4096
VISITOR_LIMIT = 60  # views a minute per visitor id
ADDRESS_LIMIT = 600  # views a minute per client address (a school's shared address serves many)


def visitor_agent(visitor_id: str) -> dict:
    return {"objectType": "Agent", "account": {"homePage": f"{settings.ZJ_PUBLIC_URL}/visitors/", "name": visitor_id}}


def platform_authority() -> dict:
    """The authority of statements the platform writes for anonymous visitors."""
    return {"objectType": "Agent", "name": "Zhijiao",
            "account": {"homePage": settings.ZJ_PUBLIC_URL, "name": "platform:page-views"}}


def _refuse(status: int, message: str) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


def _own_page(activity_id: object) -> str | None:
    """The activity id when it names a page of this site, else None."""
    home = settings.ZJ_PUBLIC_URL
    if not isinstance(activity_id, str) or len(activity_id) > 500 or not activity_id.startswith(home + "/"):
        return None
    path = urlsplit(activity_id).path
    try:
        resolve(path)
    except Resolver404:
        return None
    return activity_id


def _text(value: object, limit: int) -> str | None:
    if value is None or value == "":
        return ""
    return value[:limit] if isinstance(value, str) else None


# No CSRF token: the view only counts, and it is bound to the visitor cookie, which is SameSite=Lax and so
# never sent with another site's POST. Handing every anonymous visitor a CSRF cookie would cost more.
@csrf_exempt
@require_POST
def page_view(request):
    """Record one anonymous page view; 204 when stored (or already stored under this id)."""
    if request.user.is_authenticated:
        return _refuse(400, _("Signed-in pages report to the learning record store, not here."))
    visitor_id = request.COOKIES.get(COOKIE_NAME)
    if not is_valid_visitor_id(visitor_id):
        return _refuse(400, _("This browser has no visitor id yet; it is given by a page of the platform."))
    if len(request.body) > MAX_BODY:
        return _refuse(413, _("The page view is too large."))
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _refuse(400, _("The request body is not valid JSON."))
    if not isinstance(body, dict):
        return _refuse(400, _("The request body must be a JSON object."))
    try:
        statement_id = str(uuid.UUID(str(body.get("id", ""))))
    except ValueError:
        return _refuse(400, _("id must be a UUID."))
    activity_id = _own_page(body.get("activity"))
    if activity_id is None:
        return _refuse(400, _("activity must be the address of a page of this platform."))
    name, board, column = _text(body.get("name"), 200), _text(body.get("board"), 64), _text(body.get("column"), 64)
    if name is None or board is None or column is None:
        return _refuse(400, _("name, board and column must be text."))
    address = client_address(request) or "unknown"
    if not (ratelimit.allow("page-view-visitor", visitor_id, VISITOR_LIMIT, 60)
            and ratelimit.allow("page-view-address", address, ADDRESS_LIMIT, 60)):
        response = _refuse(429, _("Too many page views from this browser; try again in a minute."))
        response["Retry-After"] = "60"
        return response
    extensions = {EXT_VISITOR: visitor_id}
    if board:
        extensions[EXT + "board"] = board
    if column:
        extensions[EXT + "column"] = column
    language = "zh-CN" if getattr(request, "LANGUAGE_CODE", "zh-hans").startswith("zh") else "en-US"
    # The tracker marks a page that is only itself (not a resource shown on it) as a page.
    definition = {"type": PAGE} if body.get("page") is True else {}
    definition["name"] = {language: name or activity_id}
    statement = {
        "id": statement_id,
        "actor": visitor_agent(visitor_id),
        "verb": {"id": VIEWED, "display": {"en-US": "viewed"}},
        "object": {"objectType": "Activity", "id": activity_id, "definition": definition},
        "context": {"platform": "Zhijiao", "language": language, "extensions": extensions},
        "timestamp": timezone.now().isoformat(),
    }
    try:
        services.store_statements(statement, authority=platform_authority(), client_address=client_address(request),
                                  user_agent=request.META.get("HTTP_USER_AGENT", ""))
    except services.StatementConflict:
        pass  # the same id again: this view is already counted
    except StatementInvalid as exc:
        return _refuse(400, exc.message)
    return HttpResponse(status=204)
