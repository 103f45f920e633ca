"""Every write of hiring, with its business rules and its audit entry, in one place.

Views and the API parse the request, call one function here and render the result. A refused action
raises ``ValidationError`` (bad input or a rule, with a message for the person) or ``PermissionDenied``
(not theirs to do), and changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhijiao.core import audit, screening
from zhijiao.employment.hiring import permissions, signing
from zhijiao.employment.hiring.models import (
    EMPLOYER_MOVES,
    Agreement,
    AgreementCounter,
    AgreementState,
    Application,
    ApplicationEvent,
    ApplicationState,
    Destination,
    DestinationRecord,
    FairEmployer,
    FairEmployerState,
    FairRegistration,
    Interview,
    InterviewState,
    JobFair,
    Message,
    Notice,
    NoticeReceipt,
    Party,
    Signature,
    Termination,
    TerminationState,
)
from zhijiao.employment.models import Employer, GraduateRecord, Job, JobState
from zhijiao.identity.models import Membership, Organisation, Role, User

MAX_SALARY = 1_000_000
NOTICE_ROLES = (Role.COUNSELLOR, Role.EMPLOYMENT_OFFICER)


def _one_active_message() -> str:
    return _("You already have an active three-party agreement. Ask for it to be terminated (解约) before "
             "accepting another offer.")


def _require_graduate(user: User) -> GraduateRecord:
    record = permissions.graduate_record(user)
    if record is None:
        raise PermissionDenied
    return record


def _require_employer(user: User, employer: Employer) -> None:
    if not permissions.acts_for(user, employer):
        raise PermissionDenied


def _aware(moment: datetime) -> datetime:
    """A time given without a zone is read in the platform's zone (Asia/Shanghai by default)."""
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _screen(field: str, text: str) -> None:
    """Free text people write: no NUL characters (no database stores them), no sensitive words."""
    if "\x00" in text:
        raise ValidationError({field: _("Null characters are not allowed.")})
    hits = screening.scan(text)
    if hits:
        words = "、".join(sorted({h.matched for h in hits}))
        raise ValidationError({field: _("Remove the words that are not allowed here: %(words)s") % {"words": words}})


# --- Applications -------------------------------------------------------------------------------------


def _event(application: Application, from_state: str, to_state: str, actor: User | None, note: str = "") -> None:
    ApplicationEvent.objects.create(application=application, from_state=from_state, to_state=to_state,
                                    actor=actor, note=note[:500])


def _set_state(application: Application, to_state: str, actor: User | None, note: str = "") -> None:
    from_state = application.state
    application.state = to_state
    application.updated_at = timezone.now()
    application.save(update_fields=["state", "updated_at"])
    _event(application, from_state, to_state, actor, note)


def apply(graduate: User, job: Job, *, cover_letter: str = "", request=None) -> Application:
    """A graduate applies to a published job of a verified employer, once per job."""
    _require_graduate(graduate)
    employer = job.employer
    if job.state != JobState.PUBLISHED or not employer.is_verified:
        raise ValidationError(_("This job is not open for applications."))
    if job.deadline is not None and job.deadline < timezone.localdate():
        raise ValidationError(_("The application deadline for this job has passed."))
    cover_letter = (cover_letter or "").strip()
    if len(cover_letter) > 2000:
        raise ValidationError({"cover_letter": _("Keep the cover letter under 2,000 characters.")})
    _screen("cover_letter", cover_letter)
    try:
        with transaction.atomic():
            application = Application.objects.create(graduate=graduate, job=job, employer=employer,
                                                     cover_letter=cover_letter)
            _event(application, "", ApplicationState.SUBMITTED, graduate)
            audit.record("hiring.apply", actor=graduate, request=request, target=application,
                         organisation=employer.organisation, job=job.pk)
    except IntegrityError:
        raise ValidationError(_("You have already applied to this job.")) from None
    return application


