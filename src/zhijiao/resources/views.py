"""Pages of the resource centre for everyone (the resource page, files, favourites, reports) and for
providers (my resources, create, edit into a new version, upload, submit, history)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from zhijiao.core import storage
from zhijiao.identity.views import apply_errors
from zhijiao.resources import feedback, permissions, selectors, services
from zhijiao.resources.forms import ComplaintForm, CreateForm, ResourceForm, UploadForm
from zhijiao.resources.models import FileRole, Kind, Resource, Status, VersionState

# Lesson-package parts in the order a learner uses them.
PACKAGE_ORDER = (FileRole.VIDEO, FileRole.MAIN, FileRole.TASK_SHEET, FileRole.EXERCISES, FileRole.ATTACHMENT)


def _visible_or_404(request, resource_id: int) -> Resource:
    resource = selectors.get_resource(resource_id)
    if resource is None or not permissions.can_view(request.user, resource):
        raise Http404
    return resource


# --- Public pages ------------------------------------------------------------------------------------


# Anonymous visitors of a published resource all get the same page (per language and live version), so it
# is rendered once a minute and kept in the shared cache; only the tracker snippet, which carries the
# visitor's own id, is rendered per request.
PAGE_CACHE_SECONDS = 60
_TRACKER_SLOT = "<!--zj-tracker-->"


def _anonymous_page_key(request, resource_id: int) -> str | None:
    if request.user.is_authenticated or request.GET or settings.SESSION_COOKIE_NAME in request.COOKIES \
            or "messages" in request.COOKIES:
        return None
    live = Resource.objects.filter(pk=resource_id, status=Status.PUBLISHED).values_list("live_version_id",
                                                                                       flat=True).first()
    return f"zj:resource-page:{resource_id}:{live}:{get_language()}" if live else None


def _with_tracker(request, html: str, resource_id: int, title: str) -> HttpResponse:
    tracker = render_to_string("records/_tracker.html", {"activity_id": selectors.activity_id(resource_id),
                                                         "activity_name": title}, request=request)
    response = HttpResponse(html.replace(_TRACKER_SLOT, tracker, 1))
    patch_cache_control(response, private=True, max_age=0)
    return response


def detail(request, resource_id: int):
    """资源详情: player or viewer, lesson-package parts together, metadata, rating, favourite, report."""
    key = _anonymous_page_key(request, resource_id)
    if key is not None:
        cached = cache.get(key)
        if cached is not None:
            feedback.record_view(request.user, Resource(pk=resource_id))
            return _with_tracker(request, cached["html"], resource_id, cached["title"])
    resource = _visible_or_404(request, resource_id)
    preview = request.GET.get("version") if permissions.can_see_unpublished(request.user, resource) else None
    version_id = resource.live_version_id
    if preview or resource.status != Status.PUBLISHED:
        version = (resource.versions.filter(number=preview).first() if preview else None) or services.latest_version(resource)
        version_id = version.pk
    files = selectors.files_by_role(version_id)
    if resource.status == Status.PUBLISHED:
        feedback.record_view(request.user, resource)
    video = (files.get(FileRole.VIDEO) or [None])[0] or next(
        (f for f in files.get(FileRole.MAIN, []) if f.file_type in ("mp4", "webm")), None)
    pdf = next((f for f in files.get(FileRole.MAIN, []) if f.file_type == "pdf"), None)
    parts = [(FileRole(role).label, files[role]) for role in PACKAGE_ORDER if files.get(role)]
    context = {
        "resource": resource,
        "activity_id": selectors.activity_id(resource.pk),
        "video": video,
        "poster": (files.get(FileRole.POSTER) or [None])[0],
        "subtitles": (files.get(FileRole.SUBTITLES) or [None])[0],
        "pdf": pdf,
        "parts": parts,
        "columns": selectors.columns_of(resource),
        "stats": getattr(resource, "stats", None),
        "can_download": permissions.can_download(request.user, resource),
        "can_manage": permissions.can_manage(request.user, resource),
        "is_preview": version_id != resource.live_version_id,
        "complaint_form": ComplaintForm(),
        "stars": range(1, 6),
        **selectors.viewer_state(request.user, resource),
    }
    if key is not None:
        html = render_to_string("resources/detail.html", {**context, "tracker_slot": _TRACKER_SLOT}, request=request)
        cache.set(key, {"html": html, "title": resource.title}, PAGE_CACHE_SECONDS)
        return _with_tracker(request, html, resource.pk, resource.title)
    return render(request, "resources/detail.html", context)


def file(request, resource_id: int, file_id: int):
    """A file of the resource: shown inline for players and viewers; ``?download=1`` downloads it, which
    the resource's download permission governs and the download count records."""
    resource = _visible_or_404(request, resource_id)
    return serve_file(request, request.user, resource, file_id, download=request.GET.get("download") == "1")


