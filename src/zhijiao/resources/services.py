"""Every write to resources, their versions and files, and the content review workflow, each with its
permission check and audit entry. Pages and the API call these; neither writes the models directly.

The review workflow (国家智慧教育平台数字教育资源内容审核规范, docs/resources.md):

    version:  draft → submitted → screened (machine) → in_review (level 1 … N) → approved
                         ↘ rejected (machine findings)      ↘ rejected (reviewer's reasons)
              draft / submitted / screened / in_review → withdrawn (by the provider)
    resource: draft → published → taken_down → published (after a new version passes review)

An update of a published resource is a new version; the approved one stays live until the update is
approved (更新必审). A rejected or withdrawn version stays in the history; revising it starts a new draft.
"""

from __future__ import annotations

import importlib.util
import logging
import random

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhijiao.core import audit, storage
from zhijiao.core.http import client_address
from zhijiao.identity.models import Organisation, User, Verification
from zhijiao.resources import files as resource_files
from zhijiao.resources import permissions, prescreen
from zhijiao.resources.models import (
    Dimension,
    Kind,
    Library,
    Notice,
    Outcome,
    ProviderAgreement,
    Resource,
    ResourceFile,
    ResourceStats,
    ResourceVersion,
    ReviewDecision,
    ReviewTask,
    ScreeningReport,
    Status,
    TaskKind,
    TaskState,
    VersionState,
)

logger = logging.getLogger("zhijiao.resources")

STORAGE_PREFIX = "resources"
# The checklist of each review dimension (Arts.10–13); a reviewer ticks each item that holds.
CHECKLIST: dict[str, tuple[tuple[str, str], ...]] = {
    Dimension.POLITICAL: (
        ("direction", gettext_lazy("Correct political direction and values")),
        ("maps", gettext_lazy("Maps, borders and national symbols are correct")),
    ),
    Dimension.SCIENTIFIC: (
        ("facts", gettext_lazy("No factual, academic or common-sense errors")),
        ("sources", gettext_lazy("Data and quotations are accurate and sourced")),
    ),
    Dimension.SUITABILITY: (
        ("age", gettext_lazy("Fits the learners' stage of development")),
        ("curriculum", gettext_lazy("Matches the grade and does not go beyond the curriculum standards")),
    ),
    Dimension.CONFORMANCE: (
        ("language", gettext_lazy("Standard language, characters and symbols")),
        ("production", gettext_lazy("Format, structure, design and production quality")),
        ("rights", gettext_lazy("Intellectual property, portraits and privacy respected; no advertising")),
        ("metadata", gettext_lazy("Metadata are complete and correct")),
    ),
}
# What may follow what; anything else is refused with a message naming both states.
VERSION_TRANSITIONS = {
    VersionState.DRAFT: {VersionState.SUBMITTED, VersionState.WITHDRAWN},
    VersionState.SUBMITTED: {VersionState.SCREENED, VersionState.REJECTED, VersionState.WITHDRAWN},
    VersionState.SCREENED: {VersionState.IN_REVIEW, VersionState.REJECTED, VersionState.WITHDRAWN},
    VersionState.IN_REVIEW: {VersionState.IN_REVIEW, VersionState.APPROVED, VersionState.REJECTED,
                             VersionState.WITHDRAWN},
    VersionState.REJECTED: set(),
    VersionState.APPROVED: set(),
    VersionState.WITHDRAWN: set(),
}
TAXONOMY_FIELDS = ("stage", "subject", "grade", "edition", "volume", "unit", "lesson", "major")


# --- Helpers ---------------------------------------------------------------------------------------------


def review_levels(library: str) -> int:
    return max(1, settings.ZJ_REVIEW_LEVELS_BY_LIBRARY.get(library, settings.ZJ_REVIEW_LEVELS))


def _move(version: ResourceVersion, to: str) -> None:
    if to not in VERSION_TRANSITIONS[version.state]:
        raise ValidationError(
            _("A version that is “%(now)s” cannot become “%(to)s”.")
            % {"now": VersionState(version.state).label, "to": VersionState(to).label}, code="illegal_transition")
    version.state = to


def latest_version(resource: Resource) -> ResourceVersion | None:
    return resource.versions.order_by("-number").first()


def _lock(resource: Resource) -> Resource:
    """Re-read the resource under a row lock so two requests never advance the same workflow twice."""
    return Resource.objects.select_for_update().get(pk=resource.pk)


