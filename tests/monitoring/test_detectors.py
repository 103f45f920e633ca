"""Each detector fires on the behaviour it targets and stays silent on a matched honest learner.

The behaviours are played with the simulator's own building blocks (a player session, an exercise, an exam)
for hand-placed learners, written to the event table, and scored like any day."""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pytest

from tests.conftest import make_user, signed_in
from zhijiao.identity.models import OrgKind, Role
from zhijiao.identity.services import create_organisation
from zhijiao.monitoring.detection import events, score, vocab
from zhijiao.monitoring.detection.anomaly import IsolationForest
from zhijiao.monitoring.detection.simulate import AGENTS, Course, Learner, Params, University, World, records
from zhijiao.monitoring.models import Case, Finding

DAY0 = date(2026, 3, 2)


class Scene:
    """A few universities, one course, and learners whose day we play by hand."""

    def __init__(self, tree, seed: int = 5):
        self.world = World(Params(seed=seed, start=DAY0))
        self.rng = random.Random(seed)
        self.unis = []
        for k, region in enumerate(["33", "11", "44", "51"]):
            org = create_organisation(None, name=f"测试大学{k}", kind=OrgKind.SCHOOL, parent=tree.province)
            self.unis.append(University(org, region, [self.world.address(region) for _ in range(2)], 0))
        key = "https://sim.zhijiao.cn/test/courses/1"
        self.course = Course(
            key, "测试课程", [(f"{key}/videos/{v}", 600.0) for v in range(12)],
            [(f"{key}/quiz/{q}", 120.0, "abcd"[q % 4]) for q in range(20)],
            [(f"{key}/exam/{q}", 150.0, "abcd"[(q + 1) % 4]) for q in range(20)],
            f"{key}/exam", f"{key}/quiz", deadline=1, exam_day=1)
        self.count = 0

    def learner(self, uni: int = 0) -> Learner:
        self.count += 1
        u = self.unis[uni]
        user = make_user(f"learner{self.count}", role=Role.LEARNER, org=u.org)
        return Learner(index=self.count, user_id=user.pk, uni=u, region=u.region,
                       devices=[self.world.new_device(self.rng)], dorm_ip=self.world.address(u.region),
                       courses=[self.course], wake=7.5, sleep=23.5, study_p=1.0, speeds=[1.0], ability=0.8)

    def place(self, x: Learner, device=0):
        return (x.devices[device][0], x.devices[device][1], x.dorm_ip)

    def at(self, day: int, hours: float) -> float:
        return self.world.moment(day, hours)

    def watch_videos(self, x, t, n, *, speed=1.0, place=None, break_median=60.0, **kw):
        for k in range(n):
            t = self.world.watch(x, t, self.course, self.course.videos[k % 12], place or self.place(x), self.rng,
                                 speed=speed, **kw)
            t += min(self.rng.lognormvariate(np.log(break_median), 1.3), 3600)
        return t

    def score(self, days=(0,)) -> dict[int, set[str]]:
        events.write(records(self.world.out))
        self.world.out.clear()
        for day in days:
            score.score_day(DAY0.toordinal() + day)
        found: dict[int, set[str]] = {}
        for user_id, detector in Finding.objects.values_list("user_id", "detector"):
            found.setdefault(user_id, set()).add(detector)
        return found


@pytest.fixture
def scene(tree):
    return Scene(tree)


def test_overspeed_fires_and_the_learner_at_one_and_a_half_is_silent(scene):
    cheat, honest = scene.learner(), scene.learner()
    scene.watch_videos(cheat, scene.at(0, 9), 4, speed=3.0)
    scene.watch_videos(honest, scene.at(0, 9), 6, speed=1.5)
    found = scene.score()
    assert {"speed_limit", "progress_vs_clock"} <= found[cheat.user_id]
    assert honest.user_id not in found


def test_progress_faster_than_the_clock_fires_whatever_speed_is_declared(scene):
    cheat, honest = scene.learner(), scene.learner()
    scene.watch_videos(cheat, scene.at(0, 14), 6, speed=1.0, rate=5.0)
    scene.watch_videos(honest, scene.at(0, 14), 6, speed=2.0)
    found = scene.score()
    assert "progress_vs_clock" in found[cheat.user_id]
    assert "speed_limit" not in found[cheat.user_id]
    assert honest.user_id not in found
    evidence = Finding.objects.get(user_id=cheat.user_id, detector="progress_vs_clock").evidence
    assert evidence["timeline"][0]["event"] == "initialized" and evidence["figures"]["max_rate"] > 4


