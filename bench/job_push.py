"""Daily push (每日推送) for 1,000,000 graduates: ≤ 30 minutes on 2 cores.

    .venv/bin/python bench/job_push.py [--jobs 1000000] [--graduates 1000000] [--workers 2] [--chunk-size 5000]

The coordinator's own split (push.graduate_ranges: ranges of user ids, the priority pass over every range
first, then the ordinary pass) is run by ``--workers`` forked processes, each calling the same
``push.run_chunk`` a Celery worker runs; that is what two Celery workers on this machine do, without a
broker in the way. The push reads the jobs published in the last day (about 1/365 of the open jobs) and
writes the inbox rows, the push log and one mail per graduate with news into the outbox. Earlier pushes
of the day are deleted first, so the run is complete every time.
Data: bench/_jobs_corpus.py (built once into /tmp, shared with job_search.py and job_recommend.py).
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _jobs_corpus
from _common import database_label, machine, report

TARGET_MINUTES = 30


def _chunk(args):
    from zhijiao.employment.matching import push

    day, low, high, priority = args
    done = push.run_chunk(day, low, high, priority)
    return done.graduates, done.items, done.mails


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--graduates", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=5000)
    args = parser.parse_args()
    record = _jobs_corpus.environment(args.jobs, args.graduates)
    from django.db import connections
    from django.utils import timezone

    from zhijiao.core.models import OutboxMessage
    from zhijiao.core.search_text import warm_up
    from zhijiao.employment.matching import index, push
    from zhijiao.employment.matching.models import PushItem, PushLog

    print(f"machine: {machine()}; database: {database_label()}; graduates: {args.graduates:,}; "
          f"workers: {args.workers}")
    print(_jobs_corpus.describe(record))
    day = timezone.localdate()
    PushItem.objects.filter(day=day).delete()
    PushLog.objects.filter(day=day).delete()
    OutboxMessage.objects.all().delete()
    warm_up()
    started = time.monotonic()
    index.prune_expired(day)
    ranges = push.graduate_ranges(args.chunk_size)
    connections.close_all()
    totals = [0, 0, 0]
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        for priority in (True, False):  # the priority pass finishes before the ordinary one starts
            for graduates, items, mails in pool.imap_unordered(_chunk, [(day, lo, hi, priority) for lo, hi in ranges]):
                totals = [totals[0] + graduates, totals[1] + items, totals[2] + mails]
    minutes = (time.monotonic() - started) / 60
    print(f"chunks: {2 * len(ranges)}; graduates served: {totals[0]:,}; jobs pushed: {totals[1]:,}; "
          f"mails: {totals[2]:,}; {totals[0] / max(minutes * 60, 1e-9):,.0f} graduates/s")
    ok = report("daily push", minutes, TARGET_MINUTES, "min", higher_is_better=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
