"""Every write of the monitoring centre, with its permission check, case history and audit entry: views of
cases, dispositions, appeals, notices (通报) to universities, the platform registry (annual filing, white
and black lists) and the choice of credit courses. Pages and the API call these.

A case moves: open → confirmed (with the university's sanction) or dismissed (with a reason);
confirmed → under appeal (once, by the learner) → dismissed (appeal upheld) or confirmed (rejected).
"""

from __future__ import annotations

import contextlib
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhijiao.core import audit, storage
from zhijiao.identity.models import Membership, Organisation, OrgKind, Role, User
from zhijiao.monitoring import permissions
from zhijiao.monitoring.models import (
    Appeal,
    AppealOutcome,
    Case,
    CaseDecision,
    CaseEvent,
    CaseState,
    CourseResponsibility,
    CreditCourse,
    CreditCourseChoice,
    EventKind,
    FilingDocument,
    FilingState,
    ListKind,
    Notice,
    PlatformFiling,
    PlatformListEntry,
    Sanction,
)

AUDIT_ACTIONS = {
    "monitoring.case_view": gettext_lazy("Monitoring case viewed"),
    "monitoring.case_confirm": gettext_lazy("Monitoring case confirmed"),
    "monitoring.case_dismiss": gettext_lazy("Monitoring case dismissed"),
    "monitoring.appeal": gettext_lazy("Monitoring case appealed"),
    "monitoring.appeal_resolve": gettext_lazy("Monitoring appeal resolved"),
    "monitoring.appeal_file": gettext_lazy("Appeal attachment opened"),
    "monitoring.report": gettext_lazy("Monitoring report viewed"),
    "monitoring.filing_submit": gettext_lazy("Platform filing submitted"),
    "monitoring.filing_review": gettext_lazy("Platform filing reviewed"),
    "monitoring.list_add": gettext_lazy("Platform put on a list"),
    "monitoring.list_end": gettext_lazy("Platform taken off a list"),
    "monitoring.course_choose": gettext_lazy("Credit course chosen"),
}

APPEAL_FILE_TYPES = ("pdf", "png", "jpeg", "docx")
FILING_FILE_TYPES = ("pdf", "docx", "xlsx", "png", "jpeg", "zip")
STORAGE_PREFIX = "monitoring"
MAX_NOTE = 2000
MAX_APPEAL = 5000


def _text(value: str | None, field: str, *, required: bool, limit: int = MAX_NOTE, message=None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: message or _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({field: _("Use at most %(n)s characters.") % {"n": limit}})
    return value


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("university", "platform", "user").get(pk=case.pk)


def _event(case: Case, kind: str, actor: User | None, note: str = "") -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, actor=actor, note=note)


# --- Views and dispositions -----------------------------------------------------------------------------


def record_view(case: Case, *, actor: User, request=None, via: str = "page") -> None:
    """A person opened the case (its evidence and the learner's details): history and audit log."""
    with transaction.atomic():
        _event(case, EventKind.VIEWED, actor)
        audit.record("monitoring.case_view", actor=actor, request=request, target=case,
                     organisation=case.university, via=via)


def _require_decider(actor: User, case: Case) -> None:
    if not permissions.can_decide(actor, case):
        raise PermissionDenied


def confirm(case: Case, *, actor: User, sanction: str, sanction_text: str = "", note: str = "",
            request=None) -> Case:
    """Confirm an open case with the sanction the university records; the university is notified."""
    _require_decider(actor, case)
    if sanction not in Sanction.values:
        raise ValidationError({"sanction": _("Choose the sanction the university records.")})
    sanction_text = _text(sanction_text, "sanction_text", required=sanction == Sanction.OTHER, limit=300,
                          message=_("Describe the sanction when you choose “Other”."))
    note = _text(note, "note", required=False)
    with transaction.atomic():
        case = _lock(case)
        if case.state != CaseState.OPEN:
            raise ValidationError(_("Only an open case can be confirmed; this one is “%(state)s”.")
                                  % {"state": case.get_state_display()})
        now = timezone.now()
        CaseDecision.objects.update_or_create(case=case, defaults={
            "sanction": sanction, "sanction_text": sanction_text, "reason": note, "decided_by": actor,
            "decided_at": now})
        case.state, case.updated_at = CaseState.CONFIRMED, now
        case.save(update_fields=["state", "updated_at"])
        label = Sanction(sanction).label if sanction != Sanction.OTHER else sanction_text
        _event(case, EventKind.CONFIRMED, actor, f"{label}\n{note}".strip())
        audit.record("monitoring.case_confirm", actor=actor, request=request, target=case,
                     organisation=case.university, sanction=sanction)
        notify_university(case)
    return case


