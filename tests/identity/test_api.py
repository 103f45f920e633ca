"""The JSON API's answers to bad input: clear messages in the caller's language, and nothing changed."""

import json

import pytest

from tests.conftest import signed_in
from zhijiao.identity.models import Organisation, User

pytestmark = pytest.mark.django_db


def test_malformed_json_is_a_400_with_a_message(people):
    client = signed_in(people["county_a_admin"])
    response = client.post("/api/v1/orgs", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "请求体不是有效的 JSON。"}


def test_missing_fields_are_named(tree, people):
    client = signed_in(people["county_a_admin"])
    count = Organisation.objects.count()
    response = client.post("/api/v1/orgs", data=json.dumps({"kind": "school"}), content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "有字段缺失或无效。"
    assert body["errors"]["name"] == ["此项为必填项。"] and "parent_id" in body["errors"]
    assert Organisation.objects.count() == count


def test_service_validation_errors_come_back_per_field(tree, people):
    client = signed_in(people["county_a_admin"])
    response = client.post("/api/v1/orgs", data=json.dumps(
        {"name": "代码错误的学校", "kind": "school", "parent_id": tree.county_a.pk, "code": "12345"}),
        content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"]["code"] == ["学校标识码为 10 位数字。"]


def test_english_callers_get_english_messages(tree, people):
    client = signed_in(people["county_a_admin"])
    response = client.post("/api/v1/orgs", data="{", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == "The request body is not valid JSON."


def test_unknown_object_is_a_json_404(people):
    response = signed_in(people["county_a_admin"]).get("/api/v1/orgs/999999")
    assert response.status_code == 404 and response.json() == {"detail": "未找到。"}


def test_duplicate_username_and_invalid_id_number_are_refused(tree, people):
    client = signed_in(people["county_a_admin"])
    payload = {"username": "teacher_a", "real_name": "重名", "organisation_id": tree.school_a.pk, "role": "teacher"}
    response = client.post("/api/v1/users", data=json.dumps(payload), content_type="application/json")
    assert response.status_code == 422 and "username" in response.json()["errors"]
    payload.update(username="new_one", id_number="110105201403071239")  # wrong check digit
    response = client.post("/api/v1/users", data=json.dumps(payload), content_type="application/json")
    assert response.status_code == 422 and "id_number" in response.json()["errors"]
    assert not User.objects.filter(username="new_one").exists()


def test_oversized_body_is_refused_without_a_stack_trace(people):
    client = signed_in(people["county_a_admin"])
    huge = json.dumps({"name": "x" * (6 * 1024 * 1024), "kind": "school", "parent_id": 1})
    response = client.post("/api/v1/orgs", data=huge, content_type="application/json")
    assert response.status_code == 413
    assert "Traceback" not in response.content.decode()


def test_profile_update_through_the_api(people):
    client = signed_in(people["pupil_a"], mfa=False)
    response = client.patch("/api/v1/me", data=json.dumps({"real_name": "李明", "phone": "13700001111",
                                                            "language": "en"}), content_type="application/json")
    assert response.status_code == 200
    assert response.json()["phone_masked"] == "137****1111" and response.json()["language"] == "en"
    bad = client.patch("/api/v1/me", data=json.dumps({"phone": "123"}), content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"]["phone"] == ["请输入 11 位中国大陆手机号。"]


def test_openapi_document_is_served(db):
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/me" in schema["paths"]
    assert Client().get("/api/docs").status_code == 200


def test_admin_session_without_two_step_verification_cannot_use_the_api(tree, people):
    client = signed_in(people["county_a_admin"], mfa=False)
    response = client.get(f"/api/v1/orgs/{tree.county_a.pk}/members")
    assert response.status_code == 403
    assert response.json()["detail"] == "管理员须先通过两步验证才能使用 API。"
    assert signed_in(people["county_a_admin"]).get(f"/api/v1/orgs/{tree.county_a.pk}/members").status_code == 200
    # A learner's session never needed it.
    assert signed_in(people["pupil_a"], mfa=False).get("/api/v1/me").status_code == 200


def test_nul_characters_are_refused_before_reaching_the_database(tree, people):
    client = signed_in(people["county_a_admin"])
    assert client.get(f"/api/v1/orgs/{tree.county_a.pk}/members", {"q": "a\x00b"}).status_code == 400
    response = client.post("/api/v1/orgs", data=json.dumps({"name": "坏\u0000名", "kind": "school",
                                                            "parent_id": tree.county_a.pk}),
                           content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"]
    assert not Organisation.objects.filter(name__startswith="坏").exists()
    assert client.get("/manage/orgs/", {"q": "x\x00"}).status_code == 400


def test_an_id_number_already_registered_is_named_as_the_problem(tree, people):
    client = signed_in(people["county_a_admin"])
    payload = {"username": "twin", "real_name": "重号", "organisation_id": tree.school_a.pk, "role": "teacher",
               "id_number": people["pupil_a"].id_number}
    response = client.post("/api/v1/users", data=json.dumps(payload), content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"]["id_number"] == ["该身份证号已被注册。"]
