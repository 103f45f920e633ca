"""Navigation shown on every page: a section appears only when its capability exists and the user may use it."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from zhijiao.identity import permissions
from zhijiao.portal import selectors


def navigation(request):
    items = [(reverse("portal:home"), _("Home")), (reverse("resources:index"), _("Resources"))]
    if request.user.is_authenticated:
        items.append((reverse("portal:space"), _("My space")))
        items.append((reverse("cockpit:my-learning"), _("My learning")))
        items.append((reverse("employment:index"), _("Employment")))
        if permissions.has_capability(request.user, "cockpit.view"):
            items.append((reverse("cockpit:index"), _("Data cockpit")))
        if permissions.has_capability(request.user, "monitoring.view"):
            items.append((reverse("monitoring:index"), _("Monitoring")))
        if selectors.admin_sections(request.user):
            items.append((reverse("manage:index"), _("Administration")))
    items.append((reverse("api-docs"), _("Developers")))
    path = request.path
    nav = [{"url": url, "label": label, "active": path == url or (url != "/" and path.startswith(url))} for url, label in items]
    # Whether "My resources" (the providers' page) applies to this user; memberships are already loaded above.
    provider = request.user.is_authenticated and permissions.has_capability(request.user, "resource.provide")
    return {"zj_nav": nav, "zj_languages": settings.LANGUAGES, "zj_resource_provider": provider,
            "zj_cockpit_viewer": request.user.is_authenticated and permissions.has_capability(request.user, "cockpit.view")}
