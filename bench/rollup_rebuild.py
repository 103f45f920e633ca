"""Full rollup rebuild (``zj rollups --rebuild``) from 10 million statements: ≤ 5 minutes.

Builds a throw-away database with 400 schools under the real-shaped division tree, 40,000 learners
(one learner membership each), and ``--statements`` statements written straight into the statement
table (the LRS's ingest speed is another benchmark): a year of sessions in which a learner views a
resource page, plays and pauses its video with played segments and progress, and sometimes answers
(with a score) and completes it, each statement carrying a visitor id and a board. Then times the
rebuild and prints statements per second.

    .venv/bin/python bench/rollup_rebuild.py [--statements 10000000] [--learners 40000]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, report, throwaway_database
from cockpit_page import build_tree, load_rows

TARGET_SECONDS = 300
VIDEO = "https://w3id.org/xapi/video/"
ADL = "http://adlnet.gov/expapi/verbs/"


def learners(school_nodes, count: int) -> list[int]:
    from zhijiao.demo.writer import BulkWriter
    from zhijiao.identity.models import Role

    writer = BulkWriter(password_hash="!")
    ids = []
    for i in range(count):
        user = writer.user(f"learner{i}", f"学生{i}")
        writer.membership(user, school_nodes[i % len(school_nodes)], Role.LEARNER)
        ids.append(user)
    writer.finish()
    return ids


def statements(user_ids: list[int], total: int, rng: random.Random):
    """Rows for the statement table, in ingest order."""
    from django.conf import settings
    from django.db import connection

    from zhijiao.records.indexing import agent_key

    home = settings.ZJ_PUBLIC_URL
    sqlite = connection.vendor == "sqlite"
    start = datetime(2025, 1, 1, tzinfo=UTC)
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    boards = ["jichu", "zhiye", "gaojiao", "jiating"]
    seq = 0
    # Sessions start in time order over the year, as an LRS receives them.
    session_gap = 365 * 86400 / max(1, total / 8)
    clock = start
    while seq < total:
        user = rng.choice(user_ids)
        clock += timedelta(seconds=rng.expovariate(1 / session_gap))
        actor = {"objectType": "Agent", "account": {"homePage": home, "name": str(user)}}
        key = agent_key(actor)
        visitor = f"v{user}"
        at = clock
        resource = rng.randrange(1, 5000)
        activity = f"{home}/resources/{resource}/"
        board = boards[resource % 4]
        length = 300 + resource % 900
        played = 0
        steps = [("http://id.tincanapi.com/verb/viewed", None), (VIDEO + "verbs/played", None)]
        for _ in range(rng.randint(1, 8)):
            played = min(length, played + rng.randint(20, 240))
            steps.append((VIDEO + "verbs/paused", {"extensions": {
                VIDEO + "extensions/played-segments": f"0[.]{played}",
                VIDEO + "extensions/progress": round(played / length, 3)}}))
        if rng.random() < 0.3:
            steps.append((ADL + "answered", {"score": {"scaled": round(rng.random(), 2)}, "success": True}))
        if played == length:
            steps.append((ADL + "completed", {"completion": True}))
        for verb, result in steps:
            if seq >= total:
                return
            seq += 1
            at += timedelta(seconds=rng.randint(5, 200))
            statement_id = uuid.uuid4()
            data = {"id": str(statement_id), "actor": actor, "verb": {"id": verb},
                    "object": {"objectType": "Activity", "id": activity},
                    "context": {"extensions": {"https://zhijiao.cn/xapi/extensions/visitor-id": visitor,
                                               "https://zhijiao.cn/xapi/extensions/board": board,
                                               VIDEO + "extensions/length": length}},
                    "timestamp": at.isoformat(), "stored": at.isoformat()}
            if result:
                data["result"] = result
            stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else at
            yield (seq, statement_id.hex if sqlite else statement_id, stamp, stamp, key, user, verb, activity, False,
                   encode(data), "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--statements", type=int, default=10_000_000)
    parser.add_argument("--learners", type=int, default=40_000)
    parser.add_argument("--schools", type=int, default=400)
    args = parser.parse_args()
    with throwaway_database("rebuild"):
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction

        from zhijiao.cockpit import services
        from zhijiao.cockpit.models import LearnerActivityDay, OrgPeriod
        from zhijiao.records.models import Statement

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        with transaction.atomic():
            _, school_nodes = build_tree(args.schools)
            user_ids = learners(school_nodes, args.learners)
        with transaction.atomic():
            written = load_rows(Statement, ["seq", "statement_id", "stored", "timestamp", "actor_key", "user_id",
                                            "verb_id", "object_id", "voided", "data", "user_agent"],
                                statements(user_ids, args.statements, random.Random(2026)))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"Rollup rebuild on {connection.vendor}, {machine()} (shared): wrote {written:,} statements by "
              f"{len(user_ids):,} learners in {len(school_nodes):,} schools in {time.perf_counter() - started:.0f} s")

        started = time.perf_counter()
        result = services.rebuild(progress=lambda n, s: print(f"  {n:,} statements, {s:.0f} s", flush=True)
                                  if n % 1_000_000 < 50_000 else None)
        seconds = time.perf_counter() - started
        print(f"rebuilt: {result.counted:,} statements, {LearnerActivityDay.objects.count():,} learner-activity-day "
              f"rows, {OrgPeriod.objects.count():,} organisation rows, {result.counted / seconds:,.0f} statements/s")
        scaled = seconds * 10_000_000 / max(1, result.counted)
        if result.counted < 10_000_000:
            print(f"(scaled linearly to 10 million statements: {scaled:.0f} s)")
        return 0 if report("full rebuild, scaled to 10 million statements", scaled, TARGET_SECONDS, "s",
                           higher_is_better=False) else 1


if __name__ == "__main__":
    sys.exit(main())
