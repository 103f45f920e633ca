"""智教通行证 as an OpenID Connect provider: the claims in ID tokens and userinfo, and our consent and
sign-out pages in front of django-oauth-toolkit's endpoints.

Claims by scope: ``profile`` gives name, preferred_username, locale and the real-name verification
status; ``email`` the email address (when there is one); ``orgs`` the user's organisations and roles.
``sub`` is the user's id as a string. Phone and ID numbers never go into a token.
"""

from typing import ClassVar

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils.translation import to_locale
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.views import AuthorizationView, RPInitiatedLogoutView

from zhijiao.core import audit
from zhijiao.identity import auth, permissions, selectors


def language_tag(language: str) -> str:
    """The BCP 47 tag OpenID Connect expects for ``locale``: "zh-hans" becomes "zh-Hans"."""
    return to_locale(language).replace("_", "-")


class ZhijiaoOAuth2Validator(OAuth2Validator):
    # Only claims listed here can leave in a token, each with the scope that releases it; the
    # standard table of the parent class (phone_number, address, ...) is deliberately not inherited.
    oidc_claim_scope: ClassVar[dict[str, str]] = {
        "sub": "openid",
        "name": "profile",
        "preferred_username": "profile",
        "locale": "profile",
        "verification": "profile",
        "email": "email",
        "email_verified": "email",
        "orgs": "orgs",
        "roles": "orgs",
    }

    def get_additional_claims(self, request):
        user = request.user
        claims = {
            "name": user.get_full_name(),
            "preferred_username": user.username,
            "locale": language_tag(user.language),
            "verification": user.verification,
        }
        if user.email:
            claims["email"] = user.email
            # Nobody confirmed the address: a platform must not link accounts by it.
            claims["email_verified"] = False
        # Memberships cost a query; read them only when the client asked for them.
        if "orgs" in (request.scopes or ()):
            memberships = selectors.memberships_of(user)
            claims["orgs"] = [
                {"id": m.organisation_id, "name": m.organisation.name, "kind": m.organisation.kind,
                 "code": m.organisation.code, "role": m.role}
                for m in memberships
            ]
            claims["roles"] = sorted({m.role for m in memberships})
        return claims

    def get_discovery_claims(self, request):
        # Our claims depend on the request (the user, the scopes), so the parent class cannot list them.
        return list(self.oidc_claim_scope)


class ConsentView(AuthorizationView):
    """The authorization endpoint. Trusted clients (our own sub-platforms) skip the consent page.

    An administrator signs in to connected platforms only after two-step verification, as for our own
    administration pages: their roles travel in the token.
    """

    template_name = "identity/oidc_consent.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not auth.mfa_satisfied(request) and permissions.holds_admin_role(user):
            if not auth.has_confirmed_totp(user):
                return redirect("identity:mfa-setup")
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)


class SignOutView(RPInitiatedLogoutView):
    """RP-initiated logout: ends the Zhijiao session and the user's tokens, and audits the sign-out."""

    template_name = "identity/oidc_logout.html"

    def do_logout(self, application=None, post_logout_redirect_uri=None, state=None, token_user=None):
        if self.request.user.is_authenticated:
            audit.record("logout", request=self.request, client_id=application.client_id if application else "")
        return super().do_logout(application, post_logout_redirect_uri, state, token_user)


def record_token_issued(sender, request, token, **kwargs):
    """Every code-for-token exchange is a sign-in to a connected platform: it goes to the audit log."""
    from zhijiao.core import audit

    audit.record("oidc.token", request=request, actor=token.user, target=token.application,
                 client_id=token.application.client_id if token.application else "", scope=token.scope)
