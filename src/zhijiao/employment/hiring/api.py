"""JSON API of hiring, mounted under /api/v1/employment/hiring.

Graduates apply, withdraw, message, answer interviews and accept or decline offers; an employer's staff
run their pipeline and issue offers; a school's employment office approves agreements; all three parties
download the agreement and take part in terminations. Job fairs, destinations, progress and notices follow
the pages. An object outside the caller's reach answers 403 (and is audited); one that does not exist, 404.
"""

from __future__ import annotations

import base64
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from zhijiao.employment.hiring import permissions, selectors, services
from zhijiao.employment.hiring.documents import agreement_pdf
from zhijiao.employment.hiring.models import (
    Agreement,
    Application,
    FairEmployer,
    Interview,
    JobFair,
    Notice,
    Termination,
)
from zhijiao.employment.models import Employer, GraduateRecord, Job
from zhijiao.identity.api_auth import BearerAuth, SessionAuth
from zhijiao.identity.models import Organisation

router = Router(tags=["employment-hiring"])


def _anonymous(request):
    return request.user


PUBLIC = [BearerAuth(), SessionAuth(), _anonymous]


def _existing_or_403(model, pk: int, read):
    """``read()`` the object for the caller; 404 when it does not exist, 403 when it is not theirs."""
    if not model.objects.filter(pk=pk).exists():
        raise Http404
    try:
        return read()
    except Http404:
        raise PermissionDenied from None


# --- Schemas -----------------------------------------------------------------------------------------


class ApplyIn(Schema):
    job_id: int
    cover_letter: str = Field("", max_length=2000)


class ApplicationOut(Schema):
    id: int
    job_id: int
    job_title: str
    employer_id: int
    employer_name: str
    graduate_id: int
    graduate_name: str
    state: str
    created_at: datetime
    updated_at: datetime
    viewed_at: datetime | None


class EventOut(Schema):
    from_state: str
    to_state: str
    at: datetime
    note: str


class ApplicationDetailOut(ApplicationOut):
    cover_letter: str
    history: list[EventOut]


class MoveIn(Schema):
    state: str = Field(..., max_length=16)
    note: str = Field("", max_length=500)


class MessageIn(Schema):
    body: str = Field(..., max_length=2000)


class MessageOut(Schema):
    id: int
    from_employer: bool
    sender: str
    body: str
    sent_at: datetime


class InterviewIn(Schema):
    starts_at: datetime
    place: str = Field("", max_length=200)
    online_link: str = Field("", max_length=200)


class InterviewOut(Schema):
    id: int
    application_id: int
    starts_at: datetime
    place: str
    online_link: str
    state: str
    graduate_note: str


class InterviewAnswerIn(Schema):
    confirm: bool
    note: str = Field("", max_length=500)


class OfferIn(Schema):
    post: str = Field(..., max_length=100)
    salary: int = Field(..., ge=1, le=1_000_000)
    start_date: date
    contract_terms: str = Field(..., max_length=5000)
    liquidated_damages: int = Field(0, ge=0, le=1_000_000)
    workplace_code: str = Field("", max_length=6)


class SignatureOut(Schema):
    party: str
    signer: str
    key_id: str
    content_hash: str
    signature: str
    signed_at: datetime


class AgreementOut(Schema):
    id: int
    number: str | None
    state: str
    application_id: int
    graduate_name: str
    employer_name: str
    school_name: str
    post: str
    salary: int
    start_date: date
    workplace_code: str
    contract_terms: str
    liquidated_damages: int
    content_sha256: str
    signatures: list[SignatureOut]
    pdf_url: str
    your_party: str


class ReasonIn(Schema):
    reason: str = Field(..., max_length=2000)


class TerminationOut(Schema):
    id: int
    agreement_id: int
    requesting_party: str
    reason: str
    state: str
    other_party_approved_at: datetime | None
    office_approved_at: datetime | None


class VerifyOut(Schema):
    found: bool
    valid: bool
    hash_matches: bool
    content_intact: bool
    signatures_valid: bool
    state: str


