"""名单导入 Roster import: schools and bureaus open accounts and memberships in bulk ("无需注册即开通").

A CSV or XLSX file lists people (学生, 教师, 家长) with their school, grade and class. The import reads the
whole file first, checks every row, then writes all good rows in one transaction: accounts (matched by
ID number, or by username when a row has none), grades and classes that do not exist yet, memberships,
guardian links and one-time activation codes. Bad rows are reported with the line number the person sees
in their spreadsheet and do not stop the good ones; a problem with the file as a whole changes nothing.

Every query works on whole chunks of rows, never one row at a time, and no password is hashed: new
accounts get an unusable password and an activation code, whose SHA-256 is all the database keeps.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import hmac
import io
import json
import re
import secrets
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhijiao.core import audit, crypto
from zhijiao.core.spreadsheets import spreadsheet_safe
from zhijiao.identity import permissions
from zhijiao.identity.models import (
    ADMIN_ROLES,
    GuardianLink,
    Membership,
    Organisation,
    OrgKind,
    Role,
    User,
    Verification,
    child_path,
)
from zhijiao.identity.roster_models import ActivationCode, RosterImport
from zhijiao.identity.services import SCHOOL_CODE, USERNAME, clean_phone, is_valid_id_number

ACTIVATION_LIFETIME = timedelta(days=30)
# The slip and the error list can be downloaded this long after the import, by the importer only.
DOWNLOAD_LIFETIME = timedelta(hours=1)
# A guard against decompression bombs and runaway memory; three times the size the benchmark targets.
MAX_ROWS = 300_000
# Rows of a spreadsheet searched for the header, so that a title line above it does no harm.
HEADER_SEARCH_ROWS = 10
# Parameters per IN (...) lookup; below SQLite's old 999-variable limit.
CHUNK = 900
SHOWN_ERRORS = 200

# Activation codes avoid 0/O and 1/I so that they can be read off paper: 32 symbols, 5 bits each.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10


# --- Columns -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # the Chinese header of the template
    english: str  # the English header, also accepted
    label: str
    aliases: tuple[str, ...]
    help: str


COLUMNS = (
    Column("real_name", "姓名", "real_name", gettext_lazy("Name"), ("真实姓名", "name", "realname"),
           gettext_lazy("Required. The person's real name.")),
    Column("id_number", "身份证号", "id_number", gettext_lazy("ID number"),
           ("身份证", "身份证号码", "公民身份号码", "idnumber", "idno"),
           gettext_lazy("Required for students and teachers: the 18-character resident identity card number. "
                        "It finds the person again in later imports.")),
    Column("role", "角色", "role", gettext_lazy("Role"), ("身份",),
           gettext_lazy("Required. 学生, 教师 or 家长 (learner, teacher, parent).")),
    Column("school_code", "学校标识码", "school_code", gettext_lazy("School code"),
           ("学校代码", "学校识别码", "schoolcode"),
           gettext_lazy("Required, except for a school administrator's own school: the ten-digit school "
                        "identification code. The school must exist and be in your organisations.")),
    Column("grade", "年级", "grade", gettext_lazy("Grade"), (),
           gettext_lazy("Optional. Created under the school if it does not exist.")),
    Column("class_name", "班级", "class", gettext_lazy("Class"), ("班级名称", "classname"),
           gettext_lazy("Optional. Created under the grade (or the school) if it does not exist.")),
    Column("student_no", "学籍号", "student_no", gettext_lazy("Student number"),
           ("全国学籍号", "studentno", "studentnumber"),
           gettext_lazy("Optional, students only. Used for the generated username.")),
    Column("phone", "手机号", "phone", gettext_lazy("Mobile number"), ("手机", "手机号码", "mobile"),
           gettext_lazy("Optional. An 11-digit mainland mobile number, for signing in and recovery.")),
    Column("email", "邮箱", "email", gettext_lazy("Email"), ("电子邮箱", "电子邮件", "mail"),
           gettext_lazy("Optional. For signing in and password recovery.")),
    Column("username", "用户名", "username", gettext_lazy("Username"), ("账号", "帐号", "登录名"),
           gettext_lazy("Optional. Generated when empty (see the documentation).")),
    # On a 家长 row: the ID number of the student this person is the guardian of.
    Column("guardian_id_number", "监护人身份证号", "guardian_id_number", gettext_lazy("Student's ID number"),
           ("被监护人身份证号", "学生身份证号", "wardidnumber", "studentidnumber"),
           gettext_lazy("家长 rows only: the ID number of the student this person is the guardian of. The "
                        "student must be in the same file or already in your organisations.")),
)
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}
REQUIRED_FIELDS = ("real_name", "id_number", "role", "school_code")

ROLE_WORDS = {
    "学生": Role.LEARNER, "learner": Role.LEARNER, "student": Role.LEARNER,
    "教师": Role.TEACHER, "老师": Role.TEACHER, "teacher": Role.TEACHER,
    "家长": Role.PARENT, "监护人": Role.PARENT, "parent": Role.PARENT, "guardian": Role.PARENT,
}
ROLE_INITIAL = {Role.LEARNER: "s", Role.TEACHER: "t", Role.PARENT: "p"}

_HEADER_NOISE = re.compile(r"[\s_\-*:]+|\(.*?\)")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?e\+?\d+$", re.IGNORECASE)
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]")
_SPACES = re.compile(r"\s+")


def _header_key(text: str) -> str:
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


_HEADER_LOOKUP = {
    _header_key(name): c.field for c in COLUMNS for name in (c.header, c.english, *c.aliases)
}


def column_name(field_name: str) -> str:
    """How a column is named to people: its Chinese header and its English alias."""
    column = COLUMN_BY_FIELD[field_name]
    return f"{column.header}/{column.english}"


def template_csv() -> str:
    """The downloadable template: the header row only, with a BOM so that Excel reads it as UTF-8."""
    return _csv([[c.header for c in COLUMNS]])


# --- Results -----------------------------------------------------------------------------------------


@dataclass
class RowError:
    line: int
    field: str
    message: str

    @property
    def column(self) -> str:
        return str(COLUMN_BY_FIELD[self.field].label) if self.field in COLUMN_BY_FIELD else ""

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "message": self.message}


@dataclass
class SlipLine:
    """One line of the activation slip (开通单) handed to a person."""

    username: str
    real_name: str
    role: str
    school: str
    grade: str
    class_name: str
    code: str
    expires: str


@dataclass
class ImportResult:
    record: RosterImport
    rows: int = 0
    created: int = 0
    existing: int = 0
    memberships_added: int = 0
    organisations_created: int = 0
    guardians_linked: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    slip: list[SlipLine] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({e.line for e in self.errors})


# --- Reading the file --------------------------------------------------------------------------------


@dataclass
class Table:
    header_line: int
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (line as the spreadsheet numbers it, cells)


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": message})


def read_upload(upload) -> bytes:
    """All bytes of an uploaded or opened file, refusing one over ``ZJ_ROSTER_MAX_BYTES`` before reading."""
    limit = settings.ZJ_ROSTER_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _file_error(_too_big_message(limit))
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _file_error(_too_big_message(limit))
    return data


def _too_big_message(limit: int) -> str:
    return _("The file is larger than %(size)s MB. Split the roster into smaller files.") % {
        "size": round(limit / 1024 / 1024, 1)
    }


_NOT_A_ROSTER = gettext_lazy("This is not a CSV or Excel (.xlsx) file. Save the roster as CSV or .xlsx and try again.")
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf", b"BM")


def read_table(data: bytes) -> Table:
    """Sniff the content (not the file name): XLSX, or CSV text in UTF-8, UTF-16 or GB18030/GBK."""
    if not data.strip():
        raise _file_error(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        return _find_header(_xlsx_rows(data))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _file_error(_("Old Excel (.xls) files cannot be read. Save the file as .xlsx or CSV and try again."))
    if data.startswith(_BINARY_MAGIC):
        raise _file_error(str(_NOT_A_ROSTER))
    return _find_header(_csv_rows(_decode(data)))


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise _file_error(str(_NOT_A_ROSTER)) from None
    else:
        if b"\x00" in data:
            raise _file_error(str(_NOT_A_ROSTER))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Excel in China saves CSV as GBK; GB18030 is its superset.
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise _file_error(
                    _("The file's text is neither UTF-8 nor GBK. Save it as CSV (UTF-8) and try again.")
                ) from None
    sample = text[:65536]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
    if controls > len(sample) // 100:
        raise _file_error(str(_NOT_A_ROSTER))
    return text


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 0
    try:
        # A cell with a line break inside quotes is still one spreadsheet row: count records, not lines.
        for line, cells in enumerate(reader, start=1):
            yield line, cells
    except csv.Error:
        raise _file_error(
            _("Line %(line)s cannot be read as CSV; check its quotation marks.") % {"line": line + 1}
        ) from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    import openpyxl

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise _file_error(str(_NOT_A_ROSTER)) from None
    if "xl/workbook.xml" not in names:
        raise _file_error(str(_NOT_A_ROSTER))
    if unpacked > 10 * settings.ZJ_ROSTER_MAX_BYTES:
        raise _file_error(_too_big_message(settings.ZJ_ROSTER_MAX_BYTES))
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        # Read-only mode yields empty rows for gaps, so counting from row 1 keeps Excel's numbering.
        for line, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            yield line, [_cell_text(v) for v in values]
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds of error on a damaged workbook
        raise _file_error(_("The Excel file is damaged or cannot be read. Save it again and retry.")) from None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Long numbers (ID numbers typed as numbers) are past float precision: keep Excel's rendering
        # so the row check can explain what went wrong.
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _find_header(rows: Iterator[tuple[int, list[str]]]) -> Table:
    """The header is the first row naming at least two known columns (normally line 1)."""
    seen_anything = False
    for line, cells in rows:
        if line > HEADER_SEARCH_ROWS:
            seen_anything = True
            break
        if not any(c.strip() for c in cells):
            continue
        seen_anything = True
        if sum(1 for c in cells if _header_key(c) in _HEADER_LOOKUP) >= 2:
            return Table(line, cells, rows)
    if not seen_anything:
        raise _file_error(_("The file is empty."))
    raise _file_error(
        _("No header row was found. The first line must name the columns, for example: %(columns)s.")
        % {"columns": ", ".join(column_name(f) for f in REQUIRED_FIELDS)}
    )


def map_columns(header: list[str], *, school_required: bool = True) -> tuple[dict[str, int], list[str]]:
    """Field → cell index, and the header names that were not recognised (ignored)."""
    columns: dict[str, int] = {}
    ignored = []
    for index, name in enumerate(header):
        field_name = _HEADER_LOOKUP.get(_header_key(name))
        if field_name is None:
            if name.strip():
                ignored.append(name.strip())
            continue
        if field_name in columns:
            raise _file_error(_("The column %(column)s appears twice.") % {"column": name.strip()})
        columns[field_name] = index
    required = [f for f in REQUIRED_FIELDS if school_required or f != "school_code"]
    missing = [column_name(f) for f in required if f not in columns]
    if missing:
        raise _file_error(_("The file has no column for: %(columns)s.") % {"columns": ", ".join(missing)})
    return columns, ignored


# --- Checking one row --------------------------------------------------------------------------------


@dataclass(slots=True)
class RosterRow:
    line: int
    real_name: str
    role: str
    id_number: str = ""
    school_code: str = ""
    grade: str = ""
    class_name: str = ""
    student_no: str = ""
    phone: str = ""
    email: str | None = None
    username: str = ""
    guardian_id_number: str = ""
    birth_date: date | None = None
    # Filled in while the import resolves the row against the database.
    id_index: str | None = None
    school: Organisation | None = None
    user_id: int | None = None
    new_user: User | None = None
    ward_key: str | None = None


def _text(value: str) -> str:
    """Cell text as meant: no surrounding or doubled spaces, no zero-width or control characters."""
    value = "".join(ch for ch in value if unicodedata.category(ch) not in ("Cc", "Cf"))
    return _SPACES.sub(" ", value).strip()


def _code_text(value: str) -> str:
    """Identifiers: full-width digits and letters made ASCII, spaces removed."""
    return _text(unicodedata.normalize("NFKC", value)).replace(" ", "")


def _check_id_number(value: str) -> tuple[str | None, date | None]:
    """(error message or None, date of birth) for a resident identity card number."""
    if _SCIENTIFIC.match(value):
        return _("Excel turned this ID number into a number and lost its last digits. Format the column as "
                 "text and type the number again."), None
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return _("An ID number has 18 characters: 17 digits and a final digit or X."), None
    if not is_valid_id_number(value):
        return _("The ID number's check digit is wrong."), None
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return _("The date of birth in the ID number is not a real date."), None
    if born > timezone.localdate() or born.year < 1900:
        return _("The date of birth in the ID number is not a real date."), None
    return None, born


def parse_row(columns: dict[str, int], cells: list[str], line: int, *,
              default_school_code: str = "") -> tuple[RosterRow | None, list[RowError]]:
    """Check one row's cells on their own (no database). Never raises: problems come back as errors."""
    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) and cells[index] is not None else ""

    errors: list[RowError] = []

    def fail(name: str, message: str) -> None:
        errors.append(RowError(line, name, message))

    real_name = _text(cell("real_name"))
    if not real_name:
        fail("real_name", _("The name is missing."))
    elif len(real_name) > 100:
        fail("real_name", _("The name is longer than 100 characters."))

    role_word = _text(unicodedata.normalize("NFKC", cell("role"))).lower()
    role = ROLE_WORDS.get(role_word, "")
    if not role_word:
        fail("role", _("The role is missing; use 学生, 教师 or 家长 (learner, teacher, parent)."))
    elif not role:
        fail("role", _("Unknown role; use 学生, 教师 or 家长 (learner, teacher, parent)."))

    id_number = _code_text(cell("id_number")).upper()
    birth_date = None
    if id_number:
        problem, birth_date = _check_id_number(id_number)
        if problem:
            fail("id_number", problem)
    elif role in (Role.LEARNER, Role.TEACHER):
        fail("id_number", _("The ID number is missing; it is required for students and teachers."))

    school_code = _code_text(cell("school_code")) or default_school_code
    if not school_code:
        fail("school_code", _("The school code is missing."))
    elif not SCHOOL_CODE.match(school_code):
        fail("school_code", _("A school identification code has ten digits."))

    grade, class_name = _text(cell("grade")), _text(cell("class_name"))
    if len(grade) > 200:
        fail("grade", _("The grade name is longer than 200 characters."))
    if len(class_name) > 200:
        fail("class_name", _("The class name is longer than 200 characters."))

    student_no = _code_text(cell("student_no"))
    if len(student_no) > 64:
        fail("student_no", _("The student number is longer than 64 characters."))

    phone = ""
    try:
        phone = clean_phone(_code_text(cell("phone")))
    except ValidationError:
        fail("phone", _("Enter an 11-digit mainland mobile number."))

    email = _code_text(cell("email")).lower() or None
    if email:
        try:
            validate_email(email)
        except ValidationError:
            fail("email", _("This is not a valid email address."))

    username = _code_text(cell("username"))
    if username and not USERNAME.match(username):
        fail("username", _("A username has 3 to 150 letters, digits or . @ + - _"))

    guardian_id = _code_text(cell("guardian_id_number")).upper()
    if role == Role.PARENT and not id_number and not guardian_id:
        fail("guardian_id_number", _("A parent row needs the parent's ID number or the student's ID number."))
    if guardian_id:
        if role and role != Role.PARENT:
            fail("guardian_id_number", _("Only 家长 (parent) rows name a student to be the guardian of."))
        elif guardian_id == id_number:
            fail("guardian_id_number", _("Enter the student's ID number here, not the parent's own."))
        else:
            problem, _born = _check_id_number(guardian_id)
            if problem:
                fail("guardian_id_number", problem)

    if errors:
        return None, errors
    return RosterRow(
        line=line, real_name=real_name, role=role, id_number=id_number, school_code=school_code, grade=grade,
        class_name=class_name, student_no=student_no if role == Role.LEARNER else "", phone=phone, email=email,
        username=username, guardian_id_number=guardian_id, birth_date=birth_date,
    ), []


