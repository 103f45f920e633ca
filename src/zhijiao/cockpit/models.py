"""Rollups the data cockpit (数字驾驶舱) reads, kept up to date from the learning record store.

Three kinds of table:

* *processor state*: :class:`RollupState` (the watermark) and :class:`RollupGap` (sequence numbers below
  the watermark that were not yet committed when the processor passed them);
* *per learner* (明细): :class:`LearnerDay` (one row per active learner per day, fixing the organisation
  the learner's day counts under), :class:`LearnerActivityDay` (time on task, seconds of video played,
  completions, attempts and scores), :class:`VisitorDay` (one row per visitor per day);
* *aggregates* (汇总), additive so that any set of rows can be summed: :class:`OrgPeriod`,
  :class:`ResourcePeriod` and :class:`BoardPeriod`. Each holds one row per organisation **and every one
  of its ancestors** per day and per month, so a national page reads a few hundred rows, never millions.

Days are local calendar days (``TIME_ZONE``) of the statement's ``timestamp``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Grain(models.TextChoices):
    DAY = "d", _("day")
    MONTH = "m", _("month")


class RollupState(models.Model):
    """处理进度: one row. Every statement with ``seq <= high_seq`` is counted, except those in RollupGap."""

    high_seq = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    # A rebuild in progress (zj rollups --rebuild): ordinary passes wait while its heartbeat is fresh.
    rebuilding = models.BooleanField(default=False)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rollup state")


class RollupGap(models.Model):
    """A sequence number missing below the watermark: an ingest transaction that had not committed yet (it
    will be counted when it appears) or one that rolled back (forgotten after ``ZJ_COCKPIT_GAP_GRACE_SECONDS``)."""

    seq = models.BigIntegerField(primary_key=True)
    noticed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("rollup gap")


class TrackedActivity(models.Model):
    """学习活动: an xAPI activity id, interned so that rollup rows carry a small integer."""

    iri_hash = models.CharField(max_length=64, unique=True)
    iri = models.TextField(_("activity id"))
    name = models.CharField(_("name"), max_length=300, blank=True)
    resource_id = models.BigIntegerField(_("resource"), null=True, blank=True, db_index=True)
    board = models.CharField(_("board"), max_length=64, blank=True)  # 板块
    column = models.CharField(_("column"), max_length=64, blank=True)  # 栏目

    class Meta:
        verbose_name = _("tracked activity")
        verbose_name_plural = _("tracked activities")

    def __str__(self):
        return self.name or self.iri


class LearnerDay(models.Model):
    """活跃学习者: a learner with at least one statement on ``day``, counted under ``organisation``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_constraint=False, related_name="+")
    day = models.DateField()
    organisation = models.ForeignKey("identity.Organisation", null=True, on_delete=models.DO_NOTHING,
                                     db_constraint=False, related_name="+")
    org_path = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("active learner day")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="cockpit_learner_day")]
        indexes = [models.Index(fields=["day"], name="cockpit_learner_day_day")]


