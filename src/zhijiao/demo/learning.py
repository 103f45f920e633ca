"""Simulated learning activity (学习行为模拟) for the demo and the benchmarks.

Pupils of the demo tree study the way pupils do: on school days in the evening after homework, on
weekends in the morning and afternoon, much less in the winter and summer vacations and hardly at all in
Spring Festival week. Each has a diligence (how often and how long they study, how often they give up on
a video) and an ability (how well they answer exercises), and each class has taken the platform up to a
different degree, so some classes are busy and others quiet (the demo learner's class is a keen one).

A study session is a few activities in a row. A video is watched the way the page tracker
(``records/static/records/tracker.js``) reports it, with the same vocabulary: viewed, initialized,
played, progressed every 30 seconds of playing, paused and resumed, seeked back to re-watch or forward
to skip, completed when 90 % has been played, terminated, or abandoned part-way. Exercises are attempted,
answered question by question with success that depends on ability and difficulty, completed with a
score, and passed or failed. Documents are viewed, read to some depth and completed when read through.

Everything is drawn from one ``random.Random(seed)`` in a fixed order, statement ids included, so the same
seed writes the same statements. They are written through the LRS's own validation and storage,
``records.services.store_statements``, in batches, with the demo simulator as their authority.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from zhijiao.identity.models import Membership, Role, User
from zhijiao.records.agents import agent_for, resource_activity_id
from zhijiao.records.services import store_statements

VIDEO = "https://w3id.org/xapi/video"
ADL = "http://adlnet.gov/expapi/verbs/"
VERB_IDS = {
    "viewed": "http://id.tincanapi.com/verb/viewed",
    "initialized": ADL + "initialized",
    "played": VIDEO + "/verbs/played",
    "paused": VIDEO + "/verbs/paused",
    "seeked": VIDEO + "/verbs/seeked",
    "progressed": ADL + "progressed",
    "completed": ADL + "completed",
    "terminated": ADL + "terminated",
    "attempted": ADL + "attempted",
    "answered": ADL + "answered",
    "passed": ADL + "passed",
    "failed": ADL + "failed",
}
VERBS = {name: {"id": iri, "display": {"en-US": name}} for name, iri in VERB_IDS.items()}
TYPE_VIDEO = VIDEO + "/activity-type/video"
TYPE_DOCUMENT = "http://id.tincanapi.com/activitytype/document"
TYPE_ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
TYPE_QUESTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
EXT_SESSION = VIDEO + "/extensions/session-id"
EXT_LENGTH = VIDEO + "/extensions/length"
EXT_THRESHOLD = VIDEO + "/extensions/completion-threshold"
EXT_TIME = VIDEO + "/extensions/time"
EXT_PROGRESS = VIDEO + "/extensions/progress"
EXT_SEGMENTS = VIDEO + "/extensions/played-segments"
EXT_FROM = VIDEO + "/extensions/time-from"
EXT_TO = VIDEO + "/extensions/time-to"
EXT_READ = "https://w3id.org/xapi/cmi5/result/extensions/progress"
EXT_VISITOR = "https://zhijiao.cn/xapi/extensions/visitor-id"
EXT_BOARD = "https://zhijiao.cn/xapi/extensions/board"

HEARTBEAT_SECONDS = 30  # as records.visitor.HEARTBEAT_SECONDS: what the tracker sends
COMPLETION_THRESHOLD = 0.9
PASS_SCORE = 0.6
BATCH = 1000
# The demo learner's class is a keen one, so the learner's and the teacher's pages have plenty to show.
SHOWCASE_USAGE = 10.0
# How many statements `zj seed` simulates unless told otherwise.
DEFAULT_STATEMENTS = {"small": 20_000, "medium": 100_000}

# 春节 (first day of the lunar year): the winter vacation and the quietest week of the year hang on it.
SPRING_FESTIVAL = {
    2020: date(2020, 1, 25), 2021: date(2021, 2, 12), 2022: date(2022, 2, 1), 2023: date(2023, 1, 22),
    2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
    2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3), 2031: date(2031, 1, 23),
    2032: date(2032, 2, 11), 2033: date(2033, 1, 31), 2034: date(2034, 2, 19), 2035: date(2035, 2, 8),
}


def simulator_authority() -> dict:
    """The authority of simulated statements, so that they can always be told apart from real ones."""
    return {"objectType": "Agent", "name": "Zhijiao demo simulator",
            "account": {"homePage": settings.ZJ_PUBLIC_URL, "name": "lrs:demo-simulator"}}


# --- The calendar ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayKind:
    name: str  # school | weekend | exam | holiday | vacation | festival
    rate: float  # how much studying happens, relative to an ordinary school day
    exercise_share: float  # share of activities that are exercises


SCHOOL = DayKind("school", 1.0, 0.25)
EXAM = DayKind("exam", 1.3, 0.45)  # the fortnight before the end of term: revision, more exercises
WEEKEND = DayKind("weekend", 0.75, 0.25)
HOLIDAY = DayKind("holiday", 0.3, 0.15)  # 元旦, 清明, 劳动节, 国庆 weeks
VACATION = DayKind("vacation", 0.35, 0.2)  # 寒假, 暑假
FESTIVAL = DayKind("festival", 0.08, 0.1)  # 春节 week


def day_kind(day: date) -> DayKind:
    """What kind of day ``day`` is for a Chinese pupil (approximately: schools set their own dates)."""
    festival = SPRING_FESTIVAL.get(day.year)
    if festival is None:  # outside the table: late January, near enough for demo data
        festival = date(day.year, 1, 28)
    if festival - timedelta(days=1) <= day <= festival + timedelta(days=6):
        return FESTIVAL
    if festival - timedelta(days=21) <= day <= festival + timedelta(days=17):
        return VACATION
    if (7, 5) <= (day.month, day.day) <= (8, 31):
        return VACATION
    if (day.month, day.day) in {(1, 1), (4, 4), (4, 5), (4, 6)} or (day.month == 5 and day.day <= 5) \
            or (day.month == 10 and day.day <= 7):
        return HOLIDAY
    if day.weekday() >= 5:
        return WEEKEND
    winter_exams = festival - timedelta(days=35) <= day < festival - timedelta(days=21)
    summer_exams = (6, 20) <= (day.month, day.day) < (7, 5)
    return EXAM if winter_exams or summer_exams else SCHOOL


# --- Learners and what they learn ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    id: str
    name: str
    kind: str  # video | document | exercise
    seconds: int = 0  # a video's length
    questions: int = 0  # an exercise's number of questions
    difficulty: float = 0.0
    board: str = ""


@dataclass
class Learner:
    user_id: int
    actor: dict
    visitor: str
    diligence: float  # 0..1: how often, how long, how rarely they give up
    ability: float  # about -2..2: exercise success
    evening: float  # preferred hour on school days, e.g. 19.5
    usage: float  # how much the learner's class uses the platform: 0 never, 1 a class that has taken it up
    next_lesson: int = 0
    resume: dict = field(default_factory=dict)  # video id -> where they left it


def demo_catalogue(rng: random.Random, count: int = 120) -> list[Activity]:
    """Lessons of a demo course library: a video per lesson, with an exercise after every second lesson and
    a reading now and then. Activity ids are resource activities (``/resources/<n>/``) numbered from
    900000, well above the ids of the few resources the demo uploads."""
    subjects = ("语文", "数学", "英语", "科学", "道德与法治")
    activities = []
    number = 900_000
    for k in range(count):
        subject = subjects[k % len(subjects)]
        lesson = k // len(subjects) + 1
        number += 1
        activities.append(Activity(resource_activity_id(number), f"{subject} 第{lesson}课 微课视频", "video",
                                   seconds=rng.randint(240, 900), board="sync-classroom"))
        if k % 2 == 1:
            number += 1
            activities.append(Activity(resource_activity_id(number), f"{subject} 第{lesson}课 课后练习", "exercise",
                                       questions=rng.randint(5, 10), difficulty=rng.gauss(0, 0.7),
                                       board="sync-classroom"))
        if k % 5 == 2:
            number += 1
            activities.append(Activity(resource_activity_id(number), f"{subject} 第{lesson}课 学习任务单", "document",
                                       board="sync-classroom"))
    return activities


CATALOGUE_RESOURCES = 400
# How the simulated pupils use each kind of published resource.
_RESOURCE_KINDS = {"video": "video", "lesson_package": "video", "exercise_set": "exercise", "document": "document",
                   "courseware": "document", "e_textbook": "document", "e_book": "document",
                   "teaching_case": "document"}


def catalogue_from_resources(rng: random.Random) -> list[Activity]:
    """The first published resources of the resource centre that pupils can watch, read or practise with
    (a few hundred: the bulk demo data publishes a million)."""
    from zhijiao.resources import selectors as resources

    rows = list(resources.published_resources().order_by("pk")
                .values_list("pk", "title", "kind", "duration_seconds")[:CATALOGUE_RESOURCES])
    boards = resources.board_codes_for([pk for pk, *_ in rows])
    activities = []
    for pk, title, kind, seconds in rows:
        use = _RESOURCE_KINDS.get(kind)
        if use is None:
            continue
        activities.append(Activity(
            resource_activity_id(pk), title, use, seconds=seconds or rng.randint(240, 900),
            questions=rng.randint(5, 10) if use == "exercise" else 0,
            difficulty=rng.gauss(0, 0.7) if use == "exercise" else 0.0,
            board=(boards.get(pk) or [""])[0]))
    return activities


def demo_learners(rng: random.Random, *, showcase_username: str = "demo_learner") -> list[Learner]:
    """Every learner of the tree, in a fixed order, with their traits drawn from ``rng``."""
    rows = list(Membership.objects.filter(role=Role.LEARNER).order_by("user_id", "organisation_id")
                .values_list("user_id", "organisation_id"))
    showcase = User.objects.filter(username=showcase_username).values_list("pk", flat=True).first()
    showcase_class = next((org for user, org in rows if user == showcase), None)
    usage: dict[int, float] = {}
    learners = []
    seen = set()
    for user_id, class_id in rows:
        if user_id in seen:
            continue
        seen.add(user_id)
        if class_id not in usage:
            usage[class_id] = SHOWCASE_USAGE if class_id == showcase_class else rng.betavariate(1.2, 1.6)
        diligence = rng.betavariate(2.2, 2.4)
        if user_id == showcase:  # the demo learner studies most days
            diligence = max(diligence, 0.8)
        learners.append(Learner(
            user_id=user_id,
            actor=agent_for(_UserRef(user_id)),
            visitor=_token(rng),
            diligence=diligence,
            ability=max(-2.5, min(2.5, rng.gauss(0.3 * (diligence - 0.5), 0.9))),
            evening=rng.uniform(18.8, 21.0),
            usage=usage[class_id] * (3 if user_id == showcase else 1),
        ))
    return learners


@dataclass(frozen=True)
class _UserRef:
    """Enough of a user for ``agent_for``, without loading a hundred thousand users."""

    pk: int


def _token(rng: random.Random) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return "".join(alphabet[rng.getrandbits(6)] for _ in range(22))


# --- Statements -----------------------------------------------------------------------------------------------


_DAY_PREFIX: dict[int, str] = {}


def _instant(epoch: float) -> str:
    """UTC ISO 8601 with milliseconds; formatted by hand because ten million strftime calls add up."""
    whole = int(epoch)
    day, rest = divmod(whole, 86400)
    prefix = _DAY_PREFIX.get(day)
    if prefix is None:
        prefix = _DAY_PREFIX[day] = time.strftime("%Y-%m-%dT", time.gmtime(whole))
    hour, rest = divmod(rest, 3600)
    minute, second = divmod(rest, 60)
    return f"{prefix}{hour:02d}:{minute:02d}:{second:02d}.{int((epoch - whole) * 1000):03d}Z"


def _uuid(rng: random.Random) -> str:
    """A version 4 UUID from ``rng`` (so the same seed gives the same ids)."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


