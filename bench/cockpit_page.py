"""Cockpit pages at national scale: server time ≤ 300 ms for the national dashboard over a year of daily
rollups for 50,000 schools (and their 10 million learners).

Builds a throw-away database with the real-shaped division tree (nation, 32 provinces, ~350 cities,
~2,900 counties) and 50,000 schools, then writes the rollups the processor would have left after a year:
a day row and a month row per organisation (every school and every ancestor) per day (~20 million
organisation rows), resource rows for the nation (2,000 resources a day) and each province (300 a day),
and board rows for the nation and provinces. The learner-level tables are not read by these pages and are
left empty.

Measures, through Django's test client (so: URL routing, session, permission checks, queries, template,
JSON), the national dashboard for the last 30 days and for the whole year, a province's dashboard for the
year (one row per city and day range), and the daily JSON API for the year. Prints p50/p95 per page and
exits non-zero when a p95 misses.

    .venv/bin/python bench/cockpit_page.py [--schools 50000] [--days 365] [--queries 30]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, percentile, report, throwaway_database

TARGET_MS = 300
RESOURCES_NATION = 2000
RESOURCES_PROVINCE = 300
BOARDS = [("jichu", c) for c in ("kecheng", "zuoye", "ketang")] + [("zhiye", "shixun"), ("gaojiao", "mooc"),
                                                                     ("jiating", "jiaoyu"), ("deyu", "")]


def load_rows(model, columns: list[str], rows) -> int:
    """Write an iterable of tuples fast: COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) == 20_000:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
    return count


def build_tree(schools: int):
    from zhijiao.demo.divisions import build_divisions
    from zhijiao.demo.schools import school_code
    from zhijiao.demo.writer import BulkWriter
    from zhijiao.identity.models import OrgKind

    writer = BulkWriter(password_hash="!")
    tree = build_divisions(writer, synthetic=True)
    counties = tree.counties
    school_nodes = []
    for i, county in enumerate(counties):
        count = (i + 1) * schools // len(counties) - i * schools // len(counties)
        for number in range(1, count + 1):
            school_nodes.append(writer.organisation(f"{county.name}第{number}学校", OrgKind.SCHOOL, county,
                                                    school_code(county.code, number)))
    writer.finish()
    return writer, school_nodes


