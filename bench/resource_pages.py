"""Throughput of the public resource detail page and the lesson page.

Builds a throw-away database with the real taxonomy, a published lesson package (micro-lesson video,
task sheet, exercises) that went through the review workflow, and 2,000 more published resources; serves
the platform with gunicorn and loads both pages with wrk (64 connections, anonymous, Chinese).
Target: ≥ 500 requests/s for each page on 2 cores.

    .venv/bin/python bench/resource_pages.py [--duration 15] [--workers 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import database_label, gunicorn_server, machine, report, throwaway_database
from http_throughput import CONNECTIONS, wrk

TARGET_RPS = 500
FILLER = 2000


def prepare() -> tuple[int, int]:
    """Migrate and publish the resources; returns (resource id, lesson id)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.test.utils import override_settings

    from zhijiao.demo.resource_centre import DEMO_VIDEO, _all_passed, _pdf
    from zhijiao.identity import services as identity_services
    from zhijiao.identity.models import OrgKind, Role, User, Verification
    from zhijiao.resources import services
    from zhijiao.resources.models import Column, Kind, Lesson, Resource, ResourceStats, Status

    call_command("migrate", verbosity=0)
    make = identity_services.create_organisation
    nation = make(None, name="中华人民共和国", kind=OrgKind.NATION, parent=None)
    province = make(None, name="浙江省", kind=OrgKind.PROVINCE, parent=nation, code="330000")
    school = make(None, name="杭州市示例小学", kind=OrgKind.SCHOOL, parent=province, code="3133000009")
    teacher = User.objects.create(username="bench_teacher", real_name="李老师", verification=Verification.VERIFIED)
    identity_services.grant_role_as_operator(teacher, school, Role.TEACHER)
    reviewer = User.objects.create(username="bench_reviewer", real_name="孙审核")
    identity_services.grant_role_as_operator(reviewer, province, Role.REVIEWER)
    services.accept_agreement(teacher)
    lesson = Lesson.objects.get(unit__volume__code="pep-primary-math-1a", name="认识钟表")
    column = Column.objects.get(code="k12-curriculum-primary")
    with override_settings(ZJ_REVIEW_LEVELS=1):
        resource = services.create_resource(
            teacher, kind=Kind.LESSON_PACKAGE, provider=school, columns=[column], title="认识钟表：整时的认识",
            summary="人教版数学一年级上册第七单元。通过生活中的钟表认识钟面，学会读、写整时。", lesson=lesson,
            keywords=["钟表", "整时"], authors=["李老师"], knowledge_points=["认识钟面"], duration_seconds=900)
        for role, data, name in (("video", DEMO_VIDEO.read_bytes(), "lesson.webm"),
                                 ("task_sheet", _pdf("Task sheet"), "task.pdf"),
                                 ("exercises", _pdf("Exercises"), "exercises.pdf")):
            services.add_file(teacher, resource, role=role, chunks=[data], file_name=name)
        services.submit(teacher, resource)
        services.decide(reviewer, resource.tasks.get(), outcome="approve", dimensions=_all_passed())
    # Filler: other published resources spread over the real lessons, so the pages' queries run against
    # a populated table rather than an empty one.
    template = Resource.objects.get(pk=resource.pk)
    lesson_ids = list(Lesson.objects.values_list("pk", flat=True))
    with transaction.atomic():
        rows = []
        for n in range(FILLER):
            copy = Resource(**{f.attname: getattr(template, f.attname) for f in Resource._meta.concrete_fields
                               if f.attname not in ("id", "live_version_id")})
            copy.title = f"{template.title}（第{n + 1}套）"
            copy.kind = Kind.VIDEO if n % 2 else Kind.LESSON_PACKAGE
            copy.status = Status.PUBLISHED
            copy.lesson_id = lesson_ids[n % len(lesson_ids)]
            rows.append(copy)
        created = Resource.objects.bulk_create(rows, batch_size=500)
        ResourceStats.objects.bulk_create([ResourceStats(resource=r, views=n) for n, r in enumerate(created)],
                                          batch_size=500)
    from django.db import connections

    connections.close_all()
    return resource.pk, lesson.pk


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) + 1)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk")
        return 2
    with throwaway_database("respages"):
        return measure(args)


def measure(args) -> int:
    resource_id, lesson_id = prepare()
    with gunicorn_server(args.workers) as base:
        pages = [("resource detail page", f"{base}/resources/{resource_id}/"),
                 ("lesson page", f"{base}/resources/lessons/{lesson_id}/")]
        for _, url in pages:
            # Each worker loads the search dictionaries on its first request; warm them all before measuring.
            for _ in range(args.workers * 2):
                urllib.request.urlopen(url, timeout=60).read()
            subprocess.run(["wrk", "-t1", "-c8", "-d2s", url], check=False, capture_output=True)
        print(f"machine: {machine()}; gunicorn sync workers: {args.workers}; {CONNECTIONS} connections; "
              f"{args.duration}s per URL; database: {database_label()}; {FILLER + 1} published resources")
        # The home page, measured the same way, shows how much of the machine the run had (it is benchmarked
        # on its own in http_throughput.py).
        home_rps, _ = wrk(f"{base}/", args.duration, ["Accept-Language: zh-CN"])
        print(f"reference: GET / {home_rps:.1f} req/s on this run")
        ok = True
        for name, url in pages:
            rps, p99 = wrk(url, args.duration, ["Accept-Language: zh-CN"])
            ok &= report(f"GET {name} (anonymous) throughput", rps, TARGET_RPS, "req/s", higher_is_better=True)
            print(f"  p99 latency {p99:.1f} ms")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
