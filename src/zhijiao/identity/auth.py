"""Signing in: password check with lockout, two-step verification (TOTP) and recovery codes.

A sign-in is two steps when the account has a confirmed authenticator: the password step leaves a
pending marker in the session, and only a valid code turns it into a login. Failed codes count toward
the same lockout as failed passwords.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate, login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhijiao.core import audit, crypto
from zhijiao.core.http import client_address
from zhijiao.identity import permissions
from zhijiao.identity.models import LoginAttempt, RecoveryCode, TOTPDevice, User

SESSION_PENDING = "zj_mfa_pending"
SESSION_MFA_AT = "zj_mfa_at"
PENDING_SECONDS = 300
RECOVERY_CODE_COUNT = 10
ISSUER = "智教 Zhijiao"


@dataclass
class SignIn:
    user: User | None
    needs_code: bool = False
    error: str = ""


def _attempt(request, user: User | None, username: str, *, success: bool, reason: str) -> LoginAttempt:
    return LoginAttempt.objects.create(
        user=user, username=username[:150], ip=client_address(request), success=success, reason=reason,
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:300],
    )


def _failures_in_window(user: User) -> int:
    """Failures within the window, counted afresh after a successful sign-in or the end of a lock."""
    since = timezone.now() - settings.ZJ_LOCKOUT_WINDOW
    for reset in (user.last_login, user.locked_until):
        if reset is not None and reset > since:
            since = reset
    return LoginAttempt.objects.filter(user=user, success=False, at__gte=since).count()


def _lock(request, user: User, failures: int) -> None:
    user.locked_until = timezone.now() + settings.ZJ_LOCKOUT_DURATION
    User.objects.filter(pk=user.pk).update(locked_until=user.locked_until)
    audit.record("login.locked", request=request, actor=user, success=False, failures=failures)


def _note_failure(request, user: User | None, identifier: str, reason: str,
                  attempt: LoginAttempt | None = None) -> None:
    """Record a failed step (reusing the attempt reserved for it) and lock the account at the limit."""
    # What was typed may be a phone number: keep the account's username, or a masked form.
    username = user.username if user is not None else crypto.mask(identifier[:150])
    if attempt is None:
        attempt = _attempt(request, user, username, success=False, reason=reason)
    else:
        attempt.reason = reason
        attempt.save(update_fields=["reason"])
    audit.record("login.failure", request=request, actor=user, actor_name=username[:150], success=False,
                 reason=reason)
    if user is not None and not user.is_locked():
        failures = _failures_in_window(user)
        if failures >= settings.ZJ_LOCKOUT_FAILURES:
            _lock(request, user, failures)


def _locked_message(user: User) -> str:
    until = timezone.localtime(user.locked_until).strftime("%H:%M")
    return _("Too many failed attempts. This account is locked until %(time)s; try again then or ask your "
             "security administrator to unlock it.") % {"time": until}


def _complete_login(request, user: User, *, with_code: bool) -> None:
    login(request, user, backend="zhijiao.identity.backends.UsernamePhoneEmailBackend")
    if with_code:
        request.session[SESSION_MFA_AT] = int(timezone.now().timestamp())
    request.session["zj_language"] = user.language
    _attempt(request, user, user.username, success=True, reason="mfa" if with_code else "password")
    audit.record("login.success", request=request, actor=user, mfa=with_code)


# Not one transaction: the password hash takes tens of milliseconds, and on SQLite an open write
# transaction would hold the database's single write lock for all of it.
def sign_in_with_password(request, identifier: str, password: str) -> SignIn:
    from zhijiao.identity.services import find_user_by_identifier

    candidate = find_user_by_identifier(identifier)
    if candidate is not None and candidate.is_locked():
        _note_failure(request, candidate, identifier, "locked")
        return SignIn(None, error=_locked_message(candidate))
    reserved = None
    if candidate is not None:
        # Reserve the attempt before checking the password: attempts running in parallel then count
        # each other, so a burst of guesses cannot slip past the limit while the hashes are computed.
        reserved = _attempt(request, candidate, candidate.username, success=False, reason="checking")
        failures = _failures_in_window(candidate)
        if failures > settings.ZJ_LOCKOUT_FAILURES:
            _lock(request, candidate, failures)
            _note_failure(request, candidate, identifier, "locked", reserved)
            return SignIn(None, error=_locked_message(candidate))
    user = authenticate(request, username=identifier, password=password)
    if user is None:
        _note_failure(request, candidate, identifier, "password", reserved)
        if candidate is not None and candidate.is_locked():
            return SignIn(None, error=_locked_message(candidate))
        return SignIn(None, error=_("The account or password is incorrect."))
    if reserved is not None:
        reserved.delete()  # the password was right: the sign-in itself is recorded when it completes
    if has_confirmed_totp(user):
        request.session[SESSION_PENDING] = {"uid": user.pk, "at": int(timezone.now().timestamp())}
        return SignIn(user, needs_code=True)
    _complete_login(request, user, with_code=False)
    return SignIn(user)


def pending_user(request) -> User | None:
    pending = request.session.get(SESSION_PENDING)
    if not pending or timezone.now().timestamp() - pending["at"] > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=pending["uid"], is_active=True).first()


@transaction.atomic
def sign_in_with_code(request, code: str) -> SignIn:
    user = pending_user(request)
    if user is None:
        return SignIn(None, error=_("Your sign-in has expired. Enter your password again."))
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_locked():
        return SignIn(None, error=_locked_message(user))
    used_recovery = False
    if not verify_totp(user, code):
        used_recovery = use_recovery_code(user, code)
        if not used_recovery:
            _note_failure(request, user, user.username, "code")
            user.refresh_from_db(fields=["locked_until"])
            if user.is_locked():
                request.session.pop(SESSION_PENDING, None)
                return SignIn(None, error=_locked_message(user))
            return SignIn(None, needs_code=True, error=_("That code is not valid. Check your authenticator app."))
    request.session.pop(SESSION_PENDING, None)
    _complete_login(request, user, with_code=True)
    if used_recovery:
        audit.record("mfa.recovery_used", request=request, actor=user)
    return SignIn(user)


# --- TOTP ----------------------------------------------------------------------------------------------


def has_confirmed_totp(user: User) -> bool:
    # Sign-in loads the user together with the authenticator (backends.get_user), saving a query on
    # every request; any other user object asks the database.
    relation = User.totp.related
    if relation.is_cached(user):
        device = relation.get_cached_value(user)
        return device is not None and device.confirmed_at is not None
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def mfa_satisfied(request) -> bool:
    """True when this session passed two-step verification (at sign-in or by enrolling just now)."""
    return bool(request.session.get(SESSION_MFA_AT))


def needs_mfa_enrolment(user: User) -> bool:
    return permissions.holds_admin_role(user) and not has_confirmed_totp(user)


def begin_enrolment(user: User) -> tuple[str, str]:
    """A fresh unconfirmed secret (replacing any earlier unconfirmed one): (secret, otpauth URI)."""
    device = TOTPDevice.objects.filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        raise ValidationError({"code": _("Two-step verification is already on.")})
    secret = pyotp.random_base32()
    TOTPDevice.objects.update_or_create(user=user, defaults={"secret_enc": crypto.encrypt(secret, "totp.secret"),
                                                              "confirmed_at": None, "last_step": 0})
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return secret, uri


def _accept_code(device: TOTPDevice, code: str) -> bool:
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(device.secret)
    now = timezone.now()
    # Accept the current step and one on either side for clock drift, but never a step already used.
    for offset in (0, -1, 1):
        step = totp.timecode(now) + offset
        if step > device.last_step and secrets.compare_digest(totp.generate_otp(step), code):
            device.last_step = step
            device.save(update_fields=["last_step"])
            return True
    return False


def verify_totp(user: User, code: str) -> bool:
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    return device is not None and _accept_code(device, code)


@transaction.atomic
def confirm_enrolment(request, user: User, code: str) -> list[str]:
    """Check the first code from the new authenticator; returns the recovery codes, shown once."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        raise ValidationError({"code": _("Start setting up two-step verification first.")})
    if not _accept_code(device, code):
        raise ValidationError({"code": _("That code is not valid. Check the time on your phone and try again.")})
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at"])
    User.totp.related.set_cached_value(user, device)
    codes = _new_recovery_codes(user)
    request.session[SESSION_MFA_AT] = int(timezone.now().timestamp())
    audit.record("mfa.enable", request=request, actor=user, target=user)
    return codes


