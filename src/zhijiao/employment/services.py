"""Every write of the employment service's core, with its rules and its audit entry.

Graduates register job intentions and build résumés (their student status comes from the roster and is
never theirs to edit); employer HR users register their organisation, which staff verify; verified
employers post jobs, which are screened for sensitive words and discriminatory requirements before they go
public; staff flag graduates in difficulty and write career cases.

Other parts of the service (matching, hiring) import from here: :func:`require_verified_employer`,
:func:`employers_of`, :func:`can_read_resume`, :func:`register_resume_access`, :func:`resume_search_text`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhijiao.core import audit, crypto, screening
from zhijiao.employment import credit_code, discrimination, regions
from zhijiao.employment import permissions as perms
from zhijiao.employment.models import (
    DEGREE_RANK,
    CareerCase,
    CaseState,
    CourseKind,
    DegreeLevel,
    DifficultyFlag,
    DifficultyKind,
    Employer,
    EmployerState,
    EmployerType,
    GraduateRecord,
    GuidanceCourse,
    Industry,
    Job,
    JobIntention,
    JobState,
    JobType,
    Occupation,
    Resume,
    ResumeVisibility,
)
from zhijiao.employment.signals import job_published
from zhijiao.identity import permissions
from zhijiao.identity import services as identity_services
from zhijiao.identity.models import DIVISION_KINDS, Organisation, OrgKind, Role, User

PHONE_CONTEXT = "employer-phone"
_CONTACT_PHONE = re.compile(r"^(?:1\d{10}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?|400-?\d{3}-?\d{4})$")
MAX_SALARY = 1_000_000
MAX_HEADCOUNT = 10_000
RESUME_SECTIONS = ("internships", "projects", "certificates", "awards")
RESUME_ITEM_FIELDS = ("title", "organisation", "start", "end", "description")
MAX_SKILLS = 30
MAX_ITEMS = 20


def _fail(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --- Employers ---------------------------------------------------------------------------------------


def employers_of(user: User):
    """The employers the user acts for as employer HR, any state."""
    return Employer.objects.filter(organisation_id__in=perms.hr_organisation_ids(user)).select_related("organisation")


def employer_of(user: User) -> Employer | None:
    return employers_of(user).order_by("id").first()


def require_verified_employer(user: User) -> Employer:
    """The verified employer the user acts for; PermissionDenied (with a message saying why) otherwise."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in as an employer's HR user."))
    employers = list(employers_of(user).order_by("id"))
    verified = [e for e in employers if e.is_verified]
    if verified:
        return verified[0]
    if employers:
        raise PermissionDenied(_("Your employer has not been verified yet. Only verified employers may post jobs "
                                 "or read résumés."))
    raise PermissionDenied(_("Register your employer first. Only verified employers may post jobs or read résumés."))


def _clean_contact_phone(value: str) -> str:
    value = re.sub(r"[\s]", "", value or "").removeprefix("+86")
    if not _CONTACT_PHONE.match(value):
        raise ValidationError({"contact_phone": _("Enter a mobile number (11 digits) or a landline with its area "
                                                  "code, e.g. 0571-88886666.")})
    return value


def _division_for(region_code: str) -> Organisation | None:
    """The deepest division of the tree that contains ``region_code`` (county, else city, else province)."""
    code = regions.full_code(region_code)
    for candidate in (code, regions.city_of(code), regions.province_of(code)):
        org = Organisation.objects.filter(kind__in=DIVISION_KINDS, code=candidate).order_by("depth").first()
        if org is not None:
            return org
    return None