def notify(user: User | None, resource: Resource | None, message, *, mail_subject=None) -> None:
    """An in-app notice in the recipient's language, and a mail (kept in the outbox) when they have an address.

    ``message`` is a callable returning the text, so it is rendered under the recipient's language.
    """
    if user is None:
        return
    with translation.override(user.language or settings.LANGUAGE_CODE):
        text = message()
        subject = mail_subject() if mail_subject else None
    Notice.objects.create(user=user, resource=resource, text=text)
    if subject and user.email:
        transaction.on_commit(lambda: send_mail(subject, text, None, [user.email], fail_silently=True))


def _search_changed(resource: Resource) -> None:
    """Tell search that a resource appeared or disappeared, once the change is committed.

    The search index (resources/search.py) updates within seconds of publication and takedown.
    """
    if importlib.util.find_spec("zhijiao.resources.search") is None:
        return
    from zhijiao.resources import search

    published = resource.status == Status.PUBLISHED
    callback = search.index_resource if published else search.remove_resource
    transaction.on_commit(lambda: callback(resource.pk))


# --- Providers (Art.7) -----------------------------------------------------------------------------------


def has_accepted_agreement(user: User) -> bool:
    return ProviderAgreement.objects.filter(user=user, version=settings.ZJ_RESOURCE_AGREEMENT_VERSION).exists()


def accept_agreement(user: User, *, request=None) -> ProviderAgreement:
    if not permissions.can_provide(user):
        raise PermissionDenied
    agreement, created = ProviderAgreement.objects.get_or_create(
        user=user, version=settings.ZJ_RESOURCE_AGREEMENT_VERSION,
        defaults={"ip": client_address(request)},
    )
    if created:
        audit.record("resource.agreement", actor=user, request=request, target=agreement,
                     version=agreement.version)
    return agreement


def submission_blockers(user: User) -> list[str]:
    """Why this provider may not submit yet (Art.7): real-name verification and the agreement."""
    blockers = []
    if user.verification != Verification.VERIFIED:
        blockers.append(_("Your real name must be verified before you submit resources."))
    if not has_accepted_agreement(user):
        blockers.append(_("Accept the resource-use agreement before you submit resources."))
    return blockers


# --- Creating and editing ----------------------------------------------------------------------------------


def _clean_list(values, field_name: str, *, max_items: int = 30, max_chars: int = 60) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = values.replace("，", ",").replace("、", ",").replace("；", ",").replace(";", ",").split(",")
    cleaned = []
    for value in values:
        value = str(value).strip()
        if not value:
            continue
        if len(value) > max_chars:
            raise ValidationError({field_name: _("Each entry may have at most %(n)d characters.") % {"n": max_chars}})
        if value not in cleaned:
            cleaned.append(value)
    if len(cleaned) > max_items:
        raise ValidationError({field_name: _("At most %(n)d entries.") % {"n": max_items}})
    return cleaned


def _clean_content(kind: str, content: dict) -> dict:
    """Validate field values and fill taxonomy blanks implied by a more specific tag (a lesson implies
    its unit, volume, edition, subject, grade and stage). Conflicting tags are left for the screen."""
    content = dict(content)
    for name in ("knowledge_points", "keywords", "authors"):
        if name in content:
            content[name] = _clean_list(content[name], name)
    for name in ("title", "summary", "university", "link_owner", "external_url", "language"):
        if name in content and content[name] is not None:
            content[name] = str(content[name]).strip()
    if "title" in content and not content["title"]:
        raise ValidationError({"title": _("Enter a title.")})
    if content.get("library") is not None and content["library"] not in Library.values:
        raise ValidationError({"library": _("Choose a library.")})
    if content.get("duration_seconds") is not None and not 0 < int(content["duration_seconds"]) <= 24 * 3600:
        raise ValidationError({"duration_seconds": _("Enter the length in seconds, at most one day.")})
    if kind not in (Kind.EXTERNAL_LINK, Kind.VIRTUAL_EXPERIMENT, Kind.TEACHING_CASE) and content.get("external_url"):
        raise ValidationError({"external_url": _("Only external links, virtual experiments and teaching cases "
                                                 "point to another site.")})
    lesson, unit, volume = content.get("lesson"), content.get("unit"), content.get("volume")
    if lesson is not None and unit is None:
        content["unit"] = unit = lesson.unit
    if unit is not None and volume is None:
        content["volume"] = volume = unit.volume
    if volume is not None:
        for name, value in (("edition", volume.edition), ("subject", volume.subject), ("grade", volume.grade)):
            if content.get(name) is None and value is not None:
                content[name] = value
    for name in ("subject", "grade"):
        if content.get(name) is not None and content.get("stage") is None:
            content["stage"] = content[name].stage
    if any(content.get(name) is not None for name in ("stage", "subject", "grade", "volume")):
        content.setdefault("library", Library.K12)
    return content


