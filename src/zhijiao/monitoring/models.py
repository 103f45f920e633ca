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
            # One open case per account, course and kind; later findings join it. A case under appeal is
            # about a decision already taken, so new findings open a new case beside it.
            models.UniqueConstraint(fields=["user", "course_key", "kind"], condition=models.Q(state="open"),
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


# --- Dispositions, history, appeals and notices ---------------------------------------------------------


class Sanction(models.TextChoices):
    """What the university records on confirming (若干意见 Art.10: the university handles it under its rules)."""

    CANCEL_GRADE = "cancel_grade", _("Course grade cancelled (取消课程成绩)")
    WARNING = "warning", _("Warning (警告)")
    CRITICISM = "criticism", _("Circulated criticism (通报批评)")
    OTHER = "other", _("Other")


class CaseDecision(models.Model):
    """The disposition of a case: confirmed with a sanction, or dismissed with a reason. One row per case,
    rewritten when an appeal is upheld; the history keeps every step."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="decision")
    sanction = models.CharField(_("sanction"), max_length=16, choices=Sanction.choices, blank=True)
    sanction_text = models.CharField(_("sanction details"), max_length=300, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        verbose_name = _("case decision")

    @property
    def sanction_label(self) -> str:
        if self.sanction == Sanction.OTHER:
            return self.sanction_text
        label = Sanction(self.sanction).label if self.sanction else ""
        return f"{label} · {self.sanction_text}" if label and self.sanction_text else str(label)


class EventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    VIEWED = "viewed", _("Viewed")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")
    APPEALED = "appealed", _("Appealed")
    APPEAL_UPHELD = "appeal_upheld", _("Appeal upheld")
    APPEAL_REJECTED = "appeal_rejected", _("Appeal rejected")
    NOTIFIED = "notified", _("University notified")


class CaseEvent(models.Model):
    """案件记录: every view and decision of a case — who, when, what, with their note."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("case event")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_case_at")]


class AppealOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Upheld: case dismissed")
    REJECTED = "rejected", _("Rejected: confirmation stands")


class Appeal(models.Model):
    """申诉: the learner's one appeal against a confirmed case (a second is refused: one row per case)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="appeal")
    text = models.TextField(_("appeal"))
    attachment = models.CharField(max_length=300, blank=True)  # storage name
    attachment_name = models.CharField(_("attachment"), max_length=200, blank=True)
    attachment_type = models.CharField(max_length=16, blank=True)
    attachment_size = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=16, choices=AppealOutcome.choices,
                               default=AppealOutcome.PENDING)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")


class Notice(models.Model):
    """通报: the platform tells the learner's university of a confirmed case — one row per recipient (the
    university's school administrators and the course's responsible teachers), each read on its own."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    university = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="monitoring_notice_inbox")]


class CourseResponsibility(models.Model):
    """课程责任教师: the teacher a university names responsible for an online course (若干意见 Art.3); they
    see the cases of that course's learners at their university."""

    course_key = models.CharField(_("course"), max_length=500)
    school = models.ForeignKey(Organisation, verbose_name=_("university"), on_delete=models.CASCADE,
                               related_name="+")
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responsible teacher"),
                                on_delete=models.CASCADE, related_name="course_responsibilities")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("course responsibility")
        constraints = [models.UniqueConstraint(fields=["course_key", "school", "teacher"],
                                               name="course_responsibility_once")]


# --- Credit-course platform registry (学分课程平台) ----------------------------------------------------------


class FilingState(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class PlatformFiling(models.Model):
    """备案审核: a platform's annual filing with its documents, and the reviewer's outcome (Art.17)."""

    platform = models.ForeignKey(Organisation, verbose_name=_("platform"), on_delete=models.CASCADE,
                                 related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(_("state"), max_length=16, choices=FilingState.choices, default=FilingState.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    outcome_note = models.TextField(_("outcome"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("platform filing")
        ordering = ["-year", "-pk"]
        constraints = [models.UniqueConstraint(fields=["platform", "year"], name="platform_filing_once_a_year")]


class FilingDocument(models.Model):
    filing = models.ForeignKey(PlatformFiling, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(_("file name"), max_length=200)
    storage_name = models.CharField(max_length=300)
    file_type = models.CharField(max_length=16)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("filing document")


class ListKind(models.TextChoices):
    WHITE = "white", _("White list (白名单)")
    BLACK = "black", _("Black list (黑名单)")


class PlatformListEntry(models.Model):
    """A platform's place on the white or black list, with its reason and dates. Entries are never deleted:
    taking a platform off a list ends its entry, so the history stays."""

    platform = models.ForeignKey(Organisation, verbose_name=_("platform"), on_delete=models.CASCADE,
                                 related_name="+")
    kind = models.CharField(_("list"), max_length=8, choices=ListKind.choices)
    reason = models.TextField(_("reason"))
    listed_on = models.DateField(_("listed on"), default=timezone.localdate)
    listed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.TextField(_("why it ended"), blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    class Meta:
        verbose_name = _("platform list entry")
        ordering = ["-listed_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["platform", "kind"], condition=models.Q(ended_on__isnull=True),
                                               name="platform_list_entry_current_once")]


class CreditCourse(models.Model):
    """学分课程: an online course a platform offers for credit."""

    platform = models.ForeignKey(Organisation, verbose_name=_("platform"), on_delete=models.CASCADE,
                                 related_name="+")
    course_key = models.CharField(_("course id"), max_length=500, unique=True)  # its xAPI activity id
    title = models.CharField(_("title"), max_length=300)
    credits = models.DecimalField(_("credits"), max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = _("credit course")
        ordering = ["title", "pk"]

    def __str__(self):
        return self.title


class CreditCourseChoice(models.Model):
    """选用: a university's choice of a credit course, with its responsible teacher and the credits it gives."""

    school = models.ForeignKey(Organisation, verbose_name=_("university"), on_delete=models.CASCADE,
                               related_name="+")
    course = models.ForeignKey(CreditCourse, verbose_name=_("course"), on_delete=models.CASCADE,
                               related_name="choices")
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responsible teacher"),
                                on_delete=models.PROTECT, related_name="+")
    credits = models.DecimalField(_("credits"), max_digits=4, decimal_places=1)
    chosen_at = models.DateTimeField(_("chosen"), default=timezone.now)
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("credit-course choice")
        ordering = ["-chosen_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["school", "course"], name="credit_course_chosen_once")]
