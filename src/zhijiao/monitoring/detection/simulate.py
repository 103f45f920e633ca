"""``zj simulate-learning``: simulated universities, learners and credit courses, honest learners with human
rhythms and injected cheaters of every kind, with ground-truth labels (``SimulatedLabel``).

Everything follows from the seed: the same parameters give the same statements. The simulation produces raw
events (one tuple per statement, ``RAW`` fields) and then either stores them in the LRS as xAPI statements
(``into="lrs"``: ``records.services.store_statements``, exactly as a connected platform's statements arrive;
the detection ingest then extracts them) or writes the detection event rows directly (``into="events"``: the
rows ``events.extract`` would make from those statements, for large benchmark data where millions of
statements through the LRS would take hours). docs/monitoring.md, "Simulation", describes the behaviours.
"""

from __future__ import annotations

import math
import random
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import transaction

from zhijiao.identity.models import Membership, Organisation, OrgKind, Role, User
from zhijiao.identity.services import create_organisation
from zhijiao.monitoring.detection import events, geo, vocab
from zhijiao.monitoring.detection.models import SimulatedLabel
from zhijiao.monitoring.models import MisconductKind
from zhijiao.records.models import Credential
from zhijiao.records.services import hash_secret, store_statements

# scenario → misconduct kind
SCENARIOS = {
    "bot": MisconductKind.BRUSHING, "multi_tab": MisconductKind.BRUSHING, "fast_progress": MisconductKind.BRUSHING,
    "end_jump": MisconductKind.BRUSHING, "script_farm": MisconductKind.BRUSHING,
    "operator": MisconductKind.PROXY_STUDY, "takeover": MisconductKind.PROXY_STUDY,
    "exam_script": MisconductKind.EXAM_SCRIPTING, "copy_ring": MisconductKind.EXAM_SCRIPTING,
    "cameo": MisconductKind.EXAM_SCRIPTING, "proxy_exam": MisconductKind.PROXY_EXAM,
}
DEFAULT_SHARES = {"bot": 0.01, "multi_tab": 0.01, "fast_progress": 0.01, "end_jump": 0.01, "script_farm": 0.02,
                  "operator": 0.03, "takeover": 0.01, "exam_script": 0.01, "copy_ring": 0.015, "cameo": 0.01,
                  "proxy_exam": 0.015}
# Smallest group a scenario needs (a farm, an operator's clientele, a ring, a pair).
GROUP = {"script_farm": (5, 9), "operator": (8, 20), "copy_ring": (3, 6), "cameo": (2, 2)}

AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.47",
    "Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 Chrome/118.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; 22081212C) AppleWebKit/537.36 Chrome/116.0 Mobile Safari/537.36 XWEB",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0 Edg/122.0",
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
]
SPEEDS = ([1.0, 1.25, 1.5, 1.75, 2.0], [0.45, 0.15, 0.25, 0.05, 0.10])
RESPONSES = "abcd"

# The raw event: everything a statement says that the detectors read.
RAW = ("ts", "user", "verb", "kind", "obj", "course", "session", "device", "ip", "ua", "platform", "speed", "time",
       "aux", "dur", "length", "chars", "success", "response")


@dataclass
class Params:
    accounts: int = 300
    days: int = 8
    seed: int = 1
    start: date = date(2026, 3, 2)
    shares: dict = field(default_factory=lambda: dict(DEFAULT_SHARES))
    universities: int = 8
    courses: int = 6
    platforms: int = 2
    run: str = ""
    heartbeat: float = 30.0

    def __post_init__(self):
        self.run = self.run or f"sim{self.seed}"


@dataclass
class Course:
    key: str
    name: str
    videos: list  # (id, length)
    quiz: list  # (id, chars, key)
    exam: list
    exam_id: str
    quiz_id: str
    deadline: int  # day index
    exam_day: int


@dataclass
class University:
    org: Organisation
    region: str
    campus_ips: list
    platform: int  # organisation id of the platform its credit courses come from (0: ours)


@dataclass
class Learner:
    index: int
    user_id: int
    uni: University
    region: str
    devices: list  # (device id, user agent)
    dorm_ip: str
    courses: list
    wake: float
    sleep: float
    study_p: float
    speeds: list
    ability: float
    traits: set = field(default_factory=set)
    scenario: str = "honest"
    active_days: list = field(default_factory=list)
    # Shared state of a group (farm script, operator, ring key, cameo partner).
    group: dict | None = None
    # The last moment of anything this learner did: a new stretch of study starts after it.
    busy: float = 0.0

    def after(self, t: float) -> float:
        return max(t, self.busy + 60)