def _apply(target, content: dict) -> None:
    for name, value in content.items():
        if name not in Resource.CONTENT_FIELDS:
            raise ValidationError({name: _("This field cannot be set.")})
        setattr(target, name, value)


def _check_columns(columns) -> list:
    columns = list(columns or [])
    inactive = [c for c in columns if not c.active or not c.board.active]
    if inactive:
        raise ValidationError({"columns": _("The column “%(column)s” is closed.") % {"column": inactive[0]}})
    return columns


@transaction.atomic
def create_resource(actor: User, *, kind: str, provider: Organisation, columns=None, request=None,
                    **content) -> Resource:
    """A new resource with its first draft version. ``provider`` must be an organisation where the actor
    holds a providing role."""
    if not permissions.can_provide(actor) or provider.pk not in {o.pk for o in permissions.provider_organisations(actor)}:
        raise PermissionDenied
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose a type of resource.")})
    content = _clean_content(kind, content)
    if not content.get("title"):
        raise ValidationError({"title": _("Enter a title.")})
    columns = _check_columns(columns)
    resource = Resource(kind=kind, provider=provider, provider_path=provider.path, created_by=actor)
    _apply(resource, content)
    resource.save()
    version = ResourceVersion(resource=resource, number=1, created_by=actor)
    _apply(version, content)
    version.save()
    version.columns.set(columns)
    ResourceStats.objects.create(resource=resource)
    audit.record("resource.create", actor=actor, request=request, target=resource, organisation=provider,
                 kind=kind, title=resource.title)
    return resource


def _copy_version(source: ResourceVersion, actor: User, number: int) -> ResourceVersion:
    version = ResourceVersion(resource=source.resource, number=number, created_by=actor)
    for name in Resource.CONTENT_FIELDS:
        setattr(version, name, getattr(source, name))
    version.save()
    version.columns.set(source.columns.all())
    ResourceFile.objects.bulk_create([
        ResourceFile(version=version, role=f.role, file_type=f.file_type, name=f.name, storage_name=f.storage_name,
                     size=f.size, sha256=f.sha256, content_type=f.content_type, text=f.text,
                     duration_seconds=f.duration_seconds, uploaded_at=f.uploaded_at)
        for f in source.files.all()
    ])
    return version


def draft_for_edit(actor: User, resource: Resource) -> ResourceVersion:
    """The version the provider edits: the open draft, or a new draft copied from the newest version.

    A version under review cannot change: the provider withdraws it first.
    """
    if not permissions.can_manage(actor, resource):
        raise PermissionDenied
    latest = latest_version(resource)
    if latest.state == VersionState.DRAFT:
        return latest
    if latest.state in (VersionState.SUBMITTED, VersionState.SCREENED, VersionState.IN_REVIEW):
        raise ValidationError(_("Version %(n)d is being reviewed. Withdraw it before making changes.")
                              % {"n": latest.number}, code="under_review")
    return _copy_version(latest, actor, latest.number + 1)


@transaction.atomic
def update_draft(actor: User, resource: Resource, *, columns=None, change_note: str | None = None, request=None,
                 **content) -> ResourceVersion:
    """Change the working draft (made from the newest version when there is none). The live version is
    untouched until the draft passes review."""
    resource = _lock(resource)
    version = draft_for_edit(actor, resource)
    content = _clean_content(resource.kind, content)
    _apply(version, content)
    if change_note is not None:
        version.change_note = change_note.strip()[:300]
    version.save()
    if columns is not None:
        version.columns.set(_check_columns(columns))
    if resource.status == Status.DRAFT:
        # Before the first publication the resource row mirrors the draft, for the provider's own lists.
        _apply(resource, {name: getattr(version, name) for name in Resource.CONTENT_FIELDS})
        resource.save()
    audit.record("resource.update", actor=actor, request=request, target=resource, version=version.number,
                 fields=sorted(content))
    return version


