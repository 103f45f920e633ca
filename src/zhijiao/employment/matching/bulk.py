"""Large employment demo data for benchmarks (``zj seed --scale large``): 1,000,000 open jobs and 1,000,000
graduates with job intentions.

Rows go in with plain multi-row INSERTs (the ORM would spend most of the time building instances), and the
job index is written in the same pass from the values just generated (``index.write_bulk``), so nothing is
read back. Jobs are published over the last year in id order, with about 1/365 of them in the last day,
which is what the daily push sees. Titles and descriptions are composed from real job names, duties and
skills of each occupation; graduates have real majors of the catalogue, places of origin among the
divisions, intentions that mostly fit their major, and 3 % carry a difficulty flag.
"""

from __future__ import annotations

import json
import random
import time
from datetime import timedelta

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from zhijiao.employment.matching import index
from zhijiao.employment.models import (
    DegreeLevel,
    DifficultyFlag,
    DifficultyKind,
    Employer,
    EmployerState,
    EmployerType,
    GraduateRecord,
    Industry,
    Job,
    JobIntention,
    JobState,
    JobType,
    Occupation,
)
from zhijiao.identity import services as identity_services
from zhijiao.identity.models import DIVISION_KINDS, Organisation, OrgKind, User
from zhijiao.resources.models import Major, MajorLevel

COUNTS = {"small": (0, 0), "medium": (0, 0), "large": (1_000_000, 1_000_000)}
BATCH = 5000
EMPLOYERS = 2000

# Job families: (occupation code, industry division, major class codes, titles, skills, duties).
FAMILIES = [
    ("2-02-10", "65", ["0809", "0807"], ["Java开发工程师", "Python开发工程师", "前端开发工程师", "软件测试工程师",
                                         "运维工程师", "数据分析师", "算法工程师", "网络安全工程师"],
     ["Java", "Python", "SQL", "Linux", "数据库", "机器学习", "前端", "测试", "网络安全", "云计算"],
     ["参与产品需求分析和系统设计。", "负责后端服务的开发和维护。", "编写单元测试，保障代码质量。",
      "优化数据库查询和系统性能。", "与产品、测试团队协作完成迭代。"]),
    ("2-02-09", "39", ["0807", "0806"], ["嵌入式软件工程师", "硬件工程师", "电子工程师", "芯片验证工程师"],
     ["嵌入式", "电路设计", "单片机", "C语言", "信号处理"],
     ["负责电子产品的电路设计与调试。", "编写嵌入式程序并完成联调。", "分析和解决产品可靠性问题。"]),
    ("2-02-11", "44", ["0806"], ["电气工程师", "变电运维员", "自动化工程师", "电力调度员"],
     ["电气设备", "PLC", "自动化", "供配电", "继电保护"],
     ["负责供配电系统的运行与维护。", "参与电气设备的安装调试。", "编制电气图纸和技术方案。"]),
    ("2-02-07", "34", ["0802"], ["机械设计工程师", "工艺工程师", "设备工程师", "质量工程师"],
     ["CAD", "三维建模", "机械设计", "工艺", "质量管理"],
     ["完成机械零部件的设计和选型。", "制定生产工艺并改进流程。", "负责设备维护和故障排除。"]),
    ("2-02-18", "48", ["0810", "0828"], ["土建工程师", "施工员", "造价工程师", "结构设计师"],
     ["AutoCAD", "BIM", "施工管理", "造价", "结构设计"],
     ["负责施工现场的技术管理。", "编制工程预算和结算。", "参与建筑结构设计和审图。"]),
    ("2-06-03", "72", ["1202"], ["会计", "出纳", "财务专员", "税务专员", "审计助理"],
     ["会计", "财务报表", "Excel", "税务", "审计"],
     ["负责日常账务处理和凭证审核。", "编制月度财务报表。", "办理税务申报和发票管理。"]),
    ("2-06-07", "66", ["0203", "0201"], ["客户经理", "理财顾问", "风险管理专员", "信贷专员"],
     ["金融", "风险管理", "客户服务", "理财", "数据分析"],
     ["开拓和维护客户关系。", "开展贷前调查和风险评估。", "为客户提供理财规划建议。"]),
    ("2-06-10", "72", ["1202", "1204"], ["人力资源专员", "招聘专员", "培训专员", "薪酬专员"],
     ["招聘", "培训", "劳动法", "沟通", "Office"],
     ["负责招聘渠道维护和面试安排。", "组织新员工入职培训。", "办理员工社保和薪酬核算。"]),
    ("2-08-03", "83", ["0401", "0701", "0501"], ["小学数学教师", "初中语文教师", "高中英语教师", "小学科学教师"],
     ["教师资格证", "课堂教学", "班级管理", "普通话", "教学设计"],
     ["承担学科课程教学工作。", "做好班级管理和家校沟通。", "参与教研活动和公开课。"]),
    ("2-05-08", "84", ["1011"], ["护士", "护理助理", "社区护士", "手术室护士"],
     ["护士执业资格", "临床护理", "急救", "沟通", "健康教育"],
     ["负责病区患者的日常护理。", "执行医嘱并观察病情变化。", "开展健康宣教和随访。"]),
    ("2-09-07", "64", ["1305"], ["UI设计师", "平面设计师", "交互设计师", "视觉设计师"],
     ["Photoshop", "设计", "交互", "Figma", "审美"],
     ["负责产品界面和视觉设计。", "输出设计规范和交互原型。", "配合开发完成设计还原。"]),
    ("3-01-02", "92", [], ["行政专员", "综合管理岗", "文秘", "基层服务岗"],
     ["公文写作", "Office", "沟通", "组织协调"],
     ["负责公文处理和会议组织。", "做好办公室日常事务。", "服务基层群众，办理相关事务。"]),
    ("4-01-02", "52", ["1206", "1208"], ["销售代表", "电商运营", "市场专员", "店长储备"],
     ["销售", "电商", "运营", "市场推广", "沟通"],
     ["开拓市场并完成销售目标。", "负责网店日常运营和推广。", "策划并执行营销活动。"]),
]
PREFIXES = ["", "", "", "初级", "高级", "储备", "校招", "应届生"]
OPENINGS = ["公司发展迅速，诚聘优秀毕业生加入。", "我们重视人才培养，提供完善的培训体系。",
            "欢迎有志青年加入团队，共同成长。", "提供有竞争力的薪酬和广阔的发展空间。"]
