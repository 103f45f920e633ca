"""Keeping the rollups fresh.

Scale-out (a Celery broker): a beat entry runs :func:`roll_up` every few seconds, and each ingest commit
also queues one, debounced through the shared cache so that a burst of ingests queues one pass.

Embedded default (no broker): tasks would run inline and make every ingest wait for a pass, so instead
an ingest commit pokes a per-process background thread, which waits a moment (collecting further pokes)
and then catches up. Passes lock the rollup state row, so threads in several worker processes never
count a statement twice.
"""

from __future__ import annotations

import logging
import threading

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connections

from zhijiao.cockpit import services

logger = logging.getLogger("zhijiao.cockpit")

DEBOUNCE_SECONDS = 1.0
QUEUED_KEY = "zj:cockpit:roll-up-queued"


@shared_task(name="zhijiao.cockpit.roll_up")
def roll_up() -> int:
    cache.delete(QUEUED_KEY)
    return services.catch_up().counted


class _Poker:
    """One daemon thread per process that runs a catch-up shortly after it is poked."""

    def __init__(self):
        self.wake = threading.Event()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def poke(self) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="zj-rollups", daemon=True)
                self.thread.start()
        self.wake.set()

    def stop(self, timeout: float) -> None:
        """Let a pass under way finish and end the thread (used at shutdown and between tests)."""
        with self.lock:
            thread, self.thread = self.thread, None
            self.stopping = True
        if thread is not None:
            self.wake.set()
            thread.join(timeout)
        self.stopping = False

    stopping = False

    def _run(self) -> None:
        while True:
            self.wake.wait()
            self.wake.clear()
            self.wake.wait(DEBOUNCE_SECONDS)  # let a burst of ingests arrive
            self.wake.clear()
            if self.stopping:
                return
            try:
                close_old_connections()
                services.catch_up()
            except Exception:
                logger.exception("rollup pass failed; the next ingest or beat tick retries")
            finally:
                connections.close_all()


_poker = _Poker()
stop_background_rollups = _poker.stop


def on_statements_stored(sender, count: int, **kwargs) -> None:
    if settings.ZJ_COCKPIT_LIVE_ROLLUPS:
        request_rollup()


def request_rollup() -> None:
    """Ask for a rollup pass soon. Cheap; call it after an ingest transaction commits
    (``transaction.on_commit(request_rollup)``)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        _poker.poke()
    elif cache.add(QUEUED_KEY, 1, timeout=30):
        roll_up.apply_async(countdown=DEBOUNCE_SECONDS)