class PdfOut(Schema):
    filename: str
    content_type: str
    base64: str


class FairIn(Schema):
    organiser_id: int
    title: str = Field(..., max_length=150)
    description: str = Field("", max_length=5000)
    starts_at: datetime
    ends_at: datetime


class FairStatsOut(Schema):
    registered_graduates: int
    employers: int
    jobs: int
    applications: int
    live: bool


class FairJobOut(Schema):
    id: int
    title: str


class FairEmployerOut(Schema):
    id: int
    employer_id: int
    employer_name: str
    state: str
    jobs: list[FairJobOut]


class FairOut(Schema):
    id: int
    title: str
    description: str
    organiser: str
    starts_at: datetime
    ends_at: datetime
    stats: FairStatsOut
    employers: list[FairEmployerOut]


class JoinIn(Schema):
    employer_id: int
    job_ids: list[int] = Field(default_factory=list, max_length=200)


class InviteIn(Schema):
    employer_id: int


class DecisionIn(Schema):
    approve: bool


class DestinationIn(Schema):
    category: str = Field(..., max_length=4)
    organisation_name: str = Field("", max_length=200)
    region_code: str = Field("", max_length=6)
    note: str = Field("", max_length=500)


class DestinationOut(Schema):
    id: int
    category: str
    category_label: str
    organisation_name: str
    region_code: str
    agreement_number: str | None
    current: bool
    recorded_at: datetime


class WeekOut(Schema):
    week_end: date
    graduates: int
    settled: int
    rate: float


class RateRowOut(Schema):
    name: str
    graduates: int
    settled: int
    rate: float
    org_id: int | None = None


class RegionRowOut(Schema):
    name: str
    settled: int
    share: float


class MissingOut(Schema):
    record_id: int
    name: str
    student_number: str
    phone: str
    college: str
    major: str
    destination: str


class ProgressOut(Schema):
    organisation: str
    year: int | None
    weekly: list[WeekOut]
    units: list[RateRowOut]
    majors: list[RateRowOut]
    degrees: list[RateRowOut]
    regions: list[RegionRowOut]
    without_destination: list[MissingOut]


class TrendSeriesOut(Schema):
    name: str
    graduates: int
    rates: list[float]


class TrendOut(Schema):
    dimension: str
    weeks: list[date]
    series: list[TrendSeriesOut]


class NoticeIn(Schema):
    organisation_id: int
    title: str = Field(..., max_length=150)
    body: str = Field(..., max_length=10000)


class NoticeOut(Schema):
    id: int
    title: str
    body: str
    organisation: str
    sent_at: datetime
    read_at: datetime | None = None


class ReceiptOut(Schema):
    recipient: str
    read_at: datetime | None


class ReceiptsOut(Schema):
    total: int
    read: int
    unread: list[ReceiptOut]


# --- Serialisers --------------------------------------------------------------------------------------


def _application(a: Application) -> dict:
    return {"id": a.pk, "job_id": a.job_id, "job_title": a.job.title, "employer_id": a.employer_id,
            "employer_name": a.employer.organisation.name, "graduate_id": a.graduate_id,
            "graduate_name": a.graduate.get_full_name(), "state": a.state, "created_at": a.created_at,
            "updated_at": a.updated_at, "viewed_at": a.viewed_at}


def _agreement(g: Agreement, party: str) -> dict:
    return {"id": g.pk, "number": g.number, "state": g.state, "application_id": g.application_id,
            "graduate_name": g.graduate.get_full_name(), "employer_name": g.employer.organisation.name,
            "school_name": g.school.name, "post": g.post, "salary": g.salary, "start_date": g.start_date,
            "workplace_code": g.workplace_code, "contract_terms": g.contract_terms,
            "liquidated_damages": g.liquidated_damages, "content_sha256": g.content_hash,
            "signatures": [{"party": s.party, "signer": s.signer.username, "key_id": s.key_id,
                            "content_hash": s.content_hash, "signature": s.mac, "signed_at": s.signed_at}
                           for s in selectors.signatures(g)],
            "pdf_url": reverse("employment_hiring:agreement-pdf", args=[g.pk]), "your_party": party}


