"""Discovery pages and API: search page with highlights, facets and a helpful empty page; suggestions;
the resource-centre home, browse tree, lesson page and board pages."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import signed_in
from zhijiao.resources.models import Favourite


@pytest.fixture
def published(centre, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        resource = centre.new_video(title="认识钟表 <b>微课</b>", submit=True)
        centre.approve_all_levels(resource)
    return resource


def test_search_page_shows_highlighted_escaped_results_with_facets(published):
    page = Client().get("/resources/search/", {"q": "钟表"}).content.decode()
    assert f'data-resource="{published.pk}"' in page
    assert "认识<mark>钟表</mark> &lt;b&gt;微课&lt;/b&gt;" in page
    assert 'data-facet="subject" data-value="math"' in page


def test_clicking_a_facet_filters_and_a_chip_removes_it(published):
    client = Client()
    assert f'data-resource="{published.pk}"' in client.get("/resources/search/", {"q": "钟表", "type": "video"}).content.decode()
    assert f'data-resource="{published.pk}"' not in client.get("/resources/search/", {"q": "钟表", "type": "courseware"}).content.decode()


def test_nothing_found_page_helps(published):
    page = Client().get("/resources/search/", {"q": "认识火山喷发"}).content.decode()
    assert "empty-result" in page or "notice" in page
    page = Client().get("/resources/search/", {"q": "zz火山"}).content.decode()
    assert 'class="card empty-result"' in page and "/resources/browse/" in page


def test_search_api_returns_items_and_facets(published):
    body = Client().get("/api/v1/resources/search", {"q": "rszb"}).json()
    assert body["total"] == 1 and body["items"][0]["id"] == published.pk
    assert "<mark>" in body["items"][0]["title_html"] and "&lt;b&gt;" in body["items"][0]["title_html"]
    facets = {f["name"]: {v["value"]: v["count"] for v in f["values"]} for f in body["facets"]}
    assert facets["type"] == {"video": 1} and facets["stage"] == {"primary": 1}
    assert Client().get("/api/v1/resources/search", {"sort": "bogus"}).status_code == 422


def test_suggest_api_answers_chinese_and_pinyin(published):
    assert "认识钟表" in Client().get("/api/v1/resources/suggest", {"q": "rs"}).json()
    assert "认识钟表" in Client().get("/api/v1/resources/suggest", {"q": "认识"}).json()


def test_home_lists_boards_hot_and_recommends_for_signed_in_users(published, centre):
    page = Client().get("/resources/").content.decode()
    assert "/resources/boards/k12-moral/" in page and f"/resources/{published.pk}/" in page
    Favourite.objects.create(user=centre.learner, resource=published)
    mine = signed_in(centre.learner).get("/api/v1/resources/recommendations")
    assert mine.status_code == 200
    assert Client().get("/api/v1/resources/recommendations").status_code == 401


def test_browse_shows_the_unit_and_lesson_tree_and_the_lesson_page(published, centre):
    volume = centre.lesson.unit.volume
    page = Client().get("/resources/browse/", {"stage": "primary", "subject": volume.subject_id,
                                               "edition": volume.edition_id, "volume": volume.pk}).content.decode()
    assert f"/resources/lessons/{centre.lesson.pk}/" in page and centre.lesson.unit.name in page
    lesson_page = Client().get(f"/resources/lessons/{centre.lesson.pk}/").content.decode()
    assert centre.lesson.name in lesson_page
    tree = Client().get(f"/api/v1/resources/volumes/{volume.pk}/tree").json()
    assert any(lesson["id"] == centre.lesson.pk for unit in tree["units"] for lesson in unit["lessons"])


def test_board_and_column_pages_list_their_resources(published, centre):
    column = centre.column
    page = Client().get(f"/resources/boards/{column.board.code}/{column.pk}/").content.decode()
    assert f'data-resource="{published.pk}"' in page
    assert Client().get("/resources/boards/no-such-board/").status_code == 404


def test_recommendations_follow_the_learners_subjects_and_leave_out_what_they_saw(
        centre, django_capture_on_commit_callbacks):
    from zhijiao.resources import discovery

    with django_capture_on_commit_callbacks(execute=True):
        first = centre.new_video(title="认识钟表 微课", submit=True)
        centre.approve_all_levels(first)
        second = centre.new_video(title="认识整时 微课", submit=True)
        centre.approve_all_levels(second)
    Favourite.objects.create(user=centre.learner, resource=first)
    picked = discovery.recommendations(centre.learner)
    assert second in picked and first not in picked


def test_grade_is_read_from_class_names():
    from zhijiao.resources.discovery import grade_from_name

    assert [grade_from_name(n) for n in ("三年级一班", "高二(3)班", "初一年级", "七年级2班", "教务处")] == [3, 11, 7, 7, None]


def test_hot_list_prefers_this_weeks_favourites(published, centre):
    from zhijiao.resources import discovery

    Favourite.objects.create(user=centre.learner, resource=published)
    assert discovery.hot_resources(limit=3)[0] == published


def test_lesson_page_plays_the_package_video_and_lists_task_sheet_and_exercises(
        centre, django_capture_on_commit_callbacks, settings, tmp_path):
    from tests.resources.conftest import DEMO_VIDEO, pdf_bytes, upload
    from zhijiao.resources import services
    from zhijiao.resources.models import Kind

    settings.MEDIA_ROOT = str(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        package = services.create_resource(
            centre.provider, kind=Kind.LESSON_PACKAGE, provider=centre.tree.school_a, columns=[centre.column],
            title="认识钟表（第1课时）", summary="跟着微课认识钟面，完成学习任务单，再做课后练习巩固整时的读法。", lesson=centre.lesson,
            keywords=["钟表"], authors=["李老师"], knowledge_points=["认识整时"], duration_seconds=900)
        upload(centre.provider, package, "video", DEMO_VIDEO.read_bytes(), "lesson.webm", "video/webm")
        upload(centre.provider, package, "task_sheet", pdf_bytes("Task sheet"), "task.pdf", "application/pdf")
        upload(centre.provider, package, "exercises", pdf_bytes("Exercises"), "exercises.pdf", "application/pdf")
        version = services.submit(centre.provider, package)
        assert version.screenings.first().passed, version.screenings.first().findings
        centre.approve_all_levels(package)
    page = Client().get(f"/resources/lessons/{centre.lesson.pk}/").content.decode()
    assert 'data-testid="lesson-video"' in page and f"/resources/{package.pk}/files/" in page
    assert "task.pdf" in page and "exercises.pdf" in page
    from django.core.cache import cache

    assert any(cache.get(f"zj:lesson-page:{centre.lesson.pk}:{lang}") for lang in ("en", "zh-hans"))
    again = Client().get(f"/resources/lessons/{centre.lesson.pk}/").content.decode()  # from the cache
    assert 'data-testid="lesson-video"' in again and "task.pdf" in again
