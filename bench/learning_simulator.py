"""Learning simulator speed: making statements (target: ten million in at most 10 minutes, ≥ 16,700/s),
and making and storing them through the LRS service on a seeded demo database (reported; the LRS's own
ingest benchmark owns that speed).

    .venv/bin/python bench/learning_simulator.py [--generate 1000000] [--store 200000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/learning_simulator.py
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date

from _common import machine, report, throwaway_database

TARGET_PER_SECOND = 10_000_000 / 600


def learners(count: int):
    from zhijiao.demo.learning import Learner

    rng = random.Random(1)
    return [Learner(user_id=k, actor={"objectType": "Agent", "account": {"homePage": "http://bench", "name": str(k)}},
                    visitor=f"{k:022d}", diligence=rng.betavariate(2.2, 2.4), ability=rng.gauss(0, 0.9),
                    evening=rng.uniform(19, 21), usage=rng.uniform(0.2, 1.0)) for k in range(count)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--generate", type=int, default=1_000_000)
    parser.add_argument("--store", type=int, default=200_000)
    args = parser.parse_args()
    with throwaway_database("learning"):
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from zhijiao.demo.learning import demo_catalogue, simulate_learning

        call_command("migrate", verbosity=0)
        print(f"{machine()}, {connection.vendor}")
        made = 0

        def count(batch, authority):
            nonlocal made
            made += len(batch)

        started = time.monotonic()
        simulate_learning(args.generate, seed=1, days=365, end=date(2026, 8, 31), learners=learners(2000),
                          catalogue=demo_catalogue(random.Random(1)), write=count)
        ok = report("statements made (no storage)", made / (time.monotonic() - started), TARGET_PER_SECOND,
                    "statements/s", higher_is_better=True)
        if args.store:
            with open(os.devnull, "w") as quiet:
                call_command("seed", statements=0, stdout=quiet)
            started = time.monotonic()
            summary = simulate_learning(args.store, seed=1)
            seconds = time.monotonic() - started
            print(f"made and stored through records.services.store_statements: {summary.statements:,} statements "
                  f"for {summary.learners:,} learners in {seconds:.1f} s = {summary.statements / seconds:,.0f}/s "
                  f"(10 million: {10_000_000 / (summary.statements / seconds) / 60:.0f} min)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