def withdraw(graduate: User, application: Application, *, request=None) -> Application:
    if application.graduate_id != graduate.pk:
        raise PermissionDenied
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if not application.is_open:
            raise ValidationError(_("This application is already closed."))
        if application.agreements.filter(state__in=[AgreementState.ACCEPTED, AgreementState.SIGNED]).exists():
            raise ValidationError(_("You accepted an offer for this application; ask for the agreement to be "
                                    "terminated instead."))
        _set_state(application, ApplicationState.WITHDRAWN, graduate)
        application.agreements.filter(state=AgreementState.OFFERED).update(state=AgreementState.WITHDRAWN)
        audit.record("hiring.withdraw", actor=graduate, request=request, target=application)
    return application


def open_application(actor: User, application: Application, *, request=None) -> Application:
    """Someone acting for the employer opens an application: the first time it becomes "viewed"; every
    opening shows the résumé to them, so every opening is audited."""
    _require_employer(actor, application.employer)
    with transaction.atomic():
        if application.state == ApplicationState.SUBMITTED:
            application.viewed_at = timezone.now()
            application.save(update_fields=["viewed_at"])
            _set_state(application, ApplicationState.VIEWED, actor)
        audit.record("hiring.resume_view", actor=actor, request=request, target=application,
                     organisation=application.employer.organisation, graduate=application.graduate_id)
    return application


def move(actor: User, application: Application, to_state: str, *, note: str = "", request=None) -> Application:
    """The employer moves an application on (viewed, interview, rejected)."""
    _require_employer(actor, application.employer)
    if to_state not in ApplicationState.values:
        raise ValidationError({"state": _("Choose a valid state.")})
    if to_state not in EMPLOYER_MOVES.get(application.state, set()):
        raise ValidationError({"state": _("An application that is “%(from)s” cannot be moved to “%(to)s”.") % {
            "from": ApplicationState(application.state).label, "to": ApplicationState(to_state).label}})
    with transaction.atomic():
        if to_state == ApplicationState.REJECTED:
            if application.agreements.filter(state__in=[AgreementState.ACCEPTED, AgreementState.SIGNED]).exists():
                raise ValidationError(_("The graduate accepted an offer for this application; ask for the "
                                        "agreement to be terminated instead."))
            application.agreements.filter(state=AgreementState.OFFERED).update(state=AgreementState.WITHDRAWN)
        _set_state(application, to_state, actor, note)
        audit.record("hiring.state", actor=actor, request=request, target=application, to=to_state)
    return application


def send_message(sender: User, application: Application, body: str, *, request=None) -> Message:
    from_employer = application.graduate_id != sender.pk
    if from_employer:
        _require_employer(sender, application.employer)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a message first.")})
    if len(body) > 2000:
        raise ValidationError({"body": _("Keep a message under 2,000 characters.")})
    _screen("body", body)
    return Message.objects.create(application=application, sender=sender, from_employer=from_employer, body=body)


def schedule_interview(actor: User, application: Application, *, starts_at: datetime, place: str = "",
                       online_link: str = "", request=None) -> Interview:
    _require_employer(actor, application.employer)
    starts_at = _aware(starts_at)
    if application.state not in (ApplicationState.SUBMITTED, ApplicationState.VIEWED, ApplicationState.INTERVIEW):
        raise ValidationError(_("Interviews can only be arranged for applications still under consideration."))
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("Choose a time in the future.")})
    place, online_link = (place or "").strip(), (online_link or "").strip()
    if not place and not online_link:
        raise ValidationError({"place": _("Give a place or an online meeting link.")})
    if online_link and not online_link.startswith(("https://", "http://")):
        raise ValidationError({"online_link": _("Enter a web address starting with https://.")})
    _screen("place", place)
    with transaction.atomic():
        application.interviews.filter(state__in=[InterviewState.PROPOSED, InterviewState.RESCHEDULE]).update(
            state=InterviewState.CANCELLED)
        interview = Interview.objects.create(application=application, starts_at=starts_at, place=place[:200],
                                             online_link=online_link[:200], created_by=actor)
        if application.state != ApplicationState.INTERVIEW:
            _set_state(application, ApplicationState.INTERVIEW, actor)
        audit.record("hiring.state", actor=actor, request=request, target=application, to="interview",
                     interview=interview.pk)
    return interview


