"""Periodic jobs of the shared kernel. Celery beat runs them daily in a scale-out deployment; the
embedded default has no scheduler, so an operator's cron calls `zj audit prune` and `zj audit verify`."""

import logging

from celery import shared_task

from zhijiao.core import audit

logger = logging.getLogger("zhijiao.audit")


@shared_task(name="zhijiao.core.prune_audit_log")
def prune_audit_log() -> int:
    return audit.prune()


@shared_task(name="zhijiao.core.verify_audit_chain")
def verify_audit_chain() -> bool:
    result = audit.verify()
    if not result.ok:
        # Reaches the operators through whatever collects the worker's logs (the alerting hook).
        logger.critical("audit chain broken at #%s (%s) after %s good entries",
                        result.first_bad_seq, result.problem, result.checked)
    return result.ok
