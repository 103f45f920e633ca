"""Pages and the JSON API: what providers, reviewers, learners and strangers see and may do."""

from __future__ import annotations

import json

import pytest

from tests.conftest import signed_in
from tests.resources.conftest import DEMO_VIDEO, all_passed, pdf_bytes, png_bytes
from zhijiao.resources import counters, services
from zhijiao.resources.models import Complaint, Kind, Resource, Status


@pytest.fixture
def published(centre):
    resource = centre.new_video(submit=True)
    centre.approve_all_levels(resource)
    return resource


def test_public_detail_page_has_player_tracker_hooks_and_metadata(client, published):
    response = client.get(f"/resources/{published.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<video" in html and "controls" in html and "data-zj-video" in html
    assert f'data-activity-id="http://127.0.0.1:8000/resources/{published.pk}/"' in html
    assert "认识钟表" in html and "人教版" in html


def test_unpublished_resource_is_hidden_from_the_public(client, centre):
    resource = centre.new_video()
    assert client.get(f"/resources/{resource.pk}/").status_code == 404
    assert client.get(f"/api/v1/resources/{resource.pk}").status_code == 404
    assert signed_in(centre.provider, mfa=False).get(f"/resources/{resource.pk}/").status_code == 200


def test_files_are_served_safely_with_ranges(client, published, centre):
    video = published.live_version.files.get(role="main")
    response = client.get(f"/resources/{published.pk}/files/{video.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "video/mp4"
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Disposition"].startswith("inline")
    partial = client.get(f"/resources/{published.pk}/files/{video.pk}/", HTTP_RANGE="bytes=0-99")
    assert partial.status_code == 206 and partial["Content-Range"].startswith("bytes 0-99/")
    assert len(b"".join(partial.streaming_content)) == 100


def test_download_follows_the_resource_permission(client, published, centre):
    video = published.live_version.files.get(role="main")
    url = f"/resources/{published.pk}/files/{video.pk}/?download=1"
    assert client.get(url).status_code == 302, "signed-in users only, by default"
    learner = signed_in(centre.learner, mfa=False)
    response = learner.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    published.download_policy = "nobody"
    published.save()
    assert learner.get(url).status_code == 403
    published.stats.refresh_from_db()
    assert published.stats.downloads == 1


def test_views_ratings_favourites_and_complaints_from_the_page(published, centre):
    learner = signed_in(centre.learner, mfa=False)
    learner.get(f"/resources/{published.pk}/")
    counters.flush()
    published.stats.refresh_from_db()
    assert published.stats.views >= 1
    learner.post(f"/resources/{published.pk}/rate/", {"stars": "4"})
    learner.post(f"/resources/{published.pk}/rate/", {"stars": "2"})
    published.stats.refresh_from_db()
    assert (published.stats.rating_count, published.stats.rating) == (1, 2.0)
    learner.post(f"/resources/{published.pk}/favourite/", {"on": "1"})
    page = learner.get("/resources/favourites/").content.decode()
    assert published.title in page
    learner.post(f"/resources/{published.pk}/complain/", {"category": "broken", "text": "视频打不开，请检查"})
    assert Complaint.objects.filter(resource=published, complainant=centre.learner).exists()


def test_provider_pages_create_upload_submit_and_history(centre, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    provider = signed_in(centre.provider, mfa=False)
    assert provider.get("/resources/mine/").status_code == 200
    response = provider.post("/resources/new/?kind=lesson_package", {
        "kind": "lesson_package", "provider": centre.tree.school_a.pk, "title": "认识钟表 课时包",
        "summary": "微课视频、学习任务单和课后练习，帮助学生认识整时。", "library": "k12",
        "subject": centre.lesson.unit.volume.subject_id, "volume": centre.lesson.unit.volume_id,
        "lesson": centre.lesson.pk, "columns": [centre.column.pk], "keywords": "钟表，整时", "authors": "李老师",
        "language": "zh-hans", "licence": "platform", "download_policy": "signed_in", "duration_seconds": "600",
    })
    resource = Resource.objects.get(title="认识钟表 课时包")
    assert response.status_code == 302 and resource.kind == Kind.LESSON_PACKAGE and resource.lesson == centre.lesson
    for role, name, data in (("video", "lesson.webm", DEMO_VIDEO.read_bytes()), ("task_sheet", "task.pdf", pdf_bytes()),
                             ("exercises", "exercises.pdf", pdf_bytes("Exercises"))):
        from django.core.files.uploadedfile import SimpleUploadedFile
        provider.post(f"/resources/{resource.pk}/upload/", {"role": role, "file": SimpleUploadedFile(name, data)})
    assert resource.versions.get().files.count() == 3
    provider.post(f"/resources/{resource.pk}/submit/")
    history = provider.get(f"/resources/{resource.pk}/history/").content.decode()
    assert "data-testid=\"version-1\"" in history
    assert resource.versions.get().state == "screened"


def test_upload_page_refuses_an_executable(centre, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    from django.core.files.uploadedfile import SimpleUploadedFile
    resource = centre.new_video()
    provider = signed_in(centre.provider, mfa=False)
    response = provider.post(f"/resources/{resource.pk}/upload/",
                             {"role": "poster", "file": SimpleUploadedFile("cover.png", b"MZ" + bytes(1000))},
                             follow=True)
    assert "Programs and scripts" in response.content.decode() or "程序" in response.content.decode()
    assert not resource.versions.get().files.filter(role="poster").exists()


def test_reviewer_pages_queue_and_decision(centre):
    resource = centre.new_video(submit=True)
    reviewer = signed_in(centre.reviewer)
    queue = reviewer.get("/manage/resources/review/").content.decode()
    task = resource.tasks.get()
    assert f"/manage/resources/review/{task.pk}/" in queue
    form = {"outcome": "approve", "comment": ""}
    for dim, items in services.CHECKLIST.items():
        for code, _label in items:
            form[f"{dim}__{code}"] = "on"
    assert reviewer.post(f"/manage/resources/review/{task.pk}/", form).status_code == 302
    assert resource.tasks.filter(level=2, state="open").exists()
    own = signed_in(centre.school_reviewer).get(f"/manage/resources/review/{resource.tasks.get(level=2).pk}/")
    assert 'data-testid="refusal"' in own.content.decode()


def test_review_pages_need_a_reviewer_with_two_step_verification(centre):
    assert signed_in(centre.provider, mfa=False).get("/manage/resources/review/").status_code == 403
    assert signed_in(centre.reviewer, mfa=False).get("/manage/resources/review/").status_code == 302


def test_complaint_pages(published, centre):
    complaint = Complaint.objects.create(resource=published, complainant=centre.learner, category="other",
                                         text="内容过时", provider_path=published.provider_path)
    handler = signed_in(centre.handler)
    assert "内容过时" in handler.get("/manage/resources/complaints/").content.decode()
    handler.post(f"/manage/resources/complaints/{complaint.pk}/", {"uphold": "1", "outcome": "已下架整改"})
    published.refresh_from_db()
    assert published.status == Status.TAKEN_DOWN
    mine = signed_in(centre.learner, mfa=False).get("/resources/my-complaints/").content.decode()
    assert "已下架整改" in mine


def test_catalogue_pages_for_catalogue_admins_only(centre):
    admin = signed_in(centre.handler)
    assert "德育" in admin.get("/manage/resources/catalogue/").content.decode()
    board = admin.post("/manage/resources/catalogue/", {"library": "k12", "code": "k12-test", "name": "测试板块"})
    assert board.status_code == 302
    assert signed_in(centre.reviewer).get("/manage/resources/catalogue/").status_code == 403


# --- API -------------------------------------------------------------------------------------------------


def _json(response):
    return json.loads(response.content)


def test_api_create_edit_upload_submit_and_review(centre, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    provider = signed_in(centre.provider, mfa=False)
    created = provider.post("/api/v1/resources", {
        "kind": "video", "provider_id": centre.tree.school_a.pk, "title": "认识钟表 微课",
        "summary": "通过生活中的钟表认识整时，学会看钟面上的时针和分针。", "lesson_id": centre.lesson.pk,
        "column_ids": [centre.column.pk], "keywords": ["钟表"], "authors": ["李老师"], "duration_seconds": 600,
    }, content_type="application/json")
    assert created.status_code == 201, created.content
    body = _json(created)
    rid = body["id"]
    assert body["subject"]["name"] == "数学" and body["grade"]["name"] == "一年级"
    put = provider.put(f"/api/v1/resources/{rid}/files/main?name=clock.webm", DEMO_VIDEO.read_bytes(),
                       content_type="video/webm")
    assert put.status_code == 201, put.content
    bad = provider.put(f"/api/v1/resources/{rid}/files/poster?name=cover.png", b"\x7fELF" + bytes(100),
                       content_type="image/png")
    assert bad.status_code == 422 and "file" in _json(bad)["errors"]
    submitted = provider.post(f"/api/v1/resources/{rid}/submit")
    assert _json(submitted)["state"] == "screened"
    illegal = provider.post(f"/api/v1/resources/{rid}/submit")
    assert illegal.status_code == 422
    reviewer = signed_in(centre.reviewer)
    queue = _json(reviewer.get("/api/v1/resources/reviews/queue"))
    assert [t["resource_id"] for t in queue] == [rid]
    detail = _json(reviewer.get(f"/api/v1/resources/reviews/{queue[0]['id']}"))
    assert set(detail["checklist"]) == {"political", "scientific", "suitability", "conformance"}
    decided = reviewer.post(f"/api/v1/resources/reviews/{queue[0]['id']}/decision",
                            {"outcome": "approve", "dimensions": all_passed()}, content_type="application/json")
    assert decided.status_code == 200, decided.content
    history = _json(provider.get(f"/api/v1/resources/{rid}/versions"))
    assert history[0]["decisions"][0]["outcome"] == "approve"


def test_api_object_permissions(centre, published):
    stranger = signed_in(centre.learner, mfa=False)
    assert stranger.patch(f"/api/v1/resources/{published.pk}", {"title": "x"},
                          content_type="application/json").status_code == 403
    assert stranger.get(f"/api/v1/resources/{published.pk}/versions").status_code == 403
    assert stranger.get("/api/v1/resources/reviews/queue").status_code == 403
    assert stranger.post(f"/api/v1/resources/{published.pk}/take-down", {"reason": "x"},
                         content_type="application/json").status_code == 403
    assert signed_in(centre.colleague, mfa=False).patch(
        f"/api/v1/resources/{published.pk}", {"title": "x"}, content_type="application/json").status_code == 403


def test_api_public_reads_and_learner_actions(client, centre, published):
    assert _json(client.get(f"/api/v1/resources/{published.pk}"))["title"] == "认识钟表 微课"
    stages = _json(client.get("/api/v1/resources/taxonomy/stages"))
    assert [s["name"] for s in stages] == ["小学", "初中", "高中"]
    majors = _json(client.get("/api/v1/resources/taxonomy/majors?library=higher"))
    assert {"080901", "0809", "08", "14"} <= {m["code"] for m in majors}
    boards = _json(client.get("/api/v1/resources/boards?library=k12"))
    assert len(boards) == 10 and boards[0]["name"] == "德育"
    assert client.put(f"/api/v1/resources/{published.pk}/rating", {"stars": 5},
                      content_type="application/json").status_code == 401
    learner = signed_in(centre.learner, mfa=False)
    rating = learner.put(f"/api/v1/resources/{published.pk}/rating", {"stars": 5}, content_type="application/json")
    assert _json(rating) == {"stars": 5, "rating": 5.0, "rating_count": 1}
    assert learner.put(f"/api/v1/resources/{published.pk}/rating", {"stars": 6},
                       content_type="application/json").status_code == 422
    assert learner.put(f"/api/v1/resources/{published.pk}/favourite").status_code == 204
    complaint = learner.post(f"/api/v1/resources/{published.pk}/complaints",
                             {"category": "scientific", "text": "钟面画错了"}, content_type="application/json")
    assert complaint.status_code == 201
    handled = signed_in(centre.handler).post(f"/api/v1/resources/complaints/{_json(complaint)['id']}/decision",
                                             {"uphold": False, "outcome": "经核实无误"},
                                             content_type="application/json")
    assert _json(handled)["state"] == "dismissed"
    assert _json(learner.get("/api/v1/resources/complaints/mine"))[0]["outcome"] == "经核实无误"


def test_api_catalogue_writes_need_the_catalogue_capability(centre):
    admin = signed_in(centre.handler)
    board = admin.post("/api/v1/resources/boards", {"library": "training", "code": "training-new", "name": "新专题"},
                       content_type="application/json")
    assert board.status_code == 201
    column = admin.post("/api/v1/resources/columns", {"board_id": _json(board)["id"], "code": "training-new-a",
                                                       "name": "专题一", "stages": ["primary"]},
                        content_type="application/json")
    assert _json(column)["stages"] == ["primary"]
    assert signed_in(centre.provider, mfa=False).post(
        "/api/v1/resources/boards", {"library": "k12", "code": "k12-x", "name": "x"},
        content_type="application/json").status_code == 403


def test_resource_for_search_and_board_codes(published):
    from zhijiao.resources import selectors

    doc = selectors.resource_for_search(published.pk)
    assert doc["subject_name"] == "数学" and doc["board_codes"] == ["k12-curriculum"] and doc["stage"] == "primary"
    assert selectors.board_codes_for([published.pk]) == {published.pk: ["k12-curriculum"]}
    published.status = Status.TAKEN_DOWN
    published.save()
    assert selectors.resource_for_search(published.pk) is None


def test_poster_in_published_detail(client, centre, published):
    from tests.resources.conftest import upload
    upload(centre.provider, published, "poster", png_bytes(), "poster.png")
    assert "poster=" not in client.get(f"/resources/{published.pk}/").content.decode(), \
        "an unreviewed poster does not appear on the public page"


def test_anonymous_page_is_cached_but_the_tracker_is_per_visitor(published):
    from django.test import Client

    first, second = Client(), Client()
    page_one = first.get(f"/resources/{published.pk}/").content.decode()
    page_two = second.get(f"/resources/{published.pk}/").content.decode()
    assert "认识钟表 微课" in page_two and "data-zj-video" in page_two
    assert first.cookies["zj_vid"].value != second.cookies["zj_vid"].value
    assert first.cookies["zj_vid"].value in page_one and second.cookies["zj_vid"].value in page_two
    counters.flush()
    published.stats.refresh_from_db()
    assert published.stats.views == 2
