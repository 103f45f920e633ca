"""Pages of the monitoring centre (/monitoring/): case queues and case pages, dispositions and appeals,
"My learning integrity", notices, the monthly report (page and PDF), the public white and black lists,
the platform registry and the choice of credit courses.

A case outside the viewer's scope answers 404 (its existence is not confirmed) and the attempt is audited.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhijiao.core import audit, pdf, storage
from zhijiao.identity import auth
from zhijiao.identity import permissions as identity_permissions
from zhijiao.identity.decorators import admin_page
from zhijiao.identity.models import Membership, Organisation, OrgKind, Role, User
from zhijiao.identity.views import apply_errors
from zhijiao.monitoring import permissions, selectors, services
from zhijiao.monitoring.forms import (
    AppealForm,
    ChoiceForm,
    ConfirmForm,
    DismissForm,
    EndEntryForm,
    FilingForm,
    ListEntryForm,
    QueueFilterForm,
    ResolveAppealForm,
    ReviewFilingForm,
)
from zhijiao.monitoring.models import (
    Case,
    CaseState,
    CreditCourse,
    CreditCourseChoice,
    FilingDocument,
    Notice,
    PlatformFiling,
    PlatformListEntry,
)


def _mfa_gate(request):
    """Administrators pass two-step verification before they see anyone's case; None when they may go on."""
    user = request.user
    if not identity_permissions.holds_admin_role(user):
        return None
    if not auth.has_confirmed_totp(user):
        return redirect("identity:mfa-setup")
    if not auth.mfa_satisfied(request):
        messages.warning(request, _("Sign in again with your verification code to open administration pages."))
        return redirect_to_login(request.get_full_path())
    return None


