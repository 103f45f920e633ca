"""View counts without a database write per page view.

Each web process adds views up in memory and writes them in one UPDATE per distinct count at most every
few seconds (and when it exits), so a popular resource page costs no write lock per request. A process
killed outright loses at most those few seconds of counts, which the dynamic evaluation (Art.16) can bear.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
import time
from collections import Counter, defaultdict

from django.db.models import F

FLUSH_SECONDS = 5.0

_lock = threading.Lock()
_pending: Counter[int] = Counter()
_last_flush = time.monotonic()


def count_view(resource_id: int) -> None:
    global _last_flush
    with _lock:
        _pending[resource_id] += 1
        due = time.monotonic() - _last_flush >= FLUSH_SECONDS
        if due:
            _last_flush = time.monotonic()
    if due:
        flush()


def flush() -> int:
    """Write the counted views; returns how many."""
    from zhijiao.resources.models import ResourceStats

    with _lock:
        counts = dict(_pending)
        _pending.clear()
    by_amount: dict[int, list[int]] = defaultdict(list)
    for resource_id, n in counts.items():
        by_amount[n].append(resource_id)
    for n, ids in by_amount.items():
        ResourceStats.objects.filter(resource_id__in=ids).update(views=F("views") + n)
    return sum(counts.values())


def _flush_at_exit() -> None:
    with contextlib.suppress(Exception):  # the database may already be gone at interpreter exit
        flush()


atexit.register(_flush_at_exit)
