"""zj simulate-learning: honest learners and injected cheaters, with ground-truth labels, into the LRS."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from zhijiao.monitoring.detection.management.commands._options import add_simulation_arguments, params_from
from zhijiao.monitoring.detection.simulate import simulate


class Command(BaseCommand):
    help = "Simulate learners (honest and cheating) and store their learning records, with labels."

    def add_arguments(self, parser):
        add_simulation_arguments(parser, seed=1)
        parser.add_argument("--into", choices=["lrs", "events"], default="lrs",
                            help="lrs: xAPI statements through the LRS (default); events: detection event rows "
                                 "directly (large benchmark data)")

    def handle(self, *args, **options):
        params = params_from(options)
        started = time.perf_counter()
        sim = simulate(params, into=options["into"])
        cheaters = sum(1 for x in sim.learners if x.scenario != "honest")
        self.stdout.write(f"simulation {params.run}: {len(sim.learners)} accounts ({cheaters} cheating), "
                          f"{params.days} days, {len(sim.world.out)} statements into {options['into']} "
                          f"in {time.perf_counter() - started:.1f} s; labels in SimulatedLabel(run={params.run!r})")
