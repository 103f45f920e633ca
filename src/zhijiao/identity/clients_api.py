"""JSON API for sign-on clients (/api/v1/oidc/clients), for the system administrator only.

Client management needs a browser session (which the API layer requires to have passed two-step
verification); access tokens are refused, so a connected platform holding an administrator's token cannot
register or change other platforms.
A client secret appears in a response only when that request issued it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from ninja import Field, Router, Schema, Status

from zhijiao.identity import clients, permissions
from zhijiao.identity.models import User

router = Router(tags=["sign-on clients"])

ClientType = Literal["confidential", "public"]


class ClientIn(Schema):
    name: str = Field(..., min_length=1, max_length=clients.MAX_NAME_LENGTH)
    client_type: ClientType
    redirect_uris: list[str] = Field(..., min_length=1, max_length=clients.MAX_URIS)
    post_logout_redirect_uris: list[str] = Field(default_factory=list, max_length=clients.MAX_URIS)
    trusted: bool = Field(False, description="Skip the consent page (the platform's own sub-platforms only).")


class ClientPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=clients.MAX_NAME_LENGTH)
    client_type: ClientType | None = None
    redirect_uris: list[str] | None = Field(None, min_length=1, max_length=clients.MAX_URIS)
    post_logout_redirect_uris: list[str] | None = Field(None, max_length=clients.MAX_URIS)
    trusted: bool | None = None


class ClientOut(Schema):
    id: int
    client_id: str
    name: str
    client_type: ClientType
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    trusted: bool
    algorithm: str
    created: datetime
    updated: datetime


class IssuedOut(ClientOut):
    client_secret: str | None = Field(
        None, description="Only in the response of the request that issued it; store it now, it cannot be read again."
    )


def _out(client, secret: str = "") -> dict:
    return {
        "id": client.pk, "client_id": client.client_id, **clients.settings_of(client),
        "algorithm": client.algorithm, "created": client.created, "updated": client.updated,
        "client_secret": secret or None,
    }


def _client_manager(request) -> User:
    permissions.require(request.auth, "oidc.manage")
    if getattr(request, "oauth_token", None) is not None:
        raise PermissionDenied
    return request.auth


@router.get("/clients", response=list[ClientOut], summary="Registered sign-on clients")
def list_clients(request):
    _client_manager(request)
    return [_out(c) for c in clients.all_clients()]


@router.post("/clients", response={201: IssuedOut}, summary="Register a sign-on client")
def create_client(request, payload: ClientIn):
    issued = clients.create_client(_client_manager(request), **payload.dict(), request=request)
    return Status(201, _out(issued.client, issued.secret))


@router.get("/clients/{pk}", response=ClientOut)
def get_client(request, pk: int):
    _client_manager(request)
    return _out(clients.client_by_pk(pk))


@router.patch("/clients/{pk}", response=IssuedOut,
              summary="Change a sign-on client (a public client made confidential gets a secret)")
def update_client(request, pk: int, payload: ClientPatch):
    actor = _client_manager(request)
    client = clients.client_by_pk(pk)
    changes = payload.dict(exclude_none=True)
    issued = clients.update_client(actor, client, **{**clients.settings_of(client), **changes}, request=request)
    return _out(issued.client, issued.secret)


@router.post("/clients/{pk}/secret", response=IssuedOut, summary="Issue a new client secret")
def regenerate_secret(request, pk: int):
    issued = clients.regenerate_secret(_client_manager(request), clients.client_by_pk(pk), request=request)
    return _out(issued.client, issued.secret)


@router.delete("/clients/{pk}", response={204: None}, summary="Remove a sign-on client and all its tokens")
def delete_client(request, pk: int):
    clients.delete_client(_client_manager(request), clients.client_by_pk(pk), request=request)
    return Status(204, None)