def answer_interview(graduate: User, interview: Interview, *, confirm: bool, note: str = "") -> Interview:
    if interview.application.graduate_id != graduate.pk:
        raise PermissionDenied
    if interview.state not in (InterviewState.PROPOSED, InterviewState.RESCHEDULE):
        raise ValidationError(_("This interview can no longer be answered."))
    note = (note or "").strip()
    if not confirm and not note:
        raise ValidationError({"note": _("Say which times would suit you.")})
    _screen("note", note)
    interview.state = InterviewState.CONFIRMED if confirm else InterviewState.RESCHEDULE
    interview.graduate_note = note[:500]
    interview.answered_at = timezone.now()
    interview.save(update_fields=["state", "graduate_note", "answered_at"])
    return interview


# --- The three-party agreement ------------------------------------------------------------------------


def _sign(agreement: Agreement, party: str, signer: User, number: str = "") -> Signature:
    at = timezone.now()
    return Signature.objects.create(
        agreement=agreement, party=party, signer=signer, key_id=signing.key_id(party, signer.pk),
        content_hash=agreement.content_hash, signed_at=at,
        mac=signing.sign(party, signer.pk, at, agreement.content_hash, number))


def _clean_offer(post: str, salary, start_date, workplace_code: str, contract_terms: str, liquidated_damages):
    errors: dict[str, str] = {}
    post, contract_terms = (post or "").strip(), (contract_terms or "").strip()
    if not post:
        errors["post"] = _("Name the post.")
    elif len(post) > 100:
        errors["post"] = _("Keep the post under 100 characters.")
    if not isinstance(salary, int) or not 0 < salary <= MAX_SALARY:
        errors["salary"] = _("Enter a monthly salary in yuan between 1 and 1,000,000.")
    if not isinstance(start_date, date) or start_date < timezone.localdate():
        errors["start_date"] = _("Choose a start date from today on.")
    if workplace_code and not (len(workplace_code) == 6 and workplace_code.isdigit()):
        errors["workplace_code"] = _("Enter a six-digit administrative division code, or leave it empty.")
    if not contract_terms:
        errors["contract_terms"] = _("State the contract terms.")
    elif len(contract_terms) > 5000:
        errors["contract_terms"] = _("Keep the contract terms under 5,000 characters.")
    if not isinstance(liquidated_damages, int) or not 0 <= liquidated_damages <= MAX_SALARY:
        errors["liquidated_damages"] = _("Enter liquidated damages in yuan between 0 and 1,000,000 (0 for none).")
    if errors:
        raise ValidationError(errors)
    _screen("post", post)
    _screen("contract_terms", contract_terms)
    return post, contract_terms


def issue_offer(actor: User, application: Application, *, post: str, salary: int, start_date: date,
                contract_terms: str, liquidated_damages: int = 0, workplace_code: str = "",
                request=None) -> Agreement:
    """The employer offers the three-party agreement; issuing it is the employer's signature."""
    _require_employer(actor, application.employer)
    post, contract_terms = _clean_offer(post, salary, start_date, workplace_code, contract_terms,
                                        liquidated_damages)
    record = permissions.graduate_record(application.graduate)
    if record is None:
        raise ValidationError(_("This applicant has no graduate record, so no agreement can be made."))
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if not application.is_open:
            raise ValidationError(_("This application is closed."))
        if application.agreements.filter(state__in=[AgreementState.OFFERED, AgreementState.ACCEPTED,
                                                    AgreementState.SIGNED]).exists():
            raise ValidationError(_("An offer for this application is already in progress."))
        agreement = Agreement(application=application, graduate=application.graduate,
                              employer=application.employer, school=record.school, post=post, salary=salary,
                              start_date=start_date, workplace_code=workplace_code or application.job.region_code,
                              contract_terms=contract_terms, liquidated_damages=liquidated_damages,
                              offered_by=actor, offered_at=timezone.now().replace(microsecond=0))
        agreement.content_hash = signing.content_hash(agreement)
        agreement.save()
        _sign(agreement, Party.EMPLOYER, actor)
        if application.state != ApplicationState.OFFER:
            _set_state(application, ApplicationState.OFFER, actor)
        audit.record("hiring.offer", actor=actor, request=request, target=agreement,
                     organisation=application.employer.organisation, sha256=agreement.content_hash)
    return agreement


