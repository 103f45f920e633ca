"""What the query indexes hold for a statement: canonical agent keys and bounded index keys.

An agent's key is its inverse functional identifier written as one string: the ``agent`` filter treats
an Agent and an identified Group with the same identifier as equal (Communication §2.1.3). Any key longer than the indexed columns allow is replaced by a digest, the same way at ingest and at
query time, so lookups stay exact.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

MAX_KEY = 255
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def term_hash(term: str) -> int:
    """The usual id of a query term: its 64-bit BLAKE2b digest as a signed integer (see ``IndexTerm``)."""
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "big", signed=True)


def micros(moment: datetime) -> int:
    """An instant as whole microseconds since 1970 UTC, exactly (the ``stored_us`` of query terms); a naive
    one is taken as UTC, as the database columns do."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _MICROSECOND


def index_key(value: str) -> str:
    if len(value) <= MAX_KEY:
        return value
    return "#" + hashlib.sha256(value.encode()).hexdigest()


def ifi_key(agent: dict) -> str:
    """The IFI of an agent or group as one string, or "" for an anonymous group."""
    if "mbox" in agent:
        return agent["mbox"]
    if "mbox_sha1sum" in agent:
        return "sha1:" + agent["mbox_sha1sum"]
    if "openid" in agent:
        return "openid:" + agent["openid"]
    account = agent.get("account")
    if isinstance(account, dict):
        return f"account:{account.get('homePage')} {account.get('name')}"
    return ""


def agent_key(agent: dict) -> str:
    """The indexed key of an agent or identified group; "" for an anonymous group."""
    ifi = ifi_key(agent)
    return index_key(ifi) if ifi else ""


def statement_agents(statement: dict) -> dict[str, bool]:
    """Every agent key a (validated) statement mentions, mapped to whether it answers the plain ``agent``
    filter: the actor and an agent object, and the members of either when it is a group. Instructor,
    team and everything inside a sub-statement answer only ``related_agents``.

    The authority is left out: the LRS always sets it itself, to the writing credential's agent (its
    statements are found by the ``credential`` column) or to the signed-in person, who is the actor."""
    keys: dict[str, bool] = {}

    def add(agent, direct):
        key = agent_key(agent)
        if key:
            keys[key] = keys.get(key, False) or direct
        for member in agent.get("member", ()) if agent.get("objectType") == "Group" else ():
            add(member, direct)

    def walk(stmt, direct):
        add(stmt["actor"], direct)
        target = stmt["object"]
        if target.get("objectType") in ("Agent", "Group"):
            add(target, direct)
        elif target.get("objectType") == "SubStatement":
            walk(target, False)
        context = stmt.get("context") or {}
        for part in ("instructor", "team"):
            if part in context:
                add(context[part], False)

    walk(statement, True)
    return keys


def statement_activities(statement: dict) -> dict[str, bool]:
    """Every activity id a statement mentions as index keys, mapped to whether it is the object."""
    keys: dict[str, bool] = {}

    def walk(stmt, direct):
        target = stmt["object"]
        kind = target.get("objectType", "Activity")
        if kind == "Activity":
            key = index_key(target["id"])
            keys[key] = keys.get(key, False) or direct
        elif kind == "SubStatement":
            walk(target, False)
        activities = (stmt.get("context") or {}).get("contextActivities") or {}
        for group in activities.values():
            for activity in group:
                keys.setdefault(index_key(activity["id"]), False)

    walk(statement, True)
    return keys