def _hash_code(code: str) -> str:
    # Keyed, so a copy of the database alone does not let anyone try all 2^40 codes offline.
    return crypto.blind_index(code.replace("-", "").lower(), "totp.recovery")


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _i in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5)
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_hash_code(c)) for c in codes)
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    code = (code or "").strip()
    if len(code.replace("-", "")) != 10:
        return False
    updated = RecoveryCode.objects.filter(user=user, code_hash=_hash_code(code), used_at__isnull=True).update(
        used_at=timezone.now()
    )
    return updated == 1


@transaction.atomic
def disable_totp(actor: User, user: User, request=None) -> None:
    """The user themself (not when an admin role requires it), or a security administrator."""
    if actor.pk == user.pk:
        if permissions.holds_admin_role(user):
            raise ValidationError({"code": _("Your administrator role requires two-step verification.")})
    elif not permissions.can_manage_user(actor, user, "security.manage"):
        raise PermissionDenied
    TOTPDevice.objects.filter(user=user).delete()
    User.totp.related.set_cached_value(user, None)
    RecoveryCode.objects.filter(user=user).delete()
    audit.record("mfa.disable", request=request, actor=actor, target=user)


def note_password_change(request, user: User, *, reset: bool) -> None:
    """After a new password: tokens issued to programs and platforms under the old one stop working."""
    from oauth2_provider.models import AccessToken, RefreshToken

    for refresh in RefreshToken.objects.filter(user=user, revoked__isnull=True):
        refresh.revoke()
    AccessToken.objects.filter(user=user).delete()
    audit.record("password.reset" if reset else "password.change", request=request, actor=user, target=user)
