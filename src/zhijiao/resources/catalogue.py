"""Writes to the catalogue: boards and columns (板块/栏目) and the textbook tree below a volume (单元, 课时).

Only platform-wide catalogue administrators (``resource.catalogue``) change them, and every change is in
the audit log. Nodes are hidden or renamed rather than deleted once resources refer to them, so resource
ids and their tags stay meaningful.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhijiao.core import audit
from zhijiao.identity import permissions
from zhijiao.identity.models import User
from zhijiao.resources.models import Board, Column, Lesson, Library, Stage, Unit, Volume

CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}$")


def _name(value: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({"name": _("Enter a name.")})
    if len(value) > limit:
        raise ValidationError({"name": _("At most %(n)d characters.") % {"n": limit}})
    return value


def _code(value: str, model) -> str:
    value = (value or "").strip().lower()
    if not CODE.match(value):
        raise ValidationError({"code": _("Use lower-case letters, digits and hyphens, e.g. k12-moral-safety.")})
    if model.objects.filter(code=value).exists():
        raise ValidationError({"code": _("This code is taken.")})
    return value


@transaction.atomic
def create_board(actor: User, *, library: str, code: str, name: str, description: str = "", order: int = 0,
                 request=None) -> Board:
    permissions.require(actor, "resource.catalogue")
    if library not in Library.values:
        raise ValidationError({"library": _("Choose a library.")})
    board = Board.objects.create(library=library, code=_code(code, Board), name=_name(name, 50),
                                 description=(description or "").strip()[:300], order=order)
    audit.record("catalogue.change", actor=actor, request=request, target=board, change="board.create", name=board.name)
    return board


@transaction.atomic
def update_board(actor: User, board: Board, *, name: str | None = None, description: str | None = None,
                 order: int | None = None, active: bool | None = None, request=None) -> Board:
    permissions.require(actor, "resource.catalogue")
    if name is not None:
        board.name = _name(name, 50)
    if description is not None:
        board.description = description.strip()[:300]
    if order is not None:
        board.order = order
    if active is not None:
        board.active = active
    board.save()
    audit.record("catalogue.change", actor=actor, request=request, target=board, change="board.update",
                 name=board.name, active=board.active)
    return board


def _stages(codes) -> list[Stage]:
    codes = list(codes or [])
    stages = list(Stage.objects.filter(code__in=codes))
    if len(stages) != len(set(codes)):
        raise ValidationError({"stages": _("Unknown school stage.")})
    return stages


@transaction.atomic
def create_column(actor: User, board: Board, *, code: str, name: str, stages=(), order: int = 0,
                  request=None) -> Column:
    permissions.require(actor, "resource.catalogue")
    column = Column.objects.create(board=board, code=_code(code, Column), name=_name(name, 50), order=order)
    column.stages.set(_stages(stages))
    audit.record("catalogue.change", actor=actor, request=request, target=column, change="column.create",
                 name=column.name, board=board.code, stages=sorted(stages))
    return column


@transaction.atomic
def update_column(actor: User, column: Column, *, name: str | None = None, stages=None, order: int | None = None,
                  active: bool | None = None, request=None) -> Column:
    permissions.require(actor, "resource.catalogue")
    if name is not None:
        column.name = _name(name, 50)
    if order is not None:
        column.order = order
    if active is not None:
        column.active = active
    column.save()
    if stages is not None:
        column.stages.set(_stages(stages))
    audit.record("catalogue.change", actor=actor, request=request, target=column, change="column.update",
                 name=column.name, active=column.active, stages=sorted(s.code for s in column.stages.all()))
    return column


@transaction.atomic
def add_unit(actor: User, volume: Volume, *, name: str, request=None) -> Unit:
    permissions.require(actor, "resource.catalogue")
    order = (volume.units.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    unit = Unit.objects.create(volume=volume, name=_name(name, 100), order=order)
    audit.record("catalogue.change", actor=actor, request=request, target=unit, change="unit.create",
                 volume=volume.code, name=unit.name)
    return unit


@transaction.atomic
def add_lesson(actor: User, unit: Unit, *, name: str, request=None) -> Lesson:
    permissions.require(actor, "resource.catalogue")
    order = (unit.lessons.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    lesson = Lesson.objects.create(unit=unit, name=_name(name, 100), order=order)
    audit.record("catalogue.change", actor=actor, request=request, target=lesson, change="lesson.create",
                 unit=unit.pk, name=lesson.name)
    return lesson


@transaction.atomic
def rename(actor: User, node: Unit | Lesson, *, name: str, request=None) -> Unit | Lesson:
    permissions.require(actor, "resource.catalogue")
    node.name = _name(name, 100)
    node.save(update_fields=["name"])
    audit.record("catalogue.change", actor=actor, request=request, target=node, change="rename", name=node.name)
    return node