def test_several_videos_playing_at_once(scene):
    cheat, honest = scene.learner(), scene.learner()
    for tab in range(3):
        scene.watch_videos(cheat, scene.at(0, 10) + tab * 20, 4, pause_rate=0.0)
    scene.watch_videos(honest, scene.at(0, 10), 10)
    found = scene.score()
    assert "concurrent_videos" in found[cheat.user_id]
    sessions = Finding.objects.get(user_id=cheat.user_id, detector="concurrent_videos").evidence["sessions"]
    assert len(sessions) >= 3
    assert honest.user_id not in found


def _bot_day(scene, x, day, *, pauses=0.6, hours=(0.2, 23.9)):
    t, until = scene.at(day, hours[0]), scene.at(day, hours[1])
    k = 0
    while t < until:
        t = scene.world.watch(x, t, scene.course, scene.course.videos[k % 12], scene.place(x), scene.rng,
                              speed=round(scene.rng.uniform(1.0, 2.0), 2), pause_rate=pauses, seek_p=0, back_p=0,
                              abandon_p=0, pause_uniform=(5, 40))
        t += scene.rng.uniform(3, 30)
        k += 1


def test_jittered_bot_is_caught_and_the_deadline_binger_is_not(scene):
    bot, binger = scene.learner(), scene.learner()
    _bot_day(scene, bot, 0)
    # The night before a deadline: from the afternoon until half past two, at 1.5–2×, short breaks.
    scene.watch_videos(binger, scene.at(0, 14), 30, speed=1.75, break_median=40)
    found = scene.score()
    assert {"around_the_clock", "regularity"} <= found[bot.user_id]
    assert binger.user_id not in found


def test_hours_without_interaction(scene):
    bot, honest = scene.learner(), scene.learner()
    _bot_day(scene, bot, 0, pauses=0.0, hours=(9, 15))
    scene.watch_videos(honest, scene.at(0, 9), 25, break_median=30)
    found = scene.score()
    assert "no_interaction" in found[bot.user_id]
    assert honest.user_id not in found


def test_jumps_to_the_end(scene):
    cheat, honest = scene.learner(), scene.learner()
    t = scene.at(0, 15)
    for k in range(5):
        t = scene.world.watch(cheat, t, scene.course, scene.course.videos[k], scene.place(cheat), scene.rng,
                              speed=1.0, pause_rate=0, seek_p=0, back_p=0, plan=[(20.0, "seek", 598.0)],
                              complete_at_end=True) + 30
    # Skipping a known part is not jumping to the end.
    t = scene.at(0, 15)
    for k in range(5):
        t = scene.world.watch(honest, t, scene.course, scene.course.videos[k], scene.place(honest), scene.rng,
                              speed=1.0, seek_p=0, back_p=0, plan=[(100.0, "seek", 200.0)]) + 30
    found = scene.score()
    assert "end_jump" in found[cheat.user_id]
    assert honest.user_id not in found


def test_one_script_on_many_accounts(scene):
    farm = [scene.learner(k % 3) for k in range(5)]
    plans = [[(100.0 + 40 * v, "pause", 20.0), (400.0, "seek", 470.0)] for v in range(6)]
    for n, x in enumerate(farm):
        t = scene.at(0, 9 + n)
        for v, plan in enumerate(plans):
            jittered = [(at + scene.rng.uniform(-2, 2), a, val) for at, a, val in plan]
            t = scene.world.watch(x, t, scene.course, scene.course.videos[v], scene.place(x), scene.rng,
                                  speed=1.25, plan=jittered) + 10
    honest = [scene.learner(k % 3) for k in range(5)]
    for n, x in enumerate(honest):
        scene.watch_videos(x, scene.at(0, 9 + n), 6, speed=1.25)
    found = scene.score()
    assert all("shared_script" in found[x.user_id] for x in farm)
    assert all(x.user_id not in found for x in honest)
    evidence = Finding.objects.filter(user_id=farm[0].user_id, detector="shared_script").first().evidence
    assert set(evidence["accounts"]) == {x.user_id for x in farm[1:]}


