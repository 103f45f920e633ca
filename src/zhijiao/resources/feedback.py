"""What users do with published resources, and what comes back to them: complaints (Art.15), ratings,
favourites, views and downloads (the figures of the dynamic evaluation, Art.16)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zhijiao.core import audit, ratelimit
from zhijiao.identity.models import User
from zhijiao.resources import counters, permissions
from zhijiao.resources.models import (
    Complaint,
    ComplaintCategory,
    ComplaintState,
    Favourite,
    Rating,
    RecentView,
    Resource,
    ResourceStats,
    Status,
)
from zhijiao.resources.services import notify, put_offline

COMPLAINTS_PER_DAY = 20
MIN_COMPLAINT_CHARS = 5
RECENT_KEPT = 50


def _require_signed_in(user: User) -> None:
    if not user.is_authenticated:
        raise PermissionDenied


# --- Complaints (Art.15) ---------------------------------------------------------------------------------


@transaction.atomic
def complain(user: User, resource: Resource, *, category: str, text: str, request=None) -> Complaint:
    _require_signed_in(user)
    if resource.status != Status.PUBLISHED:
        raise ValidationError(_("Only a resource that is online can be reported."))
    if category not in ComplaintCategory.values:
        raise ValidationError({"category": _("Choose what kind of problem it is.")})
    text = (text or "").strip()
    if len(text) < MIN_COMPLAINT_CHARS:
        raise ValidationError({"text": _("Describe the problem in at least %(n)d characters.")
                               % {"n": MIN_COMPLAINT_CHARS}})
    if len(text) > 2000:
        raise ValidationError({"text": _("At most 2,000 characters.")})
    if not ratelimit.allow("complaint", str(user.pk), COMPLAINTS_PER_DAY, 24 * 3600):
        raise ValidationError(_("You have sent many reports today. Please try again tomorrow."))
    complaint = Complaint.objects.create(resource=resource, complainant=user, category=category, text=text,
                                         provider_path=resource.provider_path)
    ResourceStats.objects.filter(resource=resource).update(complaint_count=F("complaint_count") + 1)
    audit.record("complaint.create", actor=user, request=request, target=complaint, resource=resource.pk,
                 category=category)
    return complaint


@transaction.atomic
def handle_complaint(actor: User, complaint: Complaint, *, uphold: bool, outcome: str, request=None) -> Complaint:
    """Close a complaint. Upheld: the resource goes offline at once (if still online) and comes back only
    after a fixed version passes review. Either way the complainant hears the outcome."""
    complaint = Complaint.objects.select_for_update().select_related("resource", "complainant").get(pk=complaint.pk)
    resource = complaint.resource
    if not permissions.in_complaint_scope(actor, resource):
        raise PermissionDenied
    if permissions.is_own_organisation(actor, resource):
        raise ValidationError(_("You cannot handle a complaint about your own organisation's resource."))
    if complaint.state != ComplaintState.OPEN:
        raise ValidationError(_("This complaint was already handled."), code="illegal_transition")
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("Write the outcome; the person who reported it will read it.")})
    complaint.state = ComplaintState.UPHELD if uphold else ComplaintState.DISMISSED
    complaint.handler, complaint.outcome, complaint.handled_at = actor, outcome[:4000], timezone.now()
    complaint.save()
    if uphold and resource.status == Status.PUBLISHED:
        put_offline(actor, Resource.objects.select_for_update().get(pk=resource.pk),
                   reason=_("Complaint upheld: %(outcome)s") % {"outcome": outcome}, request=request)
    audit.record("complaint.handle", actor=actor, request=request, target=complaint, resource=resource.pk,
                 upheld=uphold)
    notify(complaint.complainant, resource,
            lambda: _("Your report about “%(title)s” was handled (%(state)s): %(outcome)s")
            % {"title": resource.title, "state": ComplaintState(complaint.state).label, "outcome": outcome},
            mail_subject=lambda: _("Outcome of your report: %(title)s") % {"title": resource.title})
    return complaint


# --- Ratings, favourites, views, downloads ---------------------------------------------------------------


@transaction.atomic
def rate(user: User, resource: Resource, stars: int) -> Rating:
    """One rating per user and resource; rating again changes it."""
    _require_signed_in(user)
    if resource.status != Status.PUBLISHED:
        raise ValidationError(_("Only a resource that is online can be rated."))
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        raise ValidationError({"stars": _("Give 1 to 5 stars.")})
    rating, _created = Rating.objects.update_or_create(resource=resource, user=user,
                                                       defaults={"stars": stars, "updated_at": timezone.now()})
    totals = Rating.objects.filter(resource=resource).aggregate(n=Count("id"), total=Sum("stars"))
    ResourceStats.objects.filter(resource=resource).update(rating_count=totals["n"], rating_sum=totals["total"] or 0)
    return rating


def set_favourite(user: User, resource: Resource, on: bool) -> bool:
    _require_signed_in(user)
    if on:
        if resource.status != Status.PUBLISHED:
            raise ValidationError(_("Only a resource that is online can be added to favourites."))
        try:
            with transaction.atomic():
                Favourite.objects.create(user=user, resource=resource)
                ResourceStats.objects.filter(resource=resource).update(favourite_count=F("favourite_count") + 1)
        except IntegrityError:
            pass  # already a favourite
        return True
    with transaction.atomic():
        removed, _details = Favourite.objects.filter(user=user, resource=resource).delete()
        if removed:
            ResourceStats.objects.filter(resource=resource).update(favourite_count=F("favourite_count") - 1)
    return False


def record_view(user: User, resource: Resource) -> None:
    """Count a view of the public page; remember it in the signed-in user's recently viewed list."""
    counters.count_view(resource.pk)
    if user.is_authenticated:
        updated = RecentView.objects.filter(user=user, resource=resource).update(viewed_at=timezone.now())
        if not updated:
            try:
                with transaction.atomic():
                    RecentView.objects.create(user=user, resource=resource)
            except IntegrityError:
                return
            stale = RecentView.objects.filter(user=user).order_by("-viewed_at").values_list("pk", flat=True)[RECENT_KEPT:]
            RecentView.objects.filter(pk__in=list(stale)).delete()


def record_download(resource: Resource) -> None:
    ResourceStats.objects.filter(resource=resource).update(downloads=F("downloads") + 1)
