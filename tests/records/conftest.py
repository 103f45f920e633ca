"""Fixtures for the learning record store: credentials, an xAPI client, statement builders."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from django.test import Client

from zhijiao.records import services
from zhijiao.records.models import Credential

VERSION = "1.0.3"


def statement(**overrides) -> dict:
    """A small valid statement; keyword arguments replace top-level properties."""
    body = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "name": "学生甲", "mbox": "mailto:pupil@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted", "display": {"en-US": "attempted"}},
        "object": {"objectType": "Activity", "id": "http://example.com/activities/maths-1",
                   "definition": {"name": {"en-US": "Maths 1", "zh-CN": "数学一"}}},
    }
    body.update(overrides)
    return body


class XapiClient:
    """Speaks xAPI to the test server with one credential (or a signed-in browser client)."""

    def __init__(self, client: Client, authorization: str | None = None, version: str | None = VERSION):
        self.client = client
        self.authorization = authorization
        self.version = version

    def headers(self, extra=None):
        headers = {}
        if self.version:
            headers["X-Experience-API-Version"] = self.version
        if self.authorization:
            headers["Authorization"] = self.authorization
        headers.update(extra or {})
        return headers

    def request(self, method, path, body=None, *, params=None, headers=None, content_type="application/json",
                raw=None):
        from urllib.parse import urlencode

        url = "/xapi/" + path + ("?" + urlencode(params) if params else "")
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs = {"headers": self.headers(headers)}
        if data is not None:
            kwargs["data"] = data
            kwargs["content_type"] = content_type
        return getattr(self.client, method.lower())(url, **kwargs)

    def post(self, statements, **kw):
        return self.request("POST", "statements", statements, **kw)

    def put(self, statement, statement_id, **kw):
        return self.request("PUT", "statements", statement, params={"statementId": statement_id}, **kw)

    def get(self, params=None, **kw):
        return self.request("GET", "statements", params=params, **kw)


def basic(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


@pytest.fixture
def issue(tree, people):
    """issue(scopes) -> (credential, Authorization header value)."""

    def make(scopes=("write", "read_all"), name="Connected platform"):
        credential, secret = services.issue_credential(
            actor=people["sysadmin"], name=name, organisation=tree.province, scopes=scopes
        )
        return credential, basic(credential.key, secret)

    return make


@pytest.fixture
def lrs(issue) -> XapiClient:
    """A client holding a write + read_all credential."""
    _credential, authorization = issue()
    return XapiClient(Client(), authorization)


__all__ = ["Credential", "XapiClient", "basic", "statement"]