BENEFITS = ["五险一金，带薪年假。", "提供住宿和餐补。", "年终奖金，定期体检。", "弹性工作，节日福利。",
            "落户支持，人才公寓。"]
SALARY_STEPS = [3000, 4000, 4500, 5000, 6000, 7000, 8000, 9000, 10_000, 12_000, 15_000, 18_000, 20_000, 25_000]
JOB_TYPE_WEIGHTS = [(JobType.FULL_TIME, 80), (JobType.INTERNSHIP, 12), (JobType.GRASSROOTS, 6), (JobType.MILITARY, 2)]
EDUCATION_WEIGHTS = [("", 25), (DegreeLevel.VOCATIONAL, 20), (DegreeLevel.BACHELOR, 45), (DegreeLevel.MASTER, 8),
                     (DegreeLevel.DOCTOR, 2)]
DEGREE_WEIGHTS = [(DegreeLevel.VOCATIONAL, 40), (DegreeLevel.BACHELOR, 50), (DegreeLevel.MASTER, 9),
                  (DegreeLevel.DOCTOR, 1)]


class Rows:
    """Plain multi-row INSERTs into a model's table; values adapted as the ORM would store them."""

    def __init__(self, model):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        quote = connection.ops.quote_name
        self.sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in self.fields)}) "
                    f"VALUES ({', '.join(['%s'] * len(self.fields))})")
        self.rows: list[tuple] = []

    def next_id(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {connection.ops.quote_name(self.model._meta.db_table)}")
            return cursor.fetchone()[0] + 1

    def add(self, **values) -> None:
        row = []
        for f in self.fields:
            value = values.get(f.attname, self.defaults[f.attname])
            if isinstance(f, models.JSONField):
                value = json.dumps(value, ensure_ascii=False)
            elif isinstance(f, models.DateTimeField) and value is not None:
                value = connection.ops.adapt_datetimefield_value(value)
            elif isinstance(f, models.DateField) and value is not None:
                value = connection.ops.adapt_datefield_value(value)
            row.append(value)
        self.rows.append(tuple(row))

    def flush(self, cursor) -> None:
        if self.rows:
            cursor.executemany(self.sql, self.rows)
        self.rows = []


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


def _places() -> list[str]:
    """County-level division codes of the tree (cities when there are no counties)."""
    codes = list(Organisation.objects.filter(kind=OrgKind.COUNTY).exclude(code="").values_list("code", flat=True))
    return codes or list(Organisation.objects.filter(kind__in=DIVISION_KINDS).exclude(code="")
                         .values_list("code", flat=True)) or ["330106"]


def _majors() -> dict[str, list[int]]:
    """Major class code → ids of the majors in it (higher-education and vocational catalogues)."""
    classes = dict(Major.objects.filter(level=MajorLevel.CLASS).values_list("pk", "code"))
    found: dict[str, list[int]] = {}
    for pk, parent in Major.objects.filter(level=MajorLevel.MAJOR).values_list("pk", "parent_id"):
        if parent in classes:
            found.setdefault(classes[parent], []).append(pk)
    return found


def seed_employers(count: int = EMPLOYERS, *, seed: int = 2026) -> list[tuple[int, str, str, str]]:
    """Verified employers under the cities of the tree: (employer id, name, type, region code)."""
    existing = list(Employer.objects.filter(state=EmployerState.VERIFIED).select_related("organisation")
                    .values_list("pk", "organisation__name", "employer_type", "region_code")[:count])
    if len(existing) >= count:
        return existing
    rng = random.Random(seed)
    cities = list(Organisation.objects.filter(kind=OrgKind.CITY).exclude(code=""))
    if not cities:
        raise RuntimeError("no cities in the organisation tree: seed the tree first")
    from zhijiao.employment.credit_code import check_character

    words = ["华信", "中科", "远景", "启明", "鼎新", "蓝海", "天成", "博雅", "恒通", "瑞丰", "星河", "卓越"]
    trades = ["软件", "电子", "电力", "机械", "建设", "财务咨询", "银行", "人力资源", "教育", "医院", "设计", "商贸"]
    made = existing
    employers = []
    for i in range(len(existing), count):
        city = cities[i % len(cities)]
        name = f"{city.name.rstrip('市')}{rng.choice(words)}{rng.choice(trades)}有限公司{i:04d}"
        body = f"9{i % 10}{city.code}MA{i:07d}"[:17].upper().replace("I", "1").replace("O", "0")
        org = identity_services.create_organisation(None, name=name, kind=OrgKind.EMPLOYER, parent=city,
                                                    code=body + check_character(body))
        employers.append(Employer(organisation=org, employer_type=rng.choice(EmployerType.values),
                                  region_code=city.code, contact_name="人事部", state=EmployerState.VERIFIED))
    for employer in Employer.objects.bulk_create(employers):
        made.append((employer.pk, employer.organisation.name, employer.employer_type, employer.region_code))
    return made


def seed_jobs(count: int, *, seed: int = 2026, progress=None) -> dict:
    """Add ``count`` published jobs of verified employers, indexed as they are written."""
    started = time.monotonic()
    rng = random.Random(seed)
    employers = seed_employers(seed=seed)
    places = _places()
    majors_by_class = _majors()
    occupations = dict(Occupation.objects.values_list("code", "pk"))
    occupation_names = dict(Occupation.objects.values_list("code", "name"))
    industries = {code: (pk, parent) for code, pk, parent in Industry.objects.values_list("code", "pk", "parent__code")}
    industry_names = dict(Industry.objects.values_list("code", "name"))
    jobs, majors = Rows(Job), Rows(Job.majors.through)
    next_id, next_major = jobs.next_id(), majors.next_id()
    now = timezone.now()
    span = timedelta(days=365)
    step = span / max(count, 1)
    first = now - span
    made = 0

    def batches():
        nonlocal next_id, next_major, made
        while made < count:
            size = min(BATCH, count - made)
            batch = []
            for _ in range(size):
                occupation, division, classes, titles, skills, duties = rng.choice(FAMILIES)
                employer_id, employer_name, employer_type, _region = rng.choice(employers)
                title = rng.choice(PREFIXES) + rng.choice(titles)
                wanted = [m for c in classes for m in rng.sample(majors_by_class.get(c, []),
                                                                 min(2, len(majors_by_class.get(c, []))))]
                wanted = wanted if rng.random() < 0.7 else []
                description = (rng.choice(OPENINGS) + "".join(rng.sample(duties, min(3, len(duties))))
                               + "要求：熟悉" + "、".join(rng.sample(skills, 3)) + "。" + rng.choice(BENEFITS))
                low = rng.choice(SALARY_STEPS)
                salary = (low, low + rng.choice([1000, 2000, 3000, 5000])) if rng.random() < 0.9 else (None, None)
                published = first + step * made
                education = _weighted(rng, EDUCATION_WEIGHTS)
                region = rng.choice(places)
                job_type = _weighted(rng, JOB_TYPE_WEIGHTS)
                deadline = (published + timedelta(days=rng.randint(400, 600))).date()
                industry_pk, section = industries.get(division, (None, ""))
                jobs.add(id=next_id, employer_id=employer_id, title=title, occupation_id=occupations.get(occupation),
                         industry_id=industry_pk, job_type=job_type, region_code=region, salary_min=salary[0],
                         salary_max=salary[1], education=education, headcount=rng.randint(1, 20),
                         description=description, deadline=deadline, state=JobState.PUBLISHED, screening_flags=[],
                         created_at=published, updated_at=published, published_at=published)
                for major_id in wanted:
                    majors.add(id=next_major, job_id=next_id, major_id=major_id)
                    next_major += 1
                batch.append(index.JobData(
                    job_id=next_id, title=title, description=description, employer_id=employer_id,
                    employer_name=employer_name, employer_type=employer_type, region_code=region,
                    industry_code=division if industry_pk else "", industry_section=section or "",
                    industry_name=industry_names.get(division, ""), occupation_code=occupation,
                    occupation_name=occupation_names.get(occupation, ""), job_type=job_type, education=education,
                    salary_min=salary[0], salary_max=salary[1], major_ids=sorted(wanted),
                    headcount=1, deadline=deadline, published_at=published))
                next_id += 1
                made += 1
            with transaction.atomic(), connection.cursor() as cursor:
                jobs.flush(cursor)
                majors.flush(cursor)
            yield batch

    indexed = index.write_bulk(batches(), progress=(lambda n: progress("jobs", n)) if progress else None)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Job, Job.majors.through]):
            cursor.execute(statement)
    return {"jobs": made, "indexed": indexed, "job_seconds": time.monotonic() - started}


