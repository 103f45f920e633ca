"""Demo data of the resource centre: numbered units and lessons for the textbook volumes that have no real
table of contents, and (at small scale) a handful of resources that went through the whole review
workflow, uploaded by the demo teacher and approved by two reviewers through the services."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction

from zhijiao.demo import accounts
from zhijiao.identity import services as identity_services
from zhijiao.identity.models import Organisation, OrgKind, Role, User, Verification
from zhijiao.resources import reference_data, services
from zhijiao.resources.models import Column, Kind, Lesson, Major, Status, Unit, Volume

DEMO_VIDEO = Path(__file__).resolve().parent / "data" / "demo-lesson.webm"
UNIT_NAMES = ("第一单元", "第二单元", "第三单元", "第四单元", "第五单元", "第六单元")
LESSONS_PER_UNIT = 4
FINAL_REVIEWER = ("demo_reviewer_final", "钱文静")


@dataclass
class Summary:
    units: int
    lessons: int
    resources: int


def seed_resource_centre(scale: str) -> Summary:
    reference_data.load()
    units, lessons = _fill_textbooks()
    published = _sample_resources() if scale == "small" else 0
    return Summary(units, lessons, published)


def _fill_textbooks() -> tuple[int, int]:
    """Numbered units and lessons (第一单元 · 第1课时 …) for every volume without a real table of contents."""
    empty = list(Volume.objects.filter(units__isnull=True).values_list("pk", flat=True))
    Unit.objects.bulk_create([Unit(volume_id=v, name=name, order=n)
                              for v in empty for n, name in enumerate(UNIT_NAMES, 1)], batch_size=2000)
    new_units = list(Unit.objects.filter(volume_id__in=empty).values_list("pk", "name"))
    Lesson.objects.bulk_create([Lesson(unit_id=pk, name=f"{name} 第{k}课时", order=k)
                                for pk, name in new_units for k in range(1, LESSONS_PER_UNIT + 1)], batch_size=5000)
    return len(new_units), len(new_units) * LESSONS_PER_UNIT


def _pdf(text: str) -> bytes:
    """A one-page PDF (ASCII text in a built-in font): demo task sheets and exercises."""
    content = f"BT /F1 20 Tf 60 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _upload(user, resource, role, data: bytes, name: str) -> None:
    services.add_file(user, resource, role=role, chunks=[data], file_name=name)


def _lesson(volume_code: str, name: str) -> Lesson:
    return Lesson.objects.get(unit__volume__code=volume_code, name=name)


@transaction.atomic
def _sample_resources() -> int:
    teacher = User.objects.filter(username=accounts.TEACHER.username).first()
    reviewer = User.objects.filter(username=accounts.REVIEWER.username).first()
    if teacher is None or reviewer is None:
        return 0
    school = Organisation.objects.get(memberships__user=teacher, memberships__role=Role.TEACHER)
    final = _final_reviewer(school)
    services.accept_agreement(teacher)
    video = DEMO_VIDEO.read_bytes()
    col = {c.code: c for c in Column.objects.all()}
    common = {"authors": [teacher.real_name], "language": "zh-hans"}
    made = []

    def make(kind, title, summary, columns, files, **content):
        resource = services.create_resource(teacher, kind=kind, provider=school, title=title, summary=summary,
                                            columns=[col[c] for c in columns], **{**common, **content})
        for role, data, name in files:
            _upload(teacher, resource, role, data, name)
        made.append(resource)

    package = (("video", video, "micro-lesson.webm"), ("task_sheet", _pdf("Learning task sheet"), "task-sheet.pdf"),
               ("exercises", _pdf("After-class exercises"), "exercises.pdf"))
    make(Kind.LESSON_PACKAGE, "《秋天》微课与学习任务单", "统编版语文一年级上册第四单元第一课。跟着微课朗读课文，认识“秋、气、了、树”等生字，"
         "完成学习任务单和课后练习。", ["k12-curriculum-primary"], package,
         lesson=_lesson("tongbian-primary-chinese-1a", "秋天"), keywords=["秋天", "识字", "朗读"],
         knowledge_points=["认识生字", "朗读课文"], duration_seconds=16 * 60)
    make(Kind.LESSON_PACKAGE, "认识钟表：整时的认识", "人教版数学一年级上册第七单元。通过生活中的钟表认识钟面，学会读、写整时，"
         "养成按时作息的好习惯。", ["k12-curriculum-primary"], package,
         lesson=_lesson("pep-primary-math-1a", "认识钟表"), keywords=["钟表", "整时"],
         knowledge_points=["认识钟面", "读写整时"], duration_seconds=15 * 60, premium=True)
    make(Kind.VIDEO, "朱自清《春》朗读与赏析", "统编版语文七年级上册第一单元。名师带读《春》，赏析“春草图”“春花图”等画面的写法，"
         "体会作者对春天的赞美。", ["k12-curriculum-junior"], (("main", video, "chun.webm"),),
         lesson=_lesson("tongbian-junior-chinese-7a", "春"), keywords=["朱自清", "春", "散文"],
         knowledge_points=["写景抒情", "修辞手法"], duration_seconds=22 * 60)
    make(Kind.DOCUMENT, "防溺水安全教育家长告知书", "暑期防溺水“六不”要求与家长监护要点，适合各学段学生与家长共同阅读。",
         ["k12-moral-safety", "k12-family-parents"], (("main", _pdf("Water safety"), "water-safety.pdf"),),
         keywords=["防溺水", "安全教育", "暑期"], download_policy="anyone")
    make(Kind.EXTERNAL_LINK, "中国国家博物馆·数字展厅", "中国国家博物馆线上展览，包括“古代中国”基本陈列等数字展厅，可在课后服务中组织学生参观。",
         ["k12-after-school-museums"], (), external_url="https://www.chnmuseum.cn/", link_owner="中国国家博物馆",
         keywords=["博物馆", "研学", "数字展厅"])
    make(Kind.VIDEO, "数据结构：线性表与链表", "计算机科学与技术专业核心课。讲解线性表的顺序存储与链式存储，单链表的插入、删除与查找及其时间复杂度。",
         ["higher-first-class-online"], (("main", video, "linked-list.webm"),), library="higher",
         major=Major.objects.get(library="higher", code="080901"), university="示例大学", first_class=True,
         keywords=["数据结构", "链表", "线性表"], knowledge_points=["单链表", "时间复杂度"], duration_seconds=25 * 60)
    make(Kind.COURSEWARE, "软件技术专业：Python程序设计基础课件", "面向高职软件技术专业的Python入门课件，包括变量、分支、循环与函数，配套课堂练习。",
         ["voc-courses-national"], (("main", _pdf("Python basics"), "python-basics.pdf"),), library="vocational",
         major=Major.objects.get(library="vocational", code="510203"), keywords=["Python", "程序设计"])
    for resource in made:
        services.submit(teacher, resource)
        for who in (reviewer, final):
            task = resource.tasks.filter(state="open").first()
            if task is not None:
                services.decide(who, task, outcome="approve", dimensions=_all_passed())
    return sum(1 for r in made if type(r).objects.get(pk=r.pk).status == Status.PUBLISHED)


def _final_reviewer(school: Organisation) -> User:
    """The 终审 reviewer of the demo: a content reviewer at the school's province."""
    province = next(o for o in school.ancestors() if o.kind == OrgKind.PROVINCE)
    username, name = FINAL_REVIEWER
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(username=username, real_name=name, email=f"{username}@{accounts.DEMO_EMAIL_DOMAIN}",
                                   password=make_password(accounts.DEMO_PASSWORD), verification=Verification.VERIFIED)
        identity_services.grant_role_as_operator(user, province, Role.REVIEWER)
    return user


def _all_passed() -> dict:
    return {dim: {"checks": {code: True for code, _label in items}, "comment": ""}
            for dim, items in services.CHECKLIST.items()}
