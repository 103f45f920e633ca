"""Incremental detection under a steady 1,000 statements/s: a stored statement is reflected in detector state
(extracted into the event table and its learner's day scored again) within 60 s.

A throw-away SQLite database, simulated learners (``zj simulate-learning``), and their statements sent to the
LRS (``store_statements``, batches of 100 every 0.1 s) for ``--seconds``; the embedded background pass
(``detection.tasks``, no broker) follows the ingest. Lag of a batch = from its commit until a finished pass
covered its last seq. Prints the 95th percentile and the worst lag.

    .venv/bin/python bench/monitoring_incremental.py [--seconds 60] [--rate 1000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, percentile, report, throwaway_database

TARGET_SECONDS = 60


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--rate", type=int, default=1000)
    args = parser.parse_args()
    with throwaway_database("monitoring-incremental"):
        os.environ["ZJ_COCKPIT_LIVE_ROLLUPS"] = "0"
        import django

        django.setup()
        from datetime import date

        from django.conf import settings
        from django.core.management import call_command

        from zhijiao.monitoring.detection import ingest, tasks
        from zhijiao.monitoring.detection.simulate import Params, Simulation
        from zhijiao.records.models import Statement
        from zhijiao.records.services import store_statements

        call_command("migrate", verbosity=0)
        settings.ZJ_MONITORING_LIVE_DETECTION = True
        needed = args.seconds * args.rate
        sim = Simulation(Params(accounts=max(needed // 130, 50), days=1, seed=3, start=date(2026, 3, 2)))
        sim.build()
        sim.generate()
        statements = [s for _p, s in sim.statements()][:needed]
        print(f"{len(statements)} statements of {len(sim.learners)} simulated learners ready")

        covered: list[tuple[float, int]] = []  # (time a pass finished, high seq it covered)
        real_catch_up = ingest.catch_up

        def watched(**kwargs):
            result = real_catch_up(**kwargs)
            covered.append((time.monotonic(), result.high_seq))
            return result

        tasks.ingest.catch_up = watched
        authority = {"objectType": "Agent", "account": {"homePage": settings.ZJ_PUBLIC_URL, "name": "lrs:bench"}}
        batches: list[tuple[float, int]] = []
        batch = max(args.rate // 10, 1)
        started = time.monotonic()
        for k in range(0, len(statements), batch):
            due = started + k / args.rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            store_statements(statements[k:k + batch], authority=authority)
            batches.append((time.monotonic(), Statement.objects.order_by("-seq").values_list("seq", flat=True)[0]))
        sending = time.monotonic() - started
        deadline = time.monotonic() + 180
        while (not covered or covered[-1][1] < batches[-1][1]) and time.monotonic() < deadline:
            time.sleep(0.5)
        tasks.stop_background_passes(30)
        lags = []
        for at, seq in batches:
            done = next((t for t, high in covered if high >= seq and t >= at), None)
            lags.append((done - at) if done is not None else float("inf"))
        print(f"sent {len(statements)} statements in {sending:.1f} s ({len(statements) / sending:,.0f}/s); "
              f"{len(covered)} passes")
        ok = report("incremental lag p95", percentile(lags, 0.95), TARGET_SECONDS, "s", higher_is_better=False)
        ok &= report("incremental lag max", max(lags), TARGET_SECONDS, "s", higher_is_better=False)
        print(f"{machine()}, {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; shared machine, "
              "figures pessimistic")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
