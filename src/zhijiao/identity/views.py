"""Pages for signing in and out, registering, passwords and two-step verification."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhijiao.core import audit, ratelimit
from zhijiao.core.http import client_address
from zhijiao.core.i18n import remember_language
from zhijiao.identity import auth, services
from zhijiao.identity.forms import CodeForm, LoginForm, RegisterForm

RATE_WINDOW = 15 * 60


def within_rate(request, scope: str, limit: int) -> bool:
    return ratelimit.allow(scope, client_address(request) or "unknown", limit, RATE_WINDOW)


def apply_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError next to the matching fields of ``form``."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _signed_in_response(request, user):
    response = HttpResponseRedirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
    remember_language(response, user.language)
    return response


def login_view(request):
    if request.session.pop("zj_idle_logout", False):
        messages.info(request, _("You were signed out after a period of inactivity."))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and not within_rate(request, "login", settings.ZJ_RATE_LOGIN):
        form.add_error(None, _("Too many sign-in attempts from your network. Wait 15 minutes and try again."))
    elif request.method == "POST" and form.is_valid():
        result = auth.sign_in_with_password(request, form.cleaned_data["identifier"], form.cleaned_data["password"])
        if result.needs_code:
            verify = reverse("identity:login-verify")
            next_url = _safe_next(request, "")
            return redirect(f"{verify}?{urlencode({'next': next_url})}" if next_url else verify)
        if result.user is not None:
            return _signed_in_response(request, result.user)
        form.add_error(None, result.error)
    return render(request, "identity/login.html", {"form": form, "next": _safe_next(request, "")})


def login_verify_view(request):
    if auth.pending_user(request) is None:
        messages.error(request, _("Your sign-in has expired. Enter your password again."))
        return redirect("identity:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = auth.sign_in_with_code(request, form.cleaned_data["code"])
        if result.user is not None:
            return _signed_in_response(request, result.user)
        if not result.needs_code:
            messages.error(request, result.error)
            return redirect("identity:login")
        form.add_error("code", result.error)
    return render(request, "identity/login_verify.html", {"form": form, "next": _safe_next(request, "")})


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        audit.record("logout", request=request)
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


def register_view(request):
    if request.user.is_authenticated:
        return redirect("portal:space")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and not within_rate(request, "register", settings.ZJ_RATE_REGISTER):
        form.add_error(None, _("Too many registrations from your network. Wait 15 minutes and try again."))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.register_user(
                username=data["username"], password=data["password"], email=data["email"], phone=data["phone"],
                real_name=data["real_name"], language=request.LANGUAGE_CODE, request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            auth.sign_in_with_password(request, user.username, data["password"])
            messages.success(request, _("Welcome! Your account is ready."))
            return _signed_in_response(request, user)
    return render(request, "identity/register.html", {"form": form})


@login_required
def mfa_setup_view(request):
    """Set up an authenticator: show the QR code, then confirm with the first code."""
    user = request.user
    if auth.has_confirmed_totp(user):
        return redirect("portal:security")
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = _("The 6-digit code your authenticator app shows now.")
    if request.method == "POST" and form.is_valid():
        try:
            codes = auth.confirm_enrolment(request, user, form.cleaned_data["code"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            request.session.pop("zj_totp_uri", None)
            request.session.pop("zj_totp_secret", None)
            messages.success(request, _("Two-step verification is on."))
            return render(request, "identity/recovery_codes.html", {"codes": codes})
    if request.method == "GET" or "zj_totp_uri" not in request.session:
        secret, uri = auth.begin_enrolment(user)
        request.session["zj_totp_uri"], request.session["zj_totp_secret"] = uri, secret
    uri = request.session["zj_totp_uri"]
    qr = segno.make(uri, error="m").svg_inline(scale=4)
    return render(request, "identity/mfa_setup.html", {
        "form": form, "qr": qr, "secret": request.session["zj_totp_secret"],
        "required": auth.needs_mfa_enrolment(user),
    })


@login_required
@require_POST
def mfa_disable_view(request):
    try:
        auth.disable_totp(request.user, request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Two-step verification is off."))
    return redirect("portal:security")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "identity/password_change.html"
    success_url = reverse_lazy("portal:security")

    def form_valid(self, form):
        response = super().form_valid(form)
        update_session_auth_hash(self.request, form.user)
        auth.note_password_change(self.request, form.user, reset=False)
        messages.success(self.request, _("Your password was changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "identity/password_reset.html"
    email_template_name = "identity/password_reset_email.txt"
    subject_template_name = "identity/password_reset_subject.txt"
    success_url = reverse_lazy("identity:password-reset-done")

    def form_valid(self, form):
        email = form.cleaned_data["email"].lower()
        limit = settings.ZJ_RATE_PASSWORD_RESET
        if not (within_rate(self.request, "reset", limit) and ratelimit.allow("reset-email", email, limit, RATE_WINDOW)):
            form.add_error(None, _("Too many password-reset requests. Wait 15 minutes and try again."))
            return self.form_invalid(form)
        audit.record("password.reset_request", request=self.request, actor_name=email[:150])
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "identity/password_reset_confirm.html"
    success_url = reverse_lazy("identity:login")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        auth.note_password_change(self.request, form.user, reset=True)
        messages.success(self.request, _("Your password was reset. Sign in with the new password."))
        return response
