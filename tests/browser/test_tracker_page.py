"""The page tracker in a real browser, on a test page: what a video, an exercise and a page view report to
the LRS, and that a failed delivery is retried with the same statement ids."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.template import engines
from django.urls import path
from playwright.sync_api import Page, expect

import zhijiao.demo
from tests.browser.actions import sign_in
from tests.conftest import PASSWORD
from zhijiao import urls as site_urls
from zhijiao.records.agents import agent_for
from zhijiao.records.models import Statement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.urls(__name__)]

VIDEO_FILE = Path(zhijiao.demo.__file__).parent / "data" / "demo-lesson.webm"
ACTIVITY = "http://127.0.0.1:8000/resources/42/"
VIDEO = "https://w3id.org/xapi/video"
EXT_SEGMENTS = VIDEO + "/extensions/played-segments"

LESSON = engines["django"].from_string("""{% extends "portal/base.html" %}
{% block content %}<h1>第三课 认识分数</h1>
<video data-zj-video data-activity-id="{{ activity }}" src="/demo-video/" muted controls width="320"></video>
<form data-zj-exercise="{{ activity }}exercise" action="/done/" method="get">
  <fieldset data-zj-question="q1" data-zj-answer="B"><legend>二分之一写作</legend>
    <label><input type="radio" name="q1" value="A">1/3</label><label><input type="radio" name="q1" value="B">1/2</label>
  </fieldset>
  <fieldset data-zj-question="q2" data-zj-answer="A"><legend>三分之一写作</legend>
    <label><input type="radio" name="q2" value="A">1/3</label><label><input type="radio" name="q2" value="B">1/2</label>
  </fieldset>
  <button type="submit">提交</button>
