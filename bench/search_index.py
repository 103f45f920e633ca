"""Search indexing: rebuild the index of N published resources from scratch (target ≤ 10 minutes for
1,000,000, scaled down linearly for smaller N), and publish-to-findable / takedown-to-gone on the full
index (target ≤ 5 s each: the time from the status change's commit, through the index callback the
services run on commit, until a search shows the change).

    .venv/bin/python bench/search_index.py [--resources 1000000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import database_label, machine, report, throwaway_database

FULL_TARGET_S = 600
FINDABLE_TARGET_S = 5


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=1_000_000)
    args = parser.parse_args()
    with throwaway_database("search-index"):
        import django

        django.setup()
        from django.db import transaction
        from django.utils import timezone

        import _search_corpus
        from zhijiao.core import search as core_search
        from zhijiao.resources import search
        from zhijiao.resources.models import Resource, Status

        print(f"machine: {machine()}; database: {database_label()}; resources: {args.resources:,}")
        built = _search_corpus.build(args.resources)
        print(f"created {built['resources']:,} resources in {built['create_seconds']:.0f} s")
        started = time.monotonic()
        indexed = search.reindex_all()
        seconds = time.monotonic() - started
        print(f"reindexed {indexed:,} in {seconds:.0f} s ({indexed / seconds:,.0f} a second)")
        target = FULL_TARGET_S * args.resources / 1_000_000
        ok = report(f"index {args.resources:,} from scratch", seconds, target, "s", higher_is_better=False)

        resource = Resource.objects.filter(status=Status.PUBLISHED).order_by("pk").first()
        unique = "量子纠缠演示实验"
        Resource.objects.filter(pk=resource.pk).update(title=f"{unique} 微课", status=Status.DRAFT)
        search.remove_resource(resource.pk)

        def until(predicate) -> float:
            begun = time.monotonic()
            while not predicate():
                time.sleep(0.01)
            return time.monotonic() - begun

        def visible() -> bool:
            return any(h.object_id == str(resource.pk) for h in core_search.search(search.KIND, unique).hits)

        begun = time.monotonic()
        with transaction.atomic():
            Resource.objects.filter(pk=resource.pk).update(status=Status.PUBLISHED, published_at=timezone.now())
            transaction.on_commit(lambda: search.index_resource(resource.pk))
        until(visible)
        publish = time.monotonic() - begun
        begun = time.monotonic()
        with transaction.atomic():
            Resource.objects.filter(pk=resource.pk).update(status=Status.TAKEN_DOWN)
            transaction.on_commit(lambda: search.remove_resource(resource.pk))
        until(lambda: not visible())
        takedown = time.monotonic() - begun
        ok &= report("publish to findable", publish, FINDABLE_TARGET_S, "s", higher_is_better=False)
        ok &= report("takedown to gone", takedown, FINDABLE_TARGET_S, "s", higher_is_better=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