def add_file(actor: User, resource: Resource, *, role: str, chunks, file_name: str, declared_content_type: str = "",
             request=None) -> ResourceFile:
    """Receive one file into the working draft. A slot that holds one file has it replaced.

    The upload streams in and is checked before any transaction starts, so a slow or refused upload never
    holds a database lock, and a refusal stays on record in the audit log.
    """
    slot = resource_files.slot(resource.kind, role)
    if slot is None:
        raise ValidationError({"role": _("This type of resource has no such file.")})
    _check_editable(actor, resource)
    file_name = (file_name or "file").replace("\\", "/").rsplit("/", 1)[-1][:200]
    try:
        incoming = storage.receive(chunks, file_name=file_name, allowed=slot.types,
                                   declared_content_type=declared_content_type)
    except ValidationError as exc:
        if exc.code in ("executable", "bad_archive", "mismatch"):
            # A disguised program is worth a look by the security administrator.
            audit.record("resource.upload_rejected", actor=actor, request=request, target=resource, success=False,
                         file_name=file_name, reason=exc.code)
        raise ValidationError({"file": exc.messages}) from exc
    with incoming:
        text = resource_files.extract_text(incoming.path, incoming.file_type)
        duration = resource_files.video_duration(incoming.path, incoming.file_type)
        # Stored before the row that names it: a failure in between leaves an unreferenced blob, never a
        # row pointing at nothing.
        storage_name = incoming.store(STORAGE_PREFIX)
        return _attach_file(actor, resource, slot, incoming, storage_name, text, duration, request)


def _check_editable(actor: User, resource: Resource) -> None:
    if not permissions.can_manage(actor, resource):
        raise PermissionDenied
    latest = latest_version(resource)
    if latest.state in (VersionState.SUBMITTED, VersionState.SCREENED, VersionState.IN_REVIEW):
        raise ValidationError(_("Version %(n)d is being reviewed. Withdraw it before making changes.")
                              % {"n": latest.number}, code="under_review")


@transaction.atomic
def _attach_file(actor, resource, slot, incoming, storage_name, text, duration, request) -> ResourceFile:
    resource = _lock(resource)
    version = draft_for_edit(actor, resource)
    if not slot.many:
        version.files.filter(role=slot.role).delete()
    stored = ResourceFile.objects.create(
        version=version, role=slot.role, file_type=incoming.file_type, name=incoming.name,
        storage_name=storage_name, size=incoming.size, sha256=incoming.sha256,
        content_type=incoming.type.content_type, text=text, duration_seconds=duration,
    )
    if duration and not version.duration_seconds and resource.kind in resource_files.KINDS_WITH_DURATION:
        version.duration_seconds = duration
        version.save(update_fields=["duration_seconds"])
    audit.record("resource.file_upload", actor=actor, request=request, target=resource, version=version.number,
                 role=slot.role, file_type=stored.file_type, size=stored.size, sha256=stored.sha256)
    return stored


@transaction.atomic
def remove_file(actor: User, resource: Resource, file_id: int, *, request=None) -> None:
    resource = _lock(resource)
    version = draft_for_edit(actor, resource)
    # After a copy the file has a new id in the new draft; match it through the stored bytes and role.
    original = ResourceFile.objects.filter(pk=file_id, version__resource=resource).first()
    if original is None:
        raise ValidationError({"file": _("No such file in this resource.")})
    version.files.filter(role=original.role, sha256=original.sha256).delete()
    audit.record("resource.update", actor=actor, request=request, target=resource, version=version.number,
                 removed_file=original.name)


# --- Submission and machine screening -------------------------------------------------------------------


@transaction.atomic
def submit(actor: User, resource: Resource, *, request=None) -> ResourceVersion:
    """Send the working draft to review: machine pre-screen first; it passes to the level-1 review queue
    or comes back rejected with its findings."""
    resource = _lock(resource)
    if not permissions.can_manage(actor, resource):
        raise PermissionDenied
    blockers = submission_blockers(actor)
    if blockers:
        raise ValidationError(blockers, code="provider_not_ready")
    version = latest_version(resource)
    if version.state != VersionState.DRAFT:
        raise ValidationError(
            _("There is no draft to submit: version %(n)d is “%(state)s”. Edit the resource to start a new version.")
            % {"n": version.number, "state": VersionState(version.state).label}, code="illegal_transition")
    _move(version, VersionState.SUBMITTED)
    version.submitted_at = timezone.now()
    version.save()
    audit.record("resource.submit", actor=actor, request=request, target=resource, version=version.number)
    _screen(version)
    return version


