"""Refuse input no database column can hold, before any view sees it.

PostgreSQL text cannot contain NUL characters; SQLite stores them and cuts strings at them later. A NUL
in a query string, a form or a JSON body is never a legitimate value here, so such a request gets a
400 with the usual error page or JSON. File uploads (multipart) are not inspected: binary files contain
NUL bytes and are checked by the code that reads them.
"""

from django.core.exceptions import RequestDataTooBig

from zhijiao.core.errors import bad_request

_CHECKED_BODIES = ("application/json", "application/x-www-form-urlencoded")


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", ""):
            return bad_request(request)
        if "\x00" in request.path:
            return bad_request(request)
        if request.content_type in _CHECKED_BODIES and request.method not in ("GET", "HEAD"):
            try:
                body = request.body
            except RequestDataTooBig:
                return self.get_response(request)  # the view's own error handling answers 413
            if b"\x00" in body or b"\\u0000" in body or b"%00" in body:
                return bad_request(request)
        return self.get_response(request)