def _employer_fields(data: dict) -> tuple[dict, dict]:
    """Checked profile fields (without name and code) and the errors found."""
    errors: dict[str, str] = {}
    values: dict = {}
    employer_type = data.get("employer_type") or ""
    if employer_type not in EmployerType.values:
        errors["employer_type"] = _("Choose the type of employer.")
    values["employer_type"] = employer_type
    industry_code = (data.get("industry_code") or "").strip()
    values["industry"] = None
    if industry_code:
        values["industry"] = Industry.objects.filter(code=industry_code).first()
        if values["industry"] is None:
            errors["industry_code"] = _("Choose an industry from the national classification.")
    region = (data.get("region_code") or "").strip()
    if not re.fullmatch(r"\d{6}", region):
        errors["region_code"] = _("Enter the six-digit division code (GB/T 2260) of where the employer is, e.g. "
                                  "330106.")
    values["region_code"] = region
    contact_name = (data.get("contact_name") or "").strip()
    if not contact_name:
        errors["contact_name"] = _("Enter the contact person's name.")
    values["contact_name"] = contact_name[:100]
    try:
        values["phone"] = _clean_contact_phone(data.get("contact_phone") or "")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    values["contact_email"] = (data.get("contact_email") or "").strip()[:254]
    if values["contact_email"] and "@" not in values["contact_email"]:
        errors["contact_email"] = _("Enter a valid e-mail address.")
    for key, limit in (("address", 200), ("size", 32)):
        values[key] = (data.get(key) or "").strip()[:limit]
    values["description"] = (data.get("description") or "").strip()[:5000]
    return values, errors


def _credit_code_error(code: str) -> str | None:
    reason = credit_code.problem(code)
    if reason is None:
        return None
    if reason == "check":
        return _("The check character (the last one) of this unified social credit code is wrong. Check the code "
                 "on the business licence.")
    return _("A unified social credit code has 18 characters: digits and capital letters other than I, O, S, V "
             "and Z, e.g. 91330106MA2XXXXXXX.")


@transaction.atomic
def register_employer(user: User, data: dict, request=None) -> Employer:
    """用人单位注册: the signed-in user registers an employer and becomes its HR user; staff verify it.

    ``data`` holds name, credit_code, employer_type, industry_code, region_code, address, size,
    description, contact_name, contact_phone, contact_email.
    """
    if not user.is_authenticated:
        raise PermissionDenied
    if permissions.holds_admin_role(user):
        raise ValidationError({"__all__": _("An administrator account cannot register an employer. Use a separate "
                                            "account for recruiting.")})
    if employers_of(user).exists():
        raise ValidationError({"__all__": _("You already act for an employer. Edit its details instead.")})
    values, errors = _employer_fields(data)
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = _("Enter the employer's registered name.")
    code = credit_code.normalise(data.get("credit_code") or "")
    message = _credit_code_error(code)
    if message:
        errors["credit_code"] = message
    elif Organisation.objects.filter(kind=OrgKind.EMPLOYER, code=code).exists():
        errors["credit_code"] = _("An employer with this unified social credit code is already registered. Ask its "
                                  "HR user to add you.")
    division = None
    if "region_code" not in errors:
        division = _division_for(values["region_code"])
        if division is None:
            errors["region_code"] = _("No division with this code is on the platform.")
    _fail(errors)
    organisation = identity_services.create_organisation(None, name=name[:200], kind=OrgKind.EMPLOYER,
                                                         parent=division, code=code)
    phone = values.pop("phone")
    employer = Employer.objects.create(organisation=organisation, contact_phone_enc=crypto.encrypt(phone, PHONE_CONTEXT),
                                       **values)
    identity_services.grant_role_as_operator(user, organisation, Role.EMPLOYER_HR)
    permissions.forget(user)
    audit.record("employment.employer_register", actor=user, request=request, target=employer,
                 organisation=organisation, name=organisation.name, credit_code=code)
    return employer


