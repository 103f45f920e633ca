"""The daily push as Celery tasks: a coordinator that splits graduates into id ranges, and one task per
chunk. With a broker, chunks are queued (the priority pass with the higher task priority, so workers take
it first where the broker honours priorities); without one (CELERY_TASK_ALWAYS_EAGER) every chunk runs
in-process, in order, and the summary counts what they did. A beat entry can run ``push_jobs`` daily."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.conf import settings

from zhijiao.employment.matching import push

PRIORITY, ORDINARY = 9, 0


@shared_task(name="zhijiao.employment.matching.push_chunk", acks_late=True)
def push_chunk(day: str, low: int, high: int, priority: bool) -> dict:
    done = push.run_chunk(date.fromisoformat(day), low, high, priority)
    return {"graduates": done.graduates, "items": done.items, "mails": done.mails}


def _dispatch(day: date, low: int, high: int, priority: bool):
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return push.run_chunk(day, low, high, priority)
    push_chunk.apply_async(args=[day.isoformat(), low, high, priority], priority=PRIORITY if priority else ORDINARY)
    return None


def coordinate(day: date | None = None, *, chunk_size: int = push.CHUNK_SIZE) -> push.PushSummary:
    return push.run_all(day, chunk_size=chunk_size, dispatch=_dispatch)


@shared_task(name="zhijiao.employment.matching.push_jobs")
def push_jobs(day: str | None = None) -> int:
    """The coordinator as a task (for beat): returns how many chunks it ran or queued."""
    return coordinate(date.fromisoformat(day) if day else None).chunks
