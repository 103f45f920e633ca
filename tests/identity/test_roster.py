"""Roster import (名单导入): files in, accounts and memberships out, bad rows reported, activation codes."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import zipfile
from datetime import timedelta

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.conftest import make_user, signed_in
from zhijiao.core.models import AuditEntry
from zhijiao.identity import roster
from zhijiao.identity.models import GuardianLink, Membership, Organisation, OrgKind, Role, User
from zhijiao.identity.roster_models import ActivationCode, RosterImport

HEADER = ["姓名", "身份证号", "角色", "学校标识码", "年级", "班级", "学籍号", "手机号", "邮箱"]
SCHOOL_A, SCHOOL_B = "3133000001", "3133000002"
NEW_PASSWORD = "Lantern#2026"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(serial: int, born: str = "20140307", region: str = "330106") -> str:
    body = f"{region}{born}{serial:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


def wrong_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


class Upload(io.BytesIO):
    """What a view hands the service: bytes with a name and a size."""

    def __init__(self, data: bytes, name: str = "roster.csv"):
        super().__init__(data)
        self.name, self.size = name, len(data)


def csv_file(rows, header=HEADER, encoding="utf-8", name="roster.csv") -> Upload:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return Upload(out.getvalue().encode(encoding), name)


def xlsx_file(rows, header=HEADER, name="roster.xlsx") -> Upload:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return Upload(out.getvalue(), name)


def run(actor, upload, **kwargs):
    with translation.override("en"):
        return roster.import_roster(actor, upload, file_name=upload.name, **kwargs)


def file_error(actor, upload, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        run(actor, upload, **kwargs)
    return caught.value.message_dict["file"][0]


def pupils(n=3, start=1):
    return [[f"学生{i}", id_number(i), "学生", SCHOOL_A, "三年级", "三年级二班", "", "", ""]
            for i in range(start, start + n)]


@pytest.fixture
def admin(people):
    return people["county_a_admin"]


def counts():
    return User.objects.count(), Membership.objects.count(), Organisation.objects.count()


# --- Formats -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_in_gbk_imports_the_same_people(tree, admin, encoding):
    result = run(admin, csv_file(pupils(2) + [["王老师", id_number(500, "19850101"), "教师", SCHOOL_A,
                                                "", "", "", "13800138000", "Wang@Example.cn"]], encoding=encoding))
    assert (result.created, result.existing, result.errors) == (3, 0, [])
    pupil = User.objects.get(real_name="学生1")
    assert pupil.id_number == id_number(1) and not pupil.has_usable_password()
    assert str(pupil.birth_date) == "2014-03-07"
    teacher = User.objects.get(real_name="王老师")
    assert teacher.phone == "13800138000" and teacher.email == "wang@example.cn"
    grade = Organisation.objects.get(kind=OrgKind.DEPARTMENT, name="三年级", parent=tree.school_a)
    klass = Organisation.objects.get(kind=OrgKind.CLASS, name="三年级二班", parent=grade)
    assert klass.path == grade.path + str(klass.pk).zfill(10) and klass.depth == grade.depth + 1
    membership = Membership.objects.get(user=pupil)
    assert (membership.organisation, membership.role, membership.org_path) == (klass, Role.LEARNER, klass.path)
    assert Membership.objects.get(user=teacher).organisation == tree.school_a


def test_xlsx_with_numeric_cells_imports_and_explains_an_id_number_excel_turned_into_a_number(tree, admin):
    rows = [["学生1", id_number(1), "学生", int(SCHOOL_A), "三年级", "1班", 2023001, 13800138001, ""],
            ["学生2", int(id_number(2)), "学生", int(SCHOOL_A), "三年级", "1班", "", "", ""]]
    result = run(admin, xlsx_file(rows))
    assert result.created == 1
    assert User.objects.get(real_name="学生1").phone == "13800138001"
    assert [(e.line, e.field) for e in result.errors] == [(3, "id_number")]
    assert "format the column as text" in result.errors[0].message.lower()


def test_xlsx_title_line_above_the_header_keeps_spreadsheet_line_numbers(tree, admin):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["西湖区实验小学 2026 学年学生名单"])
    sheet.append(HEADER)
    sheet.append(pupils(1)[0])
    sheet.append([])
    sheet.append(["学生9", wrong_check_digit(id_number(9)), "学生", SCHOOL_A])
    out = io.BytesIO()
    book.save(out)
    result = run(admin, Upload(out.getvalue(), "名单.xlsx"))
    assert result.created == 1
    assert [(e.line, e.field) for e in result.errors] == [(5, "id_number")]


def test_english_headers_and_roles_are_accepted(tree, admin):
    header = ["Real Name", "ID_NUMBER", "role", "school_code", "grade", "class", "gender"]
    result = run(admin, csv_file([["Li Lei", id_number(1), "learner", SCHOOL_A, "Grade 3", "Class 2", "M"]], header))
    assert result.created == 1 and result.ignored_columns == ["gender"]
    assert Membership.objects.get(user__real_name="Li Lei").organisation.name == "Class 2"


# --- Row errors ----------------------------------------------------------------------------------------


def test_bad_rows_are_reported_with_line_and_reason_while_good_rows_are_imported(tree, admin):
    rows = [
        pupils(1)[0],                                                                  # line 2: good
        ["学生2", wrong_check_digit(id_number(2)), "学生", SCHOOL_A, "", "", "", "", ""],  # 3
        ["", id_number(3), "学生", SCHOOL_A, "", "", "", "", ""],                       # 4
        ["学生4", id_number(4), "校长", SCHOOL_A, "", "", "", "", ""],                   # 5
        ["学生5", id_number(5), "学生", "9999999999", "", "", "", "", ""],               # 6
        ["学生6", id_number(6), "学生", SCHOOL_A, "", "", "", "12345", ""],              # 7
        ["学生7", "", "学生", SCHOOL_A, "", "", "", "", ""],                             # 8
        ["学生8", id_number(8), "学生", SCHOOL_A, "", "", "", "", ""],                   # 9: good
    ]
    result = run(admin, csv_file(rows))
    assert result.created == 2 and result.rejected == 6
    reported = {(e.line, e.field): e.message for e in result.errors}
    assert reported == {
        (3, "id_number"): "The ID number's check digit is wrong.",
        (4, "real_name"): "The name is missing.",
        (5, "role"): "Unknown role; use 学生, 教师 or 家长 (learner, teacher, parent).",
        (6, "school_code"): "No school has the identification code 9999999999.",
        (7, "phone"): "Enter an 11-digit mainland mobile number.",
        (8, "id_number"): "The ID number is missing; it is required for students and teachers.",
    }
    assert set(User.objects.filter(real_name__startswith="学生").values_list("real_name", flat=True)) == {"学生1", "学生8"}


def test_the_later_of_two_rows_with_the_same_id_number_is_reported(tree, admin):
    rows = pupils(2) + [["另一个名字", id_number(1), "学生", SCHOOL_A, "", "", "", "", ""]]
    result = run(admin, csv_file(rows))
    assert result.created == 2
    assert [(e.line, e.message) for e in result.errors] == [(4, "This ID number already appears on line 2.")]


def test_email_phone_and_username_clashes_with_existing_accounts_are_row_errors(tree, admin, people):
    make_user("taken", email="taken@example.cn", phone="13900000000")
    header = HEADER + ["用户名"]
    rows = [["学生1", id_number(1), "学生", SCHOOL_A, "", "", "", "", "taken@example.cn", ""],
            ["学生2", id_number(2), "学生", SCHOOL_A, "", "", "", "13900000000", "", ""],
            ["学生3", id_number(3), "学生", SCHOOL_A, "", "", "", "", "", "TAKEN"]]
    result = run(admin, csv_file(rows, header))
    assert result.created == 0
    assert [(e.line, e.field) for e in result.errors] == [(2, "email"), (3, "phone"), (4, "username")]


def test_an_id_number_registered_under_another_name_is_not_merged(tree, admin, people):
    rows = [["别人", "110105201403071238", "学生", SCHOOL_A, "", "", "", "", ""]]  # pupil_a's number
    result = run(admin, csv_file(rows))
    assert result.existing == 0 and result.errors[0].field == "id_number"
    assert not Membership.objects.filter(user=people["pupil_a"], organisation=tree.school_a).exists()


# --- Re-import -----------------------------------------------------------------------------------------


def test_importing_the_same_file_twice_creates_nothing_the_second_time(tree, admin):
    rows = pupils(3) + [["家长甲", "", "家长", SCHOOL_A, "三年级", "三年级二班", "", "", "", id_number(1)]]
    upload = csv_file(rows, HEADER + ["监护人身份证号"])
    first = run(admin, upload)
    assert (first.created, first.guardians_linked, first.organisations_created) == (4, 1, 2)
    before = counts()
    upload.seek(0)
    second = run(admin, upload)
    assert (second.created, second.existing, second.memberships_added) == (0, 4, 0)
    assert (second.organisations_created, second.guardians_linked, second.errors) == (0, 0, [])
    assert counts() == before and GuardianLink.objects.count() == 1


def test_an_existing_person_keeps_their_memberships_and_gains_the_new_one(tree, admin, people):
    pupil = people["pupil_a"]
    rows = [["pupil_a", "110105201403071238", "学生", SCHOOL_A, "四年级", "四年级一班", "", "", ""]]
    result = run(admin, csv_file(rows))
    assert (result.created, result.existing, result.memberships_added) == (0, 1, 1)
    assert set(Membership.objects.filter(user=pupil).values_list("organisation__name", flat=True)) == {
        "三年级一班", "四年级一班"}
    assert not ActivationCode.objects.filter(user=pupil).exists()


def test_generated_usernames_are_stable_and_hide_the_id_number(tree, admin):
    national_no = "G" + id_number(1)
    rows = [["学生1", id_number(1), "学生", SCHOOL_A, "", "", national_no, "", ""],
            ["学生2", id_number(2), "学生", SCHOOL_A, "", "", "2023-0102", "", ""]]
    run(admin, csv_file(rows))
    first = User.objects.get(real_name="学生1").username
    assert first.startswith(SCHOOL_A + "-s") and id_number(1)[:17] not in first
    assert User.objects.get(real_name="学生2").username == f"{SCHOOL_A}-20230102"
    User.objects.filter(real_name__startswith="学生").delete()
    run(admin, csv_file(rows))
    assert User.objects.get(real_name="学生1").username == first


# --- Whole-file problems -------------------------------------------------------------------------------


def test_missing_required_column_changes_nothing(tree, admin):
    before = counts()
    message = file_error(admin, csv_file([["学生1", "学生", SCHOOL_A]], ["姓名", "角色", "学校标识码"]))
    assert message == "The file has no column for: 身份证号/id_number."
    assert counts() == before and not AuditEntry.objects.filter(action="roster.import").exists()


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
    b"PK\x03\x04 not really a zip",
    b"\x00\x01\x02\x03binary\x00junk",
])
def test_a_file_that_is_not_a_spreadsheet_is_refused_whatever_its_name(tree, admin, data):
    before = counts()
    message = file_error(admin, Upload(data, "roster.csv"))
    assert message.startswith("This is not a CSV or Excel (.xlsx) file.")
    assert counts() == before


def test_a_word_document_renamed_xlsx_is_refused(tree, admin):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert file_error(admin, Upload(out.getvalue(), "roster.xlsx")).startswith("This is not a CSV or Excel")


@pytest.mark.parametrize("data, expected", [
    (b"", "The file is empty."),
    (b"\n \r\n", "The file is empty."),
    ("姓名,身份证号,角色,学校标识码\n".encode(), "The file has a header but no rows below it."),
    (b"a,b,c\n1,2,3\n", "No header row was found."),
])
def test_empty_and_headerless_files_are_refused(tree, admin, data, expected):
    assert file_error(admin, Upload(data)).startswith(expected)


def test_an_oversized_file_is_refused_before_it_is_read(tree, admin, settings):
    settings.ZJ_ROSTER_MAX_BYTES = 1024
    before = counts()
    assert file_error(admin, csv_file(pupils(40))).startswith("The file is larger than")
    assert counts() == before


# --- Permissions and audit ------------------------------------------------------------------------------


def test_a_county_admin_gets_a_row_error_for_another_countys_school(tree, admin):
    rows = pupils(1) + [["学生9", id_number(9), "学生", SCHOOL_B, "", "", "", "", ""]]
    result = run(admin, csv_file(rows))
    assert result.created == 1
    assert [(e.line, e.field, e.message) for e in result.errors] == [
        (3, "school_code", "This school is not in your organisations.")]
    assert not User.objects.filter(real_name="学生9").exists()


def test_a_teacher_may_not_import(tree, people):
    with pytest.raises(PermissionDenied):
        run(people["teacher_a"], csv_file(pupils(1)))


def test_one_audit_entry_per_import_with_counts_file_name_and_hash(tree, admin):
    upload = csv_file(pupils(3))
    before = AuditEntry.objects.count()
    result = run(admin, upload)
    assert AuditEntry.objects.count() == before + 1
    entries = AuditEntry.objects.filter(action="roster.import")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.actor == admin and entry.target_id == str(result.record.pk)
    assert entry.detail["file_name"] == "roster.csv" and entry.detail["created"] == 3
    assert entry.detail["sha256"] == hashlib.sha256(upload.getvalue()).hexdigest()


def test_a_school_admin_may_leave_out_the_school_code(tree, people):
    admin = people["school_a_admin"]
    rows = [["学生1", id_number(1), "学生", "三年级", "1班"]]
    result = run(admin, csv_file(rows, ["姓名", "身份证号", "角色", "年级", "班级"]),
                 within=roster.default_organisation(admin))
    assert result.created == 1
    assert Membership.objects.get(user__real_name="学生1").organisation.parent.parent == tree.school_a


# --- Guardians -----------------------------------------------------------------------------------------


def test_parent_rows_link_confirmed_guardians_to_students_in_the_file_or_in_scope(tree, admin, people):
    header = HEADER + ["监护人身份证号"]
    rows = [["家长甲", id_number(900, "19800101"), "家长", SCHOOL_A, "", "", "", "", "", id_number(1)],
            pupils(1)[0] + [""],
            ["家长乙", "", "家长", SCHOOL_A, "", "", "", "", "", "110105201403071238"],   # pupil_a, in scope
            ["家长丙", "", "家长", SCHOOL_A, "", "", "", "", "", "330102201205061233"],   # pupil_b, county B
            ["学生2", id_number(2), "学生", SCHOOL_A, "", "", "", "", "", id_number(1)]]
    result = run(admin, csv_file(rows, header))
    assert result.guardians_linked == 2
    assert [(e.line, e.field) for e in result.errors] == [(5, "guardian_id_number"), (6, "guardian_id_number")]
    link = GuardianLink.objects.get(guardian__real_name="家长甲")
    assert link.minor.real_name == "学生1" and link.confirmed_at is not None
    assert GuardianLink.objects.get(guardian__real_name="家长乙").minor == people["pupil_a"]


# --- Activation ----------------------------------------------------------------------------------------


def slip_of(result, name):
    return next(line for line in result.slip if line.real_name == name)


def activate(client, username, code, password=NEW_PASSWORD):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.post(reverse("identity:activate"),
                       {"username": username, "code": code, "password": password, "password2": password})


def test_activation_end_to_end_then_normal_sign_in(tree, admin, client):
    line = slip_of(run(admin, csv_file(pupils(1))), "学生1")
    assert len(line.code) == 11 and line.class_name == "三年级二班"
    response = activate(client, line.username.upper(), line.code.lower().replace("-", " "))
    assert response.status_code == 302 and response.url == reverse("identity:login")
    user = User.objects.get(username=line.username)
    assert user.check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="user.activate", actor=user, success=True).exists()
    signed = client.post(reverse("identity:login"), {"identifier": line.username, "password": NEW_PASSWORD})
    assert signed.status_code == 302 and "_auth_user_id" in client.session
    again = activate(client, line.username, line.code, "Another#2026x")
    assert "already activated" in again.content.decode()


def test_a_wrong_code_is_refused_and_the_right_one_still_works(tree, admin, client):
    line = slip_of(run(admin, csv_file(pupils(1))), "学生1")
    response = activate(client, line.username, "ABCDE-FGHJK")
    assert response.status_code == 200
    assert "The username or activation code is not correct." in response.content.decode()
    assert not User.objects.get(username=line.username).has_usable_password()
    assert User.objects.get(username=line.username).locked_until is None
    assert activate(client, line.username, line.code).status_code == 302


def test_an_expired_code_is_refused(tree, admin, client):
    line = slip_of(run(admin, csv_file(pupils(1))), "学生1")
    ActivationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = activate(client, line.username, line.code)
    assert "This activation code has expired." in response.content.decode()
    assert not User.objects.get(username=line.username).has_usable_password()


def test_a_weak_password_is_refused_and_keeps_the_code_usable(tree, admin, client):
    line = slip_of(run(admin, csv_file(pupils(1))), "学生1")
    response = activate(client, line.username, line.code, "password")
    assert response.status_code == 200 and "This password is too common." in response.content.decode()
    assert activate(client, line.username, line.code).status_code == 302


def test_reissuing_codes_replaces_a_lost_slip_for_people_who_never_activated(tree, admin, client):
    upload = csv_file(pupils(2))
    old = slip_of(run(admin, upload), "学生1")
    upload.seek(0)
    again = run(admin, upload, reissue_codes=True)
    assert again.created == 0 and {s.real_name for s in again.slip} == {"学生1", "学生2"}
    assert "not correct" in activate(client, old.username, old.code).content.decode()
    assert activate(client, old.username, slip_of(again, "学生1").code).status_code == 302


def test_reissuing_never_touches_accounts_opened_otherwise_or_holding_an_admin_role(tree, admin, people):
    upload = csv_file(pupils(2))
    run(admin, upload)
    first = User.objects.get(real_name="学生1")
    Membership.objects.create(user=first, organisation=tree.school_a, role=Role.SCHOOL_ADMIN,
                              org_path=tree.school_a.path)
    by_hand = make_user("by_hand", id_number=id_number(3), real_name="学生3")
    by_hand.set_unusable_password()
    by_hand.save()
    again = run(admin, csv_file(pupils(3)), reissue_codes=True)
    assert {s.real_name for s in again.slip} == {"学生2"}


def test_a_parent_row_needs_an_id_number_to_match_on(tree, admin):
    rows = [["家长甲", "", "家长", SCHOOL_A, "", "", "", "13800138000", "", ""]]
    result = run(admin, csv_file(rows, HEADER + ["监护人身份证号"]))
    assert [(e.line, e.field) for e in result.errors] == [(2, "guardian_id_number")]


# --- The web page and the API --------------------------------------------------------------------------


def test_the_page_imports_shows_errors_and_offers_the_slip_once(tree, admin):
    client = signed_in(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("manage:roster"))
    assert page.status_code == 200 and "学校标识码" in page.content.decode()
    template = client.get(reverse("manage:roster-template"))
    assert template.content.decode("utf-8-sig").startswith("姓名,身份证号,角色,学校标识码")
    rows = pupils(2) + [["学生3", wrong_check_digit(id_number(3)), "学生", SCHOOL_A, "", "", "", "", ""]]
    upload = csv_file(rows)
    response = client.post(reverse("manage:roster"), {"file": upload})
    assert response.status_code == 302
    result = client.get(response.url)
    body = result.content.decode()
    assert "Line 4: The ID number&#x27;s check digit is wrong." in body
    record_id = int(response.url.rstrip("/").split("/")[-1])
    errors = client.get(reverse("manage:roster-errors", args=[record_id])).content.decode("utf-8-sig")
    assert "4,ID number,The ID number's check digit is wrong." in errors
    slip = client.get(reverse("manage:roster-slip", args=[record_id]))
    slip_rows = list(csv.reader(io.StringIO(slip.content.decode("utf-8-sig"))))
    assert slip_rows[0][:2] == ["Username", "Name"] and {r[1] for r in slip_rows[1:]} == {"学生1", "学生2"}
    assert AuditEntry.objects.filter(action="roster.slip_download", actor=admin).count() == 1
    other = signed_in(make_user("other_admin", role=Role.BUREAU_ADMIN, org=tree.county_a))
    assert other.get(reverse("manage:roster-slip", args=[record_id])).status_code == 403
    RosterImport.objects.update(downloads_expire_at=timezone.now() - timedelta(seconds=1))
    gone = client.get(reverse("manage:roster-slip", args=[record_id]), follow=True)
    assert "no longer available" in gone.content.decode()


def test_the_page_shows_a_file_problem_next_to_the_field(tree, admin):
    client = signed_in(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("manage:roster"), {"file": Upload(b"\x89PNG\r\n\x1a\n\x00", "a.csv")})
    assert response.status_code == 200 and "This is not a CSV or Excel (.xlsx) file." in response.content.decode()


def test_the_api_imports_and_returns_counts_and_row_errors(tree, admin):
    client = signed_in(admin)
    rows = pupils(2) + [["学生3", wrong_check_digit(id_number(3)), "学生", SCHOOL_A, "", "", "", "", ""]]
    response = client.post("/api/v1/roster/imports", {"file": csv_file(rows)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["existing"], body["memberships_added"]) == (2, 0, 2)
    assert body["errors"] == [{"line": 4, "field": "id_number", "message": "The ID number's check digit is wrong."}]
    assert body["activation_slip_available"] is True and body["ignored_columns"] == []
    slip = client.get(body["activation_slip_url"])
    assert slip.status_code == 200 and slip["Content-Type"].startswith("text/csv")
    bad = client.post("/api/v1/roster/imports", {"file": Upload(b"")}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 422 and bad.json()["detail"] == "The file is empty."


def test_the_api_refuses_a_user_without_user_manage(tree, people):
    client = signed_in(people["teacher_a"])
    response = client.post("/api/v1/roster/imports", {"file": csv_file(pupils(1))})
    assert response.status_code == 403
    assert not User.objects.filter(real_name="学生1").exists()


# --- Command line --------------------------------------------------------------------------------------


def test_the_command_imports_writes_a_private_slip_and_signals_rejected_rows(tree, admin, tmp_path, capsys):
    path = tmp_path / "名单.csv"
    rows = pupils(2) + [["学生3", wrong_check_digit(id_number(3)), "学生", SCHOOL_A, "", "", "", "", ""]]
    path.write_bytes(csv_file(rows, encoding="gbk").getvalue())
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("import_roster", str(path), org=tree.county_a.code, as_user="county_a_admin")
    assert caught.value.returncode == 2
    out, err = capsys.readouterr()
    assert "2 accounts created" in out and "line 4 [ID number]" in err
    slip = tmp_path / "名单-activation-codes.csv"
    assert os.stat(slip).st_mode & 0o777 == 0o600
    assert len(slip.read_text(encoding="utf-8-sig").splitlines()) == 3


def test_the_command_keeps_to_the_named_organisation(tree, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_file([["学生1", id_number(1), "学生", SCHOOL_A, "", "", "", "", ""]]).getvalue())
    with pytest.raises(CommandError) as caught:
        call_command("import_roster", str(path), org=f"#{tree.county_b.pk}", stdout=io.StringIO(),
                     stderr=io.StringIO())
    assert caught.value.returncode == 2 and not User.objects.filter(real_name="学生1").exists()


# --- The parser never crashes --------------------------------------------------------------------------


ALL_COLUMNS = {column.field: index for index, column in enumerate(roster.COLUMNS)}


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.text(), max_size=len(ALL_COLUMNS) + 2), line=st.integers(min_value=2, max_value=10**6))
def test_the_row_parser_reports_arbitrary_cell_text_as_row_errors_and_never_raises(cells, line):
    row, errors = roster.parse_row(ALL_COLUMNS, cells, line)
    assert (row is None) == bool(errors)
    assert all(e.line == line and e.field in ALL_COLUMNS and e.message for e in errors)


@hypothesis_settings(max_examples=200, deadline=None)
@given(header=st.lists(st.text(), max_size=12), body=st.binary(max_size=300))
def test_reading_arbitrary_bytes_fails_only_with_a_file_error(header, body):
    data = ",".join(header).encode() + b"\n" + body
    try:
        table = roster.read_table(data)
        roster.map_columns(table.header)
        for line, cells in table.rows:
            roster.parse_row({"real_name": 0}, cells, line)
    except ValidationError as exc:
        assert list(exc.message_dict) == ["file"]