def _screen(version: ResourceVersion) -> ScreeningReport:
    result = prescreen.screen(version)
    report = ScreeningReport.objects.create(version=version, passed=result.passed, findings=result.findings)
    resource = version.resource
    if result.passed:
        _move(version, VersionState.SCREENED)
        version.review_level = 1
        version.save()
        _open_task(version, TaskKind.PUBLICATION, level=1)
    else:
        _move(version, VersionState.REJECTED)
        version.decided_at = timezone.now()
        version.rejection_reasons = "\n".join(f["message"] for f in result.findings)
        version.save()
        notify(resource.created_by, resource,
                lambda: _("“%(title)s” (version %(n)d) did not pass the machine pre-screen: %(count)d problems to fix.")
                % {"title": version.title, "n": version.number, "count": len(result.findings)})
    audit.record("resource.screen", actor_name="system", target=resource, version=version.number,
                 passed=result.passed, findings=len(result.findings),
                 checks=sorted({f["check"] for f in result.findings}))
    return report


def _open_task(version: ResourceVersion, kind: str, *, level: int = 1, reason: str = "") -> ReviewTask:
    return ReviewTask.objects.create(version=version, resource=version.resource, kind=kind, level=level,
                                     provider_path=version.resource.provider_path, reason=reason[:300])


@transaction.atomic
def withdraw(actor: User, resource: Resource, *, request=None) -> ResourceVersion:
    """Take the newest version back from review (or abandon a draft); the live version is unaffected."""
    resource = _lock(resource)
    if not permissions.can_manage(actor, resource):
        raise PermissionDenied
    version = latest_version(resource)
    _move(version, VersionState.WITHDRAWN)
    version.decided_at = timezone.now()
    version.save()
    ReviewTask.objects.filter(version=version, state__in=[TaskState.OPEN, TaskState.CLAIMED]).update(
        state=TaskState.CANCELLED, done_at=timezone.now())
    audit.record("resource.withdraw", actor=actor, request=request, target=resource, version=version.number)
    return version


# --- Human review ----------------------------------------------------------------------------------------


def _task_for_update(task: ReviewTask) -> ReviewTask:
    return ReviewTask.objects.select_for_update().select_related("version", "resource").get(pk=task.pk)


def _fresh(task: ReviewTask) -> ReviewTask:
    return ReviewTask.objects.select_related("version", "resource").get(pk=task.pk)


def _earlier_reviewers(version: ResourceVersion) -> set[int]:
    return set(ReviewDecision.objects.filter(version=version).values_list("reviewer_id", flat=True))


def review_refusal(actor: User, task: ReviewTask) -> str | None:
    """Why ``actor`` may not take this task, in words; None when they may."""
    resource = task.resource
    if not permissions.in_review_scope(actor, resource):
        return _("This resource is outside your review scope.")
    if permissions.is_own_organisation(actor, resource):
        return _("You cannot review a resource from your own organisation.")
    if task.kind == TaskKind.PUBLICATION and actor.pk in _earlier_reviewers(task.version):
        return _("You decided an earlier review level of this version; another reviewer takes this level.")
    if task.state == TaskState.CLAIMED and task.claimed_by_id != actor.pk:
        return _("Another reviewer is reviewing this.")
    if task.state not in (TaskState.OPEN, TaskState.CLAIMED):
        return _("This review is already closed.")
    return None


def _require_reviewable(actor: User, task: ReviewTask, *, audit_refusal: bool = False) -> None:
    refusal = review_refusal(actor, task)
    if refusal is None:
        return
    if not permissions.in_review_scope(actor, task.resource):
        raise PermissionDenied
    if audit_refusal and permissions.is_own_organisation(actor, task.resource):
        # Outside the decision's transaction, so the attempt stays on record when the refusal rolls back.
        audit.record("access.denied", actor=actor, target=task.resource, success=False, reason="own_organisation")
    raise ValidationError(refusal, code="not_reviewable")


def claim(actor: User, task: ReviewTask) -> ReviewTask:
    """Take a task from the queue; the version is then "in review"."""
    _require_reviewable(actor, _fresh(task), audit_refusal=True)
    return _claim(actor, task)