@transaction.atomic
def update_employer(user: User, employer: Employer, data: dict, request=None) -> Employer:
    """The HR user edits the profile. A rejected employer goes back to the verification queue."""
    if employer.organisation_id not in perms.hr_organisation_ids(user):
        raise PermissionDenied
    values, errors = _employer_fields(data)
    _fail(errors)
    phone = values.pop("phone")
    for key, value in values.items():
        setattr(employer, key, value)
    employer.contact_phone_enc = crypto.encrypt(phone, PHONE_CONTEXT)
    resubmitted = employer.state == EmployerState.REJECTED
    if resubmitted:
        employer.state, employer.state_reason = EmployerState.PENDING, ""
    employer.save()
    audit.record("employment.employer_update", actor=user, request=request, target=employer,
                 organisation=employer.organisation, resubmitted=resubmitted)
    return employer


def contact_phone(employer: Employer) -> str:
    return crypto.decrypt(employer.contact_phone_enc, PHONE_CONTEXT) if employer.contact_phone_enc else ""


def contact_phone_masked(employer: Employer) -> str:
    return crypto.mask(contact_phone(employer)) if employer.contact_phone_enc else ""


@transaction.atomic
def decide_employer(actor: User, employer: Employer, *, verify: bool, reason: str = "", request=None) -> Employer:
    """Staff with ``employment.manage`` over the employer's division verify or reject a pending employer."""
    employer = Employer.objects.select_for_update().select_related("organisation").get(pk=employer.pk)
    if not perms.can_manage(actor, employer.organisation.path):
        raise PermissionDenied
    if employer.organisation_id in perms.hr_organisation_ids(actor):
        raise PermissionDenied
    if employer.state != EmployerState.PENDING:
        raise ValidationError({"__all__": _("This employer has already been decided.")})
    reason = (reason or "").strip()[:500]
    if not verify and not reason:
        raise ValidationError({"reason": _("Give the reason for the rejection; the employer sees it.")})
    employer.state = EmployerState.VERIFIED if verify else EmployerState.REJECTED
    employer.state_reason = reason
    employer.decided_by, employer.decided_at = actor, timezone.now()
    employer.save(update_fields=["state", "state_reason", "decided_by", "decided_at"])
    audit.record("employment.employer_decide", actor=actor, request=request, target=employer,
                 organisation=employer.organisation, decision=employer.state, reason=reason)
    return employer


# --- Jobs --------------------------------------------------------------------------------------------


def _int_or_none(value, field: str, errors: dict, *, low: int = 0, high: int = MAX_SALARY) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[field] = _("Enter a whole number.")
        return None
    if not low <= number <= high:
        errors[field] = _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}
        return None
    return number


def _job_values(data: dict) -> tuple[dict, list[int], dict]:
    from zhijiao.resources.models import Major

    errors: dict[str, str] = {}
    values: dict = {}
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = _("Enter the job title.")
    values["title"] = title[:100]
    description = (data.get("description") or "").strip()
    if not description:
        errors["description"] = _("Describe the work and what it asks for.")
    values["description"] = description[:10000]
    job_type = data.get("job_type") or JobType.FULL_TIME
    if job_type not in JobType.values:
        errors["job_type"] = _("Choose a job type.")
    values["job_type"] = job_type
    education = data.get("education") or ""
    if education and education not in DegreeLevel.values:
        errors["education"] = _("Choose an education level.")
    values["education"] = education
    region = (data.get("region_code") or "").strip()
    if not re.fullmatch(r"\d{6}", region):
        errors["region_code"] = _("Enter the six-digit division code (GB/T 2260) of the workplace, e.g. 330106.")
    values["region_code"] = region
    for field, model in (("occupation", Occupation), ("industry", Industry)):
        code = (data.get(f"{field}_code") or "").strip()
        values[field] = model.objects.filter(code=code).first() if code else None
        if code and values[field] is None:
            errors[f"{field}_code"] = _("Choose from the national classification.")
    values["salary_min"] = _int_or_none(data.get("salary_min"), "salary_min", errors)
    values["salary_max"] = _int_or_none(data.get("salary_max"), "salary_max", errors)
    if values["salary_min"] is not None and values["salary_max"] is not None \
            and values["salary_min"] > values["salary_max"]:
        errors["salary_max"] = _("The highest salary cannot be below the lowest.")
    raw_headcount = data.get("headcount")
    headcount = _int_or_none(1 if raw_headcount in (None, "") else raw_headcount, "headcount", errors, low=1,
                             high=MAX_HEADCOUNT)
    values["headcount"] = headcount or 1
    deadline = data.get("deadline") or None
    if isinstance(deadline, str):
        try:
            deadline = date.fromisoformat(deadline)
        except ValueError:
            errors["deadline"] = _("Enter a date as YYYY-MM-DD.")
            deadline = None
    if deadline is not None and deadline < timezone.localdate():
        errors["deadline"] = _("The deadline has already passed.")
    values["deadline"] = deadline
    major_ids = []
    for raw in data.get("major_ids") or []:
        try:
            major_ids.append(int(raw))
        except (TypeError, ValueError):
            errors["major_ids"] = _("Choose majors from the catalogue.")
    major_ids = sorted(set(major_ids))
    if len(major_ids) > 50:
        errors["major_ids"] = _("Choose at most 50 majors.")
    elif major_ids and Major.objects.filter(pk__in=major_ids).count() != len(major_ids):
        errors["major_ids"] = _("Choose majors from the catalogue.")
    return values, major_ids, errors


