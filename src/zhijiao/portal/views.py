"""Home page and personal space (个人空间)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhijiao.core.i18n import remember_language
from zhijiao.identity import auth, permissions, services
from zhijiao.identity import selectors as identity_selectors
from zhijiao.identity.forms import ProfileForm
from zhijiao.identity.models import Verification
from zhijiao.identity.views import apply_errors
from zhijiao.portal import selectors


def home(request):
    context = {}
    if request.user.is_authenticated:
        context["admin_sections"] = selectors.admin_sections(request.user)
        context["memberships"] = identity_selectors.memberships_of(request.user)
    return render(request, "portal/home.html", context)


@require_GET
def switch_language(request, code: str):
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if code in dict(settings.LANGUAGES):
        remember_language(response, code)
        if request.user.is_authenticated:
            services.remember_language_choice(request.user, code)
    return response


@login_required
def space(request):
    user = request.user
    return render(request, "portal/space.html", {
        "memberships": identity_selectors.memberships_of(user),
        "guardians": identity_selectors.guardians_of(user),
        "wards": identity_selectors.wards_of(user),
        "admin_sections": selectors.admin_sections(user),
        "needs_mfa": auth.needs_mfa_enrolment(user),
    })


@login_required
def profile(request):
    user = request.user
    initial = {"real_name": user.real_name, "email": user.email or "", "phone": user.phone_masked,
               "language": user.language}
    form = ProfileForm(request.POST or None, initial=initial)
    # A verified name comes from official records and is corrected there, not here.
    form.fields["real_name"].disabled = user.verification == Verification.VERIFIED
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        phone = user.phone if data["phone"] == user.phone_masked else data["phone"]
        try:
            services.update_profile(user, real_name=data["real_name"], email=data["email"], phone=phone,
                                    language=data["language"], request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your profile was saved."))
            response = redirect("portal:space")
            remember_language(response, user.language)
            return response
    return render(request, "portal/profile.html", {"form": form})


@login_required
def security(request):
    user = request.user
    return render(request, "portal/security.html", {
        "has_totp": auth.has_confirmed_totp(user),
        "mfa_required": permissions.holds_admin_role(user),
        "recovery_left": identity_selectors.recovery_codes_left(user),
        "attempts": identity_selectors.login_history(user),
    })