@transaction.atomic
def _claim(actor: User, task: ReviewTask) -> ReviewTask:
    task = _task_for_update(task)
    _require_reviewable(actor, task)
    if task.state == TaskState.OPEN:
        task.state, task.claimed_by, task.claimed_at = TaskState.CLAIMED, actor, timezone.now()
        task.save()
    version = task.version
    if task.kind == TaskKind.PUBLICATION and version.state == VersionState.SCREENED:
        _move(version, VersionState.IN_REVIEW)
        version.save()
    return task


@transaction.atomic
def release(actor: User, task: ReviewTask) -> ReviewTask:
    task = _task_for_update(task)
    if task.state != TaskState.CLAIMED or task.claimed_by_id != actor.pk:
        raise ValidationError(_("Only the reviewer who took this task can put it back."))
    task.state, task.claimed_by, task.claimed_at = TaskState.OPEN, None, None
    task.save()
    return task


def _clean_dimensions(dimensions: dict) -> dict:
    """{dimension: {"checks": {item: bool}, "comment": str}} → the same with ``passed`` per dimension.
    A dimension passes when every item of its checklist is ticked."""
    cleaned = {}
    for dimension in Dimension.values:
        given = (dimensions or {}).get(dimension) or {}
        checks = {code: bool((given.get("checks") or {}).get(code)) for code, _label in CHECKLIST[dimension]}
        comment = str(given.get("comment") or "").strip()[:2000]
        cleaned[dimension] = {"checks": checks, "comment": comment, "passed": all(checks.values())}
    return cleaned


def decide(actor: User, task: ReviewTask, *, outcome: str, dimensions: dict | None = None, comment: str = "",
           request=None) -> ReviewDecision:
    """Record a reviewer's decision on a task and move the workflow on.

    Publication review: ``approve`` (every dimension's checklist passed) opens the next level or, at the
    last level, publishes; ``reject`` returns the version with the reasons. Spot checks and evaluation
    reviews: ``keep`` or ``take_down``.
    """
    _require_reviewable(actor, _fresh(task), audit_refusal=True)
    return _decide(actor, task, outcome=outcome, dimensions=dimensions, comment=comment, request=request)


@transaction.atomic
def _decide(actor, task, *, outcome, dimensions, comment, request) -> ReviewDecision:
    task = _task_for_update(task)
    _require_reviewable(actor, task)
    version, resource = task.version, _lock(task.resource)
    allowed = ({Outcome.APPROVE, Outcome.REJECT} if task.kind == TaskKind.PUBLICATION
               else {Outcome.KEEP, Outcome.TAKE_DOWN})
    if outcome not in allowed:
        raise ValidationError({"outcome": _("Choose one of: %(choices)s.")
                               % {"choices": "、".join(str(Outcome(o).label) for o in sorted(allowed))}})
    dims = _clean_dimensions(dimensions)
    comment = (comment or "").strip()[:4000]
    failed = [str(Dimension(d).label) for d, v in dims.items() if not v["passed"]]
    if outcome in (Outcome.APPROVE, Outcome.KEEP) and failed:
        raise ValidationError({"dimensions": _("Tick every checklist item before approving; not met: %(dims)s.")
                               % {"dims": "、".join(failed)}})
    if outcome in (Outcome.REJECT, Outcome.TAKE_DOWN) and not (comment or any(v["comment"] for v in dims.values())):
        raise ValidationError({"comment": _("Give the reasons, so the provider knows what to fix.")})
    if task.kind == TaskKind.PUBLICATION and version.state == VersionState.SCREENED:
        _move(version, VersionState.IN_REVIEW)
    decision = ReviewDecision.objects.create(task=task, version=version, reviewer=actor, level=task.level,
                                             outcome=outcome, dimensions=dims, comment=comment)
    task.state, task.done_at = TaskState.DONE, timezone.now()
    if task.claimed_by_id is None:
        task.claimed_by, task.claimed_at = actor, task.done_at
    task.save()
    audit.record("review.decide", actor=actor, request=request, target=resource, version=version.number,
                 level=task.level, kind=task.kind, outcome=outcome, failed_dimensions=failed)
    if task.kind == TaskKind.PUBLICATION:
        _after_publication_decision(actor, task, version, resource, decision, request)
    elif outcome == Outcome.TAKE_DOWN:
        put_offline(actor, resource, reason=_reasons_text(decision), request=request)
    return decision