def generated_username(row: RosterRow) -> str:
    """The username a row gets when its 用户名 cell is empty; the same row always gives the same name.

    Students with a 学籍号 that does not contain their ID number: ``<school code>-<学籍号>`` (its letters
    and digits, lower case); the national 学籍号 is usually "G" + the ID number, which must not become a
    visible name. Everyone else: ``<school code>-<s|t|p><10 hex digits>``, the digits taken from a keyed
    hash of the ID number (or, for a parent without one, of the name and the student's ID number).
    """
    student_no = _NON_ALNUM.sub("", row.student_no).lower()
    if row.role == Role.LEARNER and student_no and not (row.id_number and row.id_number[:17] in row.student_no):
        return f"{row.school_code}-{student_no}"
    identity = row.id_number or f"{row.real_name}|{row.guardian_id_number}"
    digest = crypto.blind_index(identity, "roster.username")[:10]
    return f"{row.school_code}-{ROLE_INITIAL[row.role]}{digest}"


# --- Activation codes ----------------------------------------------------------------------------------


def new_activation_code() -> str:
    number = int.from_bytes(secrets.token_bytes(7), "big")
    return "".join(CODE_ALPHABET[(number >> (5 * i)) & 31] for i in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return _NON_ALNUM.sub("", unicodedata.normalize("NFKC", code or "")).upper()


def format_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


# --- The import ----------------------------------------------------------------------------------------


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _in_scope(path: str, scope: list[str]) -> bool:
    return any(path.startswith(p) for p in scope)


def _scope_root(actor: User) -> Organisation | None:
    """The one organisation whose subtree is the actor's whole "user.manage" scope, if there is one."""
    paths = set(permissions.scope_paths(actor, "user.manage"))
    return Organisation.objects.filter(path=paths.pop()).first() if len(paths) == 1 else None


def default_organisation(actor: User) -> Organisation | None:
    """A school administrator's one school, so their files may leave out the school code column."""
    org = _scope_root(actor)
    return org if org is not None and org.kind == OrgKind.SCHOOL else None


def import_roster(actor: User | None, upload, *, file_name: str, within: Organisation | None = None,
                  reissue_codes: bool = False, request=None) -> ImportResult:
    """Import one roster file.

    ``actor`` None is the operator at the server's command line: no permission check, audited as
    "operator". Otherwise the actor needs "user.manage" and each row's school must lie in that scope
    (and under ``within`` when given). With ``reissue_codes``, accounts in the file that were never
    activated get a fresh activation code (their old slip stops working).

    Raises ValidationError({"file": ...}) when the file as a whole cannot be imported; nothing changes then.
    """
    if actor is not None:
        permissions.require(actor, "user.manage", within)
        scope = [within.path] if within else permissions.scope_paths(actor, "user.manage")
    else:
        scope = [within.path] if within else [""]
    data = read_upload(upload)
    table = read_table(data)
    default_school = within if within is not None and within.kind == OrgKind.SCHOOL and within.code else None
    columns, ignored = map_columns(table.header, school_required=default_school is None)

    rows: list[RosterRow] = []
    errors: list[RowError] = []
    count = 0
    for line, cells in table.rows:
        if not any(c.strip() for c in cells if c):
            continue
        count += 1
        if count > MAX_ROWS:
            raise _file_error(_("The file has more than %(rows)s rows. Split the roster into smaller files.")
                              % {"rows": MAX_ROWS})
        row, row_errors = parse_row(columns, cells, line,
                                    default_school_code=default_school.code if default_school else "")
        if row is None:
            errors.extend(row_errors)
        else:
            rows.append(row)
    if count == 0:
        raise _file_error(_("The file has a header but no rows below it."))

    try:
        with transaction.atomic():
            home = within or (_scope_root(actor) if actor is not None else None)
            run = _Import(actor, scope, home, rows, errors, reissue_codes)
            result = run.write(file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), row_count=count,
                               ignored_columns=ignored)
            audit.record(
                "roster.import", actor=actor, actor_name="" if actor else "operator", request=request,
                target=result.record, organisation=home, file_name=file_name[:255],
                sha256=result.record.file_sha256, rows=count, created=result.created, existing=result.existing,
                memberships_added=result.memberships_added, organisations_created=result.organisations_created,
                guardians_linked=result.guardians_linked, rejected=result.rejected,
            )
    except IntegrityError:
        raise _file_error(_("Someone changed the same accounts while this file was being imported. Nothing was "
                            "imported; try again.")) from None
    return result


