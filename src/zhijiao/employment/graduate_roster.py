"""生源信息导入 Graduate roster import: a school's employment office states who graduates this year.

A CSV (UTF-8 or GBK) or XLSX file lists the graduating students: student number, name, ID number or
username (to find the account), college, class, major (name, and optionally its catalogue code), degree
level, graduation year and place of origin. The file is read with the identity roster's readers (same
encodings, same checks on damaged files). Every row is checked first; if any row has a problem, the
import reports every problem with its spreadsheet line and writes nothing. A clean file creates or updates
each graduate's :class:`GraduateRecord` in one transaction (colleges and classes that do not exist yet are
created under the school) and is audited as one entry.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhijiao.core import audit, crypto
from zhijiao.employment import permissions as perms
from zhijiao.employment import regions, services
from zhijiao.employment.models import DegreeLevel, GraduateRecord
from zhijiao.identity import services as identity_services
from zhijiao.identity.models import Organisation, OrgKind, User
from zhijiao.identity.roster import _code_text, _csv_rows, _decode, _text, _xlsx_rows, read_upload

MAX_ROWS = 20_000
HEADER_SEARCH_ROWS = 10
CHUNK = 900

# field → (Chinese header of the template, English header, other accepted headers)
COLUMNS = {
    "student_number": ("学号", "student_number", ("学生编号", "studentno")),
    "name": ("姓名", "name", ("真实姓名", "realname")),
    "id_number": ("身份证号", "id_number", ("身份证", "身份证号码", "公民身份号码", "idno")),
    "username": ("用户名", "username", ("账号", "帐号")),
    "college": ("学院", "college", ("院系", "二级学院", "department")),
    "class_name": ("班级", "class", ("班级名称",)),
    "major_name": ("专业", "major", ("专业名称", "majorname")),
    "major_code": ("专业代码", "major_code", ("majorcode",)),
    "degree_level": ("学历层次", "degree_level", ("学历", "degree")),
    "graduation_year": ("毕业年份", "graduation_year", ("届别", "毕业届别", "year")),
    "origin_code": ("生源地代码", "origin_code", ("生源地", "origin")),
}
LABELS = {
    "student_number": gettext_lazy("Student number"),
    "name": gettext_lazy("Name"),
    "id_number": gettext_lazy("ID number"),
    "username": gettext_lazy("Username"),
    "college": gettext_lazy("College"),
    "class_name": gettext_lazy("Class"),
    "major_name": gettext_lazy("Major"),
    "major_code": gettext_lazy("Major code"),
    "degree_level": gettext_lazy("Degree level"),
    "graduation_year": gettext_lazy("Graduation year"),
    "origin_code": gettext_lazy("Place of origin"),
}
REQUIRED = ("name", "major_name", "degree_level", "graduation_year")
DEGREE_WORDS = {
    "专科": DegreeLevel.VOCATIONAL, "高职": DegreeLevel.VOCATIONAL, "大专": DegreeLevel.VOCATIONAL,
    "高职专科": DegreeLevel.VOCATIONAL, "vocational": DegreeLevel.VOCATIONAL,
    "本科": DegreeLevel.BACHELOR, "学士": DegreeLevel.BACHELOR, "bachelor": DegreeLevel.BACHELOR,
    "硕士": DegreeLevel.MASTER, "硕士研究生": DegreeLevel.MASTER, "master": DegreeLevel.MASTER,
    "博士": DegreeLevel.DOCTOR, "博士研究生": DegreeLevel.DOCTOR, "doctor": DegreeLevel.DOCTOR,
}
_HEADER_NOISE = re.compile(r"[\s_\-*:：]+|\(.*?\)|（.*?）")


def _header_key(text: str) -> str:
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", text or "")).lower()


_LOOKUP = {_header_key(name): f for f, (zh, en, aliases) in COLUMNS.items() for name in (zh, en, *aliases)}


def template_csv() -> str:
    return "\ufeff" + ",".join(zh for zh, _en, _aliases in COLUMNS.values()) + "\r\n"


@dataclass
class RowError:
    line: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "message": self.message}

    @property
    def column(self) -> str:
        return str(LABELS.get(self.field, ""))


@dataclass
class Row:
    line: int
    values: dict
    user: User | None = None
    major_id: int | None = None


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": message})


def _rows(data: bytes):
    # The same sniffing as identity.roster.read_table, with this roster's header names.
    if not data.strip():
        raise _file_error(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_rows(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _file_error(_("Old Excel (.xls) files cannot be read. Save the file as .xlsx or CSV and try again."))
    if data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b")):
        raise _file_error(_("This is not a CSV or Excel (.xlsx) file. Save the roster as CSV or .xlsx and try "
                            "again."))
    return _csv_rows(_decode(data))


def _header(rows) -> tuple[dict[str, int], list[str]]:
    for line, cells in rows:
        if line > HEADER_SEARCH_ROWS:
            break
        if sum(1 for c in cells if _header_key(c) in _LOOKUP) >= 2:
            columns: dict[str, int] = {}
            ignored = []
            for index, name in enumerate(cells):
                key = _LOOKUP.get(_header_key(name))
                if key is None:
                    if (name or "").strip():
                        ignored.append(name.strip())
                elif key in columns:
                    raise _file_error(_("The column %(column)s appears twice.") % {"column": name.strip()})
                else:
                    columns[key] = index
            missing = [COLUMNS[f][0] for f in REQUIRED if f not in columns]
            if "id_number" not in columns and "username" not in columns:
                missing.append(f"{COLUMNS['id_number'][0]}/{COLUMNS['username'][0]}")
            if missing:
                raise _file_error(_("The file has no column for: %(columns)s.") % {"columns": ", ".join(missing)})
            return columns, ignored
    raise _file_error(_("No header row was found. The first line must name the columns, for example: %(columns)s.")
                      % {"columns": "、".join(COLUMNS[f][0] for f in ("student_number", "name", "id_number",
                                                                       "major_name", "degree_level",
                                                                       "graduation_year"))})


def _parse(columns: dict[str, int], cells: list[str], line: int) -> tuple[Row | None, list[RowError]]:
    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) and cells[index] is not None else ""

    errors: list[RowError] = []
    values = {f: _text(cell(f)) for f in ("name", "college", "class_name", "major_name")}
    for f in ("student_number", "id_number", "username", "major_code", "graduation_year", "origin_code",
              "degree_level"):
        values[f] = _code_text(cell(f))
    values["id_number"] = values["id_number"].upper()
    if not values["name"]:
        errors.append(RowError(line, "name", _("Enter the graduate's name.")))
    if not values["id_number"] and not values["username"]:
        errors.append(RowError(line, "id_number", _("Give the ID number or the username, to find the account.")))
    elif values["id_number"] and not identity_services.is_valid_id_number(values["id_number"]):
        errors.append(RowError(line, "id_number", _("This is not a valid 18-character ID number.")))
    if not values["major_name"]:
        errors.append(RowError(line, "major_name", _("Enter the major.")))
    degree = DEGREE_WORDS.get(values["degree_level"].lower()) or DEGREE_WORDS.get(_text(cell("degree_level")))
    if degree is None:
        errors.append(RowError(line, "degree_level", _("Write 专科, 本科, 硕士 or 博士.")))
    values["degree_level"] = degree
    year = values["graduation_year"].removesuffix("届")
    this_year = timezone.localdate().year
    if not re.fullmatch(r"\d{4}", year) or not this_year - 10 <= int(year) <= this_year + 5:
        errors.append(RowError(line, "graduation_year",
                               _("Enter the graduation year as four digits, e.g. %(year)s.") % {"year": this_year}))
    else:
        values["graduation_year"] = int(year)
    if values["origin_code"] and not re.fullmatch(r"\d{6}", values["origin_code"]):
        errors.append(RowError(line, "origin_code", _("The place of origin is a six-digit division code "
                                                      "(GB/T 2260), e.g. 330106.")))
    for f, limit in (("student_number", 32), ("name", 100), ("college", 200), ("class_name", 200),
                     ("major_name", 100)):
        if len(values[f]) > limit:
            errors.append(RowError(line, f, _("This value is too long.")))
    return (None if errors else Row(line, values)), errors


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _resolve_users(rows: list[Row], errors: list[RowError]) -> None:
    by_index: dict[str, User] = {}
    id_rows = [r for r in rows if r.values["id_number"]]
    for chunk in _chunks(id_rows):
        keys = {crypto.blind_index(r.values["id_number"], "user.id_number"): r for r in chunk}
        for user in User.objects.filter(id_number_index__in=list(keys)):
            by_index[user.id_number_index] = user
    by_name: dict[str, User] = {}
    name_rows = [r for r in rows if not r.values["id_number"]]
    for chunk in _chunks(name_rows):
        names = [r.values["username"].upper() for r in chunk]
        for user in User.objects.alias(u=Upper("username")).filter(u__in=names):
            by_name[user.username.upper()] = user
    seen: dict[int, int] = {}
    for row in rows:
        if row.values["id_number"]:
            row.user = by_index.get(crypto.blind_index(row.values["id_number"], "user.id_number"))
            field_name = "id_number"
        else:
            row.user = by_name.get(row.values["username"].upper())
            field_name = "username"
        if row.user is None:
            errors.append(RowError(row.line, field_name, _("No account has this ID number or username. Open the "
                                                           "student's account first (roster import).")))
            continue
        if row.user.real_name and row.user.real_name != row.values["name"]:
            errors.append(RowError(row.line, "name", _("The name differs from the account's real name (%(name)s).")
                                   % {"name": row.user.real_name}))
        if row.user.pk in seen:
            errors.append(RowError(row.line, field_name, _("The same graduate is already on line %(line)s.")
                                   % {"line": seen[row.user.pk]}))
        seen.setdefault(row.user.pk, row.line)


def _resolve_majors(rows: list[Row], errors: list[RowError]) -> None:
    from zhijiao.resources.models import Major, MajorLevel

    codes = {r.values["major_code"] for r in rows if r.values["major_code"]}
    names = {r.values["major_name"] for r in rows}
    majors = list(Major.objects.filter(level=MajorLevel.MAJOR).filter(code__in=codes)) if codes else []
    by_code: dict[tuple[str, str], Major] = {(m.library, m.code): m for m in majors}
    by_name: dict[tuple[str, str], Major] = {}
    for major in Major.objects.filter(level=MajorLevel.MAJOR, name__in=names):
        by_name.setdefault((major.library, major.name), major)
    for row in rows:
        library = "vocational" if row.values["degree_level"] == DegreeLevel.VOCATIONAL else "higher"
        code = row.values["major_code"]
        if code:
            major = by_code.get((library, code))
            if major is None:
                errors.append(RowError(row.line, "major_code", _("No major of the catalogue has this code.")))
                continue
            row.major_id = major.pk
        else:
            major = by_name.get((library, row.values["major_name"]))
            row.major_id = major.pk if major else None


def _check_scope(actor: User, school: Organisation, rows: list[Row], errors: list[RowError]) -> None:
    user_ids = [r.user.pk for r in rows if r.user is not None]
    elsewhere = dict(GraduateRecord.objects.filter(user_id__in=user_ids).exclude(school=school)
                     .values_list("user_id", "school__path"))
    allowed = perms.roster_paths(actor)
    for row in rows:
        if row.user is not None and row.user.pk in elsewhere and \
                not any(elsewhere[row.user.pk].startswith(p) for p in allowed):
            errors.append(RowError(row.line, "id_number", _("This graduate is on another school's roster.")))


def _place(school: Organisation, college_name: str, class_name: str, cache: dict) -> tuple:
    college = klass = None
    if college_name:
        key = ("college", college_name)
        if key not in cache:
            cache[key] = (Organisation.objects.filter(parent=school, kind=OrgKind.DEPARTMENT, name=college_name).first()
                          or identity_services.create_organisation(None, name=college_name, kind=OrgKind.DEPARTMENT,
                                                                   parent=school))
        college = cache[key]
    if class_name:
        parent = college or school
        key = ("class", parent.pk, class_name)
        if key not in cache:
            cache[key] = (Organisation.objects.filter(parent=parent, kind=OrgKind.CLASS, name=class_name).first()
                          or identity_services.create_organisation(None, name=class_name, kind=OrgKind.CLASS,
                                                                   parent=parent))
        klass = cache[key]
    return college, klass


def import_graduates(actor: User, upload, *, school: Organisation, file_name: str = "", request=None) -> ImportResult:
    """Check the whole file; write everything or nothing. Row problems come back in ``result.errors``;
    a problem with the file itself raises ValidationError."""
    if school.kind != OrgKind.SCHOOL or not perms.can_import_roster(actor, school):
        raise PermissionDenied
    data = read_upload(upload)
    rows_iter = iter(_rows(data))
    columns, ignored = _header(rows_iter)
    result = ImportResult(ignored_columns=ignored)
    rows: list[Row] = []
    for line, cells in rows_iter:
        if not any((c or "").strip() for c in cells):
            continue
        result.rows += 1
        if result.rows > MAX_ROWS:
            raise _file_error(_("The file has more than %(n)s rows. Split it into smaller files.") % {"n": MAX_ROWS})
        row, errors = _parse(columns, cells, line)
        result.errors.extend(errors)
        if row is not None:
            rows.append(row)
    if result.rows == 0:
        raise _file_error(_("The file has a header but no graduates."))
    _resolve_users(rows, result.errors)
    _resolve_majors(rows, result.errors)
    _check_scope(actor, school, rows, result.errors)
    result.errors.sort(key=lambda e: (e.line, e.field))
    if result.errors:
        return result
    with transaction.atomic():
        existing = {r.user_id: r for r in GraduateRecord.objects.select_for_update().filter(
            user_id__in=[row.user.pk for row in rows])}
        places: dict = {}
        now = timezone.now()
        for row in rows:
            college, klass = _place(school, row.values["college"], row.values["class_name"], places)
            deepest = klass or college or school
            values = {
                "school": school, "college": college, "class_org": klass, "org_path": deepest.path,
                "student_number": row.values["student_number"], "major_id": row.major_id,
                "major_name": row.values["major_name"], "degree_level": row.values["degree_level"],
                "graduation_year": row.values["graduation_year"], "origin_code": row.values["origin_code"],
                "verified_at": now, "source": (file_name or "")[:100],
            }
            record = existing.get(row.user.pk)
            if record is None:
                GraduateRecord.objects.create(user=row.user, **values)
                result.created += 1
            else:
                for key, value in values.items():
                    setattr(record, key, value)
                record.save()
                result.updated += 1
        services.refresh_resume_text([row.user.pk for row in rows])
        audit.record("employment.roster_import", actor=actor, request=request, organisation=school,
                     file=(file_name or "")[:100], rows=result.rows, created=result.created, updated=result.updated)
    return result


def origin_name(code: str) -> str:
    return regions.full_name(code) if code else ""
