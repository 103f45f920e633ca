"""Detector state and simulation labels.

:class:`Event` is the compact copy of the learning records the detectors scan: one row per statement they
read, keyed by (local day, user, time), with every field they need packed into ``rec`` (a fixed-size binary
record, see ``detection.events.REC``). Reading a day in key order gives each learner's events already sorted,
and numpy turns a batch of rows into columns without parsing anything.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """检测事件: one statement as the detectors see it."""

    pk = models.CompositePrimaryKey("day", "user_id", "ts", "seq")
    day = models.IntegerField()  # local date (settings.TIME_ZONE) as a proleptic ordinal
    user_id = models.BigIntegerField()
    ts = models.BigIntegerField()  # statement timestamp, ms since 1970 UTC
    seq = models.BigIntegerField()  # the statement's seq in the LRS (negative: written by the bulk simulator)
    rec = models.BinaryField()

    class Meta:
        verbose_name = _("detection event")


class Term(models.Model):
    """The text of a course or activity id behind its 64-bit digest in the event table."""

    id = models.BigIntegerField(primary_key=True)
    text = models.TextField()

    class Meta:
        verbose_name = _("activity term")


class DetectionState(models.Model):
    """处理进度: one row. Every statement with ``seq <= high_seq`` is in the event table, except ``gaps``
    (seqs below it not committed yet when last looked at, with the time they were first missed)."""

    high_seq = models.BigIntegerField(default=0)
    gaps = models.JSONField(default=dict)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("detection state")


class Profile(models.Model):
    """Each learner's own history (devices, regions, hours of activity) as of the end of ``day``, one packed
    array per day (``detection.profiles.PROFILE``); scoring day D compares with the newest profile before D."""

    day = models.IntegerField(primary_key=True)
    data = models.BinaryField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("learner profiles")


class RunMode(models.TextChoices):
    BATCH = "batch", _("Batch")
    INCREMENTAL = "incremental", _("Incremental")


class DetectorRun(models.Model):
    """One scoring pass: what it read and what each detector found."""

    mode = models.CharField(_("mode"), max_length=16, choices=RunMode.choices)
    day = models.DateField(_("day"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    seconds = models.FloatField(_("seconds"), default=0.0)
    events = models.BigIntegerField(_("events"), default=0)
    users = models.IntegerField(_("accounts"), default=0)
    # {detector: findings written}
    fired = models.JSONField(default=dict)
    findings = models.IntegerField(_("findings"), default=0)

    class Meta:
        verbose_name = _("detector run")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["mode", "-started_at"], name="detrun_mode_started")]


class Evaluation(models.Model):
    """评估: the detectors scored against a fresh simulation with known labels."""

    created_at = models.DateTimeField(_("run at"), default=timezone.now)
    seed = models.BigIntegerField(_("seed"))
    parameters = models.JSONField(_("parameters"), default=dict)
    # {"kinds": {...}, "detectors": {...}, "scenarios": {...}, "honest": {...}}
    results = models.JSONField(_("results"), default=dict)
    seconds = models.FloatField(default=0.0)

    class Meta:
        verbose_name = _("detector evaluation")
        ordering = ["-created_at"]


class SimulatedLabel(models.Model):
    """Ground truth of ``zj simulate-learning``: which simulated accounts cheat, how, and of which kind."""

    run = models.CharField(_("simulation"), max_length=40, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16)  # a monitoring.MisconductKind value, or "honest"
    scenario = models.CharField(_("scenario"), max_length=32)
    # Days (ISO dates) on which the behaviour was injected.
    days = models.JSONField(default=list)

    class Meta:
        verbose_name = _("simulated label")
        constraints = [models.UniqueConstraint(fields=["run", "user", "scenario"], name="simlabel_once")]