def _termination(t: Termination) -> dict:
    return {"id": t.pk, "agreement_id": t.agreement_id, "requesting_party": t.requesting_party, "reason": t.reason,
            "state": t.state, "other_party_approved_at": t.other_party_at, "office_approved_at": t.office_at}


def _interview(i: Interview) -> dict:
    return {"id": i.pk, "application_id": i.application_id, "starts_at": i.starts_at, "place": i.place,
            "online_link": i.online_link, "state": i.state, "graduate_note": i.graduate_note}


def _app_for(request, application_id: int):
    return _existing_or_403(Application, application_id,
                            lambda: selectors.application_for(request.auth, application_id))


def _agreement_for(request, agreement_id: int):
    return _existing_or_403(Agreement, agreement_id, lambda: selectors.agreement_for(request.auth, agreement_id))


# --- Applications -------------------------------------------------------------------------------------


@router.post("/applications", response={201: ApplicationOut}, summary="Apply to a published job (graduates)")
def apply(request, payload: ApplyIn):
    job = get_object_or_404(Job, pk=payload.job_id)
    return Status(201, _application(services.apply(request.auth, job, cover_letter=payload.cover_letter,
                                                   request=request)))


@router.get("/applications", response=list[ApplicationOut], summary="Your applications (graduates)")
def my_applications(request, limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000)):
    return [_application(a) for a in selectors.applications_of_graduate(request.auth)[offset:offset + limit]]


@router.get("/employer/applications", response=list[ApplicationOut],
            summary="Applications to your organisation's jobs (employers)")
def employer_applications(request, state: str = Query("", max_length=16), limit: int = Query(100, ge=1, le=500),
                          offset: int = Query(0, ge=0, le=1_000_000)):
    employers = permissions.employers_of(request.auth)
    if not employers:
        raise PermissionDenied
    rows = selectors.applications_of_employers(employers, state)[offset:offset + limit]
    return [_application(a) for a in rows]


@router.get("/applications/{int:application_id}", response=ApplicationDetailOut,
            summary="An application; opening it as the employer marks it viewed and shows the résumé")
def application(request, application_id: int):
    app, side = _app_for(request, application_id)
    if side == "employer":
        app = services.open_application(request.auth, app, request=request)
    return {**_application(app), "cover_letter": app.cover_letter,
            "history": [{"from_state": e.from_state, "to_state": e.to_state, "at": e.at, "note": e.note}
                        for e in app.events.all()]}


@router.post("/applications/{int:application_id}/withdraw", response=ApplicationOut,
             summary="Withdraw your application (graduates)")
def withdraw(request, application_id: int):
    app, _side = _app_for(request, application_id)
    return _application(services.withdraw(request.auth, app, request=request))


@router.post("/applications/{int:application_id}/state", response=ApplicationOut,
             summary="Move an application in the pipeline (employers)")
def move(request, application_id: int, payload: MoveIn):
    app, side = _app_for(request, application_id)
    if side != "employer":
        raise PermissionDenied
    return _application(services.move(request.auth, app, payload.state, note=payload.note, request=request))


@router.get("/applications/{int:application_id}/messages", response=list[MessageOut], summary="The message thread")
def messages(request, application_id: int):
    app, _side = _app_for(request, application_id)
    return [{"id": m.pk, "from_employer": m.from_employer, "sender": m.sender.get_full_name(), "body": m.body,
             "sent_at": m.sent_at} for m in app.messages.select_related("sender")]


@router.post("/applications/{int:application_id}/messages", response={201: MessageOut}, summary="Send a message")
def send_message(request, application_id: int, payload: MessageIn):
    app, _side = _app_for(request, application_id)
    m = services.send_message(request.auth, app, payload.body, request=request)
    return Status(201, {"id": m.pk, "from_employer": m.from_employer, "sender": m.sender.get_full_name(),
                        "body": m.body, "sent_at": m.sent_at})