def dismiss(case: Case, *, actor: User, reason: str, request=None) -> Case:
    """Dismiss an open case; the reason is required and kept."""
    _require_decider(actor, case)
    reason = _text(reason, "reason", required=True, message=_("Give the reason for dismissing the case."))
    with transaction.atomic():
        case = _lock(case)
        if case.state != CaseState.OPEN:
            raise ValidationError(_("Only an open case can be dismissed; this one is “%(state)s”.")
                                  % {"state": case.get_state_display()})
        now = timezone.now()
        CaseDecision.objects.update_or_create(case=case, defaults={
            "sanction": "", "sanction_text": "", "reason": reason, "decided_by": actor, "decided_at": now})
        case.state, case.updated_at = CaseState.DISMISSED, now
        case.save(update_fields=["state", "updated_at"])
        _event(case, EventKind.DISMISSED, actor, reason)
        audit.record("monitoring.case_dismiss", actor=actor, request=request, target=case,
                     organisation=case.university)
    return case


def appeal(case: Case, *, actor: User, text: str, upload=None, request=None) -> Appeal:
    """The learner appeals their confirmed case, once, with a text and optionally one file.

    ``upload`` is a Django UploadedFile; its content is identified by its bytes (PDF, PNG, JPEG, Word).
    """
    if case.user_id != actor.pk:
        raise PermissionDenied
    case.refresh_from_db(fields=["state"])
    text = _text(text, "text", required=True, limit=MAX_APPEAL, message=_("Say why you appeal."))
    if Appeal.objects.filter(case=case).exists():
        raise ValidationError(_("You have already appealed this case. A case can be appealed only once."))
    if case.state != CaseState.CONFIRMED:
        raise ValidationError(_("Only a confirmed case can be appealed."))
    with contextlib.ExitStack() as files:
        incoming = None
        if upload is not None:
            try:
                incoming = files.enter_context(storage.receive(
                    storage.chunks_of(upload), file_name=upload.name or "", allowed=APPEAL_FILE_TYPES,
                    declared_content_type=getattr(upload, "content_type", "") or ""))
            except ValidationError as exc:
                raise ValidationError({"attachment": exc.messages}) from exc
        with transaction.atomic():
            case = _lock(case)
            if case.state != CaseState.CONFIRMED:
                raise ValidationError(_("Only a confirmed case can be appealed."))
            item = Appeal(case=case, text=text)
            if incoming is not None:
                item.attachment = incoming.store(f"{STORAGE_PREFIX}/appeals")
                item.attachment_name = (upload.name or "")[:200]
                item.attachment_type, item.attachment_size = incoming.file_type, incoming.size
            try:
                with transaction.atomic():
                    item.save()
            except IntegrityError as exc:
                raise ValidationError(
                    _("You have already appealed this case. A case can be appealed only once.")) from exc
            case.state, case.updated_at = CaseState.UNDER_APPEAL, timezone.now()
            case.save(update_fields=["state", "updated_at"])
            _event(case, EventKind.APPEALED, actor, text)
            audit.record("monitoring.appeal", actor=actor, request=request, target=case,
                         organisation=case.university, attachment=incoming is not None)
    return item


def resolve_appeal(case: Case, *, actor: User, outcome: str, note: str, request=None) -> Case:
    """Upheld: the case is dismissed. Rejected: the confirmation stands. The note is required."""
    _require_decider(actor, case)
    if outcome not in (AppealOutcome.UPHELD, AppealOutcome.REJECTED):
        raise ValidationError({"outcome": _("Choose whether the appeal is upheld or rejected.")})
    note = _text(note, "note", required=True, message=_("Explain the outcome of the appeal."))
    with transaction.atomic():
        case = _lock(case)
        if case.state != CaseState.UNDER_APPEAL:
            raise ValidationError(_("This case has no appeal waiting for a decision."))
        now = timezone.now()
        Appeal.objects.filter(case=case).update(outcome=outcome, resolution=note, resolved_by=actor,
                                                resolved_at=now)
        if outcome == AppealOutcome.UPHELD:
            case.state = CaseState.DISMISSED
            CaseDecision.objects.update_or_create(case=case, defaults={
                "sanction": "", "sanction_text": "", "reason": note, "decided_by": actor, "decided_at": now})
            _event(case, EventKind.APPEAL_UPHELD, actor, note)
        else:
            case.state = CaseState.CONFIRMED
            _event(case, EventKind.APPEAL_REJECTED, actor, note)
        case.updated_at = now
        case.save(update_fields=["state", "updated_at"])
        audit.record("monitoring.appeal_resolve", actor=actor, request=request, target=case,
                     organisation=case.university, outcome=outcome)
        _tell_learner(case, outcome)
    return case


