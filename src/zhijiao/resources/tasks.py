"""Periodic jobs of the resource centre, run by Celery beat (settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from zhijiao.resources import counters, services


@shared_task(name="zhijiao.resources.spot_checks")
def spot_checks() -> int:
    """Art.14: every week a random sample of published resources goes back to the reviewers."""
    return len(services.queue_spot_checks())


@shared_task(name="zhijiao.resources.evaluate")
def evaluate() -> int:
    """Art.16: queue low-rated and much-complained-about resources for takedown review."""
    counters.flush()
    return len(services.evaluate())
