"""Demo data of the employment service's core, for `zj seed`.

The demo tree's schools are compulsory-education schools, so graduates need schools of their own: a
university and a vocational college under 杭州市, each with colleges and classes, and graduating students
(adult learners) on their graduate rosters. Employers sit in the counties of 浙江省 (the demo account's
employer among them, verified); most are verified, some wait for verification. Jobs are mostly published,
a few held by screening. Some graduates registered an intention and wrote a résumé.

Named accounts (password ``accounts.DEMO_PASSWORD``): ``demo_graduate`` (a graduate with a résumé),
``demo_employment_officer`` (浙江省, verifies employers and screens postings) and ``demo_counsellor``
(a college of the demo university). ``demo_employer_hr`` acts for the verified demo employer.

:func:`make_job_rows` and :func:`credit_code_for` are reusable by bulk generators (matching's large scale).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from zhijiao.core import crypto
from zhijiao.demo import accounts
from zhijiao.demo.people import ADULT_MAN, ADULT_WOMAN, SURNAMES, id_check_character
from zhijiao.employment import credit_code, discrimination, reference_data, services
from zhijiao.employment.models import (
    DegreeLevel,
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
    Resume,
    ResumeVisibility,
)
from zhijiao.identity import services as identity_services
from zhijiao.identity.models import Membership, Organisation, OrgKind, Role, User, Verification

COUNTS = {"small": {"graduates": 120, "employers": 20, "jobs": 300},
          "medium": {"graduates": 2000, "employers": 200, "jobs": 3000}}
HELD_SHARE = 0.05
PENDING_SHARE = 0.2

SCHOOLS = (
    ("杭州示例科技大学", "9330100901", "higher", (
        ("计算机学院", ("080901", "080902", "080903")), ("经济管理学院", ("120203K", "020301K", "120206")),
        ("土木工程学院", ("081001",)), ("外国语学院", ("050201",)))),
    ("杭州示例职业技术学院", "9330100902", "vocational", (
        ("信息工程学院", ("510203",)), ("护理学院", ("520201",)), ("财经学院", ("530302",)))),
)
EMPLOYER_WORDS = ("云帆", "启明", "数智", "恒信", "博远", "新禾", "东方", "创新", "智联", "华泰", "青松", "之江")
EMPLOYER_TRADES = (("科技有限公司", "65", EmployerType.PRIVATE), ("软件股份有限公司", "65", EmployerType.PRIVATE),
                   ("建设集团有限公司", "48", EmployerType.STATE_OWNED), ("会计师事务所", "72", EmployerType.PRIVATE),
                   ("医院", "84", EmployerType.PUBLIC_INSTITUTION), ("实验学校", "83", EmployerType.PUBLIC_INSTITUTION),
                   ("商贸有限公司", "52", EmployerType.PRIVATE), ("智能制造有限公司", "34", EmployerType.FOREIGN))
JOB_TEMPLATES = (
    ("Python 开发工程师", "2-02-10", "负责后端服务与数据接口的开发和维护，熟悉 Python、Django 与 SQL。"),
    ("Java 开发工程师", "2-02-10", "参与业务系统设计与开发，熟悉 Java、Spring 和 MySQL，有良好的编码习惯。"),
    ("前端开发工程师", "2-02-10", "负责 Web 与小程序前端开发，熟悉 HTML、CSS、JavaScript 和 Vue。"),
    ("数据分析师", "2-06-01", "整理和分析业务数据，制作报表与可视化，熟悉 SQL、Excel 与 Python。"),
    ("会计", "2-06-03", "负责日常账务处理、报表编制和纳税申报，持初级会计职称者优先。"),
    ("审计助理", "2-06-04", "参与财务报表审计项目，整理底稿，能适应出差。"),
    ("土木工程师", "2-02-18", "参与施工组织与质量管理，能读懂施工图，熟悉相关规范。"),
    ("护士", "2-05-08", "在临床科室从事护理工作，持护士执业资格或应届可考。"),
    ("英语教师", "2-08-03", "承担初中英语教学与班级活动，持有教师资格证。"),
    ("销售代表", "4-01-02", "开拓和维护客户，完成销售目标，沟通表达能力强。"),
    ("机械设计工程师", "2-02-07", "负责设备零部件设计与图纸绘制，熟悉 SolidWorks 或 CAD。"),
    ("人力资源专员", "2-06-10", "负责招聘、入职与员工关系工作，熟悉劳动法规。"),
    ("行政专员", "3-01-02", "负责会务、文书与日常行政事务，细致有条理。"),
    ("运维工程师", "4-04-04", "负责服务器与网络运维、监控告警处理，熟悉 Linux。"),
)
# Phrasings the screening holds; a few demo postings use them so staff have a queue to work.
HELD_PHRASES = ("限男性。", "已婚已育优先。", "要求本地户口。", "年龄30岁以下。")
SKILLS = ("Python", "Java", "SQL", "Excel", "数据分析", "英语六级", "CAD", "Office", "沟通能力", "团队协作", "Vue",
          "Linux", "财务软件", "教师资格证", "护士执业资格")


@dataclass
class Summary:
    graduates: int
    employers: int
    jobs: int
    held: int


def credit_code_for(rng: random.Random, division_code: str) -> str:
    """A well-formed unified social credit code (correct check character) registered in ``division_code``."""
    body = "91" + division_code + "".join(rng.choice(credit_code.ALPHABET) for _ in range(9))
    return body + credit_code.check_character(body)


def make_job_rows(rng: random.Random, n: int, employers: list[Employer], *, occupations: dict[str, Occupation],
                  industries: dict[str, Industry], regions: list[str], now=None, held_share: float = HELD_SHARE,
                  days: int = 60) -> list[Job]:
    """``n`` unsaved Job rows spread over ``employers`` and the last ``days`` days; about ``held_share`` of them
    carry a discriminatory phrase and are held (with their screening flags), the rest are published."""
    now = now or timezone.now()
    rows = []
    for _ in range(n):
        employer = rng.choice(employers)
        title, occupation_code, description = rng.choice(JOB_TEMPLATES)
        low = rng.randrange(4000, 14000, 500)
        held = rng.random() < held_share
        if held:
            description += rng.choice(HELD_PHRASES)
        published_at = now - timedelta(days=rng.random() * days)
        job = Job(employer=employer, title=title, occupation=occupations.get(occupation_code),
                  industry=industries.get(employer.industry.code if employer.industry else "65"),
                  job_type=JobType.INTERNSHIP if rng.random() < 0.1 else JobType.FULL_TIME,
                  region_code=rng.choice(regions) if rng.random() < 0.3 else employer.region_code,
                  salary_min=low, salary_max=low + rng.randrange(2000, 10000, 500),
                  education=rng.choice((DegreeLevel.VOCATIONAL, DegreeLevel.BACHELOR, DegreeLevel.BACHELOR, "")),
                  headcount=rng.randint(1, 10), description=description,
                  state=JobState.HELD if held else JobState.PUBLISHED,
                  screening_flags=discrimination.scan_fields({"description": description}) if held else [],
                  published_at=None if held else published_at, created_at=published_at)
        rows.append(job)
    return rows


def _name(rng: random.Random) -> tuple[str, bool]:
    male = rng.random() < 0.5
    chars = ADULT_MAN if male else ADULT_WOMAN
    given = "".join(rng.choice(chars) for _ in range(rng.choice((1, 2))))
    return rng.choice(SURNAMES[:60]) + given, male


@transaction.atomic
def seed_employment_core(scale: str = "small", seed: int = 2026) -> Summary:
    from zhijiao.resources.models import Major, MajorLevel

    reference_data.load()  # idempotent; a flushed test database has lost the migration's rows
    counts = COUNTS.get(scale, COUNTS["medium"])
    rng = random.Random(seed * 7 + 365)
    now = timezone.now()
    year = timezone.localdate().year if timezone.localdate().month < 9 else timezone.localdate().year + 1
    city = Organisation.objects.get(kind=OrgKind.CITY, code="330100")
    province = Organisation.objects.get(kind=OrgKind.PROVINCE, code="330000")
    password = make_password(accounts.DEMO_PASSWORD)
    majors = {(m.library, m.code): m for m in Major.objects.filter(level=MajorLevel.MAJOR)}

    # Schools, colleges, classes.
    places = []  # (school, college, class, library, major codes)
    for name, code, library, colleges in SCHOOLS:
        school = identity_services.create_organisation(None, name=name, kind=OrgKind.SCHOOL, parent=city, code=code)
        for college_name, codes in colleges:
            college = identity_services.create_organisation(None, name=college_name, kind=OrgKind.DEPARTMENT,
                                                            parent=school)
            klass = identity_services.create_organisation(None, name=f"{college_name[:2]}{year % 100 - 4:02d}01班",
                                                          kind=OrgKind.CLASS, parent=college)
            places.append((school, college, klass, library, codes))

    # Graduates: accounts, memberships, records.
    users, plan = [], []
    for k in range(counts["graduates"]):
        school, college, klass, library, codes = places[k % len(places)]
        real_name, male = _name(rng)
        birth = f"{year - 22 - rng.randint(0, 1)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        body = f"330106{birth}{(2 * k + (1 if male else 0)) % 1000:03d}"
        id_number = body + id_check_character(body)
        username = "demo_graduate" if k == 0 else f"g{school.code[-3:]}{k:05d}"
        user = User(username=username, real_name="林晓" if k == 0 else real_name, password=password,
                    verification=Verification.VERIFIED, email=f"{username}@{accounts.DEMO_EMAIL_DOMAIN}",
                    birth_date=date(int(birth[:4]), int(birth[4:6]), int(birth[6:8])))
        user.set_id_number(id_number)
        users.append(user)
        plan.append((school, college, klass, library, rng.choice(codes)))
    User.objects.bulk_create(users, batch_size=1000)
    names = [u.username for u in users]
    saved = User.objects.in_bulk(names, field_name="username")
    users = [saved[name] for name in names]
    Membership.objects.bulk_create([Membership(user=u, organisation=p[2], role=Role.LEARNER, org_path=p[2].path)
                                    for u, p in zip(users, plan, strict=True)], batch_size=1000)
    degree_of = {"higher": DegreeLevel.BACHELOR, "vocational": DegreeLevel.VOCATIONAL}
    records = []
    for k, (user, (school, college, klass, library, code)) in enumerate(zip(users, plan, strict=True)):
        major = majors.get((library, code))
        degree = DegreeLevel.MASTER if library == "higher" and rng.random() < 0.1 else degree_of[library]
        records.append(GraduateRecord(user=user, school=school, college=college, class_org=klass, org_path=klass.path,
                                      student_number=f"{year - 4}{k:05d}", major=major,
                                      major_name=major.name if major else code, degree_level=degree,
                                      graduation_year=year, origin_code=rng.choice(("330106", "330102", "520102",
                                                                                    "110101", "330100")),
                                      source="demo"))
    GraduateRecord.objects.bulk_create(records, batch_size=1000)

    # Intentions and résumés for about 60% of them (always the named demo graduate).
    records = list(GraduateRecord.objects.filter(source="demo").select_related("major", "user"))
    intentions, resumes = [], []
    for k, record in enumerate(records):
        if k and rng.random() > 0.6:
            continue
        intentions.append(JobIntention(user=record.user, job_types=[JobType.FULL_TIME],
                                       industry_codes=[rng.choice(("65", "I", "72", "83", "84"))],
                                       region_codes=[rng.choice(("330000", "330100", "110000"))],
                                       salary_min=rng.randrange(4000, 9000, 500), salary_max=None))
        resume = Resume(user=record.user, headline=f"{record.major_name}方向求职",
                        summary="认真负责，学习能力强，希望在专业相关岗位发展。",
                        skills=rng.sample(SKILLS, 4),
                        visibility=ResumeVisibility.EMPLOYERS if rng.random() < 0.7 else ResumeVisibility.APPLIED,
                        sections={"projects": [{"title": f"{record.major_name}课程设计", "organisation": record.school.name,
                                                "start": f"{year - 1}-03", "end": f"{year - 1}-06",
                                                "description": "与同学合作完成，负责主要部分。"}]})
        resume.search_text = services.resume_search_text(resume, record)
        resumes.append(resume)
    JobIntention.objects.bulk_create(intentions, batch_size=1000)
    Resume.objects.bulk_create(resumes, batch_size=1000)

    # Employers: the demo account's, then more in 浙江's counties.
    industries = {i.code: i for i in Industry.objects.all()}
    counties = list(Organisation.objects.filter(kind=OrgKind.COUNTY, path__startswith=province.path)
                    .exclude(code="").order_by("code"))
    employers = []
    demo_org = Organisation.objects.filter(kind=OrgKind.EMPLOYER, name=accounts.EMPLOYER_NAME).first()
    if demo_org is not None:
        division = demo_org.parent
        demo_org.code = credit_code_for(rng, division.code or "330106")
        demo_org.save(update_fields=["code"])
        employers.append(_employer(demo_org, "65", EmployerType.PRIVATE, division.code or "330106",
                                   EmployerState.VERIFIED, now, rng))
    words = list(EMPLOYER_WORDS)
    for k in range(counts["employers"]):
        county = rng.choice(counties)
        suffix, industry, kind = rng.choice(EMPLOYER_TRADES)
        name = f"{county.name[:2]}{rng.choice(words)}{suffix}{'' if k < 12 else k}"
        org = identity_services.create_organisation(None, name=name, kind=OrgKind.EMPLOYER, parent=county,
                                                    code=credit_code_for(rng, county.code))
        state = EmployerState.PENDING if rng.random() < PENDING_SHARE else EmployerState.VERIFIED
        employers.append(_employer(org, industry, kind, county.code, state, now, rng))
    Employer.objects.bulk_create(employers)
    employers = list(Employer.objects.select_related("industry", "organisation"))
    verified = [e for e in employers if e.state == EmployerState.VERIFIED]

    # Jobs.
    occupations = {o.code: o for o in Occupation.objects.all()}
    jobs = make_job_rows(rng, counts["jobs"], verified, occupations=occupations, industries=industries,
                         regions=[c.code for c in counties] + ["330100", "110101"], now=now)
    Job.objects.bulk_create(jobs, batch_size=1000)
    through = Job.majors.through
    wanted = {"2-02-10": ("080901", "080902", "510203"), "2-06-03": ("120203K", "530302"), "2-05-08": ("520201",),
              "2-02-18": ("081001",), "2-08-03": ("050201",), "2-06-01": ("020301K", "080901")}
    links = []
    for job in Job.objects.filter(employer__in=verified).only("id", "occupation__code").select_related("occupation"):
        for code in wanted.get(job.occupation.code if job.occupation else "", ()):
            major = majors.get(("vocational" if code.startswith("5") else "higher", code))
            if major is not None:
                links.append(through(job_id=job.pk, major_id=major.pk))
    through.objects.bulk_create(links, batch_size=2000)

    # Staff accounts.
    first_college = places[0][1]
    for username, real_name, role, org in (("demo_employment_officer", "钱就业", Role.EMPLOYMENT_OFFICER, province),
                                           ("demo_counsellor", "孙辅导", Role.COUNSELLOR, first_college)):
        user = User(username=username, real_name=real_name, password=password, verification=Verification.VERIFIED,
                    email=f"{username}@{accounts.DEMO_EMAIL_DOMAIN}")
        user.save()
        identity_services.grant_role_as_operator(user, org, role)
    held = sum(1 for j in jobs if j.state == JobState.HELD)
    return Summary(graduates=len(records), employers=len(employers), jobs=len(jobs), held=held)


def _employer(org: Organisation, industry: str, kind: str, region: str, state: str, now, rng) -> Employer:
    return Employer(organisation=org, employer_type=kind, industry=Industry.objects.filter(code=industry).first(),
                    region_code=region, address="示例路 1 号", size=rng.choice(("20-99", "100-499", "500-999", "1000+")),
                    description="示例单位，仅用于演示。", contact_name="人事部",
                    contact_phone_enc=crypto.encrypt(f"0571-8{rng.randint(0, 9999999):07d}", services.PHONE_CONTEXT),
                    contact_email=f"hr{org.pk}@{accounts.DEMO_EMAIL_DOMAIN}", state=state,
                    decided_at=now if state == EmployerState.VERIFIED else None)
