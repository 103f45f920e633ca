"""xAPI ingest over HTTP: POST /xapi/statements in batches of 100, full validation, with gunicorn.

Serves the platform with gunicorn on 127.0.0.1 from a throw-away database (SQLite, or PostgreSQL when
DATABASE_URL names a server) and loads it with wrk: every request carries 100 new statements (xAPI
Video Profile "played", with registration, context activities and extensions; the actors are real
platform users) under an LRS credential. The figure is statements stored per second, counted in the
database afterwards. Target: ≥ 10,000 statements/s.

    .venv/bin/python bench/xapi_ingest.py [--duration 20] [--workers 3] [--connections 8]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import database_label, gunicorn_server, machine, report, throwaway_database

TARGET = 10_000
BATCH = 100
USERS = 2000

# wrk builds each request body itself so every statement id is new; ids are version-4 UUIDs made from
# the thread number, a per-thread counter and random bits.
LUA = r"""
local counter = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  math.randomseed(os.time() * 1000 + tid * 7919 + math.floor(os.clock() * 1000000))
end
local template = [[{"id":"%s","actor":{"objectType":"Agent","account":{"homePage":"HOME","name":"%d"}},
"verb":{"id":"https://w3id.org/xapi/video/verbs/played","display":{"en-US":"played","zh-CN":"播放"}},
"object":{"objectType":"Activity","id":"HOME/resources/%d/","definition":{"type":"https://w3id.org/xapi/video/activity-type/video",
"name":{"zh-CN":"视频资源 %d"}}},"result":{"extensions":{"https://w3id.org/xapi/video/extensions/time":%d.5}},
"context":{"registration":"%s","contextActivities":{"category":[{"id":"https://w3id.org/xapi/video"}]},
"extensions":{"https://w3id.org/xapi/video/extensions/session-id":"s%d","https://w3id.org/xapi/video/extensions/length":600,
"https://zhijiao.cn/xapi/extensions/board":"primary"}},"timestamp":"2026-03-01T08:%02d:%02d.123+08:00"}]]
local function uuid()
  counter = counter + 1
  return string.format("%08x-%04x-4%03x-%x%03x-%012x", tid, math.random(0, 65535), math.random(0, 4095),
    8 + math.random(0, 3), math.random(0, 4095), counter)
end
request = function()
  local parts = {}
  local registration = uuid()
  for i = 1, BATCH do
    local user = FIRST + math.random(0, USERS - 1)
    local resource = math.random(1, 500)
    parts[i] = string.format(template, uuid(), user, resource, resource, math.random(0, 599), registration,
      counter, math.random(0, 59), math.random(0, 59))
  end
  return wrk.format("POST", "/xapi/statements", nil, "[" .. table.concat(parts, ",") .. "]")
end
"""


def prepare() -> tuple[str, int]:
    """Migrate, create the learners and one LRS credential; return (Authorization value, first user id)."""
    import django

    django.setup()
    from django.core.management import call_command

    from zhijiao.identity import services as identity
    from zhijiao.identity.models import OrgKind, Role, User
    from zhijiao.records import services

    call_command("migrate", verbosity=0)
    nation = identity.create_organisation(None, name="中华人民共和国", kind=OrgKind.NATION, parent=None)
    admin = User.objects.create(username="bench_admin")
    identity.grant_role_as_operator(admin, nation, Role.SYSTEM_ADMIN)
    users = User.objects.bulk_create([User(username=f"bench_learner_{i}") for i in range(USERS)])
    credential, secret = services.issue_credential(actor=admin, name="bench", organisation=nation,
                                                   scopes=["write", "read_all"])
    import base64

    return "Basic " + base64.b64encode(f"{credential.key}:{secret}".encode()).decode(), users[0].pk


def count_statements() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM records_statement")
        return cursor.fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) + 1)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk")
        return 2
    with throwaway_database("xapi_ingest"):
        return measure(args)


def measure(args) -> int:
    authorization, first_user = prepare()
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(LUA.replace("HOME", settings.ZJ_PUBLIC_URL).replace("FIRST", str(first_user))
                      .replace("USERS", str(USERS)).replace("BATCH", str(BATCH)))
    try:
        with gunicorn_server(args.workers) as base:
            headers = ["-H", f"Authorization: {authorization}", "-H", "X-Experience-API-Version: 1.0.3",
                       "-H", "Content-Type: application/json"]
            subprocess.run(["wrk", "-t2", f"-c{args.workers}", "-d2s", "-s", str(script), *headers, base],
                           check=True, capture_output=True)  # warm every worker
            before = count_statements()
            started = time.perf_counter()
            out = subprocess.run(["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency", "-s",
                                  str(script), *headers, base], check=True, capture_output=True, text=True).stdout
            elapsed = time.perf_counter() - started
            stored = count_statements() - before
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
            print(f"machine: {machine()} (shared); gunicorn sync workers: {args.workers}; {args.connections} "
                  f"connections; {args.duration}s; batches of {BATCH}; database: {database_label()}; "
                  f"request p99 {p99}")
            if non2xx:
                print(f"{non2xx.group(1)} requests failed:\n{out}")
                return 1
            return 0 if report("xAPI ingest", stored / elapsed, TARGET, "statements/s", higher_is_better=True) else 1
    finally:
        script.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