@router.get("/applications/{int:application_id}/interviews", response=list[InterviewOut], summary="Interviews")
def interviews(request, application_id: int):
    app, _side = _app_for(request, application_id)
    return [_interview(i) for i in app.interviews.all()]


@router.post("/applications/{int:application_id}/interviews", response={201: InterviewOut},
             summary="Arrange an interview (employers)")
def schedule_interview(request, application_id: int, payload: InterviewIn):
    app, side = _app_for(request, application_id)
    if side != "employer":
        raise PermissionDenied
    return Status(201, _interview(services.schedule_interview(request.auth, app, starts_at=payload.starts_at,
                                                              place=payload.place, online_link=payload.online_link,
                                                              request=request)))


@router.post("/interviews/{int:interview_id}/answer", response=InterviewOut,
             summary="Confirm an interview or ask for another time (graduates)")
def answer_interview(request, interview_id: int, payload: InterviewAnswerIn):
    item = get_object_or_404(Interview.objects.select_related("application"), pk=interview_id)
    return _interview(services.answer_interview(request.auth, item, confirm=payload.confirm, note=payload.note))


@router.post("/applications/{int:application_id}/offer", response={201: AgreementOut},
             summary="Issue and sign an offer: the three-party agreement (employers)")
def offer(request, application_id: int, payload: OfferIn):
    app, side = _app_for(request, application_id)
    if side != "employer":
        raise PermissionDenied
    agreement = services.issue_offer(request.auth, app, **payload.model_dump(), request=request)
    return Status(201, _agreement(agreement, "employer"))


# --- Agreements ---------------------------------------------------------------------------------------


@router.get("/agreements/verify", response=VerifyOut, auth=PUBLIC,
            summary="Check an agreement number against a content SHA-256 (no sign-in needed)")
def verify(request, number: str = Query(..., max_length=32), sha256: str = Query(..., max_length=64)):
    result = selectors.verify(number, sha256)
    return {"found": result.found, "valid": result.ok, "hash_matches": result.hash_matches,
            "content_intact": result.content_intact, "signatures_valid": result.signatures_valid,
            "state": result.state}


@router.get("/agreements", response=list[AgreementOut], summary="Your agreements (graduates)")
def my_agreements(request):
    return [_agreement(g, "graduate") for g in selectors.agreements_of_graduate(request.auth)
            .select_related("graduate", "school")]


@router.get("/agreements/pending", response=list[AgreementOut],
            summary="Agreements awaiting your school's approval (employment offices)")
def pending(request):
    if not permissions.scope_paths_approve(request.auth):
        raise PermissionDenied
    return [_agreement(g, "school") for g in selectors.approval_queue(request.auth)]


@router.get("/agreements/{int:agreement_id}", response=AgreementOut, summary="An agreement (its parties only)")
def agreement(request, agreement_id: int):
    item, party = _agreement_for(request, agreement_id)
    return _agreement(item, party)


@router.get("/agreements/{int:agreement_id}/pdf", response=PdfOut,
            summary="The agreement PDF, base64-encoded (the page link serves it as application/pdf)")
def agreement_pdf_json(request, agreement_id: int):
    from zhijiao.core import audit

    item, party = _agreement_for(request, agreement_id)
    audit.record("hiring.agreement_view", request=request, actor=request.auth, target=item, party=party, pdf=True)
    return {"filename": f"agreement-{item.number or item.pk}.pdf", "content_type": "application/pdf",
            "base64": base64.b64encode(agreement_pdf(item)).decode()}


def _agreement_action(request, agreement_id: int, party: str, action):
    item, actual = _agreement_for(request, agreement_id)
    if actual != party:
        raise PermissionDenied
    return _agreement(action(request.auth, item, request=request), actual)


