"""Batch scoring of a day of learning records by every detector: 10 million statements ≤ 120 s, peak memory
≤ 2 GB.

Builds (once, cached under /tmp by size and seed) a SQLite database with one simulated day: honest learners
and injected cheaters (``zj simulate-learning --into events``: the event rows the LRS extraction would write
for those statements, since ten million statements through the LRS take hours). Then, in a fresh process,
times ``score.score_day`` over that day — reading the event table, every detector, the anomaly score and
writing the findings — and reads the process's peak resident memory (``resource.getrusage``).

    .venv/bin/python bench/monitoring_batch.py [--statements 10000000] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, machine, report

TARGET_SECONDS = 120
TARGET_MB = 2048
STATEMENTS_PER_ACCOUNT_DAY = 178  # measured: statements per simulated account on one day (active or not)


def setup(var: Path) -> None:
    os.environ["ZJ_VAR_DIR"] = str(var)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.settings")
    os.environ["ZJ_COCKPIT_LIVE_ROLLUPS"] = "0"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def build(var: Path, statements: int, seed: int) -> None:
    from datetime import date

    from django.core.management import call_command

    from zhijiao.monitoring.detection.simulate import Params, simulate

    call_command("migrate", verbosity=0)
    accounts = max(int(statements / STATEMENTS_PER_ACCOUNT_DAY), 100)
    started = time.perf_counter()
    sim = simulate(Params(accounts=accounts, days=1, seed=seed, start=date(2026, 3, 2), universities=40),
                   into="events")
    print(f"built {len(sim.world.out)} events of {accounts} accounts in {time.perf_counter() - started:.0f} s")


def score(var: Path) -> None:
    from datetime import date

    from zhijiao.monitoring.detection import score

    started = time.perf_counter()
    result = score.score_day(date(2026, 3, 2).toordinal())
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"scored {result.events} events of {result.users} accounts, {result.written} findings {result.fired}")
    ok = report("batch scoring", seconds, TARGET_SECONDS, "s", higher_is_better=False)
    ok &= report("peak memory", peak_mb, TARGET_MB, "MB", higher_is_better=False)
    print(f"{result.events / seconds:,.0f} events/s; {machine()}, SQLite; shared machine, figures pessimistic")
    sys.exit(0 if ok else 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--statements", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--score-only", default="")
    args = parser.parse_args()
    if args.score_only:
        setup(Path(args.score_only))
        score(Path(args.score_only))
        return
    var = Path(f"/tmp/zj-bench-monitoring-{args.statements}-{args.seed}")
    if not (var / "done").exists():
        shutil.rmtree(var, ignore_errors=True)
        var.mkdir(parents=True)
        setup(var)
        build(var, args.statements, args.seed)
        (var / "done").write_text("ok")
    # Each measurement starts from the unscored day in a fresh process, so memory is the scoring's own.
    fresh = var.parent / (var.name + "-run")
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(var, fresh)
    try:
        code = subprocess.call([sys.executable, __file__, "--score-only", str(fresh)])
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
