"""Forms of the resource centre's pages. Choices that depend on each other (subject → edition → volume →
lesson) are narrowed on the server from what the form currently holds, so the page works without
JavaScript: "Update choices" re-renders the form, a small script does it on change."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhijiao.resources import files as resource_files
from zhijiao.resources.models import (
    Column,
    ComplaintCategory,
    DownloadPolicy,
    Edition,
    Grade,
    Kind,
    Lesson,
    Library,
    Licence,
    Major,
    Outcome,
    Subject,
    Volume,
)

LANGUAGES = [("zh-hans", "中文"), ("en", "English"), ("bo", "藏语"), ("ug", "维吾尔语"), ("mn", "蒙古语")]


def _ids(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ResourceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                              help_text=_("What learners get from it, in at least 20 characters."))
    library = forms.ChoiceField(label=_("Library"), choices=Library.choices)
    subject = forms.ModelChoiceField(label=_("Stage and subject"), queryset=Subject.objects.select_related("stage"),
                                     required=False)
    grade = forms.ModelChoiceField(label=_("Grade"), queryset=Grade.objects.all(), required=False)
    edition = forms.ModelChoiceField(label=_("Textbook edition"), queryset=Edition.objects.all(), required=False)
    volume = forms.ModelChoiceField(label=_("Textbook volume"), queryset=Volume.objects.none(), required=False)
    lesson = forms.ModelChoiceField(label=_("Lesson"), queryset=Lesson.objects.none(), required=False)
    major = forms.ModelChoiceField(label=_("Major"), queryset=Major.objects.filter(level="major"), required=False)
    columns = forms.ModelMultipleChoiceField(label=_("Columns"), widget=forms.CheckboxSelectMultiple,
                                             queryset=Column.objects.none(), required=False)
    keywords = forms.CharField(label=_("Keywords"), max_length=600, required=False,
                               help_text=_("Separate with commas."))
    knowledge_points = forms.CharField(label=_("Knowledge points"), max_length=1000, required=False,
                                       help_text=_("Separate with commas."))
    authors = forms.CharField(label=_("Authors"), max_length=600, required=False, help_text=_("Separate with commas."))
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES)
    licence = forms.ChoiceField(label=_("Licence"), choices=Licence.choices)
    download_policy = forms.ChoiceField(label=_("Who may download"), choices=DownloadPolicy.choices)
    duration_seconds = forms.IntegerField(label=_("Video length (seconds)"), min_value=1, max_value=86400,
                                          required=False)
    university = forms.CharField(label=_("University"), max_length=100, required=False)
    first_class = forms.BooleanField(label=_("First-class course (一流课程)"), required=False)
    premium = forms.BooleanField(label=_("Premium resource (精品)"), required=False)
    external_url = forms.URLField(label=_("External address"), max_length=500, required=False,
                                  assume_scheme="https")
    link_owner = forms.CharField(label=_("Who runs the linked site"), max_length=200, required=False)
    change_note = forms.CharField(label=_("What changed"), max_length=300, required=False)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        values = self.data if self.is_bound else self.initial
        subject_id = _ids(values.get("subject") if self.is_bound else getattr(values.get("subject"), "pk", None))
        edition_id = _ids(values.get("edition") if self.is_bound else getattr(values.get("edition"), "pk", None))
        volume_id = _ids(values.get("volume") if self.is_bound else getattr(values.get("volume"), "pk", None))
        library = values.get("library") or Library.K12
        volumes = Volume.objects.select_related("edition")
        self.fields["volume"].queryset = (volumes.filter(subject_id=subject_id, **(
            {"edition_id": edition_id} if edition_id else {})) if subject_id else volumes.none())
        self.fields["lesson"].queryset = (Lesson.objects.filter(unit__volume_id=volume_id).select_related("unit")
                                          if volume_id else Lesson.objects.none())
        self.fields["lesson"].label_from_instance = lambda lesson: f"{lesson.unit.name} · {lesson.name}"
        self.fields["columns"].queryset = Column.objects.filter(active=True, board__active=True,
                                                                board__library=library).select_related("board")
        self.fields["columns"].label_from_instance = lambda c: f"{c.board.name} · {c.name}"
        if kind not in resource_files.KINDS_WITH_DURATION:
            del self.fields["duration_seconds"]
        if kind not in (Kind.EXTERNAL_LINK, Kind.VIRTUAL_EXPERIMENT, Kind.TEACHING_CASE):
            del self.fields["external_url"]
            del self.fields["link_owner"]

    def content(self) -> tuple[dict, list]:
        data = dict(self.cleaned_data)
        columns = list(data.pop("columns"))
        data.pop("change_note", None)
        if data.get("subject") is not None:
            data["stage"] = data["subject"].stage
        return data, columns


class CreateForm(ResourceForm):
    kind = forms.ChoiceField(label=_("Type"), choices=Kind.choices)
    provider = forms.TypedChoiceField(label=_("Provided by"), coerce=int)
    field_order = ["kind", "provider"]

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [(o.pk, o.name) for o in providers]

    def content(self):
        data, columns = super().content()
        data.pop("kind")
        data.pop("provider")
        return data, columns


class UploadForm(forms.Form):
    role = forms.ChoiceField(label=_("Which file"))
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        from zhijiao.core.storage import FILE_TYPES
        from zhijiao.resources.models import FileRole

        self.fields["role"].choices = [
            (slot.role, f"{FileRole(slot.role).label} ({', '.join(FILE_TYPES[t].label for t in slot.types)})")
            for slot in resource_files.SLOTS[kind]
        ]


class ComplaintForm(forms.Form):
    category = forms.ChoiceField(label=_("What is wrong"), choices=ComplaintCategory.choices)
    text = forms.CharField(label=_("Details"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(forms.Form):
    """The four dimensions' checklists and comments; fields are named ``<dimension>__<item>`` and
    ``<dimension>__comment``."""

    outcome = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Overall comment"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, checklist: dict, outcomes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [(o, Outcome(o).label) for o in outcomes]
        self.dimension_groups = []
        for dimension, items in checklist.items():
            names = []
            for code, label in items:
                name = f"{dimension}__{code}"
                self.fields[name] = forms.BooleanField(label=label, required=False)
                names.append(name)
            comment = f"{dimension}__comment"
            self.fields[comment] = forms.CharField(label=_("Comment"), required=False, max_length=2000,
                                                   widget=forms.Textarea(attrs={"rows": 2}))
            self.dimension_groups.append((dimension, names, comment))

    def dimensions(self) -> dict:
        result = {}
        for dimension, names, comment in self.dimension_groups:
            result[dimension] = {"checks": {n.split("__", 1)[1]: self.cleaned_data[n] for n in names},
                                 "comment": self.cleaned_data[comment]}
        return result


class ComplaintDecisionForm(forms.Form):
    uphold = forms.TypedChoiceField(label=_("Decision"), widget=forms.RadioSelect, coerce=lambda v: v == "1",
                                    choices=[("1", _("Uphold: take the resource down")),
                                             ("0", _("Dismiss: keep it online"))])
    outcome = forms.CharField(label=_("Outcome for the person who reported it"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))
