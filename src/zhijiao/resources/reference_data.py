"""Load the real taxonomy (stages, subjects, grades, editions, volumes, units and lessons of a few real
textbooks, the vocational and undergraduate major catalogues) and the boards and columns from the JSON
files in ``resources/data/``.

Loading is idempotent: rows are matched by their codes, so running it again after the files change adds
and renames without duplicating. A data migration runs it with the historical models; ``zj seed`` and
the tests run it with the current ones.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.apps import apps as global_apps

DATA = Path(__file__).resolve().parent / "data"
TERMS = (("a", "上册"), ("b", "下册"))


@cache
def _read(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def volume_code(edition: str, stage: str, subject: str, part: str) -> str:
    return f"{edition}-{stage}-{subject}-{part}"


def load(apps=global_apps) -> dict[str, int]:
    """Create or update every reference row; returns how many rows of each kind the files describe."""
    model = apps.get_model
    counts = _load_k12(model)
    counts.update(_load_majors(model))
    counts.update(_load_boards(model))
    return counts


def _upsert(manager, lookup: dict, values: dict):
    obj, created = manager.get_or_create(**lookup, defaults=values)
    if not created and any(getattr(obj, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(obj, key, value)
        obj.save()
    return obj


def _load_k12(model) -> dict[str, int]:
    Stage, Subject, Grade = model("resources", "Stage"), model("resources", "Subject"), model("resources", "Grade")
    Edition, Volume = model("resources", "Edition"), model("resources", "Volume")
    data = _read("k12.json")
    stages, subjects, grades = {}, {}, {}
    subject_grades: dict[tuple[str, str], list[int]] = {}
    for order, stage_data in enumerate(data["stages"], 1):
        stage = _upsert(Stage.objects, {"code": stage_data["code"]}, {"name": stage_data["name"], "order": order})
        stages[stage.code] = stage
        for number, name in stage_data["grades"]:
            grades[number] = _upsert(Grade.objects, {"number": number}, {"name": name, "stage": stage})
        for s_order, (code, name, in_grades) in enumerate(stage_data["subjects"], 1):
            subjects[(stage.code, code)] = _upsert(Subject.objects, {"stage": stage, "code": code},
                                                   {"name": name, "order": s_order})
            subject_grades[(stage.code, code)] = in_grades
    whole_year = data["whole_year_volumes"]
    volumes = 0
    for e_order, ed in enumerate(data["editions"], 1):
        edition = _upsert(Edition.objects, {"code": ed["code"]},
                          {"name": ed["name"], "publisher": ed["publisher"], "order": e_order})
        for stage_code, subject_codes in ed["subjects"].items():
            for subject_code in subject_codes:
                subject = subjects[(stage_code, subject_code)]
                for order, (part, name, grade_number) in enumerate(
                        _volume_parts(data, stage_code, subject_code, subject_grades, whole_year), 1):
                    _upsert(Volume.objects, {"code": volume_code(edition.code, stage_code, subject_code, part)},
                            {"edition": edition, "subject": subject, "grade": grades[grade_number], "name": name,
                             "order": order})
                    volumes += 1
    lessons = _load_textbooks(model)
    return {"stages": len(stages), "subjects": len(subjects), "grades": len(grades),
            "editions": len(data["editions"]), "volumes": volumes, "lessons": lessons}


def _volume_parts(data, stage: str, subject: str, subject_grades, whole_year):
    """(code part, name, grade number) of each volume an edition publishes for one subject."""
    if stage == "senior":
        scheme = data["senior_volumes"].get(subject, data["senior_volumes"]["_default"])
        return [(part, name, grade) for part, name, grade in scheme]
    parts = []
    grade_names = {n: name for s in data["stages"] for n, name in s["grades"]}
    for grade in subject_grades[(stage, subject)]:
        if grade in whole_year.get(f"{stage}-{subject}", []):
            parts.append((f"{grade}", f"{grade_names[grade]}全一册", grade))
            continue
        for suffix, term in TERMS:
            parts.append((f"{grade}{suffix}", f"{grade_names[grade]}{term}", grade))
    return parts


def _load_textbooks(model) -> int:
    Volume, Unit, Lesson = model("resources", "Volume"), model("resources", "Unit"), model("resources", "Lesson")
    count = 0
    for code, units in _read("textbooks.json").items():
        if code.startswith("_"):
            continue
        volume = Volume.objects.get(code=code)
        for u_order, (unit_name, lesson_names) in enumerate(units, 1):
            unit = _upsert(Unit.objects, {"volume": volume, "order": u_order}, {"name": unit_name})
            for l_order, lesson_name in enumerate(lesson_names, 1):
                _upsert(Lesson.objects, {"unit": unit, "order": l_order}, {"name": lesson_name})
                count += 1
    return count


def _load_majors(model) -> dict[str, int]:
    Major = model("resources", "Major")
    data = _read("majors.json")
    counts = {}
    for library in ("higher", "vocational"):
        n = 0
        for code, name, classes in data[library]:
            category = _upsert(Major.objects, {"library": library, "code": code},
                               {"name": name, "level": "category", "parent": None})
            n += 1
            for class_code, class_name, majors in classes:
                major_class = _upsert(Major.objects, {"library": library, "code": class_code},
                                      {"name": class_name, "level": "class", "parent": category})
                n += 1
                for major_code, major_name in majors:
                    _upsert(Major.objects, {"library": library, "code": major_code},
                            {"name": major_name, "level": "major", "parent": major_class})
                    n += 1
        counts[f"majors_{library}"] = n
    return counts


def _load_boards(model) -> dict[str, int]:
    Board, Column, Stage = model("resources", "Board"), model("resources", "Column"), model("resources", "Stage")
    stages = {s.code: s for s in Stage.objects.all()}
    boards = columns = 0
    for order, (library, code, name, description, board_columns) in enumerate(_read("boards.json")["boards"], 1):
        board = _upsert(Board.objects, {"code": code},
                        {"library": library, "name": name, "description": description, "order": order})
        boards += 1
        for c_order, (c_code, c_name, c_stages) in enumerate(board_columns, 1):
            column = _upsert(Column.objects, {"code": c_code}, {"board": board, "name": c_name, "order": c_order})
            column.stages.set([stages[s] for s in c_stages])
            columns += 1
    return {"boards": boards, "columns": columns}
