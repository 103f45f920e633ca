"""Gatekeeping for administration pages: signed in, the capability somewhere, and two-step verification."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from zhijiao.core import audit
from zhijiao.identity import auth, permissions


def admin_page(*capabilities: str):
    """Open the page only to holders of any of ``capabilities`` who passed two-step verification this session.

    An administrator without an authenticator is sent to set one up first; one who has it but signed
    in before enrolling must sign in again with the code.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(permissions.has_capability(user, c) for c in capabilities):
                audit.record("access.denied", request=request, success=False, path=request.path[:200])
                raise PermissionDenied
            if not auth.has_confirmed_totp(user):
                # The setup page itself explains that the administrator role requires it.
                return redirect("identity:mfa-setup")
            if not auth.mfa_satisfied(request):
                messages.warning(request, _("Sign in again with your verification code to open administration pages."))
                return redirect_to_login(request.get_full_path())
            return view(request, *args, **kwargs)

        wrapper.zj_capabilities = capabilities
        return wrapper

    return decorator
