"""Shared data of the job-matching benchmarks: the medium demo tree (small below 100,000 jobs), N open jobs (indexed) and M graduates
with job intentions, built through the large-scale demo path (employment/matching/bulk.py).

The data lives in its own SQLite file under /tmp (``/tmp/zj-bench-matching-<jobs>-<graduates>/``) and is
built once: job_search.py, job_recommend.py and job_push.py reuse it and print how long building took.
``--rebuild`` starts from scratch. With DATABASE_URL pointing at PostgreSQL, a database named after the same
sizes on that server is used the same way.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def environment(jobs: int, graduates: int, *, rebuild: bool = False) -> dict:
    """Point Django at the benchmark's database, build it when needed, and return the build record."""
    var = Path(f"/tmp/zj-bench-matching-{jobs}-{graduates}")
    if rebuild and var.exists():
        shutil.rmtree(var)
    var.mkdir(parents=True, exist_ok=True)
    os.environ["ZJ_VAR_DIR"] = str(var)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.settings")
    server = os.environ.get("DATABASE_URL", "")
    if server.startswith("postgres"):
        import psycopg

        name = f"zj_bench_matching_{jobs}_{graduates}"
        base = server.split("?", 1)[0].rsplit("/", 1)[0]
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            if rebuild:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                (var / "built.json").unlink(missing_ok=True)
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = f"{base}/{name}"
        marker = var / "built-postgresql.json"
    else:
        marker = var / "built.json"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    if marker.exists():
        record = json.loads(marker.read_text())
        record["reused"] = True
        return record
    from django.core.management import call_command

    from zhijiao.demo import seeding
    from zhijiao.employment.matching import bulk

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    seeding.seed_demo_data("medium" if jobs >= 100_000 else "small", seeding.DEFAULT_SEED)
    tree_seconds = time.monotonic() - started

    def progress(what, n):
        if n % 100_000 == 0:
            print(f"  {what}: {n:,} ({time.monotonic() - started:.0f} s)", flush=True)

    made = bulk.seed_jobs(jobs, progress=progress)
    made.update(bulk.seed_graduates(graduates, progress=progress) if graduates else {"graduate_seconds": 0})
    record = {"jobs": jobs, "graduates": graduates, "tree_seconds": tree_seconds, **made, "reused": False}
    marker.write_text(json.dumps(record))
    return record


def describe(record: dict) -> str:
    how = "reused, built earlier" if record.get("reused") else "built now"
    return (f"data ({how}): demo tree in {record['tree_seconds']:.0f} s; {record['jobs']:,} jobs written and "
            f"indexed in {record['job_seconds']:.0f} s; {record['graduates']:,} graduates in "
            f"{record['graduate_seconds']:.0f} s")
