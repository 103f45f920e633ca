"""Many published resources for demos and benchmarks (about 100,000 at ``--scale medium``, 1,000,000 at
``--scale large``), with realistic Chinese titles and summaries.

Titles and summaries are composed from real lesson topics of each subject, the textbook tree (stage,
grade, edition, volume, unit, lesson) and the title patterns the national platform's resources use
(《…》第X课时 微课, 课件, 教学设计, 同步练习, 实验视频 …); see demo/resource_words.py.

The fast path writes the real ``Resource`` rows (published, with their use figures in ``ResourceStats``
and their columns) with ``bulk_create`` and then builds the real search index with
``resources.search.reindex_all``. It skips what the review workflow would have written for each one
(versions, screening reports, review decisions, files): those are demonstrated by the small set of
resources that go through the workflow, and would only multiply the rows without changing what the
discovery pages and the search benchmark exercise. Resources hang from the lessons of the browse tree;
where a lesson has only a numbered name (第一单元 第1课时, made by demo/resource_centre.py for volumes
without a real table of contents), the title uses a real topic of the subject instead.
"""

from __future__ import annotations

import json
import random
import re
import time
from dataclasses import dataclass
from datetime import timedelta

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from zhijiao.demo.resource_words import (
    BOARD_TOPICS,
    SUMMARY_GOALS,
    SUMMARY_OPENINGS,
    TITLE_PATTERNS,
    TOPICS,
)
from zhijiao.identity.models import Organisation, OrgKind
from zhijiao.resources import search as resource_search
from zhijiao.resources.models import (
    Column,
    Kind,
    Lesson,
    Library,
    Resource,
    ResourceStats,
    Status,
)

COUNTS = {"small": 0, "medium": 100_000, "large": 1_000_000}
BATCH = 5000
NUMBERED = re.compile(r"第.{1,3}课时$")
# Resource types and how common they are among curriculum resources.
KIND_WEIGHTS = [
    (Kind.VIDEO, 30), (Kind.LESSON_PACKAGE, 12), (Kind.COURSEWARE, 18), (Kind.DOCUMENT, 20), (Kind.EXERCISE_SET, 12),
    (Kind.TEACHING_CASE, 4), (Kind.VIRTUAL_EXPERIMENT, 2), (Kind.E_BOOK, 1), (Kind.EXTERNAL_LINK, 1),
]
KIND_LABELS = {
    Kind.VIDEO: "微课视频", Kind.LESSON_PACKAGE: "课时资源包", Kind.COURSEWARE: "教学课件", Kind.DOCUMENT: "教学设计",
    Kind.EXERCISE_SET: "同步练习", Kind.TEACHING_CASE: "教学案例", Kind.VIRTUAL_EXPERIMENT: "虚拟实验",
    Kind.E_BOOK: "拓展阅读", Kind.EXTERNAL_LINK: "场馆资源", Kind.E_TEXTBOOK: "电子教材",
}


@dataclass(frozen=True)
class Slot:
    """Where a resource hangs: one lesson of one volume, with the names its title is made of."""

    stage_id: int
    stage: str
    subject_id: int
    subject: str
    grade_id: int | None
    grade: str
    edition_id: int
    edition: str
    volume_id: int
    volume: str
    unit_id: int
    unit: str
    lesson_id: int
    lesson: str
    column_id: int | None


def _topics(subject: str, stage: str) -> list[str]:
    """Topics of a subject for a stage (数学's list runs 小学, then 初中 from 有理数, then 高中 from 集合)."""
    topics = TOPICS.get(subject, TOPICS["语文"])
    if subject == "数学":
        junior, senior = topics.index("有理数"), topics.index("集合的概念")
        return {"小学": topics[:junior], "初中": topics[junior:senior]}.get(stage, topics[senior:])
    return topics


def _slots() -> list[Slot]:
    columns = {}
    for column in Column.objects.filter(board__code="k12-curriculum").prefetch_related("stages"):
        for stage in column.stages.all():
            columns[stage.pk] = column.pk
    rows = Lesson.objects.values_list(
        "pk", "name", "unit_id", "unit__name", "unit__volume_id", "unit__volume__name", "unit__volume__edition_id",
        "unit__volume__edition__name", "unit__volume__subject_id", "unit__volume__subject__name",
        "unit__volume__subject__stage_id", "unit__volume__subject__stage__name", "unit__volume__grade_id",
        "unit__volume__grade__name")
    slots = []
    for (pk, name, unit_id, unit, volume_id, volume, edition_id, edition, subject_id, subject, stage_id, stage,
         grade_id, grade) in rows:
        topic = name
        if NUMBERED.search(topic):
            topics = _topics(subject, stage)
            topic = topics[pk % len(topics)]
        slots.append(Slot(stage_id, stage, subject_id, subject, grade_id, grade or "", edition_id, edition,
                          volume_id, volume, unit_id, unit, pk, topic, columns.get(stage_id)))
    return slots


def _board_columns() -> list[tuple[int, str]]:
    """(column id, board name) of the K-12 boards other than 课程教学, for non-curriculum resources."""
    return list(Column.objects.filter(board__library=Library.K12).exclude(board__code="k12-curriculum")
                .values_list("pk", "board__name"))


