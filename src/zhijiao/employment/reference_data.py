"""Load the employment service's reference data from ``employment/data/``: the national industry
classification (GB/T 4754-2017, sections and divisions) and the occupational classification (职业分类大典
2022: 大类, 中类 and a selection of 小类 with short 职业百科 descriptions).

Loading is idempotent: rows are matched by their codes, so running it again adds and renames without
duplicating. The data migration runs it with the historical models; ``zj seed`` and transactional tests
(which start from an emptied database) run it with the current ones.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.apps import apps as global_apps

DATA = Path(__file__).resolve().parent / "data"


@cache
def _read(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def load(apps=global_apps) -> dict[str, int]:
    """Create or update every reference row; returns how many rows of each kind the files describe."""
    Industry = apps.get_model("employment", "Industry")
    Occupation = apps.get_model("employment", "Occupation")
    industries = occupations = 0
    for section in _read("industries.json")["sections"]:
        parent = _upsert(Industry, section["code"], {"name": section["name"], "parent": None})
        industries += 1
        for code, name in section["divisions"]:
            _upsert(Industry, code, {"name": name, "parent": parent})
            industries += 1

    def walk(nodes, parent):
        nonlocal occupations
        for node in nodes:
            values = {"name": node["name"], "parent": parent, "description": node.get("description", "")}
            row = _upsert(Occupation, node["code"], values)
            occupations += 1
            walk(node.get("children", []), row)

    walk(_read("occupations.json")["occupations"], None)
    return {"industries": industries, "occupations": occupations}


def _upsert(model, code: str, values: dict):
    obj, created = model.objects.get_or_create(code=code, defaults=values)
    if not created and any(getattr(obj, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(obj, key, value)
        obj.save()
    return obj
