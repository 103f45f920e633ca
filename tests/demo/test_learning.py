"""The learning simulator: believable rhythms and behaviour, valid statements, the same output for a seed."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date, datetime
from statistics import correlation, mean
from zoneinfo import ZoneInfo

import pytest

from zhijiao.demo import learning
from zhijiao.demo.learning import Learner, day_kind, demo_catalogue, simulate_learning
from zhijiao.records.models import Statement

ZONE = ZoneInfo("Asia/Shanghai")
# A school year: autumn term, winter vacation with 春节 2026 (17 February), spring term, summer vacation.
YEAR_END = date(2026, 8, 31)


def synthetic_learners(count: int, seed: int = 5) -> list[Learner]:
    rng = random.Random(seed)
    learners = []
    for k in range(count):
        diligence = rng.betavariate(2.2, 2.4)
        learners.append(Learner(
            user_id=k + 1, actor={"objectType": "Agent", "account": {"homePage": "http://testserver", "name": str(k + 1)}},
            visitor=f"visitor{k:015d}", diligence=diligence, ability=rng.gauss(0, 0.9), evening=rng.uniform(19, 21),
            usage=rng.uniform(0.4, 1.0)))
    return learners


def run(statements: int, *, seed: int = 11, days: int = 365, learners: int = 60) -> tuple[list[dict], list[Learner]]:
    out: list[dict] = []
    people = synthetic_learners(learners)
    simulate_learning(statements, seed=seed, days=days, end=YEAR_END, learners=people,
                      catalogue=demo_catalogue(random.Random(seed)), write=lambda batch, authority: out.extend(batch))
    return out, people


@pytest.fixture(scope="module")
def year():
    return run(150_000)


def local(statement: dict) -> datetime:
    return datetime.fromisoformat(statement["timestamp"].replace("Z", "+00:00")).astimezone(ZONE)


def verb(statement: dict) -> str:
    return statement["verb"]["id"].rsplit("/", 1)[1]


def test_the_same_seed_writes_the_same_statements_and_another_seed_does_not():
    first, _ = run(3000, seed=3, days=30)
    again, _ = run(3000, seed=3, days=30)
    other, _ = run(3000, seed=4, days=30)
    assert first == again
    assert [s["id"] for s in first] != [s["id"] for s in other]


def test_about_the_number_asked_for_is_written(year):
    statements, _ = year
    assert 0.95 * 150_000 <= len(statements) <= 1.05 * 150_000
    assert len({s["id"] for s in statements}) == len(statements)


def test_school_days_are_busy_in_the_evening_and_weekends_in_the_morning_and_afternoon(year):
    statements, _ = year
    school_hours, weekend_hours = Counter(), Counter()
    for s in statements:
        if verb(s) != "viewed":
            continue
        moment = local(s)
        kind = day_kind(moment.date())
        if kind.name == "school":
            school_hours[moment.hour] += 1
        elif kind.name == "weekend":
            weekend_hours[moment.hour] += 1
    school_total, weekend_total = sum(school_hours.values()), sum(weekend_hours.values())
    evening = sum(n for hour, n in school_hours.items() if 18 <= hour <= 22)
    assert evening / school_total > 0.8  # after school and homework
    assert sum(n for hour, n in school_hours.items() if 9 <= hour <= 15) / school_total < 0.1  # in class
    daytime = sum(n for hour, n in weekend_hours.items() if 8 <= hour <= 17)
    assert daytime / weekend_total > 0.5


def test_holidays_are_quieter_than_term_and_spring_festival_week_is_quietest(year):
    statements, _ = year
    per_day = Counter(local(s).date() for s in statements if verb(s) == "viewed")
    by_kind = defaultdict(list)
    day = date(2025, 9, 1)
    while day <= YEAR_END:
        by_kind[day_kind(day).name].append(per_day.get(day, 0))
        day = date.fromordinal(day.toordinal() + 1)
    school, vacation, festival = mean(by_kind["school"]), mean(by_kind["vacation"]), mean(by_kind["festival"])
    assert vacation < 0.6 * school
    assert festival < 0.5 * vacation
    assert mean(by_kind["holiday"]) < 0.6 * school  # 国庆 week, 劳动节
    assert day_kind(date(2026, 2, 17)).name == "festival" and day_kind(date(2025, 10, 3)).name == "holiday"
    assert day_kind(date(2026, 7, 20)).name == "vacation" and day_kind(date(2026, 3, 11)).name == "school"


def test_videos_are_paused_seeked_both_ways_completed_and_sometimes_abandoned(year):
    statements, _ = year
    verbs = Counter(verb(s) for s in statements)
    assert verbs["paused"] > verbs["initialized"] * 0.5
    assert verbs["progressed"] > verbs["initialized"]  # heartbeats while playing
    seeks = [s["result"]["extensions"] for s in statements if verb(s) == "seeked"]
    back = sum(e[learning.EXT_TO] < e[learning.EXT_FROM] for e in seeks)
    assert 0.2 < back / len(seeks) < 0.9
    sessions = defaultdict(list)
    for s in statements:
        session = s["context"]["extensions"].get(learning.EXT_SESSION)
        if session:
            sessions[session].append(verb(s))
    completed = sum("completed" in v for v in sessions.values())
    abandoned = sum("completed" not in v for v in sessions.values())
    assert completed > 0.2 * len(sessions) and abandoned > 0.1 * len(sessions)
    assert all(v[0] == "initialized" and v[-1] == "terminated" for v in sessions.values())


def test_progress_is_the_union_of_played_segments_and_heartbeats_keep_a_30_second_rhythm(year):
    statements, _ = year
    last_beat: dict[str, datetime] = {}
    gaps = []
    for s in statements[:20000]:
        ext = (s.get("result") or {}).get("extensions") or {}
        if learning.EXT_SEGMENTS in ext:
            length = s["context"]["extensions"][learning.EXT_LENGTH]
            segments = [[float(x) for x in part.split("[.]")] for part in ext[learning.EXT_SEGMENTS].split("[,]") if part]
            expected = round(min(1.0, learning._covered(segments) / length), 3)
            assert ext[learning.EXT_PROGRESS] == pytest.approx(expected, abs=0.002)
        session = s["context"]["extensions"].get(learning.EXT_SESSION)
        if verb(s) == "progressed":
            if session in last_beat:
                gaps.append((local(s) - last_beat[session]).total_seconds())
            last_beat[session] = local(s)
        elif verb(s) in ("paused", "terminated"):
            last_beat.pop(session, None)
    assert gaps and Counter(round(g) for g in gaps).most_common(1)[0][0] == learning.HEARTBEAT_SECONDS


def test_exercise_scores_follow_ability(year):
    statements, learners = year
    ability = {learner.actor["account"]["name"]: learner.ability for learner in learners}
    scores = defaultdict(list)
    for s in statements:
        if verb(s) == "completed" and "score" in s.get("result", {}):
            scores[s["actor"]["account"]["name"]].append(s["result"]["score"]["scaled"])
    names = [name for name in scores if len(scores[name]) >= 3]
    assert len(names) > 20
    assert correlation([ability[n] for n in names], [mean(scores[n]) for n in names]) > 0.4
    outcomes = Counter(verb(s) for s in statements if verb(s) in ("passed", "failed"))
    assert outcomes["passed"] and outcomes["failed"]


def test_diligent_learners_study_more(year):
    statements, learners = year
    per_learner = Counter(s["actor"]["account"]["name"] for s in statements)
    keen = [per_learner[lr.actor["account"]["name"]] / lr.usage for lr in learners if lr.diligence > 0.6]
    idle = [per_learner[lr.actor["account"]["name"]] / lr.usage for lr in learners if lr.diligence < 0.3]
    assert mean(keen) > 1.5 * mean(idle)


def test_demo_catalogue_is_resources_with_video_exercises_and_documents():
    catalogue = demo_catalogue(random.Random(1))
    kinds = Counter(a.kind for a in catalogue)
    assert kinds["video"] > kinds["exercise"] > kinds["document"] > 0
    assert all(a.id.startswith("http") and "/resources/" in a.id for a in catalogue)


@pytest.mark.django_db
def test_statements_pass_the_lrs_and_name_the_tree_s_learners(people):
    summary = simulate_learning(400, seed=2, days=20, end=date(2026, 3, 27))
    stored = Statement.objects.all()
    assert summary.statements == stored.count() > 100
    assert set(stored.values_list("user_id", flat=True)) <= {people["pupil_a"].pk, people["pupil_b"].pk}
    assert None not in set(stored.values_list("user_id", flat=True))
    authority = stored.first().data["authority"]
    assert authority["account"]["name"] == "lrs:demo-simulator"
