"""The monthly report and the abnormal-rate statistics are counted from the case table."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from tests.conftest import make_user, signed_in
from tests.monitoring import test_case_support as support
from tests.monitoring.test_case_support import COURSE, make_case
from zhijiao.cockpit.models import LearnerDay
from zhijiao.core.models import AuditEntry
from zhijiao.identity.models import Role
from zhijiao.monitoring import permissions, selectors, services
from zhijiao.monitoring.models import Case, CaseState, MisconductKind, Sanction

pytestmark = pytest.mark.django_db
staff = support.staff


@pytest.fixture
def month_of_cases(tree, people, staff):
    """Cases in every state at both schools, from both platforms; one case opened last month."""
    learners_a = [people["pupil_a"]] + [make_user(f"a{i}", role=Role.LEARNER, org=tree.school_a) for i in range(3)]
    learners_b = [people["pupil_b"], make_user("b1", role=Role.LEARNER, org=tree.school_b)]
    cases = []
    for i, learner in enumerate(learners_a + learners_b):
        platform = staff.platform if i % 2 == 0 else staff.other_platform
        kind = (MisconductKind.BRUSHING, MisconductKind.EXAM_SCRIPTING)[i % 2]
        cases.append(make_case(learner, platform=platform, kind=kind, course=f"{COURSE}-{i % 3}"))
    monitor = staff.national_monitor
    for case in cases[:3] + cases[4:5]:
        services.confirm(case, actor=monitor, sanction=Sanction.WARNING)
    services.dismiss(cases[3], actor=monitor, reason="核实为正常学习")
    services.appeal(cases[0], actor=cases[0].user, text="不是我")
    old = make_case(learners_a[1], platform=staff.platform, kind=MisconductKind.PROXY_EXAM)
    Case.objects.filter(pk=old.pk).update(opened_at=timezone.now() - timedelta(days=40))
    today = timezone.localdate()
    for learner in learners_a + learners_b:  # everyone was active this month (the cockpit's rollup)
        LearnerDay.objects.create(user=learner, day=today, org_path=learner.memberships.get().org_path)
    return cases


def _direct(**filters) -> int:
    first = timezone.localdate().replace(day=1)
    start = timezone.make_aware(timezone.datetime.combine(first, timezone.datetime.min.time()))
    return Case.objects.filter(opened_at__gte=start, opened_at__lt=start + timedelta(days=32),
                               opened_at__month=first.month, **filters).count()


def test_report_numbers_equal_a_direct_count_of_the_case_table(tree, staff, month_of_cases):
    report = selectors.report(Q(), timezone.localdate().replace(day=1))
    totals = report["totals"]
    assert totals["cases"] == _direct() == 6
    assert totals["confirmed"] == _direct(state=CaseState.CONFIRMED)
    assert totals["dismissed"] == _direct(state=CaseState.DISMISSED)
    assert totals["pending"] == _direct(state__in=[CaseState.OPEN, CaseState.UNDER_APPEAL])
    for row in report["universities"]:
        assert row["cases"] == _direct(university_id=row["university_id"])
        assert row["confirmed"] == _direct(university_id=row["university_id"], state=CaseState.CONFIRMED)
    for row in report["platforms"]:
        assert row["confirmed"] == _direct(platform_id=row["platform_id"], state=CaseState.CONFIRMED)
    for row in report["kinds"]:
        assert row["cases"] == _direct(kind=row["kind"])
    school_a = next(r for r in report["universities"] if r["university_id"] == tree.school_a.pk)
    assert school_a["active_learners"] == 4 and school_a["rate"] == round(school_a["abnormal_learners"] / 4, 4)
    ranked = [r["university_id"] for r in report["university_ranking"]]
    assert ranked[0] == tree.school_a.pk  # where confirmed cases concentrate


def test_the_bureau_report_counts_only_its_subtree_and_is_audited(tree, staff, month_of_cases):
    client = signed_in(staff.monitor_a)
    month = timezone.localdate().strftime("%Y-%m")
    response = client.get(f"/api/v1/monitoring/report?month={month}")
    assert response.status_code == 200, response.content
    data = response.json()
    scope = permissions.report_scope(staff.monitor_a)
    assert data["totals"]["cases"] == _direct(university=tree.school_a) == Case.objects.filter(
        scope, opened_at__month=timezone.localdate().month).count() == 4
    assert {r["key"] for r in data["universities"]} == {str(tree.school_a.pk)}
    page = client.get(f"/monitoring/report/?month={month}")
    assert page.status_code == 200
    assert f'<td data-col="cases">{data["totals"]["cases"]}</td>' in page.content.decode()
    pdf = client.get(f"/monitoring/report.pdf?month={month}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="monitoring.report", actor=staff.monitor_a).count() == 3
    assert client.get("/api/v1/monitoring/report?month=2026-13").status_code == 422


def test_abnormal_rates_for_the_cockpit(tree, staff, month_of_cases):
    client = signed_in(staff.national_monitor)
    month = timezone.localdate().strftime("%Y-%m")
    rows = client.get(f"/api/v1/monitoring/stats?by=university&start={month}&end={month}").json()
    by_school = {r["key"]: r for r in rows}
    confirmed_a = Case.objects.filter(university=tree.school_a, state=CaseState.CONFIRMED,
                                      opened_at__month=timezone.localdate().month).values("user").distinct().count()
    assert by_school[str(tree.school_a.pk)]["abnormal_learners"] == confirmed_a
    assert by_school[str(tree.school_a.pk)]["rate"] == round(confirmed_a / 4, 4)
    months = client.get(f"/api/v1/monitoring/stats?by=month&end={month}").json()
    assert months[-1]["key"] == month and months[-1]["active_learners"] == 6
    for by in ("platform", "course"):
        assert client.get(f"/api/v1/monitoring/stats?by={by}").status_code == 200
    assert client.get("/api/v1/monitoring/stats?by=colour").status_code == 422
    assert signed_in(make_user("plain_learner"), mfa=False).get("/api/v1/monitoring/stats").status_code == 403
