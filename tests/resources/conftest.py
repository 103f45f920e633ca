"""Fixtures of the resource centre: a verified provider who accepted the agreement, reviewers at several
levels, a complaint handler, and small files whose bytes pass (or fail) the content sniffer."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import translation

from tests.conftest import make_user
from zhijiao.core import screening
from zhijiao.core.models import SensitiveWord
from zhijiao.core.screening import normalise
from zhijiao.identity.models import Role, User, Verification
from zhijiao.resources import counters, services
from zhijiao.resources.models import Column, Kind, Lesson, Resource, Subject

DEMO_VIDEO = Path(__file__).resolve().parents[2] / "src" / "zhijiao" / "demo" / "data" / "demo-lesson.webm"


def pdf_bytes(text: str = "Lesson notes") -> bytes:
    """A one-page PDF whose text pypdf reads back (ASCII text, built-in Helvetica)."""
    content = f"BT /F1 18 Tf 50 700 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def mp4_bytes(seconds: int = 90, padding: int = 2048) -> bytes:
    """An MP4 skeleton: ftyp, then moov with an mvhd giving the duration."""
    ftyp = struct.pack(">I4s4sI4s4s", 24, b"ftyp", b"isom", 512, b"isom", b"mp41")
    mvhd_body = bytes([0, 0, 0, 0]) + struct.pack(">IIII", 0, 0, 1000, seconds * 1000) + bytes(80)
    mvhd = struct.pack(">I4s", 8 + len(mvhd_body), b"mvhd") + mvhd_body
    moov = struct.pack(">I4s", 8 + len(mvhd), b"moov") + mvhd
    mdat = struct.pack(">I4s", 8 + padding, b"mdat") + bytes(padding)
    return ftyp + moov + mdat


def png_bytes() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + bytes(600)


def add_word(word: str, category: str = "political") -> None:
    SensitiveWord.objects.create(word=word, normalised=normalise(word), category=category)
    screening.dictionary_changed()


def upload(actor, resource, role, data: bytes, name: str, content_type: str = ""):
    chunks = (data[i:i + 1000] for i in range(0, len(data), 1000))
    return services.add_file(actor, resource, role=role, chunks=chunks, file_name=name,
                             declared_content_type=content_type)


@pytest.fixture(autouse=True)
def _no_views_from_earlier_tests():
    # View counts are buffered per process; a count left by an earlier test on this worker would land on
    # this test's resource with the same id.
    with counters._lock:
        counters._pending.clear()


@pytest.fixture(autouse=True)
def _english():
    # Service messages are checked in their English source form; pages are checked by test ids.
    with translation.override("en"):
        yield


@dataclass
class Centre:
    tree: object
    provider: User
    colleague: User
    school_admin: User
    reviewer: User  # 杭州市 (city): reviews both counties' schools
    final_reviewer: User  # 浙江省 (province)
    school_reviewer: User  # a reviewer who works at the provider's school
    handler: User  # platform operator at the root: handles complaints anywhere
    learner: User
    lesson: Lesson
    column: Column  # 课程教学 · 小学课程
    junior_column: Column  # 课程教学 · 初中课程

    def new_video(self, *, title="认识钟表 微课", submit=False, **content) -> Resource:
        """A complete micro-lesson video resource (passes the pre-screen), optionally submitted."""
        fields = {
            "summary": "通过生活中的钟表认识整时，学会看钟面上的时针和分针。",
            "lesson": self.lesson, "keywords": ["钟表", "整时"], "authors": ["李老师"],
            "duration_seconds": 900, "knowledge_points": ["认识整时"],
        }
        fields.update(content)
        resource = services.create_resource(self.provider, kind=Kind.VIDEO, provider=self.tree.school_a,
                                            columns=[self.column], title=title, **fields)
        upload(self.provider, resource, "main", mp4_bytes(), "lesson.mp4", "video/mp4")
        if submit:
            services.submit(self.provider, resource)
        return resource

    def approve_all_levels(self, resource: Resource) -> None:
        for reviewer in (self.reviewer, self.final_reviewer):
            task = resource.tasks.get(state="open", kind="publication")
            services.decide(reviewer, task, outcome="approve", dimensions=all_passed())
        resource.refresh_from_db()


def all_passed(comment: str = "") -> dict:
    return {dim: {"checks": {code: True for code, _label in items}, "comment": comment}
            for dim, items in services.CHECKLIST.items()}


@pytest.fixture
def centre(tree, people, settings) -> Centre:
    settings.ZJ_REVIEW_LEVELS = 2
    provider = make_user("provider_a", role=Role.TEACHER, org=tree.school_a, verification=Verification.VERIFIED,
                         email="provider@example.com")
    services.accept_agreement(provider)
    colleague = make_user("colleague_a", role=Role.TEACHER, org=tree.school_a, verification=Verification.VERIFIED)
    services.accept_agreement(colleague)
    lesson = Lesson.objects.get(unit__volume__code="pep-primary-math-1a", name="认识钟表")
    return Centre(
        tree=tree,
        provider=provider,
        colleague=colleague,
        school_admin=people["school_a_admin"],
        reviewer=make_user("reviewer_city", role=Role.REVIEWER, org=tree.city),
        final_reviewer=make_user("reviewer_province", role=Role.REVIEWER, org=tree.province),
        school_reviewer=make_user("reviewer_school", role=Role.REVIEWER, org=tree.school_a),
        handler=make_user("operator", role=Role.PLATFORM_OPERATOR, org=tree.nation),
        learner=people["pupil_b"],
        lesson=lesson,
        column=Column.objects.get(code="k12-curriculum-primary"),
        junior_column=Column.objects.get(code="k12-curriculum-junior"),
    )


@pytest.fixture
def math_subject(db) -> Subject:
    return Subject.objects.get(stage__code="primary", code="math")
