"""The language a person chose travels in Django's language cookie; this is the one place that sets it."""

from django.conf import settings

ONE_YEAR = 365 * 24 * 3600


def remember_language(response, code: str):
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, samesite="Lax", max_age=ONE_YEAR)
    return response