class World:
    """The simulated universities, courses and learners of one run, and the event stream they make."""

    def __init__(self, params: Params):
        self.p = params
        self.rng = random.Random(params.seed)
        self.out: list[tuple] = []
        self.host = 1000
        self.zone = events.local_zone()
        self.regions = list(geo.REGIONS)

    # --- places and devices ---------------------------------------------------------------------------

    def address(self, region: str) -> str:
        self.host += 1
        return geo.stand_in_address(region, self.host)

    def mobile_ip(self, region: str, rng) -> str:
        # Carrier-grade NAT: a few dozen addresses per region, shared by everybody on mobile data there.
        return geo.stand_in_address(region, 60000 + rng.randrange(24))

    def new_device(self, rng) -> tuple[str, str]:
        return (uuid.UUID(int=rng.getrandbits(128)).hex, rng.choice(AGENTS))

    def moment(self, day: int, hours: float) -> float:
        base = datetime.combine(self.p.start + timedelta(days=day), datetime.min.time(), tzinfo=self.zone)
        return base.timestamp() + hours * 3600

    # --- the emitted stream -------------------------------------------------------------------------

    def emit(self, ts, who: Learner, verb, kind, obj, course, place, *, session="", speed=0.0, time=0.0, aux=0.0,
             dur=0.0, length=0.0, chars=0.0, success=-1, response=None):
        device, ua, ip = place
        if ts > who.busy:
            who.busy = ts
        self.out.append((ts, who.user_id, verb, kind, obj, course, session, device, ip, ua, who.uni.platform, speed,
                         time, aux, dur, length, chars, success, response))

    def session_id(self, rng) -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    # --- behaviours ---------------------------------------------------------------------------------

    def watch(self, who, t, course, video, place, rng, *, speed, pause_rate=0.5, pause_median=20.0, seek_p=0.2,
              back_p=0.15, abandon_p=0.06, rate=None, start_at=0.0, plan=None, hb=None, pause_uniform=None,
              complete_at_end=False):
        """One player session. ``rate`` (playhead seconds per second) lets a script move the playhead faster
        than the declared ``speed``; ``plan`` is a script's fixed list of (playhead, action, value);
        ``complete_at_end`` is a platform that counts reaching the end as completing the video."""
        hb = hb or self.p.heartbeat
        vid, length = video
        session = self.session_id(rng)
        kw = {"session": session, "length": length}
        V = vocab.KIND_VIDEO
        self.emit(t, who, vocab.INITIALIZED, V, vid, course.key, place, **kw)
        t += rng.uniform(0.5, 3.0)
        p, played = start_at, 0.0
        self.emit(t, who, vocab.PLAYED, V, vid, course.key, place, speed=speed, time=p, **kw)
        advance = rate or speed
        steps = list(plan) if plan else None
        while True:
            if steps and p + hb * advance >= steps[0][0]:
                at, action, value = steps.pop(0)
                dt = max((at - p) / advance, 0.2)
                t += dt
                played += at - p
                p = at
                if action == "pause":
                    self.emit(t, who, vocab.PAUSED, V, vid, course.key, place, time=p, aux=min(played / length, 1), **kw)
                    t += value
                    self.emit(t, who, vocab.PLAYED, V, vid, course.key, place, speed=speed, time=p, **kw)
                else:
                    self.emit(t, who, vocab.SEEKED, V, vid, course.key, place, time=value, aux=p, **kw)
                    p = value
                continue
            if not steps and rng.random() < pause_rate * hb / 600:
                u = rng.uniform(1, hb)
                t += u
                p = min(p + u * advance, length)
                played += u * advance
                self.emit(t, who, vocab.PAUSED, V, vid, course.key, place, time=p, aux=min(played / length, 1), **kw)
                if pause_uniform:
                    t += rng.uniform(*pause_uniform)
                else:
                    t += min(rng.lognormvariate(math.log(pause_median), 1.4), 5400)
                self.emit(t, who, vocab.PLAYED, V, vid, course.key, place, speed=speed, time=p, **kw)
                continue
            if not steps and rng.random() < seek_p * hb / length * 2 and p < length - 200:
                to = p + rng.uniform(30, 120)
                t += rng.uniform(1, hb)
                self.emit(t, who, vocab.SEEKED, V, vid, course.key, place, time=to, aux=p, **kw)
                p = to
                continue
            if not steps and rng.random() < back_p * hb / length * 2 and p > 90:
                to = p - rng.uniform(10, 60)
                t += rng.uniform(1, hb)
                self.emit(t, who, vocab.SEEKED, V, vid, course.key, place, time=to, aux=p, **kw)
                p = to
                continue
            t += hb
            p += hb * advance
            played += hb * advance
            if p >= length:
                t -= (p - length) / advance
                p = length
                progress = min(played / length, 1.0)
                if progress >= 0.9 or complete_at_end:
                    self.emit(t, who, vocab.COMPLETED, V, vid, course.key, place, time=p, aux=progress,
                              dur=played / advance, **kw)
                self.emit(t, who, vocab.PAUSED, V, vid, course.key, place, time=p, aux=progress, **kw)
                break
            self.emit(t, who, vocab.PROGRESSED, V, vid, course.key, place, speed=speed, time=p,
                      aux=min(played / length, 1), **kw)
            if not steps and rng.random() < abandon_p * hb / length:
                break
        t += rng.uniform(1, 8)
        self.emit(t, who, vocab.TERMINATED, V, vid, course.key, place, time=p, aux=min(played / length, 1), **kw)
        return t

    def quiz(self, who, t, course, place, rng, *, seconds, ability, retry_p=0.5, reveal_p=0.0, items=None):
        """A practice exercise: attempted, then answered per item (wrong answers sometimes tried again)."""
        Q = vocab.KIND_QUESTION
        self.emit(t, who, vocab.ATTEMPTED, vocab.KIND_OTHER, course.quiz_id, course.key, place)
        right = 0
        for item, chars, key in items or course.quiz:
            for attempt in range(3):
                took = seconds(chars)
                t += took
                ok = rng.random() < (ability if attempt == 0 else 0.85)
                if attempt == 0 and reveal_p and rng.random() < reveal_p:
                    self.emit(t, who, vocab.ANSWER_REVEALED, Q, item, course.key, place, chars=chars)
                    t += rng.uniform(2, 8)
                    ok = True
                response = key if ok else rng.choice([c for c in RESPONSES if c != key])
                self.emit(t, who, vocab.ANSWERED, Q, item, course.key, place, dur=took, chars=chars,
                          success=int(ok), response=response)
                if ok:
                    right += attempt == 0
                    break
                if rng.random() > retry_p:
                    break
        t += rng.uniform(1, 5)
        self.emit(t, who, vocab.COMPLETED, vocab.KIND_OTHER, course.quiz_id, course.key, place, success=1)
        return t

    def exam(self, who, t, course, place, rng, *, seconds, answer, reauth_fail=0, reauth_resolved=True,
             flags=(), session=None):
        """An exam session: started, re-authentication, answers, proctoring flags, completion."""
        E = vocab.KIND_EXAM
        session = session or self.session_id(rng)
        kw = {"session": session}
        self.emit(t, who, vocab.EXAM_STARTED, E, course.exam_id, course.key, place, **kw)
        t += rng.uniform(5, 20)
        for _k in range(reauth_fail):
            self.emit(t, who, vocab.REAUTH_FAILED, E, course.exam_id, course.key, place, **kw)
            t += rng.uniform(10, 40)
        if reauth_resolved:
            self.emit(t, who, vocab.REAUTH_PASSED, E, course.exam_id, course.key, place, **kw)
        right = 0
        flag_at = {int(len(course.exam) * (k + 1) / (len(flags) + 1)): s for k, s in enumerate(flags)}
        for n, (item, chars, key) in enumerate(course.exam):
            took = seconds(chars)
            t += took
            response = answer(n, item, key)
            ok = response == key
            right += ok
            self.emit(t, who, vocab.ANSWERED, E, item, course.key, place, dur=took, chars=chars, success=int(ok),
                      response=response, **kw)
            if n in flag_at:
                self.emit(t + 1, who, vocab.SNAPSHOT_FLAGGED, E, course.exam_id, course.key, place,
                          chars=flag_at[n], **kw)
        t += rng.uniform(5, 30)
        passed = right / len(course.exam) >= 0.6
        self.emit(t, who, vocab.PASSED if passed else vocab.FAILED, E, course.exam_id, course.key, place,
                  success=int(passed), **kw)
        return t

    def reading_seconds(self, rng, fast=False):
        if fast:
            return lambda chars: rng.uniform(0.3, 1.2)
        cps = rng.uniform(4, 9)
        return lambda chars: chars / cps + min(rng.lognormvariate(math.log(8), 0.8), 300)


