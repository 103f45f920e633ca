"""Uploads: content sniffing, refusals that store nothing, size limits, text extraction, safe serving."""

from __future__ import annotations

import os

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.resources.conftest import DEMO_VIDEO, mp4_bytes, pdf_bytes, png_bytes, upload
from zhijiao.core import storage
from zhijiao.core.models import AuditEntry
from zhijiao.resources.models import ResourceFile

MAGIC = {
    "pdf": b"%PDF-1.7\n",
    "png": b"\x89PNG\r\n\x1a\n",
    "jpeg": b"\xff\xd8\xff\xe0",
    "mp4": b"\x00\x00\x00\x18ftypisom",
    "zip": b"PK\x03\x04",
}
EXECUTABLES = [b"MZ\x90\x00", b"\x7fELF\x02\x01", b"#!/bin/sh\n", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe"]


@given(st.sampled_from(sorted(MAGIC)), st.binary(max_size=600))
def test_sniffer_recognises_each_type_whatever_follows(code, tail):
    assert storage.sniff(MAGIC[code] + tail) == code


@given(st.sampled_from(EXECUTABLES), st.binary(max_size=600))
def test_sniffer_always_flags_executables(magic, tail):
    assert storage.sniff(magic + tail) == storage.EXECUTABLE


@given(st.binary(max_size=2048))
def test_sniffer_never_calls_an_executable_anything_else(data):
    found = storage.sniff(data)
    if data.startswith(tuple(EXECUTABLES)) or data.startswith(b"MZ"):
        assert found == storage.EXECUTABLE
    assert found is None or found in storage.FILE_TYPES or found in (storage.EXECUTABLE, storage.MARKUP)


@given(st.text(max_size=200))
def test_markup_is_never_accepted_as_subtitles_or_documents(text):
    data = ("<html><script>" + text).encode()
    assert storage.sniff(data) == storage.MARKUP


def test_demo_video_is_webm():
    assert storage.sniff(DEMO_VIDEO.read_bytes()[:512]) == "webm"


def _media_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "tmp")
    os.makedirs(settings.FILE_UPLOAD_TEMP_DIR)
    return settings


def test_renamed_executable_is_refused_and_nothing_is_stored(centre, media):
    resource = centre.new_video()
    before = _media_files(media)
    with pytest.raises(ValidationError, match="Programs and scripts"):
        upload(centre.provider, resource, "poster", b"MZ\x90\x00" + bytes(5000), "poster.png", "image/png")
    assert _media_files(media) == before
    assert os.listdir(media.FILE_UPLOAD_TEMP_DIR) == []
    assert not ResourceFile.objects.filter(name="poster.png").exists()
    assert AuditEntry.objects.filter(action="resource.upload_rejected", success=False).exists()


def test_oversized_upload_is_cut_off_and_nothing_is_stored(centre, media):
    media.ZJ_UPLOAD_MAX_BYTES = {**media.ZJ_UPLOAD_MAX_BYTES, "image": 4096}
    resource = centre.new_video()
    before = _media_files(media)
    seen = []

    def endless():
        yield png_bytes()
        while True:
            seen.append(1)
            yield bytes(1000)

    from zhijiao.resources import services
    with pytest.raises(ValidationError, match="larger than"):
        services.add_file(centre.provider, resource, role="poster", chunks=endless(), file_name="big.png")
    assert len(seen) < 10, "reading stopped soon after the limit"
    assert _media_files(media) == before and os.listdir(media.FILE_UPLOAD_TEMP_DIR) == []


@pytest.mark.parametrize("data,name,declared,message", [
    (mp4_bytes(), "lesson.webm", "", "its content is MP4"),
    (pdf_bytes(), "lesson.mp4", "", "PDF file is not accepted here"),
    (mp4_bytes(), "lesson.mp4", "application/pdf", "sent as application/pdf"),
    (png_bytes(), "poster.png", "", "not accepted here"),
    (b"<html><script>alert(1)</script></html>", "lesson.mp4", "", "not a type we accept"),
    (b"", "lesson.mp4", "", "empty"),
])
def test_content_must_match_name_type_and_slot(centre, media, data, name, declared, message):
    resource = centre.new_video()
    with pytest.raises(ValidationError, match=message):
        upload(centre.provider, resource, "main", data, name, declared)


def test_pdf_text_and_video_duration_are_read(centre, media):
    resource = centre.new_video(duration_seconds=None)
    video = resource.versions.get().files.get(role="main")
    assert video.file_type == "mp4" and video.duration_seconds == 90
    resource.versions.get().refresh_from_db()
    assert resource.versions.get().duration_seconds == 90
    stored = upload(centre.provider, resource, "subtitles", b"WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nHello clock\n",
                    "subs.vtt")
    assert stored.text == "Hello clock"


def test_same_bytes_are_stored_once(centre, media):
    first = centre.new_video(title="第一个视频")
    second = centre.new_video(title="第二个视频")
    a = first.versions.get().files.get()
    b = second.versions.get().files.get()
    assert a.storage_name == b.storage_name and len(_media_files(media)) == 1


def test_docx_is_told_from_a_plain_zip(tmp_path):
    import zipfile

    path = tmp_path / "a.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert storage.refine_zip(path) == "docx"
    bad = tmp_path / "b.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("setup.exe", "MZ")
    assert storage.refine_zip(bad) is None


@hsettings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(min_size=1, max_size=3000))
def test_receive_never_accepts_what_sniffing_refuses(tmp_path, data):
    try:
        incoming = storage.receive([data], file_name="x", allowed=storage.FILE_TYPES)
    except ValidationError:
        return
    with incoming:
        assert storage.sniff(data[:512]) in storage.FILE_TYPES
        assert os.path.getsize(incoming.path) == len(data)
