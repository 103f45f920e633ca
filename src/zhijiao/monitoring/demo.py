"""Demo data of the monitoring centre for `zj seed`: credit-course platforms with filings and list entries,
credit courses and a university's choices, and cases in every state (with a notice and an appeal) built
the way detection builds them — findings with evidence, gathered by ``assign_findings``.

Deterministic for a given seed. The learners' video records behind the cases are stored in the LRS, so a
case page draws the same timeline from the evidence and from the records.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhijiao.core import pdf
from zhijiao.demo import accounts
from zhijiao.identity import services as identity_services
from zhijiao.identity.models import Membership, Organisation, OrgKind, Role, User, Verification
from zhijiao.monitoring import services
from zhijiao.monitoring.cases import assign_findings
from zhijiao.monitoring.models import AppealOutcome, Case, CreditCourse, Finding, ListKind, MisconductKind, Sanction
from zhijiao.records import agents
from zhijiao.records.services import store_statements

MONITOR_USERNAME = "demo_monitor"
VIDEO = "https://w3id.org/xapi/video/"
AUTHORITY = {"objectType": "Agent", "account": {"homePage": settings.ZJ_PUBLIC_URL, "name": "lrs:demo-platforms"}}
PLATFORMS = (  # name, list, courses
    ("学堂示例慕课", ListKind.WHITE, ("思想道德与法治", "大学计算机基础", "中国近现代史纲要")),
    ("示例学分课程网", ListKind.BLACK, ("大学生心理健康", "创新创业基础")),
    ("示例在线课程平台", None, ("艺术鉴赏",)),
)


@dataclass
class MonitoringSummary:
    platforms: int
    courses: int
    cases: int


def _document(title: str) -> SimpleUploadedFile:
    body = pdf.render(title, [pdf.Paragraph("平台备案材料（演示数据）：安全等级保护第三级测评报告、课程清单、运行服务说明。")])
    return SimpleUploadedFile(f"{title}.pdf", body, content_type="application/pdf")


def _monitor(nation: Organisation) -> User:
    user = User(username=MONITOR_USERNAME, real_name="冯晓岚", email=f"{MONITOR_USERNAME}@{accounts.DEMO_EMAIL_DOMAIN}",
                password=make_password(accounts.DEMO_PASSWORD), verification=Verification.VERIFIED)
    user.save()
    identity_services.grant_role_as_operator(user, nation, Role.MONITOR)
    return user


def _playback(user: User, course: str, start, rng: random.Random, rate: float) -> list[dict]:
    """A player session of a course video; ``rate`` > 2 is a brushing script."""
    session = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    statements, playhead = [], 0.0
    for i in range(12):
        verb = VIDEO + "verbs/played" if i == 0 else "http://adlnet.gov/expapi/verbs/progressed"
        statements.append({
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "actor": agents.agent_for(user), "verb": {"id": verb},
            "object": {"id": course + "/videos/1", "objectType": "Activity"},
            "timestamp": (start + timedelta(seconds=30 * i)).isoformat(),
            "result": {"extensions": {VIDEO + "extensions/time": round(playhead, 3)}},
            "context": {"contextActivities": {"parent": [{"id": course}]},
                        "extensions": {VIDEO + "extensions/session-id": session, VIDEO + "extensions/length": 2700}}})
        playhead += 30 * rate * rng.uniform(0.97, 1.03)
    return statements


def _timeline(statements: list[dict]) -> list[dict]:
    points = []
    for s in statements:
        at = timezone.datetime.fromisoformat(s["timestamp"])
        points.append({"t": int(at.timestamp() * 1000), "playhead": s["result"]["extensions"][VIDEO + "extensions/time"],
                       "event": s["verb"]["id"].rsplit("/", 1)[-1], "session": "s1"})
    return points


def seed_monitoring(scale: str, seed: int, *, learning_records: bool = True) -> MonitoringSummary:
    """Platforms, credit courses and cases. With ``learning_records`` False (``zj seed --statements 0``)
    the cases keep their evidence but no playback statements are written to the LRS."""
    rng = random.Random(f"monitoring:{seed}")
    nation = Organisation.objects.get(kind=OrgKind.NATION, parent__isnull=True)
    monitor = _monitor(nation)
    make = identity_services.create_organisation
    courses: list[CreditCourse] = []
    year = timezone.localdate().year
    for index, (name, listing, titles) in enumerate(PLATFORMS):
        platform = make(None, name=name, kind=OrgKind.PLATFORM, parent=nation)
        filing = services.submit_filing(platform, actor=monitor, year=year, uploads=[_document(f"{name}{year}年度备案")])
        if listing == ListKind.WHITE:
            services.review_filing(filing, actor=monitor, passed=True, note="材料齐全，运行规范。")
        elif listing == ListKind.BLACK:
            services.review_filing(filing, actor=monitor, passed=False, note="安全等级保护测评报告过期。")
            services.add_list_entry(platform, actor=monitor, kind=ListKind.BLACK,
                                    reason="“刷课”问题频出，整改不到位。")
        for n, title in enumerate(titles):
            courses.append(CreditCourse.objects.create(
                platform=platform, course_key=f"https://mooc{index + 1}.example.cn/courses/{n + 1}", title=title,
                credits=rng.choice((1, 1.5, 2, 2.5))))
    white = [c for c in courses if c.platform.name == PLATFORMS[0][0]]

    admin = User.objects.get(username=accounts.SCHOOL_ADMIN.username)
    teacher = User.objects.get(username=accounts.TEACHER.username)
    school = Membership.objects.select_related("organisation").get(user=admin, role=Role.SCHOOL_ADMIN).organisation
    for course in white[:2]:
        services.choose_credit_course(actor=admin, school=school, course=course, teacher=teacher)

    learner_ids = list(Membership.objects.filter(role=Role.LEARNER, org_path__startswith=school.path)
                       .order_by("user_id").values_list("user_id", flat=True).distinct()[:8])
    learners = list(User.objects.filter(pk__in=learner_ids).order_by("pk"))
    demo_learner = User.objects.get(username=accounts.LEARNER.username)
    learners = [demo_learner] + [u for u in learners if u.pk != demo_learner.pk][:6]
    kinds = [MisconductKind.BRUSHING, MisconductKind.BRUSHING, MisconductKind.EXAM_SCRIPTING,
             MisconductKind.PROXY_STUDY, MisconductKind.BRUSHING, MisconductKind.PROXY_EXAM, MisconductKind.ANOMALY]
    now = timezone.now()
    for i, (learner, kind) in enumerate(zip(learners, kinds, strict=False)):
        course = white[i % len(white)]
        start = now - timedelta(days=1 + i, hours=rng.randint(0, 6))
        statements = _playback(learner, course.course_key, start, rng, rate=rng.uniform(2.6, 4.0))
        if learning_records:
            store_statements(statements, authority=AUTHORITY)
        detector = {MisconductKind.BRUSHING: "playback_rate", MisconductKind.EXAM_SCRIPTING: "answer_speed",
                    MisconductKind.PROXY_STUDY: "shared_device", MisconductKind.PROXY_EXAM: "new_exam_device",
                    MisconductKind.ANOMALY: "anomaly_score"}[kind]
        Finding.objects.create(
            detector=detector, kind=kind, user=learner, platform=course.platform, course_key=course.course_key,
            course_name=course.title, day=timezone.localdate(start), score=round(rng.uniform(0.72, 0.99), 2),
            evidence={"v": 1, "detector": detector, "figures": {"max_speed": 3.2, "fast_seconds": 330},
                      "thresholds": {"max_speed": 2.0, "fast_seconds": 120}, "timeline": _timeline(statements)},
            window_start=start, window_end=start + timedelta(minutes=6))
    assign_findings()
    cases = list(Case.objects.filter(user__in=learners).order_by("pk"))
    if len(cases) >= 5:
        services.confirm(cases[0], actor=monitor, sanction=Sanction.CANCEL_GRADE, note="播放速度持续超过 3 倍。")
        services.confirm(cases[1], actor=admin, sanction=Sanction.WARNING)
        services.appeal(cases[1], actor=cases[1].user, text="当时是同学借用我的账号，我已改密码。")
        services.confirm(cases[2], actor=monitor, sanction=Sanction.CRITICISM)
        services.appeal(cases[2], actor=cases[2].user, text="我做题较快，请核实。")
        services.resolve_appeal(cases[2], actor=admin, outcome=AppealOutcome.UPHELD, note="核实为正常作答。")
        services.dismiss(cases[3], actor=admin, reason="学校机房共用设备，属正常情况。")
    return MonitoringSummary(platforms=len(PLATFORMS), courses=len(courses), cases=len(cases))
