"""How API callers prove who they are: the browser's session, or an OAuth2 bearer token.

An administrator's power through the API needs two-step verification just as the pages do: a session
must have passed it, and a token is only honoured for an administrator who has an authenticator.
"""

from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from zhijiao.identity import auth, permissions


class TwoStepRequired(Exception):
    pass


class SessionAuth(APIKeyCookie):
    """The session cookie; for unsafe methods ninja also checks the CSRF token."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = request.user
        if not user.is_authenticated:
            return None
        if not auth.mfa_satisfied(request) and permissions.holds_admin_role(user):
            raise TwoStepRequired
        return user


class BearerAuth(HttpBearer):
    """OAuth2 access tokens issued by our OpenID Connect provider, for programs."""

    def authenticate(self, request, token):
        from oauth2_provider.models import AccessToken

        access = AccessToken.objects.select_related("user").filter(token=token).first()
        if access is None or access.expires < timezone.now() or access.user is None or not access.user.is_active:
            return None
        user = access.user
        if permissions.holds_admin_role(user) and not auth.has_confirmed_totp(user):
            raise TwoStepRequired
        request.user = user
        request.oauth_token = access
        return user
