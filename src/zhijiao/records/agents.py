"""How platform users and resources appear in xAPI, and back.

A platform user is the Agent ``{"account": {"homePage": ZJ_PUBLIC_URL, "name": str(user.pk)}}``; the name
equals the user's OpenID Connect ``sub``. A resource is the activity ``{ZJ_PUBLIC_URL}/resources/<id>/``.
"""

from __future__ import annotations

import re

from django.conf import settings

from zhijiao.records.indexing import agent_key


def agent_for(user) -> dict:
    """The xAPI Agent that stands for ``user``."""
    return {"objectType": "Agent", "account": {"homePage": settings.ZJ_PUBLIC_URL, "name": str(user.pk)}}


def actor_key_for(user) -> str:
    """The ``actor_key`` column value of statements whose actor is ``user`` (for queries by key)."""
    return agent_key(agent_for(user))


def user_id_for(actor) -> int | None:
    """The id of the platform user an xAPI actor names, or None for anyone else (outsiders, groups)."""
    if not isinstance(actor, dict) or actor.get("objectType", "Agent") != "Agent":
        return None
    account = actor.get("account")
    if not isinstance(account, dict) or account.get("homePage") != settings.ZJ_PUBLIC_URL:
        return None
    name = account.get("name")
    if isinstance(name, str) and name.isascii() and name.isdigit() and len(name) < 19:
        return int(name)
    return None


def resource_activity_id(resource_id) -> str:
    return f"{settings.ZJ_PUBLIC_URL}/resources/{resource_id}/"


_RESOURCE_PATH = re.compile(r"/resources/(\d{1,18})/?$")


def resource_id_for(activity_id) -> int | None:
    """The resource id in one of our resource activity ids, or None for any other activity."""
    if not isinstance(activity_id, str) or not activity_id.startswith(settings.ZJ_PUBLIC_URL + "/"):
        return None
    match = _RESOURCE_PATH.fullmatch(activity_id[len(settings.ZJ_PUBLIC_URL):])
    return int(match.group(1)) if match else None
