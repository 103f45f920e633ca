"""The division skeleton of the demo tree (国家 → 省 → 市 → 县).

Real GB/T 2260 divisions come from the data files in ``data/``; provinces those files do not detail get
synthetic cities and counties when the scale asks for a national-shaped tree. Synthetic codes stay inside
the province's own code range but use middle digits (70 for a municipality's districts, 71 and up for
cities) that no real division of these provinces uses, so they cannot be mistaken for real ones.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from zhijiao.demo.writer import BulkWriter, Node
from zhijiao.identity.models import OrgKind

DATA_DIR = Path(__file__).resolve().parent / "data"
NATION_NAME = "中华人民共和国"
SYNTHETIC_MUNICIPALITY_DIGITS = 70
SYNTHETIC_CITY_BASE = 70


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    short_name: str
    prefectures: int
    counties: int


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    kind: str
    parent_code: str


def _rows(filename: str):
    with open(DATA_DIR / filename, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(line for line in handle if not line.startswith("#"))


@cache
def provinces() -> tuple[Province, ...]:
    return tuple(
        Province(r["code"], r["name"], r["short_name"], int(r["prefectures"]), int(r["counties"]))
        for r in _rows("provinces.csv")
    )


@cache
def real_divisions() -> tuple[Division, ...]:
    """Cities and counties with their real codes, parents before children."""
    return tuple(Division(r["code"], r["name"], r["kind"], r["parent_code"]) for r in _rows("divisions.csv"))


def detailed_province_codes() -> set[str]:
    return {d.code[:2] + "0000" for d in real_divisions()}


def synthetic_divisions(province: Province) -> list[Division]:
    """Cities and counties shaped like the province's real ones (same numbers), named and coded as demo."""
    prefix = province.code[:2]
    if province.prefectures == 0:
        # A municipality: districts hang directly under it.
        return [
            Division(f"{prefix}{SYNTHETIC_MUNICIPALITY_DIGITS}{j:02d}", f"{province.short_name}示例{j}区",
                     OrgKind.COUNTY, province.code)
            for j in range(1, province.counties + 1)
        ]
    per_city, extra = divmod(province.counties, province.prefectures)
    divisions = []
    for k in range(1, province.prefectures + 1):
        city_code = f"{prefix}{SYNTHETIC_CITY_BASE + k}00"
        city_name = f"{province.short_name}示例{k}市"
        divisions.append(Division(city_code, city_name, OrgKind.CITY, province.code))
        for j in range(1, per_city + (1 if k <= extra else 0) + 1):
            divisions.append(Division(city_code[:4] + f"{j:02d}", f"{city_name}{j}县", OrgKind.COUNTY, city_code))
    return divisions


@dataclass
class DivisionTree:
    nation: Node
    by_code: dict[str, Node] = field(default_factory=dict)
    counties: list[Node] = field(default_factory=list)


def build_divisions(writer: BulkWriter, *, synthetic: bool) -> DivisionTree:
    """Write the nation, every province, the real divisions, and (if ``synthetic``) demo divisions for the
    other provinces."""
    tree = DivisionTree(nation=writer.organisation(NATION_NAME, OrgKind.NATION))
    detailed = detailed_province_codes()
    real_by_province: dict[str, list[Division]] = {}
    for division in real_divisions():
        real_by_province.setdefault(division.code[:2] + "0000", []).append(division)
    for province in provinces():
        tree.by_code[province.code] = writer.organisation(province.name, OrgKind.PROVINCE, tree.nation, province.code)
        if province.code in detailed:
            children = real_by_province[province.code]
        elif synthetic:
            children = synthetic_divisions(province)
        else:
            continue
        for division in children:
            org = writer.organisation(division.name, division.kind, tree.by_code[division.parent_code], division.code)
            tree.by_code[division.code] = org
            if division.kind == OrgKind.COUNTY:
                tree.counties.append(org)
    return tree