def _own_job(user: User, job: Job) -> Employer:
    employer = require_verified_employer(user)
    if job.employer.organisation_id not in perms.hr_organisation_ids(user):
        raise PermissionDenied
    return employer


@transaction.atomic
def save_job(user: User, data: dict, job: Job | None = None, request=None) -> Job:
    """Create a draft posting, or edit one. Editing a published posting screens it again at once."""
    if job is None:
        employer = require_verified_employer(user)
    else:
        job = Job.objects.select_for_update().select_related("employer").get(pk=job.pk)
        employer = _own_job(user, job)
        if job.state == JobState.CLOSED:
            raise ValidationError({"__all__": _("A closed posting cannot be edited.")})
    values, major_ids, errors = _job_values(data)
    _fail(errors)
    was_published = job is not None and job.state == JobState.PUBLISHED
    if job is None:
        job = Job(employer=employer, created_by=user)
    for key, value in values.items():
        setattr(job, key, value)
    if not was_published:
        job.state = JobState.DRAFT
        job.screening_flags = []
    job.save()
    job.majors.set(major_ids)
    if was_published:
        _screen_and_publish(user, job, request)
    return job


def screen_job(job: Job) -> list[dict]:
    """What screening finds in a posting: sensitive words and discriminatory requirements."""
    texts = {"title": job.title, "description": job.description}
    flags = [{"kind": "sensitive", "category": hit.category, "text": hit.matched, "context": hit.context,
              "field": field} for field, hits in screening.scan_fields(texts).items() for hit in hits]
    return flags + discrimination.scan_fields(texts)


def _screen_and_publish(user: User, job: Job, request) -> Job:
    flags = screen_job(job)
    job.screening_flags = flags
    if flags:
        job.state = JobState.HELD
        job.save(update_fields=["state", "screening_flags", "updated_at"])
        audit.record("employment.job_held", actor=user, request=request, target=job,
                     organisation=job.employer.organisation, categories=sorted({f["category"] for f in flags}))
        return job
    first = job.published_at is None
    job.state = JobState.PUBLISHED
    job.published_at = job.published_at or timezone.now()
    job.save(update_fields=["state", "screening_flags", "published_at", "updated_at"])
    audit.record("employment.job_publish", actor=user, request=request, target=job,
                 organisation=job.employer.organisation)
    if first:
        job_published.send(sender=Job, job=job)
    return job


@transaction.atomic
def publish_job(user: User, job: Job, request=None) -> Job:
    """Screen the posting: clean → published (and ``job_published`` sent); flagged → held for staff."""
    job = Job.objects.select_for_update().select_related("employer__organisation").get(pk=job.pk)
    _own_job(user, job)
    if job.state not in (JobState.DRAFT, JobState.REJECTED):
        raise ValidationError({"__all__": _("Only a draft or a rejected posting can be submitted for publication.")})
    if job.deadline is not None and job.deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline has already passed.")})
    return _screen_and_publish(user, job, request)


