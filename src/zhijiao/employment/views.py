"""Pages of the employment service's core (/employment/): the landing page that adapts to the person,
the graduate's status card, job intention and résumé, employer registration and postings, the public job
page, the supply query, staff queues and graduate pages, and career guidance."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhijiao.core import audit
from zhijiao.employment import documents, graduate_roster, guidance, regions, selectors, services
from zhijiao.employment import permissions as perms
from zhijiao.employment.forms import (
    AssessmentForm,
    CaseForm,
    CourseForm,
    DecisionForm,
    EmployerForm,
    FlagForm,
    IntentionForm,
    JobForm,
    ResumeForm,
    ReviewForm,
    RosterForm,
    SupplyForm,
)
from zhijiao.employment.models import (
    CareerCase,
    CaseState,
    DifficultyFlag,
    Employer,
    EmployerState,
    Job,
    JobIntention,
    JobState,
    Occupation,
    Resume,
)
from zhijiao.identity.decorators import admin_page
from zhijiao.identity.views import apply_errors

STAFF = ("employment.manage", "employment.follow")


def _apply_url(job: Job) -> str | None:
    # The hiring part of the service defines the application page; until it exists there is no button.
    try:
        return reverse("employment_hiring:apply", args=[job.pk])
    except NoReverseMatch:
        return None


# --- Landing -----------------------------------------------------------------------------------------


@login_required
def index(request):
    """我的就业: what this person does here — graduate, employer HR, staff, or just browsing."""
    user = request.user
    record = services.record_of(user)
    employer = services.employer_of(user)
    context = {
        "record": record,
        "employer": employer,
        "is_staff": perms.is_staff(user),
        "can_manage": bool(perms.manage_paths(user)),
        "intention": JobIntention.objects.filter(user=user).first() if record else None,
        "resume": Resume.objects.filter(user=user).first() if record else None,
        "latest_jobs": selectors.latest_jobs(8),
    }
    if employer is not None:
        context["jobs"] = selectors.jobs_of_employer(employer)[:20]
    if context["can_manage"]:
        context["pending_count"] = selectors.pending_employers(user).count()
        context["held_count"] = selectors.held_jobs(user).count()
    return render(request, "employment/index.html", context)


# --- Graduates ---------------------------------------------------------------------------------------


def _graduate(request):
    record = services.record_of(request.user)
    if record is None:
        raise Http404
    return record


@login_required
def intention(request):
    record = _graduate(request)
    current = JobIntention.objects.filter(user=request.user).first()
    initial = {}
    if current is not None:
        initial = {"job_types": current.job_types, "industry_codes": current.industry_codes,
                   "occupation_codes": current.occupation_codes, "region_codes": ", ".join(current.region_codes),
                   "salary_min": current.salary_min, "salary_max": current.salary_max}
    form = IntentionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["region_codes"] = [c.strip() for c in data["region_codes"].replace("，", ",").split(",") if c.strip()]
        try:
            services.save_intention(request.user, data, request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your job intention is saved."))
            return redirect("employment:index")
    return render(request, "employment/intention.html", {"form": form, "record": record})


@login_required
def resume(request):
    record = _graduate(request)
    current = Resume.objects.filter(user=request.user).first()
    form = ResumeForm(request.POST or None, initial=ResumeForm.initial_from(current))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_resume(request.user, form.data_for_service(), request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your résumé is saved."))
            return redirect("employment:resume-preview")
    return render(request, "employment/resume_edit.html", {"form": form, "record": record})


@login_required
def resume_preview(request):
    record = _graduate(request)
    current = Resume.objects.filter(user=request.user).select_related("user").first()
    if current is None:
        return redirect("employment:resume")
    return render(request, "employment/resume.html", {"resume": current, "record": record, "own": True,
                                                      "titles": documents.section_titles()})


@login_required
def resume_pdf(request):
    record = _graduate(request)
    current = get_object_or_404(Resume.objects.select_related("user"), user=request.user)
    response = HttpResponse(documents.resume_pdf(current, record), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="resume.pdf"'
    return response


# --- Employers ---------------------------------------------------------------------------------------


def _employer_data(form) -> dict:
    return dict(form.cleaned_data)


@login_required
def employer_register(request):
    existing = services.employer_of(request.user)
    if existing is not None:
        return redirect("employment:employer")
    form = EmployerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_employer(request.user, _employer_data(form), request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your employer is registered. Employment staff will verify it."))
            return redirect("employment:employer")
    return render(request, "employment/employer_register.html", {"form": form})


@login_required
def employer(request):
    """The HR user's employer page: state, profile, postings."""
    current = services.employer_of(request.user)
    if current is None:
        return redirect("employment:employer-register")
    form = None
    if current.state != EmployerState.VERIFIED:
        initial = {k: getattr(current, k) for k in ("employer_type", "region_code", "address", "size", "description",
                                                    "contact_name", "contact_email")}
        initial["industry_code"] = current.industry.code if current.industry else ""
        form = EmployerForm(request.POST or None, editing=True, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.update_employer(request.user, current, _employer_data(form), request=request)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Your details are saved."))
                return redirect("employment:employer")
    return render(request, "employment/employer.html", {
        "employer": current, "form": form, "phone": services.contact_phone_masked(current),
        "region_name": regions.full_name(current.region_code), "jobs": selectors.jobs_of_employer(current)})


def _job_data(form) -> dict:
    data = dict(form.cleaned_data)
    data["deadline"] = data.get("deadline")
    return data


@login_required
def job_edit(request, job_id: int | None = None):
    try:
        employer = services.require_verified_employer(request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Only verified employers may post jobs."))
        return redirect("employment:employer" if services.employer_of(request.user) else "employment:employer-register")
    job = None
    if job_id is not None:
        job = get_object_or_404(Job, pk=job_id, employer=employer)
    initial = {}
    if job is not None:
        initial = {f: getattr(job, f) for f in ("title", "job_type", "region_code", "salary_min", "salary_max",
                                                "education", "headcount", "deadline", "description")}
        initial["occupation_code"] = job.occupation.code if job.occupation else ""
        initial["industry_code"] = job.industry.code if job.industry else ""
        initial["major_ids"] = [str(pk) for pk in job.majors.values_list("pk", flat=True)]
    form = JobForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.save_job(request.user, _job_data(form), job=job, request=request)
            if request.POST.get("publish") and job.state in (JobState.DRAFT, JobState.REJECTED):
                job = services.publish_job(request.user, job, request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            _publication_message(request, job)
            return redirect("employment:job", job.pk)
    return render(request, "employment/job_edit.html", {"form": form, "job": job, "employer": employer})


def _publication_message(request, job: Job) -> None:
    if job.state == JobState.PUBLISHED:
        messages.success(request, _("The posting is published."))
    elif job.state == JobState.HELD:
        messages.warning(request, _("Screening found wording that needs a staff review; the posting is held until "
                                    "then."))
    else:
        messages.success(request, _("The draft is saved."))


@login_required
@require_POST
def job_publish(request, job_id: int):
    job = get_object_or_404(Job, pk=job_id)
    try:
        job = services.publish_job(request.user, job, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        _publication_message(request, job)
    return redirect("employment:job", job.pk)


@login_required
@require_POST
def job_close(request, job_id: int):
    job = get_object_or_404(Job, pk=job_id)
    try:
        services.close_job(request.user, job, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The posting is closed."))
    return redirect("employment:job", job.pk)


def job_detail(request, job_id: int):
    """招聘岗位: public once published; its employer and staff see it in every state."""
    job = selectors.job(job_id)
    if job is None or not selectors.can_see_job(request.user, job):
        raise Http404
    own = request.user.is_authenticated and job.employer.organisation_id in perms.hr_organisation_ids(request.user)
    return render(request, "employment/job.html", {
        "job": job, "own": own, "region_name": regions.full_name(job.region_code),
        "apply_url": _apply_url(job) if job.state == JobState.PUBLISHED else None,
        "staff_view": request.user.is_authenticated and perms.can_manage(request.user,
                                                                         job.employer.organisation.path)})


@login_required
def resume_for_employer(request, user_id: int):
    try:
        found = services.resume_for_employer(request.user, user_id, request=request)
    except PermissionDenied:
        raise Http404 from None
    record = services.record_of(found.user)
    return render(request, "employment/resume.html", {"resume": found, "record": record, "own": False,
                                                      "titles": documents.section_titles()})


@login_required
def supply(request):
    """生源信息查询: verified employers and employment staff; counts only, small cells suppressed."""
    user = request.user
    if not perms.is_staff(user):
        try:
            services.require_verified_employer(user)
        except PermissionDenied:
            raise Http404 from None
    form = SupplyForm(request.GET or None, years=selectors._years())
    result = None
    if form.is_valid():
        data = form.cleaned_data
        result = selectors.supply(year=data.get("year"), degree_level=data.get("degree_level") or "",
                                  region_code=data.get("region_code") or "", major=data.get("major") or "",
                                  school=data.get("school") or "")
    return render(request, "employment/supply.html", {"form": form, "result": result,
                                                      "min_cell": selectors.SUPPLY_MIN_CELL})


# --- Staff -------------------------------------------------------------------------------------------


@admin_page("employment.manage")
def staff_employers(request):
    return render(request, "employment/staff_employers.html",
                  {"employers": selectors.pending_employers(request.user)[:200]})


@admin_page("employment.manage")
def staff_employer(request, employer_id: int):
    employer = get_object_or_404(Employer.objects.select_related("organisation", "industry"), pk=employer_id)
    if not perms.can_manage(request.user, employer.organisation.path):
        raise Http404
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_employer(request.user, employer, verify=form.cleaned_data["decision"] == "verify",
                                     reason=form.cleaned_data["reason"], request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("employment:staff-employers")
    return render(request, "employment/staff_employer.html", {
        "employer": employer, "form": form, "phone": services.contact_phone_masked(employer),
        "region_name": regions.full_name(employer.region_code)})


@admin_page("employment.manage")
def staff_jobs(request):
    return render(request, "employment/staff_jobs.html", {"jobs": selectors.held_jobs(request.user)[:200]})


@admin_page("employment.manage")
def staff_job(request, job_id: int):
    job = selectors.job(job_id)
    if job is None or not perms.can_manage(request.user, job.employer.organisation.path):
        raise Http404
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_job(request.user, job, publish=form.cleaned_data["decision"] == "publish",
                                note=form.cleaned_data["note"], request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("employment:staff-jobs")
    return render(request, "employment/staff_job.html", {"job": job, "form": form})


@admin_page(*STAFF)
def staff_graduates(request):
    year = request.GET.get("year")
    query = (request.GET.get("q") or "").strip()[:50]
    records = selectors.graduates_in_scope(request.user, year=int(year) if (year or "").isdigit() else None,
                                           query=query)[:300]
    return render(request, "employment/staff_graduates.html", {"records": records, "query": query})


@admin_page(*STAFF)
def staff_graduate(request, record_id: int):
    """A graduate's page for the staff who follow them: status, intention, difficulty flags (never shown to
    employers)."""
    record = selectors.graduate_for_staff(request.user, record_id)
    if record is None:
        raise Http404
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_difficulty_flag(request.user, record, form.cleaned_data["kind"], form.cleaned_data["note"],
                                         request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The flag is saved."))
            return redirect("employment:staff-graduate", record.pk)
    if request.method == "GET":
        audit.record("employment.graduate_view", request=request, target=record)
    return render(request, "employment/staff_graduate.html", {
        "record": record, "form": form, "flags": record.difficulty_flags.all(),
        "origin": graduate_roster.origin_name(record.origin_code),
        "intention": JobIntention.objects.filter(user=record.user).first()})


@admin_page(*STAFF)
@require_POST
def staff_flag_remove(request, flag_id: int):
    flag = get_object_or_404(DifficultyFlag.objects.select_related("record"), pk=flag_id)
    if not perms.can_follow(request.user, flag.record.org_path):
        raise Http404
    services.remove_difficulty_flag(request.user, flag, request=request)
    messages.success(request, _("The flag is removed."))
    return redirect("employment:staff-graduate", flag.record_id)


@admin_page(*STAFF)
def staff_roster(request):
    schools = selectors.school_choices(request.user)
    if not schools:
        raise Http404
    form = RosterForm(request.POST or None, request.FILES or None, schools=schools)
    result = None
    if request.method == "POST" and form.is_valid():
        school = next(s for s in schools if str(s.pk) == form.cleaned_data["school"])
        upload = form.cleaned_data["file"]
        try:
            result = graduate_roster.import_graduates(request.user, upload, school=school, file_name=upload.name,
                                                      request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if result.ok:
                messages.success(request, _("Imported: %(created)s new graduate records, %(updated)s updated.")
                                 % {"created": result.created, "updated": result.updated})
            else:
                messages.error(request, _("Nothing was imported: %(n)s problems in the file. Correct them and "
                                          "upload the file again.") % {"n": len(result.errors)})
    return render(request, "employment/staff_roster.html", {"form": form, "result": result})


def roster_template(request):
    response = HttpResponse(graduate_roster.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="graduate-roster-template.csv"'
    return response


@admin_page("employment.manage")
def staff_cases(request):
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.create_case(request.user, form.cleaned_data, request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if case.state == CaseState.PUBLISHED:
                messages.success(request, _("The case is published."))
            else:
                messages.warning(request, _("Screening found words that need another staff member's review."))
            return redirect("employment:staff-cases")
    return render(request, "employment/staff_cases.html", {"form": form, "held": selectors.held_cases(request.user),
                                                           "course_form": CourseForm()})


@admin_page("employment.manage")
@require_POST
def staff_case_review(request, case_id: int):
    case = get_object_or_404(CareerCase.objects.select_related("organisation"), pk=case_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_case(request.user, case, publish=form.cleaned_data["decision"] == "publish",
                                 note=form.cleaned_data["note"], request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The decision is recorded."))
    return redirect("employment:staff-cases")


@admin_page("employment.manage")
@require_POST
def staff_course(request):
    form = CourseForm(request.POST)
    if form.is_valid():
        try:
            services.create_course(request.user, form.cleaned_data, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The course is added."))
    else:
        messages.error(request, _("Check the course's fields."))
    return redirect("employment:guidance")


# --- Career guidance ---------------------------------------------------------------------------------


def guidance_index(request):
    return render(request, "employment/guidance.html", {
        "cases": selectors.published_cases(10), "courses": selectors.courses(20),
        "can_manage": request.user.is_authenticated and bool(perms.manage_paths(request.user)),
        "course_form": CourseForm()})


@login_required
def assessment(request):
    form = AssessmentForm(request.POST or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = guidance.score(form.answers())
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "employment/assessment.html", {"form": form, "report": report})


def occupations(request):
    groups: dict[str, list[Occupation]] = {}
    for occupation in selectors.encyclopedia():
        top = occupation.parent.parent if occupation.parent and occupation.parent.parent else occupation.parent
        groups.setdefault(str(top) if top else "", []).append(occupation)
    return render(request, "employment/occupations.html", {"groups": groups})


def occupation(request, code: str):
    found = get_object_or_404(Occupation.objects.select_related("parent__parent"), code=code)
    return render(request, "employment/occupation.html", {
        "occupation": found, "children": found.children.order_by("code"),
        "cases": CareerCase.objects.filter(state=CaseState.PUBLISHED, occupation=found)[:10]})


def cases(request):
    return render(request, "employment/cases.html", {"cases": selectors.published_cases(100)})


def case(request, case_id: int):
    found = get_object_or_404(CareerCase.objects.select_related("occupation"), pk=case_id,
                              state=CaseState.PUBLISHED)
    return render(request, "employment/case.html", {"case": found})