def _compose(rng: random.Random, slot: Slot, kind: str) -> tuple[str, str, list[str]]:
    values = {"topic": slot.lesson, "n": rng.randint(1, 3), "edition": slot.edition, "grade": slot.grade,
              "subject": slot.subject, "volume": slot.volume, "unit": slot.unit, "stage": slot.stage,
              "kind_label": KIND_LABELS.get(kind, "资源")}
    title = rng.choice(TITLE_PATTERNS[kind]).format(**values)
    summary = rng.choice(SUMMARY_OPENINGS).format(**values) + "".join(
        goal.format(**values) for goal in rng.sample(SUMMARY_GOALS, 2))
    return title[:200], summary, [slot.lesson]


class _Rows:
    """Plain multi-row INSERTs into a model's own table, values adapted the way the ORM would store them.

    ``bulk_create`` spends most of its time building model instances and preparing every field of every
    row; for a million rows that is most of the seeding time. Missing fields take the model's defaults.
    """

    def __init__(self, model):
        self.fields = list(model._meta.concrete_fields)
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        quote = connection.ops.quote_name
        self.sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in self.fields)}) "
                    f"VALUES ({', '.join(['%s'] * len(self.fields))})")
        self.table = model._meta.db_table
        self.rows: list[tuple] = []

    def next_id(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {connection.ops.quote_name(self.table)}")
            return cursor.fetchone()[0] + 1

    def add(self, **values) -> None:
        row = []
        for f in self.fields:
            value = values.get(f.attname, self.defaults[f.attname])
            if isinstance(f, models.JSONField):
                value = json.dumps(value, ensure_ascii=False)
            elif isinstance(f, models.DateTimeField) and value is not None:
                value = connection.ops.adapt_datetimefield_value(value)
            row.append(value)
        self.rows.append(tuple(row))

    def flush(self, cursor) -> None:
        cursor.executemany(self.sql, self.rows)
        self.rows = []


def seed_resources(count: int, *, seed: int = 2026, progress=None) -> dict:
    """Add ``count`` published resources and index them. Returns counts and timings."""
    started = time.monotonic()
    rng = random.Random(seed)
    slots = _slots()
    if not slots:
        raise RuntimeError("no textbook lessons: load the resource reference data first")
    providers = list(Organisation.objects.filter(kind=OrgKind.SCHOOL).order_by("pk")
                     .values_list("pk", "path")[:2000]) or list(Organisation.objects.values_list("pk", "path")[:10])
    board_columns = _board_columns()
    kinds, weights = zip(*KIND_WEIGHTS)
    now = timezone.now()
    first_day = now - timedelta(days=720)
    step = timedelta(days=720) / max(count, 1)
    through = Resource.columns.through
    resources, stats, placements = _Rows(Resource), _Rows(ResourceStats), _Rows(through)
    next_id, next_placement = resources.next_id(), placements.next_id()
    authors = [f"{name}老师" for name in "王李张刘陈杨黄赵周吴"]
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        for _ in range(size):
            kind = rng.choices(kinds, weights)[0]
            slot = rng.choice(slots)
            provider_id, provider_path = rng.choice(providers)
            column_id = slot.column_id
            if board_columns and rng.random() < 0.1:
                column_id, board = rng.choice(board_columns)
                slot = Slot(**{**slot.__dict__, "lesson": rng.choice(BOARD_TOPICS.get(board, ["专题教育"]))})
            title, summary, knowledge = _compose(rng, slot, kind if kind in TITLE_PATTERNS else Kind.VIDEO)
            at = first_day + step * (next_id - 1)
            resources.add(
                id=next_id, title=title, summary=summary, library=Library.K12, stage_id=slot.stage_id,
                subject_id=slot.subject_id, grade_id=slot.grade_id, edition_id=slot.edition_id,
                volume_id=slot.volume_id, unit_id=slot.unit_id, lesson_id=slot.lesson_id, knowledge_points=knowledge,
                keywords=[slot.subject, KIND_LABELS.get(kind, "")], authors=[rng.choice(authors)],
                first_class=rng.random() < 0.03, premium=rng.random() < 0.05,
                duration_seconds=rng.randint(600, 1500) if kind == Kind.VIDEO else None, kind=kind,
                status=Status.PUBLISHED, provider_id=provider_id, provider_path=provider_path, created_at=at,
                published_at=at + timedelta(hours=6),
            )
            rated = rng.randint(0, 20)
            stats.add(resource_id=next_id, views=int(rng.paretovariate(1.1) * 20),
                      downloads=int(rng.paretovariate(1.3) * 2), favourite_count=int(rng.paretovariate(1.5)),
                      rating_count=rated, rating_sum=sum(rng.randint(3, 5) for _ in range(rated)))
            if column_id is not None:
                placements.add(id=next_placement, resource_id=next_id, column_id=column_id)
                next_placement += 1
            next_id += 1
        with transaction.atomic(), connection.cursor() as cursor:
            for rows in (resources, stats, placements):
                rows.flush(cursor)
        made += size
        if progress:
            progress("resources", made)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Resource, through]):
            cursor.execute(statement)
    created = time.monotonic() - started
    indexed = resource_search.reindex_all(progress=(lambda n: progress("indexed", n)) if progress else None)
    return {"resources": made, "indexed": indexed, "create_seconds": created,
            "index_seconds": time.monotonic() - started - created}
