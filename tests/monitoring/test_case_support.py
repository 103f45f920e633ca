"""Builders shared by the casework tests: a platform, monitoring staff, cases made the way detection makes
them (findings, then ``assign_findings``) and a learner's video records. No tests here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import make_user
from zhijiao.identity import services as identity_services
from zhijiao.identity.models import OrgKind, Role
from zhijiao.monitoring.cases import assign_findings
from zhijiao.monitoring.models import Case, Finding, MisconductKind
from zhijiao.records import agents
from zhijiao.records.services import store_statements

COURSE = "https://mooc.example.cn/courses/calculus-101"
COURSE_NAME = "高等数学（上）"
AUTHORITY = {"objectType": "Agent", "account": {"homePage": "https://lrs.example.cn", "name": "lrs:tests"}}


@dataclass
class Staff:
    platform: object
    other_platform: object
    bureau_a: object
    monitor_a: object  # monitoring officer of 西湖区's bureau: sees school_a's cases
    national_monitor: object
    operator: object  # operator of `platform`
    teacher_b: object  # a teacher at school_b


@pytest.fixture
def staff(tree, people) -> Staff:
    make = identity_services.create_organisation
    platform = make(None, name="学堂在线示例", kind=OrgKind.PLATFORM, parent=tree.nation)
    other = make(None, name="另一个课程平台", kind=OrgKind.PLATFORM, parent=tree.nation)
    bureau_a = make(None, name="西湖区教育局", kind=OrgKind.BUREAU, parent=tree.county_a)
    return Staff(
        platform=platform, other_platform=other, bureau_a=bureau_a,
        monitor_a=make_user("monitor_a", role=Role.MONITOR, org=bureau_a, email="monitor_a@example.com"),
        national_monitor=make_user("monitor_n", role=Role.MONITOR, org=tree.nation),
        operator=make_user("operator_p", role=Role.PLATFORM_OPERATOR, org=platform),
        teacher_b=make_user("teacher_b", role=Role.TEACHER, org=tree.school_b),
    )


def make_case(user, *, platform=None, kind=MisconductKind.BRUSHING, course=COURSE, score=0.95,
              detector="playback_rate", start=None, evidence=None) -> Case:
    """A finding for ``user`` as the detectors write it, gathered into its case."""
    start = start or timezone.now() - timedelta(hours=3)
    Finding.objects.create(
        detector=detector, kind=kind, user=user, platform=platform, course_key=course, course_name=COURSE_NAME,
        day=timezone.localdate(start), score=score,
        evidence=evidence if evidence is not None else {"median_rate": 3.1, "limit": 2.0, "sessions": 4},
        window_start=start, window_end=start + timedelta(hours=1))
    assign_findings()
    return Case.objects.filter(user=user, course_key=course, kind=kind).latest("pk")


VIDEO = "https://w3id.org/xapi/video/"


def store_playback(user, *, start, steps: int = 6, rate: float = 3.0, course=COURSE) -> None:
    """A player session whose playhead advances ``rate`` seconds per wall-clock second (a bot at 3×)."""
    session = str(uuid.uuid4())
    video = course + "/videos/1"
    statements = []
    for i in range(steps):
        verb = VIDEO + "verbs/played" if i == 0 else "http://adlnet.gov/expapi/verbs/progressed"
        statements.append({
            "id": str(uuid.uuid4()), "actor": agents.agent_for(user),
            "verb": {"id": verb}, "object": {"id": video, "objectType": "Activity"},
            "timestamp": (start + timedelta(seconds=30 * i)).isoformat(),
            "result": {"extensions": {VIDEO + "extensions/time": round(30 * i * rate, 3)}},
            "context": {"contextActivities": {"parent": [{"id": course}]},
                        "extensions": {VIDEO + "extensions/session-id": session,
                                       VIDEO + "extensions/length": 3600}},
        })
    statements.append({
        "id": str(uuid.uuid4()), "actor": agents.agent_for(user), "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": course + "/quiz#q1", "objectType": "Activity"},
        "timestamp": (start + timedelta(minutes=5)).isoformat(),
        "result": {"duration": "PT1.2S", "success": True},
        "context": {"contextActivities": {"parent": [{"id": course}]}},
    })
    store_statements(statements, authority=AUTHORITY)
