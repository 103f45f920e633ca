"""Uploaded files: receive them safely, keep them in the configured storage, and serve them back safely.

Receiving streams the upload in chunks to a temporary file while counting and hashing, so a file is
never held in memory whole and an oversized one is cut off as soon as it passes its limit. The content
is identified by its first bytes (magic numbers), never by the name or the type the client declared:
a renamed executable, or a file whose content does not match its name or declared type, is refused,
and nothing is stored for a refused upload.

Kept files go to Django's default storage (a local media folder; any S3-compatible store through
django-storages when ``ZJ_FILE_STORAGE`` names it) under a name derived from their SHA-256, so the same
bytes are stored once however many versions refer to them. They are only ever served through views
that check permission, with the type we identified, ``X-Content-Type-Options: nosniff`` and a
``Content-Disposition``; byte ranges are honoured so video players can seek.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FileType:
    code: str
    content_type: str
    extensions: tuple[str, ...]
    family: str  # the size limit that applies: video, document, image, subtitles, package
    label: str
    inline: bool  # may be shown in the browser (players, PDF viewer, images); others always download


FILE_TYPES: dict[str, FileType] = {t.code: t for t in (
    FileType("pdf", "application/pdf", (".pdf",), "document", "PDF", True),
    FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",),
             "document", "Word", False),
    FileType("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",),
             "document", "PowerPoint", False),
    FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",),
             "document", "Excel", False),
    FileType("epub", "application/epub+zip", (".epub",), "document", "EPUB", False),
    FileType("mp4", "video/mp4", (".mp4", ".m4v"), "video", "MP4", True),
    FileType("webm", "video/webm", (".webm",), "video", "WebM", True),
    FileType("png", "image/png", (".png",), "image", "PNG", True),
    FileType("jpeg", "image/jpeg", (".jpg", ".jpeg"), "image", "JPEG", True),
    FileType("webp", "image/webp", (".webp",), "image", "WebP", True),
    FileType("vtt", "text/vtt", (".vtt",), "subtitles", "WebVTT", True),
    FileType("srt", "application/x-subrip", (".srt",), "subtitles", "SubRip", False),
    FileType("zip", "application/zip", (".zip",), "package", "ZIP", False),
)}

EXECUTABLE = "executable"
MARKUP = "markup"
SNIFF_BYTES = 512
CHUNK = 64 * 1024

# ISO base media brands that are MP4 video a browser plays (not HEIF images or QuickTime).
_MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"M4VH", b"M4VP",
               b"dash", b"mmp4", b"MSNV", b"3gp4", b"3gp5", b"f4v "}
_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",  # Linux and most Unix
    b"#!",  # scripts with an interpreter line
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",  # Mach-O
    b"\xca\xfe\xba\xbe",  # Mach-O universal binary or Java class
    b"dex\n",  # Android
)
_MARKUP = re.compile(rb"^\s*<(?:!doctype|html|script|svg|\?xml|head|body|iframe)", re.IGNORECASE)
_SRT = re.compile(rb"^\s*\d+\r?\n\d\d:\d\d:\d\d[,.]\d{3} --> ")


def sniff(head: bytes) -> str | None:
    """The type the first bytes of a file reveal: a key of :data:`FILE_TYPES`, ``"executable"``,
    ``"markup"`` (HTML, SVG, XML: script-capable when served), or None when unknown.

    ZIP containers come back as ``"zip"``; :func:`refine_zip` tells Office documents and EPUB apart.
    """
    if head.startswith(_EXECUTABLE_MAGIC):
        return EXECUTABLE
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in _MP4_BRANDS:
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:64]:
        return "webm"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    text = head.removeprefix(b"\xef\xbb\xbf")
    if text.startswith(b"WEBVTT") and (len(text) == 6 or text[6:7] in b" \t\r\n"):
        return "vtt"
    if _SRT.match(text):
        return "srt"
    if _MARKUP.match(text):
        return MARKUP
    return None


def refine_zip(path: str | Path) -> str | None:
    """Which ZIP-based format a file is: docx, pptx, xlsx, epub or plain zip; None when it is no valid ZIP
    or carries an executable."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "mimetype" in names and archive.read("mimetype")[:40].strip() == b"application/epub+zip":
                return "epub"
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError):
        return None
    if any(name.lower().endswith((".exe", ".dll", ".scr", ".bat", ".cmd", ".com", ".msi", ".ps1", ".vbs", ".jar"))
           for name in names):
        return None
    if "[Content_Types].xml" in names:
        for prefix, code in (("word/", "docx"), ("ppt/", "pptx"), ("xl/", "xlsx")):
            if any(name.startswith(prefix) for name in names):
                return code
    return "zip"