class _Import:
    """The database side of one import, from the checked rows to the written accounts, in stages."""

    def __init__(self, actor, scope, home, rows, errors, reissue_codes):
        self.actor, self.scope, self.home = actor, scope, home
        self.rows: list[RosterRow] = rows
        self.errors: list[RowError] = errors
        self.reissue_codes = reissue_codes
        self.now = timezone.now()

    def reject(self, row: RosterRow, field_name: str, message: str) -> None:
        self.errors.append(RowError(row.line, field_name, message))

    def keep(self, predicate) -> None:
        self.rows = [row for row in self.rows if predicate(row)]

    # The stages, in order; each drops the rows it rejects.

    def write(self, *, file_name: str, sha256: str, row_count: int, ignored_columns: list[str]) -> ImportResult:
        purge_expired_downloads()
        record = RosterImport.objects.create(
            actor=self.actor, organisation=self.home, file_name=file_name[:255], file_sha256=sha256,
            ignored_columns=", ".join(ignored_columns)[:500], downloads_expire_at=self.now + DOWNLOAD_LIFETIME,
        )
        result = ImportResult(record=record, rows=row_count, ignored_columns=ignored_columns)
        self.find_schools()
        self.find_people()
        self.find_wards()
        self.add_organisations(result)
        self.create_accounts(result, record)
        self.add_memberships(result)
        self.link_guardians(result)
        if self.reissue_codes:
            self.reissue(result, record)
        self.errors.sort(key=lambda e: e.line)
        result.errors = self.errors
        result.existing = sum(1 for row in self.rows if row.new_user is None)
        for name in ("rows", "created", "existing", "memberships_added", "organisations_created",
                     "guardians_linked"):
            setattr(record, name, getattr(result, name))
        record.rejected = result.rejected
        record.errors_json = json.dumps([[e.line, e.field, e.message] for e in self.errors], ensure_ascii=False)
        if result.slip:
            record.slip_enc = crypto.encrypt(
                json.dumps([list(vars(s).values()) for s in result.slip], ensure_ascii=False), "roster.slip"
            )
        record.save()
        return result

    def find_schools(self) -> None:
        codes = sorted({row.school_code for row in self.rows})
        schools: dict[str, Organisation] = {}
        for chunk in _chunks(codes):
            # Locking the schools makes two imports into the same school wait for each other instead of
            # both creating the same grade or class.
            for org in Organisation.objects.select_for_update().filter(kind=OrgKind.SCHOOL, code__in=chunk):
                schools[org.code] = org

        def check(row: RosterRow) -> bool:
            row.school = schools.get(row.school_code)
            if row.school is None:
                self.reject(row, "school_code", _("No school has the identification code %(code)s.")
                            % {"code": row.school_code})
            elif not _in_scope(row.school.path, self.scope):
                self.reject(row, "school_code", _("This school is not in your organisations."))
            else:
                return True
            return False

        self.keep(check)

    def find_people(self) -> None:
        """Match each row to an existing account or plan a new one; refuse duplicates and clashes."""
        for row in self.rows:
            if row.id_number:
                row.id_index = crypto.blind_index(row.id_number, "user.id_number")
            if row.guardian_id_number:
                row.ward_key = crypto.blind_index(row.guardian_id_number, "user.id_number")
        by_index = self.by_index = self._users_by_index({row.id_index for row in self.rows if row.id_index})
        for row in self.rows:
            if not row.username and row.id_index not in by_index:
                row.username = generated_username(row)
        by_username = self._users_by_username(
            {row.username.upper() for row in self.rows if row.id_index not in by_index}
        )
        new_rows = [row for row in self.rows if row.id_index not in by_index
                    and row.username.upper() not in by_username]
        # An existing account may be attached only when every organisation it already belongs to is
        # inside the importer's scope: a school must not reach people of other schools or bureaus.
        out_of_reach = self._out_of_reach({u["id"] for u in by_index.values()} | {u["id"] for u in by_username.values()})
        emails_taken = self._taken("email", {row.email for row in new_rows if row.email})
        phone_indexes = {row.line: crypto.blind_index(row.phone, "user.phone") for row in new_rows if row.phone}
        phones_taken = self._taken("phone_index", set(phone_indexes.values()))

        seen_person: dict[str, int] = {}
        seen_username: dict[str, int] = {}
        seen_email: dict[str, int] = {}
        seen_phone: dict[str, int] = {}

        def check(row: RosterRow) -> bool:
            if row.id_index:
                if row.id_index in seen_person:
                    self.reject(row, "id_number", _("This ID number already appears on line %(line)s.")
                                % {"line": seen_person[row.id_index]})
                    return False
                seen_person[row.id_index] = row.line
                match = by_index.get(row.id_index)
                if match is not None:
                    if match["id"] in out_of_reach:
                        self.reject(row, "id_number", _("This person belongs to organisations outside yours; an "
                                                        "administrator over both must add them."))
                        return False
                    if match["real_name"] and match["real_name"] != row.real_name:
                        self.reject(row, "id_number",
                                    _("This ID number is already registered under a different name."))
                        return False
                    row.user_id = match["id"]
                    return True
            key = row.username.upper()
            if key in seen_username:
                self.reject(row, "username", _("The username %(username)s is already used on line %(line)s.")
                            % {"username": row.username, "line": seen_username[key]})
                return False
            seen_username[key] = row.line
            match = by_username.get(key)
            if match is not None:
                # Only a row without an ID number gets here with a match; it may claim the account only
                # when the account has no ID number of its own and the names agree.
                if (row.id_index or match["id_number_index"] or match["real_name"] != row.real_name
                        or match["id"] in out_of_reach):
                    self.reject(row, "username", _("The username %(username)s is taken by another account.")
                                % {"username": row.username})
                    return False
                row.user_id = match["id"]
                return True
            if row.email:
                if row.email in emails_taken or row.email in seen_email:
                    self.reject(row, "email", _("This email address is already registered."))
                    return False
                seen_email[row.email] = row.line
            if row.phone:
                phone_index = phone_indexes[row.line]
                if phone_index in phones_taken or phone_index in seen_phone:
                    self.reject(row, "phone", _("This mobile number is already registered."))
                    return False
                seen_phone[phone_index] = row.line
            return True

        self.keep(check)

    def find_wards(self) -> None:
        """A parent row's student must be a student row of this file or a student in the actor's scope."""
        in_file = {row.id_index: row for row in self.rows if row.id_index}
        wanted = {row.ward_key for row in self.rows if row.ward_key and row.ward_key not in in_file}
        self.by_index.update(self._users_by_index(wanted - self.by_index.keys()))
        learner_paths: dict[int, list[str]] = {}
        ward_ids = [self.by_index[k]["id"] for k in wanted if k in self.by_index]
        for chunk in _chunks(ward_ids):
            for user_id, path in Membership.objects.filter(user_id__in=chunk, role=Role.LEARNER).values_list(
                "user_id", "org_path"
            ):
                learner_paths.setdefault(user_id, []).append(path)

        def check(row: RosterRow) -> bool:
            if not row.ward_key:
                return True
            ward_row = in_file.get(row.ward_key)
            if ward_row is not None:
                if ward_row.role == Role.LEARNER:
                    return True
            else:
                ward = self.by_index.get(row.ward_key)
                paths = learner_paths.get(ward["id"], []) if ward else []
                if any(_in_scope(p, self.scope) for p in paths):
                    return True
            self.reject(row, "guardian_id_number", _("No student with this ID number is in your organisations."))
            return False

        self.keep(check)
        # A student row that a parent row relies on is never dropped after this point.
        self.ward_rows = in_file

    def add_organisations(self, result: ImportResult) -> None:
        """Grades (院系/年级) under schools and classes under grades (or schools), created when missing."""
        school_ids = sorted({row.school.pk for row in self.rows if row.grade or row.class_name})
        grades = self._children(school_ids, OrgKind.DEPARTMENT)
        wanted_grades = {(row.school.pk, row.grade): row.school for row in self.rows if row.grade}
        result.organisations_created += self._create_missing(grades, wanted_grades, OrgKind.DEPARTMENT)

        def class_parent(row: RosterRow) -> Organisation:
            return grades[(row.school.pk, row.grade)] if row.grade else row.school

        parent_ids = sorted({class_parent(row).pk for row in self.rows if row.class_name})
        classes = self._children(parent_ids, OrgKind.CLASS)
        wanted_classes = {(class_parent(row).pk, row.class_name): class_parent(row)
                          for row in self.rows if row.class_name}
        result.organisations_created += self._create_missing(classes, wanted_classes, OrgKind.CLASS)
        self.unit = {}
        for row in self.rows:
            if row.class_name:
                self.unit[row.line] = classes[(class_parent(row).pk, row.class_name)]
            elif row.grade:
                self.unit[row.line] = grades[(row.school.pk, row.grade)]
            else:
                self.unit[row.line] = row.school

    def create_accounts(self, result: ImportResult, record: RosterImport) -> None:
        new_rows = [row for row in self.rows if row.user_id is None]
        users = []
        for row in new_rows:
            user = User(
                username=row.username, email=row.email, real_name=row.real_name, birth_date=row.birth_date,
                language="zh-hans", date_joined=self.now,
                # The school's student-status (学籍) and staff records are the real-name source (后台实名).
                verification=Verification.VERIFIED if row.id_number else Verification.UNVERIFIED,
                # An unusable password (Django's "!" prefix) without the cost of hashing one per person.
                password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
            )
            user.set_phone(row.phone)
            user.set_id_number(row.id_number)
            users.append(user)
        User.objects.bulk_create(users)
        for row, user in zip(new_rows, users):
            row.user_id, row.new_user = user.pk, user
        result.created = len(users)
        result.slip = self._issue_codes(new_rows, record)

    def add_memberships(self, result: ImportResult) -> None:
        existing_ids = [row.user_id for row in self.rows if row.new_user is None]
        held = set()
        for chunk in _chunks(existing_ids):
            held.update(Membership.objects.filter(user_id__in=chunk).values_list("user_id", "organisation_id", "role"))
        memberships = []
        for row in self.rows:
            unit = self.unit[row.line]
            if (row.user_id, unit.pk, row.role) not in held:
                memberships.append(Membership(user_id=row.user_id, organisation=unit, role=row.role,
                                              org_path=unit.path, granted_by=self.actor, created_at=self.now))
        Membership.objects.bulk_create(memberships, batch_size=CHUNK)
        result.memberships_added = len(memberships)

    def link_guardians(self, result: ImportResult) -> None:
        pairs = {}
        for row in self.rows:
            if row.ward_key:
                ward_row = self.ward_rows.get(row.ward_key)
                ward_id = ward_row.user_id if ward_row is not None else self.by_index[row.ward_key]["id"]
                pairs[(row.user_id, ward_id)] = row
        guardian_ids = sorted({g for g, _ in pairs})
        existing = {}
        for chunk in _chunks(guardian_ids):
            for link in GuardianLink.objects.filter(guardian_id__in=chunk):
                existing[(link.guardian_id, link.minor_id)] = link
        unconfirmed = [link.pk for key, link in existing.items() if key in pairs and link.confirmed_at is None]
        for chunk in _chunks(unconfirmed):
            GuardianLink.objects.filter(pk__in=chunk).update(confirmed_at=self.now)
        links = [GuardianLink(guardian_id=g, minor_id=m, confirmed_at=self.now, created_at=self.now)
                 for (g, m) in pairs if (g, m) not in existing]
        GuardianLink.objects.bulk_create(links, batch_size=CHUNK)
        result.guardians_linked = len(links) + len(unconfirmed)

    def reissue(self, result: ImportResult, record: RosterImport) -> None:
        """Fresh codes for accounts of this file that a roster import opened and nobody activated yet.

        Accounts opened any other way, and any account holding an administrator role, are left alone:
        a code would let whoever holds it set the password.
        """
        ids = [row.user_id for row in self.rows if row.new_user is None]
        dormant = set()
        for chunk in _chunks(ids):
            dormant.update(
                ActivationCode.objects.filter(
                    user_id__in=chunk, used_at=None, user__is_active=True,
                    user__password__startswith=UNUSABLE_PASSWORD_PREFIX,
                ).exclude(user__memberships__role__in=ADMIN_ROLES).values_list("user_id", flat=True)
            )
        rows = [row for row in self.rows if row.user_id in dormant]
        usernames = {}
        for chunk in _chunks(sorted(dormant)):
            ActivationCode.objects.filter(user_id__in=chunk).delete()
            usernames.update(User.objects.filter(pk__in=chunk).values_list("pk", "username"))
        for row in rows:
            row.username = usernames[row.user_id]
        result.slip += self._issue_codes(rows, record)

    # Helpers shared by the stages.

    def _issue_codes(self, rows: list[RosterRow], record: RosterImport) -> list[SlipLine]:
        expires = self.now + ACTIVATION_LIFETIME
        expires_text = timezone.localtime(expires).date().isoformat()
        codes, slip = [], []
        for row in rows:
            code = new_activation_code()
            codes.append(ActivationCode(user_id=row.user_id, code_hash=hash_code(code), roster_import=record,
                                        created_at=self.now, expires_at=expires))
            slip.append(SlipLine(
                username=row.username, real_name=row.real_name, role=str(Role(row.role).label),
                school=row.school.name, grade=row.grade, class_name=row.class_name, code=format_code(code),
                expires=expires_text,
            ))
        ActivationCode.objects.bulk_create(codes, batch_size=CHUNK)
        return slip

    def _users_by_index(self, indexes: Iterable[str]) -> dict[str, dict]:
        found = {}
        for chunk in _chunks(sorted(indexes)):
            for user in User.objects.filter(id_number_index__in=chunk).values("id", "id_number_index", "real_name"):
                found[user["id_number_index"]] = user
        return found

    def _out_of_reach(self, user_ids: set[int]) -> set[int]:
        """Those of ``user_ids`` with a membership outside the importer's scope."""
        outside = set()
        for chunk in _chunks(sorted(user_ids)):
            for user_id, path in Membership.objects.filter(user_id__in=chunk).values_list("user_id", "org_path"):
                if not _in_scope(path, self.scope):
                    outside.add(user_id)
        return outside

    def _users_by_username(self, upper_names: set[str]) -> dict[str, dict]:
        found = {}
        for chunk in _chunks(sorted(upper_names)):
            query = User.objects.annotate(upper=Upper("username")).filter(upper__in=chunk)
            for user in query.values("id", "upper", "real_name", "id_number_index"):
                found[user["upper"]] = user
        return found

    def _taken(self, field_name: str, values: set[str]) -> set[str]:
        taken = set()
        for chunk in _chunks(sorted(values)):
            taken.update(User.objects.filter(**{f"{field_name}__in": chunk}).values_list(field_name, flat=True))
        return taken

    def _children(self, parent_ids: list[int], kind: str) -> dict[tuple[int, str], Organisation]:
        found: dict[tuple[int, str], Organisation] = {}
        for chunk in _chunks(parent_ids):
            for org in Organisation.objects.filter(parent_id__in=chunk, kind=kind).order_by("-pk"):
                found[(org.parent_id, org.name)] = org  # the oldest of same-named siblings wins
        return found

    def _create_missing(self, found: dict, wanted: dict[tuple[int, str], Organisation], kind: str) -> int:
        missing = [(key, parent) for key, parent in wanted.items() if key not in found]
        # Paths hold the node's own id, known only after the insert: insert with a unique placeholder,
        # then set the real path. Both happen inside the import's transaction.
        orgs = [Organisation(name=name, kind=kind, parent=parent, path=f"~{uuid.uuid4().hex}",
                             depth=parent.depth + 1, created_at=self.now)
                for (_parent_id, name), parent in missing]
        Organisation.objects.bulk_create(orgs, batch_size=CHUNK)
        for org, ((parent_id, name), parent) in zip(orgs, missing):
            org.path = child_path(parent.path, org.pk)
            found[(parent_id, name)] = org
        Organisation.objects.bulk_update(orgs, ["path"], batch_size=CHUNK)
        return len(orgs)