def _setup(params: Params, world: World):
    rng = world.rng
    root = Organisation.objects.filter(kind=OrgKind.NATION, parent=None).order_by("pk").first()
    if root is None:
        root = create_organisation(None, name="中华人民共和国", kind=OrgKind.NATION, parent=None)
    province = create_organisation(None, name=f"模拟省 {params.run}", kind=OrgKind.PROVINCE, parent=root)
    platforms = []
    for k in range(params.platforms):
        org = create_organisation(None, name=f"模拟学分课程平台 {k + 1} ({params.run})", kind=OrgKind.PLATFORM,
                                  parent=province)
        Credential.objects.create(key=secrets.token_hex(10), secret_hash=hash_secret(secrets.token_urlsafe(32)),
                                  name=f"{org.name} LRS", organisation=org, scopes=["write"])
        platforms.append(org.pk)
    unis = []
    for k in range(params.universities):
        org = create_organisation(None, name=f"模拟大学 {k + 1} ({params.run})", kind=OrgKind.SCHOOL, parent=province)
        region = world.regions[k % len(world.regions)]
        platform = platforms[k % len(platforms)] if platforms and k % 3 != 0 else 0
        unis.append(University(org, region, [world.address(region) for _ in range(3)], platform))
    courses = []
    base = f"https://sim.zhijiao.cn/{params.run}"
    for c in range(params.courses):
        key = f"{base}/courses/{c + 1}"
        videos = [(f"{key}/videos/{v + 1}", float(rng.randrange(300, 1500))) for v in range(rng.randrange(12, 20))]
        quiz = [(f"{key}/quiz/{q + 1}", float(rng.randrange(40, 300)), rng.choice(RESPONSES)) for q in range(20)]
        exam = [(f"{key}/exam/{q + 1}", float(rng.randrange(60, 400)), rng.choice(RESPONSES)) for q in range(25)]
        deadline = rng.randrange(max(params.days - 3, 0), params.days)
        courses.append(Course(key, f"模拟课程 {c + 1}", videos, quiz, exam, f"{key}/exam", f"{key}/quiz", deadline,
                              exam_day=params.days - 1))
    return unis, courses, platforms


