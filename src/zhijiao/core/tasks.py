"""Periodic jobs of the shared kernel, run by Celery beat in a scale-out deployment.

Pruning the audit log is deliberately not here: it deletes audit rows, which the application's database
role is not allowed to do, so it runs from cron under the owner role (`zj audit prune`, docs/deploy.md).
"""

import logging

from celery import shared_task

from zhijiao.core import audit

logger = logging.getLogger("zhijiao.audit")


@shared_task(name="zhijiao.core.verify_audit_chain")
def verify_audit_chain() -> bool:
    result = audit.verify()
    if not result.ok:
        # Reaches the operators through whatever collects the worker's logs (the alerting hook).
        logger.critical("audit chain broken at #%s (%s) after %s good entries",
                        result.first_bad_seq, result.problem, result.checked)
    return result.ok
