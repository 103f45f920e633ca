"""Search relevance: nDCG@10 over a labelled set of ≥100 queries (bench/data/relevance.json).

Each query lists graded conditions (a knowledge point, words in the title, a type, a subject, an edition
or grade); a resource's gain is that of the first grade it meets. The ideal ranking is computed from
every resource in the database, so the figure says how close the first page comes to the best possible
first page. Target: mean nDCG@10 ≥ 0.80.

    .venv/bin/python bench/search_relevance.py [--resources 100000]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import database_label, machine, report, throwaway_database

TARGET = 0.80
LABELS = Path(__file__).resolve().parent / "data" / "relevance.json"


def gain(row: dict, grades: list[dict]) -> int:
    for grade in grades:
        if "kp" in grade and grade["kp"] not in row["kp"]:
            continue
        if "title" in grade and grade["title"] not in row["title"]:
            continue
        if "kind" in grade and row["kind"] not in grade["kind"]:
            continue
        if any(key in grade and grade[key] != row[key] for key in ("subject", "grade", "edition")):
            continue
        return grade["gain"]
    return 0


def dcg(gains: list[int]) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gains[:10]))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    labelled = json.loads(LABELS.read_text(encoding="utf-8"))["queries"]
    with throwaway_database("relevance"):
        import django

        django.setup()
        import _search_corpus
        from zhijiao.resources import discovery
        from zhijiao.resources.models import Resource

        print(f"machine: {machine()}; database: {database_label()}; resources: {args.resources:,}; "
              f"queries: {len(labelled)}")
        _search_corpus.build(args.resources)
        rows = {pk: {"kp": kp, "title": title, "kind": kind, "subject": subject, "grade": grade, "edition": edition}
                for pk, kp, title, kind, subject, grade, edition in Resource.objects.values_list(
                    "pk", "knowledge_points", "title", "kind", "subject__code", "grade__number", "edition__code")}
        scores, by_note = [], defaultdict(list)
        for item in labelled:
            found = discovery.search_resources(discovery.Filters(q=item["q"], values=item.get("filters", {})),
                                               per_page=10)
            gains = [gain(rows[hit["id"]], item["grades"]) for hit in found["hits"]]
            ideal = sorted((gain(row, item["grades"]) for row in rows.values()), reverse=True)[:10]
            score = dcg(gains) / dcg(ideal) if dcg(ideal) else 1.0
            scores.append(score)
            by_note[item["note"]].append(score)
            if args.verbose:
                print(f"{score:.2f}  {item['q']} {item.get('filters', '')} {gains}")
        for note, values in sorted(by_note.items()):
            print(f"  {note}: nDCG@10 {sum(values) / len(values):.3f} over {len(values)} queries")
        mean = sum(scores) / len(scores)
        print(f"mean nDCG@10: {mean:.3f} over {len(scores)} queries")
        ok = report("relevance nDCG@10 (×100)", mean * 100, TARGET * 100, "", higher_is_better=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