def withdraw_offer(actor: User, agreement: Agreement, *, request=None) -> Agreement:
    _require_employer(actor, agreement.employer)
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if agreement.state != AgreementState.OFFERED:
            raise ValidationError(_("Only an offer the graduate has not yet answered can be withdrawn."))
        agreement.state = AgreementState.WITHDRAWN
        agreement.save(update_fields=["state"])
        audit.record("hiring.offer_withdraw", actor=actor, request=request, target=agreement)
    return agreement


def accept_offer(graduate: User, agreement: Agreement, *, request=None) -> Agreement:
    """The graduate signs. At most one active agreement per graduate: the graduate's row is locked so two
    acceptances queue, the check below gives the clear message, and the partial unique constraint
    ``one_active_agreement_per_graduate`` holds even if something bypasses this function."""
    if agreement.graduate_id != graduate.pk:
        raise PermissionDenied
    try:
        with transaction.atomic():
            User.objects.select_for_update().filter(pk=graduate.pk).first()
            agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
            if agreement.state != AgreementState.OFFERED:
                raise ValidationError(_("This offer can no longer be accepted."))
            if Agreement.objects.filter(graduate=graduate, state__in=[AgreementState.ACCEPTED,
                                                                       AgreementState.SIGNED]).exists():
                raise ValidationError(_one_active_message())
            agreement.state = AgreementState.ACCEPTED
            agreement.accepted_at = timezone.now()
            agreement.save(update_fields=["state", "accepted_at"])
            _sign(agreement, Party.GRADUATE, graduate)
            audit.record("hiring.accept", actor=graduate, request=request, target=agreement,
                         sha256=agreement.content_hash)
    except IntegrityError:
        raise ValidationError(_one_active_message()) from None
    return agreement


def decline_offer(graduate: User, agreement: Agreement, *, request=None) -> Agreement:
    if agreement.graduate_id != graduate.pk:
        raise PermissionDenied
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if agreement.state != AgreementState.OFFERED:
            raise ValidationError(_("This offer can no longer be declined."))
        agreement.state = AgreementState.DECLINED
        agreement.save(update_fields=["state"])
        audit.record("hiring.decline", actor=graduate, request=request, target=agreement)
    return agreement


def _next_number(school: Organisation, year: int) -> str:
    counter, _created = AgreementCounter.objects.get_or_create(school=school, year=year)
    counter = AgreementCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    code = school.code if school.code.isdigit() else f"{school.pk:010d}"
    return f"{year}{code}{counter.last:05d}"


def approve_agreement(officer: User, agreement: Agreement, *, request=None) -> Agreement:
    """The school's employment office approves: number issued, school signature, destination recorded."""
    if not permissions.approves_for(officer, agreement.school):
        raise PermissionDenied
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if agreement.state != AgreementState.ACCEPTED:
            raise ValidationError(_("Only an agreement the graduate has accepted can be approved."))
        if signing.content_hash(agreement) != agreement.content_hash:
            raise ValidationError(_("The agreement's content no longer matches what the parties signed."))
        agreement.number = _next_number(agreement.school, timezone.localdate().year)
        agreement.state = AgreementState.SIGNED
        agreement.signed_at = timezone.now()
        agreement.save(update_fields=["number", "state", "signed_at"])
        _sign(agreement, Party.SCHOOL, officer, agreement.number)
        _set_destination(agreement.graduate.graduate_record, Destination.AGREEMENT, officer,
                         organisation_name=agreement.employer.organisation.name,
                         region_code=agreement.workplace_code, agreement=agreement)
        audit.record("hiring.approve", actor=officer, request=request, target=agreement,
                     organisation=agreement.school, number=agreement.number, sha256=agreement.content_hash)
    return agreement