class _Played:
    """The played segments of one player session, in the order they were played, and their text."""

    def __init__(self):
        self.segments: list[tuple[float, float]] = []
        self.text = ""

    def add(self, start: float, end: float) -> None:
        self.segments.append((start, end))
        part = f"{start:.3f}[.]{end:.3f}"
        self.text = f"{self.text}[,]{part}" if self.text else part

    def state(self, at: float, start: float | None, length: float) -> dict:
        """Result extensions at playhead ``at``, the segment under way (from ``start``) included."""
        segments, text = self.segments, self.text
        if start is not None and at > start:
            segments = [*segments, (start, at)]
            part = f"{start:.3f}[.]{at:.3f}"
            text = f"{text}[,]{part}" if text else part
        return {EXT_TIME: round(at, 3), EXT_PROGRESS: round(min(1.0, _covered(segments) / length), 3),
                EXT_SEGMENTS: text}


def _covered(segments: list[list[float]]) -> float:
    covered, reach = 0.0, 0.0
    for a, b in sorted(segments):
        if b > reach:
            covered += b - max(a, reach)
            reach = b
    return covered


class _Session:
    """One sitting of one learner: statements in time order, as the tracker would have sent them."""

    def __init__(self, sim: LearningSimulator, learner: Learner, start: float):
        self.sim, self.rng, self.learner, self.t = sim, sim.rng, learner, start
        self.out: list[dict] = []

    def emit(self, verb: str, obj: dict, result: dict | None = None, extensions: dict | None = None,
             at: float | None = None) -> None:
        context = {"platform": "Zhijiao", "language": "zh-CN",
                   "extensions": {EXT_VISITOR: self.learner.visitor}}
        if extensions:
            context["extensions"].update(extensions)
        statement = {"id": _uuid(self.rng), "actor": self.learner.actor,
                     "verb": VERBS[verb], "object": obj, "context": context,
                     "timestamp": _instant(self.t if at is None else at)}
        if result is not None:
            statement["result"] = result
        self.out.append(statement)

    def wait(self, seconds: float) -> None:
        self.t += seconds

    # Videos ---------------------------------------------------------------------------------------------

    def video(self, activity: Activity, obj: dict, board: dict) -> None:
        rng, learner = self.rng, self.learner
        length = float(activity.seconds)
        session = {EXT_SESSION: _uuid(rng), EXT_LENGTH: length, **board}
        self.emit("viewed", obj, extensions=board)
        self.wait(rng.uniform(0.5, 3))
        self.emit("initialized", obj, extensions={**session, EXT_THRESHOLD: COMPLETION_THRESHOLD})
        position = learner.resume.get(activity.id, 0.0) if rng.random() < 0.7 else 0.0
        if position >= length - 5:
            position = 0.0
        played = _Played()
        completed = False
        watched = 0.0
        self.wait(rng.uniform(0.5, 4))
        self.emit("played", obj, {"extensions": {EXT_TIME: round(position, 3)}}, session)
        start, beat = position, self.t + HEARTBEAT_SECONDS
        # Attention span in seconds of playing; diligent learners watch longer stretches.
        span = 50 + 250 * learner.diligence

        def state(at: float) -> dict:
            return played.state(at, start, length)

        def check_completion(at: float) -> None:
            nonlocal completed
            if not completed and state(at)[EXT_PROGRESS] >= COMPLETION_THRESHOLD:
                completed = True
                self.emit("completed", obj, {"completion": True, "duration": f"PT{watched:.2f}S",
                                             "extensions": state(at)}, session)

        while True:
            chunk = min(rng.expovariate(1 / span), length - position)
            # Heartbeats fall every 30 s of wall-clock time while the video plays.
            while beat <= self.t + chunk:
                self.emit("progressed", obj, {"extensions": state(position + beat - self.t)}, session, at=beat)
                beat += HEARTBEAT_SECONDS
            self.t += chunk
            watched += chunk
            position += chunk
            if position >= length - 0.01:
                position = length
                played.add(start, position)
                start = None
                self.emit("paused", obj, {"extensions": state(position)}, session)
                check_completion(position)
                break
            check_completion(position)
            roll = rng.random()
            if roll < 0.12 * (1.3 - learner.diligence):  # gives up part-way: closes the page
                played.add(start, position)
                start = None
                break
            played.add(start, position)
            if roll < 0.45:  # pause, think, take notes, get distracted
                start = None
                self.emit("paused", obj, {"extensions": state(position)}, session)
                self.wait(rng.expovariate(1 / 40) if rng.random() < 0.85 else rng.uniform(120, 900))
                if rng.random() < 0.08 * (1.2 - learner.diligence):
                    break
                self.emit("played", obj, {"extensions": {EXT_TIME: round(position, 3)}}, session)
            else:
                back = rng.random() < 0.35 + 0.4 * learner.diligence
                target = max(0.0, position - rng.uniform(5, 60)) if back else min(length - 1, position + rng.uniform(10, 120))
                self.emit("seeked", obj, {"extensions": {EXT_FROM: round(position, 3), EXT_TO: round(target, 3)}},
                          session)
                position = target
                start = position  # still playing: the heartbeat keeps its rhythm
                continue
            start, beat = position, self.t + HEARTBEAT_SECONDS  # playing again after the pause
        self.wait(rng.uniform(1, 20))
        self.emit("terminated", obj, {"extensions": state(position)}, session)
        self.learner.resume[activity.id] = 0.0 if position >= length else position

    # Exercises and documents ----------------------------------------------------------------------------

    def exercise(self, activity: Activity, obj: dict, board: dict) -> None:
        rng, learner = self.rng, self.learner
        self.emit("viewed", obj, extensions=board)
        self.wait(rng.uniform(2, 15))
        self.emit("attempted", obj, extensions=board)
        began, correct = self.t, 0
        for k in range(1, activity.questions + 1):
            spent = rng.lognormvariate(math.log(35), 0.5) * (1.3 - 0.5 * learner.diligence)
            self.wait(spent)
            chance = 1 / (1 + math.exp(-1.6 * (learner.ability - activity.difficulty - 0.1 * k + 0.8)))
            success = rng.random() < chance
            correct += success
            key = "ABCD"[(k * 7 + len(activity.name)) % 4]
            answer = key if success else rng.choice([c for c in "ABCD" if c != key])
            question = {"objectType": "Activity", "id": f"{activity.id}#q{k}",
                        "definition": {"name": {"zh-CN": f"{activity.name} 第{k}题"}, "type": TYPE_QUESTION}}
            self.emit("answered", question, {"response": answer, "success": success, "duration": f"PT{spent:.2f}S"},
                      board)
        scaled = round(correct / activity.questions, 3)
        result = {"score": {"raw": correct, "min": 0, "max": activity.questions, "scaled": scaled},
                  "success": scaled >= PASS_SCORE, "completion": True, "duration": f"PT{self.t - began:.2f}S"}
        self.wait(rng.uniform(0.5, 2))
        self.emit("completed", obj, result, board)
        self.emit("passed" if result["success"] else "failed", obj, result, board)

    def document(self, activity: Activity, obj: dict, board: dict) -> None:
        rng, learner = self.rng, self.learner
        self.emit("viewed", obj, extensions=board)
        reading = rng.lognormvariate(math.log(60 + 180 * learner.diligence), 0.6)
        share = min(1.0, rng.betavariate(1 + 4 * learner.diligence, 1.5))
        self.wait(reading)
        self.emit("progressed", obj, {"duration": f"PT{reading:.2f}S", "extensions": {EXT_READ: round(share * 100)}},
                  board)
        if share >= 0.95 and reading >= 20:
            self.emit("completed", obj, {"completion": True, "duration": f"PT{reading:.2f}S"}, board)


