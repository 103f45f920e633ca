"""Navigation shown on every page: a section appears only when its capability exists and the user may use it."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from zhijiao.portal import selectors


def navigation(request):
    items = [(reverse("portal:home"), _("Home"))]
    if request.user.is_authenticated:
        items.append((reverse("portal:space"), _("My space")))
        if selectors.admin_sections(request.user):
            items.append((reverse("manage:index"), _("Administration")))
    items.append((reverse("api-docs"), _("Developers")))
    path = request.path
    nav = [{"url": url, "label": label, "active": path == url or (url != "/" and path.startswith(url))} for url, label in items]
    return {"zj_nav": nav, "zj_languages": settings.LANGUAGES}
