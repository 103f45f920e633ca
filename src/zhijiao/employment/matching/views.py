"""Pages: job search, recommendations for the signed-in graduate, the push inbox, a job, and an employer's
recommended candidates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhijiao.employment import regions
from zhijiao.employment import selectors as employment_selectors
from zhijiao.employment import services as employment_services
from zhijiao.employment.matching import recommend, search, selectors, services
from zhijiao.employment.models import DEGREE_RANK, DegreeLevel, EmployerType, JobType

RANK_LABELS = {DEGREE_RANK[value]: label for value, label in DegreeLevel.choices}


def _choices():
    return {
        "job_types": JobType.choices, "employer_types": EmployerType.choices, "degrees": DegreeLevel.choices,
        "sections": selectors.industry_sections(), "occupations": selectors.occupation_groups(),
        "major_classes": selectors.major_classes(), "sorts": list(search.SORTS.items()),
    }


def decorate(items):
    """Labels the job lists show: region name, job type, education."""
    job_types = dict(JobType.choices)
    for item in items:
        item.region_name = regions.full_name(item.region_code)
        item.job_type_label = job_types.get(item.job_type, "")
        rank = getattr(item, "education_rank", None)
        item.education_label = RANK_LABELS.get(rank, _("Any degree")) if rank is not None else ""
    return items


def search_page(request):
    errors = {}
    try:
        filters = search.parse_filters(request.GET)
    except ValidationError as exc:
        errors = {key: messages_[0] for key, messages_ in exc.message_dict.items()}
        filters = search.JobFilters()
    result = search.search_jobs(filters)
    return render(request, "employment_matching/search.html", {
        "filters": filters, "result": result, "hits": decorate(result.hits), "errors": errors,
        "region_value": ",".join(request.GET.getlist("region")), **_choices(),
        "has_previous": filters.page > 1, "has_next": filters.page < result.pages,
        "unread": selectors.unread_count(request.user),
    })


@login_required
def recommended(request):
    profile = recommend.profile_for(request.user)
    items = decorate(recommend.recommend(profile)) if profile else []
    return render(request, "employment_matching/recommended.html", {
        "profile": profile, "items": items, "unread": selectors.unread_count(request.user)})


@login_required
def inbox(request):
    items = list(selectors.inbox(request.user)[:100])
    return render(request, "employment_matching/inbox.html", {
        "items": items, "unread": sum(1 for i in items if i.read_at is None)})


@login_required
@require_POST
def inbox_read(request):
    changed = services.mark_read(request.user)
    messages.success(request, _("%(n)s pushed jobs marked as read.") % {"n": changed})
    return redirect("employment_matching:inbox")


def job(request, job_id: int):
    """A job opened from search, recommendations or the inbox: marks it read, then shows the job's own page
    (``employment:job``, which carries the Apply button)."""
    found = employment_selectors.job(job_id)
    if found is None or not employment_selectors.can_see_job(request.user, found):
        raise Http404
    if request.user.is_authenticated:
        services.mark_read_job(request.user, found.pk)
    return redirect("employment:job", found.pk)


@login_required
def candidates(request, job_id: int):
    job_, found = services.candidates(request.user, job_id, request=request)
    return render(request, "employment_matching/candidates.html", {"job": job_, "candidates": found})


@login_required
def candidate_resume(request, job_id: int, user_id: int):
    job_ = services.employer_job(request.user, job_id)
    resume = employment_services.resume_for_employer(request.user, user_id, request=request)
    record = employment_services.record_of(resume.user)
    return render(request, "employment_matching/resume.html", {"job": job_, "resume": resume, "record": record})