# --- The simulator --------------------------------------------------------------------------------------------


class LearningSimulator:
    """Draws study sessions for ``learners`` over ``days`` and yields their statements in batches."""

    def __init__(self, learners: list[Learner], catalogue: list[Activity], rng: random.Random):
        self.learners, self.catalogue, self.rng = learners, catalogue, rng
        self.zone = ZoneInfo(settings.TIME_ZONE)
        kinds = {"video": [], "exercise": [], "document": []}
        for activity in catalogue:
            kinds[activity.kind].append(activity)
        self.by_kind = kinds
        self.objects = {a.id: self._object(a) for a in catalogue}

    @staticmethod
    def _object(activity: Activity) -> dict:
        kind = {"video": TYPE_VIDEO, "exercise": TYPE_ASSESSMENT, "document": TYPE_DOCUMENT}[activity.kind]
        return {"objectType": "Activity", "id": activity.id,
                "definition": {"name": {"zh-CN": activity.name}, "type": kind}}

    def weight(self, learner: Learner, kind: DayKind) -> float:
        return kind.rate * learner.usage * (0.15 + 1.1 * learner.diligence)

    def capacity(self, day: date) -> float:
        """How much studying ``day`` holds: the sum of the learners' weights on it."""
        kind = day_kind(day)
        return sum(self.weight(learner, kind) for learner in self.learners)

    def day(self, day: date, intensity: float) -> Iterator[list[dict]]:
        """Yield the statements of each session on ``day``; ``intensity`` is the expected number of
        sessions of a learner of weight 1 on it."""
        kind = day_kind(day)
        for learner in self.learners:
            for _ in range(_poisson(self.rng, intensity * self.weight(learner, kind))):
                yield self.session(learner, day, kind)

    def session(self, learner: Learner, day: date, kind: DayKind) -> list[dict]:
        rng = self.rng
        start = datetime.combine(day, datetime.min.time(), self.zone).timestamp() + 3600 * self._hour(learner, kind)
        sitting = _Session(self, learner, start)
        for _ in range(1 + _poisson(rng, 1.0 + 2.0 * learner.diligence)):
            roll = rng.random()
            if roll < kind.exercise_share and self.by_kind["exercise"]:
                activity = self._pick(learner, "exercise")
            elif roll < kind.exercise_share + 0.12 and self.by_kind["document"]:
                activity = self._pick(learner, "document")
            else:
                activity = self._pick(learner, "video")
            board = {EXT_BOARD: activity.board} if activity.board else {}
            getattr(sitting, activity.kind)(activity, self.objects[activity.id], board)
            sitting.wait(rng.uniform(5, 90))
        return sitting.out

    def _hour(self, learner: Learner, kind: DayKind) -> float:
        rng = self.rng
        if kind in (SCHOOL, EXAM) and rng.random() < 0.93:
            return min(22.5, max(17.5, rng.gauss(learner.evening, 0.7)))
        slot = rng.random()
        if slot < 0.4:
            return rng.uniform(8.5, 11.5)
        if slot < 0.75:
            return rng.uniform(14.0, 17.5)
        return min(22.5, max(18.0, rng.gauss(learner.evening, 0.8)))

    def _pick(self, learner: Learner, kind: str) -> Activity:
        """Mostly the next lesson along the learner's path, sometimes one seen before (revision)."""
        items = self.by_kind[kind] or self.by_kind["video"]
        if self.rng.random() < 0.7:
            learner.next_lesson += 1
            return items[learner.next_lesson % len(items)]
        return items[self.rng.randrange(len(items))]


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:  # normal approximation, well inside any demo's needs
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