def _users(params: Params, unis: list[University], rng) -> list[tuple[User, University]]:
    users = [User(username=f"{params.run}-{i:07d}", real_name=f"模拟学生{i}", password="!")
             for i in range(params.accounts)]
    User.objects.bulk_create(users, batch_size=2000)
    if any(u.pk is None for u in users):
        by_name = dict(User.objects.filter(username__startswith=f"{params.run}-").values_list("username", "pk"))
        for u in users:
            u.pk = u.id = by_name[u.username]
    placed = [(u, unis[rng.randrange(len(unis))]) for u in users]
    Membership.objects.bulk_create(
        [Membership(user=u, organisation=uni.org, role=Role.LEARNER, org_path=uni.org.path) for u, uni in placed],
        batch_size=2000)
    return placed


def _learner(world: World, index: int, user: User, uni: University, courses, rng) -> Learner:
    devices = [world.new_device(rng) for _ in range(rng.choice([1, 2, 2, 3]))]
    return Learner(
        index=index, user_id=user.pk, uni=uni, region=uni.region, devices=devices,
        dorm_ip=world.address(uni.region), courses=rng.sample(courses, min(2, len(courses))),
        wake=min(max(rng.gauss(7.5, 1.0), 5.5), 10), sleep=min(max(rng.gauss(23.5, 1.0), 21.5), 26),
        study_p=rng.uniform(0.5, 0.95), speeds=rng.choices(*SPEEDS, k=1) + rng.choices(*SPEEDS, k=2),
        ability=rng.uniform(0.5, 0.95))


def _assign_scenarios(params: Params, learners: list[Learner], rng) -> None:
    pool = list(range(len(learners)))
    rng.shuffle(pool)
    for scenario, share in params.shares.items():
        if share <= 0:
            continue
        low, high = GROUP.get(scenario, (1, 1))
        want = max(int(round(share * len(learners))), low)
        taken = 0
        while taken < want and len(pool) >= low:
            size = min(rng.randint(low, high), want - taken) if high > 1 else 1
            size = max(size, low)
            members = [learners[pool.pop()] for _ in range(min(size, len(pool)))]
            group: dict = {"members": members}
            for m in members:
                m.scenario = scenario
                m.group = group
            taken += len(members)
    honest = [x for x in learners if x.scenario == "honest"]
    for x in honest:
        r = rng.random()
        if r < 0.15:
            x.traits.add("binge")
        elif r < 0.2:
            x.traits.add("new_phone")
        elif r < 0.25:
            x.traits.add("traveller")
        if rng.random() < 0.1:
            x.traits.add("lab_exam")
    # Families: two learners of different universities share one laptop.
    for a, b in zip(honest[0:40:2], honest[1:40:2], strict=False):
        if a.uni is not b.uni and rng.random() < 0.5:
            b.devices[0] = a.devices[0]
            a.traits.add("family")
            b.traits.add("family")


