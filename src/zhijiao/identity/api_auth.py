"""How API callers prove who they are: the browser's session, or an OAuth2 bearer token.

An administrator's power through the API needs two-step verification just as the pages do: a session
must have passed it, and a token is only honoured for an administrator who has an authenticator.
"""

import hashlib

from django.conf import settings
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from zhijiao.identity import auth, permissions

API_SCOPE = "api"


class TwoStepRequired(Exception):
    pass


class CsrfRejected(Exception):
    pass


class SessionAuth(APIKeyCookie):
    """The session cookie; for unsafe methods ninja also checks the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        # No session cookie: nothing to protect, let the caller get a plain 401.
        if self.param_name not in request.COOKIES:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise CsrfRejected
        return request.COOKIES[self.param_name]

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

        # DOT's indexed lookup column: the SHA-256 of the token, unique (the token column has no index).
        checksum = hashlib.sha256(token.encode()).hexdigest()
        access = AccessToken.objects.select_related("user", "user__totp").filter(token_checksum=checksum).first()
        if access is None or access.expires < timezone.now() or access.user is None or not access.user.is_active:
            return None
        # Tokens a platform got to sign someone in (openid, profile, orgs) do not act on the API; that
        # takes the "api" scope, which the person grants on the consent page.
        if API_SCOPE not in access.scope.split():
            return None
        user = access.user
        if permissions.holds_admin_role(user) and not auth.has_confirmed_totp(user):
            raise TwoStepRequired
        request.user = user
        request.oauth_token = access
        return user
