"""Reads of the shared kernel's data: the audit log (with its filters) and the mail outbox.

Both lists page by key (keyset pagination) rather than by OFFSET: the audit log only grows, and a page
deep in it must cost the same as the first one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from zhijiao.core import audit
from zhijiao.core.models import AuditEntry, OutboxMessage
from zhijiao.identity.models import Organisation, path_successor

AUDIT_PAGE_SIZE = 50
OUTBOX_PAGE_SIZE = 30


@dataclass(frozen=True)
class AuditFilter:
    """What the audit administrator asked to see. Empty fields do not filter."""

    action: str = ""
    actor: str = ""
    target_type: str = ""
    target_id: str = ""
    success: bool | None = None
    date_from: date | None = None
    date_to: date | None = None
    organisation: Organisation | None = None

    def describe(self) -> dict:
        """The filter as plain JSON values, for the audit entry that records an export."""
        described = {
            "action": self.action,
            "actor": self.actor,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "success": self.success,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "organisation": {"id": self.organisation.pk, "name": self.organisation.name}
            if self.organisation is not None
            else None,
        }
        return {key: value for key, value in described.items() if value not in ("", None)}


def _local_midnight(day: date, plus_days: int = 0) -> datetime | None:
    """The start of ``day`` (+ ``plus_days``) in the site's time zone, in UTC; None when that lies outside
    the calendar datetimes can hold (0001-01-01, 9999-12-31), where the bound excludes nothing."""
    try:
        return timezone.make_aware(datetime.combine(day + timedelta(days=plus_days), time.min)).astimezone(UTC)
    except OverflowError:
        return None


def audit_entries(f: AuditFilter) -> QuerySet[AuditEntry]:
    """Entries matching ``f``, newest first. Dates are whole days in the site's time zone, both ends included."""
    qs = AuditEntry.objects.select_related("organisation")
    if f.action:
        qs = qs.filter(action=f.action)
    if f.actor:
        # An existing account is matched by its id (indexed) so renamed and typed-in names are all found;
        # a name with no account (a mistyped login, a deleted user) is matched as recorded.
        user = get_user_model().objects.with_username(f.actor).first()
        qs = qs.filter(actor=user) if user is not None else qs.filter(actor_name__iexact=f.actor)
    if f.target_type:
        qs = qs.filter(target_type=f.target_type.lower())
    if f.target_id:
        qs = qs.filter(target_id=f.target_id)
    if f.success is not None:
        qs = qs.filter(success=f.success)
    start = _local_midnight(f.date_from) if f.date_from else None
    if start is not None:
        qs = qs.filter(at__gte=start)
    end = _local_midnight(f.date_to, plus_days=1) if f.date_to else None
    if end is not None:
        qs = qs.filter(at__lt=end)
    if f.organisation is not None:
        root = f.organisation.path
        qs = qs.filter(organisation__path__gte=root, organisation__path__lt=path_successor(root))
    return qs.order_by("-seq")


def action_label(action: str) -> str:
    """The action's label in the reader's language; an action no longer in the catalogue shows its code."""
    return str(audit.ACTIONS.get(action, action))


def latest_audit_seq() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def iter_audit_entries(qs: QuerySet[AuditEntry], *, up_to_seq: int, batch_size: int = 2000):
    """Yield batches of ``qs`` (newest first) up to ``up_to_seq``, each batch one indexed range query.

    Batches by key instead of a database cursor, so a long export holds no transaction or cursor open.
    """
    upper = up_to_seq + 1
    while True:
        batch = list(qs.filter(seq__lt=upper)[:batch_size])
        if not batch:
            return
        yield batch
        upper = batch[-1].seq


@dataclass
class KeysetPage:
    """One page, newest first. ``older`` / ``newer`` are the keys to ask for next, or None at either end."""

    items: list
    older: int | None
    newer: int | None


def keyset_page(qs: QuerySet, key: str, *, before: int | None = None, after: int | None = None,
                size: int = AUDIT_PAGE_SIZE) -> KeysetPage:
    """A page of ``qs`` ordered by the unique, indexed column ``key``, newest first.

    ``before``: the page of rows just older than that key; ``after``: the page just newer. Going newer
    past the newest full page gives the first page again, so the top of the list is always full.
    """
    if after is not None:
        rows = list(qs.filter(**{f"{key}__gt": after}).order_by(key)[: size + 1])
        if len(rows) <= size:
            return keyset_page(qs, key, size=size)
        items = rows[:size][::-1]
        return KeysetPage(items, _key_if(qs, key, "lt", items[-1]), getattr(items[0], key))
    newest_first = qs.order_by(f"-{key}")
    if before is not None:
        newest_first = newest_first.filter(**{f"{key}__lt": before})
    rows = list(newest_first[: size + 1])
    items = rows[:size]
    older = getattr(items[-1], key) if len(rows) > size else None
    newer = _key_if(qs, key, "gt", items[0]) if before is not None and items else None
    return KeysetPage(items, older, newer)


def _key_if(qs: QuerySet, key: str, direction: str, row) -> int | None:
    """``row``'s key when ``qs`` has rows beyond it in ``direction`` ("lt" older, "gt" newer)."""
    value = getattr(row, key)
    return value if qs.filter(**{f"{key}__{direction}": value}).exists() else None


def outbox_messages(*, before: int | None = None, after: int | None = None) -> KeysetPage:
    return keyset_page(OutboxMessage.objects.all(), "id", before=before, after=after, size=OUTBOX_PAGE_SIZE)


def outbox_message(message_id: int) -> OutboxMessage | None:
    return OutboxMessage.objects.filter(pk=message_id).first()