class Simulation:
    def __init__(self, params: Params):
        self.p = params
        self.world = World(params)
        self.labels: list[SimulatedLabel] = []

    def build(self) -> None:
        rng = self.world.rng
        with transaction.atomic():
            self.unis, self.courses, self.platforms = _setup(self.p, self.world)
            placed = _users(self.p, self.unis, rng)
        self.learners = [_learner(self.world, k, u, uni, self.courses, rng) for k, (u, uni) in enumerate(placed)]
        _assign_scenarios(self.p, self.learners, rng)
        for x in self.learners:
            x.active_days = self._active_days(x, rng)

    def _active_days(self, x: Learner, rng) -> list[int]:
        days = self.p.days
        if x.scenario == "takeover":
            return list(range(min(5, days - 1) if days > 1 else 0, days))
        if x.scenario in ("exam_script", "copy_ring", "cameo", "proxy_exam"):
            return [days - 1]
        if x.scenario == "honest":
            return []
        first = rng.randrange(0, max(days - 1, 1))
        return list(range(first, days))

    # --- per learner and day -------------------------------------------------------------------------

    def place(self, x: Learner, rng, *, on_campus=None, region=None):
        device, ua = x.devices[0] if rng.random() < 0.6 else rng.choice(x.devices)
        region = region or x.region
        if region != x.region:
            ip = self.world.mobile_ip(region, rng) if rng.random() < 0.5 else self.world.address(region)
            return (device, ua, ip)
        roll = rng.random() if on_campus is None else (0.0 if on_campus else 0.99)
        if roll < 0.45:
            ip = rng.choice(x.uni.campus_ips)
        elif roll < 0.75:
            ip = x.dorm_ip
        else:
            ip = self.world.mobile_ip(region, rng)
        return (device, ua, ip)

    def honest_day(self, x: Learner, day: int, rng, *, place=None, hours=None, exam=True):
        w = self.world
        weekend = (self.p.start + timedelta(days=day)).weekday() >= 5
        binge_course = next((c for c in x.courses if "binge" in x.traits and c.deadline == day + 1), None)
        if binge_course is None and rng.random() > x.study_p * (0.6 if weekend else 1.0):
            return
        if "new_phone" in x.traits and day == self.p.days // 2:
            x.devices[0] = w.new_device(rng)
        region = x.region
        if "traveller" in x.traits and day >= self.p.days // 2:
            region = rng.choice(w.regions)
        blocks = 1 + min(int(rng.expovariate(0.8)), 3)
        starts = sorted(rng.uniform(x.wake + 0.5, x.sleep - 1.0) for _ in range(blocks))
        if hours is not None:
            starts = sorted(rng.uniform(*hours) for _ in range(blocks))
        end_of_last = -1.0
        for start in starts:
            t = x.after(max(w.moment(day, start), end_of_last + 600))
            pl = place or self.place(x, rng, region=region)
            end_of_last = self.block(x, t, pl, rng, videos=1 + min(int(rng.expovariate(0.45)), 6))
        if binge_course is not None:
            # The night before the deadline: hours of videos at 1.5–2×, short breaks, to bed at 2–3 am.
            t = x.after(max(w.moment(day, 20 + rng.random()), end_of_last + 600))
            pl = place or self.place(x, rng, on_campus=False)
            until = w.moment(day, 26 + rng.random())
            while t < until:
                video = rng.choice(binge_course.videos)
                t = w.watch(x, t, binge_course, video, pl, rng, speed=rng.choice([1.5, 1.75, 2.0]), pause_rate=0.3)
                t += min(rng.lognormvariate(math.log(30), 1.2), 1800)
        if exam and day == self.p.days - 1 and rng.random() < 0.8:
            course = x.courses[0]
            pl = self.place(x, rng)
            if "lab_exam" in x.traits:
                pl = (w.new_device(rng)[0], AGENTS[0], rng.choice(x.uni.campus_ips))
            flags = (rng.uniform(0.55, 0.8),) if rng.random() < 0.03 else ()
            t = x.after(w.moment(day, rng.uniform(9, 20)))
            w.exam(x, t, course, pl, rng, seconds=w.reading_seconds(rng),
                   answer=lambda n, item, key: key if rng.random() < x.ability else rng.choice(RESPONSES),
                   reauth_fail=1 if rng.random() < 0.05 else 0, flags=flags)

    def block(self, x: Learner, t: float, place, rng, *, videos: int, speed=None) -> float:
        w = self.world
        course = rng.choice(x.courses)
        w.emit(t, x, vocab.LOGGED_IN, vocab.KIND_OTHER, f"{course.key}/login", course.key, place)
        t += rng.uniform(5, 60)
        first = rng.randrange(len(course.videos))
        for k in range(videos):
            video = course.videos[(first + k) % len(course.videos)]
            t = w.watch(x, t, course, video, place, rng, speed=speed or rng.choice(x.speeds))
            t += min(rng.lognormvariate(math.log(40), 1.3), 3600)
        if rng.random() < 0.35:
            t = w.quiz(x, t, course, place, rng, seconds=w.reading_seconds(rng), ability=x.ability)
        return t

    def cheat_day(self, x: Learner, day: int, rng) -> None:
        w = self.world
        s = x.scenario
        g = x.group
        if s == "bot":
            device = g.setdefault("device", w.new_device(rng))
            pl = (device[0], device[1], x.dorm_ip)
            long_run = g.setdefault("long", rng.random() < 0.7)
            pauses = g.setdefault("pauses", 0.6 if rng.random() < 0.7 else 0.0)
            start = rng.uniform(0, 1.5) if long_run else rng.uniform(7, 10)
            until = w.moment(day, 23.9 if long_run else start + rng.uniform(12, 16))
            t = x.after(w.moment(day, start))
            course = x.courses[0]
            k = 0
            while t < until:
                video = course.videos[k % len(course.videos)]
                k += 1
                t = w.watch(x, t, course, video, pl, rng, speed=round(rng.uniform(1.0, 2.0), 2), pause_rate=pauses,
                            seek_p=0, back_p=0, abandon_p=0, pause_uniform=(5, 40))
                t += rng.uniform(3, 30)
        elif s == "multi_tab":
            pl = self.place(x, rng)
            t0 = x.after(w.moment(day, rng.uniform(x.wake + 1, x.sleep - 5)))
            course = x.courses[0]
            tabs = rng.randint(3, 5)
            for tab in range(tabs):
                t = t0 + tab * rng.uniform(5, 40)
                until = t0 + rng.uniform(2, 5) * 3600
                k = tab * 3
                while t < until:
                    t = w.watch(x, t, course, course.videos[k % len(course.videos)], pl, rng,
                                speed=rng.choice(x.speeds), pause_rate=0.1)
                    k += 1
                    t += rng.uniform(2, 20)
        elif s == "fast_progress":
            pl = self.place(x, rng)
            course = x.courses[0]
            t = x.after(w.moment(day, rng.uniform(x.wake + 1, x.sleep - 3)))
            # A speed-up plug-in: some report the rate they force, others keep reporting 1×.
            declared = g.setdefault("declared", rng.random() < 0.5)
            for k in range(rng.randint(6, 15)):
                rate = rng.uniform(3, 8)
                t = w.watch(x, t, course, course.videos[k % len(course.videos)], pl, rng,
                            speed=round(rate, 2) if declared else 1.0, rate=rate, pause_rate=0.2)
                t += min(rng.lognormvariate(math.log(30), 1.0), 1200)
        elif s == "end_jump":
            pl = self.place(x, rng)
            course = x.courses[0]
            t = x.after(w.moment(day, rng.uniform(x.wake + 1, x.sleep - 3)))
            for k in range(rng.randint(5, 15)):
                vid, length = course.videos[k % len(course.videos)]
                jump_at = rng.uniform(10, 60)
                t = w.watch(x, t, course, (vid, length), pl, rng, speed=1.0, seek_p=0, back_p=0, pause_rate=0,
                            plan=[(jump_at, "seek", length - rng.uniform(0.5, 5))], complete_at_end=True)
                t += min(rng.lognormvariate(math.log(20), 1.0), 900)
        elif s == "script_farm":
            if "script" not in g:
                course = x.courses[0]
                script = []
                for video in course.videos[:rng.randint(8, 12)]:
                    length = video[1]
                    marks = sorted(rng.uniform(30, length - 60) for _ in range(rng.randint(2, 4)))
                    plan = []
                    for m in marks:
                        if rng.random() < 0.7:
                            plan.append((m, "pause", rng.uniform(5, 60)))
                        else:
                            plan.append((m, "seek", min(m + rng.uniform(30, 90), length - 10)))
                    script.append((video, plan, rng.uniform(3, 40)))
                g["script"], g["course"], g["speed"] = script, course, rng.choice([1.25, 1.5])
            pl = self.place(x, rng)
            t = x.after(w.moment(day, rng.uniform(8, 18)))
            for video, plan, gap in g["script"]:
                jittered = [(at + rng.uniform(-2, 2), a, v * rng.uniform(0.92, 1.08) if a == "pause" else v)
                            for at, a, v in plan]
                t = w.watch(x, t, g["course"], video, pl, rng, speed=g["speed"], plan=jittered)
                t += gap * rng.uniform(0.92, 1.08)
        elif s == "operator":
            if "devices" not in g:
                g["region"] = rng.choice(w.regions)
                g["devices"] = [w.new_device(rng) for _ in range(rng.randint(2, 5))]
                g["ips"] = [w.address(g["region"]) for _ in range(rng.randint(3, 8))]
                # Accounts come from several universities.
                for m in g["members"]:
                    m.uni = rng.choice(self.unis) if rng.random() < 0.7 else m.uni
            device, ua = rng.choice(g["devices"])
            pl = (device, ua, rng.choice(g["ips"]))
            start = rng.uniform(9, 21)
            self.block(x, x.after(w.moment(day, start)), pl, rng, videos=rng.randint(3, 8),
                       speed=rng.choice([1.5, 2.0]))
            if rng.random() < 0.4:
                # The account's owner looks in from home, while the operator is at work.
                own = self.place(x, rng)
                course = x.courses[0]
                for dt in (0.3, 0.9):
                    w.emit(w.moment(day, start + dt), x, vocab.LOGGED_IN, vocab.KIND_OTHER, f"{course.key}/login",
                           course.key, own)
        elif s == "takeover":
            if "device" not in g:
                g["device"] = w.new_device(rng)
                g["region"] = rng.choice(w.regions)
                g["ip"] = w.address(g["region"])
            pl = (g["device"][0], g["device"][1], g["ip"])
            # Someone else, on another device and often elsewhere, studies for the account at night.
            t = x.after(w.moment(day, rng.uniform(0.3, 1.5)))
            for _k in range(rng.randint(1, 3)):
                t = self.block(x, t, pl, rng, videos=rng.randint(2, 5)) + rng.uniform(600, 3600)

    def exam_cheat(self, x: Learner, day: int, rng) -> None:
        w = self.world
        s, g = x.scenario, x.group
        course = x.courses[0]
        pl = self.place(x, rng)
        if s == "exam_script":
            t = w.moment(day, rng.uniform(9, 20))
            w.exam(x, t, course, pl, rng, seconds=w.reading_seconds(rng, fast=True),
                   answer=lambda n, item, key: key if rng.random() < 0.95 else rng.choice(RESPONSES))
            if rng.random() < 0.5:
                w.quiz(x, t + 3600, course, pl, rng, seconds=w.reading_seconds(rng, fast=True), ability=0.95,
                       retry_p=0)
        elif s == "copy_ring":
            if "key" not in g:
                g["course"] = course
                g["t"] = w.moment(day, rng.uniform(9, 18))
                g["answers"] = [k if rng.random() < 0.75 else rng.choice([c for c in RESPONSES if c != k])
                                for _i, _c, k in course.exam]
                g["key"] = True
            t = g["t"] + rng.uniform(0, 3600)
            answers = g["answers"]
            w.exam(x, t, g["course"], pl, rng, seconds=w.reading_seconds(rng),
                   answer=lambda n, item, key: answers[n] if rng.random() < 0.97 else rng.choice(RESPONSES))
        elif s == "cameo":
            members = g["members"]
            harvester = members[0]
            if "t" not in g:
                g["t"] = w.moment(day, rng.uniform(9, 17))
                g["course"] = harvester.courses[0]
            course = g["course"]
            if x is harvester:
                w.quiz(x, g["t"], course, pl, rng, seconds=w.reading_seconds(rng), ability=0.3, retry_p=1.0,
                       reveal_p=0.3)
            else:
                lag = rng.uniform(120, 5400)
                w.quiz(x, g["t"] + lag + 400, course, pl, rng, seconds=lambda c: rng.uniform(4, 15), ability=1.0,
                       retry_p=0)
        elif s == "proxy_exam":
            substitute = (w.new_device(rng)[0], rng.choice(AGENTS),
                          w.address(rng.choice(w.regions)) if rng.random() < 0.6 else rng.choice(x.uni.campus_ips))
            t = w.moment(day, rng.uniform(9, 19))
            signals = {k for k in ("reauth", "concurrent", "snapshot") if rng.random() < {"reauth": 0.7,
                       "concurrent": 0.3, "snapshot": 0.6}[k]}
            if not signals and substitute[2] in x.uni.campus_ips:
                signals.add(rng.choice(["reauth", "snapshot"]))
            fails = rng.randint(1, 3) if "reauth" in signals else 0
            flags = tuple(rng.uniform(0.15, 0.45) for _ in range(rng.randint(1, 3))) if "snapshot" in signals else ()
            w.exam(x, t, course, substitute, rng, seconds=w.reading_seconds(rng),
                   answer=lambda n, item, key: key if rng.random() < 0.9 else rng.choice(RESPONSES),
                   reauth_fail=fails, reauth_resolved=fails == 0, flags=flags)
            if "concurrent" in signals:
                w.exam(x, t + rng.uniform(60, 300), course, pl, rng, seconds=w.reading_seconds(rng),
                       answer=lambda n, item, key: key if rng.random() < x.ability else rng.choice(RESPONSES))

    def generate(self) -> None:
        for x in self.learners:
            rng = random.Random(self.p.seed * 1_000_003 + x.index)
            for day in range(self.p.days):
                if x.scenario == "honest" or day not in x.active_days:
                    self.honest_day(x, day, rng)
                    continue
                if x.scenario in ("takeover",):
                    self.cheat_day(x, day, rng)
                    continue
                if x.scenario in ("exam_script", "copy_ring", "cameo", "proxy_exam"):
                    if x.scenario != "cameo":
                        self.honest_day(x, day, rng, exam=False)
                    self.exam_cheat(x, day, rng)
                    continue
                if x.scenario == "operator" or rng.random() < 0.3:
                    self.cheat_day(x, day, rng)
                    continue
                self.honest_day(x, day, rng)
                self.cheat_day(x, day, rng)
            self.labels.append(SimulatedLabel(
                run=self.p.run, user_id=x.user_id, kind=SCENARIOS.get(x.scenario, "honest"),
                scenario=x.scenario if x.scenario != "honest" else "honest:" + ",".join(sorted(x.traits)),
                days=[(self.p.start + timedelta(days=d)).isoformat() for d in x.active_days]))
        # Memberships follow the operator's reassignment of universities.
        for x in self.learners:
            if x.scenario == "operator":
                Membership.objects.filter(user_id=x.user_id, role=Role.LEARNER).update(
                    organisation=x.uni.org, org_path=x.uni.org.path)
        SimulatedLabel.objects.bulk_create(self.labels, batch_size=2000)

    # --- sinks --------------------------------------------------------------------------------------

    def records(self):
        return records(self.world.out)

    def write_events(self) -> int:
        return events.write(self.records())

    def statements(self):
        """(platform organisation id, statement) for every raw event, in time order."""
        home = settings.ZJ_PUBLIC_URL
        names = {c.key: c.name for c in self.courses}
        for n, e in enumerate(sorted(self.world.out, key=lambda e: e[0])):
            ts, user, verb, kind, obj, course, session, device, ip, ua, platform, speed, time, aux, dur, length, \
                chars, success, response = e
            context_ext = {vocab.EXT_DEVICE: device, vocab.EXT_CLIENT_IP: ip, vocab.EXT_USER_AGENT: ua}
            result_ext = {}
            result: dict = {}
            if kind == vocab.KIND_VIDEO:
                context_ext[vocab.EXT_SESSION] = session
                context_ext[vocab.EXT_LENGTH] = length
                if speed:
                    context_ext[vocab.EXT_SPEED] = f"{speed:g}x"
                if verb == vocab.SEEKED:
                    result_ext = {vocab.EXT_TIME_FROM: round(aux, 3), vocab.EXT_TIME_TO: round(time, 3)}
                elif verb != vocab.INITIALIZED:
                    result_ext = {vocab.EXT_TIME: round(time, 3)}
                    if verb != vocab.PLAYED:
                        result_ext[vocab.EXT_PROGRESS] = round(aux, 3)
            if kind == vocab.KIND_EXAM:
                context_ext[vocab.EXT_EXAM_SESSION] = session
            if chars:
                key = vocab.EXT_SNAPSHOT_SIMILARITY if verb == vocab.SNAPSHOT_FLAGGED else vocab.EXT_ITEM_CHARS
                context_ext[key] = round(chars, 3)
            if success >= 0:
                result["success"] = bool(success)
            if response:
                result["response"] = response
            if dur:
                result["duration"] = f"PT{round(dur, 2):.2f}S"
            if result_ext:
                result["extensions"] = result_ext
            otype = {vocab.KIND_VIDEO: vocab.VIDEO_TYPE, vocab.KIND_QUESTION: vocab.QUESTION_TYPE,
                     vocab.KIND_EXAM: vocab.EXAM_TYPE}.get(kind, vocab.ASSESSMENT_TYPE)
            if kind == vocab.KIND_EXAM and verb == vocab.ANSWERED:
                otype = vocab.QUESTION_TYPE
            statement = {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.p.run}/{n}")),
                "actor": {"objectType": "Agent", "account": {"homePage": home, "name": str(user)}},
                "verb": {"id": vocab.IRI_OF[verb]},
                "object": {"objectType": "Activity", "id": obj, "definition": {"type": otype}},
                "context": {"contextActivities": {"grouping": [{"id": course, "definition": {
                    "type": vocab.COURSE_TYPE, "name": {"zh-CN": names.get(course, course)}}}]},
                    "extensions": context_ext},
                "timestamp": datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            }
            if result:
                statement["result"] = result
            yield platform, statement

    def store(self, batch: int = 500) -> int:
        """Store every statement in the LRS, in batches per reporting platform, as its credential would."""
        credentials = {c.organisation_id: c for c in Credential.objects.filter(organisation_id__in=self.platforms)}
        pending: dict[int, list] = {}
        stored = 0

        def flush(platform):
            nonlocal stored
            rows = pending.pop(platform, [])
            if not rows:
                return
            credential = credentials.get(platform)
            name = f"lrs:{credential.key}" if credential else "lrs:zhijiao"
            authority = {"objectType": "Agent", "account": {"homePage": settings.ZJ_PUBLIC_URL, "name": name}}
            store_statements(rows, authority=authority, credential_id=credential.pk if credential else None)
            stored += len(rows)

        for platform, statement in self.statements():
            pending.setdefault(platform, []).append(statement)
            if len(pending[platform]) >= batch:
                flush(platform)
        for platform in list(pending):
            flush(platform)
        return stored


def records(raw: list[tuple]):
    """Raw events as event-table records: what ``events.extract`` makes of the statements they become."""
    cache: dict[str, int] = {}

    def d(text):
        value = cache.get(text)
        if value is None:
            value = cache[text] = events.digest(text)
        return value

    seq = -1
    for e in raw:
        ts, user, verb, kind, obj, course, session, device, ip, ua, platform, speed, time, aux, dur, length, \
            chars, success, response = e
        values = events.Extracted((
            round(ts, 3), seq, d(course), d(obj), d(session), d(device), d(ip), d(ua),
            d(response) if response else 0, user, platform, events.ipnet(ip), speed, time, aux, round(dur, 2),
            length, chars, geo.region_number(ip), verb, kind, success))
        values.course_text, values.object_text = course, obj
        seq -= 1
        yield values


def simulate(params: Params, *, into: str = "lrs") -> Simulation:
    sim = Simulation(params)
    sim.build()
    sim.generate()
    if into == "lrs":
        sim.store()
    elif into == "events":
        sim.write_events()
    return sim