def max_bytes(file_type: str) -> int:
    return settings.ZJ_UPLOAD_MAX_BYTES[FILE_TYPES[file_type].family]


def _human(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


class Incoming:
    """An accepted upload waiting in a temporary file; :meth:`store` keeps it. Use as a context manager:
    the temporary file is removed on exit, whether or not the file was stored."""

    def __init__(self, path: str, size: int, sha256: str, file_type: str, name: str):
        self.path, self.size, self.sha256, self.file_type, self.name = path, size, sha256, file_type, name

    @property
    def type(self) -> FileType:
        return FILE_TYPES[self.file_type]

    def store(self, prefix: str) -> str:
        """Save into the default storage under ``prefix/ab/abcdef….ext``; returns the storage name."""
        name = f"{prefix}/{self.sha256[:2]}/{self.sha256}{self.type.extensions[0]}"
        if not default_storage.exists(name):
            with open(self.path, "rb") as fh:
                name = default_storage.save(name, File(fh, name=os.path.basename(name)))
        return name

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def receive(chunks: Iterable[bytes], *, file_name: str, allowed: Iterable[str],
            declared_content_type: str = "") -> Incoming:
    """Stream ``chunks`` to a temporary file and identify the content.

    Refused with a ValidationError (and the temporary file removed) when the content is an executable
    or markup, is not one of the ``allowed`` types, does not match the file name's extension or the
    declared content type, or grows past its type's size limit.
    """
    allowed = set(allowed)
    fd, path = tempfile.mkstemp(prefix="zj-upload-", dir=settings.FILE_UPLOAD_TEMP_DIR)
    digest, size, file_type, limit = hashlib.sha256(), 0, None, 0
    pending = b""  # the first bytes, held back until they tell what the file is
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                if file_type is None:
                    pending += chunk
                    if len(pending) < SNIFF_BYTES:
                        continue
                    file_type, limit = _identify(pending, allowed)
                    chunk, pending = pending, b""
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
            if file_type is None:
                if not pending:
                    raise ValidationError(_("The file is empty."), code="empty")
                file_type, limit = _identify(pending, allowed)
                out.write(pending)
                digest.update(pending)
                size = len(pending)
                if size > limit:
                    raise _too_large(limit)
        if file_type == "zip":
            file_type = refine_zip(path)
            if file_type is None:
                raise ValidationError(_("The archive is damaged or contains programs, which are not accepted."),
                                      code="bad_archive")
            _check_allowed(file_type, allowed)
            if size > max_bytes(file_type):
                raise _too_large(max_bytes(file_type))
        _check_name(file_type, file_name, declared_content_type)
    except BaseException:
        os.unlink(path)
        raise
    return Incoming(path, size, digest.hexdigest(), file_type, file_name)


def _too_large(limit: int) -> ValidationError:
    return ValidationError(_("The file is larger than %(limit)s, the most allowed for this type.")
                           % {"limit": _human(limit)}, code="too_large")


def _identify(head: bytes, allowed: set[str]) -> tuple[str, int]:
    found = sniff(head[:SNIFF_BYTES])
    if found == EXECUTABLE:
        raise ValidationError(_("Programs and scripts are not accepted, whatever the file is called."),
                              code="executable")
    if found == MARKUP or found is None:
        raise ValidationError(_("The content of this file is not a type we accept."), code="unknown_type")
    if found == "zip":
        zip_based = {"docx", "pptx", "xlsx", "epub", "zip"} & allowed
        if not zip_based:
            _check_allowed(found, allowed)
        return found, max(max_bytes(t) for t in zip_based)
    _check_allowed(found, allowed)
    return found, max_bytes(found)


def _check_allowed(file_type: str, allowed: set[str]) -> None:
    if file_type not in allowed:
        labels = ", ".join(sorted(FILE_TYPES[t].label for t in allowed))
        raise ValidationError(_("A %(found)s file is not accepted here; choose one of: %(allowed)s.")
                              % {"found": FILE_TYPES[file_type].label, "allowed": labels}, code="wrong_type")


def _check_name(file_type: str, file_name: str, declared: str) -> None:
    spec = FILE_TYPES[file_type]
    extension = os.path.splitext(file_name or "")[1].lower()
    if extension and extension not in spec.extensions:
        raise ValidationError(_("The file is called “%(name)s” but its content is %(found)s. Rename it or choose "
                                "the right file.") % {"name": file_name, "found": spec.label}, code="mismatch")
    declared = (declared or "").split(";")[0].strip().lower()
    generic = {"", "application/octet-stream", "binary/octet-stream", "application/x-zip-compressed",
               "application/zip", "text/plain"}
    if declared not in generic and declared != spec.content_type and declared not in _ALIASES.get(file_type, ()):
        raise ValidationError(_("The file was sent as %(declared)s but its content is %(found)s.")
                              % {"declared": declared, "found": spec.label}, code="mismatch")


_ALIASES = {"jpeg": ("image/jpg", "image/pjpeg"), "srt": ("text/srt", "application/srt"),
            "mp4": ("video/x-m4v",), "pdf": ("application/x-pdf",)}


def chunks_of(upload) -> Iterator[bytes]:
    """The chunks of a Django UploadedFile (spooled to disk by Django above FILE_UPLOAD_MAX_MEMORY_SIZE)."""
    yield from upload.chunks(CHUNK)


def chunks_of_stream(stream) -> Iterator[bytes]:
    """The chunks of a request body read as a stream (``request`` itself), without loading it whole."""
    while chunk := stream.read(CHUNK):
        yield chunk


# --- Serving ---------------------------------------------------------------------------------------------

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def file_response(request, storage_name: str, *, file_type: str, file_name: str, attachment: bool,
                  size: int | None = None):
    """Serve a stored file. Types that are not safe inline are always sent as attachments."""
    spec = FILE_TYPES[file_type]
    attachment = attachment or not spec.inline
    size = size if size is not None else default_storage.size(storage_name)
    disposition = "attachment" if attachment else "inline"
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", file_name) or "file"
    headers = {
        "Content-Disposition": f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name)}",
        "X-Content-Type-Options": "nosniff",
        "Accept-Ranges": "bytes",
        # Our own pages embed PDFs in a frame; nobody else's may.
        "X-Frame-Options": "SAMEORIGIN",
        "Cache-Control": "private, max-age=3600",
    }
    match = _RANGE.match(request.headers.get("Range", "")) if spec.inline else None
    if match and (match.group(1) or match.group(2)):
        start, end = _range_bounds(match, size)
        if start is None:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        fh = default_storage.open(storage_name, "rb")
        fh.seek(start)
        response = StreamingHttpResponse(_read_span(fh, end - start + 1), status=206, content_type=spec.content_type)
        response["Content-Length"] = str(end - start + 1)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    else:
        response = FileResponse(default_storage.open(storage_name, "rb"), content_type=spec.content_type)
        response["Content-Length"] = str(size)
    for key, value in headers.items():
        response[key] = value
    return response


def _range_bounds(match, size: int) -> tuple[int | None, int]:
    first, last = match.group(1), match.group(2)
    if first == "":  # the last N bytes
        length = int(last)
        if length == 0:
            return None, 0
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        return None, 0
    return start, end


def _read_span(fh, remaining: int) -> Iterator[bytes]:
    try:
        while remaining > 0:
            chunk = fh.read(min(CHUNK, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk
    finally:
        fh.close()