# --- Writing --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LearningSummary:
    statements: int
    sessions: int
    learners: int
    first_day: date | None
    last_day: date | None
    seconds: float


def statements_for_scale(scale: str, asked: int | None) -> int:
    return asked if asked is not None else DEFAULT_STATEMENTS.get(scale, DEFAULT_STATEMENTS["medium"])


def statements_per_session(catalogue: list[Activity], seed: int) -> float:
    """Measured on a throw-away sample, to turn a wanted number of statements into a session rate."""
    rng = random.Random(seed ^ 0x5EED)
    sample = [Learner(0, {}, "x", rng.betavariate(2.2, 2.4), rng.gauss(0, 0.9), 19.5, 0.5) for _ in range(60)]
    sim = LearningSimulator(sample, catalogue, rng)
    sizes = [len(sim.session(learner, date(2026, 3, 10), SCHOOL)) for learner in sample for _ in range(4)]
    return sum(sizes) / len(sizes)


def simulate_learning(statements: int, *, seed: int, days: int | None = None, end: date | None = None,
                      learners: list[Learner] | None = None, catalogue: list[Activity] | None = None,
                      write=store_statements, batch: int = BATCH) -> LearningSummary:
    """Write about ``statements`` statements of simulated learning over the ``days`` up to ``end``
    (yesterday by default). The number comes out within a few per cent of the one asked for: each day's
    session rate is steered by what is still wanted."""
    started = time.monotonic()
    rng = random.Random(seed)
    if catalogue is None:  # what the resource centre has published, and a demo course library beside it
        catalogue = catalogue_from_resources(rng) + demo_catalogue(rng)
    learners = learners if learners is not None else demo_learners(rng)
    if statements <= 0 or not learners or not catalogue:
        return LearningSummary(0, 0, len(learners), None, None, time.monotonic() - started)
    end = end or (datetime.now(ZoneInfo(settings.TIME_ZONE)).date() - timedelta(days=1))
    if days is None:  # at least the cockpit's default month, at most a year
        days = max(30, min(365, statements // (2 * len(learners))))
    calendar = [end - timedelta(days=days - 1 - k) for k in range(days)]
    simulator = LearningSimulator(learners, catalogue, rng)
    per_session = statements_per_session(catalogue, seed)
    capacities = [simulator.capacity(day) for day in calendar]
    remaining = sum(capacities)
    made = sessions = written = 0
    pending: list[dict] = []
    authority = simulator_authority()
    for day, capacity in zip(calendar, capacities):
        # Steer towards the number asked for: what is still wanted, spread over the capacity left, with the
        # session size measured so far (a sample's estimate until enough sessions have been made).
        size = made / sessions if sessions >= 50 else per_session
        intensity = max(0, statements - made) / (size * remaining) if remaining > 0 else 0.0
        remaining -= capacity
        for session in simulator.day(day, intensity):
            sessions += 1
            made += len(session)
            pending.extend(session)
            if len(pending) >= batch:
                write(pending, authority=authority)
                written += len(pending)
                pending = []
    if pending:
        write(pending, authority=authority)
        written += len(pending)
    return LearningSummary(written, sessions, len(learners), calendar[0], calendar[-1], time.monotonic() - started)
