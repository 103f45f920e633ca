"""The first-party visitor id (访客标识) and what the page tracker needs to know about the page's visitor.

Page views and unique visitors are counted from a random id kept in a first-party cookie that this site
sets itself; no third-party tracker is involved. The id says nothing about the person: it is random, lives
one year, and is read only by pages that include the tracker (``records/_tracker.html``), which send it
in the context extension ``https://zhijiao.cn/xapi/extensions/visitor-id`` of their statements.

The cookie is set lazily: :class:`VisitorMiddleware` gives every request a :class:`Visitor`, and only a
response whose page actually asked for the id (by including the tracker) carries a ``Set-Cookie``. API
calls, static files and pages without the tracker set no cookie at all.
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.middleware.csrf import get_token
from django.urls import reverse

from zhijiao.records.agents import agent_for

COOKIE_NAME = "zj_vid"
COOKIE_MAX_AGE = 365 * 24 * 3600
# 16 random bytes, URL-safe base64 without padding. Anything else in the cookie is replaced.
_VALID = re.compile(r"[A-Za-z0-9_-]{22}")

# While a video plays, the tracker reports its progress this often (seconds of wall-clock time), so that
# regular reports are the norm and gaps or bursts stand out to the monitoring centre.
HEARTBEAT_SECONDS = 30
# A video counts as completed once this share of it has been played (xAPI Video Profile
# ``completion-threshold``); a page may set its own with ``data-zj-completion-threshold``.
COMPLETION_THRESHOLD = 0.9
# Statements wait at most this long in the page before they are sent in one batch.
FLUSH_SECONDS = 5

EXT = "https://zhijiao.cn/xapi/extensions/"
EXT_VISITOR = EXT + "visitor-id"


def new_visitor_id() -> str:
    return secrets.token_urlsafe(16)


def is_valid_visitor_id(value: object) -> bool:
    return isinstance(value, str) and _VALID.fullmatch(value) is not None


class Visitor:
    """The visitor behind one request: a first-party id, created on first use."""

    def __init__(self, request):
        self.request = request
        cookie = request.COOKIES.get(COOKIE_NAME)
        self._id = cookie if is_valid_visitor_id(cookie) else None
        self.is_new = False

    @property
    def id(self) -> str:
        if self._id is None:
            self._id = new_visitor_id()
            self.is_new = True
        return self._id

    def tracker_config(self) -> dict:
        """What ``records/tracker.js`` reads from the page (rendered with ``json_script``).

        Only signed-in people report learning: the LRS accepts a browser's statements on the strength of
        its session, about the session's own user. For anyone else ``actor`` is None and the script sends
        one page view to ``pageViews`` (``records.visits``), and nothing else.
        """
        user = self.request.user
        signed_in = user.is_authenticated
        return {
            "endpoint": reverse("xapi:statements"),
            "pageViews": "" if signed_in else reverse("records-page-view"),
            "actor": agent_for(user) if signed_in else None,
            "home": settings.ZJ_PUBLIC_URL,
            "visitor": self.id,
            "csrf": get_token(self.request) if signed_in else "",
            "language": getattr(self.request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
            "heartbeat": HEARTBEAT_SECONDS,
            "completion": COMPLETION_THRESHOLD,
            "flush": FLUSH_SECONDS,
        }


class VisitorMiddleware:
    """Attach ``request.zj_visitor``; set the cookie on the response when the id was handed out new."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        visitor = request.zj_visitor = Visitor(request)
        response = self.get_response(request)
        if visitor.is_new:
            response.set_cookie(
                COOKIE_NAME, visitor.id, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
            # A cached copy of this response must not hand the same new id to someone else.
            response.headers.setdefault("Cache-Control", "private")
        return response
