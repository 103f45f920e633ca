"""Options shared by ``zj simulate-learning`` and ``zj evaluate-detectors``."""

from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError

from zhijiao.monitoring.detection.simulate import DEFAULT_SHARES, SCENARIOS, Params


def add_simulation_arguments(parser, *, seed: int) -> None:
    parser.add_argument("--accounts", type=int, default=300, help="simulated learner accounts")
    parser.add_argument("--days", type=int, default=8, help="days simulated")
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--start", default="2026-03-02", help="first day (YYYY-MM-DD)")
    parser.add_argument("--universities", type=int, default=8)
    parser.add_argument("--share", action="append", default=[], metavar="SCENARIO=SHARE",
                        help=f"share of accounts per cheating scenario ({', '.join(SCENARIOS)}); repeatable")
    parser.add_argument("--run", default="", help="label of the simulation (default sim<seed>)")


def params_from(options) -> Params:
    shares = dict(DEFAULT_SHARES)
    for item in options["share"]:
        name, _, value = item.partition("=")
        if name not in SCENARIOS:
            raise CommandError(f"Unknown scenario {name!r}; choose from {', '.join(SCENARIOS)}.")
        try:
            shares[name] = float(value)
        except ValueError as exc:
            raise CommandError(f"The share of {name} must be a number.") from exc
        if not 0 <= shares[name] <= 0.5:
            raise CommandError(f"The share of {name} must be between 0 and 0.5.")
    if options["accounts"] < 20 or options["days"] < 1:
        raise CommandError("Simulate at least 20 accounts and one day.")
    try:
        start = date.fromisoformat(options["start"])
    except ValueError as exc:
        raise CommandError("--start must be a date like 2026-03-02.") from exc
    return Params(accounts=options["accounts"], days=options["days"], seed=options["seed"], start=start,
                  shares=shares, universities=options["universities"], run=options["run"])