@router.post("/agreements/{int:agreement_id}/accept", response=AgreementOut,
             summary="Accept and sign an offer (graduates); refused while another agreement is active")
def accept(request, agreement_id: int):
    return _agreement_action(request, agreement_id, "graduate", services.accept_offer)


@router.post("/agreements/{int:agreement_id}/decline", response=AgreementOut, summary="Decline an offer (graduates)")
def decline(request, agreement_id: int):
    return _agreement_action(request, agreement_id, "graduate", services.decline_offer)


@router.post("/agreements/{int:agreement_id}/withdraw", response=AgreementOut,
             summary="Withdraw an unanswered offer (employers)")
def withdraw_offer(request, agreement_id: int):
    return _agreement_action(request, agreement_id, "employer", services.withdraw_offer)


@router.post("/agreements/{int:agreement_id}/approve", response=AgreementOut,
             summary="Approve an accepted agreement and issue its number (school employment office)")
def approve(request, agreement_id: int):
    return _agreement_action(request, agreement_id, "school", services.approve_agreement)


@router.post("/agreements/{int:agreement_id}/return", response=AgreementOut,
             summary="Return an accepted agreement with a reason (school employment office)")
def return_agreement(request, agreement_id: int, payload: ReasonIn):
    item, party = _agreement_for(request, agreement_id)
    if party != "school":
        raise PermissionDenied
    return _agreement(services.return_agreement(request.auth, item, reason=payload.reason, request=request), party)


@router.post("/agreements/{int:agreement_id}/terminations", response={201: TerminationOut},
             summary="Ask to terminate a signed agreement (graduate or employer)")
def request_termination(request, agreement_id: int, payload: ReasonIn):
    item, _party = _agreement_for(request, agreement_id)
    return Status(201, _termination(services.request_termination(request.auth, item, reason=payload.reason,
                                                                 request=request)))


def _termination_for(request, termination_id: int) -> Termination:
    item = get_object_or_404(Termination.objects.select_related("agreement"), pk=termination_id)
    _agreement_for(request, item.agreement_id)
    return item


@router.post("/terminations/{int:termination_id}/approve", response=TerminationOut,
             summary="Approve a termination (the other party, and the school employment office)")
def approve_termination(request, termination_id: int):
    item = _termination_for(request, termination_id)
    return _termination(services.approve_termination(request.auth, item, request=request))


@router.post("/terminations/{int:termination_id}/refuse", response=TerminationOut, summary="Refuse a termination")
def refuse_termination(request, termination_id: int, payload: ReasonIn):
    item = _termination_for(request, termination_id)
    return _termination(services.refuse_termination(request.auth, item, reason=payload.reason, request=request))


# --- Job fairs ----------------------------------------------------------------------------------------


def _fair(item: JobFair) -> dict:
    return {"id": item.pk, "title": item.title, "description": item.description, "organiser": item.organiser.name,
            "starts_at": item.starts_at, "ends_at": item.ends_at, "stats": selectors.fair_stats(item),
            "employers": [{"id": p.pk, "employer_id": p.employer_id, "employer_name": p.employer.organisation.name,
                           "state": p.state, "jobs": [{"id": j.pk, "title": j.title} for j in p.jobs.all()]}
                          for p in selectors.fair_participants(item)]}


@router.get("/fairs", response=list[FairOut], auth=PUBLIC, summary="Online job fairs, newest first")
def fairs(request, limit: int = Query(20, ge=1, le=100), offset: int = Query(0, ge=0, le=1_000_000)):
    return [_fair(f) for f in selectors.fairs()[offset:offset + limit]]


@router.post("/fairs", response={201: FairOut}, summary="Organise a job fair (employment.manage)")
def create_fair(request, payload: FairIn):
    organiser = get_object_or_404(Organisation, pk=payload.organiser_id)
    item = services.create_fair(request.auth, organiser, title=payload.title, description=payload.description,
                                starts_at=payload.starts_at, ends_at=payload.ends_at, request=request)
    return Status(201, _fair(item))


