"""Job search over 1,000,000 open jobs: 1,000 queries the way the search page asks them (words, pinyin,
filters on region, industry, occupation, education, major, salary, job and employer type; the three sorts;
pages 1–3): p95 ≤ 50 ms.

    .venv/bin/python bench/job_search.py [--jobs 1000000] [--graduates 1000000] [--queries 1000] [--rebuild]

Data: bench/_jobs_corpus.py (built once into /tmp and shared with job_recommend.py and job_push.py).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _jobs_corpus
from _common import database_label, machine, percentile, report

P95_MS = 50


def workload(n: int, seed: int = 7) -> list[dict]:
    from zhijiao.employment.matching import bulk
    from zhijiao.employment.models import DegreeLevel, EmployerType, JobType
    from zhijiao.identity.models import Organisation, OrgKind
    from zhijiao.resources.models import Major, MajorLevel

    rng = random.Random(seed)
    cities = list(Organisation.objects.filter(kind=OrgKind.CITY).exclude(code="").values_list("code", flat=True))
    provinces = list(Organisation.objects.filter(kind=OrgKind.PROVINCE).exclude(code="").values_list("code", flat=True))
    classes = list(Major.objects.filter(level=MajorLevel.CLASS).values_list("pk", flat=True))
    words = [w for family in bulk.FAMILIES for w in family[3] + family[4]] + ["kaifa", "kuaiji", "jiaoshi", "hushi"]
    found = []
    for _ in range(n):
        params: dict = {}
        if rng.random() < 0.8:
            params["q"] = " ".join(rng.sample(words, rng.choice([1, 1, 1, 2])))
        for key, chance, values in (("region", 0.4, cities + provinces), ("industry", 0.15, ["I", "65", "C", "P"]),
                                    ("occupation", 0.1, ["2-02", "2-06-03", "2"]),
                                    ("education", 0.3, DegreeLevel.values), ("major", 0.15, classes),
                                    ("job_type", 0.1, JobType.values), ("employer_type", 0.1, EmployerType.values)):
            if rng.random() < chance and values:
                params[key] = str(rng.choice(values))
        if rng.random() < 0.25:
            params["salary_min"] = str(rng.choice([5000, 8000, 10000, 15000]))
        params["sort"] = rng.choice(["relevance", "relevance", "newest", "salary"])
        params["page"] = str(rng.choice([1, 1, 1, 2, 3]))
        found.append(params)
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--graduates", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    record = _jobs_corpus.environment(args.jobs, args.graduates, rebuild=args.rebuild)
    from zhijiao.employment.matching import search

    print(f"machine: {machine()}; database: {database_label()}; jobs: {args.jobs:,}")
    print(_jobs_corpus.describe(record))
    queries = workload(args.queries)
    for params in queries[:50]:  # warm up: jieba, caches, the database's pages
        search.search_jobs(search.parse_filters(params))
    samples, empty, by_sort = [], 0, {}
    for params in queries:
        started = time.perf_counter()
        result = search.search_jobs(search.parse_filters(params))
        took = (time.perf_counter() - started) * 1000
        samples.append(took)
        by_sort.setdefault(params["sort"], []).append(took)
        empty += not result.hits
    print(f"queries: {len(samples)}; with no result: {empty}; median {percentile(samples, 0.5):.1f} ms; "
          + "; ".join(f"{k} p95 {percentile(v, 0.95):.1f} ms" for k, v in sorted(by_sort.items())))
    ok = report("job search p95", percentile(samples, 0.95), P95_MS, "ms", higher_is_better=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
