"""Demo data generation speed: `zj seed --scale small` ≤ 30 s and `zj seed --scale medium` ≤ 300 s.

Each scale is seeded into its own throw-away database (migrated first, not timed), through the real
command line in a child process, as an operator would run it.

    .venv/bin/python bench/seed_medium.py [--only small|medium]

On SQLite by default. With DATABASE_URL pointing at a PostgreSQL server, a fresh database is created on
that server for each run and dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, report, throwaway_database

TARGET_SECONDS = {"small": 30, "medium": 300}


def zj(*args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "zhijiao.cli", *args], env=os.environ.copy(),
                            capture_output=True, text=True, check=True)
    return result.stdout


def time_seed(scale: str) -> float:
    with throwaway_database(f"seed_{scale}"):
        database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
        zj("migrate", "--verbosity", "0")
        started = time.perf_counter()
        output = zj("seed", "--scale", scale)
        seconds = time.perf_counter() - started
    print(f"zj seed --scale {scale} on {database}:")
    print("  " + output.strip().replace("\n", "\n  "))
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=list(TARGET_SECONDS))
    args = parser.parse_args()
    print(f"Machine: {machine()}")
    ok = True
    for scale, target in TARGET_SECONDS.items():
        if args.only in (None, scale):
            ok &= report(f"zj seed --scale {scale}", time_seed(scale), target, "s", higher_is_better=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
