from django.urls import include, path

from zhijiao.api import api, docs_view
from zhijiao.records.visits import page_view

urlpatterns = [
    path("api/v1/", api.urls),
    path("api/docs", docs_view, name="api-docs"),
    path("o/", include("zhijiao.identity.oidc_urls")),
    path("accounts/", include("zhijiao.identity.urls")),
    path("xapi/", include("zhijiao.records.xapi_urls")),
    path("records/page-view", page_view, name="records-page-view"),
    path("manage/lrs/", include("zhijiao.records.manage_urls")),
    path("manage/resources/", include("zhijiao.resources.manage_urls")),
    path("manage/", include("zhijiao.portal.manage_urls")),
    path("cockpit/", include("zhijiao.cockpit.urls")),
    path("resources/", include("zhijiao.resources.urls")),
    path("employment/find/", include("zhijiao.employment.matching.urls")),
    path("employment/hiring/", include("zhijiao.employment.hiring.urls")),
    path("employment/", include("zhijiao.employment.urls")),
    path("monitoring/detection/", include("zhijiao.monitoring.detection.urls")),
    path("monitoring/", include("zhijiao.monitoring.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("zhijiao.portal.urls")),
]

handler400 = "zhijiao.core.errors.bad_request"
handler403 = "zhijiao.core.errors.permission_denied"
handler404 = "zhijiao.core.errors.not_found"
handler500 = "zhijiao.core.errors.server_error"
