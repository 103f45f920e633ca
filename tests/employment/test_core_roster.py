"""Graduate roster import (生源信息): whole files or nothing, with every problem on its line."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import make_user, signed_in
from zhijiao.core.models import AuditEntry
from zhijiao.employment import graduate_roster, services
from zhijiao.employment.models import GraduateRecord
from zhijiao.identity.models import Organisation, OrgKind, Role

pytestmark = pytest.mark.django_db

HEADER = "学号,姓名,身份证号,学院,班级,专业,专业代码,学历层次,毕业年份,生源地代码"


@pytest.fixture
def students(emp):
    return [make_user("stu_zhang", real_name="张伟", id_number="330106200302024566"),
            make_user("stu_wang", real_name="王芳", id_number="330106200203037898")]


def _file(text: str, encoding: str = "utf-8", name: str = "roster.csv"):
    return SimpleUploadedFile(name, text.encode(encoding))


def _import(emp, text: str, **kwargs):
    return graduate_roster.import_graduates(emp.officer, _file(text, **kwargs), school=emp.university,
                                            file_name="roster.csv")


def test_a_clean_roster_creates_records_colleges_and_classes(emp, students):
    year = GraduateRecord.objects.get(user=emp.graduate).graduation_year
    text = "\n".join([HEADER,
                      f"2021001,张伟,330106200302024566,信息学院,信息2201班,软件工程,080902,本科,{year},330106",
                      f"2021002,王芳,330106200203037898,信息学院,信息2201班,会计学,,本科,{year},520102"])
    result = _import(emp, text, encoding="gbk")  # Excel in China saves CSV as GBK
    assert result.ok and (result.created, result.updated) == (2, 0)
    zhang = GraduateRecord.objects.select_related("college", "class_org", "major").get(user=students[0])
    assert zhang.college.name == "信息学院" and zhang.class_org.name == "信息2201班"
    assert zhang.major.code == "080902" and zhang.org_path == zhang.class_org.path
    assert GraduateRecord.objects.get(user=students[1]).major.name == "会计学"  # matched by name
    assert Organisation.objects.filter(parent=emp.university, kind=OrgKind.DEPARTMENT, name="信息学院").count() == 1
    assert AuditEntry.objects.filter(action="employment.roster_import").get().detail["created"] == 2
    # Importing again updates instead of duplicating.
    assert _import(emp, text).updated == 2 and GraduateRecord.objects.count() == 3


def test_row_errors_are_reported_per_line_and_nothing_is_imported(emp, students):
    text = "\n".join([HEADER,
                      "2021001,张伟,330106200302024566,信息学院,信息2201班,软件工程,,本科,2026,330106",
                      "2021002,王小芳,330106200203037898,信息学院,信息2201班,会计学,,本科,2026,330106",
                      "2021003,赵六,110105200104053212,信息学院,信息2201班,会计学,,学士后,26,3301",
                      "2021004,钱七,110105200104053211,信息学院,,会计学,999999,本科,2026,"])
    result = _import(emp, text)
    assert not result.ok
    by_line = {}
    for error in result.errors:
        by_line.setdefault(error.line, set()).add(error.field)
    assert by_line == {3: {"name"}, 4: {"id_number", "degree_level", "graduation_year", "origin_code"},
                       5: {"id_number", "major_code"}}
    assert GraduateRecord.objects.count() == 1  # only the fixture's graduate
    assert not Organisation.objects.filter(name="信息学院").exists()


def test_xlsx_and_the_page(emp, students):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["2021001", "张伟", "330106200302024566", "信息学院", "", "软件工程", "", "本科", 2026, "330106"])
    data = io.BytesIO()
    book.save(data)
    client = signed_in(emp.officer)
    response = client.post("/employment/staff/roster/", {
        "school": emp.university.pk, "file": SimpleUploadedFile("名单.xlsx", data.getvalue())})
    assert response.status_code == 200
    assert GraduateRecord.objects.get(user=students[0]).college.name == "信息学院"
    bad = client.post("/employment/staff/roster/", {
        "school": emp.university.pk, "file": _file(HEADER + "\n2021009,无名,,,,软件工程,,本科,2026,\n")})
    assert "2021009" not in bad.content.decode() and 'data-testid="roster-errors"' in bad.content.decode()


def test_file_problems_and_scope(tree, emp, students):
    with pytest.raises(ValidationError):
        _import(emp, "姓名,年龄\n张伟,22\n")
    with pytest.raises(ValidationError):
        graduate_roster.import_graduates(emp.officer, SimpleUploadedFile("x.csv", b"%PDF-1.4 junk"),
                                         school=emp.university)
    counsellor_school = make_user("school_a_staff", role=Role.EMPLOYMENT_OFFICER, org=tree.school_a)
    with pytest.raises(PermissionDenied):
        graduate_roster.import_graduates(counsellor_school, _file(HEADER), school=emp.university)
    api = signed_in(counsellor_school).post("/api/v1/employment/graduates/import",
                                            {"school_id": emp.university.pk, "file": _file(HEADER)})
    assert api.status_code == 403


def test_api_import_reports_errors(emp, students):
    client = signed_in(emp.officer)
    response = client.post("/api/v1/employment/graduates/import", {
        "school_id": emp.university.pk,
        "file": _file(HEADER + "\n2021001,张伟,330106200302024566,信息学院,,软件工程,,硕士,2026,330106\n"
                               "2021002,王芳,330106200203037898,信息学院,,会计学,,本科,1900,330106\n")})
    body = response.json()
    assert response.status_code == 200 and body["imported"] is False
    assert body["errors"] == [{"line": 3, "field": "graduation_year", "message": body["errors"][0]["message"]}]
    assert GraduateRecord.objects.count() == 1


def test_reimport_refreshes_resume_search_text(emp):
    services.save_resume(emp.graduate, {"headline": "开发"})
    year = GraduateRecord.objects.get(user=emp.graduate).graduation_year
    result = _import(emp, HEADER + f"\n2022001,李明,330106200301011237,计算机学院,计科2201班,软件工程,080902,本科,"
                                   f"{year},330106\n")
    assert result.ok
    emp.graduate.resume.refresh_from_db()
    assert "软件工程" in emp.graduate.resume.search_text
