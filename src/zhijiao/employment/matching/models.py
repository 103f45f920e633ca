"""Job matching data (岗位匹配): the denormalised search table of open jobs, and the daily push.

:class:`JobDoc` holds one row per job that graduates may find: published, employer verified. Its
``id`` increases in publication order, which both full-text indexes use as their document order, so
"newest first" never needs a sort. Beside it lives the inverted index: an FTS5 table
``employment_matching_fts`` (rowid = ``JobDoc.id``) on SQLite, a weighted ``tsv`` tsvector column with a
GIN index on PostgreSQL (created by migration 0002). Filters are opaque tokens in that index, so the
index answers text and filters together (docs/employment-matching.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhijiao.employment.models import Job


class JobDoc(models.Model):
    """一个可检索的岗位: the fields search, recommendation and push read, copied from the job, its employer
    and reference data when the job is published or changed (``index.sync_job``)."""

    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="+")
    employer_id = models.PositiveIntegerField()
    title = models.CharField(max_length=100)
    employer_name = models.CharField(max_length=200)
    employer_type = models.CharField(max_length=24)
    region_code = models.CharField(max_length=6)
    industry_code = models.CharField(max_length=8, blank=True)  # division (大类) or section letter
    occupation_code = models.CharField(max_length=16, blank=True)
    job_type = models.CharField(max_length=16)
    education_rank = models.PositiveSmallIntegerField(default=0)  # 0: any
    salary_min = models.PositiveIntegerField(default=0)  # 0: not stated
    salary_max = models.PositiveIntegerField(default=0)
    # Majors wanted, as Major ids, and the classes (专业类) and categories (门类) above them.
    majors = models.JSONField(default=list)
    headcount = models.PositiveIntegerField(default=1)
    deadline = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(db_index=True)
    # Distinct words of title, occupation and description: what résumé similarity compares with.
    terms = models.TextField(blank=True)
    snippet = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("searchable job")
        indexes = [models.Index(fields=["salary_max", "id"], name="jobdoc_salary")]


class PushLog(models.Model):
    """每日推送记录: one row per graduate per day the push reached them; what makes re-runs idempotent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    items = models.PositiveSmallIntegerField(default=0)
    priority = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("push record")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="push_once_per_day")]


class PushItem(models.Model):
    """推送消息: one job pushed to one graduate, shown in their inbox until read."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    score = models.FloatField()
    reason = models.CharField(max_length=300)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pushed job")
        constraints = [models.UniqueConstraint(fields=["user", "job"], name="push_job_once")]
        indexes = [models.Index(fields=["user", "read_at"], name="push_inbox")]
