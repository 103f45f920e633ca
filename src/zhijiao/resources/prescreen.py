"""机器审核: the automatic pre-screen every submitted version passes before a person reviews it (Art.9).

Four checks, each producing findings a provider can act on:

- ``words``: the sensitive-word automaton (core.screening) over the title, summary, keywords, knowledge
  points, authors, and the text read out of documents and subtitles; each hit is shown in its context;
- ``files``: every required file is there and still in storage;
- ``metadata``: the fields the conformance rule asks to be tagged (Art.13) are filled in;
- ``suitability``: the curriculum tags agree with each other, and a resource for one school stage does
  not sit in a column meant for another (Art.12).

Any finding blocks publication: the version is returned to the provider with the findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from zhijiao.core import screening
from zhijiao.resources import files as resource_files
from zhijiao.resources.models import Column, Kind, Library, ResourceVersion

MIN_TITLE_CHARS = 4
MIN_SUMMARY_CHARS = 20


@dataclass
class Result:
    findings: list[dict] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.findings

    def add(self, check: str, message: str, field_name: str = "", **extra) -> None:
        self.findings.append({"check": check, "field": field_name, "message": str(message), **extra})


def screen(version: ResourceVersion) -> Result:
    result = Result()
    version_files = list(version.files.all())
    columns = list(version.columns.select_related("board").prefetch_related("stages"))
    _words(version, version_files, result)
    _files(version, version_files, result)
    _metadata(version, columns, result)
    _suitability(version, columns, result)
    return result


def _words(version: ResourceVersion, version_files, result: Result) -> None:
    fields = {
        "title": version.title,
        "summary": version.summary,
        "keywords": "；".join(version.keywords),
        "knowledge_points": "；".join(version.knowledge_points),
        "authors": "；".join(version.authors),
        "link_owner": version.link_owner,
    }
    for f in version_files:
        if f.text:
            fields[f"file:{f.pk}"] = f.text
    names = {f"file:{f.pk}": f.name for f in version_files}
    for field_name, hits in screening.scan_fields(fields).items():
        for hit in hits:
            result.add("words", _("Contains the sensitive word “%(word)s”.") % {"word": hit.word},
                       field_name=names.get(field_name, field_name), word=hit.word, category=hit.category,
                       context=hit.context)


def _files(version: ResourceVersion, version_files, result: Result) -> None:
    kind = version.resource.kind
    present = {f.role for f in version_files}
    for slot in resource_files.SLOTS[kind]:
        if slot.required and slot.role not in present:
            result.add("files", _("The %(role)s is missing.") % {"role": _role_label(slot.role)}, slot.role)
    for f in version_files:
        slot = resource_files.slot(kind, f.role)
        if slot is None or f.file_type not in slot.types:
            result.add("files", _("“%(name)s” does not belong in this type of resource.") % {"name": f.name}, f.role)
        elif not default_storage.exists(f.storage_name):
            result.add("files", _("“%(name)s” is no longer in storage; upload it again.") % {"name": f.name}, f.role)
    if kind == Kind.VIRTUAL_EXPERIMENT and "main" not in present and not version.external_url:
        result.add("files", _("A virtual experiment needs its package or the address where it runs."), "external_url")


def _role_label(role: str) -> str:
    from zhijiao.resources.models import FileRole

    return str(FileRole(role).label).lower()


def _metadata(version: ResourceVersion, columns: list[Column], result: Result) -> None:
    missing = _("Fill in: %(what)s.")
    if len(version.title.strip()) < MIN_TITLE_CHARS:
        result.add("metadata", _("The title needs at least %(n)d characters.") % {"n": MIN_TITLE_CHARS}, "title")
    if len(version.summary.strip()) < MIN_SUMMARY_CHARS:
        result.add("metadata", _("The summary needs at least %(n)d characters.") % {"n": MIN_SUMMARY_CHARS},
                   "summary")
    if not version.keywords:
        result.add("metadata", missing % {"what": _("keywords")}, "keywords")
    if not version.authors:
        result.add("metadata", missing % {"what": _("authors")}, "authors")
    if not columns:
        result.add("metadata", _("Choose at least one column where the resource appears."), "columns")
    # Curriculum resources (lesson packages, e-textbooks, anything in a column for particular stages) are
    # tagged with their stage and subject; thematic ones (safety, family education, museums) need not be.
    curriculum = version.resource.kind in (Kind.LESSON_PACKAGE, Kind.E_TEXTBOOK) or any(
        c.stages.all() for c in columns)
    if version.library == Library.K12 and curriculum and (version.stage_id is None or version.subject_id is None):
        result.add("metadata", missing % {"what": _("school stage and subject")}, "subject")
    if version.library == Library.VOCATIONAL and version.major_id is None:
        result.add("metadata", missing % {"what": _("major")}, "major")
    kind = version.resource.kind
    if kind == Kind.LESSON_PACKAGE and version.lesson_id is None:
        result.add("metadata", _("A lesson package belongs to a lesson: choose the textbook lesson."), "lesson")
    if kind in resource_files.KINDS_WITH_DURATION and not version.duration_seconds:
        result.add("metadata", missing % {"what": _("video length")}, "duration_seconds")
    if kind == Kind.EXTERNAL_LINK and not version.external_url:
        result.add("metadata", missing % {"what": _("external address")}, "external_url")
    if version.external_url and not version.link_owner.strip():
        result.add("metadata", _("Say who runs the linked site."), "link_owner")


def _suitability(version: ResourceVersion, columns: list[Column], result: Result) -> None:
    """Art.12: the tags agree with each other, and the columns are meant for the resource's stage."""
    stage_id = version.stage_id
    for name, node, node_stage_id in (
        ("subject", version.subject, version.subject.stage_id if version.subject_id else None),
        ("grade", version.grade, version.grade.stage_id if version.grade_id else None),
    ):
        if node is not None and stage_id is not None and node_stage_id != stage_id:
            result.add("suitability", _("“%(node)s” is not part of the stage %(stage)s.")
                       % {"node": node, "stage": version.stage}, name)
    if version.volume_id:
        volume = version.volume
        if version.subject_id and volume.subject_id != version.subject_id:
            result.add("suitability", _("The textbook volume is for another subject."), "volume")
        if version.grade_id and volume.grade_id and volume.grade_id != version.grade_id:
            result.add("suitability", _("The textbook volume is for another grade."), "volume")
        if version.edition_id and volume.edition_id != version.edition_id:
            result.add("suitability", _("The textbook volume belongs to another edition."), "volume")
    if version.unit_id and version.volume_id and version.unit.volume_id != version.volume_id:
        result.add("suitability", _("The unit is not in the chosen volume."), "unit")
    if version.lesson_id and version.unit_id and version.lesson.unit_id != version.unit_id:
        result.add("suitability", _("The lesson is not in the chosen unit."), "lesson")
    for column in columns:
        if column.board.library != version.library:
            result.add("suitability", _("The column “%(column)s” belongs to another library.") % {"column": column},
                       "columns")
            continue
        stages = list(column.stages.all())
        if stage_id is not None and stages and stage_id not in {s.pk for s in stages}:
            result.add("suitability", _("The column “%(column)s” is for %(stages)s, but the resource is for "
                                        "%(stage)s.") % {"column": column, "stages": "、".join(s.name for s in stages),
                                                         "stage": version.stage}, "columns")
