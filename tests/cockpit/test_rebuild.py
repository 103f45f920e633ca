"""A full rebuild gives exactly the rollups the incremental path built, whatever the order statements
were committed and counted in, with replays and voiding mixed in (property test)."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cockpit.conftest import ADL, VEXT, VIDEO, VIEWED, Statements, local, resource_iri, segments
from zhijiao.cockpit import services
from zhijiao.cockpit.models import (
    BoardPeriod,
    LearnerActivityDay,
    LearnerDay,
    OrgPeriod,
    ResourcePeriod,
    RollupGap,
    RollupState,
    VisitorDay,
)
from zhijiao.records.models import Statement, StatementKey

VERBS = [VIEWED, VIDEO + "played", VIDEO + "paused", ADL + "completed", ADL + "answered", ADL + "passed",
         ADL + "failed", "http://id.tincanapi.com/verb/rated"]
ACTIVITIES = [resource_iri(1), resource_iri(2), resource_iri(3), "https://example.org/page/other"]
DAYS = ["2026-03-01", "2026-03-02", "2026-04-01"]

statement_spec = st.fixed_dictionaries({
    "who": st.integers(0, 3),
    "verb": st.sampled_from(VERBS),
    "activity": st.sampled_from(ACTIVITIES),
    "day": st.sampled_from(DAYS),
    "minute": st.integers(0, 24 * 60 - 1),
    "segments": st.lists(st.tuples(st.integers(0, 600), st.integers(0, 600)), max_size=3),
    "score": st.sampled_from([None, 0.0, 0.25, 0.5, 1.0]),
    "progress": st.sampled_from([None, 0.125, 0.5, 1.0]),
    "visitor": st.sampled_from([None, "v1", "v2", "v3"]),
    "board": st.sampled_from([None, "jichu", "zhiye"]),
})


def snapshot() -> dict:
    def rows(model, *exclude):
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in ("id", *exclude)]
        return sorted(tuple(round(v, 9) if isinstance(v, float) else v for v in row)
                      for row in model.objects.values_list(*names))

    return {
        "lad": rows(LearnerActivityDay), "learner_day": rows(LearnerDay), "visitor": rows(VisitorDay),
        "org": [r for r in rows(OrgPeriod) if any(r[3:])],
        "resource": [r for r in rows(ResourcePeriod) if any(r[4:])],
        "board": [r for r in rows(BoardPeriod) if any(r[5:])],
    }


def reset() -> None:
    for model in (Statement, StatementKey, OrgPeriod, ResourcePeriod, BoardPeriod, LearnerActivityDay, LearnerDay,
                  VisitorDay, RollupGap, RollupState):
        model.objects.all().delete()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(specs=st.lists(statement_spec, min_size=1, max_size=40), order_seed=st.integers(0, 10_000),
       voids=st.lists(st.integers(0, 39), max_size=3))
def test_incremental_and_rebuilt_rollups_agree(tree, people, specs, order_seed, voids):
    reset()
    users = [people["pupil_a"], people["pupil_b"], people["teacher_a"], None]
    factory = Statements()
    built = []
    for spec in specs:
        result = {}
        if spec["segments"]:
            result.setdefault("extensions", {})[VEXT + "played-segments"] = segments(*spec["segments"])
        if spec["progress"] is not None:
            result.setdefault("extensions", {})[VEXT + "progress"] = spec["progress"]
        if spec["score"] is not None:
            result["score"] = {"scaled": spec["score"]}
        user = users[spec["who"]]
        built.append((user, factory.build(user, spec["verb"], spec["activity"],
                                          local(spec["day"], spec["minute"] // 60, spec["minute"] % 60),
                                          result=result or None, visitor=spec["visitor"], board=spec["board"])))
    # Commit in a shuffled order, with passes at random moments and with small chunks, so that passes see
    # gaps that fill later.
    rng = random.Random(order_seed)
    order = list(range(len(built)))
    rng.shuffle(order)
    rows = {}
    for position in order:
        user, statement = built[position]
        rows[position] = factory.write(statement, user=user, seq=position + 1)
        if rng.random() < 0.3:
            services.run_pass(limit=rng.randint(1, 5))
    services.catch_up()
    next_seq = len(built) + 1
    for target in sorted({v % len(built) for v in voids}):
        factory.void(people["sysadmin"], rows[target], local("2026-05-01"), seq=next_seq)
        next_seq += 1
        if rng.random() < 0.5:
            services.run_pass(limit=rng.randint(1, 5))
    services.catch_up()
    incremental = snapshot()
    assert services.catch_up().counted == 0
    assert snapshot() == incremental, "a second run changed the rollups"
    services.rebuild(limit=rng.randint(3, 50))
    assert snapshot() == incremental
