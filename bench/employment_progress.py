"""Employment-progress dashboard figures (就业进展): everything the progress page computes for one view —
the weekly rate over 26 weeks, the weekly rate of the eight largest units, today's breakdowns by unit,
major, degree level and workplace region, and the first 200 graduates without a settled destination.

Targets (p95 over the repetitions): a province-level bureau view over all its graduates ≤ 2,000 ms; a
university's view ≤ 300 ms.

Builds a throw-away database: one province with 20 universities of 5 colleges each, ``--graduates``
graduates of one class spread over them (default 100,000), about 70 % of them with a destination entry
spread over the past 26 weeks and a tenth of those with a second, later one. Prints build time, each
figure with its target, and exits non-zero on a miss.

    .venv/bin/python bench/employment_progress.py [--graduates 100000] [--repeat 7]

On SQLite by default. With DATABASE_URL pointing at a PostgreSQL server, a fresh database is created on
that server for the run and dropped afterwards. Figures on a shared 2-core machine are pessimistic.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import database_label, machine, percentile, report, throwaway_database

PROVINCE_TARGET_MS = 2000
SCHOOL_TARGET_MS = 300
YEAR = 2026
MAJORS = ["计算机科学与技术", "软件工程", "经济学", "会计学", "汉语言文学", "机械工程", "临床医学", "法学",
          "土木工程", "电子信息工程", "英语", "数学与应用数学"]


def build(graduates: int, seed: int = 7):
    from django.db import transaction
    from django.utils import timezone

    from zhijiao.employment.hiring.models import DestinationRecord
    from zhijiao.employment.models import DegreeLevel, GraduateRecord
    from zhijiao.identity.models import PATH_WIDTH, Organisation, OrgKind, User, child_path

    rng = random.Random(seed)
    now = timezone.now()

    def org(name, kind, parent, code=""):
        node = Organisation.objects.create(name=name, kind=kind, code=code, parent=parent, path=f"p{rng.random()}")
        node.path = child_path(parent.path if parent else "", node.pk)
        node.depth = len(node.path) // PATH_WIDTH - 1
        node.save(update_fields=["path", "depth"])
        return node

    with transaction.atomic():
        nation = org("中华人民共和国", OrgKind.NATION, None)
        province = org("浙江省", OrgKind.PROVINCE, nation, "330000")
        colleges = []
        for u in range(20):
            uni = org(f"示范大学{u + 1}", OrgKind.SCHOOL, province, f"41330{u:05d}")
            colleges += [(uni, org(f"学院{c + 1}", OrgKind.DEPARTMENT, uni)) for c in range(5)]
        users = User.objects.bulk_create([User(username=f"g{i}", real_name=f"毕业生{i}", password="!")
                                          for i in range(graduates)], batch_size=5000)
        records = []
        for i, user in enumerate(users):
            uni, college = colleges[i % len(colleges)]
            records.append(GraduateRecord(user=user, school=uni, college=college, org_path=college.path,
                                          student_number=f"{YEAR - 4}{i:08d}", major_name=rng.choice(MAJORS),
                                          degree_level=rng.choice(list(DegreeLevel.values)), graduation_year=YEAR))
        records = GraduateRecord.objects.bulk_create(records, batch_size=5000)
        entries = []
        for record in records:
            if rng.random() > 0.7:
                continue
            first = now - timedelta(days=rng.randint(1, 26 * 7))
            category = rng.choice(["10", "11", "12", "80", "85", "76", "70", "71"])
            second = rng.random() < 0.1
            entries.append(DestinationRecord(record=record, category=category, recorded_at=first,
                                             region_code=rng.choice(["330100", "310100", "110100", ""]),
                                             current=not second))
            if second:
                entries.append(DestinationRecord(record=record, category=rng.choice(["11", "70"]), current=True,
                                                 recorded_at=first + (now - first) / 2))
        DestinationRecord.objects.bulk_create(entries, batch_size=5000)
    return province, colleges[0][0], len(entries)


def dashboard(org) -> None:
    from zhijiao.employment.hiring import selectors

    selectors.progress(org, YEAR, "unit")  # what the page computes: one call for all its figures


def timed(org, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        dashboard(org)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graduates", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with throwaway_database("progress"):
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        province, school, entries = build(args.graduates)
        print(f"{database_label()}, {machine()}: built {args.graduates:,} graduates and {entries:,} destination "
              f"entries in {time.perf_counter() - started:.0f} s")
        ok = report("province dashboard p95", percentile(timed(province, args.repeat), 0.95), PROVINCE_TARGET_MS,
                    "ms", higher_is_better=False)
        ok &= report("university dashboard p95", percentile(timed(school, args.repeat), 0.95), SCHOOL_TARGET_MS,
                     "ms", higher_is_better=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