def return_agreement(officer: User, agreement: Agreement, *, reason: str, request=None) -> Agreement:
    """The office sends an accepted agreement back (wrong terms, say); the graduate is free again."""
    if not permissions.approves_for(officer, agreement.school):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    _screen("reason", reason)
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if agreement.state != AgreementState.ACCEPTED:
            raise ValidationError(_("Only an agreement awaiting approval can be returned."))
        agreement.state = AgreementState.RETURNED
        agreement.return_reason = reason[:500]
        agreement.save(update_fields=["state", "return_reason"])
        audit.record("hiring.return", actor=officer, request=request, target=agreement, reason=reason[:500])
    return agreement


def party_of(user: User, agreement: Agreement) -> str | None:
    """Which party ``user`` acts as for ``agreement`` (graduate, employer, school), or None."""
    if agreement.graduate_id == user.pk:
        return Party.GRADUATE
    if permissions.acts_for(user, agreement.employer):
        return Party.EMPLOYER
    if permissions.approves_for(user, agreement.school):
        return Party.SCHOOL
    return None


def request_termination(actor: User, agreement: Agreement, *, reason: str, request=None) -> Termination:
    party = party_of(actor, agreement)
    if party not in (Party.GRADUATE, Party.EMPLOYER):
        raise PermissionDenied
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": _("Explain the reasons for the termination.")})
    _screen("reason", reason)
    try:
        with transaction.atomic():
            agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
            if agreement.state != AgreementState.SIGNED:
                raise ValidationError(_("Only a signed agreement can be terminated."))
            termination = Termination.objects.create(agreement=agreement, requested_by=actor,
                                                     requesting_party=party, reason=reason[:2000])
            audit.record("hiring.termination_request", actor=actor, request=request, target=agreement,
                         party=party, reason=reason[:500])
    except IntegrityError:
        raise ValidationError(_("A termination request for this agreement is already waiting.")) from None
    return termination


def approve_termination(actor: User, termination: Termination, *, request=None) -> Termination:
    """The other party and the school's office each approve; with both, the agreement ends and the
    graduate is free to sign again (their destination goes back to "seeking employment")."""
    agreement = termination.agreement
    party = party_of(actor, agreement)
    as_office = permissions.approves_for(actor, agreement.school)
    as_other = party in (Party.GRADUATE, Party.EMPLOYER) and party != termination.requesting_party
    if not (as_office or as_other):
        raise PermissionDenied
    with transaction.atomic():
        termination = Termination.objects.select_for_update().get(pk=termination.pk)
        if termination.state != TerminationState.PENDING:
            raise ValidationError(_("This termination request has already been decided."))
        now = timezone.now()
        if as_other and termination.other_party_at is None:
            termination.other_party_by, termination.other_party_at = actor, now
        elif as_office and termination.office_at is None:
            termination.office_by, termination.office_at = actor, now
        else:
            raise ValidationError(_("You have already approved this termination."))
        if termination.other_party_at and termination.office_at:
            termination.state = TerminationState.APPROVED
            agreement.state = AgreementState.TERMINATED
            agreement.terminated_at = now
            agreement.save(update_fields=["state", "terminated_at"])
            _set_destination(agreement.graduate.graduate_record, Destination.SEEKING, actor,
                             note=_("Agreement %(number)s terminated") % {"number": agreement.number})
        termination.save()
        audit.record("hiring.termination_approve", actor=actor, request=request, target=agreement,
                     termination=termination.pk, as_office=as_office and not as_other,
                     complete=termination.state == TerminationState.APPROVED)
    return termination


def refuse_termination(actor: User, termination: Termination, *, reason: str, request=None) -> Termination:
    agreement = termination.agreement
    party = party_of(actor, agreement)
    as_office = permissions.approves_for(actor, agreement.school)
    as_other = party in (Party.GRADUATE, Party.EMPLOYER) and party != termination.requesting_party
    if not (as_office or as_other):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    _screen("reason", reason)
    with transaction.atomic():
        termination = Termination.objects.select_for_update().get(pk=termination.pk)
        if termination.state != TerminationState.PENDING:
            raise ValidationError(_("This termination request has already been decided."))
        termination.state = TerminationState.REFUSED
        termination.refusal_reason = reason[:500]
        termination.save(update_fields=["state", "refusal_reason"])
        audit.record("hiring.termination_refuse", actor=actor, request=request, target=agreement,
                     termination=termination.pk, reason=reason[:500])
    return termination