@router.get("/fairs/{int:fair_id}", response=FairOut, auth=PUBLIC,
            summary="A job fair with its employers, jobs and live statistics")
def fair(request, fair_id: int):
    return _fair(get_object_or_404(JobFair.objects.select_related("organiser"), pk=fair_id))


@router.get("/fairs/{int:fair_id}/stats", response=FairStatsOut, auth=PUBLIC, summary="A job fair's live statistics")
def fair_stats(request, fair_id: int):
    return selectors.fair_stats(get_object_or_404(JobFair, pk=fair_id))


@router.post("/fairs/{int:fair_id}/registrations", response={201: FairStatsOut},
             summary="Register for a job fair (graduates)")
def register(request, fair_id: int):
    item = get_object_or_404(JobFair, pk=fair_id)
    services.register_for_fair(request.auth, item)
    return Status(201, selectors.fair_stats(item))


@router.post("/fairs/{int:fair_id}/employers", response={201: FairEmployerOut},
             summary="Take part in a job fair with your jobs (employers)")
def join(request, fair_id: int, payload: JoinIn):
    item = get_object_or_404(JobFair, pk=fair_id)
    employer = get_object_or_404(Employer, pk=payload.employer_id)
    jobs = list(Job.objects.filter(pk__in=payload.job_ids))
    entry = services.join_fair(request.auth, item, employer, jobs=jobs, request=request)
    return Status(201, {"id": entry.pk, "employer_id": employer.pk, "employer_name": employer.organisation.name,
                        "state": entry.state, "jobs": [{"id": j.pk, "title": j.title} for j in entry.jobs.all()]})


@router.post("/fairs/{int:fair_id}/invitations", response={201: FairEmployerOut},
             summary="Invite a verified employer (organiser)")
def invite(request, fair_id: int, payload: InviteIn):
    item = get_object_or_404(JobFair.objects.select_related("organiser"), pk=fair_id)
    employer = get_object_or_404(Employer, pk=payload.employer_id)
    entry = services.invite_employer(request.auth, item, employer, request=request)
    return Status(201, {"id": entry.pk, "employer_id": employer.pk, "employer_name": employer.organisation.name,
                        "state": entry.state, "jobs": [{"id": j.pk, "title": j.title} for j in entry.jobs.all()]})


@router.post("/fairs/{int:fair_id}/employers/{int:entry_id}/decision", response=FairEmployerOut,
             summary="Approve or decline an employer's participation (organiser)")
def decide(request, fair_id: int, entry_id: int, payload: DecisionIn):
    entry = get_object_or_404(FairEmployer.objects.select_related("fair__organiser", "employer__organisation"),
                              pk=entry_id, fair_id=fair_id)
    entry = services.decide_participation(request.auth, entry, approve=payload.approve, request=request)
    return {"id": entry.pk, "employer_id": entry.employer_id, "employer_name": entry.employer.organisation.name,
            "state": entry.state, "jobs": [{"id": j.pk, "title": j.title} for j in entry.jobs.all()]}


# --- Destinations and progress ------------------------------------------------------------------------


def _record_for(request, record_id: int) -> GraduateRecord:
    return _existing_or_403(GraduateRecord, record_id, lambda: selectors.graduate_in_scope(request.auth, record_id))


def _destination(d) -> dict:
    return {"id": d.pk, "category": d.category, "category_label": str(d.get_category_display()),
            "organisation_name": d.organisation_name, "region_code": d.region_code,
            "agreement_number": d.agreement.number if d.agreement_id else None, "current": d.current,
            "recorded_at": d.recorded_at}


@router.get("/graduates/{int:record_id}/destinations", response=list[DestinationOut],
            summary="A graduate's destination history, newest first (employment.follow in scope)")
def destinations(request, record_id: int):
    from zhijiao.core import audit

    record = _record_for(request, record_id)
    audit.record("hiring.graduate_view", request=request, actor=request.auth, target=record, graduate=record.user_id)
    return [_destination(d) for d in selectors.destination_history(record)]