</form>{% endblock %}
{% block scripts %}{% include "records/_tracker.html" with activity_id=activity board="sync-classroom" %}{% endblock %}""")


def lesson(request):
    return HttpResponse(LESSON.render({"activity": ACTIVITY}, request))


def done(request):
    return HttpResponse("<!doctype html><title>done</title><p>done</p>")


def demo_video(request):
    """The demo video with byte ranges, which a browser needs to seek."""
    data = VIDEO_FILE.read_bytes()
    match = re.fullmatch(r"bytes=(\d+)-(\d*)", request.headers.get("Range", ""))
    if not match:
        response = HttpResponse(data, content_type="video/webm")
    else:
        start = int(match[1])
        end = int(match[2]) if match[2] else len(data) - 1
        response = HttpResponse(data[start:end + 1], status=206, content_type="video/webm")
        response["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
    response["Accept-Ranges"] = "bytes"
    return response


urlpatterns = [path("lesson/", lesson), path("done/", done), path("demo-video/", demo_video),
               *site_urls.urlpatterns]


def stored(user, verb_suffix: str | None = None, *, at_least: int = 1, timeout: float = 15) -> list[dict]:
    """The statements about ``user`` in the LRS, waiting until at least ``at_least`` match."""
    deadline = time.monotonic() + timeout
    while True:
        rows = [s for s in Statement.objects.filter(user=user).order_by("seq").values_list("data", flat=True)
                if verb_suffix is None or s["verb"]["id"].endswith("/" + verb_suffix)]
        if len(rows) >= at_least or time.monotonic() > deadline:
            return rows
        time.sleep(0.3)


def segments(text: str) -> list[tuple[float, float]]:
    return [tuple(float(x) for x in part.split("[.]")) for part in text.split("[,]")]


@pytest.fixture
def learner(people, page: Page):
    sign_in(page, "pupil_a", PASSWORD)
    expect(page).to_have_url(re.compile(r"/me/$"))
    return people["pupil_a"]


def open_lesson(page: Page):
    page.goto("/lesson/")
    page.wait_for_function("document.querySelector('video').readyState >= 1")
    return page.locator("video")


def test_watching_seeking_and_pausing_reports_the_video_profile_statements(page: Page, learner):
    open_lesson(page)
    page.evaluate("document.querySelector('video').play()")
    page.wait_for_function("document.querySelector('video').currentTime >= 2.5")
    page.evaluate("""new Promise((done) => { const v = document.querySelector('video');
        v.addEventListener('seeked', done, {once: true}); v.currentTime = 8; })""")
    page.wait_for_function("document.querySelector('video').currentTime >= 9.5")
    page.evaluate("document.querySelector('video').pause()")
    visitor = next(c["value"] for c in page.context.cookies() if c["name"] == "zj_vid")
    page.goto("/done/")  # leaving the page sends what is left, and ends the player session

    statements = stored(learner, "terminated")
    assert statements, "no terminated statement reached the LRS"
    everything = stored(learner)
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in everything]
    for expected in ("viewed", "initialized", "played", "seeked", "paused", "terminated"):
        assert expected in verbs, f"{expected} missing from {verbs}"
    assert verbs.index("initialized") < verbs.index("played") < verbs.index("seeked") < verbs.index("paused")

    paused = next(s for s in everything if s["verb"]["id"] == VIDEO + "/verbs/paused")
    ext = paused["result"]["extensions"]
    (a, b), (c, d) = segments(ext[EXT_SEGMENTS])
    assert a == pytest.approx(0, abs=0.3) and 2.3 <= b < 8
    assert c == pytest.approx(8, abs=0.3) and d >= 9.5
    assert ext[VIDEO + "/extensions/progress"] == pytest.approx(((b - a) + (d - c)) / 12, abs=0.01)
    assert paused["context"]["extensions"][VIDEO + "/extensions/length"] == 12
    seeked = next(s for s in everything if s["verb"]["id"] == VIDEO + "/verbs/seeked")
    assert seeked["result"]["extensions"][VIDEO + "/extensions/time-from"] == pytest.approx(b, abs=0.3)
    assert seeked["result"]["extensions"][VIDEO + "/extensions/time-to"] == pytest.approx(8, abs=0.05)

    sessions = {s["context"]["extensions"].get(VIDEO + "/extensions/session-id") for s in everything
                if s["verb"]["id"] != "http://id.tincanapi.com/verb/viewed"}
    assert len(sessions) == 1 and None not in sessions
    assert all(s["actor"] == agent_for(learner) for s in everything)
    assert {s["context"]["extensions"]["https://zhijiao.cn/xapi/extensions/visitor-id"] for s in everything} == {visitor}
    assert {s["context"]["extensions"]["https://zhijiao.cn/xapi/extensions/board"] for s in everything} == {
        "sync-classroom"}
    viewed = next(s for s in everything if s["verb"]["id"].endswith("/viewed"))
    assert viewed["object"]["id"] == ACTIVITY
    row = Statement.objects.filter(user=learner).first()
    assert row.client_address == "127.0.0.1" and "Chrome" in row.user_agent
    assert len({s["id"] for s in everything}) == len(everything)


def test_an_exercise_reports_each_answer_the_score_and_failure(page: Page, learner):
    open_lesson(page)
    page.get_by_role("radio", name="1/2").first.check()
    page.locator("[data-zj-question=q2]").get_by_role("radio", name="1/2").check()
    page.get_by_role("button", name="提交").click()
    expect(page).to_have_url(re.compile(r"/done/"))

    failed = stored(learner, "failed")
    assert failed, "no failed statement reached the LRS"
    answers = {s["object"]["id"].rsplit("#", 1)[1]: s["result"] for s in stored(learner, "answered", at_least=2)}
    assert answers["q1"] == {"response": "B", "success": True}
    assert answers["q2"] == {"response": "B", "success": False}
    score = failed[0]["result"]["score"]
    assert score == {"raw": 1, "min": 0, "max": 2, "scaled": 0.5}
    assert stored(learner, "attempted") and stored(learner, "completed")


def test_a_failed_delivery_is_sent_again_with_the_same_statement_ids(page: Page, learner):
    refused: list[str] = []

    def flaky(route):
        if not refused:
            refused.extend(s["id"] for s in json.loads(route.request.post_data))
            route.fulfill(status=503, body="{}", content_type="application/json")
        else:
            route.continue_()

    page.route("**/xapi/statements*", flaky)
    open_lesson(page)
    page.evaluate("window.ZhijiaoTracker.flush()")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not (
        refused and Statement.objects.filter(statement_id__in=refused).count() == len(refused)
    ):
        page.wait_for_timeout(300)  # not time.sleep: the route handler runs while Playwright waits
    assert refused, "the page sent nothing"
    assert Statement.objects.filter(statement_id__in=refused).count() == len(refused)


def test_an_anonymous_visitor_reports_only_the_page_view(page: Page, db):
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    open_lesson(page)
    page.evaluate("document.querySelector('video').play()")
    page.wait_for_function("document.querySelector('video').currentTime >= 1")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not Statement.objects.exists():
        page.wait_for_timeout(200)
    page.goto("/done/")
    assert not [url for url in posts if "/xapi/" in url]
    assert [url.split("/", 3)[3] for url in posts] == ["records/page-view"]
    view = Statement.objects.get()
    assert view.user_id is None and view.object_id == ACTIVITY
    assert view.verb_id == "http://id.tincanapi.com/verb/viewed"
