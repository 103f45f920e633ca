"""Hiring in the 24365 service: applications and their pipeline, messages and interviews, online job fairs
(专场招聘), the three-party employment agreement (三方协议) with its signatures and terminations (解约),
graduates' destinations (毕业去向) and notices to employment staff (一键直达).

Every write goes through :mod:`zhijiao.employment.hiring.services`; pages and the API only read these
models through :mod:`zhijiao.employment.hiring.selectors`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhijiao.employment.models import Employer, GraduateRecord, Job
from zhijiao.identity.models import Organisation

# --- Applications -------------------------------------------------------------------------------------


class ApplicationState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    VIEWED = "viewed", _("Viewed by the employer")
    INTERVIEW = "interview", _("Interview")
    OFFER = "offer", _("Offer made")
    REJECTED = "rejected", _("Not taken forward")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The employer's moves through the pipeline (the graduate only withdraws). An offer is made by issuing an
# agreement (services.issue_offer), never by setting the state directly.
EMPLOYER_MOVES: dict[str, set[str]] = {
    ApplicationState.SUBMITTED: {ApplicationState.VIEWED, ApplicationState.INTERVIEW, ApplicationState.REJECTED},
    ApplicationState.VIEWED: {ApplicationState.INTERVIEW, ApplicationState.REJECTED},
    ApplicationState.INTERVIEW: {ApplicationState.REJECTED},
    ApplicationState.OFFER: {ApplicationState.REJECTED},
}
CLOSED_STATES = {ApplicationState.REJECTED, ApplicationState.WITHDRAWN}


class Application(models.Model):
    """求职申请: one graduate's application to one job."""

    graduate = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("graduate"), on_delete=models.CASCADE,
                                 related_name="job_applications")
    job = models.ForeignKey(Job, verbose_name=_("job"), on_delete=models.CASCADE, related_name="applications")
    # Copied from the job so that an employer's pipeline is one indexed filter.
    employer = models.ForeignKey(Employer, verbose_name=_("employer"), on_delete=models.CASCADE,
                                 related_name="applications")
    state = models.CharField(_("state"), max_length=16, choices=ApplicationState.choices,
                             default=ApplicationState.SUBMITTED, db_index=True)
    cover_letter = models.TextField(_("cover letter"), blank=True)
    created_at = models.DateTimeField(_("applied"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("last change"), default=timezone.now)
    # When someone acting for the employer first opened it (the résumé became visible to them then).
    viewed_at = models.DateTimeField(_("first viewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [models.UniqueConstraint(fields=["graduate", "job"], name="one_application_per_job")]
        indexes = [models.Index(fields=["employer", "state"], name="application_employer_state")]

    def __str__(self):
        return f"{self.graduate} → {self.job}"

    @property
    def is_open(self) -> bool:
        return self.state not in CLOSED_STATES


class ApplicationEvent(models.Model):
    """One transition of an application (the pipeline's history)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=16, choices=ApplicationState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=ApplicationState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


class Message(models.Model):
    """A message in an application's thread, between the graduate and the employer's staff."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    from_employer = models.BooleanField(default=False)
    body = models.TextField(_("message"))
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sent_at", "id"]


class InterviewState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    RESCHEDULE = "reschedule", _("New time requested")
    CANCELLED = "cancelled", _("Cancelled")


class Interview(models.Model):
    """面试安排: proposed by the employer; the graduate confirms it or asks for another time."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="interviews")
    starts_at = models.DateTimeField(_("time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online meeting link"), blank=True)
    state = models.CharField(_("state"), max_length=16, choices=InterviewState.choices,
                             default=InterviewState.PROPOSED)
    graduate_note = models.CharField(_("graduate's note"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]


# --- Online job fairs -----------------------------------------------------------------------------------


class JobFair(models.Model):
    """专场招聘: an online job fair run by a school or a bureau within a time window."""

    organiser = models.ForeignKey(Organisation, verbose_name=_("organiser"), on_delete=models.PROTECT,
                                  related_name="+")
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("opens"))
    ends_at = models.DateTimeField(_("closes"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("job fair")
        ordering = ["-starts_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                              name="fair_ends_after_start")]

    def __str__(self):
        return self.title

    def is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return self.starts_at <= now < self.ends_at


class FairEmployerState(models.TextChoices):
    INVITED = "invited", _("Invited")
    APPLIED = "applied", _("Asked to take part")
    APPROVED = "approved", _("Taking part")
    DECLINED = "declined", _("Declined")


class FairEmployer(models.Model):
    fair = models.ForeignKey(JobFair, on_delete=models.CASCADE, related_name="participants")
    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="fair_entries")
    state = models.CharField(_("state"), max_length=16, choices=FairEmployerState.choices)
    jobs = models.ManyToManyField(Job, blank=True, related_name="fair_entries")
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fair", "employer"], name="fair_employer_once")]


class FairRegistration(models.Model):
    fair = models.ForeignKey(JobFair, on_delete=models.CASCADE, related_name="registrations")
    graduate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fair", "graduate"], name="fair_registration_once")]


# --- The three-party agreement (三方协议) ----------------------------------------------------------------


class AgreementState(models.TextChoices):
    OFFERED = "offered", _("Offered by the employer")
    DECLINED = "declined", _("Declined by the graduate")
    ACCEPTED = "accepted", _("Accepted, awaiting the school")
    RETURNED = "returned", _("Returned by the school")
    SIGNED = "signed", _("Signed")
    TERMINATED = "terminated", _("Terminated (解约)")
    WITHDRAWN = "withdrawn", _("Offer withdrawn")


# A graduate holds at most one agreement in these states (enforced by the partial unique constraint).
ACTIVE_AGREEMENT_STATES = [AgreementState.ACCEPTED, AgreementState.SIGNED]


class Agreement(models.Model):
    """就业协议书: the offer an employer issues from an application, accepted by the graduate and
    approved by the graduate's school employment office, which issues its number."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="agreements")
    graduate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agreements")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="agreements")
    # The school whose employment office approves (from the graduate record at the time of the offer).
    school = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("agreement number"), max_length=32, unique=True, null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=AgreementState.choices,
                             default=AgreementState.OFFERED, db_index=True)
    post = models.CharField(_("post"), max_length=100)
    salary = models.PositiveIntegerField(_("monthly salary (yuan)"))
    start_date = models.DateField(_("start date"))
    workplace_code = models.CharField(_("place of work"), max_length=6, blank=True)  # GB/T 2260
    contract_terms = models.TextField(_("contract terms"))
    # 违约金: 0 when the agreement names none.
    liquidated_damages = models.PositiveIntegerField(_("liquidated damages (yuan)"), default=0)
    content_hash = models.CharField(_("content SHA-256"), max_length=64)
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    offered_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.CharField(_("reason"), max_length=500, blank=True)
    terminated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("three-party agreement")
        ordering = ["-offered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["graduate"], condition=Q(state__in=ACTIVE_AGREEMENT_STATES),
                                    name="one_active_agreement_per_graduate"),
        ]

    def __str__(self):
        return self.number or f"#{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_AGREEMENT_STATES


class Party(models.TextChoices):
    EMPLOYER = "employer", _("Employer")
    GRADUATE = "graduate", _("Graduate")
    SCHOOL = "school", _("School employment office")


class Signature(models.Model):
    """One party's signature record: who signed, with which key (its fingerprint), when, over which content."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatures")
    party = models.CharField(_("party"), max_length=16, choices=Party.choices)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    key_id = models.CharField(_("key"), max_length=64)
    content_hash = models.CharField(_("content SHA-256"), max_length=64)
    mac = models.CharField(_("signature"), max_length=64)
    signed_at = models.DateTimeField(_("signed"))

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "party"], name="one_signature_per_party")]


class AgreementCounter(models.Model):
    """The last sequence number issued per school and year (agreement numbers are gap-free per school)."""

    school = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="agreement_counter_once")]


class TerminationState(models.TextChoices):
    PENDING = "pending", _("Awaiting approvals")
    APPROVED = "approved", _("Approved; agreement ended")
    REFUSED = "refused", _("Refused")


class Termination(models.Model):
    """解约: asked for by the graduate or the employer with reasons; the other party and the school's
    employment office both approve before the agreement ends."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="terminations")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requesting_party = models.CharField(max_length=16, choices=Party.choices)
    reason = models.TextField(_("reasons"))
    state = models.CharField(_("state"), max_length=16, choices=TerminationState.choices,
                             default=TerminationState.PENDING)
    other_party_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    other_party_at = models.DateTimeField(null=True, blank=True)
    office_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    office_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["agreement"], condition=Q(state="pending"),
                                               name="one_pending_termination")]