def _reasons_text(decision: ReviewDecision) -> str:
    lines = [decision.comment] if decision.comment else []
    for dimension, value in decision.dimensions.items():
        if value.get("comment"):
            lines.append(f"{Dimension(dimension).label}: {value['comment']}")
    return "\n".join(lines)


def _after_publication_decision(actor, task, version, resource, decision, request) -> None:
    if decision.outcome == Outcome.REJECT:
        _move(version, VersionState.REJECTED)
        version.decided_at = timezone.now()
        version.rejection_reasons = _reasons_text(decision)
        version.save()
        notify(resource.created_by, resource,
                lambda: _("“%(title)s” (version %(n)d) was not approved. Reasons: %(reasons)s")
                % {"title": version.title, "n": version.number, "reasons": version.rejection_reasons},
                mail_subject=lambda: _("Review result: %(title)s") % {"title": version.title})
        return
    if task.level < review_levels(version.library):
        _move(version, VersionState.IN_REVIEW)
        version.review_level = task.level + 1
        version.save()
        _open_task(version, TaskKind.PUBLICATION, level=task.level + 1)
        return
    _publish(actor, resource, version, request=request)


def _publish(actor: User, resource: Resource, version: ResourceVersion, *, request=None) -> None:
    """The approved version becomes the live one; the one it replaces stays in the history."""
    _move(version, VersionState.APPROVED)
    version.decided_at = timezone.now()
    version.save()
    _apply(resource, {name: getattr(version, name) for name in Resource.CONTENT_FIELDS})
    was = resource.status
    resource.live_version = version
    resource.status = Status.PUBLISHED
    resource.published_at = resource.published_at or version.decided_at
    resource.taken_down_at = None
    resource.save()
    resource.columns.set(version.columns.all())
    audit.record("resource.publish", actor=actor, request=request, target=resource, version=version.number,
                 republished=was == Status.TAKEN_DOWN, update=was == Status.PUBLISHED)
    notify(resource.created_by, resource,
            lambda: _("“%(title)s” (version %(n)d) passed review and is online.")
            % {"title": version.title, "n": version.number},
            mail_subject=lambda: _("Review result: %(title)s") % {"title": version.title})
    _search_changed(resource)


@transaction.atomic
def take_down(actor: User, resource: Resource, *, reason: str, request=None) -> Resource:
    """A reviewer or complaint handler takes a published resource offline at once (下架)."""
    resource = _lock(resource)
    if not (permissions.can_review(actor, resource) or permissions.can_handle_complaints(actor, resource)):
        raise PermissionDenied
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for taking the resource down.")})
    return put_offline(actor, resource, reason=reason.strip(), request=request)


def put_offline(actor: User | None, resource: Resource, *, reason: str, request=None) -> Resource:
    """Take a resource offline; the caller has checked the actor's permission and holds the row lock."""
    if resource.status != Status.PUBLISHED:
        raise ValidationError(_("Only a published resource can be taken down; this one is “%(status)s”.")
                              % {"status": Status(resource.status).label}, code="illegal_transition")
    resource.status = Status.TAKEN_DOWN
    resource.taken_down_at = timezone.now()
    resource.save(update_fields=["status", "taken_down_at"])
    ReviewTask.objects.filter(resource=resource, kind__in=[TaskKind.SPOT_CHECK, TaskKind.EVALUATION],
                              state__in=[TaskState.OPEN, TaskState.CLAIMED]).update(
        state=TaskState.CANCELLED, done_at=timezone.now())
    audit.record("resource.take_down", actor=actor, request=request, target=resource, reason=reason[:500])
    notify(resource.created_by, resource,
            lambda: _("“%(title)s” was taken down. Reason: %(reason)s Fix it and submit a new version; it goes "
                      "back online once it passes review.") % {"title": resource.title, "reason": reason},
            mail_subject=lambda: _("Resource taken down: %(title)s") % {"title": resource.title})
    _search_changed(resource)
    return resource


# --- Spot checks (Art.14) and dynamic evaluation (Art.16) ------------------------------------------------


