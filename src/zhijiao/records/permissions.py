"""Who is talking to the LRS, and what they may do (the object rules of /xapi/).

Three kinds of caller:

* a connected platform or tool with an LRS credential (HTTP Basic key:secret). Its scopes say what it
  may do: ``write`` statements and documents (about any agent); ``read_own`` statements it wrote
  itself; ``read_all`` every statement.
* a person signed in to our pages (session cookie; unsafe methods need the CSRF token header). They
  write statements whose actor is themselves and read statements whose actor is themselves, and keep
  state and agent-profile documents about themselves.
* a program holding an OAuth2 access token from our OpenID Connect provider with the ``api`` scope:
  the token's user, with exactly the rights that user has with a session.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass, field

from zhijiao.records.agents import agent_for
from zhijiao.records.indexing import agent_key
from zhijiao.records.models import Credential


class NotAuthenticated(Exception):
    pass


@dataclass
class Principal:
    authority: dict
    credential: Credential | None = None
    user: object | None = None
    via_session: bool = False
    scopes: frozenset = field(default_factory=frozenset)

    @property
    def user_agent_key(self) -> str:
        return agent_key(agent_for(self.user)) if self.user is not None else ""

    # Statements --------------------------------------------------------------------------------
    @property
    def may_write_statements(self) -> bool:
        return self.user is not None or Credential.SCOPE_WRITE in self.scopes

    @property
    def reads_all(self) -> bool:
        return self.credential is not None and Credential.SCOPE_READ_ALL in self.scopes

    @property
    def may_read_statements(self) -> bool:
        return self.user is not None or bool(self.scopes & {Credential.SCOPE_READ_ALL, Credential.SCOPE_READ_OWN})

    def may_write_actor(self, actor: dict) -> bool:
        """People may only write statements about themselves; credentials about anyone."""
        return self.user is None or agent_key(actor) == self.user_agent_key

    def may_read_row(self, statement) -> bool:
        if self.user is not None:
            return statement.user_id == self.user.pk
        credential_id = statement.credential_id
        if self.reads_all:
            return True
        return Credential.SCOPE_READ_OWN in self.scopes and credential_id == self.credential.pk

    # Documents ---------------------------------------------------------------------------------
    def may_touch_document(self, agent: dict | None, *, write: bool) -> bool:
        if self.user is not None:
            if agent is None:  # activity profiles: people read them, tools write them
                return not write
            return agent_key(agent) == self.user_agent_key
        if write:
            return Credential.SCOPE_WRITE in self.scopes
        return bool(self.scopes & {Credential.SCOPE_WRITE, Credential.SCOPE_READ_ALL})


def credential_from_basic(header: str) -> Credential | None:
    """The active credential named by an ``Authorization: Basic`` header with the right secret."""
    from zhijiao.records.services import hash_secret

    try:
        decoded = base64.b64decode(header.split(" ", 1)[1].strip(), validate=True).decode("utf-8")
    except (IndexError, ValueError, binascii.Error, UnicodeDecodeError):
        return None
    key, _sep, secret = decoded.partition(":")
    credential = Credential.objects.filter(key=key, revoked_at__isnull=True).select_related("organisation").first()
    if credential is None or not hmac.compare_digest(credential.secret_hash, hash_secret(secret)):
        return None
    return credential


def authenticate(request, authorization: str | None) -> Principal:
    """Work out the caller from the Authorization value (header or alternate-syntax form field) or the
    session. Raises :class:`NotAuthenticated` when there is none or it is not valid."""
    from zhijiao.records.services import credential_agent

    if authorization:
        scheme = authorization.split(" ", 1)[0].lower()
        if scheme == "basic":
            credential = credential_from_basic(authorization)
            if credential is None:
                raise NotAuthenticated
            return Principal(authority=credential_agent(credential), credential=credential,
                             scopes=frozenset(credential.scopes))
        if scheme == "bearer":
            user = _bearer_user(request, authorization.split(" ", 1)[1].strip() if " " in authorization else "")
            if user is None:
                raise NotAuthenticated
            return Principal(authority=agent_for(user), user=user)
        raise NotAuthenticated
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        return Principal(authority=agent_for(user), user=user, via_session=True)
    raise NotAuthenticated


def _bearer_user(request, token: str):
    from zhijiao.identity.api_auth import BearerAuth, TwoStepRequired

    if not token:
        return None
    try:
        return BearerAuth().authenticate(request, token)
    except TwoStepRequired:
        return None

