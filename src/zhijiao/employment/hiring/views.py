"""Pages of hiring (/employment/hiring/): thin — parse, call one service or selector, render.

Objects outside the reader's reach answer 404 (their existence is not disclosed). Holders of an
administrative role (employment officers, bureau administrators) pass two-step verification first, as on
every administration page.
"""

from __future__ import annotations

import csv
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhijiao.core import audit
from zhijiao.core.spreadsheets import spreadsheet_safe
from zhijiao.employment.hiring import forms, permissions, selectors, services
from zhijiao.employment.hiring.documents import agreement_pdf
from zhijiao.employment.hiring.models import (
    EMPLOYER_MOVES,
    AgreementState,
    ApplicationState,
    FairEmployer,
    Interview,
    JobFair,
    Party,
    Termination,
)
from zhijiao.employment.models import Employer, Job, JobState
from zhijiao.identity import auth
from zhijiao.identity import permissions as identity_permissions
from zhijiao.identity.models import Organisation


def hiring_page(*capabilities: str):
    """Signed in; holding one of ``capabilities`` when given; past two-step verification when the person
    holds any administrative role."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if capabilities and not any(identity_permissions.has_capability(user, c) for c in capabilities):
                audit.record("access.denied", request=request, success=False, path=request.path[:200])
                raise PermissionDenied
            if identity_permissions.holds_admin_role(user):
                if not auth.has_confirmed_totp(user):
                    return redirect("identity:mfa-setup")
                if not auth.mfa_satisfied(request):
                    messages.warning(request, _("Sign in again with your verification code to open "
                                                "administration pages."))
                    return redirect_to_login(request.get_full_path())
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _errors(exc: ValidationError) -> list[str]:
    return exc.messages


def _flash(request, exc: ValidationError) -> None:
    for text in _errors(exc):
        messages.error(request, text)


def _to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def job_url(job: Job) -> str:
    try:
        return reverse("employment:job", args=[job.pk])
    except NoReverseMatch:
        return ""


@hiring_page()
def index(request):
    user = request.user
    context = {
        "record": permissions.graduate_record(user),
        "employers": permissions.employers_of(user),
        "approves": bool(permissions.scope_paths_approve(user)),
        "follows": bool(permissions.follow_paths(user)),
        "manages": bool(permissions.manage_paths(user)),
        "unread": selectors.unread_count(user),
        "fairs": selectors.fairs()[:5],
    }
    if context["record"]:
        context["applications"] = selectors.applications_of_graduate(user)[:10]
        context["agreements"] = selectors.agreements_of_graduate(user)[:10]
    return render(request, "employment_hiring/index.html", context)


# --- Applications -------------------------------------------------------------------------------------


@hiring_page()
def apply(request, job_id: int):
    job = get_object_or_404(Job.objects.select_related("employer__organisation"), pk=job_id,
                            state=JobState.PUBLISHED)
    record = permissions.graduate_record(request.user)
    existing = selectors.applications_of_graduate(request.user).filter(job=job).first() if record else None
    form = forms.ApplyForm(request.POST or None)
    if request.method == "POST" and record and existing is None and form.is_valid():
        try:
            application = services.apply(request.user, job, cover_letter=form.cleaned_data["cover_letter"],
                                         request=request)
        except ValidationError as exc:
            _to_form(form, exc)
        else:
            messages.success(request, _("Your application has been sent."))
            return redirect("employment_hiring:application", application.pk)
    return render(request, "employment_hiring/apply.html", {"job": job, "form": form, "record": record,
                                                            "existing": existing, "job_url": job_url(job)})


@hiring_page()
def my_applications(request):
    if permissions.graduate_record(request.user) is None:
        raise Http404
    return render(request, "employment_hiring/my_applications.html",
                  {"applications": selectors.applications_of_graduate(request.user),
                   "agreements": selectors.agreements_of_graduate(request.user)})


@hiring_page("employment.recruit")
def pipeline(request):
    employers = permissions.employers_of(request.user)
    state = request.GET.get("state", "")
    if state not in ApplicationState.values:
        state = ""
    return render(request, "employment_hiring/pipeline.html", {
        "employers": employers, "state": state, "states": ApplicationState.choices,
        "applications": selectors.applications_of_employers(employers, state)[:500]})


@hiring_page()
def application(request, application_id: int):
    app, side = selectors.application_for(request.user, application_id)
    if side == Party.EMPLOYER:
        app = services.open_application(request.user, app, request=request)
    context = {
        "app": app, "side": side, "events": app.events.select_related("actor"),
        "thread": app.messages.select_related("sender"), "interviews": app.interviews.all(),
        "agreements": app.agreements.all(), "message_form": forms.MessageForm(),
        "job_url": job_url(app.job),
    }
    if side == Party.EMPLOYER:
        context.update({
            "resume": selectors.resume_of(app.graduate), "record": permissions.graduate_record(app.graduate),
            "moves": [(s, ApplicationState(s).label) for s in EMPLOYER_MOVES.get(app.state, set())
                      if s != ApplicationState.INTERVIEW],
            "interview_form": forms.InterviewForm(),
            "can_offer": app.is_open and not app.agreements.filter(
                state__in=[AgreementState.OFFERED, AgreementState.ACCEPTED, AgreementState.SIGNED]).exists(),
        })
    else:
        context["answer_form"] = forms.InterviewAnswerForm()
    return render(request, "employment_hiring/application.html", context)


@require_POST
@hiring_page()
def withdraw(request, application_id: int):
    app, side = selectors.application_for(request.user, application_id)
    if side != Party.GRADUATE:
        raise Http404
    try:
        services.withdraw(request.user, app, request=request)
        messages.success(request, _("Your application has been withdrawn."))
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("employment_hiring:application", app.pk)


@require_POST
@hiring_page()
def move(request, application_id: int):
    app, side = selectors.application_for(request.user, application_id)
    if side != Party.EMPLOYER:
        raise Http404
    form = forms.MoveForm(request.POST)
    if form.is_valid():
        try:
            services.move(request.user, app, form.cleaned_data["state"], note=form.cleaned_data["note"],
                          request=request)
            messages.success(request, _("The application has been updated."))
        except ValidationError as exc:
            _flash(request, exc)
    return redirect("employment_hiring:application", app.pk)


@require_POST
@hiring_page()
def message(request, application_id: int):
    app, _side = selectors.application_for(request.user, application_id)
    form = forms.MessageForm(request.POST)
    try:
        services.send_message(request.user, app, form.data.get("body", ""), request=request)
        messages.success(request, _("Message sent."))
    except ValidationError as exc:
        _flash(request, exc)
    return redirect(reverse("employment_hiring:application", args=[app.pk]) + "#messages")


@require_POST
@hiring_page()
def interview(request, application_id: int):
    app, side = selectors.application_for(request.user, application_id)
    if side != Party.EMPLOYER:
        raise Http404
    form = forms.InterviewForm(request.POST)
    if not form.is_valid():
        for errs in form.errors.values():
            for text in errs:
                messages.error(request, text)
    else:
        try:
            services.schedule_interview(request.user, app, **form.cleaned_data, request=request)
            messages.success(request, _("The interview has been arranged; the graduate will be asked to confirm."))
        except ValidationError as exc:
            _flash(request, exc)
    return redirect("employment_hiring:application", app.pk)


@require_POST
@hiring_page()
def answer_interview(request, interview_id: int):
    item = get_object_or_404(Interview.objects.select_related("application"), pk=interview_id)
    if item.application.graduate_id != request.user.pk:
        raise Http404
    try:
        services.answer_interview(request.user, item, confirm=request.POST.get("answer") == "confirm",
                                  note=request.POST.get("note", ""))
        messages.success(request, _("Your answer has been sent."))
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("employment_hiring:application", item.application_id)


@hiring_page()
def offer(request, application_id: int):
    app, side = selectors.application_for(request.user, application_id)
    if side != Party.EMPLOYER:
        raise Http404
    form = forms.OfferForm(request.POST or None, initial={"post": app.job.title, "workplace_code": app.job.region_code,
                                                           "salary": app.job.salary_min})
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.issue_offer(request.user, app, **form.cleaned_data, request=request)
        except ValidationError as exc:
            _to_form(form, exc)
        else:
            messages.success(request, _("The offer has been sent to the graduate."))
            return redirect("employment_hiring:agreement", agreement.pk)
    return render(request, "employment_hiring/offer.html", {"app": app, "form": form})


# --- Agreements ---------------------------------------------------------------------------------------


@hiring_page()
def agreement(request, agreement_id: int):
    item, party = selectors.agreement_for(request.user, agreement_id)
    audit.record("hiring.agreement_view", request=request, target=item, party=party)
    return render(request, "employment_hiring/agreement.html", {
        "agreement": item, "party": party, "signatures": selectors.signatures(item),
        "terminations": item.terminations.select_related("requested_by"),
        "waiting": [t.pk for t in selectors.pending_terminations_for(request.user) if t.agreement_id == item.pk],
        "reason_form": forms.ReasonForm(),
        "can_terminate": (item.state == AgreementState.SIGNED and party in (Party.GRADUATE, Party.EMPLOYER)
                          and not item.terminations.filter(state="pending").exists()),
    })


AGREEMENT_ACTIONS = {
    Party.GRADUATE: {
        "accept": (services.accept_offer, gettext_lazy("You have accepted the offer; your school will now review it.")),
        "decline": (services.decline_offer, gettext_lazy("You have declined the offer.")),
    },
    Party.EMPLOYER: {"withdraw": (services.withdraw_offer, gettext_lazy("The offer has been withdrawn."))},
    Party.SCHOOL: {
        "approve": (services.approve_agreement, gettext_lazy("The agreement is approved and its number issued.")),
    },
}


@require_POST
@hiring_page()
def agreement_action(request, agreement_id: int, action: str):
    item, party = selectors.agreement_for(request.user, agreement_id)
    try:
        if action in ("return", "terminate"):
            form = forms.ReasonForm(request.POST)
            reason = form.data.get("reason", "")
            if action == "return" and party == Party.SCHOOL:
                services.return_agreement(request.user, item, reason=reason, request=request)
                messages.success(request, _("The agreement has been returned."))
            elif action == "terminate" and party in (Party.GRADUATE, Party.EMPLOYER):
                services.request_termination(request.user, item, reason=reason, request=request)
                messages.success(request, _("Your termination request has been sent for approval."))
            else:
                raise Http404
        else:
            handler = AGREEMENT_ACTIONS.get(party, {}).get(action)
            if handler is None:
                raise Http404
            handler[0](request.user, item, request=request)
            messages.success(request, handler[1])
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("employment_hiring:agreement", item.pk)


@require_POST
@hiring_page()
def termination_decision(request, termination_id: int, decision: str):
    item = get_object_or_404(Termination.objects.select_related("agreement"), pk=termination_id)
    selectors.agreement_for(request.user, item.agreement_id)
    try:
        if decision == "approve":
            services.approve_termination(request.user, item, request=request)
            messages.success(request, _("You have approved the termination."))
        elif decision == "refuse":
            services.refuse_termination(request.user, item, reason=request.POST.get("reason", ""), request=request)
            messages.success(request, _("You have refused the termination."))
        else:
            raise Http404
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("employment_hiring:agreement", item.agreement_id)


@hiring_page()
def agreement_download(request, agreement_id: int):
    item, party = selectors.agreement_for(request.user, agreement_id)
    audit.record("hiring.agreement_view", request=request, target=item, party=party, pdf=True)
    response = HttpResponse(agreement_pdf(item), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="agreement-{item.number or item.pk}.pdf"'
    return response


@hiring_page("employment.approve")
def approvals(request):
    return render(request, "employment_hiring/approvals.html", {
        "queue": selectors.approval_queue(request.user),
        "terminations": selectors.pending_terminations_for(request.user)})


def verify(request):
    """Public: anyone holding an agreement can check its number and content hash."""
    form = forms.VerifyForm(request.GET or None)
    result = selectors.verify(form.cleaned_data["number"], form.cleaned_data["sha256"]) if form.is_valid() else None
    return render(request, "employment_hiring/verify.html", {"form": form, "result": result})


# --- Job fairs ----------------------------------------------------------------------------------------


def fairs(request):
    return render(request, "employment_hiring/fairs.html", {
        "fairs": selectors.fairs(),
        "can_create": request.user.is_authenticated and bool(permissions.manage_paths(request.user))})


def fair(request, fair_id: int):
    item = get_object_or_404(JobFair.objects.select_related("organiser"), pk=fair_id)
    user = request.user
    context = {"fair": item, "participants": selectors.fair_participants(item), "stats": selectors.fair_stats(item)}
    if user.is_authenticated:
        context["is_graduate"] = permissions.graduate_record(user) is not None
        context["registered"] = item.registrations.filter(graduate=user).exists()
        context["employers"] = permissions.employers_of(user)
        context["my_jobs"] = Job.objects.filter(employer__in=context["employers"], state=JobState.PUBLISHED)
        context["organises"] = permissions.manages(user, item.organiser)
        if context["organises"]:
            context["requests"] = item.participants.exclude(state="approved").select_related("employer__organisation")
    return render(request, "employment_hiring/fair.html", context)


@hiring_page("employment.manage")
def fair_new(request):
    organisers = Organisation.objects.filter(path__in=permissions.top_paths(permissions.manage_paths(request.user)))
    form = forms.FairForm(request.POST or None, organisers=organisers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.create_fair(request.user, get_object_or_404(Organisation, pk=data["organiser"]),
                                        title=data["title"], description=data["description"],
                                        starts_at=data["starts_at"], ends_at=data["ends_at"], request=request)
        except ValidationError as exc:
            _to_form(form, exc)
        else:
            return redirect("employment_hiring:fair", item.pk)
    return render(request, "employment_hiring/fair_new.html", {"form": form})


@require_POST
@hiring_page()
def fair_register(request, fair_id: int):
    item = get_object_or_404(JobFair, pk=fair_id)
    try:
        services.register_for_fair(request.user, item)
        messages.success(request, _("You are registered for this job fair."))
    except PermissionDenied:
        messages.error(request, _("Only graduates can register for a job fair."))
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("employment_hiring:fair", item.pk)


@require_POST
@hiring_page("employment.recruit")
def fair_join(request, fair_id: int):
    item = get_object_or_404(JobFair, pk=fair_id)
    employers = permissions.employers_of(request.user)
    employer = next((e for e in employers if str(e.pk) == request.POST.get("employer", str(employers[0].pk)
                                                                         if employers else "")), None)
    if employer is None:
        raise Http404
    ids = [j for j in request.POST.getlist("jobs") if j.isascii() and j.isdigit() and len(j) < 12]
    jobs = list(Job.objects.filter(pk__in=ids))
    try:
        services.join_fair(request.user, item, employer, jobs=jobs, request=request)
        messages.success(request, _("Your participation has been recorded."))
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("employment_hiring:fair", item.pk)


@require_POST
@hiring_page("employment.manage")
def fair_decide(request, fair_id: int, entry_id: int, decision: str):
    entry = get_object_or_404(FairEmployer.objects.select_related("fair__organiser"), pk=entry_id, fair_id=fair_id)
    if not permissions.manages(request.user, entry.fair.organiser) or decision not in ("approve", "decline"):
        raise Http404
    try:
        services.decide_participation(request.user, entry, approve=decision == "approve", request=request)
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("employment_hiring:fair", fair_id)


@require_POST
@hiring_page("employment.manage")
def fair_invite(request, fair_id: int):
    item = get_object_or_404(JobFair.objects.select_related("organiser"), pk=fair_id)
    if not permissions.manages(request.user, item.organiser):
        raise Http404
    code = request.POST.get("code", "").strip().upper()
    employer = (Employer.objects.filter(organisation__code=code, organisation__kind="employer").first()
                if code.isascii() and code.isalnum() else None)
    if employer is None:
        messages.error(request, _("No employer has this unified social credit code."))
    else:
        try:
            services.invite_employer(request.user, item, employer, request=request)
            messages.success(request, _("The employer has been invited."))
        except ValidationError as exc:
            _flash(request, exc)
    return redirect("employment_hiring:fair", item.pk)


# --- Progress and destinations ------------------------------------------------------------------------


def _year(request, org) -> tuple[int | None, list[int]]:
    years = selectors.cohort_years(org)
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and int(raw) in years else (years[0] if years else None)
    return year, years


def _followed_org(request, org_id: int) -> Organisation:
    org = get_object_or_404(Organisation, pk=org_id)
    if not permissions.follows(request.user, org.path):
        raise Http404
    return org


DIMENSION_LABELS = {"unit": gettext_lazy("Unit"), "major": gettext_lazy("Major"),
                    "degree": gettext_lazy("Degree level")}


def _dimension(request) -> str:
    by = request.GET.get("by", "unit")
    return by if by in selectors.DIMENSIONS else "unit"


@hiring_page("employment.follow")
def progress_index(request):
    homes = selectors.follow_homes(request.user)
    if len(homes) == 1:
        return redirect("employment_hiring:progress", homes[0].pk)
    return render(request, "employment_hiring/progress_index.html", {"homes": homes})


@hiring_page("employment.follow")
def progress(request, org_id: int):
    org = _followed_org(request, org_id)
    year, years = _year(request, org)
    context = {"org": org, "year": year, "years": years,
               "crumbs": selectors.breadcrumbs(org, permissions.follow_paths(request.user))}
    if year is not None:
        by = _dimension(request)
        figures = selectors.progress(org, year, by)
        weekly, trend, tables, missing = figures.weekly, figures.trend, figures.tables, figures.missing
        context.update({"weekly": weekly, "tables": tables, "missing": missing, "trend": trend, "by": by,
                        "dimensions": DIMENSION_LABELS.items(), "now": weekly[-1] if weekly else None})
        context["chart_data"] = {
            "weekly": {"weeks": [w["week_end"].isoformat() for w in weekly], "rates": [w["rate"] for w in weekly],
                       "label": _("Employment rate (%)")},
            "trend": trend,
            "units": {"names": [r["name"] for r in tables["units"]], "rates": [r["rate"] for r in tables["units"]],
                      "label": _("Employment rate (%)")},
            "regions": [{"name": r["name"], "value": r["settled"]} for r in tables["regions"]],
        }
    return render(request, "employment_hiring/progress.html", context)


EXPORT_COLUMNS = {
    "weekly": ["week_end", "graduates", "settled", "rate"],
    "trend": ["group", "graduates", "week_end", "rate"],
    "units": ["name", "graduates", "settled", "rate"],
    "majors": ["name", "graduates", "settled", "rate"],
    "degrees": ["name", "graduates", "settled", "rate"],
    "regions": ["name", "settled", "share"],
    "missing": ["name", "student_number", "phone", "college", "class", "major", "degree", "destination"],
}


@hiring_page("employment.follow")
def progress_export(request, org_id: int, figure: str):
    if figure not in EXPORT_COLUMNS:
        raise Http404
    org = _followed_org(request, org_id)
    year, _years = _year(request, org)
    if year is None:
        raise Http404
    figures = selectors.progress(org, year, _dimension(request), top=1000,
                                 missing_limit=None if figure == "missing" else 0)
    if figure == "weekly":
        rows = figures.weekly
    elif figure == "trend":
        rows = [{"group": series["name"], "graduates": series["graduates"], "week_end": week, "rate": rate}
                for series in figures.trend["series"]
                for week, rate in zip(figures.trend["weeks"], series["rates"], strict=True)]
    elif figure == "missing":
        rows = figures.missing
    else:
        rows = figures.tables[figure]
    audit.record("hiring.progress_export", request=request, target=org, organisation=org, figure=figure, year=year,
                 rows=len(rows))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="employment-{org.pk}-{year}-{figure}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    columns = EXPORT_COLUMNS[figure]
    writer.writerow(columns)
    for row in rows:
        writer.writerow([spreadsheet_safe(row.get(c)) for c in columns])
    return response


@hiring_page("employment.follow")
def graduate(request, record_id: int):
    record = selectors.graduate_in_scope(request.user, record_id)
    form = forms.DestinationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_destination(request.user, record, **form.cleaned_data, request=request)
        except ValidationError as exc:
            _to_form(form, exc)
        else:
            messages.success(request, _("The destination has been recorded."))
            return redirect("employment_hiring:graduate", record.pk)
    audit.record("hiring.graduate_view", request=request, target=record, graduate=record.user_id)
    return render(request, "employment_hiring/graduate.html", {
        "record": record, "name": selectors.mask_name(record.user.real_name or record.user.username),
        "phone": record.user.phone_masked, "history": selectors.destination_history(record), "form": form,
        "agreements": selectors.agreements_of_graduate(record.user)})


# --- Notices ------------------------------------------------------------------------------------------


@hiring_page()
def notices(request):
    return render(request, "employment_hiring/notices.html", {
        "inbox": selectors.inbox(request.user), "sent": selectors.sent_notices(request.user),
        "can_send": bool(permissions.manage_paths(request.user))})


@hiring_page("employment.manage")
def notice_new(request):
    organisations = Organisation.objects.filter(path__in=permissions.top_paths(permissions.manage_paths(request.user)))
    form = forms.NoticeForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.send_notice(request.user, get_object_or_404(Organisation, pk=data["organisation"]),
                                        title=data["title"], body=data["body"], request=request)
        except ValidationError as exc:
            _to_form(form, exc)
        else:
            messages.success(request, _("The notice has been sent to %(n)s people.") % {"n": item.receipts.count()})
            return redirect("employment_hiring:notice", item.pk)
    return render(request, "employment_hiring/notice_new.html", {"form": form})


@hiring_page()
def notice(request, notice_id: int):
    item, is_sender = selectors.notice_for(request.user, notice_id)
    context = {"notice": item, "is_sender": is_sender}
    if is_sender:
        context["receipts"] = selectors.receipts(item)
        context["unread"] = [r for r in context["receipts"] if r.read_at is None]
    else:
        context["receipt"] = services.mark_read(request.user, item)
    context["now"] = timezone.now()
    return render(request, "employment_hiring/notice.html", context)

