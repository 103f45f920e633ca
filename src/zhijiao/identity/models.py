"""智教通行证: users, the five-level organisation tree, memberships (user × organisation × role), MFA.

Organisation paths are materialised: each node's ``path`` is its ancestors' ids followed by its own,
every id zero-padded to ``PATH_WIDTH`` digits. "Is X under Y" is a string prefix test, and "everything
under Y" is one index range scan (``path >= Y.path`` and ``path < successor(Y.path)``), on SQLite and
PostgreSQL alike and whatever the database collation, because paths hold digits only.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhijiao.core import crypto

PATH_WIDTH = 10


def child_path(parent_path: str, pk: int) -> str:
    """The materialised path of node ``pk`` under the node whose path is ``parent_path`` ("" for a root)."""
    return parent_path + str(pk).zfill(PATH_WIDTH)


def path_successor(path: str) -> str:
    """The smallest path that sorts after every path starting with ``path``."""
    return str(int(path) + 1).zfill(len(path))


class OrgKind(models.TextChoices):
    NATION = "nation", _("Nation")
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County / district")
    SCHOOL = "school", _("School")
    DEPARTMENT = "department", _("Department / grade")
    CLASS = "class", _("Class")
    BUREAU = "bureau", _("Education bureau")
    EMPLOYER = "employer", _("Employer")
    PLATFORM = "platform", _("Connected platform")


DIVISION_KINDS = {OrgKind.NATION, OrgKind.PROVINCE, OrgKind.CITY, OrgKind.COUNTY}

# Which kinds may sit directly under which. Counties may hang from a province (municipalities' districts,
# county-level cities administered by the province); schools from any division (provincial universities).
ALLOWED_PARENTS: dict[str, set[str]] = {
    OrgKind.NATION: set(),
    OrgKind.PROVINCE: {OrgKind.NATION},
    OrgKind.CITY: {OrgKind.PROVINCE},
    OrgKind.COUNTY: {OrgKind.CITY, OrgKind.PROVINCE},
    OrgKind.SCHOOL: {OrgKind.NATION, OrgKind.PROVINCE, OrgKind.CITY, OrgKind.COUNTY},
    OrgKind.DEPARTMENT: {OrgKind.SCHOOL},
    OrgKind.CLASS: {OrgKind.SCHOOL, OrgKind.DEPARTMENT},
    OrgKind.BUREAU: DIVISION_KINDS,
    OrgKind.EMPLOYER: DIVISION_KINDS,
    OrgKind.PLATFORM: DIVISION_KINDS,
}


class OrganisationQuerySet(models.QuerySet):
    def subtree(self, root: Organisation, include_root: bool = True):
        qs = self.filter(path__gte=root.path, path__lt=path_successor(root.path))
        return qs if include_root else qs.exclude(pk=root.pk)


class Organisation(models.Model):
    """组织机构: a node of the five-level tree (国家→省→市→县→学校→院系/年级→班级) or a bureau, employer, platform."""

    name = models.CharField(_("name"), max_length=200, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OrgKind.choices)
    # GB/T 2260 six-digit division code for divisions; the ten-digit school identification code for
    # schools; the unified social credit code for employers. Unique within its kind.
    code = models.CharField(_("code"), max_length=32, blank=True, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code"], condition=~models.Q(code=""), name="org_code_unique_per_kind"
            )
        ]

    def __str__(self):
        return self.name

    def is_within(self, ancestor: Organisation) -> bool:
        """True when this node is ``ancestor`` or lies anywhere below it."""
        return self.path.startswith(ancestor.path)

    def ancestor_ids(self) -> list[int]:
        return [int(self.path[i : i + PATH_WIDTH]) for i in range(0, len(self.path), PATH_WIDTH)]

    def ancestors(self):
        """Root first, this node last; one query."""
        by_id = Organisation.objects.in_bulk(self.ancestor_ids())
        return [by_id[i] for i in self.ancestor_ids() if i in by_id]


class Role(models.TextChoices):
    LEARNER = "learner", _("Learner")
    TEACHER = "teacher", _("Teacher")
    PARENT = "parent", _("Parent")
    SCHOOL_ADMIN = "school_admin", _("School administrator")
    BUREAU_ADMIN = "bureau_admin", _("Education bureau administrator")
    REVIEWER = "reviewer", _("Content reviewer")
    EMPLOYER_HR = "employer_hr", _("Employer HR")
    # 辅导员: follows the graduates of a college or class (employment progress, destinations).
    COUNSELLOR = "counsellor", _("Counsellor")
    # 就业工作人员: a school's employment office or a bureau's graduate employment centre.
    EMPLOYMENT_OFFICER = "employment_officer", _("Employment officer")
    # 监测人员: credit-course monitoring staff of a bureau or the platform operator.
    MONITOR = "monitor", _("Monitoring officer")
    PLATFORM_OPERATOR = "platform_operator", _("Platform operator")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


# 三员分立: one person never holds two of these.
SEPARATED_ADMIN_ROLES = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
# Roles that manage other people's data; every one of them must use two-step verification.
ADMIN_ROLES = SEPARATED_ADMIN_ROLES | {
    Role.SCHOOL_ADMIN,
    Role.BUREAU_ADMIN,
    Role.PLATFORM_OPERATOR,
    Role.REVIEWER,
    Role.EMPLOYMENT_OFFICER,
    Role.MONITOR,
}


class Verification(models.TextChoices):
    UNVERIFIED = "unverified", _("Not verified")
    VERIFIED = "verified", _("Verified")
    FAILED = "failed", _("Verification failed")


class ZhijiaoUserManager(UserManager):
    def with_username(self, username: str):
        """Usernames are case-insensitive; this lookup uses the index on UPPER(username) on both databases."""
        return self.alias(username_upper=Upper("username")).filter(username_upper=username.upper())

    def get_by_natural_key(self, username):
        return self.with_username(username).get()


class User(AbstractUser):
    """智教通行证 account. Phone and ID number are stored encrypted with a keyed index for lookups."""

    first_name = None
    last_name = None
    email = models.EmailField(_("email"), unique=True, null=True, blank=True)
    real_name = models.CharField(_("real name"), max_length=100, blank=True)
    phone_enc = models.TextField(blank=True, editable=False)
    phone_index = models.CharField(max_length=64, unique=True, null=True, editable=False)
    id_number_enc = models.TextField(blank=True, editable=False)
    id_number_index = models.CharField(max_length=64, unique=True, null=True, editable=False)
    verification = models.CharField(
        _("real-name verification"), max_length=16, choices=Verification.choices, default=Verification.UNVERIFIED
    )
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    objects = ZhijiaoUserManager()

    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [models.Index(Upper("username"), name="user_username_upper")]

    def __str__(self):
        return self.real_name or self.username

    def get_full_name(self):
        return self.real_name or self.username

    def get_short_name(self):
        return self.real_name or self.username

    # Plain values are only for the services that need them (login, import, verification); pages and
    # APIs show the masked forms.
    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_enc, "user.phone") if self.phone_enc else ""

    @property
    def id_number(self) -> str:
        return crypto.decrypt(self.id_number_enc, "user.id_number") if self.id_number_enc else ""

    @property
    def phone_masked(self) -> str:
        return crypto.mask(self.phone) if self.phone_enc else ""

    @property
    def id_number_masked(self) -> str:
        return crypto.mask(self.id_number) if self.id_number_enc else ""

    def set_phone(self, phone: str | None) -> None:
        phone = (phone or "").strip()
        self.phone_enc = crypto.encrypt(phone, "user.phone") if phone else ""
        self.phone_index = crypto.blind_index(phone, "user.phone") if phone else None

    def set_id_number(self, id_number: str | None) -> None:
        id_number = (id_number or "").strip().upper()
        self.id_number_enc = crypto.encrypt(id_number, "user.id_number") if id_number else ""
        self.id_number_index = crypto.blind_index(id_number, "user.id_number") if id_number else None

    @property
    def is_minor(self) -> bool:
        if self.birth_date is None:
            return False
        today = timezone.localdate()
        age = today.year - self.birth_date.year - ((today.month, today.day) < (self.birth_date.month, self.birth_date.day))
        return age < 18

    def is_locked(self, now=None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())


class Membership(models.Model):
    """成员身份: a user holds a role in an organisation. ``org_path`` copies the organisation's path so that
    "every member under this node" is one range scan on this table."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    org_path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField(_("granted"), default=timezone.now)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique"),
            # P2 §2.10: at most one system administrator per unit.
            models.UniqueConstraint(
                fields=["organisation"], condition=models.Q(role="system_admin"), name="one_system_admin_per_unit"
            ),
        ]
        indexes = [models.Index(fields=["org_path", "id"]), models.Index(fields=["role", "org_path"])]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"


class GuardianLink(models.Model):
    """监护关系: a parent or guardian of a minor; a minor's data is shown to the guardian once confirmed."""

    guardian = models.ForeignKey(User, on_delete=models.CASCADE, related_name="wards")
    minor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="guardians")
    relation = models.CharField(_("relation"), max_length=32, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("guardian link")
        constraints = [models.UniqueConstraint(fields=["guardian", "minor"], name="guardian_link_unique")]


class LoginAttempt(models.Model):
    """登录记录: every password sign-in attempt, for lockout and for the user's login history."""

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="login_attempts")
    username = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    success = models.BooleanField(default=False)
    reason = models.CharField(max_length=32, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "at"])]
        ordering = ["-at"]


class TOTPDevice(models.Model):
    """两步验证: a TOTP authenticator. ``last_step`` refuses a code that was already used."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp")
    secret_enc = models.TextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)

    @property
    def secret(self) -> str:
        return crypto.decrypt(self.secret_enc, "totp.secret")


class RecoveryCode(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)


# Roster import's models live in their own module; importing them here registers them with the app.
from zhijiao.identity.roster_models import ActivationCode, RosterImport  # noqa: E402,F401
