"""Throughput and tail latency of the anonymous home page and an authenticated GET /api/v1/me.

Serves the platform with gunicorn on 127.0.0.1 from a throw-away database, then loads it from a second
process (wrk, Debian package `wrk`) with 64 concurrent connections. Targets: ≥ 800 requests/s and
p99 ≤ 50 ms for each URL.

    .venv/bin/python bench/http_throughput.py [--duration 15] [--workers 3]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import database_label, gunicorn_server, machine, report, throwaway_database

TARGET_RPS = 800
TARGET_P99_MS = 50
CONNECTIONS = 64


def prepare() -> tuple[str, str]:
    """Migrate, create a learner with a membership, and return (session cookie, bearer token)."""
    import django

    django.setup()
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    from zhijiao.identity import services
    from zhijiao.identity.models import OrgKind, Role, User

    call_command("migrate", verbosity=0)
    nation = services.create_organisation(None, name="中华人民共和国", kind=OrgKind.NATION, parent=None)
    province = services.create_organisation(None, name="浙江省", kind=OrgKind.PROVINCE, parent=nation, code="330000")
    user = User(username="bench_learner", real_name="压测学生")
    user.set_phone("13800000000")
    user.set_password("Bench#2026x")
    user.save()
    services.grant_role_as_operator(user, province, Role.LEARNER)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["zj_seen"] = int(time.time()) + 3600  # keeps the idle stamp fresh for the whole run
    session.create()
    token = AccessToken.objects.create(user=user, token="bench-" + os.urandom(16).hex(), scope="openid api",
                                       expires=timezone.now() + timedelta(hours=1))
    return session.session_key, token.token


def wrk(url: str, duration: int, headers: list[str]) -> tuple[float, float]:
    cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency", url]
    for header in headers:
        cmd += ["-H", header]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99_ms = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"{url}: {non2xx.group(1)} error responses during the run:\n{out}")
    return rps, p99_ms


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) + 1)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk")
        return 2
    with throwaway_database("http"):
        return measure(args)


def measure(args) -> int:
    session_key, token = prepare()
    with gunicorn_server(args.workers) as base:
        # Warm every worker before measuring.
        subprocess.run(["wrk", "-t1", "-c8", "-d2s", f"{base}/"], check=False, capture_output=True)
        print(f"machine: {machine()}; gunicorn sync workers: {args.workers}; {CONNECTIONS} connections; "
              f"{args.duration}s per URL; database: {database_label()}")
        ok = True
        cases = [
            ("GET / (anonymous)", f"{base}/", ["Accept-Language: zh-CN"]),
            ("GET /api/v1/me (session)", f"{base}/api/v1/me", [f"Cookie: sessionid={session_key}"]),
            ("GET /api/v1/me (bearer token)", f"{base}/api/v1/me", [f"Authorization: Bearer {token}"]),
        ]
        for name, url, headers in cases:
            rps, p99 = wrk(url, args.duration, headers)
            ok &= report(f"{name} throughput", rps, TARGET_RPS, "req/s", higher_is_better=True)
            ok &= report(f"{name} p99 latency", p99, TARGET_P99_MS, "ms", higher_is_better=False)
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
