"""JSON API for roster import (名单导入): upload a CSV or XLSX file, read its result, fetch its activation slip.

Only the importer sees an import and its slip; the slip is downloadable for a short time after the import.
"""

from __future__ import annotations

from django.http import HttpResponse
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from zhijiao.identity import roster

router = Router(tags=["roster"])


class RowErrorOut(Schema):
    line: int
    field: str
    message: str


class ImportOut(Schema):
    id: int
    file_name: str
    file_sha256: str
    rows: int
    created: int
    existing: int
    memberships_added: int
    organisations_created: int
    guardians_linked: int
    rejected: int
    ignored_columns: list[str]
    errors: list[RowErrorOut]
    activation_slip_available: bool
    activation_slip_url: str | None


def _out(record, errors: list[roster.RowError]) -> dict:
    available = roster.slip_available(record)
    return {
        "id": record.pk, "file_name": record.file_name, "file_sha256": record.file_sha256, "rows": record.rows,
        "created": record.created, "existing": record.existing, "memberships_added": record.memberships_added,
        "organisations_created": record.organisations_created, "guardians_linked": record.guardians_linked,
        "rejected": record.rejected, "errors": [e.as_dict() for e in errors],
        "ignored_columns": [c for c in record.ignored_columns.split(", ") if c],
        "activation_slip_available": available,
        "activation_slip_url": f"/api/v1/roster/imports/{record.pk}/slip" if available else None,
    }


@router.post("/imports", response=ImportOut, summary="Import a roster file (CSV or XLSX, multipart field 'file')")
def import_file(request, file: UploadedFile = File(...), reissue_codes: bool = Form(False)):  # noqa: B008
    """Rows with problems are listed in ``errors`` (line as numbered in the spreadsheet, header = 1) and the
    others are imported; a problem with the whole file is a 422 and nothing changes."""
    result = roster.import_roster(
        request.auth, file, file_name=file.name or "roster", within=roster.default_organisation(request.auth),
        reissue_codes=reissue_codes, request=request,
    )
    return _out(result.record, result.errors)


@router.get("/imports/{import_id}", response=ImportOut, summary="The result of one of your imports")
def get_import(request, import_id: int):
    record = roster.get_import(request.auth, import_id)
    return _out(record, roster.import_errors(record))


@router.get("/imports/{import_id}/slip", response={200: None}, summary="Activation slip (CSV) of one of your imports",
            openapi_extra={"responses": {200: {"content": {"text/csv": {}}}}})
def get_slip(request, import_id: int):
    record = roster.get_import(request.auth, import_id)
    text = roster.download_slip(request.auth, record, request=request)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="roster-{record.pk}-activation-codes.csv"'
    response["Cache-Control"] = "no-store"
    return response