def queue_page(view):
    """Signed in with a case queue: ``monitoring.view`` (administrators with two-step verification) or a
    teacher responsible for a course. Anyone else is refused, and the refusal audited."""
    guarded = admin_page(permissions.VIEW)(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if identity_permissions.has_capability(user, permissions.VIEW) or not permissions.has_queue(user):
            return guarded(request, *args, **kwargs)
        return _mfa_gate(request) or view(request, *args, **kwargs)

    return wrapper


def signed_in_page(view):
    """Signed in; administrators also past two-step verification (notices name students)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return _mfa_gate(request) or view(request, *args, **kwargs)

    return wrapper


def _case_or_404(request, case_id: int) -> Case:
    case = Case.objects.select_related("user", "university", "platform").filter(pk=case_id).first()
    if case is None or not permissions.can_view_case(request.user, case):
        if case is not None:
            audit.record("access.denied", request=request, success=False, path=request.path[:200])
        raise Http404
    return case


# --- Queue and case ---------------------------------------------------------------------------------------


@queue_page
def index(request):
    scope = permissions.case_scope(request.user)
    choices = selectors.queue_choices(scope)
    form = QueueFilterForm(request.GET or None, **choices)
    filters = selectors.QueueFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.QueueFilters(
            kind=data["kind"], severity=data["severity"], state=data["state"], course=data["course"].strip(),
            university=data["university"], platform=data["platform"], opened_from=data["opened_from"],
            opened_to=data["opened_to"], sort=data["sort"] or "newest")
    page = Paginator(selectors.queue(scope, filters), selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "monitoring/index.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "can_report": permissions.can_report(request.user),
        "can_register": identity_permissions.has_capability(request.user, permissions.REGISTER),
        "can_choose": bool(permissions.chooser_schools(request.user)),
    })


@queue_page
def case_page(request, case_id: int):
    case = _case_or_404(request, case_id)
    services.record_view(case, actor=request.user, request=request)
    return _render_case(request, case)


def _render_case(request, case: Case, *, forms: dict | None = None, status: int = 200):
    charts = selectors.case_charts(case)
    findings = [(f, selectors.evidence_rows(f.evidence)) for f in case.findings.order_by("day", "detector")]
    decider = permissions.can_decide(request.user, case)
    forms = forms or {}
    context = {
        "case": case, "findings": findings, "charts": charts,
        "chart_data": {**selectors.chart_json(charts), "labels": {
            "playhead": _("Playhead (s)"), "speed": _("Speed (×)"), "seconds": _("Seconds to answer")}},
        "events": case.events.select_related("actor"),
        "decision": getattr(case, "decision", None), "appeal": getattr(case, "appeal", None),
        "can_decide": decider,
        "confirm_form": forms.get("confirm") or ConfirmForm(),
        "dismiss_form": forms.get("dismiss") or DismissForm(),
        "resolve_form": forms.get("resolve") or ResolveAppealForm(),
    }
    return render(request, "monitoring/case.html", context, status=status)


def _decide(request, case_id: int, form_class, name: str, act):
    case = _case_or_404(request, case_id)
    if not permissions.can_decide(request.user, case):
        raise PermissionDenied
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(case, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Decision saved."))
            return redirect("monitoring:case", case_id=case.pk)
    case.refresh_from_db()
    return _render_case(request, case, forms={name: form}, status=400)


@require_POST
@queue_page
def confirm(request, case_id: int):
    return _decide(request, case_id, ConfirmForm, "confirm", lambda case, d: services.confirm(
        case, actor=request.user, sanction=d["sanction"], sanction_text=d["sanction_text"], note=d["note"],
        request=request))


@require_POST
@queue_page
def dismiss(request, case_id: int):
    return _decide(request, case_id, DismissForm, "dismiss", lambda case, d: services.dismiss(
        case, actor=request.user, reason=d["reason"], request=request))


@require_POST
@queue_page
def resolve_appeal(request, case_id: int):
    return _decide(request, case_id, ResolveAppealForm, "resolve", lambda case, d: services.resolve_appeal(
        case, actor=request.user, outcome=d["outcome"], note=d["note"], request=request))


@login_required
def appeal_file(request, case_id: int):
    """The appeal's attachment: for the learner who sent it and for those who may see the case."""
    case = get_object_or_404(Case.objects.select_related("university"), pk=case_id)
    own = case.user_id == request.user.pk
    if not own:
        gate = _mfa_gate(request)
        if gate is not None:
            return gate
        if not permissions.can_view_case(request.user, case):
            raise Http404
    appeal = getattr(case, "appeal", None)
    if appeal is None or not appeal.attachment:
        raise Http404
    services.record_appeal_file_opened(case, actor=request.user, request=request)
    return storage.file_response(request, appeal.attachment, file_type=appeal.attachment_type,
                                 file_name=appeal.attachment_name or "appeal", attachment=True,
                                 size=appeal.attachment_size)


# --- The learner's own page ------------------------------------------------------------------------------------


def _own_cases(user: User):
    # A learner sees a case once it has been decided against them; open and dismissed-at-once cases are
    # the monitors' business until then.
    return (Case.objects.filter(user=user).exclude(state=CaseState.OPEN)
            .exclude(state=CaseState.DISMISSED, appeal__isnull=True)
            .select_related("platform", "university").order_by("-opened_at"))


@login_required
def integrity(request):
    """我的学习诚信: the learner's confirmed cases (and appealed ones), with the appeal form."""
    cases = list(_own_cases(request.user))
    for case in cases:
        services.record_view(case, actor=request.user, request=request, via="learner")
    return render(request, "monitoring/integrity.html", {"cases": cases, "appeal_form": AppealForm()})


@require_POST
@login_required
def appeal(request, case_id: int):
    case = _own_cases(request.user).filter(pk=case_id).first()
    if case is None:
        raise Http404
    form = AppealForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.appeal(case, actor=request.user, text=form.cleaned_data["text"],
                            upload=form.cleaned_data["attachment"], request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your appeal has been sent. You will be told the outcome."))
            return redirect("monitoring:integrity")
    cases = list(_own_cases(request.user))
    return render(request, "monitoring/integrity.html",
                  {"cases": cases, "appeal_form": AppealForm(), "failed_form": form, "failed_case": case.pk},
                  status=400)


# --- Notices -------------------------------------------------------------------------------------------------


@signed_in_page
def notices(request):
    items = Notice.objects.filter(recipient=request.user).select_related("case", "university")
    page = Paginator(items, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/notices.html", {"page": page})


@require_POST
@signed_in_page
def notice_read(request, notice_id: int):
    notice = get_object_or_404(Notice, pk=notice_id, recipient=request.user)
    services.mark_notice_read(notice, actor=request.user)
    return redirect("monitoring:notices")


# --- Report -----------------------------------------------------------------------------------------------------


def _report(request):
    if not permissions.can_report(request.user):
        raise PermissionDenied
    try:
        first = selectors.month_start(request.GET.get("month"))
    except ValueError:
        messages.error(request, _("Choose a month as YYYY-MM."))
        first = selectors.month_start(None)
    data = selectors.report(permissions.report_scope(request.user), first)
    return first, data


@admin_page(permissions.VIEW)
def report(request):
    first, data = _report(request)
    audit.record("monitoring.report", request=request, month=first.strftime("%Y-%m"), format="page")
    return render(request, "monitoring/report.html", {"report": data, "month": first.strftime("%Y-%m")})


def _pct(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.2f}%"


@admin_page(permissions.VIEW)
def report_pdf(request):
    first, data = _report(request)
    month = first.strftime("%Y-%m")
    audit.record("monitoring.report", request=request, month=month, format="pdf")
    t = data["totals"]
    header = [_("Name"), _("Cases"), _("Confirmed"), _("Learners confirmed"), _("Active learners"),
              _("Abnormal rate")]

    def grid(rows, name_key):
        return pdf.Grid(header, [[r[name_key] or "—", str(r["cases"]), str(r["confirmed"]),
                                  str(r["abnormal_learners"]), str(r["active_learners"]), _pct(r["rate"])]
                                 for r in rows])

    blocks = [
        pdf.Fields([(_("Month"), month), (_("Cases opened"), str(t["cases"])), (_("Confirmed"), str(t["confirmed"])),
                    (_("Dismissed"), str(t["dismissed"])), (_("Open or under appeal"), str(t["pending"])),
                    (_("Learners with a confirmed case"), str(t["abnormal_learners"]))]),
        pdf.Heading(_("Universities where abnormal behaviour concentrates")),
        grid(data["university_ranking"], "university__name"),
        pdf.Heading(_("Platforms where abnormal behaviour concentrates")),
        grid(data["platform_ranking"], "platform__name"),
        pdf.Heading(_("By kind")),
        pdf.Grid([_("Kind"), _("Cases"), _("Confirmed"), _("Dismissed"), _("Learners confirmed")],
                 [[str(r["label"]), str(r["cases"]), str(r["confirmed"]), str(r["dismissed"]),
                   str(r["abnormal_learners"])] for r in data["kinds"]]),
        pdf.Heading(_("By course")),
        grid(data["courses"], "course_name"),
        pdf.Paragraph(_("Cases opened in the month, in their state when the report was made. Abnormal rate: "
                        "learners with a confirmed case ÷ distinct learners active that month."), small=True),
    ]
    body = pdf.render(_("Credit-course monitoring report %(month)s") % {"month": month}, blocks)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="monitoring-report-{month}.pdf"'
    return response


# --- Platforms: public lists, registry, credit courses ---------------------------------------------------------------


def platform_lists(request):
    """学分课程平台白名单、黑名单: public, no sign-in."""
    return render(request, "monitoring/platforms.html", selectors.public_lists())


@admin_page(permissions.REGISTER)
def registry(request):
    platforms = list(permissions.registry_platforms(request.user))
    rows = [{"platform": p, "status": services.list_status(p), "reporting": selectors.reporting(p),
             "filing": PlatformFiling.objects.filter(platform=p).first()} for p in platforms]
    return render(request, "monitoring/registry.html", {"rows": rows})


def _registry_platform(request, platform_id: int) -> Organisation:
    platform = get_object_or_404(Organisation, pk=platform_id, kind=OrgKind.PLATFORM)
    if not identity_permissions.can(request.user, permissions.REGISTER, platform):
        raise Http404
    return platform


def _render_platform(request, platform, forms=None, status=200):
    forms = forms or {}
    return render(request, "monitoring/registry_platform.html", {
        "platform": platform, "status": services.list_status(platform),
        "reporting": selectors.reporting(platform),
        "filings": PlatformFiling.objects.filter(platform=platform).prefetch_related("documents"),
        "entries": PlatformListEntry.objects.filter(platform=platform),
        "courses": CreditCourse.objects.filter(platform=platform),
        "can_file": permissions.can_file(request.user, platform),
        "can_review": permissions.can_review_registry(request.user, platform),
        "filing_form": forms.get("filing") or FilingForm(),
        "review_form": forms.get("review") or ReviewFilingForm(),
        "list_form": forms.get("list") or ListEntryForm(),
        "end_form": EndEntryForm(),
    }, status=status)


@admin_page(permissions.REGISTER)
def registry_platform(request, platform_id: int):
    return _render_platform(request, _registry_platform(request, platform_id))


def _registry_post(request, platform, form, name, act):
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("monitoring:registry-platform", platform_id=platform.pk)
    return _render_platform(request, platform, {name: form}, status=400)


@require_POST
@admin_page(permissions.REGISTER)
def file_filing(request, platform_id: int):
    platform = _registry_platform(request, platform_id)
    form = FilingForm(request.POST, request.FILES)
    return _registry_post(request, platform, form, "filing", lambda d: services.submit_filing(
        platform, actor=request.user, year=d["year"], uploads=request.FILES.getlist("documents"), request=request))


@require_POST
@admin_page(permissions.REGISTER)
def review_filing(request, platform_id: int, filing_id: int):
    platform = _registry_platform(request, platform_id)
    filing = get_object_or_404(PlatformFiling, pk=filing_id, platform=platform)
    form = ReviewFilingForm(request.POST)
    return _registry_post(request, platform, form, "review", lambda d: services.review_filing(
        filing, actor=request.user, passed=d["passed"], note=d["note"], request=request))


@require_POST
@admin_page(permissions.REGISTER)
def add_entry(request, platform_id: int):
    platform = _registry_platform(request, platform_id)
    form = ListEntryForm(request.POST)
    return _registry_post(request, platform, form, "list", lambda d: services.add_list_entry(
        platform, actor=request.user, kind=d["kind"], reason=d["reason"], request=request))


@require_POST
@admin_page(permissions.REGISTER)
def end_entry(request, platform_id: int, entry_id: int):
    platform = _registry_platform(request, platform_id)
    entry = get_object_or_404(PlatformListEntry, pk=entry_id, platform=platform)
    form = EndEntryForm(request.POST)
    return _registry_post(request, platform, form, "end", lambda d: services.end_list_entry(
        entry, actor=request.user, reason=d["reason"], request=request))


@admin_page(permissions.REGISTER)
def filing_document(request, platform_id: int, document_id: int):
    platform = _registry_platform(request, platform_id)
    document = get_object_or_404(FilingDocument, pk=document_id, filing__platform=platform)
    return storage.file_response(request, document.storage_name, file_type=document.file_type,
                                 file_name=document.name, attachment=True, size=document.size)


def teachers_of(school: Organisation):
    ids = Membership.objects.filter(role=Role.TEACHER, org_path__startswith=school.path).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("real_name", "username")


@signed_in_page
def credit_courses(request):
    """选用学分课程: a university's administrator chooses courses from white-listed platforms."""
    schools = permissions.chooser_schools(request.user)
    if not schools:
        audit.record("access.denied", request=request, success=False, path=request.path[:200])
        raise PermissionDenied
    school = next((s for s in schools if str(s.pk) == request.GET.get("school", request.POST.get("school"))), schools[0])
    courses = CreditCourse.objects.select_related("platform").order_by("title")
    form = ChoiceForm(request.POST or None, courses=courses, teachers=teachers_of(school))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.choose_credit_course(
                    actor=request.user, school=school, course=courses.get(pk=form.cleaned_data["course"]),
                    teacher=User.objects.get(pk=form.cleaned_data["teacher"]), credits=form.cleaned_data["credits"],
                    request=request)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Course chosen."))
                return redirect(f"{request.path}?school={school.pk}")
        status = 400
    listed = {c.platform_id: services.list_status(c.platform) for c in courses}
    return render(request, "monitoring/credit_courses.html", {
        "schools": schools, "school": school, "form": form,
        "courses": [(c, listed[c.platform_id]) for c in courses],
        "choices": CreditCourseChoice.objects.filter(school=school).select_related("course__platform", "teacher"),
        "today": timezone.localdate(),
    }, status=status)
