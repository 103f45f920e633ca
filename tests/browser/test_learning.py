"""A pupil watches part of a lesson video; the seconds watched then show on the pupil's own "My learning"
page and on the teacher's class dashboard."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from tests.browser.actions import sign_in
from tests.conftest import PASSWORD, make_user
from tests.resources.conftest import DEMO_VIDEO, all_passed, upload
from zhijiao.cockpit.tasks import stop_background_rollups
from zhijiao.identity.models import Role, Verification
from zhijiao.records.agents import resource_activity_id
from zhijiao.resources import reference_data, services
from zhijiao.resources.models import Column, Kind, Lesson

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAYER = "document.querySelector('[data-testid=player]')"


@pytest.fixture
def live_rollups(settings):
    """Progress appears as it would for a real pupil: a rollup pass runs a second after records arrive."""
    settings.ZJ_COCKPIT_LIVE_ROLLUPS = True
    yield
    settings.ZJ_COCKPIT_LIVE_ROLLUPS = False
    stop_background_rollups(timeout=30)  # no pass may run into the next test's database


@pytest.fixture
def lesson_video(tree, settings, tmp_path, live_rollups):
    """A published micro-lesson with the 12-second demo video, provided by a teacher of the pupil's school."""
    settings.ZJ_REVIEW_LEVELS = 1
    settings.MEDIA_ROOT = str(tmp_path)
    reference_data.load()  # a transactional test starts from an emptied database
    provider = make_user("li_laoshi", real_name="李老师", role=Role.TEACHER, org=tree.school_a,
                         verification=Verification.VERIFIED)
    services.accept_agreement(provider)
    resource = services.create_resource(
        provider, kind=Kind.VIDEO, provider=tree.school_a, columns=[Column.objects.get(code="k12-curriculum-primary")],
        title="认识钟表 微课", summary="通过生活中的钟表认识整时，学会看钟面上的时针和分针。",
        lesson=Lesson.objects.get(unit__volume__code="pep-primary-math-1a", name="认识钟表"),
        keywords=["钟表", "整时"], authors=["李老师"], duration_seconds=12, knowledge_points=["认识整时"])
    upload(provider, resource, "main", DEMO_VIDEO.read_bytes(), DEMO_VIDEO.name, "video/webm")
    services.submit(provider, resource)
    reviewer = make_user("shenhe", role=Role.REVIEWER, org=tree.city)
    services.decide(reviewer, resource.tasks.get(state="open", kind="publication"), outcome="approve",
                    dimensions=all_passed())
    resource.refresh_from_db()
    assert resource.status == "published"
    return resource


def played_seconds(page: Page, row) -> int:
    """The seconds-played cell of ``row``, reloading the page while the rollup catches up (a few seconds)."""
    for _ in range(20):
        if row.count():
            return int(row.first.locator("[data-played-seconds]").get_attribute("data-played-seconds"))
        page.wait_for_timeout(500)
        page.reload()
    return 0


def test_watching_part_of_a_video_shows_on_my_learning_and_on_the_class_dashboard(page: Page, tree, people,
                                                                                    lesson_video):
    pupil, teacher = people["pupil_a"], people["teacher_a"]
    activity = resource_activity_id(lesson_video.pk)

    # The pupil watches about five seconds of the twelve, then stops.
    sign_in(page, "pupil_a", PASSWORD)
    expect(page).to_have_url(re.compile(r"/me/$"))
    page.goto(f"/resources/{lesson_video.pk}/")
    expect(page.get_by_test_id("player")).to_be_visible()
    page.wait_for_function(f"{PLAYER}.readyState >= 1")
    page.evaluate(f"() => {{ const v = {PLAYER}; v.muted = true; v.play(); }}")
    page.wait_for_function(f"{PLAYER}.currentTime >= 5")
    page.evaluate(f"{PLAYER}.pause()")
    watched = page.evaluate(f"{PLAYER}.currentTime")

    # Their own page: the lesson, about five seconds played, not completed.
    page.goto("/cockpit/my-learning/")
    row = page.locator(f"[data-testid=my-learning] tr[data-activity-id='{activity}']")
    seconds = played_seconds(page, row)
    assert 4 <= seconds <= round(watched) + 1
    expect(row).to_contain_text("认识钟表 微课")
    with translation.override("zh-hans"):
        expect(row).to_contain_text(gettext("No"))  # not completed: five seconds of twelve

    # The teacher's dashboard of the pupil's class shows the same seconds against the pupil.
    page.context.clear_cookies()
    sign_in(page, "teacher_a", PASSWORD)
    expect(page).to_have_url(re.compile(r"/me/$"))
    page.goto(f"/cockpit/org/{tree.class_a.pk}/")
    expect(page.get_by_test_id("cockpit-title")).to_contain_text(tree.class_a.name)
    progress = page.locator(f"[data-table=progress-table] tr[data-user-id='{pupil.pk}'][data-activity-id='{activity}']")
    assert played_seconds(page, progress) == seconds
    expect(progress).to_contain_text(pupil.real_name)
    assert teacher.pk != pupil.pk