def build_rollups(school_nodes, days: int, rng: random.Random) -> tuple[date, date, int, int]:
    """Day and month rows for every organisation; a school's figures add up into its ancestors."""
    from zhijiao.cockpit.models import BoardPeriod, OrgPeriod, ResourcePeriod
    from zhijiao.identity.models import PATH_WIDTH

    end = date.today()
    first = end - timedelta(days=days - 1)
    day_list = [first + timedelta(days=i) for i in range(days)]
    # Weekly rhythm and a per-school size; ancestors get the sum of their schools.
    weekday = [1.0, 1.0, 0.95, 0.9, 0.8, 0.35, 0.3]
    totals: dict[int, list[int]] = {}
    size_of = {}
    for node in school_nodes:
        size = rng.randint(50, 350)  # ~200 learners a school: 10 million learners in 50,000 schools
        size_of[node.pk] = size
        for i in range(0, len(node.path), PATH_WIDTH):
            ancestor = int(node.path[i:i + PATH_WIDTH])
            totals[ancestor] = totals.get(ancestor, 0) + size
    fields = ["organisation_id", "grain", "start", "page_views", "visitors", "active_learners", "completions",
              "attempts", "video_ms", "time_ms"]

    def org_rows():
        for org_id, size in totals.items():
            month_sum: dict[date, list[int]] = {}
            for day in day_list:
                active = int(size * 0.4 * weekday[day.weekday()])
                row = [active * 6, int(active * 1.1), active, active // 3, active, active * 900_000, active * 1_500_000]
                yield (org_id, "d", day, *row)
                acc = month_sum.setdefault(day.replace(day=1), [0] * 7)
                for k, v in enumerate(row):
                    acc[k] += v
            for month, acc in month_sum.items():
                yield (org_id, "m", month, *acc)

    org_count = load_rows(OrgPeriod, fields, org_rows())
    provinces = sorted({int(n.path[PATH_WIDTH:2 * PATH_WIDTH]) for n in school_nodes})
    nation = int(school_nodes[0].path[:PATH_WIDTH])

    def resource_rows():
        for org_id, per_day in [(nation, RESOURCES_NATION)] + [(p, RESOURCES_PROVINCE) for p in provinces]:
            pool = range(1, RESOURCES_NATION * 5)
            months: dict[tuple, list] = {}
            for day in day_list:
                for resource_id in rng.sample(pool, per_day):
                    views = rng.randint(1, 500)
                    row = [views, views // 2, views // 5, float(views // 10 * 4), views // 10]
                    yield (resource_id, org_id, "d", day, *row)
                    acc = months.setdefault((resource_id, day.replace(day=1)), [0, 0, 0, 0.0, 0])
                    for k, v in enumerate(row):
                        acc[k] += v
            for (resource_id, month), acc in months.items():
                yield (resource_id, org_id, "m", month, *acc)

    res_count = load_rows(ResourcePeriod, ["resource_id", "organisation_id", "grain", "start", "views", "learners",
                                           "completions", "rating_sum", "rating_count"], resource_rows())

    def board_rows():
        for org_id in [nation, *provinces]:
            for board, column in BOARDS:
                months: dict[date, list] = {}
                for day in day_list:
                    views = rng.randint(100, 100_000)
                    row = [views, views // 3, views // 9]
                    yield (board, column, org_id, "d", day, *row)
                    acc = months.setdefault(day.replace(day=1), [0, 0, 0])
                    for k, v in enumerate(row):
                        acc[k] += v
                for month, acc in months.items():
                    yield (board, column, org_id, "m", month, *acc)

    load_rows(BoardPeriod, ["board", "column", "organisation_id", "grain", "start", "views", "learners",
                            "completions"], board_rows())
    return first, end, org_count, res_count


def operator_client(nation_id: int):
    from django.test import Client
    from django.utils import timezone

    from zhijiao.core import crypto
    from zhijiao.identity import auth
    from zhijiao.identity.models import Membership, Organisation, Role, TOTPDevice, User

    user = User.objects.create(username="bench-operator", real_name="bench")
    nation = Organisation.objects.get(pk=nation_id)
    Membership.objects.create(user=user, organisation=nation, role=Role.PLATFORM_OPERATOR, org_path=nation.path)
    TOTPDevice.objects.create(user=user, secret_enc=crypto.encrypt("JBSWY3DPEHPK3PXP", "totp.secret"),
                              confirmed_at=timezone.now())
    client = Client()
    client.force_login(user)
    session = client.session
    session[auth.SESSION_MFA_AT] = int(timezone.now().timestamp())
    session.save()
    return client


def measure(client, url: str, queries: int) -> list[float]:
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(queries):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--schools", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--queries", type=int, default=30)
    args = parser.parse_args()
    with throwaway_database("cockpit"):
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction

        from zhijiao.identity.models import PATH_WIDTH

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        with transaction.atomic():
            _, school_nodes = build_tree(args.schools)
            first, end, org_rows, res_rows = build_rollups(school_nodes, args.days, random.Random(2026))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        built = time.perf_counter() - started
        print(f"Cockpit pages on {connection.vendor}, {machine()} (shared): {len(school_nodes):,} schools, "
              f"{org_rows:,} organisation rollup rows, {res_rows:,} resource rollup rows, built in {built:.0f} s")
        nation = int(school_nodes[0].path[:PATH_WIDTH])
        province = int(school_nodes[0].path[PATH_WIDTH:2 * PATH_WIDTH])
        client = operator_client(nation)
        year = f"start={first.isoformat()}&end={end.isoformat()}"
        pages = {
            "national dashboard, last 30 days": f"/cockpit/org/{nation}/",
            "national dashboard, whole year": f"/cockpit/org/{nation}/?{year}",
            "province dashboard, whole year": f"/cockpit/org/{province}/?{year}",
            "national daily JSON API, whole year": f"/api/v1/cockpit/orgs/{nation}/daily?{year}",
            "national top resources JSON API, whole year": f"/api/v1/cockpit/orgs/{nation}/resources?{year}",
        }
        ok = True
        for name, url in pages.items():
            samples = measure(client, url, args.queries)
            print(f"{name}: p50 {percentile(samples, 0.5):.1f} ms, max {max(samples):.1f} ms")
            ok &= report(f"{name}, p95", percentile(samples, 0.95), TARGET_MS, "ms", higher_is_better=False)
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
