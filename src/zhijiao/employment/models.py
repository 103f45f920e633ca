"""24365 employment service data (国家24365大学生就业服务平台): graduates' verified student status, their
job intentions and résumés, employers with their verification, and job postings with their screening.

The parts of the service that build on these live in two sub-apps: ``employment.matching`` (search,
recommendations, the daily push) and ``employment.hiring`` (job fairs, applications, the three-party
agreement, destinations and progress).

Who is a graduate is never typed in by the graduate: a :class:`GraduateRecord` comes from the school's
graduate roster (生源信息) and is shown as verified. The difficulty flag (困难毕业生) lives in its own
table, :class:`DifficultyFlag`, which no employer-facing query, page or API ever reads.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhijiao.identity.models import Organisation

# --- Reference data -----------------------------------------------------------------------------------
# Majors come from the resource centre's catalogue (resources.Major: 学科门类 → 专业类 → 专业).


class Industry(models.Model):
    """国民经济行业分类 (GB/T 4754-2017): sections A–T (门类) and their divisions (大类, two digits)."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", verbose_name=_("section"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children")

    class Meta:
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class Occupation(models.Model):
    """中华人民共和国职业分类大典 (2022): 大类 (1 digit) → 中类 (e.g. 2-02) → 小类 (e.g. 2-02-10)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children")
    # 职业百科: what the work is, what it asks for, where it leads. Empty for most rows.
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("occupation")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class DegreeLevel(models.TextChoices):
    """学历层次, ordered from lowest to highest (the ``rank`` below compares them)."""

    VOCATIONAL = "vocational", _("Vocational college (专科)")
    BACHELOR = "bachelor", _("Bachelor (本科)")
    MASTER = "master", _("Master (硕士)")
    DOCTOR = "doctor", _("Doctorate (博士)")


DEGREE_RANK = {DegreeLevel.VOCATIONAL: 1, DegreeLevel.BACHELOR: 2, DegreeLevel.MASTER: 3, DegreeLevel.DOCTOR: 4}


class JobType(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    INTERNSHIP = "internship", _("Internship")
    GRASSROOTS = "grassroots", _("Grassroots programme (基层项目)")
    FURTHER_STUDY = "further_study", _("Further study")
    MILITARY = "military", _("Military service")


# --- Graduates ----------------------------------------------------------------------------------------


class GraduateRecord(models.Model):
    """毕业生学籍: a learner of a graduating class, as the school's graduate roster (生源信息) states it.

    Only the school (or a bureau above it) writes these rows; the graduate sees them as verified.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("graduate"), on_delete=models.CASCADE,
                                related_name="graduate_record")
    school = models.ForeignKey(Organisation, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    # The college (院系) and class, when the roster names them; nodes under the school.
    college = models.ForeignKey(Organisation, verbose_name=_("college"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    class_org = models.ForeignKey(Organisation, verbose_name=_("class"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    # Copied from the deepest of school / college / class so scope checks are one prefix test.
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    student_number = models.CharField(_("student number"), max_length=32, blank=True)
    major = models.ForeignKey("resources.Major", verbose_name=_("major"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    # The major's name as the roster wrote it (kept even when it matched no catalogue entry).
    major_name = models.CharField(_("major name"), max_length=100)
    degree_level = models.CharField(_("degree level"), max_length=16, choices=DegreeLevel.choices)
    graduation_year = models.PositiveSmallIntegerField(_("graduation year"), db_index=True)
    # 生源地: GB/T 2260 code of the place the graduate comes from.
    origin_code = models.CharField(_("place of origin"), max_length=6, blank=True)
    verified_at = models.DateTimeField(_("verified"), default=timezone.now)
    source = models.CharField(_("source"), max_length=100, blank=True)  # e.g. the roster file's name

    class Meta:
        verbose_name = _("graduate record")
        verbose_name_plural = _("graduate records")
        indexes = [models.Index(fields=["graduation_year", "org_path"], name="graduate_year_path")]

    def __str__(self):
        return f"{self.major_name} {self.graduation_year}"


class DifficultyKind(models.TextChoices):
    POOR_FAMILY = "poor_family", _("Family on low income")  # 脱贫家庭 / 低保家庭
    ZERO_EMPLOYMENT = "zero_employment", _("Zero-employment family")  # 零就业家庭
    DISABILITY = "disability", _("Disability")  # 残疾
    OTHER = "other", _("Other hardship")


class DifficultyFlag(models.Model):
    """困难毕业生: a graduate flagged for priority help. Read only by staff with ``employment.follow`` in
    scope, and by the push (which gives these graduates priority). Never by anything an employer sees."""

    record = models.ForeignKey(GraduateRecord, on_delete=models.CASCADE, related_name="difficulty_flags")
    kind = models.CharField(_("kind"), max_length=32, choices=DifficultyKind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    flagged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("difficulty flag")
        constraints = [models.UniqueConstraint(fields=["record", "kind"], name="difficulty_flag_once")]


class JobIntention(models.Model):
    """就业意愿登记: what the graduate is looking for. Codes, so matching compares like with like."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="job_intention")
    job_types = models.JSONField(_("job types"), default=list)  # [JobType]
    industry_codes = models.JSONField(_("industries"), default=list)  # [Industry.code]
    occupation_codes = models.JSONField(_("occupations"), default=list)  # [Occupation.code]
    region_codes = models.JSONField(_("regions"), default=list)  # GB/T 2260 codes, any level
    salary_min = models.PositiveIntegerField(_("lowest monthly salary (yuan)"), null=True, blank=True)
    salary_max = models.PositiveIntegerField(_("highest monthly salary (yuan)"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("job intention")


class ResumeVisibility(models.TextChoices):
    EMPLOYERS = "employers", _("Visible to verified employers")
    APPLIED = "applied", _("Only to employers I apply to")


class Resume(models.Model):
    """简历. Education comes from the graduate record; the rest is the graduate's own words.

    ``sections`` holds lists keyed ``internships``, ``projects``, ``certificates``, ``awards`` (each item a
    dict with ``title``, ``organisation``, ``start``, ``end``, ``description``); ``skills`` is a list of
    short strings. ``search_text`` is the flattened text the matching uses.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resume")
    visibility = models.CharField(_("visibility"), max_length=16, choices=ResumeVisibility.choices,
                                  default=ResumeVisibility.APPLIED)
    headline = models.CharField(_("headline"), max_length=200, blank=True)
    summary = models.TextField(_("about me"), blank=True)
    skills = models.JSONField(_("skills"), default=list)
    sections = models.JSONField(default=dict)
    search_text = models.TextField(blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("résumé")


# --- Employers and jobs -------------------------------------------------------------------------------


class EmployerType(models.TextChoices):
    STATE_OWNED = "state_owned", _("State-owned enterprise")
    PRIVATE = "private", _("Private enterprise")
    FOREIGN = "foreign", _("Foreign-invested enterprise")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution (事业单位)")
    GOVERNMENT = "government", _("Government body")
    SOCIAL = "social", _("Social organisation")
    OTHER = "other", _("Other")


class EmployerState(models.TextChoices):
    PENDING = "pending", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class Employer(models.Model):
    """用人单位: the profile of an Organisation of kind ``employer`` (its ``code`` is the unified social credit
    code). Only a verified employer may post jobs or see résumés."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="employer")
    employer_type = models.CharField(_("type"), max_length=24, choices=EmployerType.choices)
    industry = models.ForeignKey(Industry, verbose_name=_("industry"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("location"), max_length=6)  # GB/T 2260
    address = models.CharField(_("address"), max_length=200, blank=True)
    size = models.CharField(_("number of employees"), max_length=32, blank=True)
    description = models.TextField(_("description"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_phone_enc = models.TextField(blank=True, editable=False)  # core.crypto, purpose "employer-phone"
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    state = models.CharField(_("state"), max_length=16, choices=EmployerState.choices,
                             default=EmployerState.PENDING, db_index=True)
    state_reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("employer")

    def __str__(self):
        return self.organisation.name

    @property
    def is_verified(self) -> bool:
        return self.state == EmployerState.VERIFIED


class JobState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    HELD = "held", _("Held for staff review")  # screening flagged it
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected by staff")
    CLOSED = "closed", _("Closed")


class Job(models.Model):
    """招聘岗位. Salaries are monthly, in yuan. A posting is screened before publication: sensitive words
    and discriminatory requirements (gender, ethnicity, place of origin, marital status) hold it for staff."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="jobs")
    title = models.CharField(_("title"), max_length=100)
    occupation = models.ForeignKey(Occupation, verbose_name=_("occupation"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey(Industry, verbose_name=_("industry"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    job_type = models.CharField(_("job type"), max_length=16, choices=JobType.choices, default=JobType.FULL_TIME)
    region_code = models.CharField(_("location"), max_length=6, db_index=True)  # GB/T 2260
    salary_min = models.PositiveIntegerField(_("lowest monthly salary (yuan)"), null=True, blank=True)
    salary_max = models.PositiveIntegerField(_("highest monthly salary (yuan)"), null=True, blank=True)
    # Lowest degree level accepted; blank for "any".
    education = models.CharField(_("education required"), max_length=16, choices=DegreeLevel.choices, blank=True)
    majors = models.ManyToManyField("resources.Major", verbose_name=_("majors wanted"), blank=True,
                                    related_name="+")
    headcount = models.PositiveIntegerField(_("openings"), default=1)
    description = models.TextField(_("description"))
    deadline = models.DateField(_("application deadline"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=JobState.choices, default=JobState.DRAFT)
    # What screening found: [{"kind": "sensitive"|"discrimination", "category": ..., "text": ...}].
    screening_flags = models.JSONField(default=list, blank=True)
    review_note = models.CharField(_("staff note"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("job")
        indexes = [models.Index(fields=["state", "published_at"], name="job_state_published")]

    def __str__(self):
        return self.title


# --- Career guidance (就业指导) -------------------------------------------------------------------------


class CaseState(models.TextChoices):
    HELD = "held", _("Held for staff review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected by staff")


class CareerCase(models.Model):
    """职业案例: a short story of a graduate's path into work, written by employment staff. Screened for
    sensitive words before publication; a flagged case waits for another staff member's decision."""

    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("story"))
    occupation = models.ForeignKey(Occupation, verbose_name=_("occupation"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
                                     related_name="+")
    state = models.CharField(_("state"), max_length=16, choices=CaseState.choices, default=CaseState.HELD)
    screening_flags = models.JSONField(default=list, blank=True)
    review_note = models.CharField(_("staff note"), max_length=500, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("career case")
        ordering = ["-published_at", "-id"]

    def __str__(self):
        return self.title


class CourseKind(models.TextChoices):
    LIVE = "live", _("Live lesson (直播)")
    RECORDED = "recorded", _("Recorded course")


class GuidanceCourse(models.Model):
    """就业指导课程: a live or recorded guidance lesson; a recorded one may point at a resource-centre resource."""

    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=CourseKind.choices, default=CourseKind.RECORDED)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    resource = models.ForeignKey("resources.Resource", verbose_name=_("resource"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
                                     related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("guidance course")
        ordering = ["-starts_at", "-id"]

    def __str__(self):
        return self.title
