"""Requests as real callers send them: CSRF enforced, as it is outside Django's test client.

Each test pins down a fault found while fuzzing the API.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string
from oauth2_provider.models import AccessToken

from tests.conftest import enrol_totp, signed_in
from zhijiao.identity.models import Organisation

pytestmark = pytest.mark.django_db


def test_a_post_declaring_multipart_without_a_boundary_is_refused_as_bad_input(people):
    browser = signed_in(people["county_a_admin"])
    browser.handler.enforce_csrf_checks = True
    csrf = get_random_string(32)
    browser.cookies["csrftoken"] = csrf

    response = browser.post("/api/v1/orgs", data=b'{"name": "x"}', content_type="multipart/form-data",
                            HTTP_X_CSRFTOKEN=csrf)

    assert response.status_code == 400
    assert response.json()["detail"]


def test_a_program_with_an_access_token_can_write_without_a_csrf_cookie(people, tree):
    admin = people["county_a_admin"]
    enrol_totp(admin)
    AccessToken.objects.create(user=admin, token="county-token", scope="openid api",
                               expires=timezone.now() + timedelta(hours=1))
    program = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION="Bearer county-token")

    response = program.post("/api/v1/orgs", {"name": "三年级二班", "kind": "class", "parent_id": tree.school_a.pk},
                            content_type="application/json")

    assert response.status_code == 201, response.json()
    assert Organisation.objects.filter(parent=tree.school_a, name="三年级二班").exists()


@pytest.mark.parametrize("bounds", [{"date_from": "0001-01-01"}, {"date_to": "9999-12-31"}], ids=["first", "last"])
def test_the_audit_log_takes_the_calendars_first_and_last_days(people, bounds):
    response = signed_in(people["auditor"]).get("/api/v1/audit", bounds)

    assert response.status_code == 200, response.content
