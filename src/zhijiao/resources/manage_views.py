"""Administration pages of the resource centre (/manage/resources/): the reviewers' queue and review form,
the complaint queue, and the catalogue (boards, columns, units and lessons)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhijiao.identity.decorators import admin_page
from zhijiao.identity.views import apply_errors
from zhijiao.resources import catalogue, feedback, permissions, selectors, services
from zhijiao.resources.forms import ComplaintDecisionForm, ReviewForm
from zhijiao.resources.models import (
    Board,
    Column,
    Complaint,
    ComplaintCategory,
    ComplaintState,
    FileRole,
    Library,
    Outcome,
    ReviewTask,
    Stage,
    TaskKind,
    Unit,
    Volume,
)

PAGE = 100


class QueueFilter(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False,
                             choices=[("", gettext_lazy("All"))] + TaskKind.choices)
    library = forms.ChoiceField(label=gettext_lazy("Library"), required=False,
                                choices=[("", gettext_lazy("All"))] + Library.choices)
    level = forms.IntegerField(label=gettext_lazy("Level"), required=False, min_value=1, max_value=9)
    older_than_days = forms.IntegerField(label=gettext_lazy("Waiting at least (days)"), required=False, min_value=0)
    q = forms.CharField(label=gettext_lazy("Title contains"), required=False, max_length=100)


@admin_page("resource.review")
def review_queue(request):
    form = QueueFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    tasks = list(selectors.review_queue(request.user, kind=filters.get("kind") or "",
                                        library=filters.get("library") or "", level=filters.get("level"),
                                        older_than_days=filters.get("older_than_days"),
                                        query=filters.get("q") or "")[:PAGE])
    now = timezone.now()
    return render(request, "resources/manage/queue.html", {
        "form": form, "rows": [(t, (now - t.created_at).days) for t in tasks],
    })


@admin_page("resource.review")
@require_POST
def spot_check(request):
    try:
        count = int(request.POST.get("count") or 0) or None
    except ValueError:
        count = None
    tasks = services.queue_spot_checks(request.user, count=count, request=request)
    messages.success(request, _("%(n)d published resources were queued for a spot check.") % {"n": len(tasks)})
    return redirect("resources-manage:queue")


@admin_page("resource.review")
def review(request, task_id: int):
    task = get_object_or_404(ReviewTask.objects.select_related("version", "resource", "resource__provider"),
                             pk=task_id)
    if not permissions.in_review_scope(request.user, task.resource):
        raise Http404
    outcomes = ([Outcome.APPROVE, Outcome.REJECT] if task.kind == TaskKind.PUBLICATION
                else [Outcome.KEEP, Outcome.TAKE_DOWN])
    form = ReviewForm(request.POST or None, checklist=services.CHECKLIST, outcomes=outcomes)
    refusal = services.review_refusal(request.user, task)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "claim":
                services.claim(request.user, task)
                return redirect("resources-manage:review", task_id=task.pk)
            if action == "release":
                services.release(request.user, task)
                return redirect("resources-manage:queue")
            if form.is_valid():
                services.decide(request.user, task, outcome=form.cleaned_data["outcome"],
                                dimensions=form.dimensions(), comment=form.cleaned_data["comment"], request=request)
                messages.success(request, _("Decision recorded."))
                return redirect("resources-manage:queue")
        except ValidationError as exc:
            apply_errors(form, exc)
    version = task.version
    resource = task.resource
    files = selectors.files_by_role(version.pk)
    history = selectors.versions_of(resource)
    return render(request, "resources/manage/review.html", {
        "task": task, "version": version, "resource": resource, "form": form, "refusal": refusal,
        "files": [(FileRole(role).label, group) for role, group in files.items()],
        "screening": version.screenings.first(),
        "earlier": [d for v in history if v.pk == version.pk for d in v.decisions.all()],
        "history": history,
        "levels": services.review_levels(version.library),
        "columns": list(version.columns.select_related("board")),
    })


# --- Complaints ---------------------------------------------------------------------------------------------


@admin_page("complaint.handle")
def complaints(request):
    state = request.GET.get("state", ComplaintState.OPEN)
    category = request.GET.get("category", "")
    state = state if state in ComplaintState.values or state == "" else ComplaintState.OPEN
    category = category if category in ComplaintCategory.values else ""
    return render(request, "resources/manage/complaints.html", {
        "complaints": list(selectors.complaint_queue(request.user, state=state, category=category)[:PAGE]),
        "state": state, "category": category, "states": ComplaintState.choices,
        "categories": ComplaintCategory.choices, "now": timezone.now(),
    })


@admin_page("complaint.handle")
def complaint(request, complaint_id: int):
    item = get_object_or_404(Complaint.objects.select_related("resource", "complainant"), pk=complaint_id)
    if not permissions.in_complaint_scope(request.user, item.resource):
        raise Http404
    form = ComplaintDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feedback.handle_complaint(request.user, item, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The complaint was handled and the person who reported it was told."))
            return redirect("resources-manage:complaints")
    return render(request, "resources/manage/complaint.html", {
        "item": item, "form": form, "own": permissions.is_own_organisation(request.user, item.resource),
    })


# --- Catalogue ------------------------------------------------------------------------------------------


class BoardForm(forms.Form):
    library = forms.ChoiceField(label=gettext_lazy("Library"), choices=Library.choices)
    code = forms.CharField(label=gettext_lazy("Code"), max_length=40)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=300, required=False)


class ColumnForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=60)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    stages = forms.MultipleChoiceField(label=gettext_lazy("For stages (none = everyone)"), required=False,
                                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stages"].choices = [(s.code, s.name) for s in Stage.objects.all()]


class NameForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)


@admin_page("resource.catalogue")
def catalogue_index(request):
    form = BoardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            board = catalogue.create_board(request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Created %(name)s.") % {"name": board.name})
            return redirect("resources-manage:board", board_id=board.pk)
    return render(request, "resources/manage/catalogue.html", {
        "boards": selectors.boards_with_columns(include_hidden=True), "form": form,
        "stages": selectors.stages_with_subjects(),
    })


@admin_page("resource.catalogue")
def board(request, board_id: int):
    item = get_object_or_404(Board, pk=board_id)
    form = ColumnForm(request.POST if request.POST.get("form") == "column" else None)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "column" and form.is_valid():
                catalogue.create_column(request.user, item, request=request, **form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("resources-manage:board", board_id=item.pk)
            if request.POST.get("form") == "toggle-board":
                catalogue.update_board(request.user, item, active=not item.active, request=request)
                return redirect("resources-manage:board", board_id=item.pk)
            if request.POST.get("form") == "toggle-column":
                column = get_object_or_404(Column, pk=request.POST.get("column"), board=item)
                catalogue.update_column(request.user, column, active=not column.active, request=request)
                return redirect("resources-manage:board", board_id=item.pk)
        except ValidationError as exc:
            apply_errors(form, exc)
    columns = Column.objects.filter(board=item).prefetch_related("stages").order_by("order", "id")
    return render(request, "resources/manage/board.html", {"board": item, "columns": columns, "form": form})


@admin_page("resource.catalogue")
def volumes(request):
    subject_id = request.GET.get("subject")
    items = selectors.volumes_for(int(subject_id)) if subject_id and subject_id.isdigit() else []
    return render(request, "resources/manage/volumes.html", {
        "stages": selectors.stages_with_subjects(), "volumes": items, "subject_id": subject_id,
    })


@admin_page("resource.catalogue")
def volume(request, volume_id: int):
    item = get_object_or_404(Volume.objects.select_related("edition", "subject", "grade"), pk=volume_id)
    form = NameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("unit"):
                unit = get_object_or_404(Unit, pk=request.POST["unit"], volume=item)
                catalogue.add_lesson(request.user, unit, name=form.cleaned_data["name"], request=request)
            else:
                catalogue.add_unit(request.user, item, name=form.cleaned_data["name"], request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
        return redirect("resources-manage:volume", volume_id=item.pk)
    return render(request, "resources/manage/volume.html", {
        "volume": item, "units": selectors.units_with_lessons(item.pk), "form": form,
    })
