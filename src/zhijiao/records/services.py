"""Every write of the learning record store: statements in, voiding, documents, credentials.

Statement ingest is the hot path (tens of thousands of statements a second across workers), so it
writes with one multi-row INSERT per table instead of model instances, inside one transaction: a
batch is stored whole or not at all, and the caller answers 200 only after the commit returned.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import secrets
import sqlite3
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

try:
    import fcntl
except ImportError:  # not on Windows
    fcntl = None

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from zhijiao.core import audit
from zhijiao.records import signals, validation
from zhijiao.records.indexing import (
    agent_key,
    index_key,
    micros,
    statement_activities,
    statement_agents,
    term_hash,
)
from zhijiao.records.models import (
    Activity,
    Credential,
    Document,
    IndexTerm,
    Statement,
    StatementKey,
    StatementReference,
    StatementTerm,
)
from zhijiao.records.validation import VOIDED, StatementInvalid

# How deep a chain of StatementRefs is followed for the filter rules (a refers to b refers to c ...).
MAX_REF_DEPTH = 10


class StatementConflict(Exception):
    """A statement id the LRS already holds arrived with different content (409)."""

    def __init__(self, statement_id: str):
        self.statement_id = statement_id
        super().__init__(statement_id)


def format_instant(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, the form the LRS writes for ``stored`` and default timestamps."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# --- Comparing statements (Data §2.3.1) ----------------------------------------------------------

def _comparable(statement: dict) -> dict:
    """The statement without what the immutability exceptions allow to differ: LRS-assigned properties,
    activity definitions, verb display, attachments, the order of group members, UUID case."""

    def activity(value):
        return {k: v for k, v in value.items() if k != "definition"}

    def agent(value):
        value = dict(value)
        if "member" in value:
            value["member"] = sorted(value["member"], key=lambda m: json.dumps(m, sort_keys=True))
        return value

    def body(stmt):
        out = {k: v for k, v in stmt.items() if k not in ("id", "authority", "stored", "timestamp", "version",
                                                          "attachments")}
        out["actor"] = agent(stmt["actor"])
        out["verb"] = {"id": stmt["verb"]["id"]}
        target = stmt["object"]
        kind = target.get("objectType", "Activity")
        if kind == "Activity":
            out["object"] = activity(target)
        elif kind in ("Agent", "Group"):
            out["object"] = agent(target)
        elif kind == "StatementRef":
            out["object"] = {"objectType": "StatementRef", "id": target["id"].lower()}
        else:
            out["object"] = body(target)
        context = stmt.get("context")
        if context:
            context = dict(context)
            if "registration" in context:
                context["registration"] = context["registration"].lower()
            if "contextActivities" in context:
                context["contextActivities"] = {
                    key: [activity(a) for a in group] for key, group in context["contextActivities"].items()
                }
            for key in ("instructor", "team"):
                if key in context:
                    context[key] = agent(context[key])
            out["context"] = context
        return out

    return body(statement)


def statements_match(a: dict, b: dict) -> bool:
    both_timed = "timestamp" in a and "timestamp" in b
    if both_timed and validation.parse_timestamp(a["timestamp"]) != validation.parse_timestamp(b["timestamp"]):
        return False
    return _comparable(a) == _comparable(b)


# --- Low-level bulk writes -----------------------------------------------------------------------

def _db_uuid(value: uuid.UUID):
    return value.hex if connection.vendor == "sqlite" else value


# Bound parameters per statement: SQLite (3.32+) takes 32,766, PostgreSQL 65,535.
_MAX_PARAMS = 30_000


def _execute(cursor, sql: str, params: list, *, fetch: bool = False) -> list:
    """Run one statement written with ``%s`` placeholders, returning its rows when ``fetch``.

    The big multi-row statements of ingest skip the parameter handling of Django's cursors, which costs
    more than the statements themselves: on SQLite the text goes to sqlite3 with ``?`` placeholders
    (Django would rewrite every placeholder with a regular expression), on PostgreSQL through a psycopg
    cursor with server-side binding (Django's client-side cursor would quote every value into the text
    in Python). Errors are still translated to Django's exceptions, and the statement runs in the same
    transaction."""
    vendor = connection.vendor
    with connection.wrap_database_errors:
        if vendor == "sqlite":
            raw = cursor.cursor
            sqlite3.Cursor.execute(raw, sql.replace("%s", "?"), params)
            return raw.fetchall() if fetch else []
        if vendor == "postgresql":
            import psycopg

            with psycopg.Cursor(connection.connection) as raw:
                raw.execute(sql, params)
                return raw.fetchall() if fetch else []
    cursor.execute(sql, params)
    return cursor.fetchall() if fetch else []


# PostgreSQL types of the columns ingest writes, for the array form of INSERT below.
_PG_TYPES = {
    "statement_id": "uuid", "stored": "timestamptz", "timestamp": "timestamptz", "actor_key": "text",
    "user_id": "bigint", "verb_id": "text", "object_id": "text", "registration": "uuid", "voided": "boolean",
    "ref_target": "uuid", "data": "jsonb", "client_address": "inet", "user_agent": "text",
    "credential_id": "bigint", "seq": "bigint", "target_id": "uuid", "voiding": "boolean", "id": "bigint",
    "term": "text", "term_id": "bigint", "stored_us": "bigint", "direct": "boolean",
}
_PG_TERM_TYPES = {**_PG_TYPES, "verb_id": "bigint"}  # StatementTerm's verb is a dictionary id
_PG_ARRAY = {"timestamptz": "timestamptz[]", "bigint": "bigint[]", "boolean": "boolean[]"}


def _insert(table: str, columns: tuple[str, ...], rows: list, *, returning: str = "",
            ignore_conflicts: bool = False) -> list:
    """Insert ``rows`` with one statement per chunk; returns the ``returning`` column of each row, in order.

    SQLite gets a multi-row VALUES list. PostgreSQL gets one array per column, unnested: a short,
    constant statement text (psycopg caches its parse and the server prepares it after a few uses)
    whatever the number of rows, instead of thousands of placeholders parsed again on every batch."""
    if not rows:
        return []
    tail = (" ON CONFLICT DO NOTHING" if ignore_conflicts else "") + (f' RETURNING "{returning}"' if returning else "")
    names = ",".join(f'"{c}"' for c in columns)
    types = _PG_TERM_TYPES if table == StatementTerm._meta.db_table else _PG_TYPES
    if connection.vendor == "postgresql" and all(c in types for c in columns):
        arrays = ",".join(f"%b::{_PG_ARRAY.get(types[c], 'text[]')}" for c in columns)
        casts = ",".join(f'u."c{i}"::{types[c]}' for i, c in enumerate(columns))
        aliases = ",".join(f'"c{i}"' for i in range(len(columns))) + ',"n"'
        sql = (f'INSERT INTO "{table}" ({names}) SELECT {casts} FROM unnest({arrays}) WITH ORDINALITY '
               f"AS u({aliases}) ORDER BY u.\"n\"{tail}")
        with connection.cursor() as cursor:
            fetched = _execute(cursor, sql, [list(values) for values in zip(*rows, strict=True)],
                               fetch=bool(returning))
        return [row[0] for row in fetched]
    results = []
    chunk_size = max(1, _MAX_PARAMS // len(columns))
    placeholders = "(" + ",".join(["%s"] * len(columns)) + ")"
    head = f'INSERT INTO "{table}" ({names}) VALUES '
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk_size):
            chunk = rows[start:start + chunk_size]
            params = [value for row in chunk for value in row]
            fetched = _execute(cursor, head + ",".join([placeholders] * len(chunk)) + tail, params,
                               fetch=bool(returning))
            results.extend(row[0] for row in fetched)
    return results


def _select_in(sql: str, values: list, *, repeat: int = 1) -> list[tuple]:
    """Run ``sql`` with each ``{in}`` replaced by a parameter list of ``values`` (chunked)."""
    rows = []
    chunk_size = max(1, _MAX_PARAMS // repeat)
    with connection.cursor() as cursor:
        for start in range(0, len(values), chunk_size):
            chunk = values[start:start + chunk_size]
            rows.extend(_execute(cursor, sql.replace("{in}", ",".join(["%s"] * len(chunk))), chunk * repeat,
                                 fetch=True))
    return rows


def _aware(value) -> datetime:
    """A ``stored`` value read with raw SQL as an aware datetime (SQLite gives naive-UTC text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# --- Query-term dictionary -------------------------------------------------------------------------

# term -> id for terms known to be in the dictionary under their own digest. Only digest ids are kept:
# they are what any process would choose, so a remembered id stays right even when the insert that
# created it was rolled back (the query side falls back to the digest for a term the table lacks).
_TERM_IDS: dict[str, int] = {}
_TERM_IDS_MAX = 200_000


def _term_ids(terms: set[str]) -> dict[str, int]:
    """The dictionary ids of ``terms``, adding the new ones (inside the caller's transaction)."""
    ids, missing = {}, []
    for term in terms:
        known = _TERM_IDS.get(term)
        if known is None:
            missing.append(term)
        else:
            ids[term] = known
    if not missing:
        return ids
    # Sorted, so concurrent writers on PostgreSQL take the unique-index locks in the same order.
    missing.sort()
    table = IndexTerm._meta.db_table
    _insert(table, ("id", "term"), [(term_hash(term), term) for term in missing], ignore_conflicts=True)
    found = dict((term, term_id) for term_id, term in _select_in(
        f'SELECT "id", "term" FROM "{table}" WHERE "term" IN ({{in}})', missing))
    for term in missing:
        if term not in found:
            found[term] = _probe_term_id(term)
    if len(_TERM_IDS) + len(found) > _TERM_IDS_MAX:
        _TERM_IDS.clear()
    for term, term_id in found.items():
        if term_id == term_hash(term):
            _TERM_IDS[term] = term_id
    ids.update(found)
    return ids


def _probe_term_id(term: str) -> int:
    """A term whose digest another term holds (a 64-bit collision) takes the next free id."""
    table = IndexTerm._meta.db_table
    candidate = term_hash(term)
    with connection.cursor() as cursor:
        while True:
            candidate = candidate + 1 if candidate < 2**63 - 1 else -(2**63)
            cursor.execute(f'INSERT INTO "{table}" ("id", "term") VALUES (%s, %s) ON CONFLICT DO NOTHING',
                           [candidate, term])
            cursor.execute(f'SELECT "id" FROM "{table}" WHERE "term" = %s', [term])
            row = cursor.fetchone()
            if row is not None:
                return row[0]


# --- Statement ingest ----------------------------------------------------------------------------

@dataclass
class _Entries:
    """What a statement answers to in queries (its own and, through StatementRefs, its target's)."""

    agents: dict[str, bool]
    activities: dict[str, bool]
    verbs: set[str]
    registrations: set[str]


def _own_entries(statement: dict) -> _Entries:
    registration = (statement.get("context") or {}).get("registration")
    return _Entries(
        statement_agents(statement),
        statement_activities(statement),
        {index_key(statement["verb"]["id"])},
        {registration.lower()} if registration else set(),
    )


def _target_id(statement: dict) -> str | None:
    target = statement["object"]
    return target["id"].lower() if target.get("objectType") == "StatementRef" else None


class _EntryResolver:
    """Entries of statements including everything inherited along StatementRef chains."""

    def __init__(self, batch: dict[str, dict]):
        self.batch = batch
        self.cache: dict[str, _Entries | None] = {}

    def _data(self, statement_id: str) -> dict | None:
        if statement_id in self.batch:
            return self.batch[statement_id]
        key = StatementKey.objects.filter(statement_id=statement_id).first()
        if key is None:
            return None
        row = Statement.objects.filter(seq=key.seq, stored=key.stored).values_list("data", flat=True).first()
        return row

    def entries(self, statement_id: str, depth: int = 0) -> _Entries | None:
        if statement_id in self.cache:
            return self.cache[statement_id]
        self.cache[statement_id] = None  # a cycle ends here
        data = self._data(statement_id)
        if data is None:
            return None
        result = self.for_statement(data, depth)
        self.cache[statement_id] = result
        return result

    def for_statement(self, data: dict, depth: int = 0) -> _Entries:
        result = _own_entries(data)
        target = _target_id(data)
        if target is not None and depth < MAX_REF_DEPTH:
            inherited = self.entries(target, depth + 1)
            if inherited is not None:
                for key, direct in inherited.agents.items():
                    result.agents[key] = result.agents.get(key, False) or direct
                for key, direct in inherited.activities.items():
                    result.activities[key] = result.activities.get(key, False) or direct
                result.verbs |= inherited.verbs
                result.registrations |= inherited.registrations
        return result


def _term_texts(entries: _Entries, own_verb: str, *, with_extras: bool) -> list[tuple[str, str, bool]]:
    """(term, verb term, direct) for every index row a statement gets."""
    rows = []
    for verb in entries.verbs:
        verb_term = "V " + verb
        for key, direct in entries.agents.items():
            rows.append(("A " + key, verb_term, direct))
        for key, direct in entries.activities.items():
            rows.append(("O " + key, verb_term, direct))
        if with_extras and verb != own_verb:
            rows.append((verb_term, verb_term, True))
    if with_extras:
        for registration in entries.registrations:
            rows.append(("R " + registration, "V " + own_verb, True))
    return rows


def _write_terms(pending: list[tuple[int, int, list[tuple[str, str, bool]]]], *, ignore_conflicts: bool) -> None:
    """Intern the terms of ``pending`` (seq, stored_us, term texts) and insert their index rows."""
    texts = set()
    for _seq, _stored, rows in pending:
        for term, verb, _direct in rows:
            texts.add(term)
            texts.add(verb)
    ids = _term_ids(texts)
    rows = [(ids[term], ids[verb], stored_us, seq, direct)
            for seq, stored_us, items in pending for term, verb, direct in items]
    _insert(StatementTerm._meta.db_table, TERM_COLUMNS, rows, ignore_conflicts=ignore_conflicts)


TERM_COLUMNS = ("term_id", "verb_id", "stored_us", "seq", "direct")


def _object_key(statement: dict) -> str:
    target = statement["object"]
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        return index_key(target["id"])
    if kind in ("Agent", "Group"):
        return agent_key(target)
    if kind == "StatementRef":
        return target["id"].lower()
    return ""


def _existing_users(candidates: set[int]) -> set[int]:
    from django.contrib.auth import get_user_model

    if not candidates:
        return set()
    table = get_user_model()._meta.db_table
    return {row[0] for row in _select_in(f'SELECT "id" FROM "{table}" WHERE "id" IN ({{in}})', list(candidates))}


_MONTHS_READY: set[tuple[int, int]] = set()


def _ensure_partitions(now: datetime) -> None:
    """On PostgreSQL, create the coming months' statement partitions the first time this process stores
    a statement in a month (a few catalogue look-ups once a month; nothing on SQLite)."""
    month = (now.year, now.month)
    if month in _MONTHS_READY:
        return
    if connection.vendor == "postgresql":
        from zhijiao.records import partitions

        partitions.ensure_partitions()
    _MONTHS_READY.add(month)


def store_statements(statements, *, authority: dict, credential_id: int | None = None,
                     client_address: str | None = None, user_agent: str | None = None) -> list[str]:
    """Validate and store one statement or a batch, atomically; return the ids in request order.

    Raises :class:`StatementInvalid` (400) when any statement breaks a rule, and
    :class:`StatementConflict` (409) when an id already stored arrives with different content. A
    statement identical to one already stored is acknowledged again and not stored twice.
    """
    batch = validation.validate_batch(statements)
    now = timezone.now()
    _ensure_partitions(now)
    stored = format_instant(now)
    for statement in batch:
        if "id" not in statement:
            statement["id"] = str(uuid.uuid4())
        statement["stored"] = stored
        statement["authority"] = authority
        statement.setdefault("version", "1.0.0")
    prepared = _prepare(batch, now, credential_id, client_address, (user_agent or "")[:400])
    _intern_terms(prepared)
    for attempt in range(3):
        try:
            with _writer_turn(), transaction.atomic():
                _store(prepared, now)
            break
        except IntegrityError:
            # Another request stored one of these ids between our look-up and our insert; the next
            # attempt sees it and compares.
            if attempt == 2:
                raise
        except OperationalError as exc:
            # PostgreSQL broke a deadlock between two batches by cancelling this one: nothing of it was
            # stored, so it is simply tried again (outside any caller's transaction only).
            if attempt == 2 or connection.in_atomic_block or getattr(exc.__cause__, "sqlstate", None) != "40P01":
                raise
    transaction.on_commit(lambda: signals.statements_stored.send(sender=Statement, count=len(batch)))
    return [s["id"] for s in batch]


# Statements come from a JSON parse, so they hold no cycles to look for.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


class _Reference(NamedTuple):
    target_id: str
    seq: int
    stored: datetime
    voiding: bool


def _lookup(statement_ids: list[str], sqlite: bool) -> tuple[dict[str, tuple[int, datetime]], list[_Reference]]:
    """In one query: the ids already stored (id -> (seq, stored)), and the stored statements that point
    at any of the ids (they arrived before their target)."""
    if not statement_ids:
        return {}, []
    params = [i.replace("-", "") for i in statement_ids] if sqlite else statement_ids
    rows = _select_in(
        f'SELECT 0, "statement_id", "seq", "stored", NULL FROM "{StatementKey._meta.db_table}" '
        'WHERE "statement_id" IN ({in}) UNION ALL '
        f'SELECT 1, "target_id", "seq", "stored", "voiding" FROM "{StatementReference._meta.db_table}" '
        'WHERE "target_id" IN ({in})', params, repeat=2)
    found, references = {}, []
    for kind, statement_id, seq, stored, voiding in rows:
        statement_id = str(uuid.UUID(str(statement_id)))
        if kind == 0:
            found[statement_id] = (seq, _aware(stored))
        else:
            references.append(_Reference(statement_id, seq, _aware(stored), bool(voiding)))
    return found, references


def _sqlite_instant(moment: datetime) -> str:
    # What Django's SQLite backend writes for an aware datetime: naive UTC through str().
    return str(moment.astimezone(UTC).replace(tzinfo=None))


class _Row(NamedTuple):
    """One statement ready to insert, worked out before the write transaction begins."""

    statement_id: str  # lower case
    statement: dict
    values: list  # the Statement columns, in STATEMENT_COLUMNS order
    verb_key: str
    target: str | None  # the StatementRef target, lower case
    terms: list | None  # (term, verb term, direct) for a statement without a StatementRef


STATEMENT_COLUMNS = ("statement_id", "stored", "timestamp", "actor_key", "user_id", "verb_id", "object_id",
                     "registration", "voided", "ref_target", "data", "client_address", "user_agent",
                     "credential_id")
_VOIDED_COLUMN = STATEMENT_COLUMNS.index("voided")


def _prepare(batch: list[dict], now: datetime, credential_id, client_address, user_agent) -> list[_Row]:
    """Everything about a batch that needs no lock: columns, the stored JSON, index terms, known users.

    Run before the write transaction so that, on SQLite where one writer holds the database at a time,
    the lock is held only for the inserts and the commit."""
    sqlite = connection.vendor == "sqlite"
    home = settings.ZJ_PUBLIC_URL
    fromisoformat = datetime.fromisoformat
    stored_db = _sqlite_instant(now) if sqlite else now
    stored_text = batch[0]["stored"]
    encode = _ENCODER.encode
    prepared, user_ids = [], []
    for s in batch:
        sid = s["id"].lower()
        verb = s["verb"]["id"]
        context = s.get("context")
        registration = context.get("registration") if context else None
        target = _target_id(s)
        actor = s["actor"]
        # agents.user_id_for, inlined: an Agent (not a Group) with an account here and a numeric name.
        user_id = None
        account = actor.get("account")
        if account is not None and account["homePage"] == home and actor.get("objectType", "Agent") == "Agent":
            name = account["name"]
            if name.isascii() and name.isdigit() and len(name) < 19:
                user_id = int(name)
        user_ids.append(user_id)
        moment = s.get("timestamp")
        if moment is None:
            # The statement as stored gets ``stored`` for a timestamp; the one received stays without,
            # so that a resent copy is compared with what was sent.
            timestamp, data = stored_db, encode({**s, "timestamp": stored_text})
        else:
            # Validated already, so the C parser accepts it (it is what validation.parse_timestamp uses).
            parsed = fromisoformat(moment.replace(",", "."))
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            timestamp, data = (_sqlite_instant(parsed) if sqlite else parsed), encode(s)
        verb_key = index_key(verb)
        if sqlite:
            values = [sid.replace("-", ""), stored_db, timestamp, agent_key(actor), user_id, verb_key,
                      _object_key(s), registration.lower().replace("-", "") if registration else None, False,
                      target.replace("-", "") if target else None, data, client_address, user_agent,
                      credential_id]
        else:
            values = [sid, stored_db, timestamp, agent_key(actor), user_id, verb_key, _object_key(s),
                      registration.lower() if registration else None, False, target, data, client_address,
                      user_agent, credential_id]
        terms = None if target else _term_texts(_own_entries(s), verb_key, with_extras=False)
        prepared.append(_Row(sid, s, values, verb_key, target, terms))
    known = _existing_users({u for u in user_ids if u is not None})
    for row, user_id in zip(prepared, user_ids, strict=True):
        if user_id is not None and user_id not in known:
            row.values[4] = None
    return prepared


def _intern_terms(prepared: list[_Row]) -> None:
    """Put the terms of a batch in the dictionary in a short transaction of their own (a term nobody
    ends up using costs nothing), so the statement transaction finds them all known."""
    texts = set()
    for row in prepared:
        for term, verb, _direct in row.terms or ():
            texts.add(term)
            texts.add(verb)
    if any(text not in _TERM_IDS for text in texts):
        with _writer_turn(), transaction.atomic():
            _term_ids(texts)


def _store(prepared: list[_Row], now: datetime) -> None:
    sqlite = connection.vendor == "sqlite"
    by_id = {row.statement_id: row for row in prepared}
    existing, earlier_refs = _lookup(list(by_id), sqlite)
    if existing:
        stored_rows = Statement.objects.filter(
            seq__in=[k[0] for k in existing.values()], stored__in={k[1] for k in existing.values()}
        ).values_list("statement_id", "data")
        for statement_id, data in stored_rows:
            if not statements_match(data, by_id[str(statement_id)].statement):
                raise StatementConflict(str(statement_id))
    new = [row for row in prepared if row.statement_id not in existing] if existing else prepared
    if not new:
        return
    new_by_id = {row.statement_id: row.statement for row in new}
    earlier_refs = [r for r in earlier_refs if r.target_id in new_by_id]
    stored_text = new[0].statement["stored"]
    for row in new:
        # Only now (the stored JSON has it already): a resent statement without a timestamp must still
        # match the stored one.
        row.statement.setdefault("timestamp", stored_text)

    # Voiding rules: a voiding statement cannot target another voiding statement.
    voiding_targets = {row.target for row in new if row.statement["verb"]["id"] == VOIDED}
    if voiding_targets:
        _refuse_voiding_of_voiding(voiding_targets, new_by_id)
    # Statements already in the LRS that point at the newcomers (they arrived first) and void them.
    voided_now = {r.target_id for r in earlier_refs if r.voiding} | voiding_targets
    for row in new:  # assigned every time: a retry after a lost race may see a different set
        row.values[_VOIDED_COLUMN] = row.statement_id in voided_now and row.statement["verb"]["id"] != VOIDED

    seqs = _insert(Statement._meta.db_table, STATEMENT_COLUMNS, [row.values for row in new], returning="seq")
    stored_db = new[0].values[1]
    _insert(StatementKey._meta.db_table, ("statement_id", "seq", "stored"),
            [(row.values[0], seq, stored_db) for row, seq in zip(new, seqs, strict=True)])

    stored_us = micros(now)
    resolver = _EntryResolver(new_by_id)
    pending, references = [], []
    for row, seq in zip(new, seqs, strict=True):
        if row.target is None:
            pending.append((seq, stored_us, row.terms))
            continue
        references.append((row.values[9], seq, stored_db, row.statement["verb"]["id"] == VOIDED))
        pending.append((seq, stored_us, _term_texts(resolver.entries(row.statement_id), row.verb_key,
                                                    with_extras=True)))
    _write_terms(pending, ignore_conflicts=bool(references))
    if references:
        _insert(StatementReference._meta.db_table, ("target_id", "seq", "stored", "voiding"), references)
        _void_targets(voiding_targets - set(new_by_id))
    if earlier_refs:
        _relink_earlier(earlier_refs, resolver)
    _remember_activities([row.statement for row in new], now)


# --- One writer at a time on SQLite -------------------------------------------------------------------

_LOCK_FILES: dict[str, int] = {}
_THREAD_LOCK = threading.Lock()
# This process checkpoints the write-ahead log itself after every this many ingest transactions.
CHECKPOINT_EVERY = 8
_since_checkpoint = 0


@contextmanager
def _writer_turn():
    """On SQLite, queue for the write lock on a file lock beside the database, and keep the
    write-ahead-log checkpoint out of the queue.

    SQLite lets one writer in at a time and makes the others poll with growing sleeps (up to 100 ms),
    so with several worker processes the database sits idle between transactions. A blocking ``flock``
    wakes the next writer the moment the previous one has committed. The automatic checkpoint (copying
    the log into the database and syncing it, every 1,000 pages) would run inside the commit, and so
    inside the queue; it is switched off for these transactions and the process runs a PASSIVE
    checkpoint itself after every ``CHECKPOINT_EVERY`` of them, after leaving the queue, while the next
    writer works. Durability is unchanged: a commit in WAL mode is the log write, whoever checkpoints.

    Nothing of this applies inside an outer transaction (which may already hold SQLite's lock) or to an
    in-memory database; the kernel drops the file lock if the process dies."""
    global _since_checkpoint
    name = str(connection.settings_dict.get("NAME") or "")
    if (connection.vendor != "sqlite" or fcntl is None or connection.in_atomic_block or not name
            or name == ":memory:" or "mode=memory" in name):
        yield
        return
    connection.ensure_connection()
    database = connection.connection
    with _THREAD_LOCK:
        descriptor = _LOCK_FILES.get(name)
        if descriptor is None:
            descriptor = _LOCK_FILES[name] = os.open(name + "-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
        database.execute("PRAGMA wal_autocheckpoint=0")
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(descriptor, fcntl.LOCK_UN)
            _since_checkpoint += 1
            if _since_checkpoint >= CHECKPOINT_EVERY:
                _since_checkpoint = 0
                database.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            database.execute("PRAGMA wal_autocheckpoint=1000")


def _refuse_voiding_of_voiding(targets: set, batch: dict[str, dict]) -> None:
    for target in targets:
        if target in batch and batch[target]["verb"]["id"] == VOIDED:
            raise StatementInvalid("object.id", _("A voiding statement cannot be voided."))
    outside = [t for t in targets if t not in batch]
    if outside:
        keys = StatementKey.objects.filter(statement_id__in=outside)
        hit = Statement.objects.filter(
            seq__in=[k.seq for k in keys], stored__in={k.stored for k in keys}, verb_id=VOIDED
        ).exists() if keys else False
        if hit:
            raise StatementInvalid("object.id", _("A voiding statement cannot be voided."))


def _void_targets(targets: set) -> None:
    """Mark stored statements voided by voiding statements that just arrived."""
    if not targets:
        return
    keys = list(StatementKey.objects.filter(statement_id__in=targets))
    if keys:
        Statement.objects.filter(
            seq__in=[k.seq for k in keys], stored__in={k.stored for k in keys}
        ).exclude(verb_id=VOIDED).update(voided=True)


def _relink_earlier(references: list, resolver: _EntryResolver) -> None:
    """Statements that pointed at a newcomer before it arrived now answer its filters too, and so do the
    statements pointing at those, up the chain."""
    pending = list(references)
    seen = set()
    while pending:
        reference = pending.pop()
        if reference.seq in seen:
            continue
        seen.add(reference.seq)
        data = Statement.objects.filter(seq=reference.seq, stored=reference.stored).values_list("data", flat=True).first()
        if data is None:
            continue
        resolver.cache.clear()
        entries = resolver.for_statement(data)
        texts = _term_texts(entries, index_key(data["verb"]["id"]), with_extras=True)
        _write_terms([(reference.seq, micros(reference.stored), texts)], ignore_conflicts=True)
        pending.extend(StatementReference.objects.filter(target_id=data["id"]))


def _merge_definition(old: dict, new: dict) -> dict:
    merged = dict(old)
    for key, value in new.items():
        if key in ("name", "description", "extensions") and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


# activity key -> the definition this process last wrote or saw stored for it. Only a hint: a miss
# costs one query, a stale hit keeps the (equally valid) definition another process stored. Compared
# as dicts, so an unchanged definition costs neither a digest nor a query.
_DEFINITION_SEEN: dict[str, dict] = {}
_DEFINITION_SEEN_MAX = 50_000


def _definition_digest(definition: dict) -> str:
    return hashlib.sha1(_ENCODER.encode(definition).encode()).hexdigest()  # noqa: S324 - change detection


def _remember_activities(statements: list[dict], now: datetime) -> None:
    """Keep the newest definition of every activity that comes with one, merged language by language.

    Rows are read and written only when a definition differs from the last one seen for that activity,
    so a popular activity is neither a hot row nor a JSON decode per statement."""
    incoming: dict[str, tuple[str, dict]] = {}

    def collect(activity):
        if "definition" in activity:
            incoming[index_key(activity["id"])] = (activity["id"], activity["definition"])

    for statement in statements:
        for stmt in (statement, statement["object"]) if statement["object"].get("objectType") == "SubStatement" else (
            statement,
        ):
            target = stmt["object"]
            if target.get("objectType", "Activity") == "Activity":
                collect(target)
            context = stmt.get("context")
            if context and "contextActivities" in context:
                for group in context["contextActivities"].values():
                    for activity in group:
                        collect(activity)
    seen = _DEFINITION_SEEN
    changed = {key: (activity_id, definition, _definition_digest(definition))
               for key, (activity_id, definition) in incoming.items() if seen.get(key) != definition}
    if not changed:
        return
    stored = {a.activity_key: a for a in Activity.objects.filter(activity_key__in=list(changed))
              .only("pk", "activity_key", "definition_hash")}
    # In key order, so concurrent writers on PostgreSQL lock activity rows in the same order.
    for key, (activity_id, definition, digest) in sorted(changed.items()):
        current = stored.get(key)
        if current is None:
            Activity.objects.bulk_create([Activity(activity_key=key, activity_id=activity_id, definition=definition,
                                                   definition_hash=digest, updated=now)], ignore_conflicts=True)
        elif current.definition_hash != digest:
            old = Activity.objects.filter(pk=current.pk).values_list("definition", flat=True).first() or {}
            Activity.objects.filter(pk=current.pk).update(definition=_merge_definition(old, definition),
                                                          definition_hash=digest, updated=now)
        if len(seen) > _DEFINITION_SEEN_MAX:
            seen.clear()
        seen[key] = copy.deepcopy(definition)


# --- Documents (state, activity profile, agent profile) ------------------------------------------

class DocumentPreconditionFailed(Exception):
    """If-Match / If-None-Match did not hold (412)."""


class DocumentConflict(Exception):
    """A document exists and the request carried neither If-Match nor If-None-Match (409)."""


class DocumentMergeRefused(Exception):
    """POST merge on a document that is not a JSON object (400)."""


@dataclass(frozen=True)
class DocumentAddress:
    kind: str
    document_id: str
    activity_id: str = ""
    agent: dict | None = None
    registration: str = ""

    def filter(self) -> dict:
        return {
            "kind": self.kind,
            "activity_key": index_key(self.activity_id) if self.activity_id else "",
            "agent_key": agent_key(self.agent) if self.agent else "",
            "registration": self.registration.lower(),
            "document_key": index_key(self.document_id),
        }


def document_etag(content: bytes) -> str:
    return hashlib.sha1(content).hexdigest()  # noqa: S324 - an entity tag, not a security boundary


def _check_preconditions(document: Document | None, if_match: str | None, if_none_match: str | None,
                         *, require: bool) -> None:
    if if_match is not None:
        tags = {t.strip().strip('"') for t in if_match.split(",")}
        if document is None or ("*" not in tags and document.etag not in tags):
            raise DocumentPreconditionFailed
    if if_none_match is not None:
        tags = {t.strip().strip('"') for t in if_none_match.split(",")}
        if document is not None and ("*" in tags or document.etag in tags):
            raise DocumentPreconditionFailed
    if require and document is not None and if_match is None and if_none_match is None:
        raise DocumentConflict


def put_document(address: DocumentAddress, content: bytes, content_type: str, *, if_match=None,
                 if_none_match=None, require_precondition=False) -> Document:
    """Create or replace a document (PUT)."""
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(**address.filter()).first()
        _check_preconditions(document, if_match, if_none_match, require=require_precondition)
        return _save_document(document, address, content, content_type)


def post_document(address: DocumentAddress, content: bytes, content_type: str, *, if_match=None,
                  if_none_match=None) -> Document:
    """Create a document, or merge a JSON object into an existing JSON document (POST)."""
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(**address.filter()).first()
        _check_preconditions(document, if_match, if_none_match, require=False)
        if document is not None:
            if not (_is_json(content_type) and _is_json(document.content_type)):
                raise DocumentMergeRefused
            old, new = _json_object(bytes(document.content)), _json_object(content)
            if old is None or new is None:
                raise DocumentMergeRefused
            old.update(new)
            content = json.dumps(old, ensure_ascii=False).encode()
            content_type = "application/json"
        elif _is_json(content_type) and _json_object(content) is None:
            raise DocumentMergeRefused
        return _save_document(document, address, content, content_type)


def delete_documents(address: DocumentAddress, *, single: bool, if_match=None, if_none_match=None) -> int:
    """Delete one document, or (``single=False``) every state document of an activity, agent and registration."""
    with transaction.atomic():
        if single:
            document = Document.objects.select_for_update().filter(**address.filter()).first()
            _check_preconditions(document, if_match, if_none_match, require=False)
            if document is None:
                return 0
            document.delete()
            return 1
        scope = address.filter()
        scope.pop("document_key")
        count, _ignored = Document.objects.filter(**scope).delete()
        return count


def _is_json(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/json"


def _json_object(content: bytes) -> dict | None:
    try:
        value = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _save_document(document, address, content, content_type) -> Document:
    now = timezone.now()
    if document is None:
        document = Document(**address.filter(), activity_id=address.activity_id, agent=address.agent,
                            document_id=address.document_id)
    document.content = content
    document.content_type = content_type or "application/octet-stream"
    document.etag = document_etag(content)
    document.updated = now
    document.save()
    return document


# --- Credentials ---------------------------------------------------------------------------------

def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_credential(*, actor, name: str, organisation, scopes, request=None) -> tuple[Credential, str]:
    """Issue a key/secret pair for a connected platform or tool; the secret is returned once, never stored."""
    from django.core.exceptions import ValidationError

    from zhijiao.identity import permissions

    permissions.require(actor, "lrs.manage", organisation)
    scopes = sorted(set(scopes))
    if not scopes or any(scope not in Credential.SCOPES for scope in scopes):
        raise ValidationError({"scopes": [_("Choose at least one of: write, read own, read all.")]})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the credential a name.")]})
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        credential = Credential.objects.create(
            key=secrets.token_hex(10), secret_hash=hash_secret(secret), name=name[:200], organisation=organisation,
            scopes=scopes, created_by=actor,
        )
        audit.record("lrs.credential_issue", actor=actor, request=request, target=credential,
                     organisation=organisation, key=credential.key, scopes=scopes)
    return credential, secret


def revoke_credential(*, actor, credential: Credential, request=None) -> Credential:
    from zhijiao.identity import permissions

    permissions.require(actor, "lrs.manage", credential.organisation)
    with transaction.atomic():
        if credential.revoked_at is None:
            credential.revoked_at = timezone.now()
            credential.revoked_by = actor
            credential.save(update_fields=["revoked_at", "revoked_by"])
            audit.record("lrs.credential_revoke", actor=actor, request=request, target=credential,
                         organisation=credential.organisation, key=credential.key)
    return credential


def credential_agent(credential: Credential) -> dict:
    """The authority stamped on statements a credential writes."""
    return {"objectType": "Agent", "name": credential.name,
            "account": {"homePage": settings.ZJ_PUBLIC_URL, "name": f"lrs:{credential.key}"}}