def serve_file(request, user, resource: Resource, file_id: int, *, download: bool):
    insider = permissions.can_see_unpublished(user, resource)
    stored = selectors.file_of(resource, file_id, include_unpublished=insider)
    if stored is None:
        raise Http404
    spec = storage.FILE_TYPES[stored.file_type]
    must_download = download or not spec.inline
    if must_download and not permissions.can_download(user, resource):
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    if must_download and not insider and not request.headers.get("Range"):
        feedback.record_download(resource)
    return storage.file_response(request, stored.storage_name, file_type=stored.file_type, file_name=stored.name,
                                 attachment=must_download, size=stored.size)


@login_required
@require_POST
def rate(request, resource_id: int):
    resource = _visible_or_404(request, resource_id)
    try:
        feedback.rate(request.user, resource, int(request.POST.get("stars", "0")))
    except (ValidationError, ValueError):
        messages.error(request, _("Give 1 to 5 stars."))
    else:
        messages.success(request, _("Thank you for rating."))
    return redirect("resources:detail", resource_id=resource.pk)


@login_required
@require_POST
def favourite(request, resource_id: int):
    resource = _visible_or_404(request, resource_id)
    try:
        on = feedback.set_favourite(request.user, resource, request.POST.get("on") == "1")
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Added to your favourites.") if on else _("Removed from your favourites."))
    return redirect("resources:detail", resource_id=resource.pk)


