"""Writes of job matching that people make: reading pushed jobs, and employers opening candidates."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from zhijiao.core import audit
from zhijiao.employment import services as employment_services
from zhijiao.employment.matching import recommend
from zhijiao.employment.matching.models import JobDoc, PushItem
from zhijiao.employment.models import Job


def mark_read(user, item_ids: list[int] | None = None) -> int:
    """Mark the user's pushed jobs read (the given ones, or all). Returns how many changed."""
    items = PushItem.objects.filter(user=user, read_at__isnull=True)
    if item_ids is not None:
        items = items.filter(pk__in=item_ids)
    return items.update(read_at=timezone.now())


def employer_job(user, job_id: int) -> Job:
    """A job of the verified employer the user acts for: PermissionDenied for an unverified employer,
    Http404 for a job of anyone else."""
    employment_services.require_verified_employer(user)
    job = Job.objects.select_related("employer__organisation").filter(pk=job_id).first()
    if job is None or job.employer_id not in {e.pk for e in employment_services.employers_of(user) if e.is_verified}:
        raise Http404
    return job


def candidates(user, job_id: int, request=None) -> tuple[Job, list[recommend.Candidate]]:
    """Recommended graduates for the employer's open job; the listing is audited (it names people)."""
    job = employer_job(user, job_id)
    doc = JobDoc.objects.filter(job_id=job.pk).first()
    if doc is None:
        raise PermissionDenied(_("Candidates are recommended for published jobs only."))
    found = recommend.candidates_for_job(doc)
    audit.record("matching.candidates_view", actor=user, request=request, target=job,
                 organisation=job.employer.organisation, shown=len(found))
    return job, found


def mark_read_job(user, job_id: int) -> int:
    """Opening a pushed job reads its inbox entry."""
    return PushItem.objects.filter(user=user, job_id=job_id, read_at__isnull=True).update(read_at=timezone.now())