def test_operator_devices_across_universities_but_not_campus_nat(scene):
    operator = [scene.learner(k % 3) for k in range(6)]
    pool = [scene.world.new_device(scene.rng) for _ in range(2)]
    addresses = [scene.world.address("61") for _ in range(3)]
    for n, x in enumerate(operator):
        t = scene.at(0, 9 + n * 2)
        for k in range(3):  # the operator takes whichever machine and proxy is free
            device, agent = pool[(n + k) % 2]
            t = scene.watch_videos(x, t, 1, speed=2.0, place=(device, agent, addresses[(n * k) % 3]))
    campus = [scene.learner(3) for _ in range(30)]
    shared = scene.unis[3].campus_ips
    for n, x in enumerate(campus):
        # Everybody on campus goes out through the same two addresses, many with the same browser.
        scene.watch_videos(x, scene.at(0, 8 + n % 12), 2, place=(x.devices[0][0], AGENTS[0], shared[n % 2]))
    found = scene.score()
    assert all("device_sharing" in found[x.user_id] for x in operator)
    assert all(x.user_id not in found for x in campus)
    evidence = Finding.objects.filter(user_id=operator[0].user_id, detector="device_sharing").first().evidence
    assert evidence["universities"] == 3 and len(evidence["accounts"]) == 5


def test_impossible_travel_but_not_a_train_ride(scene):
    cheat, traveller = scene.learner(), scene.learner()
    w = scene.world
    for k, region in enumerate(["11", "44", "11", "44"]):
        place = (cheat.devices[0][0], cheat.devices[0][1], w.address(region))
        w.emit(scene.at(0, 10 + k * 0.5), cheat, vocab.LOGGED_IN, vocab.KIND_OTHER, "x:login", scene.course.key, place)
    for region, hour in ([("11", 8), ("11", 9), ("31", 16), ("31", 18)]):
        place = (traveller.devices[0][0], traveller.devices[0][1], w.address(region))
        w.emit(scene.at(0, hour), traveller, vocab.LOGGED_IN, vocab.KIND_OTHER, "x:login", scene.course.key, place)
    found = scene.score()
    assert "impossible_travel" in found[cheat.user_id]
    logins = Finding.objects.get(user_id=cheat.user_id, detector="impossible_travel").evidence["logins"]
    assert logins[0]["ip"].endswith(".*.*") and logins[0]["region_name"]
    assert traveller.user_id not in found


def test_takeover_against_own_history_but_not_a_new_phone(scene):
    victim, new_phone = scene.learner(), scene.learner()
    for day in range(5):
        scene.watch_videos(victim, scene.at(day, 10), 4)
        scene.watch_videos(new_phone, scene.at(day, 19), 4)
    stranger = scene.world.new_device(scene.rng)
    scene.watch_videos(victim, scene.at(5, 1), 8, place=(stranger[0], stranger[1], scene.world.address("53")))
    phone = scene.world.new_device(scene.rng)
    scene.watch_videos(new_phone, scene.at(5, 19), 6, place=(phone[0], phone[1], new_phone.dorm_ip))
    found = scene.score(days=range(6))
    assert "device_rhythm_change" in found[victim.user_id]
    evidence = Finding.objects.get(user_id=victim.user_id, detector="device_rhythm_change").evidence
    assert len(evidence["hours"]) == 24 and abs(sum(evidence["history_hours"]) - 1) < 0.01
    assert new_phone.user_id not in found


def _exam(scene, x, t, *, seconds=None, answers=None, place=None, **kw):
    rng = scene.rng
    return scene.world.exam(x, t, scene.course, place or scene.place(x), rng,
                            seconds=seconds or (lambda chars: chars / 6 + rng.uniform(5, 20)),
                            answer=answers or (lambda n, item, key: key if rng.random() < 0.8 else "z"), **kw)


def test_answers_faster_than_reading(scene):
    cheat, honest = scene.learner(), scene.learner()
    _exam(scene, cheat, scene.at(0, 10), seconds=lambda chars: 0.8, answers=lambda n, item, key: key)
    _exam(scene, honest, scene.at(0, 10), answers=lambda n, item, key: key)
    found = scene.score()
    assert "answer_speed" in found[cheat.user_id]
    answers = Finding.objects.get(user_id=cheat.user_id, detector="answer_speed").evidence["answers"]
    assert answers[0]["seconds"] < answers[0]["floor"]
    assert honest.user_id not in found


def test_identical_answer_sequences(scene):
    ring = [scene.learner(k % 2) for k in range(4)]
    key = ["a" if q % 4 else "d" for q in range(20)]  # a leaked key, wrong on five items
    for n, x in enumerate(ring):
        _exam(scene, x, scene.at(0, 9) + n * 600, answers=lambda n, item, k: key[n])
    honest = [scene.learner(k % 2) for k in range(6)]
    for n, x in enumerate(honest):
        _exam(scene, x, scene.at(0, 9) + n * 600)
    found = scene.score()
    assert all("identical_answers" in found[x.user_id] for x in ring)
    assert all(x.user_id not in found for x in honest)