# --- After the import: downloads -------------------------------------------------------------------------


def _csv(rows: Iterable[Iterable]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([spreadsheet_safe(v) for v in row])
    return out.getvalue()


def purge_expired_downloads() -> int:
    """Forget slips and error lists whose download time is over."""
    return RosterImport.objects.filter(downloads_expire_at__lt=timezone.now()).exclude(
        slip_enc="", errors_json=""
    ).update(slip_enc="", errors_json="")


def imports_of(actor: User, limit: int = 10):
    return RosterImport.objects.filter(actor=actor).order_by("-created_at", "-pk")[:limit]


def get_import(actor: User, import_id: int) -> RosterImport:
    """An import as its importer sees it; anyone else gets PermissionDenied."""
    record = RosterImport.objects.filter(pk=import_id).first()
    if record is None or record.actor_id != actor.pk:
        raise PermissionDenied
    return record


def downloads_available(record: RosterImport) -> bool:
    return record.downloads_expire_at > timezone.now()


def import_errors(record: RosterImport) -> list[RowError]:
    if not downloads_available(record) or not record.errors_json:
        return []
    return [RowError(line, field_name, message) for line, field_name, message in json.loads(record.errors_json)]


def slip_available(record: RosterImport) -> bool:
    return bool(record.slip_enc) and downloads_available(record)


def errors_csv(errors: list[RowError]) -> str:
    return _csv([[_("Line"), _("Column"), _("Problem")], *([e.line, e.column, e.message] for e in errors)])


def slip_csv(lines: list[SlipLine]) -> str:
    header = [_("Username"), _("Name"), _("Role"), _("School"), _("Grade"), _("Class"), _("Activation code"),
              _("Valid until")]
    return _csv([header, *([s.username, s.real_name, s.role, s.school, s.grade, s.class_name, s.code, s.expires]
                           for s in lines)])


def download_slip(actor: User, record: RosterImport, request=None) -> str:
    """The activation slip as CSV, for the importer, while it lasts; each download is audited."""
    if record.actor_id != actor.pk:
        raise PermissionDenied
    if not slip_available(record):
        raise ValidationError({"slip": _("The activation slip is no longer available. Import the file again "
                                         "with \"issue new activation codes\" to get new codes.")})
    lines = [SlipLine(*values) for values in json.loads(crypto.decrypt(record.slip_enc, "roster.slip"))]
    audit.record("roster.slip_download", actor=actor, request=request, target=record, organisation=record.organisation,
                 accounts=len(lines))
    return slip_csv(lines)


# --- Activation ------------------------------------------------------------------------------------------


def activate_account(*, username: str, code: str, password: str, request=None) -> User:
    """无需注册即开通: a person with an activation code sets their first password, then signs in normally.

    A wrong code counts toward nothing (it is not a failed sign-in) but is audited; the code survives
    a wrong password so the person can try again.
    """
    problem = None
    with transaction.atomic():
        user = User.objects.with_username((username or "").strip()).filter(is_active=True).first()
        activation = (ActivationCode.objects.select_for_update().filter(user=user).first()
                      if user is not None else None)
        if activation is None or not hmac.compare_digest(activation.code_hash, hash_code(code)):
            problem = {"code": _("The username or activation code is not correct.")}
        elif activation.used_at is not None or user.has_usable_password():
            problem = {"code": _("This account is already activated. Sign in with your password.")}
        elif activation.expires_at <= timezone.now():
            problem = {"code": _("This activation code has expired. Ask your school for a new one.")}
        else:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise ValidationError({"password": exc.messages}) from exc
            user.set_password(password)
            user.save(update_fields=["password"])
            activation.used_at = timezone.now()
            activation.save(update_fields=["used_at"])
            audit.record("user.activate", actor=user, request=request, target=user)
            return user
        audit.record("user.activate", actor=user, actor_name=(username or "")[:150], request=request,
                     success=False, reason=next(iter(problem.values()))[:200])
    raise ValidationError(problem)
