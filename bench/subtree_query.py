"""Organisation-tree reads at national scale: p95 ≤ 20 ms for each of

  (a) a page of 50 members anywhere under a random county, city or province, the way the members
      page and API fetch it (identity.selectors.members_page): the root fetched by id, then the first
      page, and separately the second page from the first page's cursor;
  (b) the number of organisations under a random city (Organisation.objects.subtree(...).count());
  (c) "is X under Y" (Organisation.is_within) for a random pair, both fetched by id; half the pairs are
      a school and one of its own ancestors, half a school and an unrelated division.

Builds a throw-away database shaped like the country: the nation, 32 provincial-level divisions, about
350 cities, 2,900 counties and 530,000 schools (real divisions of 北京, 浙江 and 贵州, the demo seed's
synthetic ones elsewhere), and two members per school (a teacher and a learner: 1.06 million
memberships). Prints build time, each figure with its target, and exits non-zero on a miss.

    .venv/bin/python bench/subtree_query.py [--schools 530000] [--queries 300] [--explain]

On SQLite by default. With DATABASE_URL pointing at a PostgreSQL server, a fresh database is created on
that server for the run and dropped afterwards.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, percentile, report, throwaway_database

TARGET_MS = 20


def build(schools: int) -> dict[str, list[int]]:
    """Write the tree and memberships; return the ids of each division level and of the schools."""
    from django.db import transaction

    from zhijiao.demo.divisions import build_divisions
    from zhijiao.demo.schools import school_code
    from zhijiao.demo.writer import BulkWriter
    from zhijiao.identity.models import OrgKind, Role

    with transaction.atomic():
        writer = BulkWriter(password_hash="!")
        tree = build_divisions(writer, synthetic=True)
        counties = tree.counties
        school_ids = []
        for i, county in enumerate(counties):
            # Spread the schools evenly, so the total is exact.
            count = (i + 1) * schools // len(counties) - i * schools // len(counties)
            for number in range(1, count + 1):
                school = writer.organisation(f"{county.name}第{number}学校", OrgKind.SCHOOL, county,
                                             school_code(county.code, number))
                school_ids.append(school.pk)
                for role, prefix in ((Role.TEACHER, "t"), (Role.LEARNER, "s")):
                    writer.membership(writer.user(f"{prefix}{school.code}", prefix), school, role)
        writer.finish()
    levels = {OrgKind.PROVINCE: [], OrgKind.CITY: [], OrgKind.COUNTY: []}
    for org in tree.by_code.values():
        levels[org.kind].append(org.pk)
    levels[OrgKind.SCHOOL] = school_ids
    return levels


def timed(samples: list[float], query, argument) -> None:
    started = time.perf_counter()
    query(argument)
    samples.append((time.perf_counter() - started) * 1000)


def measure(levels: dict[str, list[int]], queries: int, rng: random.Random, explain: bool) -> bool:
    from zhijiao.identity.models import Organisation, OrgKind
    from zhijiao.identity.selectors import members_page, members_under

    get = Organisation.objects.get
    cursors = {}

    def first_page(pk):
        page, cursors[pk] = members_page(get(pk=pk), limit=50)
        assert page

    def second_page(pk):
        page, _ = members_page(get(pk=pk), after=cursors[pk], limit=50)
        assert page

    def count_under(pk):
        assert Organisation.objects.subtree(get(pk=pk)).count() > 1

    def within(pair):
        school, other, expected = pair
        assert get(pk=school).is_within(get(pk=other)) is expected

    ancestors = {}
    for pk in rng.sample(levels[OrgKind.SCHOOL], queries):
        ancestors[pk] = get(pk=pk).ancestor_ids()[1:-1]
    divisions = levels[OrgKind.PROVINCE] + levels[OrgKind.CITY] + levels[OrgKind.COUNTY]
    pairs = []
    for n, (school, chain) in enumerate(ancestors.items()):
        if n % 2 == 0:
            pairs.append((school, rng.choice(chain), True))
        else:
            other = rng.choice([d for d in rng.sample(divisions, 8) if d not in chain])
            pairs.append((school, other, False))

    if explain:
        province = get(pk=levels[OrgKind.PROVINCE][0])
        print("Plan (a):", members_under(province)[:50].explain(), sep="\n")
        print("Plan (b):", Organisation.objects.subtree(get(pk=levels[OrgKind.CITY][0])).explain(), sep="\n")

    third = queries // 3
    roots = (rng.choices(levels[OrgKind.COUNTY], k=third) + rng.choices(levels[OrgKind.CITY], k=third)
             + rng.choices(levels[OrgKind.PROVINCE], k=queries - 2 * third))
    for warm in roots[:20]:
        first_page(warm)
    figures = {"a": [], "a2": [], "b": [], "c": []}
    for pk in roots:
        timed(figures["a"], first_page, pk)
    for pk in roots:
        if cursors[pk] is not None:
            timed(figures["a2"], second_page, pk)
    for pk in rng.choices(levels[OrgKind.CITY], k=queries):
        timed(figures["b"], count_under, pk)
    for pair in pairs:
        timed(figures["c"], within, pair)

    names = {
        "a": "(a) first 50 members under a county/city/province",
        "a2": "(a) next 50 members, from the first page's cursor",
        "b": "(b) count of organisations under a city",
        "c": "(c) is X under Y, both fetched by id",
    }
    ok = True
    for key, samples in figures.items():
        print(f"{names[key]}: {len(samples)} queries, p50 {percentile(samples, 0.5):.2f} ms, "
              f"max {max(samples):.2f} ms")
        ok &= report(f"{names[key]}, p95", percentile(samples, 0.95), TARGET_MS, "ms", higher_is_better=False)
    levels_a = {"county": figures["a"][:third], "city": figures["a"][third:2 * third],
                "province": figures["a"][2 * third:]}
    print("(a) p95 by level: " + ", ".join(f"{k} {percentile(v, 0.95):.2f} ms" for k, v in levels_a.items()))
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--schools", type=int, default=530_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--explain", action="store_true", help="print the query plans of (a) and (b)")
    args = parser.parse_args()
    with throwaway_database("subtree"):
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from zhijiao.identity.models import Membership, Organisation

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        levels = build(args.schools)
        built = time.perf_counter() - started
        print(f"Subtree queries on {connection.vendor}, {machine()}: built {Organisation.objects.count():,} "
              f"organisations and {Membership.objects.count():,} memberships in {built:.0f} s")
        return 0 if measure(levels, args.queries, random.Random(2026), args.explain) else 1


if __name__ == "__main__":
    sys.exit(main())
