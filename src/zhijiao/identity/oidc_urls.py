"""OpenID Connect provider endpoints under /o/.

Sign-on clients are registered by the system administrator only (/manage/clients/), so
django-oauth-toolkit's self-service application pages, dynamic client registration and the device flow
(no client of ours uses it) are not mounted. The authorization and logout endpoints use our own pages.
"""

from django.urls import path, re_path
from oauth2_provider import views as dot

from zhijiao.identity.oidc import ConsentView, SignOutView

app_name = "oauth2_provider"

urlpatterns = [
    path("authorize/", ConsentView.as_view(), name="authorize"),
    path("token/", dot.TokenView.as_view(), name="token"),
    path("revoke_token/", dot.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", dot.IntrospectTokenView.as_view(), name="introspect"),
    # The specification has no trailing slash; django-oauth-toolkit still answers with one.
    re_path(r"^\.well-known/openid-configuration/?$", dot.ConnectDiscoveryInfoView.as_view(),
            name="oidc-connect-discovery-info"),
    path(".well-known/jwks.json", dot.JwksInfoView.as_view(), name="jwks-info"),
    path("userinfo/", dot.UserInfoView.as_view(), name="user-info"),
    path("logout/", SignOutView.as_view(), name="rp-initiated-logout"),
]
