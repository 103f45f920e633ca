"""The append-only, hash-chained audit log (审计日志).

Every sensitive action calls :func:`record` in the same transaction as the change it describes, so an
entry exists exactly when the change does. Each entry's MAC covers its own fields and the previous
entry's MAC (HMAC-SHA256 with ``ZJ_AUDIT_KEY``); :func:`verify` walks the chain and reports the first
entry that was edited, removed or inserted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhijiao.core.http import client_address
from zhijiao.core.models import AuditEntry, AuditHead

# 等级保护 requires keeping audit records at least this long, whatever the configuration says.
MIN_RETENTION_DAYS = 180

# Action names, with the label the audit page shows for each.
ACTIONS = {
    "login.success": _("Login succeeded"),
    "login.failure": _("Login failed"),
    "login.locked": _("Account locked"),
    "logout": _("Logout"),
    "password.change": _("Password changed"),
    "password.reset_request": _("Password reset requested"),
    "password.reset": _("Password reset"),
    "mfa.enable": _("Two-step verification enabled"),
    "mfa.disable": _("Two-step verification removed"),
    "mfa.recovery_used": _("Recovery code used"),
    "user.register": _("Account registered"),
    "user.create": _("Account created"),
    "user.update": _("Account changed"),
    "user.unlock": _("Account unlocked"),
    "user.activate": _("Account activated"),
    "role.grant": _("Role granted"),
    "role.revoke": _("Role revoked"),
    "org.create": _("Organisation created"),
    "org.update": _("Organisation changed"),
    "org.move": _("Organisation moved"),
    "oidc.client_create": _("Sign-on client registered"),
    "oidc.client_update": _("Sign-on client changed"),
    "oidc.client_delete": _("Sign-on client removed"),
    "oidc.client_secret": _("Sign-on client secret regenerated"),
    "oidc.token": _("Connected platform signed a person in"),
    "roster.import": _("Roster imported"),
    "roster.slip_download": _("Activation slip downloaded"),
    "audit.export": _("Audit log exported"),
    "audit.prune": _("Audit log pruned"),
    "outbox.read": _("Outbox read"),
    "guardian.link": _("Guardian linked"),
    "access.denied": _("Access denied"),
    "cockpit.export": _("Cockpit figures exported"),
    "resource.agreement": _("Resource-use agreement accepted"),
    "resource.create": _("Resource created"),
    "resource.update": _("Resource version edited"),
    "resource.file_upload": _("Resource file uploaded"),
    "resource.upload_rejected": _("Resource file refused"),
    "resource.submit": _("Resource submitted for review"),
    "resource.withdraw": _("Resource submission withdrawn"),
    "resource.screen": _("Resource machine-screened"),
    "resource.publish": _("Resource published"),
    "resource.take_down": _("Resource taken down"),
    "review.decide": _("Review decision"),
    "review.spot_check": _("Spot check queued"),
    "review.evaluation": _("Resource queued by dynamic evaluation"),
    "complaint.create": _("Complaint filed"),
    "complaint.handle": _("Complaint handled"),
    "catalogue.change": _("Catalogue changed"),
    "lrs.credential_issue": _("LRS credential issued"),
    "lrs.credential_revoke": _("LRS credential revoked"),
    "lrs.export": _("Learning records exported"),
    "screening.word_add": _("Sensitive word added"),
    "screening.word_update": _("Sensitive word changed"),
    "screening.word_delete": _("Sensitive word removed"),
    "screening.import": _("Sensitive words imported"),
}


def _canonical(entry: AuditEntry) -> bytes:
    at = entry.at.astimezone(UTC).isoformat(timespec="microseconds")
    fields = [
        entry.seq,
        at,
        entry.actor_id,
        entry.actor_name,
        entry.action,
        entry.target_type,
        entry.target_id,
        entry.organisation_id,
        entry.ip,
        entry.success,
        entry.detail,
        entry.prev_mac,
    ]
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _mac(entry: AuditEntry) -> str:
    return hmac.new(settings.ZJ_AUDIT_KEY.encode(), _canonical(entry), hashlib.sha256).hexdigest()


def _head_mac(head: AuditHead) -> str:
    fields = f"head:{head.last_seq}:{head.last_mac}:{head.base_seq}:{head.base_mac}"
    return hmac.new(settings.ZJ_AUDIT_KEY.encode(), fields.encode(), hashlib.sha256).hexdigest()


def _save_head(head: AuditHead) -> None:
    head.head_mac = _head_mac(head)
    head.save()


def _head_for_update() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.get_or_create(pk=1)
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def record(
    action: str,
    *,
    actor=None,
    request=None,
    target=None,
    organisation=None,
    success: bool = True,
    actor_name: str = "",
    **detail,
) -> AuditEntry:
    """Append one entry. ``actor`` defaults to the request's user; ``target`` is any model instance."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    request_user = getattr(request, "user", None)
    if actor is None and request_user is not None and request_user.is_authenticated:
        actor = request_user
    with transaction.atomic():
        head = _head_for_update()
        entry = AuditEntry(
            seq=head.last_seq + 1,
            at=timezone.now(),
            actor=actor,
            actor_name=actor_name or (actor.get_username() if actor is not None else ""),
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            organisation=organisation,
            ip=client_address(request),
            success=success,
            detail=detail,
            prev_mac=head.last_mac,
        )
        entry.mac = _mac(entry)
        entry.save()
        head.last_seq, head.last_mac = entry.seq, entry.mac
        _save_head(head)
    return entry


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify(batch_size: int = 5000) -> VerifyResult:
    """Walk the retained chain in order; stop at the first edited, missing or foreign entry."""
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        head = AuditHead(pk=1)
        head.head_mac = _head_mac(head)
    if not hmac.compare_digest(head.head_mac, _head_mac(head)):
        return VerifyResult(False, 0, head.last_seq, "head")
    expected_seq, prev_mac = head.base_seq + 1, head.base_mac
    checked = 0
    last_seq = head.base_seq
    while True:
        batch = list(AuditEntry.objects.filter(seq__gte=expected_seq).order_by("seq")[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.seq != expected_seq:
                return VerifyResult(False, checked, expected_seq, "missing")
            if entry.prev_mac != prev_mac or not hmac.compare_digest(entry.mac, _mac(entry)):
                return VerifyResult(False, checked, entry.seq, "altered")
            checked += 1
            prev_mac, last_seq = entry.mac, entry.seq
            expected_seq += 1
    if last_seq != head.last_seq or prev_mac != head.last_mac:
        return VerifyResult(False, checked, last_seq + 1, "missing")
    return VerifyResult(True, checked)


def prune(now=None) -> int:
    """Remove entries older than the retention period (never fewer than 180 days).

    The MAC of the last removed entry becomes the chain's new anchor, so verification of what remains
    still detects any change. Returns the number of entries removed.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=max(MIN_RETENTION_DAYS, settings.ZJ_AUDIT_RETENTION_DAYS))
    with transaction.atomic():
        head = _head_for_update()
        last_old = AuditEntry.objects.filter(at__lt=cutoff).order_by("-seq").first()
        if last_old is None:
            return 0
        removed = _delete_through(last_old.seq)
        head.base_seq, head.base_mac = last_old.seq, last_old.mac
        _save_head(head)
        record("audit.prune", actor_name="system", removed=removed, before=cutoff.isoformat())
    return removed


def _delete_through(seq: int) -> int:
    # The model refuses deletes; retention pruning is the one sanctioned removal, done with raw SQL.
    from django.db import connection

    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE seq <= %s", [seq])
        return cursor.rowcount
