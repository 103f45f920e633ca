"""JSON API of the records app, mounted under /api/v1/records: LRS credential management.

For LRS managers (system administrator, platform operator) with a browser session that passed two-step
verification; access tokens are refused, so a platform holding an administrator's token cannot mint
itself credentials. A secret appears only in the response of the request that issued it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from zhijiao.identity import permissions
from zhijiao.identity.models import Organisation
from zhijiao.records import selectors, services
from zhijiao.records.models import Credential

router = Router(tags=["records"])

Scope = Literal["write", "read_own", "read_all"]


class CredentialIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    organisation_id: int
    scopes: list[Scope] = Field(..., min_length=1, max_length=3)


class CredentialOut(Schema):
    id: int
    key: str
    name: str
    organisation_id: int
    scopes: list[Scope]
    created_at: datetime
    revoked_at: datetime | None


class IssuedOut(CredentialOut):
    secret: str = Field(..., description="Shown only in this response; store it now, it cannot be read again.")


def _manager(request):
    permissions.require(request.auth, "lrs.manage")
    if getattr(request, "oauth_token", None) is not None:
        raise PermissionDenied
    return request.auth


def _out(credential: Credential, secret: str = "") -> dict:
    out = {"id": credential.pk, "key": credential.key, "name": credential.name,
           "organisation_id": credential.organisation_id, "scopes": credential.scopes,
           "created_at": credential.created_at, "revoked_at": credential.revoked_at}
    if secret:
        out["secret"] = secret
    return out


@router.get("/credentials", response=list[CredentialOut], summary="LRS credentials")
def list_credentials(request):
    return [_out(c) for c in selectors.credentials_for(_manager(request))]


@router.post("/credentials", response={201: IssuedOut}, summary="Issue an LRS credential (key and secret)")
def issue_credential(request, payload: CredentialIn):
    actor = _manager(request)
    organisation = get_object_or_404(Organisation, pk=payload.organisation_id)
    credential, secret = services.issue_credential(actor=actor, name=payload.name, organisation=organisation,
                                                   scopes=payload.scopes, request=request)
    return Status(201, _out(credential, secret))


@router.post("/credentials/{pk}/revoke", response=CredentialOut, summary="Revoke an LRS credential")
def revoke_credential(request, pk: int):
    actor = _manager(request)
    credential = services.revoke_credential(actor=actor, credential=get_object_or_404(Credential, pk=pk),
                                            request=request)
    return _out(credential)
