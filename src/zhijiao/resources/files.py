"""Which files each type of resource carries, which file types each slot accepts, and what we read out of
them (document and subtitle text for search and the machine pre-screen, a video's duration)."""

from __future__ import annotations

import logging
import struct
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from zhijiao.resources.models import FileRole, Kind

logger = logging.getLogger("zhijiao.resources")

VIDEO = ("mp4", "webm")
IMAGE = ("png", "jpeg", "webp")
SUBTITLES = ("vtt", "srt")
PAPER = ("pdf", "docx")
# Most characters of extracted text kept per file: enough for search and screening of a long textbook.
MAX_TEXT_CHARS = 500_000
MAX_PDF_PAGES = 600


@dataclass(frozen=True)
class Slot:
    role: str
    types: tuple[str, ...]
    required: bool
    many: bool = False


_POSTER = Slot(FileRole.POSTER, IMAGE, False)
_SUBS = Slot(FileRole.SUBTITLES, SUBTITLES, False)
_ATTACH = Slot(FileRole.ATTACHMENT, PAPER + ("pptx", "xlsx", "zip") + IMAGE, False, many=True)

SLOTS: dict[str, tuple[Slot, ...]] = {
    Kind.VIDEO: (Slot(FileRole.MAIN, VIDEO, True), _POSTER, _SUBS),
    Kind.DOCUMENT: (Slot(FileRole.MAIN, ("pdf",), True), _ATTACH),
    Kind.COURSEWARE: (Slot(FileRole.MAIN, ("pptx", "pdf", "zip"), True), _POSTER, _ATTACH),
    Kind.E_TEXTBOOK: (Slot(FileRole.MAIN, ("pdf", "epub"), True), _POSTER),
    Kind.E_BOOK: (Slot(FileRole.MAIN, ("pdf", "epub"), True), _POSTER),
    Kind.TEACHING_CASE: (Slot(FileRole.MAIN, ("pdf", "docx") + VIDEO, True), _POSTER, _SUBS, _ATTACH),
    # A virtual experiment is a downloadable package or, without one, an external address.
    Kind.VIRTUAL_EXPERIMENT: (Slot(FileRole.MAIN, ("zip",), False), _POSTER, _ATTACH),
    Kind.EXERCISE_SET: (Slot(FileRole.MAIN, PAPER, True), _ATTACH),
    Kind.EXTERNAL_LINK: (_POSTER,),
    # 课时资源包: micro-lesson video + learning task sheet + after-class exercises.
    Kind.LESSON_PACKAGE: (Slot(FileRole.VIDEO, VIDEO, True), Slot(FileRole.TASK_SHEET, PAPER, True),
                          Slot(FileRole.EXERCISES, PAPER, True), _POSTER, _SUBS, _ATTACH),
}

KINDS_WITH_DURATION = {Kind.VIDEO, Kind.LESSON_PACKAGE}
KIND_HELP = {
    Kind.LESSON_PACKAGE: _("Micro-lesson video, learning task sheet and after-class exercises for one lesson."),
    Kind.EXTERNAL_LINK: _("A page on a museum's or partner's site; record who runs it."),
}


def slot(kind: str, role: str) -> Slot | None:
    return next((s for s in SLOTS[kind] if s.role == role), None)


def extract_text(path: str, file_type: str) -> str:
    """Readable text of a document or subtitle file, or "" for other types (and for unreadable files)."""
    try:
        if file_type == "pdf":
            return _pdf_text(path)
        if file_type in SUBTITLES:
            return _subtitle_text(path)
    except Exception:  # a damaged or hostile file must not break the upload; it just yields no text
        logger.warning("could not read text from an uploaded %s file", file_type, exc_info=True)
    return ""


def _pdf_text(path: str) -> str:
    from pypdf import PdfReader

    reader = PdfReader(path)
    parts, total = [], 0
    for index, page in enumerate(reader.pages):
        if index >= MAX_PDF_PAGES or total >= MAX_TEXT_CHARS:
            break
        text = page.extract_text() or ""
        parts.append(text)
        total += len(text)
    return "\n".join(parts)[:MAX_TEXT_CHARS].replace("\x00", "")


def _subtitle_text(path: str) -> str:
    with open(path, "rb") as fh:
        raw = fh.read(MAX_TEXT_CHARS * 4)
    text = raw.decode("utf-8-sig", errors="replace")
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line == "WEBVTT" or line.isdigit() or "-->" in line:
            continue
        lines.append(line)
    return "\n".join(lines)[:MAX_TEXT_CHARS].replace("\x00", "")


def video_duration(path: str, file_type: str) -> int | None:
    """Whole seconds of an MP4 (from its movie header); None when unknown."""
    if file_type != "mp4":
        return None
    try:
        return _mp4_duration(path)
    except (OSError, struct.error, ValueError):
        return None


def _mp4_duration(path: str) -> int | None:
    with open(path, "rb") as fh:
        return _find_mvhd(fh, 0, None)


def _find_mvhd(fh, start: int, end: int | None) -> int | None:
    position = start
    for _box in range(10_000):  # never loop forever on a hostile file
        if end is not None and position + 8 > end:
            return None
        fh.seek(position)
        header = fh.read(8)
        if len(header) < 8:
            return None
        size, box = struct.unpack(">I4s", header)
        offset = 8
        if size == 1:
            size = struct.unpack(">Q", fh.read(8))[0]
            offset = 16
        elif size == 0:
            return None
        if size < offset:
            return None
        if box == b"moov":
            return _find_mvhd(fh, position + offset, position + size)
        if box == b"mvhd":
            version = fh.read(4)[0]
            if version == 1:
                fh.read(16)
                timescale, duration = struct.unpack(">IQ", fh.read(12))
            else:
                fh.read(8)
                timescale, duration = struct.unpack(">II", fh.read(8))
            return round(duration / timescale) if timescale else None
        position += size
    return None