def record_appeal_file_opened(case: Case, *, actor: User, request=None) -> None:
    audit.record("monitoring.appeal_file", actor=actor, request=request, target=case, organisation=case.university)


# --- Notices (通报) ----------------------------------------------------------------------------------------


def notice_recipients(case: Case) -> list[User]:
    """The university's school administrators and the course's responsible teachers there."""
    if case.university is None:
        return []
    admins = Membership.objects.filter(role=Role.SCHOOL_ADMIN, org_path__startswith=case.university.path,
                                       user__is_active=True).values_list("user_id", flat=True)
    teachers = CourseResponsibility.objects.filter(school=case.university, course_key=case.course_key,
                                                   teacher__is_active=True).values_list("teacher_id", flat=True)
    return list(User.objects.filter(pk__in=set(admins) | set(teachers)).order_by("pk"))


def notify_university(case: Case) -> int:
    """通报: tell the learner's university of a confirmed case — an in-app notice to each recipient and a
    mail (kept in the outbox). Returns the number of people notified."""
    recipients = notice_recipients(case)
    learner = case.user
    for person in recipients:
        with translation.override(person.language or settings.LANGUAGE_CODE):
            title = _("Confirmed case (通报): %(kind)s in “%(course)s”") % {
                "kind": case.get_kind_display(), "course": case.course_name or case.course_key}
            body = _("The credit-course monitoring centre confirmed a case of %(kind)s for your student "
                     "%(name)s (%(username)s) in the course “%(course)s”, from the platform %(platform)s. "
                     "Handle it under your university's student rules and record the outcome.") % {
                "kind": case.get_kind_display(), "name": learner.real_name or learner.username,
                "username": learner.username, "course": case.course_name or case.course_key,
                "platform": case.platform.name if case.platform else _("Zhijiao")}
        Notice.objects.create(case=case, university=case.university, recipient=person, title=title, body=body)
        if person.email:
            transaction.on_commit(lambda t=title, b=body, e=person.email: send_mail(t, b, None, [e],
                                                                                    fail_silently=True))
    _event(case, EventKind.NOTIFIED, None,
           _("%(n)s people at the university notified.") % {"n": len(recipients)} if recipients
           else _("No university on record for this learner: nobody notified."))
    return len(recipients)


def _tell_learner(case: Case, outcome: str) -> None:
    learner = case.user
    if not learner.email:
        return
    with translation.override(learner.language or settings.LANGUAGE_CODE):
        subject = _("Your appeal has been decided")
        body = (_("Your appeal was upheld: the case has been dismissed.") if outcome == AppealOutcome.UPHELD
                else _("Your appeal was rejected: the confirmation stands."))
    transaction.on_commit(lambda: send_mail(subject, body, None, [learner.email], fail_silently=True))


def mark_notice_read(notice: Notice, *, actor: User) -> Notice:
    if notice.recipient_id != actor.pk:
        raise PermissionDenied
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice


# --- Platform registry ---------------------------------------------------------------------------------------


def _platform(platform: Organisation) -> Organisation:
    if platform.kind != OrgKind.PLATFORM:
        raise ValidationError(_("“%(name)s” is not a platform.") % {"name": platform.name})
    return platform