# --- Destinations (毕业去向) -----------------------------------------------------------------------------


class Destination(models.TextChoices):
    """毕业去向 as the Ministry of Education's graduate employment statistics group them (codes in docs)."""

    AGREEMENT = "10", _("Employment agreement (签就业协议形式就业)")
    CONTRACT = "11", _("Labour contract (签劳动合同形式就业)")
    OTHER_HIRE = "12", _("Other forms of employment (其他录用形式就业)")
    RESEARCH_ASSISTANT = "46", _("Research or management assistant (科研助理、管理助理)")
    MILITARY = "50", _("Enlisted (应征义务兵)")
    NATIONAL_GRASSROOTS = "51", _("National grassroots programme (国家基层项目)")
    LOCAL_GRASSROOTS = "52", _("Local grassroots programme (地方基层项目)")
    SELF_EMPLOYED = "75", _("Self-employment (自主创业)")
    FLEXIBLE = "76", _("Flexible employment (自由职业)")
    FURTHER_STUDY = "80", _("Further study in China (升学)")
    ABROAD = "85", _("Study or work abroad (出国、出境)")
    SEEKING = "70", _("Seeking employment (待就业)")
    PREPARING_STUDY = "71", _("Not seeking work, preparing for further study (不就业拟升学)")
    OTHER_NOT_EMPLOYED = "72", _("Other, not yet employed (其他暂不就业)")