def queue_spot_checks(actor: User | None = None, *, count: int | None = None, request=None,
                      rng: random.Random | None = None) -> list[ReviewTask]:
    """Queue a random sample of published resources for re-review (by default ZJ_SPOT_CHECK_SHARE of them,
    at least one, at most ZJ_SPOT_CHECK_MAX). Resources with an open spot check are not drawn again."""
    if actor is not None and not _may_queue_checks(actor):
        raise PermissionDenied
    rng = rng or random.SystemRandom()
    busy = ReviewTask.objects.filter(kind=TaskKind.SPOT_CHECK, state__in=[TaskState.OPEN, TaskState.CLAIMED])
    candidates = Resource.objects.filter(status=Status.PUBLISHED, live_version__isnull=False).exclude(
        pk__in=busy.values("resource_id"))
    if actor is not None:
        scope = _review_scope_q(actor)
        candidates = candidates.filter(scope) if scope is not None else candidates.none()
    top = candidates.aggregate(top=Max("pk"))["top"]
    if top is None:
        return []
    total = candidates.count()
    wanted = count if count is not None else min(settings.ZJ_SPOT_CHECK_MAX,
                                                 max(1, round(total * settings.ZJ_SPOT_CHECK_SHARE)))
    wanted = min(wanted, total)
    chosen: set[int] = set()
    # Random ids probe the id range (cheap on millions of rows); fall back to a scan when sparse.
    for _probe in range(wanted * 20):
        if len(chosen) >= wanted:
            break
        found = candidates.filter(pk__gte=rng.randint(1, top)).exclude(pk__in=chosen).order_by("pk").values_list(
            "pk", flat=True).first()
        if found is not None:
            chosen.add(found)
    if len(chosen) < wanted:
        chosen.update(candidates.exclude(pk__in=chosen).values_list("pk", flat=True)[: wanted - len(chosen)])
    tasks = []
    with transaction.atomic():
        for resource in Resource.objects.filter(pk__in=chosen).select_related("live_version"):
            tasks.append(_open_task(resource.live_version, TaskKind.SPOT_CHECK, reason=_("Weekly spot check")))
        audit.record("review.spot_check", actor=actor, actor_name="" if actor else "system", request=request,
                     queued=len(tasks), resources=sorted(chosen)[:200])
    return tasks


def _may_queue_checks(actor: User) -> bool:
    from zhijiao.identity import permissions as identity_permissions

    return identity_permissions.has_capability(actor, "resource.review")


def _review_scope_q(actor: User):
    from django.db.models import Q

    from zhijiao.identity import permissions as identity_permissions

    paths = identity_permissions.scope_paths(actor, "resource.review")
    if not paths:
        return None
    q = Q()
    for path in paths:
        q |= Q(provider_path__startswith=path)
    return q


def evaluate(now=None) -> list[ReviewTask]:
    """Queue for takedown review every published resource rated too low or complained about too often
    (Art.16), unless one is already queued."""
    busy = ReviewTask.objects.filter(kind=TaskKind.EVALUATION, state__in=[TaskState.OPEN, TaskState.CLAIMED])
    stats = ResourceStats.objects.filter(resource__status=Status.PUBLISHED).exclude(
        resource_id__in=busy.values("resource_id")).select_related("resource__live_version")
    low_rating = stats.filter(rating_count__gte=settings.ZJ_EVAL_MIN_RATINGS)
    complained = stats.filter(views__gte=settings.ZJ_EVAL_MIN_VIEWS, complaint_count__gt=0)
    tasks = []
    with transaction.atomic():
        for row in low_rating.iterator():
            if row.rating is not None and row.rating < settings.ZJ_EVAL_MIN_RATING:
                tasks.append(_queue_evaluation(row, _("Average rating %(rating).1f below %(min).1f")
                                               % {"rating": row.rating, "min": settings.ZJ_EVAL_MIN_RATING}))
        queued = {t.resource_id for t in tasks}
        for row in complained.iterator():
            if row.resource_id not in queued and row.complaint_rate > settings.ZJ_EVAL_MAX_COMPLAINT_RATE:
                tasks.append(_queue_evaluation(row, _("%(complaints)d complaints in %(views)d views")
                                               % {"complaints": row.complaint_count, "views": row.views}))
    return tasks


def _queue_evaluation(stats: ResourceStats, reason: str) -> ReviewTask:
    task = _open_task(stats.resource.live_version, TaskKind.EVALUATION, reason=reason)
    audit.record("review.evaluation", actor_name="system", target=stats.resource, reason=reason)
    return task