class LearnerActivityDay(models.Model):
    """学习明细: one learner, one activity, one day.

    ``video_spans`` and ``time_spans`` hold unions of millisecond intervals ("a-b,c-d"), so that adding the
    same statement twice, or statements in any order, gives the same figures.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_constraint=False, related_name="+")
    day = models.DateField()
    activity = models.ForeignKey(TrackedActivity, on_delete=models.CASCADE, db_constraint=False, related_name="+")
    org_path = models.CharField(max_length=255, blank=True)
    statements = models.IntegerField(default=0)
    views = models.IntegerField(default=0)
    completions = models.IntegerField(default=0)
    attempts = models.IntegerField(default=0)
    passed = models.IntegerField(default=0)
    failed = models.IntegerField(default=0)
    score_sum = models.FloatField(default=0)
    score_count = models.IntegerField(default=0)
    score_max = models.FloatField(null=True)
    progress = models.FloatField(default=0)
    video_length_ms = models.BigIntegerField(default=0)
    video_ms = models.BigIntegerField(default=0)
    video_spans = models.TextField(blank=True)
    time_ms = models.BigIntegerField(default=0)
    time_spans = models.TextField(blank=True)

    class Meta:
        verbose_name = _("learner activity day")
        constraints = [models.UniqueConstraint(fields=["user", "day", "activity"], name="cockpit_learner_activity_day")]
        indexes = [models.Index(fields=["org_path", "day"], name="cockpit_lad_org_day"),
                   models.Index(fields=["day"], name="cockpit_lad_day")]


class VisitorDay(models.Model):
    """访客: a first-party visitor id (or, without one, the statement's actor) seen on ``day``.

    The visit counts under the organisation of the smallest user id seen with it that day (anonymous
    visits under the root), a rule that does not depend on the order statements arrive in."""

    day = models.DateField()
    visitor = models.CharField(max_length=32)
    user_id = models.BigIntegerField(null=True)
    organisation = models.ForeignKey("identity.Organisation", null=True, on_delete=models.DO_NOTHING,
                                     db_constraint=False, related_name="+")

    class Meta:
        verbose_name = _("visitor day")
        constraints = [models.UniqueConstraint(fields=["day", "visitor"], name="cockpit_visitor_day")]


class OrgPeriod(models.Model):
    """机构汇总: figures of an organisation's whole subtree for one day or one month.

    A month row is the sum of its day rows: "visitors" and "active learners" of a month are therefore
    visitor-days and learner-days, and pages say so."""

    organisation = models.ForeignKey("identity.Organisation", on_delete=models.CASCADE, db_constraint=False,
                                     related_name="+")
    grain = models.CharField(max_length=1, choices=Grain.choices)
    start = models.DateField()
    page_views = models.BigIntegerField(default=0)
    visitors = models.BigIntegerField(default=0)
    active_learners = models.BigIntegerField(default=0)
    completions = models.BigIntegerField(default=0)
    attempts = models.BigIntegerField(default=0)
    video_ms = models.BigIntegerField(default=0)
    time_ms = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("organisation rollup")
        constraints = [models.UniqueConstraint(fields=["organisation", "grain", "start"], name="cockpit_org_period")]
        indexes = [models.Index(fields=["grain", "start"], name="cockpit_org_period_start")]


class ResourcePeriod(models.Model):
    """资源汇总: use of one resource within an organisation's subtree (the root row = the whole platform)."""

    resource_id = models.BigIntegerField()
    organisation = models.ForeignKey("identity.Organisation", on_delete=models.CASCADE, db_constraint=False,
                                     related_name="+")
    grain = models.CharField(max_length=1, choices=Grain.choices)
    start = models.DateField()
    views = models.BigIntegerField(default=0)
    learners = models.BigIntegerField(default=0)
    completions = models.BigIntegerField(default=0)
    rating_sum = models.FloatField(default=0)
    rating_count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("resource rollup")
        constraints = [models.UniqueConstraint(fields=["organisation", "grain", "start", "resource_id"],
                                               name="cockpit_resource_period")]
        indexes = [
            models.Index(fields=["resource_id", "grain", "start"], name="cockpit_resource_period_res"),
            # The best resources of one period, read in order without sorting the period (top_resources).
            models.Index(fields=["organisation", "grain", "start", "-learners"], name="cockpit_resource_period_top"),
            # Covers the sums of a range, so summing every row never reads the table itself.
            models.Index(fields=["organisation", "grain", "start", "resource_id", "learners", "views", "completions",
                                 "rating_sum", "rating_count"], name="cockpit_resource_period_sums"),
        ]


class BoardPeriod(models.Model):
    """板块汇总: use of the resources of one board and column within an organisation's subtree."""

    board = models.CharField(max_length=64)
    column = models.CharField(max_length=64)
    organisation = models.ForeignKey("identity.Organisation", on_delete=models.CASCADE, db_constraint=False,
                                     related_name="+")
    grain = models.CharField(max_length=1, choices=Grain.choices)
    start = models.DateField()
    views = models.BigIntegerField(default=0)
    learners = models.BigIntegerField(default=0)
    completions = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("board rollup")
        constraints = [models.UniqueConstraint(fields=["organisation", "grain", "start", "board", "column"],
                                               name="cockpit_board_period")]
