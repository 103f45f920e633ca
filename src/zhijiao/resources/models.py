"""Resource centre data (资源中心): the curriculum and major taxonomies, boards and columns, resources with
their versions and files, the content review (内容审核) trail, complaints and the use figures.

A resource's id never changes: other apps and the learning records name it
``{ZJ_PUBLIC_URL}/resources/<id>/``. What a provider proposes lives in a :class:`ResourceVersion`; what
the public sees is the last approved version, copied onto the :class:`Resource` row when it is approved
(so lists, browse pages and search read one table). An update is a new version and goes through review
again while the approved one stays live (更新必审).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# --- Taxonomy ----------------------------------------------------------------------------------------


class Library(models.TextChoices):
    """The platform's four resource libraries (资源库)."""

    K12 = "k12", _("Primary and secondary education")  # 基础教育
    VOCATIONAL = "vocational", _("Vocational education")  # 职业教育
    HIGHER = "higher", _("Higher education")  # 高等教育
    TRAINING = "training", _("Teacher training")  # 教师研修


class Stage(models.Model):
    """学段: 小学, 初中, 高中."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("school stage")
        ordering = ["order"]

    def __str__(self):
        return self.name


class Subject(models.Model):
    """学科, per stage (初中 生物学 and 高中 生物学 are two rows: their curriculum standards differ)."""

    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.CASCADE, related_name="subjects")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("subject")
        ordering = ["stage__order", "order"]
        constraints = [models.UniqueConstraint(fields=["stage", "code"], name="subject_code_per_stage")]

    def __str__(self):
        return f"{self.stage.name}{self.name}"


class Grade(models.Model):
    """年级: 一年级 … 九年级 (1–9), 高一 … 高三 (10–12)."""

    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.CASCADE, related_name="grades")
    number = models.PositiveSmallIntegerField(_("grade number"), unique=True)
    name = models.CharField(_("name"), max_length=20)

    class Meta:
        verbose_name = _("grade")
        ordering = ["number"]

    def __str__(self):
        return self.name


class Edition(models.Model):
    """教材版本: 统编版, 人教版, 北师大版 … with the publisher (出版社)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    publisher = models.CharField(_("publisher"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("textbook edition")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class Volume(models.Model):
    """册次: one textbook of an edition, e.g. 统编版 语文 一年级上册 or 人教A版 数学 必修第一册."""

    edition = models.ForeignKey(Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="volumes")
    subject = models.ForeignKey(Subject, verbose_name=_("subject"), on_delete=models.CASCADE, related_name="volumes")
    grade = models.ForeignKey(Grade, verbose_name=_("grade"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="volumes")
    code = models.CharField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("textbook volume")
        ordering = ["subject__stage__order", "subject__order", "order"]
        indexes = [models.Index(fields=["subject", "edition", "order"])]

    def __str__(self):
        return f"{self.edition.name} {self.subject.name} {self.name}"


class Unit(models.Model):
    """单元 of a volume."""

    volume = models.ForeignKey(Volume, verbose_name=_("volume"), on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("unit")
        ordering = ["volume", "order"]

    def __str__(self):
        return self.name


class Lesson(models.Model):
    """课时: the smallest node; a lesson package (微课 + 学习任务单 + 课后练习) hangs from it."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="lessons")
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("lesson")
        ordering = ["unit", "order"]

    def __str__(self):
        return self.name


class MajorLevel(models.TextChoices):
    CATEGORY = "category", _("Category")  # 专业大类 (vocational) / 学科门类 (higher)
    CLASS = "class", _("Major class")  # 专业类
    MAJOR = "major", _("Major")  # 专业


class Major(models.Model):
    """Vocational 专业大类 → 专业类 → 专业 and higher-education 学科门类 → 专业类 → 专业, with the
    catalogues' own codes (e.g. 08 工学 → 0809 计算机类 → 080901 计算机科学与技术)."""

    library = models.CharField(_("library"), max_length=16, choices=Library.choices)
    level = models.CharField(_("level"), max_length=16, choices=MajorLevel.choices)
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children")

    class Meta:
        verbose_name = _("major")
        ordering = ["library", "code"]
        constraints = [models.UniqueConstraint(fields=["library", "code"], name="major_code_per_library")]

    def __str__(self):
        return f"{self.code} {self.name}"


class Board(models.Model):
    """板块: a section of a library's home page, e.g. 德育 or 课程教学."""

    library = models.CharField(_("library"), max_length=16, choices=Library.choices)
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    description = models.CharField(_("description"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("shown"), default=True)

    class Meta:
        verbose_name = _("board")
        ordering = ["library", "order", "id"]

    def __str__(self):
        return self.name


class Column(models.Model):
    """栏目 inside a board. ``stages`` lists the school stages it is meant for; empty means every audience.
    The suitability check (Art.12) refuses a resource for one stage in a column for another."""

    board = models.ForeignKey(Board, verbose_name=_("board"), on_delete=models.CASCADE, related_name="columns")
    code = models.CharField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=50)
    stages = models.ManyToManyField(Stage, verbose_name=_("for stages"), blank=True, related_name="+")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("shown"), default=True)

    class Meta:
        verbose_name = _("column")
        ordering = ["board", "order", "id"]

    def __str__(self):
        return f"{self.board.name} · {self.name}"


# --- Resources ----------------------------------------------------------------------------------------


class Kind(models.TextChoices):
    VIDEO = "video", _("Video")  # 视频
    DOCUMENT = "document", _("Document")  # 文档
    COURSEWARE = "courseware", _("Courseware")  # 教学课件
    E_TEXTBOOK = "e_textbook", _("E-textbook")  # 数字教材
    E_BOOK = "e_book", _("E-book")  # 数字图书
    TEACHING_CASE = "teaching_case", _("Teaching case")  # 教学案例
    VIRTUAL_EXPERIMENT = "virtual_experiment", _("Virtual experiment")  # 虚拟实验
    EXERCISE_SET = "exercise_set", _("Exercise set")  # 练习
    EXTERNAL_LINK = "external_link", _("External link")  # 外部链接
    LESSON_PACKAGE = "lesson_package", _("Lesson package")  # 课时资源包: 微课 + 学习任务单 + 课后练习


class Licence(models.TextChoices):
    PLATFORM = "platform", _("Platform use agreement")  # 平台资源使用协议
    CC_BY = "cc-by-4.0", _("CC BY 4.0")
    CC_BY_SA = "cc-by-sa-4.0", _("CC BY-SA 4.0")
    CC_BY_NC = "cc-by-nc-4.0", _("CC BY-NC 4.0")
    CC_BY_NC_ND = "cc-by-nc-nd-4.0", _("CC BY-NC-ND 4.0")
    ALL_RIGHTS = "all-rights-reserved", _("All rights reserved")


class DownloadPolicy(models.TextChoices):
    ANYONE = "anyone", _("Anyone")
    SIGNED_IN = "signed_in", _("Signed-in users")
    PROVIDER_AREA = "provider_area", _("Members of the provider's organisation")
    NOBODY = "nobody", _("Nobody (watch or read online only)")


class Status(models.TextChoices):
    """Whether the public can see the resource; the review state of each proposal is on its version."""

    DRAFT = "draft", _("Never published")
    PUBLISHED = "published", _("Published")
    TAKEN_DOWN = "taken_down", _("Taken down")


class ResourceContent(models.Model):
    """The descriptive fields a provider proposes, shared by the version (proposal) and the resource
    (its live copy)."""

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    library = models.CharField(_("library"), max_length=16, choices=Library.choices, default=Library.K12)
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    subject = models.ForeignKey(Subject, verbose_name=_("subject"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    grade = models.ForeignKey(Grade, verbose_name=_("grade"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    edition = models.ForeignKey(Edition, verbose_name=_("edition"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    volume = models.ForeignKey(Volume, verbose_name=_("volume"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    lesson = models.ForeignKey(Lesson, verbose_name=_("lesson"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    major = models.ForeignKey(Major, verbose_name=_("major"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    knowledge_points = models.JSONField(_("knowledge points"), default=list, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    authors = models.JSONField(_("authors"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=16, default="zh-hans")
    licence = models.CharField(_("licence"), max_length=32, choices=Licence.choices, default=Licence.PLATFORM)
    university = models.CharField(_("university"), max_length=100, blank=True)
    first_class = models.BooleanField(_("first-class course"), default=False)  # 一流课程
    premium = models.BooleanField(_("premium resource"), default=False)  # 精品资源
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    external_url = models.URLField(_("external address"), max_length=500, blank=True)
    link_owner = models.CharField(_("link owner"), max_length=200, blank=True)
    download_policy = models.CharField(_("who may download"), max_length=16, choices=DownloadPolicy.choices,
                                       default=DownloadPolicy.SIGNED_IN)

    CONTENT_FIELDS = (
        "title", "summary", "library", "stage", "subject", "grade", "edition", "volume", "unit", "lesson", "major",
        "knowledge_points", "keywords", "authors", "language", "licence", "university", "first_class", "premium",
        "duration_seconds", "external_url", "link_owner", "download_policy",
    )

    class Meta:
        abstract = True


class Resource(ResourceContent):
    """资源. The content fields hold the live (last approved) version's values; before the first approval
    they hold the first draft's, and nobody but the provider and reviewers sees them."""

    kind = models.CharField(_("type"), max_length=24, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    provider = models.ForeignKey("identity.Organisation", verbose_name=_("provider organisation"),
                                 on_delete=models.PROTECT, related_name="+")
    provider_path = models.CharField(max_length=255, editable=False, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    live_version = models.ForeignKey("ResourceVersion", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    taken_down_at = models.DateTimeField(_("taken down"), null=True, blank=True)
    columns = models.ManyToManyField(Column, verbose_name=_("columns"), blank=True, related_name="resources")

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        indexes = [
            models.Index(fields=["status", "published_at"], name="res_status_published"),
            models.Index(fields=["lesson", "status"], name="res_lesson_status"),
            models.Index(fields=["subject", "grade", "status"], name="res_subject_grade"),
            models.Index(fields=["provider_path", "status"], name="res_provider_status"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status == Status.PUBLISHED


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")  # 草稿
    SUBMITTED = "submitted", _("Submitted")  # 已提交
    SCREENED = "screened", _("Machine-screened, waiting for review")  # 机审通过
    IN_REVIEW = "in_review", _("In review")  # 人工审核中
    REJECTED = "rejected", _("Rejected")  # 未通过
    APPROVED = "approved", _("Approved")  # 已通过 (live, or was live)
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 撤回 / 被后续版本替代的草稿


class ResourceVersion(ResourceContent):
    """版本: one proposal of a resource's content and files. Numbered 1, 2, … per resource."""

    resource = models.ForeignKey(Resource, verbose_name=_("resource"), on_delete=models.CASCADE,
                                 related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("review state"), max_length=16, choices=VersionState.choices,
                             default=VersionState.DRAFT)
    columns = models.ManyToManyField(Column, verbose_name=_("columns"), blank=True, related_name="+")
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # The review level (1 = 初审) now open; 0 before screening.
    review_level = models.PositiveSmallIntegerField(default=0)
    rejection_reasons = models.TextField(_("reasons for rejection"), blank=True)

    class Meta:
        verbose_name = _("resource version")
        ordering = ["resource", "-number"]
        constraints = [models.UniqueConstraint(fields=["resource", "number"], name="version_number_unique")]
        indexes = [models.Index(fields=["state", "submitted_at"], name="version_state_submitted")]

    def __str__(self):
        return f"{self.resource_id} v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.state == VersionState.DRAFT


class FileRole(models.TextChoices):
    MAIN = "main", _("Main file")
    VIDEO = "video", _("Micro-lesson video")  # 微课视频
    TASK_SHEET = "task_sheet", _("Learning task sheet")  # 学习任务单
    EXERCISES = "exercises", _("After-class exercises")  # 课后练习
    POSTER = "poster", _("Poster image")  # 封面
    SUBTITLES = "subtitles", _("Subtitles")  # 字幕
    ATTACHMENT = "attachment", _("Attachment")  # 附件


class ResourceFile(models.Model):
    """A file of one version. The bytes sit in the storage under a name derived from their SHA-256, so a
    new version shares its predecessor's unchanged files instead of copying them."""

    version = models.ForeignKey(ResourceVersion, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(_("role"), max_length=16, choices=FileRole.choices)
    file_type = models.CharField(_("file type"), max_length=16)
    name = models.CharField(_("file name"), max_length=200)
    storage_name = models.CharField(max_length=200)
    size = models.BigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    # Text read from documents (PDF) and subtitles, for search and the machine pre-screen.
    text = models.TextField(blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("resource file")
        ordering = ["version", "role", "id"]

    def __str__(self):
        return self.name


# --- Providers and review -----------------------------------------------------------------------------


class ProviderAgreement(models.Model):
    """资源使用协议: a provider accepted this version of the agreement at this time (Art.7)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.CharField(_("agreement version"), max_length=20)
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("provider agreement")
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="agreement_once_per_version")]


class ScreeningReport(models.Model):
    """机器审核: the outcome of the automatic pre-screen of one version (Art.9)."""

    version = models.ForeignKey(ResourceVersion, on_delete=models.CASCADE, related_name="screenings")
    passed = models.BooleanField(_("passed"))
    # [{"check": "words"|"files"|"metadata"|"suitability", "field": ..., "message": ..., "word": ...,
    #   "category": ..., "context": ...}]
    findings = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("screening report")
        ordering = ["-created_at"]


class TaskKind(models.TextChoices):
    PUBLICATION = "publication", _("Publication or update")  # 上线/更新审核
    SPOT_CHECK = "spot_check", _("Spot check")  # 抽查 (Art.14)
    EVALUATION = "evaluation", _("Low rating or many complaints")  # 动态评价 (Art.16)


class TaskState(models.TextChoices):
    OPEN = "open", _("Waiting")
    CLAIMED = "claimed", _("Being reviewed")
    DONE = "done", _("Decided")
    CANCELLED = "cancelled", _("Cancelled")


class ReviewTask(models.Model):
    """An item of the reviewers' work queue: one level of review of one version."""

    version = models.ForeignKey(ResourceVersion, on_delete=models.CASCADE, related_name="tasks")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("kind"), max_length=16, choices=TaskKind.choices)
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    state = models.CharField(_("state"), max_length=16, choices=TaskState.choices, default=TaskState.OPEN)
    provider_path = models.CharField(max_length=255, editable=False)
    reason = models.CharField(_("why queued"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("review task")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["state", "provider_path", "created_at"], name="task_queue")]


class Outcome(models.TextChoices):
    APPROVE = "approve", _("Approve")  # 通过
    REJECT = "reject", _("Reject")  # 不通过
    KEEP = "keep", _("Keep online")  # 保留
    TAKE_DOWN = "take_down", _("Take down")  # 下架


class Dimension(models.TextChoices):
    """The four review dimensions of Art.9–13."""

    POLITICAL = "political", _("Political")  # 政治性 Art.10
    SCIENTIFIC = "scientific", _("Scientific")  # 科学性 Art.11
    SUITABILITY = "suitability", _("Suitability")  # 适用性 Art.12
    CONFORMANCE = "conformance", _("Conformance")  # 规范性 Art.13


class ReviewDecision(models.Model):
    """A reviewer's decision on a task, with the checklist and a comment for each dimension."""

    task = models.OneToOneField(ReviewTask, on_delete=models.CASCADE, related_name="decision")
    version = models.ForeignKey(ResourceVersion, on_delete=models.CASCADE, related_name="decisions")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    # {dimension: {"checks": {item_code: bool}, "comment": str, "passed": bool}}
    dimensions = models.JSONField(default=dict)
    comment = models.TextField(_("comment"), blank=True)
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        verbose_name = _("review decision")
        ordering = ["decided_at", "id"]


# --- Feedback and use ---------------------------------------------------------------------------------


class ComplaintCategory(models.TextChoices):
    POLITICAL = "political", _("Wrong political direction or values")
    SCIENTIFIC = "scientific", _("Factual or academic error")
    UNSUITABLE = "unsuitable", _("Not suitable for learners of this age")
    INFRINGEMENT = "infringement", _("Infringes copyright or other rights")
    PRIVACY = "privacy", _("Exposes personal information")
    ADVERTISING = "advertising", _("Advertising")
    BROKEN = "broken", _("Broken file or link")
    OTHER = "other", _("Other")


class ComplaintState(models.TextChoices):
    OPEN = "open", _("Being handled")
    UPHELD = "upheld", _("Upheld: resource taken down")
    DISMISSED = "dismissed", _("Not upheld")


class Complaint(models.Model):
    """投诉举报 (Art.15): a signed-in user reports a resource; the outcome goes back to them."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="complaints")
    complainant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(_("category"), max_length=16, choices=ComplaintCategory.choices)
    text = models.TextField(_("what is wrong"))
    state = models.CharField(_("state"), max_length=16, choices=ComplaintState.choices, default=ComplaintState.OPEN)
    provider_path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    outcome = models.TextField(_("outcome"), blank=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    outcome_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("complaint")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "provider_path", "created_at"], name="complaint_queue")]


class Rating(models.Model):
    """评分: one per user and resource, 1–5 stars, changeable."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    stars = models.PositiveSmallIntegerField(_("stars"))
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rating")
        constraints = [
            models.UniqueConstraint(fields=["resource", "user"], name="rating_once_per_user"),
            models.CheckConstraint(condition=models.Q(stars__gte=1, stars__lte=5), name="rating_stars_1_5"),
        ]


class Favourite(models.Model):
    """收藏."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("favourite")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "resource"], name="favourite_once")]


class RecentView(models.Model):
    """最近浏览: the newest time a signed-in user opened a resource."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    viewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("recently viewed")
        constraints = [models.UniqueConstraint(fields=["user", "resource"], name="recent_view_once")]
        indexes = [models.Index(fields=["user", "viewed_at"], name="recent_view_user")]


class ResourceStats(models.Model):
    """动态评价 figures (Art.16), kept per resource and updated as use happens."""

    resource = models.OneToOneField(Resource, on_delete=models.CASCADE, primary_key=True, related_name="stats")
    views = models.BigIntegerField(_("views"), default=0)
    downloads = models.BigIntegerField(_("downloads"), default=0)
    rating_count = models.IntegerField(_("ratings"), default=0)
    rating_sum = models.IntegerField(default=0)
    complaint_count = models.IntegerField(_("complaints"), default=0)
    favourite_count = models.IntegerField(_("favourites"), default=0)

    class Meta:
        verbose_name = _("resource figures")

    @property
    def rating(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 2) if self.rating_count else None

    @property
    def complaint_rate(self) -> float:
        """Complaints per view; a resource nobody opened has no rate."""
        return self.complaint_count / self.views if self.views else 0.0


class Notice(models.Model):
    """站内通知 of the resource centre: review outcomes to providers, complaint outcomes to complainants."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    resource = models.ForeignKey(Resource, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "created_at"], name="notice_user")]
