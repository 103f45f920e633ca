"""Credit-course data monitoring centre (学分课程数据监测中心): what the detectors found and the cases
built from it.

A :class:`Finding` is one detector firing for one account, course and day, with the evidence it saw. The
detection sub-app (``monitoring.detection``) writes findings; :mod:`zhijiao.monitoring.cases` gathers the
unassigned ones into :class:`Case` rows — one open case per account, course and kind of misconduct —
which people then review. Detectors never decide: a case is only ever confirmed by a person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhijiao.identity.models import Organisation


class MisconductKind(models.TextChoices):
    """The four kinds the 若干意见 (seed 000) names, plus what only the anomaly score saw."""

    BRUSHING = "brushing", _("Course-brushing (刷课)")  # scripts or bots playing a course
    PROXY_STUDY = "proxy_study", _("Someone else studying (替课)")
    EXAM_SCRIPTING = "exam_scripting", _("Scripted exam answering (刷考)")
    PROXY_EXAM = "proxy_exam", _("Substitute exam taker (替考)")
    ANOMALY = "anomaly", _("Unusual pattern")


class Severity(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")


class CaseState(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")
    UNDER_APPEAL = "under_appeal", _("Under appeal")


class Case(models.Model):
    """案件: one account's suspected misconduct of one kind in one course."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("learner"), on_delete=models.CASCADE,
                             related_name="monitoring_cases")
    kind = models.CharField(_("kind"), max_length=16, choices=MisconductKind.choices)
    # The learner's university (their school membership) and the platform the records came from (null: ours).
    university = models.ForeignKey(Organisation, verbose_name=_("university"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    platform = models.ForeignKey(Organisation, verbose_name=_("platform"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    # The course: the xAPI activity id of the course (context.contextActivities.parent/grouping), or of the
    # activity itself when the statements name no course.
    course_key = models.CharField(_("course"), max_length=500)
    course_name = models.CharField(_("course name"), max_length=300, blank=True)
    # Copied from the university (or the platform) so queue scope is one prefix test.
    org_path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices, default=Severity.LOW)
    state = models.CharField(_("state"), max_length=16, choices=CaseState.choices, default=CaseState.OPEN,
                             db_index=True)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # First and last moment of the evidence.
    evidence_from = models.DateTimeField(null=True, blank=True)
    evidence_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        indexes = [models.Index(fields=["state", "org_path"], name="case_state_path")]
        constraints = [
            # One case in progress per account, course and kind; later findings join it.
            models.UniqueConstraint(fields=["user", "course_key", "kind"],
                                    condition=models.Q(state__in=["open", "under_appeal"]),
                                    name="case_one_in_progress"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.course_name or self.course_key}"


class Finding(models.Model):
    """One detector firing for one account, course and day, with what it saw.

    ``evidence`` is the detector's own JSON: the figures it compared with its thresholds, and what the
    case page draws (a playback timeline, answer timings, the other accounts sharing a device, ...).
    Re-running a detector over the same day updates its finding instead of adding another.
    """

    detector = models.CharField(_("detector"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=MisconductKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    platform = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    course_key = models.CharField(max_length=500)
    course_name = models.CharField(max_length=300, blank=True)
    day = models.DateField()
    score = models.FloatField(_("score"))  # 0..1, the detector's confidence
    evidence = models.JSONField(default=dict)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("finding")
        constraints = [
            models.UniqueConstraint(fields=["detector", "user", "course_key", "day"], name="finding_once_per_day"),
        ]
        indexes = [models.Index(fields=["case"], name="finding_case")]

    def __str__(self):
        return f"{self.detector} {self.day}"
