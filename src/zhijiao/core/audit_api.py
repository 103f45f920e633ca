"""JSON API for the audit log (/api/v1/audit): reading it with filters, and checking its chain.

Only the audit administrator may call these (two-step verification is enforced for every administrator
by the API's authentication, zhijiao.identity.api_auth). A refused call is itself recorded, as on the pages.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from zhijiao.core import audit, selectors
from zhijiao.identity import permissions
from zhijiao.identity.models import Organisation

router = Router(tags=["audit"])


class AuditQuery(Schema):
    action: str = Field("", max_length=64, description="An action code, e.g. login.failure")
    actor: str = Field("", max_length=150, description="The actor's username")
    target_type: str = Field("", max_length=64, description="e.g. identity.user")
    target_id: str = Field("", max_length=64)
    success: bool | None = None
    date_from: date | None = Field(None, description="First day, in the site's time zone")
    date_to: date | None = Field(None, description="Last day (included), in the site's time zone")
    organisation_id: int | None = Field(None, description="This organisation and everything under it")
    before_seq: int | None = Field(None, ge=1, description="Entries older than this sequence number")
    limit: int = Field(100, ge=1, le=500)


class AuditEntryOut(Schema):
    seq: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    action_label: str
    target_type: str
    target_id: str
    organisation_id: int | None
    organisation_name: str
    ip: str | None
    success: bool
    detail: dict


class AuditPageOut(Schema):
    items: list[AuditEntryOut]
    next_before_seq: int | None = Field(description="Pass as before_seq for the next older page; null at the end")


class VerifyOut(Schema):
    ok: bool
    checked: int
    first_bad_seq: int | None
    problem: str = Field(description='"altered", "missing", "head" (the head record was altered), or empty when intact')


def _require_auditor(request) -> None:
    if not permissions.has_capability(request.auth, "audit.read"):
        raise PermissionDenied  # the API's handler records the refusal


def _filter(query: AuditQuery) -> selectors.AuditFilter:
    if query.action and query.action not in audit.ACTIONS:
        raise ValidationError({"action": _("Unknown action.")})
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise ValidationError({"date_to": _("The end date is before the start date.")})
    organisation = None
    if query.organisation_id is not None:
        organisation = Organisation.objects.filter(pk=query.organisation_id).first()
        if organisation is None:
            raise ValidationError({"organisation_id": _("No such organisation.")})
    return selectors.AuditFilter(
        action=query.action, actor=query.actor.strip(), target_type=query.target_type.strip(),
        target_id=query.target_id.strip(), success=query.success, date_from=query.date_from,
        date_to=query.date_to, organisation=organisation,
    )


def _entry(e) -> dict:
    return {
        "seq": e.seq, "at": e.at, "actor_id": e.actor_id, "actor_name": e.actor_name, "action": e.action,
        "action_label": selectors.action_label(e.action), "target_type": e.target_type,
        "target_id": e.target_id, "organisation_id": e.organisation_id,
        "organisation_name": e.organisation.name if e.organisation_id else "", "ip": e.ip,
        "success": e.success, "detail": e.detail,
    }


@router.get("", response=AuditPageOut, summary="Audit entries, newest first, with filters (audit administrator)")
def list_entries(request, query: Query[AuditQuery]):
    _require_auditor(request)
    page = selectors.keyset_page(selectors.audit_entries(_filter(query)), "seq", before=query.before_seq,
                                 size=query.limit)
    return {"items": [_entry(e) for e in page.items], "next_before_seq": page.older}


@router.get("/verify", response=VerifyOut, summary="Check the audit chain end to end (audit administrator)")
def verify_chain(request):
    _require_auditor(request)
    result = audit.verify()
    return {"ok": result.ok, "checked": result.checked, "first_bad_seq": result.first_bad_seq,
            "problem": result.problem}