def submit_filing(platform: Organisation, *, actor: User, year: int, uploads: list, request=None) -> PlatformFiling:
    """备案: a platform's filing for ``year`` with at least one document (Django UploadedFiles)."""
    _platform(platform)
    if not permissions.can_file(actor, platform):
        raise PermissionDenied
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not this_year - 1 <= year <= this_year + 1:
        raise ValidationError({"year": _("File for last year, this year or next year (%(a)s–%(b)s).")
                               % {"a": this_year - 1, "b": this_year + 1}})
    if not uploads:
        raise ValidationError({"documents": _("Attach at least one document.")})
    if len(uploads) > 10:
        raise ValidationError({"documents": _("Attach at most 10 documents.")})
    if PlatformFiling.objects.filter(platform=platform, year=year).exists():
        raise ValidationError({"year": _("%(name)s has already filed for %(year)s.")
                               % {"name": platform.name, "year": year}})
    with contextlib.ExitStack() as files:
        received = []
        for upload in uploads:
            try:
                received.append((upload, files.enter_context(storage.receive(
                    storage.chunks_of(upload), file_name=upload.name or "", allowed=FILING_FILE_TYPES,
                    declared_content_type=getattr(upload, "content_type", "") or ""))))
            except ValidationError as exc:
                raise ValidationError({"documents": [f"{upload.name}: {m}" for m in exc.messages]}) from exc
        with transaction.atomic():
            try:
                with transaction.atomic():
                    filing = PlatformFiling.objects.create(platform=platform, year=year, submitted_by=actor)
            except IntegrityError as exc:
                raise ValidationError({"year": _("%(name)s has already filed for %(year)s.")
                                       % {"name": platform.name, "year": year}}) from exc
            for upload, incoming in received:
                FilingDocument.objects.create(filing=filing, name=(upload.name or "")[:200],
                                              storage_name=incoming.store(f"{STORAGE_PREFIX}/filings"),
                                              file_type=incoming.file_type, size=incoming.size)
            audit.record("monitoring.filing_submit", actor=actor, request=request, target=filing,
                         organisation=platform, year=year, documents=len(received))
    return filing


def review_filing(filing: PlatformFiling, *, actor: User, passed: bool, note: str, request=None) -> PlatformFiling:
    """The reviewer's decision. A pass puts the platform on the white list (unless it is black-listed); a
    fail needs the outcome note."""
    if not permissions.can_review_registry(actor, filing.platform):
        raise PermissionDenied
    note = _text(note, "note", required=not passed, message=_("Say why the filing failed."))
    with transaction.atomic():
        filing = PlatformFiling.objects.select_for_update().select_related("platform").get(pk=filing.pk)
        if filing.state != FilingState.SUBMITTED:
            raise ValidationError(_("This filing has already been reviewed."))
        filing.state = FilingState.PASSED if passed else FilingState.FAILED
        filing.outcome_note, filing.reviewed_by, filing.reviewed_at = note, actor, timezone.now()
        filing.save(update_fields=["state", "outcome_note", "reviewed_by", "reviewed_at"])
        audit.record("monitoring.filing_review", actor=actor, request=request, target=filing,
                     organisation=filing.platform, passed=passed)
        status = list_status(filing.platform)
        if passed and status is None:
            reason = _("Annual filing %(year)s passed.") % {"year": filing.year}
            add_list_entry(filing.platform, actor=actor, kind=ListKind.WHITE,
                           reason=f"{reason} {note}".strip(), request=request)
    return filing


def current_entries(platform: Organisation) -> dict[str, PlatformListEntry]:
    today = timezone.localdate()
    entries = PlatformListEntry.objects.filter(platform=platform, ended_on__isnull=True, listed_on__lte=today)
    return {e.kind: e for e in entries}


def list_status(platform: Organisation) -> str | None:
    """"black" when the platform is black-listed, "white" when white-listed only, None when on neither."""
    entries = current_entries(platform)
    if ListKind.BLACK in entries:
        return ListKind.BLACK
    return ListKind.WHITE if ListKind.WHITE in entries else None


def add_list_entry(platform: Organisation, *, actor: User, kind: str, reason: str, request=None) -> PlatformListEntry:
    """Put a platform on the white or black list. Black-listing ends a white-list entry."""
    _platform(platform)
    if not permissions.can_review_registry(actor, platform):
        raise PermissionDenied
    if kind not in ListKind.values:
        raise ValidationError({"kind": _("Choose the white list or the black list.")})
    reason = _text(reason, "reason", required=True, message=_("Give the reason for the listing."))
    with transaction.atomic():
        current = {e.kind: e for e in PlatformListEntry.objects.select_for_update().filter(
            platform=platform, ended_on__isnull=True)}
        if kind in current:
            raise ValidationError(_("%(name)s is already on this list.") % {"name": platform.name})
        if kind == ListKind.WHITE and ListKind.BLACK in current:
            raise ValidationError(_("%(name)s is on the black list; take it off the black list first.")
                                  % {"name": platform.name})
        if kind == ListKind.BLACK and ListKind.WHITE in current:
            _end(current[ListKind.WHITE], actor, _("Moved to the black list: %(reason)s") % {"reason": reason}, request)
        entry = PlatformListEntry.objects.create(platform=platform, kind=kind, reason=reason, listed_by=actor)
        audit.record("monitoring.list_add", actor=actor, request=request, target=entry, organisation=platform,
                     kind=kind)
    return entry