def test_cameo_harvester_and_master(scene):
    harvester, master = scene.learner(), scene.learner(1)
    w, rng = scene.world, scene.rng
    t = w.quiz(harvester, scene.at(0, 10), scene.course, scene.place(harvester), rng,
               seconds=lambda c: rng.uniform(10, 30), ability=0.2, retry_p=1.0, reveal_p=0.3)
    w.quiz(master, scene.at(0, 10.5), scene.course, scene.place(master), rng, seconds=lambda c: rng.uniform(4, 15),
           ability=1.0, retry_p=0)
    # Two honest classmates doing the same exercise on the same day, hours apart.
    a, b = scene.learner(), scene.learner()
    w.quiz(a, scene.at(0, 14), scene.course, scene.place(a), rng, seconds=lambda c: rng.uniform(20, 60), ability=0.6)
    w.quiz(b, scene.at(0, 20), scene.course, scene.place(b), rng, seconds=lambda c: rng.uniform(20, 60), ability=0.95)
    found = scene.score()
    assert "cameo" in found[harvester.user_id] and "cameo" in found[master.user_id]
    pairs = Finding.objects.get(user_id=master.user_id, detector="cameo").evidence["pairs"]
    assert all(p["master_at"] > p["harvester_at"] for p in pairs) and t
    assert a.user_id not in found and b.user_id not in found


def test_substitute_exam_taker(scene):
    proxy, honest = scene.learner(), scene.learner()
    for day in range(3):
        scene.watch_videos(proxy, scene.at(day, 10), 2)
        scene.watch_videos(honest, scene.at(day, 10), 2)
    stranger = scene.world.new_device(scene.rng)
    elsewhere = (stranger[0], stranger[1], scene.world.address("65"))
    t = scene.at(3, 10)
    _exam(scene, proxy, t, place=elsewhere, reauth_fail=2, reauth_resolved=False, flags=(0.3, 0.2))
    _exam(scene, proxy, t + 120, place=scene.place(proxy))
    # One failed re-authentication (bad light), then passed: nothing to see.
    _exam(scene, honest, t, reauth_fail=1, flags=(0.7,))
    found = scene.score(days=range(4))
    assert {"reauth_failed", "concurrent_exam_sessions", "new_exam_device", "snapshot_flagged"} <= found[proxy.user_id]
    assert honest.user_id not in found


def test_rerun_is_idempotent_and_findings_become_cases(scene):
    cheat = scene.learner()
    scene.watch_videos(cheat, scene.at(0, 9), 4, speed=3.0)
    scene.score()
    before = list(Finding.objects.order_by("pk").values_list("pk", "detector", "score"))
    score.score_day(DAY0.toordinal())
    assert list(Finding.objects.order_by("pk").values_list("pk", "detector", "score")) == before
    case = Case.objects.get(user_id=cheat.user_id, kind="brushing")
    assert case.course_key == scene.course.key and case.university_id == cheat.uni.org.pk
    assert set(case.findings.values_list("detector", flat=True)) == {"speed_limit", "progress_vs_clock"}
    assert case.severity == 3


def test_isolation_forest_is_deterministic_and_isolates_an_outlier():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(0, 1, size=(500, 4)), [[8, 8, 8, 8]]])
    a = IsolationForest(100, 256, seed=3).fit(X).score(X)
    b = IsolationForest(100, 256, seed=3).fit(X).score(X)
    assert np.array_equal(a, b)
    assert a.argmax() == 500 and a[500] > 0.7 and np.median(a) < 0.5


def test_detection_page_and_api_for_monitoring_staff_only(scene, tree):
    monitor = make_user("monitor", role=Role.MONITOR, org=tree.province)
    learner = scene.learner()
    scene.watch_videos(learner, scene.at(0, 9), 2, speed=3.0)
    scene.score()
    page = signed_in(monitor).get("/monitoring/detection/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "speed_limit" in text and "max_speed=2.0" in text
    assert signed_in(monitor).get("/api/v1/monitoring/detection/detectors").json()[0]["name"] == "speed_limit"
    runs = signed_in(monitor).get("/api/v1/monitoring/detection/runs").json()
    assert runs[0]["fired"]["speed_limit"] == 1
    pupil = make_user("pupil", role=Role.LEARNER, org=scene.unis[0].org)
    assert signed_in(pupil).get("/monitoring/detection/").status_code == 403
    assert signed_in(pupil).get("/api/v1/monitoring/detection/detectors").status_code == 403
