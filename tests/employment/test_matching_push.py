"""The daily push: matching new jobs to the inbox and the mail outbox, once a day, priority first, chunked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import signed_in
from tests.employment.test_matching_helpers import world_fixture  # noqa: F401
from zhijiao.employment.matching import push
from zhijiao.employment.matching.models import PushItem, PushLog
from zhijiao.employment.models import DifficultyFlag, DifficultyKind, GraduateRecord

pytestmark = pytest.mark.django_db


def pushed(user) -> list[str]:
    return [i.job.title for i in PushItem.objects.filter(user=user).select_related("job").order_by("-score", "pk")]


def flag(user):
    DifficultyFlag.objects.create(record=GraduateRecord.objects.get(user=user), kind=DifficultyKind.POOR_FAMILY)


def test_new_matching_jobs_reach_inbox_and_mail_once_a_day(world):
    world.job("Java开发", majors=[world.cs], region="330106")
    world.job("旧岗位", majors=[world.cs], published_ago=timedelta(days=3))
    world.job("硕士岗", majors=[world.cs], education="master")
    graduate = world.graduate("p1", major=world.cs, regions=["330100"])
    world.graduate("no_intention", major=world.cs, intention=False)
    today = timezone.localdate()
    summary = push.run_all(today)
    assert pushed(graduate) == ["Java开发"]
    assert summary.result.graduates == 1 and summary.result.items == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["p1@example.edu.cn"]
    assert "Java开发" in mail.outbox[0].body and "/employment/find/inbox/" in mail.outbox[0].body
    again = push.run_all(today)
    assert again.result.graduates == 0 and len(mail.outbox) == 1
    assert PushItem.objects.count() == 1 and PushLog.objects.get(user=graduate).items == 1


def test_the_next_day_only_jobs_published_since_the_last_push(world):
    world.job("第一天", majors=[world.cs])
    graduate = world.graduate("p2", major=world.cs, regions=["330100"])
    today = timezone.localdate()
    push.run_all(today)
    PushLog.objects.update(created_at=timezone.now() - timedelta(days=1))
    world.job("第二天", majors=[world.cs])
    push.run_all(today + timedelta(days=1))
    assert sorted(pushed(graduate)) == ["第一天", "第二天"]
    assert PushItem.objects.filter(user=graduate, job__title="第二天", day=today + timedelta(days=1)).exists()


def test_difficulty_flag_graduates_are_pushed_first_and_get_more(world):
    for i in range(12):
        world.job(f"岗位{i:02d}", majors=[world.cs], region="330106")
    ordinary = world.graduate("p3", major=world.cs, regions=["330100"])
    helped = world.graduate("p4", major=world.cs, regions=["330100"])
    flag(helped)
    push.run_all(timezone.localdate())
    assert len(pushed(ordinary)) == push.ITEMS
    assert len(pushed(helped)) == push.PRIORITY_ITEMS
    logs = list(PushLog.objects.order_by("pk").values_list("user_id", "priority"))
    assert logs == [(helped.pk, True), (ordinary.pk, False)]
    # The message says nothing about the flag.
    for message in mail.outbox:
        assert "困难" not in message.body and "poor" not in message.body.casefold()


def test_chunked_push_equals_unchunked(world):
    for i, region in enumerate(["330106", "330203", "110105", "330102"]):
        world.job(f"计科岗{i}", majors=[world.cs], region=region, salary=(5000 + 2000 * i, 9000 + 2000 * i))
        world.job(f"软工岗{i}", majors=[world.se], region=region)
        world.job(f"不限岗{i}", region=region, occupation=world.it)
    graduates = [world.graduate(f"c{i}", major=[world.cs, world.se, world.ee][i % 3],
                                regions=[["330100"], ["330200"], []][i % 3], occupations=["2-02"] if i % 2 else [],
                                salary=(6000, 9000)) for i in range(9)]
    flag(graduates[4])
    today = timezone.localdate()
    push.run_all(today, chunk_size=100)
    whole = {u.pk: pushed(u) for u in graduates}
    reasons = dict(PushItem.objects.values_list("user_id", "reason").order_by("user_id", "score"))
    PushItem.objects.all().delete()
    PushLog.objects.all().delete()
    summary = push.run_all(today, chunk_size=2)
    assert summary.chunks == 10  # 5 ranges, each in the priority pass and the ordinary pass
    assert {u.pk: pushed(u) for u in graduates} == whole
    assert dict(PushItem.objects.values_list("user_id", "reason").order_by("user_id", "score")) == reasons
    assert any(whole.values())


def test_push_command_and_bad_date(world):
    world.job("Java开发", majors=[world.cs])
    graduate = world.graduate("p5", major=world.cs)
    call_command("push_jobs", date=timezone.localdate().isoformat())
    assert pushed(graduate) == ["Java开发"]
    from django.core.management.base import CommandError
    with pytest.raises(CommandError):
        call_command("push_jobs", date="2026-13-40")


def test_inbox_shows_unread_count_and_reads(world):
    job = world.job("Java开发", majors=[world.cs])
    graduate = world.graduate("p6", major=world.cs)
    push.run_all(timezone.localdate())
    client = signed_in(graduate, mfa=False)
    page = client.get("/employment/find/inbox/")
    assert page.status_code == 200 and "Java开发" in page.content.decode()
    assert client.get("/api/v1/employment/match/inbox").json()["unread"] == 1
    client.get(f"/employment/find/job/{job.pk}/")
    assert client.get("/api/v1/employment/match/inbox").json()["unread"] == 0
    PushItem.objects.update(read_at=None)
    response = client.post("/employment/find/inbox/read/")
    assert response.status_code == 302 and not PushItem.objects.filter(read_at__isnull=True).exists()
    other = signed_in(world.hr, mfa=False)
    assert other.get("/api/v1/employment/match/inbox").json() == {"unread": 0, "items": []}