def end_list_entry(entry: PlatformListEntry, *, actor: User, reason: str, request=None) -> PlatformListEntry:
    if not permissions.can_review_registry(actor, entry.platform):
        raise PermissionDenied
    reason = _text(reason, "reason", required=True, message=_("Give the reason for taking it off the list."))
    with transaction.atomic():
        entry = PlatformListEntry.objects.select_for_update().select_related("platform").get(pk=entry.pk)
        if entry.ended_on is not None:
            raise ValidationError(_("This entry has already ended."))
        _end(entry, actor, reason, request)
    return entry


def _end(entry: PlatformListEntry, actor: User, reason: str, request) -> None:
    entry.ended_on, entry.end_reason, entry.ended_by = timezone.localdate(), reason, actor
    entry.save(update_fields=["ended_on", "end_reason", "ended_by"])
    audit.record("monitoring.list_end", actor=actor, request=request, target=entry, organisation=entry.platform,
                 kind=entry.kind)


# --- Credit-course choice -------------------------------------------------------------------------------------


def check_platform_allowed(platform: Organisation) -> None:
    """Universities choose credit courses only from white-listed platforms (若干意见 Art.17)."""
    entries = current_entries(platform)
    black = entries.get(ListKind.BLACK)
    if black is not None:
        raise ValidationError(_("“%(name)s” is on the black list of credit-course platforms (since %(date)s: "
                                "%(reason)s); its courses cannot be chosen.")
                              % {"name": platform.name, "date": black.listed_on.isoformat(), "reason": black.reason})
    if ListKind.WHITE not in entries:
        raise ValidationError(_("“%(name)s” is not on the white list of credit-course platforms; universities may "
                                "choose credit courses only from white-listed platforms.") % {"name": platform.name})


def teacher_error(school: Organisation) -> str:
    return _("The responsible teacher must be a teacher of %(school)s.") % {"school": school.name}


def choose_credit_course(*, actor: User | None, school: Organisation, course: CreditCourse, teacher: User,
                         credits=None, request=None) -> CreditCourseChoice:
    """A university chooses a credit course, names its responsible teacher and the credits it gives.

    Refused with a clear message when the course's platform is not white-listed or is black-listed.
    ``actor`` None is the system acting (imports); otherwise they must administer the school.
    """
    if actor is not None and not permissions.can_choose_for(actor, school):
        raise PermissionDenied
    if school.kind != OrgKind.SCHOOL:
        raise ValidationError({"school": _("Credit courses are chosen by a university.")})
    check_platform_allowed(course.platform)
    if not Membership.objects.filter(user=teacher, role=Role.TEACHER, org_path__startswith=school.path).exists():
        raise ValidationError({"teacher": teacher_error(school)})
    try:
        credits = Decimal(str(course.credits if credits in (None, "") else credits))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"credits": _("Enter the credits as a number.")}) from exc
    if not Decimal("0.5") <= credits <= Decimal("20") or credits != credits.quantize(Decimal("0.1")):
        raise ValidationError({"credits": _("Credits are between 0.5 and 20, in steps of 0.1.")})
    with transaction.atomic():
        if CreditCourseChoice.objects.filter(school=school, course=course).exists():
            raise ValidationError(_("%(school)s has already chosen “%(course)s”.")
                                  % {"school": school.name, "course": course.title})
        try:
            with transaction.atomic():
                choice = CreditCourseChoice.objects.create(school=school, course=course, teacher=teacher,
                                                           credits=credits, chosen_by=actor)
        except IntegrityError as exc:
            raise ValidationError(_("%(school)s has already chosen “%(course)s”.")
                                  % {"school": school.name, "course": course.title}) from exc
        CourseResponsibility.objects.get_or_create(course_key=course.course_key, school=school, teacher=teacher)
        audit.record("monitoring.course_choose", actor=actor, request=request, target=choice, organisation=school,
                     course=course.course_key, actor_name="" if actor else "system")
    return choice
