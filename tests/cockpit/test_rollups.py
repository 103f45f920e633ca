"""The rollup processor: what a learner's statements add up to, at every level of the tree."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from tests.cockpit.conftest import ADL, VEXT, VIDEO, VIEWED, local, resource_iri, segments
from zhijiao.cockpit import services
from zhijiao.cockpit.models import Grain, LearnerActivityDay, OrgPeriod, ResourcePeriod, RollupGap, RollupState

DAY = "2026-03-02"


def org_figures(org, day=DAY, grain=Grain.DAY) -> dict:
    start = date.fromisoformat(day)
    if grain == Grain.MONTH:
        start = start.replace(day=1)
    row = OrgPeriod.objects.filter(organisation=org, grain=grain, start=start).values().first()
    return row or {}


def test_video_seconds_count_each_second_once_even_when_replayed(tree, people, statements):
    pupil, video = people["pupil_a"], resource_iri(7)
    statements.add(pupil, VIDEO + "played", video, local(DAY, 9, 0))
    statements.add(pupil, VIDEO + "paused", video, local(DAY, 9, 1),
                   result={"extensions": {VEXT + "played-segments": segments((0, 60))}},
                   extensions={VEXT + "length": 300})
    # Seeks back and watches 30-90 again: only 60-90 is new.
    statements.add(pupil, VIDEO + "paused", video, local(DAY, 9, 3),
                   result={"extensions": {VEXT + "played-segments": segments((0, 60), (30, 90)),
                                          VEXT + "progress": 0.3}})
    services.catch_up()
    row = LearnerActivityDay.objects.get(user=pupil)
    assert row.video_ms == 90_000
    assert row.progress == 0.3 and row.video_length_ms == 300_000
    assert row.time_ms == 180_000  # 9:00 → 9:03, gaps under the idle cap
    for org in (tree.class_a, tree.school_a, tree.county_a, tree.city, tree.province, tree.nation):
        assert org_figures(org)["video_ms"] == 90_000
        assert org_figures(org)["active_learners"] == 1
    assert org_figures(tree.county_b) == {}


def test_time_on_task_caps_long_gaps(tree, people, statements):
    pupil, page = people["pupil_a"], resource_iri(8)
    statements.add(pupil, VIEWED, page, local(DAY, 8, 0))
    statements.add(pupil, VIEWED, page, local(DAY, 8, 2))
    statements.add(pupil, VIEWED, page, local(DAY, 14, 0))  # six hours later: counts as five minutes
    services.catch_up()
    assert LearnerActivityDay.objects.get(user=pupil).time_ms == (120 + 300) * 1000


def test_page_views_visitors_completions_and_scores(tree, people, statements):
    pupil_a, pupil_b = people["pupil_a"], people["pupil_b"]
    res = resource_iri(3)
    statements.add(pupil_a, VIEWED, res, local(DAY, 9), visitor="v-a", board="jichu")
    statements.add(pupil_a, VIEWED, res, local(DAY, 10), visitor="v-a", board="jichu")
    statements.add(pupil_b, VIEWED, res, local(DAY, 9), visitor="v-b", board="jichu")
    statements.add(None, VIEWED, res, local(DAY, 11), visitor="v-anon", board="jichu")
    statements.add(pupil_a, ADL + "completed", res, local(DAY, 10, 5), visitor="v-a")
    statements.add(pupil_a, ADL + "answered", res, local(DAY, 10, 6), result={"score": {"scaled": 0.8}}, visitor="v-a")
    statements.add(pupil_a, ADL + "answered", res, local(DAY, 10, 7), result={"score": {"raw": 4, "min": 0, "max": 10}},
                   visitor="v-a")
    services.catch_up()
    nation, county_a, county_b = org_figures(tree.nation), org_figures(tree.county_a), org_figures(tree.county_b)
    assert (nation["page_views"], nation["visitors"], nation["active_learners"]) == (4, 3, 2)
    assert (county_a["page_views"], county_a["visitors"], county_a["active_learners"]) == (2, 1, 1)
    assert (county_b["page_views"], county_b["visitors"]) == (1, 1)
    assert county_a["completions"] == 1 and county_a["attempts"] == 2
    row = LearnerActivityDay.objects.get(user=pupil_a)
    assert row.score_count == 2 and abs(row.score_sum - 1.2) < 1e-9 and row.score_max == 0.8
    platform = ResourcePeriod.objects.get(resource_id=3, organisation=tree.nation, grain=Grain.DAY)
    assert (platform.views, platform.learners, platform.completions) == (4, 2, 1)
    school_b = ResourcePeriod.objects.get(resource_id=3, organisation=tree.school_b, grain=Grain.DAY)
    assert (school_b.views, school_b.learners) == (1, 1)
    month = org_figures(tree.nation, grain=Grain.MONTH)
    assert month["page_views"] == 4


def test_a_visitor_who_signs_in_later_moves_to_their_school(tree, people, statements):
    pupil_b, page = people["pupil_b"], resource_iri(4)
    statements.add(None, VIEWED, page, local(DAY, 9), visitor="shared")
    services.catch_up()
    assert org_figures(tree.nation)["visitors"] == 1 and org_figures(tree.school_b) == {}
    statements.add(pupil_b, VIEWED, page, local(DAY, 10), visitor="shared")
    services.catch_up()
    assert org_figures(tree.nation)["visitors"] == 1
    assert org_figures(tree.school_b)["visitors"] == 1


def test_running_again_counts_nothing_twice(tree, people, statements):
    pupil = people["pupil_a"]
    statements.add(pupil, VIEWED, resource_iri(1), local(DAY), visitor="v")
    services.catch_up()
    before = org_figures(tree.nation)
    assert services.catch_up().counted == 0
    assert org_figures(tree.nation) == before


def test_a_late_commit_below_the_watermark_is_counted_once(tree, people, statements):
    pupil = people["pupil_a"]
    statements.add(pupil, VIEWED, resource_iri(1), local(DAY, 9), seq=1)
    statements.add(pupil, VIEWED, resource_iri(1), local(DAY, 9, 1), seq=3)
    services.catch_up()
    assert org_figures(tree.nation)["page_views"] == 2
    assert list(RollupGap.objects.values_list("seq", flat=True)) == [2]
    # The transaction holding seq 2 commits after the pass went by.
    statements.add(pupil, VIEWED, resource_iri(1), local(DAY, 9, 2), seq=2)
    result = services.catch_up()
    assert result.gaps_filled == 1
    assert org_figures(tree.nation)["page_views"] == 3
    assert not RollupGap.objects.exists()
    services.catch_up()
    assert org_figures(tree.nation)["page_views"] == 3


def test_a_gap_that_never_fills_is_forgotten_after_the_grace_period(tree, people, statements, settings):
    pupil = people["pupil_a"]
    statements.add(pupil, VIEWED, resource_iri(1), local(DAY), seq=1)
    statements.add(pupil, VIEWED, resource_iri(1), local(DAY), seq=5)
    services.catch_up()
    assert RollupGap.objects.count() == 3
    RollupGap.objects.update(noticed_at=timezone.now() - timedelta(seconds=settings.ZJ_COCKPIT_GAP_GRACE_SECONDS + 1))
    assert services.catch_up().gaps_open == 0
    assert RollupState.objects.get().high_seq == 5


def test_voiding_takes_the_statement_out_of_every_rollup(tree, people, statements):
    pupil, res = people["pupil_a"], resource_iri(2)
    statements.add(pupil, VIEWED, res, local(DAY, 9))
    completed = statements.add(pupil, ADL + "completed", res, local(DAY, 9, 10))
    services.catch_up()
    assert org_figures(tree.school_a)["completions"] == 1
    statements.void(pupil, completed, local("2026-03-05"))
    result = services.catch_up()
    assert result.days_recomputed == 1
    assert org_figures(tree.school_a)["completions"] == 0
    assert org_figures(tree.school_a, grain=Grain.MONTH)["completions"] == 0
    assert org_figures(tree.school_a)["page_views"] == 1
    assert LearnerActivityDay.objects.get(user=pupil).completions == 0


def test_days_follow_the_local_calendar(tree, people, statements):
    pupil = people["pupil_a"]
    statements.add(pupil, VIEWED, resource_iri(1), local("2026-03-02", 23, 59))
    statements.add(pupil, VIEWED, resource_iri(1), local("2026-03-03", 0, 1))
    services.catch_up()
    assert org_figures(tree.nation, "2026-03-02")["page_views"] == 1
    assert org_figures(tree.nation, "2026-03-03")["page_views"] == 1


def test_statements_replayed_through_the_lrs_do_not_change_rollups(tree, people, statements):
    from zhijiao.records.services import store_statements

    pupil, video = people["pupil_a"], resource_iri(9)
    batch = [statements.build(pupil, VIDEO + "paused", video, local(DAY, 9, m), visitor="v",
                              result={"extensions": {VEXT + "played-segments": segments((0, 40 + m))}})
             for m in range(3)]
    authority = {"objectType": "Agent", "account": {"homePage": "https://zhijiao.cn", "name": "test"}}
    store_statements([dict(s) for s in batch], authority=authority)
    services.catch_up()
    before = (org_figures(tree.nation), list(LearnerActivityDay.objects.values()))
    assert before[0]["video_ms"] == 42_000
    store_statements([dict(s) for s in batch], authority=authority)  # the same ids again: acknowledged, not stored
    store_statements([dict(batch[1])], authority=authority)
    services.catch_up()
    assert (org_figures(tree.nation), list(LearnerActivityDay.objects.values())) == before
