"""OpenID Connect provider endpoints under /o/. Client management is ours (system admin only), so
django-oauth-toolkit's own self-service application pages and dynamic registration are not mounted."""

from oauth2_provider import urls as dot_urls

app_name = "oauth2_provider"

urlpatterns = dot_urls.base_urlpatterns + dot_urls.oidc_urlpatterns
