"""Keeping the job index in step with jobs and employers.

The index is written in the same transaction as the change (not on commit), so a job is findable exactly
when its publication commits and gone exactly when its closing does; the cost is one row and one index
entry, a few milliseconds of text analysis inside the publishing request.
"""

from zhijiao.employment.matching import index


def job_published(sender, job, **kwargs):
    index.sync_job(job.pk)


def job_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        index.sync_job(instance.pk)


def job_majors_changed(sender, instance, action, reverse=False, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and not reverse:
        index.sync_job(instance.pk)


def employer_saved(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        index.sync_employer(instance.pk)
