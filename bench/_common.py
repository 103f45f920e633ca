"""Helpers shared by the benchmark scripts: a throw-away environment and the pass/fail line."""

from __future__ import annotations

import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
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
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        mem_kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
        mem = f"{mem_kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        mem = "unknown RAM"
    return f"{cores} cores, {mem}"


@contextmanager
def throwaway_database(prefix: str):
    """A fresh, empty database for one run, whatever DATABASE_URL says: a new var/ directory with its
    own SQLite file, or, when DATABASE_URL names a PostgreSQL server, a new database on that server,
    dropped on exit. Enter it before django.setup(); subprocesses inherit it through the environment."""
    saved = {key: os.environ.get(key) for key in ("ZJ_VAR_DIR", "DATABASE_URL")}
    server = saved["DATABASE_URL"] or ""
    var = throwaway_environment(prefix)
    name = None
    if server.startswith("postgres"):
        import psycopg

        name = f"zj_bench_{prefix}_{uuid.uuid4().hex[:8]}"
        base = server.split("?", 1)[0].rsplit("/", 1)[0]
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = f"{base}/{name}"
    else:
        os.environ.pop("DATABASE_URL", None)
    try:
        yield var
    finally:
        if name:
            if "django.db" in sys.modules:
                from django.db import connections

                connections.close_all()
            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(var, ignore_errors=True)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least ``fraction`` of samples at or below it."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn_server(workers: int):
    """Serve the platform with gunicorn sync workers on a free local port; yield its base URL once it listens."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "zhijiao.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", "sync", "--log-level", "warning"],
        cwd=ROOT, env=dict(os.environ),
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)