# --- Destinations -------------------------------------------------------------------------------------


def _set_destination(record: GraduateRecord, category: str, actor: User | None, *, organisation_name: str = "",
                     region_code: str = "", agreement: Agreement | None = None, note: str = "",
                     at: datetime | None = None) -> DestinationRecord:
    record.destinations.filter(current=True).update(current=False)
    return DestinationRecord.objects.create(record=record, category=category, organisation_name=organisation_name,
                                            region_code=region_code, agreement=agreement, note=note[:500],
                                            entered_by=actor, recorded_at=at or timezone.now())


def record_destination(actor: User, record: GraduateRecord, *, category: str, organisation_name: str = "",
                       region_code: str = "", note: str = "", request=None) -> DestinationRecord:
    """A counsellor (or anyone following the graduate) enters a destination; the history is kept."""
    if not permissions.follows(actor, record.org_path):
        raise PermissionDenied
    errors = {}
    if category not in Destination.values:
        errors["category"] = _("Choose a destination category.")
    elif category == Destination.AGREEMENT:
        errors["category"] = _("Agreement destinations come from signed agreements; choose another category.")
    region_code = (region_code or "").strip()
    if region_code and not (len(region_code) == 6 and region_code.isdigit()):
        errors["region_code"] = _("Enter a six-digit administrative division code, or leave it empty.")
    organisation_name, note = (organisation_name or "").strip(), (note or "").strip()
    if len(organisation_name) > 200:
        errors["organisation_name"] = _("Keep the name under 200 characters.")
    if errors:
        raise ValidationError(errors)
    _screen("organisation_name", organisation_name)
    _screen("note", note)
    with transaction.atomic():
        GraduateRecord.objects.select_for_update().filter(pk=record.pk).first()
        if Agreement.objects.filter(graduate_id=record.user_id, state=AgreementState.SIGNED).exists():
            raise ValidationError(_("This graduate has a signed agreement; its destination changes only when "
                                    "the agreement is terminated."))
        entry = _set_destination(record, category, actor, organisation_name=organisation_name,
                                 region_code=region_code, note=note)
        audit.record("hiring.destination", actor=actor, request=request, target=entry, graduate=record.user_id,
                     category=category)
    return entry


# --- Job fairs ----------------------------------------------------------------------------------------


def create_fair(actor: User, organiser: Organisation, *, title: str, description: str = "",
                starts_at: datetime, ends_at: datetime, request=None) -> JobFair:
    if not permissions.manages(actor, organiser):
        raise PermissionDenied
    starts_at, ends_at = _aware(starts_at), _aware(ends_at)
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Give the fair a title.")
    elif len(title) > 150:
        errors["title"] = _("Keep the title under 150 characters.")
    if ends_at <= starts_at:
        errors["ends_at"] = _("The fair must close after it opens.")
    if errors:
        raise ValidationError(errors)
    _screen("title", title)
    _screen("description", description or "")
    with transaction.atomic():
        fair = JobFair.objects.create(organiser=organiser, title=title, description=(description or "").strip(),
                                      starts_at=starts_at, ends_at=ends_at, created_by=actor)
        audit.record("hiring.fair", actor=actor, request=request, target=fair, organisation=organiser, what="create")
    return fair


def invite_employer(actor: User, fair: JobFair, employer: Employer, *, request=None) -> FairEmployer:
    if not permissions.manages(actor, fair.organiser):
        raise PermissionDenied
    if not employer.is_verified:
        raise ValidationError(_("Only verified employers can take part in a job fair."))
    entry, created = FairEmployer.objects.get_or_create(fair=fair, employer=employer,
                                                        defaults={"state": FairEmployerState.INVITED})
    if not created and entry.state == FairEmployerState.APPLIED:
        entry.state, entry.decided_at = FairEmployerState.APPROVED, timezone.now()
        entry.save(update_fields=["state", "decided_at"])
    audit.record("hiring.fair", actor=actor, request=request, target=fair, what="invite", employer=employer.pk)
    return entry


