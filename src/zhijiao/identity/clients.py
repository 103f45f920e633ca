"""Sign-on clients (接入应用): the platforms that sign people in through the Zhijiao OpenID Connect provider.

Only the system administrator registers them (capability ``oidc.manage``), and every change is audited.
django-oauth-toolkit stores client secrets hashed, so a plain secret exists only in what
:func:`create_client`, :func:`update_client` and :func:`regenerate_secret` return: the page or the API
shows it once, and a lost secret is replaced, never recovered.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model

from zhijiao.core import audit
from zhijiao.identity import permissions
from zhijiao.identity.models import User

Application = get_application_model()

CONFIDENTIAL = Application.CLIENT_CONFIDENTIAL
PUBLIC = Application.CLIENT_PUBLIC
# Plain http only where the traffic never leaves the machine (RFC 8252 loopback redirects).
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
MAX_URIS = 20
MAX_URI_LENGTH = 2000
MAX_NAME_LENGTH = 100


@dataclass(frozen=True)
class Issued:
    """A client as saved, with the plain secret when this call issued one (otherwise empty)."""

    client: Application
    secret: str = ""


# --- Reads ---------------------------------------------------------------------------------------------


def all_clients() -> list[Application]:
    return list(Application.objects.order_by("name", "id"))


def client_by_pk(pk: int) -> Application:
    return get_object_or_404(Application, pk=pk)


def uri_list(value: str) -> list[str]:
    """django-oauth-toolkit keeps URIs in one space-separated text field."""
    return value.split()


# --- Validation ----------------------------------------------------------------------------------------


def uri_allowed(uri: str) -> bool:
    """https anywhere; http only to the loopback host; no fragment, credentials or wildcard."""
    if len(uri) > MAX_URI_LENGTH or any(c.isspace() for c in uri) or "#" in uri or "*" in uri:
        return False
    try:
        parts = urlsplit(uri)
        hostname, _port = parts.hostname, parts.port  # .port raises ValueError when it is not a number
    except ValueError:
        return False
    if not hostname or parts.username is not None or parts.password is not None:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and hostname in LOOPBACK_HOSTS


def _clean_uris(uris, field: str, errors: dict, *, required: bool) -> list[str]:
    cleaned: list[str] = []
    for uri in uris:
        uri = uri.strip()
        if not uri or uri in cleaned:
            continue
        if not uri_allowed(uri):
            errors.setdefault(field, []).append(
                _("%(uri)s is not allowed: use https, or http only for localhost and 127.0.0.1.")
                % {"uri": uri[:200]}
            )
        cleaned.append(uri)
    if required and not cleaned:
        errors.setdefault(field, []).append(_("Enter at least one redirect URI."))
    if len(cleaned) > MAX_URIS:
        errors.setdefault(field, []).append(_("Enter at most %(n)d addresses.") % {"n": MAX_URIS})
    return cleaned


def _apply(client: Application, *, name, client_type, redirect_uris, post_logout_redirect_uris, trusted) -> None:
    """Check every field, report all problems at once, and copy the clean values onto ``client``."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Enter a name.")]
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = [_("Use at most %(n)d characters.") % {"n": MAX_NAME_LENGTH}]
    if client_type not in (CONFIDENTIAL, PUBLIC):
        errors["client_type"] = [_("Choose confidential or public.")]
    redirect_uris = _clean_uris(redirect_uris, "redirect_uris", errors, required=True)
    post_logout_redirect_uris = _clean_uris(post_logout_redirect_uris, "post_logout_redirect_uris", errors,
                                            required=False)
    if errors:
        raise ValidationError(errors)
    client.name = name
    client.client_type = client_type
    client.redirect_uris = " ".join(redirect_uris)
    client.post_logout_redirect_uris = " ".join(post_logout_redirect_uris)
    client.skip_authorization = bool(trusted)
    # Whatever django-oauth-toolkit itself checks on top of the rules above.
    client.full_clean()


def settings_of(client: Application) -> dict:
    """The client's settings in the shape :func:`create_client` and :func:`update_client` take them."""
    return {
        "name": client.name,
        "client_type": client.client_type,
        "redirect_uris": uri_list(client.redirect_uris),
        "post_logout_redirect_uris": uri_list(client.post_logout_redirect_uris),
        "trusted": client.skip_authorization,
    }


def summary(client: Application) -> dict:
    """What the audit log keeps about a client (never its secret)."""
    return {"client_id": client.client_id, **settings_of(client)}


# --- Writes --------------------------------------------------------------------------------------------


@transaction.atomic
def create_client(
    actor: User,
    *,
    name: str,
    client_type: str,
    redirect_uris,
    post_logout_redirect_uris=(),
    trusted: bool = False,
    request=None,
) -> Issued:
    """Register a client for the authorization-code flow with RS256-signed ID tokens.

    A confidential client gets a secret, returned here in plain text for the one time it is shown. A public
    client (a mobile or single-page app) has no usable secret and relies on PKCE alone. ``trusted``
    clients (the platform's own sub-platforms) skip the consent screen.
    """
    permissions.require(actor, "oidc.manage")
    secret = generate_client_secret()
    client = Application(
        user=None,  # owned by the platform, not by the admin who typed it in
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        algorithm=Application.RS256_ALGORITHM,
        hash_client_secret=True,
        client_secret=secret,
    )
    _apply(client, name=name, client_type=client_type, redirect_uris=redirect_uris,
           post_logout_redirect_uris=post_logout_redirect_uris, trusted=trusted)
    client.save()
    audit.record("oidc.client_create", actor=actor, request=request, target=client, **summary(client))
    return Issued(client, secret if client.client_type == CONFIDENTIAL else "")


@transaction.atomic
def update_client(
    actor: User,
    client: Application,
    *,
    name: str,
    client_type: str,
    redirect_uris,
    post_logout_redirect_uris=(),
    trusted: bool = False,
    request=None,
) -> Issued:
    """Change a client. A public client made confidential gets a new secret, returned for showing once."""
    permissions.require(actor, "oidc.manage")
    before = summary(client)
    became_confidential = client.client_type == PUBLIC and client_type == CONFIDENTIAL
    _apply(client, name=name, client_type=client_type, redirect_uris=redirect_uris,
           post_logout_redirect_uris=post_logout_redirect_uris, trusted=trusted)
    secret = generate_client_secret() if became_confidential else ""
    if secret:
        client.client_secret = secret
    client.save()
    after = summary(client)
    audit.record("oidc.client_update", actor=actor, request=request, target=client, name=client.name,
                 client_id=client.client_id, secret_issued=bool(secret),
                 changed={key: [before[key], value] for key, value in after.items() if before[key] != value})
    return Issued(client, secret)


@transaction.atomic
def regenerate_secret(actor: User, client: Application, *, request=None) -> Issued:
    """Replace a confidential client's secret; the old one stops working at once."""
    permissions.require(actor, "oidc.manage")
    if client.client_type != CONFIDENTIAL:
        raise ValidationError({"client_type": _("A public client has no secret.")})
    secret = generate_client_secret()
    client.client_secret = secret
    client.save(update_fields=["client_secret", "updated"])
    audit.record("oidc.client_secret", actor=actor, request=request, target=client, name=client.name,
                 client_id=client.client_id)
    return Issued(client, secret)


@transaction.atomic
def delete_client(actor: User, client: Application, *, request=None) -> None:
    """Remove a client with every grant and token it holds: its users are signed out of it."""
    permissions.require(actor, "oidc.manage")
    audit.record("oidc.client_delete", actor=actor, request=request, target=client, **summary(client))
    client.delete()
