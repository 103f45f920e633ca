"""Error pages: a short message in the user's language, never a stack trace. API paths get JSON."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _respond(request, status: int, title: str, message: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
    return render(request, "core/error.html", {"title": title, "message": message}, status=status)


def bad_request(request, exception=None):
    return _respond(request, 400, _("Bad request"), _("The request could not be understood. Go back and try again."))


def permission_denied(request, exception=None):
    return _respond(request, 403, _("No access"), _("You do not have permission to open this page."))


def not_found(request, exception=None):
    return _respond(request, 404, _("Page not found"), _("The page you asked for does not exist or was moved."))


def server_error(request):
    return _respond(request, 500, _("Something went wrong"),
                    _("Something went wrong on our side. The error has been logged; please try again later."))


def csrf_failure(request, reason=""):
    return _respond(request, 403, _("Form expired"),
                    _("This form has expired or was not sent from this site. Reload the page and try again."))
