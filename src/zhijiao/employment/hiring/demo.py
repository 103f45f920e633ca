"""Demo hiring data for `zj seed`: applications in every state, a job fair, signed agreements (one of them
terminated), destinations spread over past weeks so the progress dashboard has a curve, and a notice.

It builds on what the employment core step seeded (graduates with records, verified employers with
published jobs) and goes through the services, so every rule and audit entry applies. With no jobs or no
graduates it does nothing and says so.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhijiao.employment.hiring import services
from zhijiao.employment.hiring.models import (
    Application,
    ApplicationEvent,
    ApplicationState,
    Destination,
    DestinationRecord,
    JobFair,
)
from zhijiao.employment.models import EmployerState, GraduateRecord, Job, JobState
from zhijiao.identity import services as identity_services
from zhijiao.identity.models import Membership, Organisation, Role, User

# How many graduates get applications, and how many get a destination entered by staff.
LIMITS = {"small": (24, 150), "medium": (60, 600), "large": (60, 600)}
WEEKS_BACK = 20
# Counsellors' entries: settled categories weighted roughly as national statistics report them.
ENTRY_CATEGORIES = [("11", 30), ("12", 10), ("80", 20), ("85", 4), ("51", 3), ("50", 2), ("75", 2), ("76", 9),
                    ("70", 15), ("71", 5)]


@dataclass(frozen=True)
class HiringSummary:
    skipped: str = ""
    applications: int = 0
    agreements_signed: int = 0
    destinations: int = 0
    fairs: int = 0
    notices: int = 0

    def describe(self) -> str:
        if self.skipped:
            return _("Hiring: skipped, %(why)s.") % {"why": self.skipped}
        return _("Hiring: %(applications)s applications, %(signed)s signed agreements, %(destinations)s "
                 "destinations, %(fairs)s job fair, %(notices)s notice") % {
            "applications": self.applications, "signed": self.agreements_signed, "destinations": self.destinations,
            "fairs": self.fairs, "notices": self.notices}


def _officer_for(school: Organisation) -> User:
    """An employment officer covering the school; a demo one is made when the core step made none."""
    for membership in Membership.objects.filter(role=Role.EMPLOYMENT_OFFICER).select_related("user").order_by("id"):
        if school.path.startswith(membership.org_path):
            return membership.user
    from zhijiao.demo.accounts import DEMO_PASSWORD

    user = User(username=f"demo_hiring_officer_{school.pk}", real_name=f"{school.name}就业办")
    user.set_password(DEMO_PASSWORD)
    user.save()
    identity_services.grant_role_as_operator(user, school, Role.EMPLOYMENT_OFFICER)
    return user


def _hr_for(job: Job) -> User | None:
    membership = (Membership.objects.filter(role=Role.EMPLOYER_HR, organisation=job.employer.organisation)
                  .select_related("user").order_by("id").first())
    return membership.user if membership else None


def _backdate(application: Application, days: int) -> None:
    at = timezone.now() - timedelta(days=days)
    Application.objects.filter(pk=application.pk).update(created_at=at)
    ApplicationEvent.objects.filter(application=application, from_state="").update(at=at)


def seed_hiring(scale: str = "small", seed: int = 2026) -> HiringSummary:
    rng = random.Random(seed)
    jobs = list(Job.objects.filter(state=JobState.PUBLISHED, employer__state=EmployerState.VERIFIED)
                .select_related("employer__organisation").order_by("id")[:200])
    jobs = [j for j in jobs if _hr_for(j) is not None]
    if not jobs:
        return HiringSummary(skipped=_("there are no published jobs of verified employers"))
    year = (GraduateRecord.objects.order_by("-graduation_year").values_list("graduation_year", flat=True).first())
    if year is None:
        return HiringSummary(skipped=_("there are no graduate records"))
    n_apply, n_destinations = LIMITS.get(scale, LIMITS["small"])
    records = list(GraduateRecord.objects.filter(graduation_year=year).select_related("user", "school")
                   .order_by("id")[: n_apply + n_destinations])
    applicants, others = records[:n_apply], records[n_apply:]
    with transaction.atomic():
        counts = _applications(rng, applicants, jobs)
        destinations = _destinations(rng, others)
        fairs = _fair(rng, jobs, applicants)
        notices = _notice()
    return HiringSummary(applications=counts[0], agreements_signed=counts[1], destinations=destinations + counts[1],
                         fairs=fairs, notices=notices)


def _applications(rng: random.Random, applicants: list[GraduateRecord], jobs: list[Job]) -> tuple[int, int]:
    """Each applicant applies to one or two jobs; the first ones are walked through every pipeline state."""
    made, signed = 0, 0
    plan = ["signed", "accepted", "offer", "interview", "viewed", "rejected", "withdrawn", "terminated", "signed",
            "signed"]
    for index, record in enumerate(applicants):
        graduate = record.user
        picks = rng.sample(jobs, k=min(len(jobs), rng.choice([1, 1, 2])))
        for job in picks:
            if Application.objects.filter(graduate=graduate, job=job).exists():
                continue
            application = services.apply(graduate, job, cover_letter="您好，我对贵单位的岗位很感兴趣，期待进一步沟通。")
            _backdate(application, rng.randint(7, WEEKS_BACK * 7))
            made += 1
        application = Application.objects.filter(graduate=graduate).order_by("id").first()
        if application is None:
            continue
        step = plan[index] if index < len(plan) else rng.choice(["submitted", "viewed", "interview", "rejected"])
        signed += _walk(application, step, record)
    return made, signed


def _walk(application: Application, step: str, record: GraduateRecord) -> int:
    hr = _hr_for(application.job)
    graduate = application.graduate
    if step == "submitted":
        return 0
    if step == "withdrawn":
        services.withdraw(graduate, application)
        return 0
    services.open_application(hr, application)
    if step == "viewed":
        return 0
    if step == "rejected":
        services.move(hr, application, ApplicationState.REJECTED, note="岗位已招满")
        return 0
    services.schedule_interview(hr, application, starts_at=timezone.now() + timedelta(days=3), place="公司总部 3 楼会议室",
                                online_link="https://meeting.example.com/demo")
    if step == "interview":
        return 0
    job = application.job
    agreement = services.issue_offer(hr, application, post=job.title, salary=job.salary_min or 8000,
                                     start_date=timezone.localdate() + timedelta(days=90),
                                     workplace_code=job.region_code,
                                     contract_terms="劳动合同期限三年，其中试用期三个月；五险一金按规定缴纳。",
                                     liquidated_damages=3000)
    if step == "offer":
        return 0
    services.accept_offer(graduate, agreement)
    if step == "accepted":
        return 0
    officer = _officer_for(record.school)
    services.approve_agreement(officer, agreement)
    if step == "terminated":
        termination = services.request_termination(graduate, agreement, reason="已被研究生录取，协商解除协议。")
        services.approve_termination(hr, termination)
        services.approve_termination(officer, termination)
        services.record_destination(officer, record, category=Destination.FURTHER_STUDY, organisation_name="浙江大学")
    return 1


def _destinations(rng: random.Random, records: list[GraduateRecord]) -> int:
    """Staff entries for about two thirds of the other graduates, spread over the past weeks."""
    categories, weights = zip(*ENTRY_CATEGORIES, strict=True)
    made = 0
    officers: dict[int, User] = {}
    for record in records:
        if rng.random() > 0.68:
            continue
        actor = officers.get(record.school_id) or officers.setdefault(record.school_id,
                                                                      _officer_for(record.school))
        entry = services.record_destination(actor, record, category=rng.choices(categories, weights)[0],
                                            region_code=rng.choice(["330100", "310100", "110100", "440300", ""]))
        days = int(WEEKS_BACK * 7 * (rng.random() ** 0.7))
        DestinationRecord.objects.filter(pk=entry.pk).update(recorded_at=timezone.now() - timedelta(days=days))
        made += 1
    return made


def _fair(rng: random.Random, jobs: list[Job], applicants: list[GraduateRecord]) -> int:
    if not applicants:
        return 0
    school = applicants[0].school
    officer = _officer_for(school)
    now = timezone.now()
    fair = JobFair.objects.filter(organiser=school, title__startswith="毕业生春季网络专场").first()
    if fair is None:
        fair = services.create_fair(officer, school, title=f"毕业生春季网络专场招聘会 · {school.name}",
                                    description="面向本校应届毕业生的线上双选会，参会单位均已通过核验。",
                                    starts_at=now - timedelta(days=2), ends_at=now + timedelta(days=12))
    by_employer: dict[int, list[Job]] = {}
    for job in jobs:
        by_employer.setdefault(job.employer_id, []).append(job)
    for employer_jobs in list(by_employer.values())[:6]:
        employer = employer_jobs[0].employer
        entry = services.join_fair(_hr_for(employer_jobs[0]), fair, employer, jobs=employer_jobs[:5])
        if entry.state == "applied":
            services.decide_participation(officer, entry, approve=True)
    for record in applicants[: max(3, len(applicants) // 2)]:
        services.register_for_fair(record.user, fair)
    return 1


def _notice() -> int:
    """One notice, from whichever bureau administrator or employment officer reaches the most staff."""
    from zhijiao.identity import permissions

    best = None
    for membership in (Membership.objects.filter(role__in=[Role.BUREAU_ADMIN, Role.EMPLOYMENT_OFFICER])
                       .select_related("user", "organisation").order_by("id")[:200]):
        for path in permissions.scope_paths(membership.user, "employment.manage"):
            reach = (Membership.objects.filter(org_path__startswith=path, role__in=services.NOTICE_ROLES)
                     .exclude(user=membership.user).count())
            if best is None or reach > best[0]:
                best = (reach, membership.user, path)
    if best is None or best[0] == 0:
        return 0
    _reach, sender, path = best
    services.send_notice(sender, Organisation.objects.get(path=path),
                         title="关于做好应届毕业生毕业去向登记工作的通知",
                         body="请各位辅导员和就业工作人员于本月底前完成所负责毕业生的毕业去向登记与核实，"
                              "对尚未落实去向的毕业生开展一对一帮扶。")
    return 1
