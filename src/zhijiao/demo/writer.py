"""Bulk writes for demo data and benchmarks.

This deliberately bypasses the identity services: they write one row at a time with an audit entry
each, which would take hours at the medium scale, and demo rows are no one's administrative act. It
also bypasses the ORM's per-object machinery, which costs more than the database itself at a million
rows: rows are plain lists written with ``executemany`` (``COPY`` on PostgreSQL), every column's default
prepared once.

The writer hands out primary keys itself, so each organisation's materialised path (its ancestors' ids
and its own, zero-padded) is known before the row is written and no second UPDATE is needed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from zhijiao.identity.models import (
    PATH_WIDTH,
    GuardianLink,
    Membership,
    Organisation,
    User,
    Verification,
    child_path,
)


@dataclass(frozen=True, slots=True)
class Node:
    """An organisation as written: enough to hang children under it and to name it."""

    pk: int
    path: str
    kind: str
    code: str
    name: str


class _Table:
    """INSERTs for one model: the varying columns come per row, every other column takes its default."""

    batch_size = 5000

    def __init__(self, model, varying: tuple[str, ...], fixed: dict):
        fields = model._meta.concrete_fields
        names = [f.attname for f in fields]
        self.template = [
            f.get_db_prep_save(fixed[f.attname] if f.attname in fixed else f.get_default(), connection)
            for f in fields
        ]
        self.slots = [names.index(name) for name in varying]
        quote = connection.ops.quote_name
        table = f"{quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
        self.insert_sql = f"INSERT INTO {table} VALUES ({', '.join(['%s'] * len(fields))})"
        self.copy_sql = f"COPY {table} FROM STDIN"
        self.next_pk = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.rows: list[list] = []

    def take_pk(self) -> int:
        pk = self.next_pk
        self.next_pk += 1
        return pk

    def add(self, *values) -> None:
        """Queue a row given its varying columns, in the order they were declared."""
        row = self.template.copy()
        for slot, value in zip(self.slots, values):
            row[slot] = value
        self.rows.append(row)
        if len(self.rows) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY loads rows several times faster than INSERT on PostgreSQL.
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.insert_sql, self.rows)
        self.rows = []


class BulkWriter:
    """Use inside ``transaction.atomic()``: batches are written as they fill, so a membership may reach
    the database before its organisation, and foreign keys are only checked at commit."""

    def __init__(self, *, password_hash: str, now=None):
        """``password_hash`` is an already hashed password (or "!" for none) given to every account."""
        now = now or timezone.now()
        self._orgs = _Table(Organisation, ("id", "name", "kind", "code", "parent_id", "path", "depth"),
                            {"created_at": now})
        self._users = _Table(User, ("id", "username", "real_name", "birth_date", "phone_enc", "phone_index",
                                    "id_number_enc", "id_number_index"),
                             {"password": password_hash, "date_joined": now,
                              "verification": Verification.VERIFIED})
        self._memberships = _Table(Membership, ("id", "user_id", "organisation_id", "role", "org_path"),
                                   {"created_at": now})
        self._links = _Table(GuardianLink, ("id", "guardian_id", "minor_id", "relation"),
                             {"confirmed_at": now, "created_at": now})
        # Encryption and blind indexes come from the model's own setters, applied to one scratch object.
        self._scratch = User()

    def organisation(self, name: str, kind: str, parent: Node | None = None, code: str = "") -> Node:
        pk = self._orgs.take_pk()
        path = child_path(parent.path if parent is not None else "", pk)
        self._orgs.add(pk, name, kind, code, parent.pk if parent is not None else None, path,
                       len(path) // PATH_WIDTH - 1)
        return Node(pk, path, kind, code, name)

    def user(self, username: str, real_name: str, *, birth_date=None, phone: str = "", id_number: str = "") -> int:
        scratch = self._scratch
        scratch.set_phone(phone)
        scratch.set_id_number(id_number)
        pk = self._users.take_pk()
        self._users.add(pk, username, real_name, connection.ops.adapt_datefield_value(birth_date),
                        scratch.phone_enc, scratch.phone_index, scratch.id_number_enc, scratch.id_number_index)
        return pk

    def membership(self, user: int, organisation: Node, role: str) -> None:
        self._memberships.add(self._memberships.take_pk(), user, organisation.pk, role, organisation.path)

    def guardian_link(self, guardian: int, minor: int, relation: str) -> None:
        self._links.add(self._links.take_pk(), guardian, minor, relation)

    def finish(self) -> None:
        """Write what is left and move the database's id sequences past the ids handed out here, so rows
        created later through the services get fresh ids (PostgreSQL; SQLite follows by itself)."""
        for table in (self._orgs, self._users, self._memberships, self._links):
            table.flush()
        statements = connection.ops.sequence_reset_sql(no_style(), [Organisation, User, Membership, GuardianLink])
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
