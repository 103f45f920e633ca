"""Monthly partitions of the statement table on PostgreSQL (SQLite keeps one plain table).

The table is range-partitioned on ``stored``: queries with ``since``/``until`` touch only the months they
name, and old months can be detached and archived whole. A default partition catches anything outside
the months created, so an insert never fails for want of a partition; :func:`ensure_partitions` runs
daily (Celery beat) to keep the coming months created ahead, while they are still empty.
"""

from __future__ import annotations

from datetime import date

from django.db import connection as default_connection
from django.utils import timezone

TABLE = "records_statement"
MONTHS_AHEAD = 3


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _utc(month: date) -> str:
    # Month boundaries are UTC midnights, whatever the session's time zone.
    return f"{month.isoformat()}T00:00:00+00:00"


def partition_name(month: date) -> str:
    return f"{TABLE}_{month:%Y%m}"


def create_months(first: date, last: date, connection=None) -> list[str]:
    """Create the partitions for every month from ``first`` to ``last`` inclusive that does not exist yet.

    A month that the default partition already holds rows for is skipped (PostgreSQL would refuse it);
    those rows stay where they are and remain fully queryable.
    """
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return []
    created = []
    month = month_start(first)
    with connection.cursor() as cursor:
        while month <= last:
            following = next_month(month)
            name = partition_name(month)
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is None:
                cursor.execute(
                    f"SELECT EXISTS (SELECT 1 FROM {TABLE}_default WHERE stored >= %s AND stored < %s)",
                    [_utc(month), _utc(following)],
                )
                if not cursor.fetchone()[0]:
                    cursor.execute(
                        f'CREATE TABLE "{name}" PARTITION OF {TABLE} '
                        f"FOR VALUES FROM ('{_utc(month)}') TO ('{_utc(following)}')"
                    )
                    created.append(name)
            month = following
    return created


def ensure_partitions(months_ahead: int = MONTHS_AHEAD, connection=None) -> list[str]:
    """Create this month's partition and the next ``months_ahead`` months'."""
    today = timezone.now().date()
    last = month_start(today)
    for _ in range(months_ahead):
        last = next_month(last)
    return create_months(month_start(today), last, connection)
