"""The dictionary page and API: the security administrator edits, tries and imports; nobody else may."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import signed_in
from zhijiao.core.models import SensitiveWord

URL = "/manage/screening/"


def test_security_admin_adds_a_word_on_the_page_and_sees_it_listed(people):
    client = signed_in(people["secadmin"])
    response = client.post(URL, {"action": "add", "add-word": "网络赌博", "add-category": "advertising",
                                 "add-enabled": "on"}, follow=True)
    assert response.status_code == 200
    assert "网络赌博" in response.content.decode()
    assert SensitiveWord.objects.get().category == "advertising"


def test_trying_a_text_shows_the_hit_in_context(people):
    client = signed_in(people["secadmin"])
    client.post(URL, {"action": "add", "add-word": "刷单", "add-category": "advertising", "add-enabled": "on"})
    page = client.post(URL, {"action": "try", "try-text": "招聘兼职<b>刷 单</b>员"}).content.decode()
    assert "招聘兼职&lt;b&gt;【刷 单】&lt;/b&gt;员" in page  # the hit in context, the tried text escaped


def test_import_file_adds_words_and_reports_bad_lines(people):
    client = signed_in(people["secadmin"])
    upload = SimpleUploadedFile("words.txt", "高利贷\n裸聊,pornographic\n！！\n".encode())
    response = client.post(URL, {"action": "import", "import-file": upload, "import-category": "advertising"},
                           follow=True)
    assert SensitiveWord.objects.count() == 2
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 2 and "3" in shown[1]  # the summary, then the one unusable line by number


def test_disable_and_remove_from_the_list(people):
    client = signed_in(people["secadmin"])
    client.post(URL, {"action": "add", "add-word": "代考", "add-category": "other", "add-enabled": "on"})
    entry = SensitiveWord.objects.get()
    client.post(f"{URL}{entry.pk}/", {"action": "toggle"})
    entry.refresh_from_db()
    assert entry.enabled is False
    client.post(f"{URL}{entry.pk}/", {"action": "delete"})
    assert not SensitiveWord.objects.exists()


@pytest.mark.parametrize("who", ["sysadmin", "auditor", "teacher_a"])
def test_other_roles_cannot_open_the_page(people, who):
    response = signed_in(people[who]).get(URL)
    assert response.status_code == 403


def test_api_adds_lists_scans_and_refuses_others(people):
    admin = signed_in(people["secadmin"])
    headers = {"HTTP_X_CSRFTOKEN": "x"}
    admin.cookies["csrftoken"] = "x"
    created = admin.post("/api/v1/screening/words", json.dumps({"word": "博彩", "category": "advertising"}),
                         content_type="application/json", **headers)
    assert created.status_code == 201, created.content
    listed = admin.get("/api/v1/screening/words").json()
    assert listed["count"] == 1 and listed["items"][0]["word"] == "博彩"
    hits = admin.post("/api/v1/screening/scan", json.dumps({"text": "澳门博-彩"}), content_type="application/json",
                      **headers).json()
    assert hits[0]["matched"] == "博-彩" and hits[0]["context"] == "澳门【博-彩】"
    refused = admin.post("/api/v1/screening/words", json.dumps({"word": "博彩", "category": "nope"}),
                         content_type="application/json", **headers)
    assert refused.status_code == 422
    teacher = signed_in(people["teacher_a"])
    teacher.cookies["csrftoken"] = "x"
    assert teacher.get("/api/v1/screening/words").status_code == 403
    assert teacher.post("/api/v1/screening/scan", json.dumps({"text": "x"}), content_type="application/json",
                        **headers).status_code == 403