@transaction.atomic
def close_job(user: User, job: Job, request=None) -> Job:
    job = Job.objects.select_for_update().select_related("employer__organisation").get(pk=job.pk)
    if job.employer.organisation_id not in perms.hr_organisation_ids(user):
        raise PermissionDenied
    if job.state == JobState.CLOSED:
        raise ValidationError({"__all__": _("This posting is already closed.")})
    job.state = JobState.CLOSED
    job.save(update_fields=["state", "updated_at"])
    audit.record("employment.job_close", actor=user, request=request, target=job,
                 organisation=job.employer.organisation)
    return job


@transaction.atomic
def review_job(actor: User, job: Job, *, publish: bool, note: str = "", request=None) -> Job:
    """Staff decide a held posting: publish it as it stands, or reject it with a note the employer sees."""
    job = Job.objects.select_for_update().select_related("employer__organisation").get(pk=job.pk)
    if not perms.can_manage(actor, job.employer.organisation.path):
        raise PermissionDenied
    if job.state != JobState.HELD:
        raise ValidationError({"__all__": _("Only a posting held for review can be decided.")})
    note = (note or "").strip()[:500]
    if not publish and not note:
        raise ValidationError({"note": _("Say what must change; the employer sees this note.")})
    job.review_note, job.reviewed_by = note, actor
    first = job.published_at is None
    if publish:
        job.state = JobState.PUBLISHED
        job.published_at = job.published_at or timezone.now()
    else:
        job.state = JobState.REJECTED
    job.save()
    audit.record("employment.job_review", actor=actor, request=request, target=job,
                 organisation=job.employer.organisation, decision=job.state, note=note)
    if publish and first:
        job_published.send(sender=Job, job=job)
    return job


# --- Graduates ---------------------------------------------------------------------------------------


def record_of(user: User) -> GraduateRecord | None:
    if not user.is_authenticated:
        return None
    return (GraduateRecord.objects.select_related("school", "college", "class_org", "major")
            .filter(user=user).first())


def require_graduate(user: User) -> GraduateRecord:
    record = record_of(user)
    if record is None:
        raise PermissionDenied(_("Only graduates on a school's graduate roster can do this."))
    return record