@login_required
@require_POST
def complain(request, resource_id: int):
    resource = _visible_or_404(request, resource_id)
    form = ComplaintForm(request.POST)
    if form.is_valid():
        try:
            feedback.complain(request.user, resource, request=request, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Thank you. Your report was received; you will be told the outcome."))
    else:
        messages.error(request, _("Choose what is wrong and describe it."))
    return redirect("resources:detail", resource_id=resource.pk)


@login_required
def favourites(request):
    return render(request, "resources/favourites.html", {
        "favourites": selectors.favourites_of(request.user),
        "recent": selectors.recently_viewed(request.user),
    })


@login_required
def my_complaints(request):
    return render(request, "resources/my_complaints.html", {"complaints": selectors.complaints_by(request.user)[:200]})


# --- Providers --------------------------------------------------------------------------------------------


def _provider_only(request):
    if not permissions.can_provide(request.user):
        raise PermissionDenied


@login_required
def mine(request):
    _provider_only(request)
    resources = list(selectors.resources_managed_by(request.user)[:300])
    latest = selectors.latest_versions([r.pk for r in resources])
    return render(request, "resources/mine.html", {
        "rows": [(r, latest[r.pk]) for r in resources],
        "blockers": services.submission_blockers(request.user),
        "notices": selectors.notices_of(request.user),
    })


@login_required
def agreement(request):
    _provider_only(request)
    if request.method == "POST" and request.POST.get("accept") == "1":
        services.accept_agreement(request.user, request=request)
        messages.success(request, _("You accepted the resource-use agreement."))
        return redirect("resources:mine")
    return render(request, "resources/agreement.html", {
        "version": settings.ZJ_RESOURCE_AGREEMENT_VERSION,
        "accepted": services.has_accepted_agreement(request.user),
    })


@login_required
def create(request):
    _provider_only(request)
    providers = permissions.provider_organisations(request.user)
    kind = request.POST.get("kind") or request.GET.get("kind") or Kind.VIDEO
    if kind not in Kind.values:
        kind = Kind.VIDEO
    form = CreateForm(request.POST or None, kind=kind, providers=providers,
                      initial={"kind": kind, "library": "k12", "language": "zh-hans"})
    if request.method == "POST" and "refresh" not in request.POST and form.is_valid():
        content, columns = form.content()
        try:
            resource = services.create_resource(request.user, kind=kind, columns=columns, request=request,
                                                provider=next(o for o in providers
                                                              if o.pk == form.cleaned_data["provider"]),
                                                **content)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Created. Now upload its files."))
            return redirect("resources:edit", resource_id=resource.pk)
    return render(request, "resources/edit.html", {"form": form, "creating": True, "kind": kind})


def _initial(version) -> dict:
    initial = {name: getattr(version, name) for name in Resource.CONTENT_FIELDS}
    for name in ("keywords", "knowledge_points", "authors"):
        initial[name] = "，".join(initial[name])
    initial["columns"] = list(version.columns.all())
    return initial


@login_required
def edit(request, resource_id: int):
    resource = get_object_or_404(Resource, pk=resource_id)
    if not permissions.can_manage(request.user, resource):
        raise Http404
    latest = services.latest_version(resource)
    form = ResourceForm(request.POST or None, kind=resource.kind, initial=_initial(latest))
    if request.method == "POST" and "refresh" not in request.POST and form.is_valid():
        content, columns = form.content()
        try:
            version = services.update_draft(request.user, resource, columns=columns, request=request,
                                            change_note=form.cleaned_data.get("change_note"), **content)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved as version %(n)d (draft).") % {"n": version.number})
            return redirect("resources:edit", resource_id=resource.pk)
    files = [f for group in selectors.files_by_role(latest.pk).values() for f in group]
    return render(request, "resources/edit.html", {
        "form": form, "resource": resource, "latest": latest, "files": files, "kind": resource.kind,
        "upload_form": UploadForm(kind=resource.kind),
        "under_review": latest.state in (VersionState.SUBMITTED, VersionState.SCREENED, VersionState.IN_REVIEW),
        "blockers": services.submission_blockers(request.user),
        "max_mb": {family: limit // (1024 * 1024) for family, limit in settings.ZJ_UPLOAD_MAX_BYTES.items()},
    })


@csrf_exempt
def upload(request, resource_id: int):
    """Multipart upload from the edit page. The size is checked from the request's declared length
    before the body is read, then the CSRF token, then the content as it streams in."""
    if request.method != "POST":
        return HttpResponse(status=405)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    largest = max(settings.ZJ_UPLOAD_MAX_BYTES.values())
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > largest + 64 * 1024:
        messages.error(request, _("The file is larger than %(limit)d MB, the most allowed.")
                       % {"limit": largest // (1024 * 1024)})
        return redirect("resources:edit", resource_id=resource_id)
    rejected = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
    if rejected is not None:
        return rejected
    resource = get_object_or_404(Resource, pk=resource_id)
    if not permissions.can_manage(request.user, resource):
        raise Http404
    form = UploadForm(request.POST, request.FILES, kind=resource.kind)
    if form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            services.add_file(request.user, resource, role=form.cleaned_data["role"],
                              chunks=storage.chunks_of(uploaded), file_name=uploaded.name,
                              declared_content_type=uploaded.content_type or "", request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Uploaded %(name)s.") % {"name": uploaded.name})
    else:
        messages.error(request, _("Choose which file it is and the file to upload."))
    return redirect("resources:edit", resource_id=resource.pk)


@login_required
@require_POST
def remove_file(request, resource_id: int, file_id: int):
    resource = get_object_or_404(Resource, pk=resource_id)
    if not permissions.can_manage(request.user, resource):
        raise Http404
    try:
        services.remove_file(request.user, resource, file_id, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("resources:edit", resource_id=resource.pk)


@login_required
@require_POST
def submit(request, resource_id: int):
    resource = get_object_or_404(Resource, pk=resource_id)
    if not permissions.can_manage(request.user, resource):
        raise Http404
    try:
        version = services.submit(request.user, resource, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("resources:edit", resource_id=resource.pk)
    version.refresh_from_db()
    if version.state == VersionState.REJECTED:
        messages.error(request, _("The machine pre-screen found problems; see them below and fix them in a new "
                                  "version."))
    else:
        messages.success(request, _("Submitted. It passed the machine pre-screen and waits for review."))
    return redirect("resources:history", resource_id=resource.pk)


@login_required
@require_POST
def withdraw(request, resource_id: int):
    resource = get_object_or_404(Resource, pk=resource_id)
    if not permissions.can_manage(request.user, resource):
        raise Http404
    try:
        services.withdraw(request.user, resource, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Withdrawn from review."))
    return redirect("resources:history", resource_id=resource.pk)


@login_required
def history(request, resource_id: int):
    """Every version with its screening findings and the reviewers' decisions and comments."""
    resource = get_object_or_404(Resource, pk=resource_id)
    if not permissions.can_see_unpublished(request.user, resource):
        raise Http404
    return render(request, "resources/history.html", {
        "resource": resource, "versions": selectors.versions_of(resource),
        "can_manage": permissions.can_manage(request.user, resource),
    })
