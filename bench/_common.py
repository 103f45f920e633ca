"""Helpers shared by the benchmark scripts: a throw-away environment and the pass/fail line."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def throwaway_environment(prefix: str) -> Path:
    """Point Zhijiao at a fresh var/ directory (and its own SQLite file) unless DATABASE_URL is set.

    Must run before django.setup(). Returns the directory.
    """
    var = Path(tempfile.mkdtemp(prefix=f"zj-bench-{prefix}-"))
    os.environ["ZJ_VAR_DIR"] = str(var)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.settings")
    sys.path.insert(0, str(ROOT / "src"))
    return var


def database_label() -> str:
    from django.db import connection

    return connection.vendor


def report(name: str, value: float, target: float, unit: str, higher_is_better: bool) -> bool:
    ok = value >= target if higher_is_better else value <= target
    relation = "≥" if higher_is_better else "≤"
    print(f"{name}: {value:.1f} {unit} (target {relation} {target:g} {unit}) {'PASS' if ok else 'MISS'}")
    return ok


def machine() -> str:
    cores = os.cpu_count()
    try:
        mem_kb = int(next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1])
        mem = f"{mem_kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        mem = "unknown RAM"
    return f"{cores} cores, {mem}"
