"""Roster import speed: 100,000 rows from one CSV file, then the same file again.

Builds a throw-away database with a province, a few counties and 300 schools, writes a CSV of 100,000
people (students in grades and classes, their teachers, some parents linked to their children; every ID
number valid and distinct), and imports it through the import service as a provincial administrator.
Targets: the first import ≤ 120 s, and the re-import ≤ 120 s creating nothing.

    .venv/bin/python bench/roster_import.py [--rows 100000] [--schools 300]

On SQLite by default. With DATABASE_URL pointing at a PostgreSQL server, a fresh database is created on
that server for the run and dropped afterwards.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, report, throwaway_database

TARGET_SECONDS = 120
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(region: str, born: date, serial: int) -> str:
    body = f"{region}{born:%Y%m%d}{serial:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


def write_roster(path: Path, rows: int, school_codes: list[str]) -> None:
    """Students (90%), teachers (6%) and parents (4%, each naming a student of the file)."""
    rng = random.Random(2026)
    region_of = {code: f"3301{code[-2:]}" for code in school_codes}
    serial = 0
    students: list[tuple[str, str]] = []
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["姓名", "身份证号", "角色", "学校标识码", "年级", "班级", "学籍号", "手机号", "监护人身份证号"])
        for n in range(rows):
            serial += 1
            school = school_codes[n % len(school_codes)]
            kind = rng.random()
            if kind < 0.04 and students:
                ward_school, ward_id = students[rng.randrange(len(students))]
                born = date(1975, 1, 1) + timedelta(days=serial // 1000)
                writer.writerow([f"家长{n}", id_number(region_of[ward_school], born, serial % 1000), "家长",
                                 ward_school, "", "", "", "", ward_id])
            elif kind < 0.10:
                born = date(1970, 1, 1) + timedelta(days=serial // 1000)
                writer.writerow([f"教师{n}", id_number(region_of[school], born, serial % 1000), "教师", school,
                                 "", "", "", f"139{n:08d}", ""])
            else:
                grade = rng.randrange(1, 7)
                born = date(2008, 1, 1) + timedelta(days=serial // 1000)
                number = id_number(region_of[school], born, serial % 1000)
                students.append((school, number))
                writer.writerow([f"学生{n}", number, "学生", school, f"{grade}年级", f"{grade}年级{rng.randrange(1, 9)}班",
                                 "", "", ""])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--schools", type=int, default=300)
    args = parser.parse_args()

    with throwaway_database("roster"):
        return run(args.rows, args.schools)


def run(rows: int, schools: int) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    from zhijiao.identity import roster, services
    from zhijiao.identity.models import Membership, OrgKind, Role, User

    call_command("migrate", verbosity=0)
    make = services.create_organisation
    nation = make(None, name="中华人民共和国", kind=OrgKind.NATION, parent=None)
    province = make(None, name="浙江省", kind=OrgKind.PROVINCE, parent=nation, code="330000")
    city = make(None, name="杭州市", kind=OrgKind.CITY, parent=province, code="330100")
    counties = [make(None, name=f"第{i}区", kind=OrgKind.COUNTY, parent=city, code=f"3301{i:02d}") for i in range(1, 11)]
    codes = []
    for i in range(schools):
        code = f"3133{i:06d}"
        make(None, name=f"第{i}学校", kind=OrgKind.SCHOOL, parent=counties[i % len(counties)], code=code)
        codes.append(code)
    admin = User(username="bench_admin", real_name="省级管理员")
    admin.set_unusable_password()
    admin.save()
    services.grant_role_as_operator(admin, province, Role.BUREAU_ADMIN)

    path = Path(tempfile.mkdtemp(prefix="zj-roster-")) / "roster.csv"
    write_roster(path, rows, codes)
    size_mb = path.stat().st_size / 1024 / 1024
    from django.db import connection

    print(f"Roster import on {connection.vendor}, {machine()}: {rows:,} rows, {schools} schools, {size_mb:.1f} MB")

    def timed_import():
        started = time.perf_counter()
        with path.open("rb") as upload:
            result = roster.import_roster(admin, upload, file_name=path.name)
        return time.perf_counter() - started, result

    first_seconds, first = timed_import()
    print(f"  first import: {first.created:,} created, {first.memberships_added:,} memberships, "
          f"{first.organisations_created:,} grades/classes, {first.guardians_linked:,} guardians, "
          f"{first.rejected} rows rejected")
    users, memberships = User.objects.count(), Membership.objects.count()
    again_seconds, again = timed_import()
    print(f"  re-import: {again.created} created, {again.existing:,} existing, {again.memberships_added} "
          f"memberships, {again.organisations_created} grades/classes, {again.rejected} rows rejected")

    ok = report("roster import, 100k-row file" if rows == 100_000 else f"roster import, {rows}-row file",
                first_seconds, TARGET_SECONDS, "s", higher_is_better=False)
    ok &= report("roster re-import of the same file", again_seconds, TARGET_SECONDS, "s", higher_is_better=False)
    complete = first.rejected == 0 and first.created == rows
    unchanged = (again.created, again.memberships_added, again.organisations_created, again.guardians_linked) == (
        0, 0, 0, 0) and (User.objects.count(), Membership.objects.count()) == (users, memberships)
    if not complete:
        print(f"MISS: the first import should create all {rows:,} accounts")
    if not unchanged:
        print("MISS: the re-import changed something")
    return 0 if ok and complete and unchanged else 1


if __name__ == "__main__":
    sys.exit(main())