def join_fair(actor: User, fair: JobFair, employer: Employer, *, jobs: list[Job], request=None) -> FairEmployer:
    """An employer asks to take part (or accepts an invitation) and names the jobs it brings."""
    _require_employer(actor, employer)
    if fair.ends_at <= timezone.now():
        raise ValidationError(_("This job fair has closed."))
    if any(job.employer_id != employer.pk or job.state != JobState.PUBLISHED for job in jobs):
        raise ValidationError({"jobs": _("Choose published jobs of your own organisation.")})
    with transaction.atomic():
        entry, created = FairEmployer.objects.get_or_create(fair=fair, employer=employer,
                                                            defaults={"state": FairEmployerState.APPLIED})
        if entry.state == FairEmployerState.INVITED:
            entry.state, entry.decided_at = FairEmployerState.APPROVED, timezone.now()
            entry.save(update_fields=["state", "decided_at"])
        elif entry.state == FairEmployerState.DECLINED:
            raise ValidationError(_("The organiser declined your participation in this fair."))
        entry.jobs.set(jobs)
        audit.record("hiring.fair", actor=actor, request=request, target=fair, what="join", employer=employer.pk,
                     jobs=[j.pk for j in jobs])
    return entry


def decide_participation(actor: User, entry: FairEmployer, *, approve: bool, request=None) -> FairEmployer:
    if not permissions.manages(actor, entry.fair.organiser):
        raise PermissionDenied
    if entry.state not in (FairEmployerState.APPLIED, FairEmployerState.INVITED):
        raise ValidationError(_("This participation has already been decided."))
    entry.state = FairEmployerState.APPROVED if approve else FairEmployerState.DECLINED
    entry.decided_at = timezone.now()
    entry.save(update_fields=["state", "decided_at"])
    audit.record("hiring.fair", actor=actor, request=request, target=entry.fair, what="decide",
                 employer=entry.employer_id, approve=approve)
    return entry


def register_for_fair(graduate: User, fair: JobFair) -> FairRegistration:
    _require_graduate(graduate)
    if fair.ends_at <= timezone.now():
        raise ValidationError(_("This job fair has closed."))
    registration, _created = FairRegistration.objects.get_or_create(fair=fair, graduate=graduate)
    return registration


# --- Notices ------------------------------------------------------------------------------------------


def send_notice(sender: User, organisation: Organisation, *, title: str, body: str, request=None) -> Notice:
    """一键直达: one notice to every counsellor and employment officer at or below ``organisation``."""
    if not permissions.manages(sender, organisation):
        raise PermissionDenied
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Give the notice a title.")
    elif len(title) > 150:
        errors["title"] = _("Keep the title under 150 characters.")
    if not body:
        errors["body"] = _("Write the notice.")
    elif len(body) > 10000:
        errors["body"] = _("Keep the notice under 10,000 characters.")
    if errors:
        raise ValidationError(errors)
    _screen("title", title)
    _screen("body", body)
    recipients = set(Membership.objects.filter(org_path__startswith=organisation.path, role__in=NOTICE_ROLES)
                     .exclude(user=sender).values_list("user_id", flat=True))
    with transaction.atomic():
        notice = Notice.objects.create(sender=sender, organisation=organisation, title=title, body=body)
        NoticeReceipt.objects.bulk_create(
            [NoticeReceipt(notice=notice, recipient_id=uid) for uid in sorted(recipients)], batch_size=1000)
        audit.record("hiring.notice", actor=sender, request=request, target=notice, organisation=organisation,
                     recipients=len(recipients))
    return notice


def mark_read(user: User, notice: Notice) -> NoticeReceipt:
    receipt = NoticeReceipt.objects.filter(notice=notice, recipient=user).first()
    if receipt is None:
        raise PermissionDenied
    if receipt.read_at is None:
        receipt.read_at = timezone.now()
        receipt.save(update_fields=["read_at"])
    return receipt