def _codes(values, field: str, errors: dict, valid: Callable[[list[str]], set[str]], limit: int = 20) -> list[str]:
    codes = [str(v).strip() for v in (values or []) if str(v).strip()]
    codes = list(dict.fromkeys(codes))
    if len(codes) > limit:
        errors[field] = _("Choose at most %(n)s.") % {"n": limit}
        return []
    unknown = set(codes) - valid(codes)
    if unknown:
        errors[field] = _("Unknown codes: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
    return codes


@transaction.atomic
def save_intention(user: User, data: dict, request=None) -> JobIntention:
    """就业意愿登记. ``data``: job_types, industry_codes, occupation_codes, region_codes, salary_min, salary_max."""
    require_graduate(user)
    errors: dict[str, str] = {}
    job_types = _codes(data.get("job_types"), "job_types", errors, lambda c: set(c) & set(JobType.values), 5)
    industries = _codes(data.get("industry_codes"), "industry_codes", errors,
                        lambda c: set(Industry.objects.filter(code__in=c).values_list("code", flat=True)))
    occupations = _codes(data.get("occupation_codes"), "occupation_codes", errors,
                         lambda c: set(Occupation.objects.filter(code__in=c).values_list("code", flat=True)))
    region_list = _codes(data.get("region_codes"), "region_codes", errors,
                         lambda c: {x for x in c if regions.is_code(x)})
    salary_min = _int_or_none(data.get("salary_min"), "salary_min", errors)
    salary_max = _int_or_none(data.get("salary_max"), "salary_max", errors)
    if salary_min is not None and salary_max is not None and salary_min > salary_max:
        errors["salary_max"] = _("The highest salary cannot be below the lowest.")
    _fail(errors)
    intention, _created = JobIntention.objects.update_or_create(user=user, defaults={
        "job_types": job_types, "industry_codes": industries, "occupation_codes": occupations,
        "region_codes": [regions.full_code(c) for c in region_list], "salary_min": salary_min,
        "salary_max": salary_max})
    return intention


def _clean_sections(raw, errors: dict) -> dict:
    sections: dict[str, list[dict]] = {}
    raw = raw or {}
    if not isinstance(raw, dict):
        errors["sections"] = _("The résumé sections are not in the expected form.")
        return {}
    for key in RESUME_SECTIONS:
        items = raw.get(key) or []
        if not isinstance(items, list) or len(items) > MAX_ITEMS:
            errors["sections"] = _("Each section holds at most %(n)s entries.") % {"n": MAX_ITEMS}
            continue
        cleaned = []
        for item in items:
            if not isinstance(item, dict):
                errors["sections"] = _("The résumé sections are not in the expected form.")
                continue
            entry = {f: str(item.get(f) or "").strip()[:2000 if f == "description" else 100]
                     for f in RESUME_ITEM_FIELDS}
            if not entry["title"]:
                if any(entry.values()):
                    errors["sections"] = _("Every entry needs a title.")
                continue
            cleaned.append(entry)
        sections[key] = cleaned
    return sections


def resume_search_text(resume: Resume, record: GraduateRecord | None = None) -> str:
    """The flattened résumé the matching searches: headline, summary, skills, every entry, and the major."""
    record = record if record is not None else GraduateRecord.objects.select_related("major").filter(
        user_id=resume.user_id).first()
    parts = [resume.headline, resume.summary, " ".join(resume.skills or [])]
    for key in RESUME_SECTIONS:
        for item in (resume.sections or {}).get(key, []):
            parts.extend(item.get(f, "") for f in ("title", "organisation", "description"))
    if record is not None:
        parts.append(record.major_name)
        if record.major is not None and record.major.name != record.major_name:
            parts.append(record.major.name)
        parts.append(str(DegreeLevel(record.degree_level).label) if record.degree_level in DegreeLevel.values else "")
    return "\n".join(p for p in parts if p)


def refresh_resume_text(user_ids) -> int:
    """Recompute the search text of these users' résumés (after their graduate records changed)."""
    count = 0
    records = {r.user_id: r for r in GraduateRecord.objects.select_related("major").filter(user_id__in=user_ids)}
    for resume in Resume.objects.filter(user_id__in=user_ids):
        resume.search_text = resume_search_text(resume, records.get(resume.user_id))
        resume.save(update_fields=["search_text"])
        count += 1
    return count


@transaction.atomic
def save_resume(user: User, data: dict, request=None) -> Resume:
    """The graduate's own words: headline, summary, skills, sections, visibility. Education comes from the
    graduate record and is not part of ``data``."""
    record = require_graduate(user)
    errors: dict[str, str] = {}
    visibility = data.get("visibility") or ResumeVisibility.APPLIED
    if visibility not in ResumeVisibility.values:
        errors["visibility"] = _("Choose who may see your résumé.")
    skills = data.get("skills") or []
    if isinstance(skills, str):
        skills = re.split(r"[,，、;；\n]", skills)
    skills = list(dict.fromkeys(s.strip()[:30] for s in skills if isinstance(s, str) and s.strip()))
    if len(skills) > MAX_SKILLS:
        errors["skills"] = _("List at most %(n)s skills.") % {"n": MAX_SKILLS}
    sections = _clean_sections(data.get("sections"), errors)
    headline = (data.get("headline") or "").strip()
    if len(headline) > 200:
        errors["headline"] = _("Keep the headline under 200 characters.")
    summary = (data.get("summary") or "").strip()
    if len(summary) > 5000:
        errors["summary"] = _("Keep the introduction under 5,000 characters.")
    _fail(errors)
    resume, _created = Resume.objects.get_or_create(user=user)
    resume.visibility, resume.headline, resume.summary = visibility, headline, summary
    resume.skills, resume.sections = skills, sections
    resume.search_text = resume_search_text(resume, record)
    resume.save()
    return resume


# Extra rules by which an employer may read a résumé whose visibility is "only where I applied"; the hiring
# app registers one that looks at applications. Each is called as check(employer, graduate_user).
_resume_access: list[Callable[[Employer, User], bool]] = []


def register_resume_access(check: Callable[[Employer, User], bool]) -> None:
    if check not in _resume_access:
        _resume_access.append(check)


def can_read_resume(employer: Employer, resume: Resume) -> bool:
    if not employer.is_verified:
        return False
    if resume.visibility == ResumeVisibility.EMPLOYERS:
        return True
    return any(check(employer, resume.user) for check in _resume_access)


def resume_for_employer(user: User, graduate_id: int, request=None) -> Resume:
    """A graduate's résumé as an employer reads it (audited). Not visible → Http404-like PermissionDenied."""
    employer = require_verified_employer(user)
    resume = Resume.objects.select_related("user").filter(user_id=graduate_id).first()
    if resume is None or not can_read_resume(employer, resume):
        raise PermissionDenied
    audit.record("employment.resume_view", actor=user, request=request, target=resume,
                 organisation=employer.organisation, graduate=graduate_id)
    return resume


@transaction.atomic
def set_difficulty_flag(actor: User, record: GraduateRecord, kind: str, note: str = "", request=None) -> DifficultyFlag:
    """困难毕业生: staff following the graduate flag them for priority help. Never shown to employers."""
    if not perms.can_follow(actor, record.org_path):
        raise PermissionDenied
    if kind not in DifficultyKind.values:
        raise ValidationError({"kind": _("Choose the kind of difficulty.")})
    flag, _created = DifficultyFlag.objects.update_or_create(
        record=record, kind=kind, defaults={"note": (note or "").strip()[:200], "flagged_by": actor,
                                            "flagged_at": timezone.now()})
    audit.record("employment.flag_set", actor=actor, request=request, target=record, kind=kind)
    return flag


@transaction.atomic
def remove_difficulty_flag(actor: User, flag: DifficultyFlag, request=None) -> None:
    record = flag.record
    if not perms.can_follow(actor, record.org_path):
        raise PermissionDenied
    kind = flag.kind
    flag.delete()
    audit.record("employment.flag_remove", actor=actor, request=request, target=record, kind=kind)


def degree_meets(have: str, wanted: str) -> bool:
    """A graduate's degree level satisfies a posting's lowest accepted level (blank accepts any)."""
    return not wanted or DEGREE_RANK.get(have, 0) >= DEGREE_RANK.get(wanted, 0)


# --- Career guidance ---------------------------------------------------------------------------------


def _staff_organisation(actor: User) -> Organisation:
    paths = perms.manage_paths(actor)
    if not paths:
        raise PermissionDenied
    return Organisation.objects.filter(path=min(paths, key=len)).first()


@transaction.atomic
def create_case(actor: User, data: dict, request=None) -> CareerCase:
    """职业案例 by employment staff: published at once when screening finds nothing, else held for review."""
    organisation = _staff_organisation(actor)
    errors: dict[str, str] = {}
    title = (data.get("title") or "").strip()
    body = (data.get("body") or "").strip()
    if not title:
        errors["title"] = _("Enter a title.")
    if not body:
        errors["body"] = _("Write the story.")
    code = (data.get("occupation_code") or "").strip()
    occupation = Occupation.objects.filter(code=code).first() if code else None
    if code and occupation is None:
        errors["occupation_code"] = _("Choose from the national classification.")
    _fail(errors)
    flags = [{"kind": "sensitive", "category": hit.category, "text": hit.matched, "context": hit.context,
              "field": field}
             for field, hits in screening.scan_fields({"title": title, "body": body}).items() for hit in hits]
    case = CareerCase.objects.create(
        title=title[:100], body=body[:20000], occupation=occupation, organisation=organisation, author=actor,
        screening_flags=flags, state=CaseState.HELD if flags else CaseState.PUBLISHED,
        published_at=None if flags else timezone.now())
    audit.record("employment.case_create", actor=actor, request=request, target=case, organisation=organisation,
                 state=case.state)
    return case


@transaction.atomic
def review_case(actor: User, case: CareerCase, *, publish: bool, note: str = "", request=None) -> CareerCase:
    if not perms.can_manage(actor, case.organisation.path) or case.author_id == actor.pk:
        raise PermissionDenied
    if case.state != CaseState.HELD:
        raise ValidationError({"__all__": _("Only a case held for review can be decided.")})
    note = (note or "").strip()[:500]
    if not publish and not note:
        raise ValidationError({"note": _("Say why the case is rejected.")})
    case.state = CaseState.PUBLISHED if publish else CaseState.REJECTED
    case.review_note = note
    case.published_at = timezone.now() if publish else None
    case.save()
    audit.record("employment.case_review", actor=actor, request=request, target=case, decision=case.state, note=note)
    return case


@transaction.atomic
def create_course(actor: User, data: dict, request=None) -> GuidanceCourse:
    """就业指导课程: a live lesson with its start time, or a recorded course linking a published resource."""
    from zhijiao.resources.models import Status
    from zhijiao.resources.selectors import get_resource

    organisation = _staff_organisation(actor)
    errors: dict[str, str] = {}
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = _("Enter a title.")
    kind = data.get("kind") or CourseKind.RECORDED
    if kind not in CourseKind.values:
        errors["kind"] = _("Choose live or recorded.")
    starts_at = data.get("starts_at") or None
    if kind == CourseKind.LIVE and starts_at is None:
        errors["starts_at"] = _("A live lesson needs its start time.")
    resource = None
    resource_id = data.get("resource_id")
    if resource_id not in (None, ""):
        try:
            resource = get_resource(int(resource_id))
        except (TypeError, ValueError):
            resource = None
        if resource is None or resource.status != Status.PUBLISHED:
            errors["resource_id"] = _("No published resource has this number.")
    _fail(errors)
    course = GuidanceCourse.objects.create(title=title[:100], kind=kind, description=(data.get("description") or "")
                                           .strip()[:5000], starts_at=starts_at, resource=resource,
                                           organisation=organisation, created_by=actor)
    audit.record("employment.course_create", actor=actor, request=request, target=course, organisation=organisation)
    return course


AUDIT_ACTIONS = {
    "employment.roster_import": gettext_lazy("Graduate roster imported"),
    "employment.graduate_view": gettext_lazy("Graduate's details viewed by staff"),
    "employment.flag_set": gettext_lazy("Graduate flagged as in difficulty"),
    "employment.flag_remove": gettext_lazy("Difficulty flag removed"),
    "employment.employer_register": gettext_lazy("Employer registered"),
    "employment.employer_update": gettext_lazy("Employer details changed"),
    "employment.employer_decide": gettext_lazy("Employer verification decided"),
    "employment.job_publish": gettext_lazy("Job posting published"),
    "employment.job_held": gettext_lazy("Job posting held by screening"),
    "employment.job_review": gettext_lazy("Held job posting decided"),
    "employment.job_close": gettext_lazy("Job posting closed"),
    "employment.resume_view": gettext_lazy("Résumé read by an employer"),
    "employment.case_create": gettext_lazy("Career case written"),
    "employment.case_review": gettext_lazy("Career case decided"),
    "employment.course_create": gettext_lazy("Guidance course added"),
}
