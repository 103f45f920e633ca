"""zj evaluate-detectors: score a fresh simulation and print precision, recall and honest false positives."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from zhijiao.monitoring.detection.evaluate import TARGETS, evaluate
from zhijiao.monitoring.detection.management.commands._options import add_simulation_arguments, params_from


def _f(value) -> str:
    return "—" if value is None else f"{value:.3f}"


class Command(BaseCommand):
    help = "Run a fresh simulation with a seed, score it, and report precision, recall and honest FPR."

    def add_arguments(self, parser):
        add_simulation_arguments(parser, seed=7)
        parser.add_argument("--via", choices=["events", "lrs"], default="events",
                            help="events: simulated records go straight to the event table (fast); lrs: through "
                                 "the LRS and the extraction, as real statements do")

    def handle(self, *args, **options):
        params = params_from(options)
        evaluation = evaluate(params, via=options["via"])
        r = evaluation.results
        out = self.stdout.write
        out(f"seed {params.seed}, {params.accounts} accounts, {params.days} days, run {params.run} "
            f"({evaluation.seconds:.0f} s)")
        out(f"{'kind':<16}{'cheaters':>9}{'flagged':>9}{'precision':>11}{'recall':>9}")
        for kind, v in r["kinds"].items():
            out(f"{kind:<16}{v['cheaters']:>9}{v['flagged']:>9}{_f(v['precision']):>11}{_f(v['recall']):>9}")
        out(f"{'detector':<26}{'kind':<16}{'flagged':>8}{'precision':>11}{'of kind':>9}{'honest':>8}")
        for name, v in r["detectors"].items():
            out(f"{name:<26}{v['kind']:<16}{v['flagged']:>8}{_f(v['precision']):>11}{_f(v['share_of_kind']):>9}"
                f"{v['honest_flagged']:>8}")
        out(f"{'scenario':<16}{'accounts':>9}{'caught':>8}{'recall':>9}  detectors")
        for name, v in r["scenarios"].items():
            by = ", ".join(f"{d} {n}" for d, n in sorted(v["by_detector"].items()))
            out(f"{name:<16}{v['accounts']:>9}{v['caught']:>8}{_f(v['recall']):>9}  {by}")
        h = r["honest"]
        out(f"honest: {h['accounts']} accounts, {h['flagged']} flagged by a rule (FPR {_f(h['fpr'])}), "
            f"{h['anomaly_flagged']} proposed by the anomaly score; {h['by_detector']}")
        out(f"targets (precision ≥ {TARGETS['precision']}, recall ≥ {TARGETS['recall']}, honest FPR ≤ "
            f"{TARGETS['honest_fpr']}): {'met' if r['targets_met'] else 'NOT met'}")