def seed_graduates(count: int, *, seed: int = 2026, progress=None) -> dict:
    """Add ``count`` graduates (accounts, verified records, job intentions; 3 % with a difficulty flag)."""
    started = time.monotonic()
    rng = random.Random(seed + 1)
    schools = list(Organisation.objects.filter(kind=OrgKind.SCHOOL).values_list("pk", "path")[:500])
    if not schools:
        raise RuntimeError("no schools in the organisation tree: seed the tree first")
    places = _places()
    majors_by_class = _majors()
    families = {cls: fam for fam in FAMILIES for cls in fam[2]}
    leaf = [(pk, cls) for cls, ids in majors_by_class.items() for pk in ids]
    major_names = dict(Major.objects.filter(level=MajorLevel.MAJOR).values_list("pk", "name"))
    users, records, intentions, flags = Rows(User), Rows(GraduateRecord), Rows(JobIntention), Rows(DifficultyFlag)
    user_id, record_id, intention_id, flag_id = users.next_id(), records.next_id(), intentions.next_id(), flags.next_id()
    now = timezone.now()
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        for _ in range(size):
            major_id, cls = rng.choice(leaf)
            school_id, school_path = rng.choice(schools)
            origin = rng.choice(places)
            users.add(id=user_id, password="!", username=f"grad{user_id:08d}", real_name=f"毕业生{user_id}",
                      email=f"grad{user_id:08d}@example.edu.cn", is_active=True, date_joined=now, language="zh-hans")
            records.add(id=record_id, user_id=user_id, school_id=school_id, org_path=school_path,
                        student_number=f"{user_id:010d}", major_id=major_id, major_name=major_names.get(major_id, ""),
                        degree_level=_weighted(rng, DEGREE_WEIGHTS), graduation_year=2026, origin_code=origin,
                        verified_at=now, source="bulk")
            family = families.get(cls) or rng.choice(FAMILIES)
            low = rng.choice(SALARY_STEPS[:10])
            regions = [origin[:4] + "00"] + ([rng.choice(places)[:4] + "00"] if rng.random() < 0.5 else [])
            intentions.add(id=intention_id, user_id=user_id, job_types=[JobType.FULL_TIME] + (
                [JobType.GRASSROOTS] if rng.random() < 0.1 else []), industry_codes=[family[1]],
                occupation_codes=[family[0]], region_codes=regions, salary_min=low,
                salary_max=low + 4000, updated_at=now)
            if rng.random() < 0.03:
                flags.add(id=flag_id, record_id=record_id, kind=rng.choice(DifficultyKind.values), flagged_at=now)
                flag_id += 1
            user_id, record_id, intention_id = user_id + 1, record_id + 1, intention_id + 1
        with transaction.atomic(), connection.cursor() as cursor:
            for rows in (users, records, intentions, flags):
                rows.flush(cursor)
        made += size
        if progress:
            progress("graduates", made)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [User, GraduateRecord, JobIntention,
                                                                        DifficultyFlag]):
            cursor.execute(statement)
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
    return {"graduates": made, "graduate_seconds": time.monotonic() - started}


def seed(scale: str, *, seed: int = 2026, progress=None) -> dict | None:
    """The large-scale employment data, or None at scales that have none."""
    jobs, graduates = COUNTS.get(scale, (0, 0))
    if not jobs and not graduates:
        return None
    made = seed_jobs(jobs, seed=seed, progress=progress)
    made.update(seed_graduates(graduates, seed=seed, progress=progress))
    return made
