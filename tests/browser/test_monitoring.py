"""A monitoring officer opens a case, sees the playback chart (and its table view), confirms the case; the
university's administrator then finds the notice (通报) and marks it read."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.actions import sign_in
from tests.conftest import PASSWORD, enrol_totp, make_user
from tests.monitoring.test_case_support import make_case
from zhijiao.identity import services as identity_services
from zhijiao.identity.models import OrgKind, Role
from zhijiao.monitoring.models import CaseState, Notice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _timeline(start, points=8, rate=3.0):
    t0 = int(start.timestamp() * 1000)
    return [{"t": t0 + 30_000 * i, "playhead": 30 * i * rate, "event": "progressed" if i else "played",
             "session": "s1"} for i in range(points)]


def test_a_monitor_confirms_a_case_and_the_university_admin_sees_the_notice(page: Page, tree):
    bureau = identity_services.create_organisation(None, name="西湖区教育局", kind=OrgKind.BUREAU, parent=tree.county_a)
    platform = identity_services.create_organisation(None, name="学堂示例", kind=OrgKind.PLATFORM, parent=tree.nation)
    monitor = make_user("jiance", role=Role.MONITOR, org=bureau)
    admin = make_user("jiaowu", role=Role.SCHOOL_ADMIN, org=tree.school_a)
    pupil = make_user("xuesheng", role=Role.LEARNER, org=tree.class_a, real_name="张同学")
    start = timezone.now() - timedelta(hours=2)
    case = make_case(pupil, platform=platform, start=start,
                     evidence={"v": 1, "figures": {"max_speed": 3.0}, "timeline": _timeline(start)})

    sign_in(page, "jiance", PASSWORD, enrol_totp(monitor).now())
    page.goto("/monitoring/")
    page.get_by_role("link", name=f"#{case.pk}", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/monitoring/cases/{case.pk}/$"))
    expect(page.locator("[data-chart=playback] canvas")).to_have_count(1)
    page.get_by_test_id("playback-table-toggle").check()
    expect(page.get_by_test_id("playback-table").get_by_role("row")).to_have_count(9)  # header + 8 points
    page.locator("input[name=sanction][value=cancel_grade]").check()
    page.get_by_test_id("confirm-case").click()
    expect(page.get_by_test_id("confirm-case")).to_have_count(0)
    case.refresh_from_db()
    assert case.state == CaseState.CONFIRMED

    page.context.clear_cookies()
    sign_in(page, "jiaowu", PASSWORD, enrol_totp(admin).now())
    page.goto("/monitoring/notices/")
    notice = Notice.objects.get(case=case, recipient=admin)
    card = page.get_by_test_id(f"notice-{notice.pk}")
    expect(card).to_contain_text("张同学")
    expect(card.get_by_test_id("notice-unread")).to_have_count(1)
    card.get_by_test_id("mark-read").click()
    expect(page.get_by_test_id(f"notice-{notice.pk}").get_by_test_id("notice-unread")).to_have_count(0)
