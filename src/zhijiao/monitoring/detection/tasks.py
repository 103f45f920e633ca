"""Running the incremental pass soon after statements arrive.

With a Celery broker, each ingest commit queues one pass (debounced through the shared cache). Without one
(the embedded default), an ingest commit pokes a per-process background thread that waits a moment for more
statements and then catches up; passes lock the state row, so several processes never extract a statement
twice. Either way a stored statement is in the event table, and its learner scored again, within seconds.
"""

from __future__ import annotations

import logging
import threading

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connections

from zhijiao.monitoring.detection import ingest

logger = logging.getLogger("zhijiao.monitoring")

DEBOUNCE_SECONDS = 2.0
QUEUED_KEY = "zj:detection:pass-queued"


@shared_task(name="zhijiao.monitoring.detection.catch_up")
def catch_up() -> int:
    cache.delete(QUEUED_KEY)
    return ingest.catch_up().written


@shared_task(name="zhijiao.monitoring.detection.score_recent")
def score_recent() -> int:
    """The beat's full pass over yesterday and today: every detector, the cross-account ones and the anomaly
    score included (the live passes re-score only the learners whose statements just arrived)."""
    from datetime import timedelta

    from django.utils import timezone

    from zhijiao.monitoring.detection import score

    ingest.catch_up()
    today = timezone.localdate()
    days = [(today - timedelta(days=1)).toordinal(), today.toordinal()]
    return sum(result.written for result in score.score_days(days))


class _Poker:
    def __init__(self):
        self.wake = threading.Event()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.stopping = False

    def poke(self) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="zj-detection", daemon=True)
                self.thread.start()
        self.wake.set()

    def stop(self, timeout: float) -> None:
        with self.lock:
            thread, self.thread = self.thread, None
            self.stopping = True
        if thread is not None:
            self.wake.set()
            thread.join(timeout)
        self.stopping = False

    def _run(self) -> None:
        while True:
            self.wake.wait()
            self.wake.clear()
            self.wake.wait(DEBOUNCE_SECONDS)
            self.wake.clear()
            if self.stopping:
                return
            try:
                close_old_connections()
                ingest.catch_up()
            except Exception:
                logger.exception("detection pass failed; the next ingest retries")
            finally:
                connections.close_all()


_poker = _Poker()
stop_background_passes = _poker.stop


def live() -> bool:
    """``ZJ_MONITORING_LIVE_DETECTION``; unset, it follows the cockpit's switch for live background passes
    (``ZJ_COCKPIT_LIVE_ROLLUPS``, which the test suite turns off so no thread races a test)."""
    value = getattr(settings, "ZJ_MONITORING_LIVE_DETECTION", None)
    return bool(settings.ZJ_COCKPIT_LIVE_ROLLUPS if value is None else value)


def on_statements_stored(sender, count: int, **kwargs) -> None:
    if live():
        request_pass()


def request_pass() -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        _poker.poke()
    elif cache.add(QUEUED_KEY, 1, timeout=30):
        catch_up.apply_async(countdown=DEBOUNCE_SECONDS)
