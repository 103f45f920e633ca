"""Property-based fuzzing of the whole JSON API from its own OpenAPI document (schemathesis).

Every operation the API publishes gets generated requests, valid and invalid, sent in-process to the
WSGI application as an administrator whose role reaches that operation and who passed two-step
verification. Whatever the input, the answer must never be a 5xx: bad input gets a 4xx.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.conftest import signed_in
from zhijiao.identity import clients
from zhijiao.identity.models import Membership
from zhijiao.wsgi import application

# Reading the schema touches no table, so it can happen at collection, before any test database exists.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# Who calls each part of the API: the administrator whose role grants it (三员分立 keeps these apart).
CALLER_BY_PREFIX = {
    "/api/v1/oidc/": "sysadmin",
    "/api/v1/audit": "auditor",
}
DEFAULT_CALLER = "county_a_admin"

# Enough to run in every `make test` (well under a minute); set ZJ_FUZZ_EXAMPLES higher for a deeper hunt.
EXAMPLES = int(os.environ.get("ZJ_FUZZ_EXAMPLES", "25"))


def caller_for(path: str) -> str:
    return next((who for prefix, who in CALLER_BY_PREFIX.items() if path.startswith(prefix)), DEFAULT_CALLER)


@pytest.fixture
def admin_sessions(people) -> dict[str, dict[str, str]]:
    """Cookies of a browser session per administrator, signed in and past two-step verification."""
    callers = {DEFAULT_CALLER, *CALLER_BY_PREFIX.values()}
    return {name: {"sessionid": signed_in(people[name]).cookies["sessionid"].value} for name in callers}


# Path parameters that name an object; random ids almost always miss, so a second pass aims at real ones.
REAL_OBJECT_PARAMETERS = ("org_id", "user_id", "membership_id", "pk")


@pytest.fixture
def real_ids(people, tree) -> dict[str, int]:
    """An object that the operation's caller may act on, for each of REAL_OBJECT_PARAMETERS."""
    client = clients.create_client(people["sysadmin"], name="浙江职教平台", client_type="confidential",
                                   redirect_uris=["https://zj.example.cn/callback"])
    return {
        "org_id": tree.school_a.pk,
        "user_id": people["teacher_a"].pk,
        "membership_id": Membership.objects.get(user=people["pupil_a"]).pk,
        "pk": client.client.pk,  # /oidc/clients/{pk}
    }


@pytest.fixture
def requests_inside_the_test_transaction():
    """Let the WSGI application share the test's transaction, as Django's own test client does.

    A request normally starts and ends by closing database connections that are outside autocommit;
    inside the test's transaction that would mark it broken and fail every later query.
    """
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


def call_as_an_administrator(case, admin_sessions) -> None:
    # Unsafe methods on a session need the CSRF token: the same secret in the cookie and the header.
    csrf = get_random_string(32)
    cookies = {**admin_sessions[caller_for(case.path)], "csrftoken": csrf}
    case.call_and_validate(cookies=cookies, headers={"X-CSRFToken": csrf}, checks=[not_a_server_error])


# The signed-in sessions and the database are shared by all examples of an operation on purpose: what
# earlier requests created is there for later ones to trip over.
fuzz_settings = settings(max_examples=EXAMPLES, deadline=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.django_db
@pytest.mark.usefixtures("requests_inside_the_test_transaction")
@schema.parametrize()
@fuzz_settings
def test_api_never_answers_with_a_server_error(case, admin_sessions):
    call_as_an_administrator(case, admin_sessions)


@pytest.mark.django_db
@pytest.mark.usefixtures("requests_inside_the_test_transaction")
@schema.include(path_regex=r"\{(" + "|".join(REAL_OBJECT_PARAMETERS) + r")\}").parametrize()
@fuzz_settings
def test_api_never_answers_with_a_server_error_about_real_objects(case, admin_sessions, real_ids):
    case.path_parameters.update({name: real_ids[name] for name in case.path_parameters if name in real_ids})
    call_as_an_administrator(case, admin_sessions)