@router.post("/graduates/{int:record_id}/destinations", response={201: DestinationOut},
             summary="Record a graduate's destination (counsellors and employment staff)")
def add_destination(request, record_id: int, payload: DestinationIn):
    record = _record_for(request, record_id)
    return Status(201, _destination(services.record_destination(request.auth, record, **payload.model_dump(),
                                                                request=request)))


@router.get("/progress/{int:org_id}", response=ProgressOut,
            summary="Employment rate by week, unit, major, degree level and workplace region (employment.follow)")
def progress(request, org_id: int, year: int | None = Query(None, ge=1900, le=2999)):
    org = get_object_or_404(Organisation, pk=org_id)
    if not permissions.follows(request.auth, org.path):
        raise PermissionDenied
    years = selectors.cohort_years(org)
    year = year if year in years else (years[0] if years else None)
    if year is None:
        return {"organisation": org.name, "year": None, "weekly": [], "units": [], "majors": [], "degrees": [],
                "regions": [], "without_destination": []}
    figures = selectors.progress(org, year)
    return {"organisation": org.name, "year": year, "weekly": figures.weekly, **figures.tables,
            "without_destination": figures.missing}


@router.get("/progress/{int:org_id}/weekly", response=TrendOut,
            summary="Weekly employment rate of the largest groups by unit, major or degree level (employment.follow)")
def progress_by(request, org_id: int, by: str = Query("unit", pattern="^(unit|major|degree)$"),
                year: int | None = Query(None, ge=1900, le=2999)):
    org = get_object_or_404(Organisation, pk=org_id)
    if not permissions.follows(request.auth, org.path):
        raise PermissionDenied
    years = selectors.cohort_years(org)
    year = year if year in years else (years[0] if years else None)
    if year is None:
        return {"dimension": by, "weeks": [], "series": []}
    return {"dimension": by, **selectors.progress(org, year, by, missing_limit=0).trend}


# --- Notices ------------------------------------------------------------------------------------------


@router.post("/notices", response={201: ReceiptsOut},
             summary="Send a notice to every counsellor and employment officer under an organisation")
def send_notice(request, payload: NoticeIn):
    organisation = get_object_or_404(Organisation, pk=payload.organisation_id)
    item = services.send_notice(request.auth, organisation, title=payload.title, body=payload.body, request=request)
    return Status(201, _receipts(item))


@router.get("/notices/inbox", response=list[NoticeOut], summary="Notices you received")
def inbox(request, limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000)):
    return [{"id": r.notice_id, "title": r.notice.title, "body": r.notice.body,
             "organisation": r.notice.organisation.name, "sent_at": r.notice.sent_at, "read_at": r.read_at}
            for r in selectors.inbox(request.auth)[offset:offset + limit]]


@router.post("/notices/{int:notice_id}/read", response=NoticeOut, summary="Mark a notice read (the read receipt)")
def read(request, notice_id: int):
    item, _is_sender = _existing_or_403(Notice, notice_id, lambda: selectors.notice_for(request.auth, notice_id))
    receipt = services.mark_read(request.auth, item)
    return {"id": item.pk, "title": item.title, "body": item.body, "organisation": item.organisation.name,
            "sent_at": item.sent_at, "read_at": receipt.read_at}


def _receipts(item: Notice) -> dict:
    rows = selectors.receipts(item)
    unread = [r for r in rows if r.read_at is None]
    return {"total": len(rows), "read": len(rows) - len(unread),
            "unread": [{"recipient": r.recipient.get_full_name(), "read_at": None} for r in unread]}


@router.get("/notices/{int:notice_id}/receipts", response=ReceiptsOut,
            summary="Who has read a notice you sent, and who has not")
def receipts(request, notice_id: int):
    item, is_sender = _existing_or_403(Notice, notice_id, lambda: selectors.notice_for(request.auth, notice_id))
    if not is_sender:
        raise PermissionDenied
    return _receipts(item)
