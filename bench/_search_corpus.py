"""Shared by the search benchmarks: build N published resources through the demo's bulk path (the real
Resource rows, then the real search index), and compose realistic queries."""

from __future__ import annotations

import random
import time


def build(count: int, seed: int = 2026) -> dict:
    """Migrate, load the taxonomy, make a few provider schools and ``count`` published resources."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from zhijiao.demo import resource_centre, resources_bulk
    from zhijiao.identity import services
    from zhijiao.identity.models import OrgKind

    resource_centre.seed_resource_centre("medium")
    nation = services.create_organisation(None, name="中华人民共和国", kind=OrgKind.NATION, parent=None)
    province = services.create_organisation(None, name="浙江省", kind=OrgKind.PROVINCE, parent=nation, code="330000")
    for n in range(1, 21):
        services.create_organisation(None, name=f"浙江省第{n}实验学校", kind=OrgKind.SCHOOL, parent=province,
                                     code=f"33{n:08d}")
    marks = {"started": time.monotonic()}

    def progress(stage, n):
        if n % 100_000 == 0:
            print(f"  {stage} {n:,} ({time.monotonic() - marks['started']:.0f} s)", flush=True)

    return resources_bulk.seed_resources(count, seed=seed, progress=progress)


TYPE_WORDS = ["微课", "课件", "教学设计", "同步练习", "实验视频", "学习任务单", "说课稿", "课堂实录", "单元测试卷"]
TYPES = ["video", "courseware", "document", "exercise_set", "lesson_package"]


def queries(count: int, seed: int = 7) -> list[tuple[str, dict]]:
    """Realistic queries: single words, phrases, pinyin (full and initials), and each kind with filters."""
    from zhijiao.core.search_text import pinyin_of
    from zhijiao.demo.resource_words import TOPICS
    from zhijiao.resources.models import Edition, Grade, Subject

    rng = random.Random(seed)
    topics = [t for subject in ("数学", "语文", "物理", "化学", "生物学", "历史", "地理", "英语", "科学")
              for t in TOPICS[subject] if not t.isascii()]
    subjects = list(Subject.objects.values_list("code", "name").distinct())
    editions = list(Edition.objects.values_list("code", "name"))
    grades = list(Grade.objects.values_list("number", "name"))
    made = []
    while len(made) < count:
        roll = rng.random()
        topic = rng.choice(topics)
        if roll < 0.30:
            made.append((topic, {}))
        elif roll < 0.40:
            made.append((rng.choice([name for _, name in subjects] + TYPE_WORDS), {}))
        elif roll < 0.55:
            made.append((f"{topic} {rng.choice(TYPE_WORDS)}", {}))
        elif roll < 0.62:
            edition, subject = rng.choice(editions)[1], rng.choice(subjects)[1]
            made.append((f"{edition} {subject} {rng.choice(grades)[1]}", {}))
        elif roll < 0.70:
            made.append((pinyin_of(topic)[0], {}))
        elif roll < 0.75:
            made.append((pinyin_of(topic)[1], {}))
        elif roll < 0.90:
            subject = rng.choice(subjects)[0]
            made.append((rng.choice([topic, rng.choice(TYPE_WORDS)]), {"subject": [subject]}))
        elif roll < 0.96:
            made.append((topic, {"type": [rng.choice(TYPES)], "grade": [str(rng.choice(grades)[0])]}))
        else:
            made.append(("", {"subject": [rng.choice(subjects)[0]], "grade": [str(rng.choice(grades)[0])]}))
    return made
