"""Nothing acknowledged is lost: SIGKILL a live gunicorn mid-ingest, restart it, and every id that got a 200
is there. Runs against its own SQLite file (or, with DATABASE_URL set to PostgreSQL, a throw-away database
on that server), outside the test transaction, because the point is what reached the disk."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

pytestmark = [pytest.mark.slow, pytest.mark.live]

SETUP = """
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from zhijiao.identity import services as identity
from zhijiao.identity.models import OrgKind, Role, User
from zhijiao.records import services
nation = identity.create_organisation(None, name="n", kind=OrgKind.NATION, parent=None)
admin = User.objects.create(username="durability_admin")
identity.grant_role_as_operator(admin, nation, Role.SYSTEM_ADMIN)
credential, secret = services.issue_credential(actor=admin, name="d", organisation=nation, scopes=["write", "read_all"])
print(credential.key + ":" + secret)
"""

COUNT = """
import django, sys; django.setup()
from zhijiao.records.models import StatementKey
wanted = set(sys.stdin.read().split())
found = {str(k) for k in StatementKey.objects.filter(statement_id__in=list(wanted)).values_list("statement_id", flat=True)}
print(len(wanted - found))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(env, port):
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "zhijiao.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--log-level", "error"], cwd=ROOT, env=env, start_new_session=True,
    )
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/xapi/about", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError("gunicorn did not start")


def _batch(n=50):
    return [{"id": str(uuid.uuid4()), "actor": {"mbox": f"mailto:p{i}@example.com"},
             "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
             "object": {"id": f"http://example.com/activities/{i}"}} for i in range(n)]


def test_sigkill_during_ingest_loses_no_acknowledged_statement():
    from _common import throwaway_database

    with throwaway_database("durability"):
        env = dict(os.environ)
        python = str(Path(sys.executable))
        key_secret = subprocess.run([python, "-c", SETUP], env=env, cwd=ROOT, capture_output=True, text=True,
                                    check=True).stdout.strip().splitlines()[-1]
        headers = {"Authorization": "Basic " + base64.b64encode(key_secret.encode()).decode(),
                   "X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}
        port = _free_port()
        server = _start(env, port)
        acknowledged: list[str] = []
        stop = threading.Event()

        def send():
            while not stop.is_set():
                batch = _batch()
                request = urllib.request.Request(f"http://127.0.0.1:{port}/xapi/statements",
                                                 data=json.dumps(batch).encode(), headers=headers, method="POST")
                try:
                    with urllib.request.urlopen(request, timeout=5) as response:
                        if response.status == 200:
                            acknowledged.extend(json.loads(response.read()))
                except (OSError, urllib.error.URLError):
                    continue

        senders = [threading.Thread(target=send) for _ in range(4)]
        for thread in senders:
            thread.start()
        try:
            deadline = time.time() + 30
            while len(acknowledged) < 1000 and time.time() < deadline:
                time.sleep(0.05)
            os.killpg(server.pid, signal.SIGKILL)  # the master and every worker, mid-request
            server.wait(timeout=10)
        finally:
            stop.set()
            for thread in senders:
                thread.join(timeout=10)
        assert len(acknowledged) >= 100, "the server acknowledged too little to test anything"
        restarted = _start(env, port)
        try:
            missing = subprocess.run([python, "-c", COUNT], env=env, cwd=ROOT, input="\n".join(acknowledged),
                                     capture_output=True, text=True, check=True).stdout.strip()
            assert missing == "0", f"{missing} of {len(acknowledged)} acknowledged statements were lost"
            # And the restarted server serves them.
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/xapi/statements?statementId={acknowledged[-1]}", headers=headers)
            with urllib.request.urlopen(request, timeout=5) as response:
                assert json.loads(response.read())["id"] == acknowledged[-1]
        finally:
            os.killpg(restarted.pid, signal.SIGTERM)
            restarted.wait(timeout=10)
