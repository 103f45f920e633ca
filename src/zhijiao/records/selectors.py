"""Reads of the learning record store: statement queries, the three result formats, documents, activities.

A statement query is driven by the index that narrows it most: the query-term primary key for agent
and activity filters (with the verb and the time window in the same range scan), otherwise the
statement table's own indexes. Results come newest first by ``stored`` (ties broken by ``seq``) and
page with an opaque cursor on that order, so a page never repeats or skips a statement.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import Q

from zhijiao.records.indexing import agent_key, index_key, micros, term_hash
from zhijiao.records.models import (
    Activity,
    Credential,
    Document,
    IndexTerm,
    Statement,
    StatementKey,
    StatementTerm,
)

MAX_LIMIT = 500


@dataclass
class StatementQuery:
    agent: dict | None = None
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_agents: bool = False
    related_activities: bool = False
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 0
    ascending: bool = False
    after: tuple[datetime, int] | None = None  # cursor: (stored, seq) of the last statement already returned
    only_agent_key: str | None = None  # a person reading: statements about them (actor, object, group)
    only_credential_id: int | None = None


def term_id(term: str) -> int:
    """The dictionary id of a query term: the one the dictionary holds, else the term's digest (a term
    never indexed then simply matches nothing)."""
    found = IndexTerm.objects.filter(term=term).values_list("id", flat=True).first()
    return found if found is not None else term_hash(term)


def _terms(term: str, query: StatementQuery, *, related: bool):
    terms = StatementTerm.objects.filter(term_id=term_id(term))
    if not related:
        terms = terms.filter(direct=True)
    if query.verb:
        terms = terms.filter(verb_id=term_id("V " + index_key(query.verb)))
    if query.since:
        terms = terms.filter(stored_us__gt=micros(query.since))
    if query.until:
        terms = terms.filter(stored_us__lte=micros(query.until))
    return terms.values("seq")


def find_statements(query: StatementQuery) -> tuple[list[Statement], tuple[datetime, int] | None]:
    """One page of statements matching ``query`` and the cursor of the next page (None at the end)."""
    rows = Statement.objects.filter(voided=False)
    if query.agent is not None:
        match = Q(seq__in=_terms("A " + agent_key(query.agent), query, related=query.related_agents))
        credential_id = _credential_named(query.agent) if query.related_agents else None
        if credential_id is not None:  # the authority of everything that credential wrote
            match |= Q(credential_id=credential_id)
        rows = rows.filter(match)
    if query.activity:
        rows = rows.filter(seq__in=_terms("O " + index_key(query.activity), query,
                                          related=query.related_activities))
    if query.verb and query.agent is None and not query.activity:
        verb = index_key(query.verb)
        rows = rows.filter(Q(verb_id=verb) | Q(seq__in=StatementTerm.objects.filter(
            term_id=term_id("V " + verb)).values("seq")))
    if query.registration:
        registration = query.registration.lower()
        rows = rows.filter(Q(registration=registration) | Q(seq__in=StatementTerm.objects.filter(
            term_id=term_id("R " + registration)).values("seq")))
    if query.since:
        rows = rows.filter(stored__gt=query.since)
    if query.until:
        rows = rows.filter(stored__lte=query.until)
    if query.only_agent_key is not None:
        rows = rows.filter(seq__in=_terms("A " + query.only_agent_key, query, related=False))
    if query.only_credential_id is not None:
        rows = rows.filter(credential_id=query.only_credential_id)
    if query.after is not None:
        stored, seq = query.after
        if query.ascending:
            rows = rows.filter(Q(stored__gt=stored) | Q(stored=stored, seq__gt=seq))
        else:
            rows = rows.filter(Q(stored__lt=stored) | Q(stored=stored, seq__lt=seq))
    order = ("stored", "seq") if query.ascending else ("-stored", "-seq")
    limit = min(query.limit or MAX_LIMIT, MAX_LIMIT)
    page = list(rows.order_by(*order).only("seq", "stored", "data", "user_id", "credential_id")[: limit + 1])
    if len(page) > limit:
        page = page[:limit]
        return page, (page[-1].stored, page[-1].seq)
    return page, None


def _credential_named(agent: dict) -> int | None:
    account = agent.get("account") or {}
    name = account.get("name", "")
    if account.get("homePage") != settings.ZJ_PUBLIC_URL or not name.startswith("lrs:"):
        return None
    return Credential.objects.filter(key=name[4:]).values_list("pk", flat=True).first()


def statement_by_id(statement_id, *, voided: bool) -> Statement | None:
    """The statement with this id if it is (``voided=True``) or is not (``voided=False``) voided."""
    key = StatementKey.objects.filter(statement_id=statement_id).first()
    if key is None:
        return None
    return Statement.objects.filter(seq=key.seq, stored=key.stored, voided=voided).first()


# --- Cursors ---------------------------------------------------------------------------------------

def encode_cursor(after: tuple[datetime, int]) -> str:
    stored, seq = after
    micros = int(stored.astimezone(UTC).timestamp() * 1_000_000)
    return f"{micros:x}-{seq:x}"


def decode_cursor(value: str) -> tuple[datetime, int] | None:
    try:
        micros, seq = (int(part, 16) for part in value.split("-"))
        stored = datetime.fromtimestamp(micros / 1_000_000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return stored.replace(microsecond=micros % 1_000_000), seq


# --- Result formats (Communication §2.1.3 "format") ----------------------------------------------

def _ids_agent(agent: dict) -> dict:
    out = {key: agent[key] for key in ("objectType", "mbox", "mbox_sha1sum", "openid", "account") if key in agent}
    if agent.get("objectType") == "Group" and "member" in agent and not any(
        key in agent for key in ("mbox", "mbox_sha1sum", "openid", "account")
    ):
        out["member"] = [_ids_agent(member) for member in agent["member"]]
    return out


def _walk(statement: dict, on_agent, on_activity, on_verb) -> dict:
    """Rewrite agents, activities and the verb of a statement (and its sub-statement)."""
    statement = dict(statement)
    statement["actor"] = on_agent(statement["actor"])
    statement["verb"] = on_verb(statement["verb"])
    target = statement["object"]
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        statement["object"] = on_activity(target)
    elif kind in ("Agent", "Group"):
        statement["object"] = on_agent(target)
    elif kind == "SubStatement":
        statement["object"] = _walk(target, on_agent, on_activity, on_verb)
    if "authority" in statement:
        statement["authority"] = on_agent(statement["authority"])
    context = statement.get("context")
    if context:
        context = dict(context)
        for key in ("instructor", "team"):
            if key in context:
                context[key] = on_agent(context[key])
        if "contextActivities" in context:
            context["contextActivities"] = {
                key: [on_activity(a) for a in group] for key, group in context["contextActivities"].items()
            }
        statement["context"] = context
    return statement


def pick_language(language_map: dict, accept_language: str) -> dict:
    """One entry of a language map: the caller's best match (Accept-Language, RFC 2616 §14.4), else
    the first entry."""
    if not language_map:
        return language_map
    wanted = []
    for index, part in enumerate((accept_language or "").split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for param in pieces[1:]:
            name, _sep, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            wanted.append((-quality, index, tag))
    lowered = {key.lower(): key for key in language_map}
    for _q, _i, tag in sorted(wanted):
        if tag == "*":
            break
        if tag in lowered:
            key = lowered[tag]
            return {key: language_map[key]}
        for candidate, key in lowered.items():
            if candidate.startswith(tag + "-") or tag.startswith(candidate + "-"):
                return {key: language_map[key]}
    first = next(iter(language_map))
    return {first: language_map[first]}


def _canonical_definition(definition: dict, accept_language: str) -> dict:
    definition = copy.deepcopy(definition)
    for key in ("name", "description"):
        if isinstance(definition.get(key), dict):
            definition[key] = pick_language(definition[key], accept_language)
    for key in ("choices", "scale", "source", "target", "steps"):
        for component in definition.get(key) or ():
            if isinstance(component.get("description"), dict):
                component["description"] = pick_language(component["description"], accept_language)
    return definition


def format_statements(statements: list[dict], fmt: str, accept_language: str = "") -> list[dict]:
    if fmt == "exact":
        return statements
    if fmt == "ids":
        return [
            _walk(s, _ids_agent, lambda a: {"objectType": "Activity", "id": a["id"]}, lambda v: {"id": v["id"]})
            for s in statements
        ]
    activity_ids: set[str] = set()
    for statement in statements:
        _walk(statement, lambda a: a, lambda a: activity_ids.add(a["id"]) or a, lambda v: v)
    known = {a.activity_id: a.definition for a in
             Activity.objects.filter(activity_key__in=[index_key(i) for i in activity_ids])}

    def activity(value):
        value = dict(value)
        definition = known.get(value["id"], value.get("definition"))
        if definition:
            value["definition"] = _canonical_definition(definition, accept_language)
        return value

    def verb(value):
        value = dict(value)
        if isinstance(value.get("display"), dict):
            value["display"] = pick_language(value["display"], accept_language)
        return value

    return [_walk(s, lambda a: a, activity, verb) for s in statements]


# --- Activities, agents, documents ---------------------------------------------------------------

def activity_object(activity_id: str) -> dict:
    activity = Activity.objects.filter(activity_key=index_key(activity_id)).first()
    result = {"objectType": "Activity", "id": activity_id}
    if activity is not None and activity.definition:
        result["definition"] = activity.definition
    return result


def person_object(agent: dict) -> dict:
    """The Person object for an agent: everything the LRS knows names it (Communication §2.4)."""
    person: dict = {"objectType": "Person"}
    if "name" in agent:
        person["name"] = [agent["name"]]
    for key in ("mbox", "mbox_sha1sum", "openid", "account"):
        if key in agent:
            person[key] = [agent[key]]
    return person


def document(filter_kwargs: dict) -> Document | None:
    return Document.objects.filter(**filter_kwargs).first()


def document_ids(scope: dict, since: datetime | None) -> tuple[list[str], datetime | None]:
    rows = Document.objects.filter(**scope)
    if since is not None:
        rows = rows.filter(updated__gt=since)
    pairs = list(rows.order_by("document_id").values_list("document_id", "updated"))
    return [p[0] for p in pairs], max((p[1] for p in pairs), default=None)


def credentials_for(user) -> list[Credential]:
    """Credentials an LRS manager sees (they are platform-wide, so all of them)."""
    return list(Credential.objects.select_related("organisation", "created_by", "revoked_by"))