NOT_SETTLED = {Destination.SEEKING, Destination.PREPARING_STUDY, Destination.OTHER_NOT_EMPLOYED}
# 毕业去向落实: every category except the three "not yet" ones.
SETTLED = {d.value for d in Destination if d not in NOT_SETTLED}


class DestinationRecord(models.Model):
    """One entry in a graduate's destination history; the newest (``current``) one counts."""

    record = models.ForeignKey(GraduateRecord, on_delete=models.CASCADE, related_name="destinations")
    category = models.CharField(_("destination"), max_length=4, choices=Destination.choices)
    organisation_name = models.CharField(_("employer or institution"), max_length=200, blank=True)
    region_code = models.CharField(_("region"), max_length=6, blank=True)  # GB/T 2260 of the workplace
    agreement = models.ForeignKey(Agreement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    current = models.BooleanField(default=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("destination record")
        ordering = ["-recorded_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["record"], condition=Q(current=True),
                                               name="one_current_destination")]

    @property
    def settled(self) -> bool:
        return self.category in SETTLED


# --- Notices (一键直达) ----------------------------------------------------------------------------------


class Notice(models.Model):
    """A notice from a bureau or school that reaches every counsellor and employment officer below it."""

    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, verbose_name=_("from"), on_delete=models.PROTECT,
                                     related_name="+")
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"))
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-sent_at", "-id"]


class NoticeReceipt(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="receipts")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "recipient"], name="notice_receipt_once")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_inbox")]
