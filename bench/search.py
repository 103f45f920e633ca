"""Search over published resources: 1,000 realistic Chinese queries (single words, phrases, pinyin and
initials, with and without filters), each answered the way the search page and API answer it (ranked
page of 20, facet counts of every facet, labels, the resources' rows): p95 ≤ 50 ms, p99 ≤ 150 ms.

    .venv/bin/python bench/search.py [--resources 1000000] [--queries 1000]

Builds its own data in a throw-away database (SQLite by default; with DATABASE_URL pointing at a
PostgreSQL server, a fresh database there): the taxonomy, and N resources through the demo's bulk path
(real Resource rows, then the real search index). Prints build and index times too.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import database_label, machine, percentile, report, throwaway_database

P95_MS, P99_MS = 50, 150


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    with throwaway_database("search"):
        import django

        django.setup()
        import _search_corpus
        from zhijiao.resources import discovery

        print(f"machine: {machine()}; database: {database_label()}; resources: {args.resources:,}")
        built = _search_corpus.build(args.resources)
        print(f"built {built['resources']:,} resources in {built['create_seconds']:.0f} s, "
              f"indexed in {built['index_seconds']:.0f} s")
        workload = _search_corpus.queries(args.queries)
        for text, filters in workload[:50]:  # warm the process: jieba, caches, the database's pages
            discovery.search_resources(discovery.Filters(q=text, values=filters))
        samples, empty = [], 0
        for text, filters in workload:
            started = time.perf_counter()
            found = discovery.search_resources(discovery.Filters(q=text, values=filters))
            samples.append((time.perf_counter() - started) * 1000)
            empty += not found["hits"]
        print(f"queries: {len(samples)}; with no result: {empty}; median {percentile(samples, 0.5):.1f} ms")
        ok = report("search p95", percentile(samples, 0.95), P95_MS, "ms", higher_is_better=False)
        ok &= report("search p99", percentile(samples, 0.99), P99_MS, "ms", higher_is_better=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
