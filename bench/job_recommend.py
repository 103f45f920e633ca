"""Top-20 job recommendations for one graduate among 1,000,000 open jobs, with reasons: p95 ≤ 100 ms.

    .venv/bin/python bench/job_recommend.py [--jobs 1000000] [--graduates 1000000] [--samples 1000]

Each sample is what the recommendations page does for a graduate: read their record, intention and résumé
(bulk graduates have no résumé, so the sample gives each the skills of their major's job family, as a
résumé would), probe the job index for candidates, score them and build the reasons of the top 20.
Data: bench/_jobs_corpus.py (built once into /tmp, shared with job_search.py and job_push.py).
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

P95_MS = 100


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--graduates", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=1000)
    args = parser.parse_args()
    record = _jobs_corpus.environment(args.jobs, args.graduates)
    from zhijiao.employment.matching import bulk, recommend, scoring
    from zhijiao.employment.models import GraduateRecord
    from zhijiao.identity.models import User
    from zhijiao.resources.models import Major

    print(f"machine: {machine()}; database: {database_label()}; open jobs: {args.jobs:,}")
    print(_jobs_corpus.describe(record))
    rng = random.Random(11)
    top = GraduateRecord.objects.order_by("-user_id").values_list("user_id", flat=True).first() or 0
    ids = sorted({rng.randint(1, top) for _ in range(args.samples * 2)})
    records = dict(GraduateRecord.objects.filter(user_id__in=ids).values_list("user_id", "major__parent__code"))
    users = User.objects.in_bulk(list(records))
    families = {cls: fam for fam in bulk.FAMILIES for cls in fam[2]}
    skills = {code: scoring.resume_terms(fam[4][:4], "".join(fam[5])) for code, fam in families.items()}
    fallback = scoring.resume_terms(["沟通", "Office"], "")
    samples, counts, reasons = [], [], 0
    chosen = [users[u] for u in list(records)[:args.samples] if u in users]
    assert Major.objects.exists()

    def once(user):
        profile = recommend.profile_for(user)
        profile.terms = skills.get(records[user.pk], fallback)
        return recommend.recommend(profile)

    for user in chosen[:30]:  # warm up
        once(user)
    for user in chosen:
        started = time.perf_counter()
        found = once(user)
        samples.append((time.perf_counter() - started) * 1000)
        counts.append(len(found))
        reasons += sum(1 for r in found if r.reasons)
    print(f"graduates: {len(samples)}; median {percentile(samples, 0.5):.1f} ms; "
          f"recommendations per graduate: median {sorted(counts)[len(counts) // 2]}; with reasons: {reasons:,}")
    ok = report("top-20 recommendations p95", percentile(samples, 0.95), P95_MS, "ms", higher_is_better=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
