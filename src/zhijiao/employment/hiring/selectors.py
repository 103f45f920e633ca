"""Reads of hiring: lists scoped to the reader, fair statistics, agreement checks and employment progress."""

from __future__ import annotations

import hmac
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhijiao.core import crypto
from zhijiao.employment.hiring import permissions, signing
from zhijiao.employment.hiring.models import (
    ACTIVE_AGREEMENT_STATES,
    SETTLED,
    Agreement,
    AgreementState,
    Application,
    DestinationRecord,
    FairEmployer,
    FairEmployerState,
    JobFair,
    Notice,
    NoticeReceipt,
    Party,
    Termination,
    TerminationState,
)
from zhijiao.employment.models import DegreeLevel, Employer, GraduateRecord, Job
from zhijiao.identity.models import PATH_WIDTH, Organisation, OrgKind, User

AGREEMENT_NUMBER = re.compile(r"[0-9]{1,32}")

# --- Applications -------------------------------------------------------------------------------------


def applications_of_graduate(user: User) -> QuerySet[Application]:
    return (Application.objects.filter(graduate=user).select_related("job", "employer__organisation")
            .order_by("-updated_at", "-id"))


def applications_of_employers(employers: list[Employer], state: str = "") -> QuerySet[Application]:
    qs = Application.objects.filter(employer__in=employers).select_related("job", "graduate", "employer__organisation")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-updated_at", "-id")


def application_for(user: User, application_id: int) -> tuple[Application, str]:
    """The application and the reader's side ("graduate" or "employer"); Http404 when it is not theirs."""
    application = (Application.objects.select_related("job", "graduate", "employer__organisation")
                   .filter(pk=application_id).first())
    if application is None:
        raise Http404
    if application.graduate_id == user.pk:
        return application, Party.GRADUATE
    if permissions.acts_for(user, application.employer):
        return application, Party.EMPLOYER
    raise Http404


def employer_opened_application_of(employer: Employer, graduate: User) -> bool:
    """The employer has opened an application of this graduate (so the résumé has been shown to them)."""
    return Application.objects.filter(employer=employer, graduate=graduate, viewed_at__isnull=False).exists()


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳修 → 欧*修: enough for staff who know their students to recognise them."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def resume_of(user: User):
    from zhijiao.employment.models import Resume

    return Resume.objects.filter(user=user).first()


# --- Agreements ---------------------------------------------------------------------------------------


def agreement_for(user: User, agreement_id: int) -> tuple[Agreement, str]:
    """The agreement and the reader's party; Http404 for anyone who is not one of its three parties."""
    agreement = (Agreement.objects.select_related("graduate", "employer__organisation", "school", "application__job")
                 .filter(pk=agreement_id).first())
    if agreement is None:
        raise Http404
    from zhijiao.employment.hiring.services import party_of

    party = party_of(user, agreement)
    if party is None:
        raise Http404
    return agreement, party


def agreements_of_graduate(user: User) -> QuerySet[Agreement]:
    return Agreement.objects.filter(graduate=user).select_related("employer__organisation").order_by("-offered_at")


def approval_queue(officer: User) -> QuerySet[Agreement]:
    paths = permissions.scope_paths_approve(officer)
    if not paths:
        return Agreement.objects.none()
    scope = Q()
    for p in paths:
        scope |= Q(school__path__startswith=p)
    return (Agreement.objects.filter(scope, state=AgreementState.ACCEPTED)
            .select_related("graduate", "employer__organisation", "school").order_by("accepted_at"))


def pending_terminations_for(user: User) -> list[Termination]:
    """Termination requests waiting on ``user``: as the other party, or as the school's office."""
    pending = (Termination.objects.filter(state=TerminationState.PENDING)
               .select_related("agreement__graduate", "agreement__employer__organisation", "agreement__school"))
    from zhijiao.employment.hiring.services import party_of

    waiting = []
    for t in pending:
        party = party_of(user, t.agreement)
        other = party in (Party.GRADUATE, Party.EMPLOYER) and party != t.requesting_party and not t.other_party_at
        office = permissions.approves_for(user, t.agreement.school) and not t.office_at
        if other or office:
            waiting.append(t)
    return waiting


def signatures(agreement: Agreement) -> list:
    return list(agreement.signatures.select_related("signer"))


@dataclass
class Verification:
    found: bool
    hash_matches: bool = False
    content_intact: bool = False
    signatures_valid: bool = False
    state: str = ""
    agreement: Agreement | None = None

    @property
    def ok(self) -> bool:
        return self.found and self.hash_matches and self.content_intact and self.signatures_valid


def verify(number: str, sha256: str) -> Verification:
    """Does an agreement with this number exist, is this its content hash, is the stored content still the
    content signed, and does every party's signature check out?"""
    number, sha256 = (number or "").strip(), (sha256 or "").strip().lower()
    # Numbers are digits only (services._next_number); anything else is not looked up at all.
    agreement = (Agreement.objects.select_related("graduate", "employer__organisation", "school")
                 .filter(number=number).first() if AGREEMENT_NUMBER.fullmatch(number) else None)
    if agreement is None:
        return Verification(found=False)
    sigs = signatures(agreement)
    parties = {s.party for s in sigs}
    return Verification(
        found=True, agreement=agreement, state=agreement.state,
        hash_matches=hmac.compare_digest(agreement.content_hash.encode(), sha256.encode()),
        content_intact=signing.content_hash(agreement) == agreement.content_hash,
        signatures_valid=(parties == set(Party.values)
                          and all(s.content_hash == agreement.content_hash and signing.signature_valid(s, number)
                                  for s in sigs)),
    )


def has_active_agreement(user: User) -> bool:
    return Agreement.objects.filter(graduate=user, state__in=ACTIVE_AGREEMENT_STATES).exists()


# --- Job fairs ----------------------------------------------------------------------------------------


def fairs() -> QuerySet[JobFair]:
    return JobFair.objects.select_related("organiser").order_by("-starts_at")


def fair_participants(fair: JobFair) -> list[FairEmployer]:
    return list(fair.participants.filter(state=FairEmployerState.APPROVED)
                .select_related("employer__organisation").prefetch_related("jobs").order_by("id"))


def fair_stats(fair: JobFair) -> dict:
    """Live figures: registered graduates, employers taking part, their jobs in the fair, and applications
    made to those jobs while the fair is open."""
    job_ids = set(Job.objects.filter(fair_entries__fair=fair, fair_entries__state=FairEmployerState.APPROVED)
                  .values_list("pk", flat=True))
    now = timezone.now()
    return {
        "registered_graduates": fair.registrations.count(),
        "employers": fair.participants.filter(state=FairEmployerState.APPROVED).count(),
        "jobs": len(job_ids),
        "applications": Application.objects.filter(job_id__in=job_ids, created_at__gte=fair.starts_at,
                                                   created_at__lt=min(now, fair.ends_at)).count() if job_ids else 0,
        "live": fair.is_live(now),
    }


# --- Notices ------------------------------------------------------------------------------------------


def inbox(user: User) -> QuerySet[NoticeReceipt]:
    return (NoticeReceipt.objects.filter(recipient=user).select_related("notice__organisation", "notice__sender")
            .order_by("-notice__sent_at"))


def unread_count(user: User) -> int:
    return NoticeReceipt.objects.filter(recipient=user, read_at__isnull=True).count()


def sent_notices(user: User) -> QuerySet[Notice]:
    return (Notice.objects.filter(sender=user).select_related("organisation")
            .annotate(total=Count("receipts"), read=Count("receipts", filter=Q(receipts__read_at__isnull=False)))
            .order_by("-sent_at"))


def notice_for(user: User, notice_id: int) -> tuple[Notice, bool]:
    """(notice, is_sender); Http404 unless the user sent or received it."""
    notice = Notice.objects.select_related("organisation", "sender").filter(pk=notice_id).first()
    if notice is None:
        raise Http404
    if notice.sender_id == user.pk:
        return notice, True
    if notice.receipts.filter(recipient=user).exists():
        return notice, False
    raise Http404


def receipts(notice: Notice) -> list[NoticeReceipt]:
    return list(notice.receipts.select_related("recipient").order_by("read_at", "recipient__username"))


# --- Progress -----------------------------------------------------------------------------------------


def follow_homes(user: User) -> list[Organisation]:
    tops = permissions.top_paths(permissions.follow_paths(user))
    return list(Organisation.objects.filter(path__in=tops).order_by("path"))


def cohort(org: Organisation, year: int) -> QuerySet[GraduateRecord]:
    return GraduateRecord.objects.filter(org_path__startswith=org.path, graduation_year=year)


def cohort_years(org: Organisation) -> list[int]:
    return list(GraduateRecord.objects.filter(org_path__startswith=org.path).values_list("graduation_year", flat=True)
                .distinct().order_by("-graduation_year"))


def _rate(settled: int, total: int) -> float:
    return round(100.0 * settled / total, 1) if total else 0.0


DIMENSIONS = ("unit", "major", "degree")


@dataclass
class Progress:
    """Everything the progress page shows for one organisation and graduating class."""

    weekly: list[dict]  # [{"week_end", "graduates", "settled", "rate"}], oldest first
    trend: dict  # {"weeks": [iso dates], "series": [{"name", "graduates", "rates"}]} for the chosen dimension
    tables: dict  # "units", "majors", "degrees": [{"key", "name", "graduates", "settled", "rate"(, "org_id")}];
    #               "regions": [{"key", "name", "settled", "share"}]
    missing: list[dict]  # graduates without a settled destination, personal data masked


def _week_ends(today: date | None, weeks: int) -> tuple[list[date], list[datetime]]:
    """The last ``weeks`` Sundays up to this week's, and the first moment after each (local time)."""
    today = today or timezone.localdate()
    last_sunday = today + timedelta(days=6 - today.weekday())
    ends = [last_sunday - timedelta(weeks=i) for i in range(weeks - 1, -1, -1)]
    tz = timezone.get_current_timezone()
    return ends, [datetime.combine(d + timedelta(days=1), time.min, tzinfo=tz) for d in ends]


def _group_key(dimension: str, depth: int, path: str, major: str, degree: str) -> str:
    if dimension == "unit":
        return path[:depth] if len(path) >= depth else ""
    return major if dimension == "major" else degree


def progress(org: Organisation, year: int, by: str = "unit", *, today: date | None = None, weeks: int = 26,
             top: int = 8, missing_limit: int | None = 200) -> Progress:
    """The figures of docs/employment-hiring.md ("Employment progress") from two scans: the cohort's records
    and their destination entries in time order.

    A graduate's state at a moment is the category of their newest entry recorded before it; the weekly
    series replays the entries once, keeping the settled count overall and per group of ``by``.
    """
    by = by if by in DIMENSIONS else "unit"
    depth = len(org.path) + PATH_WIDTH
    rows = list(cohort(org, year).values_list("pk", "org_path", "major_name", "degree_level", "student_number"))
    entries = (DestinationRecord.objects.filter(record__org_path__startswith=org.path, record__graduation_year=year)
               .order_by("recorded_at", "id").values_list("record_id", "category", "recorded_at", "region_code",
                                                          "current"))
    group_of = {pk: _group_key(by, depth, path, major, degree) for pk, path, major, degree, _n in rows}
    ends, boundaries = _week_ends(today, weeks)
    state: dict[int, bool] = {}
    current: dict[int, tuple[str, str]] = {}
    settled_total = 0
    settled_by: dict[str, int] = defaultdict(int)
    snapshots: list[tuple[int, dict[str, int]]] = []
    week = 0
    for record_id, category, recorded_at, region, is_current in entries.iterator(chunk_size=50_000):
        while week < len(boundaries) and recorded_at >= boundaries[week]:
            snapshots.append((settled_total, dict(settled_by)))
            week += 1
        now_settled = category in SETTLED
        change = int(now_settled) - int(state.get(record_id, False))
        settled_total += change
        settled_by[group_of.get(record_id, "")] += change
        state[record_id] = now_settled
        if is_current:
            current[record_id] = (category, region)
    while week < len(boundaries):
        snapshots.append((settled_total, dict(settled_by)))
        week += 1

    total = len(rows)
    weekly = [{"week_end": end_day, "graduates": total, "settled": n, "rate": _rate(n, total)}
              for end_day, (n, _groups) in zip(ends, snapshots, strict=True)]
    names = _group_names(org, rows, depth)
    sizes: dict[str, int] = defaultdict(int)
    for key in group_of.values():
        sizes[key] += 1
    chosen = sorted(sizes, key=lambda k: (-sizes[k], names[by][k]))[:top]
    trend = {"weeks": [d.isoformat() for d in ends],
             "series": [{"name": names[by][k], "graduates": sizes[k],
                         "rates": [_rate(groups.get(k, 0), sizes[k]) for _n, groups in snapshots]} for k in chosen]}
    return Progress(weekly=weekly, trend=trend, tables=_tables(org, rows, depth, current, names),
                    missing=_missing(rows, current, missing_limit))


def _group_names(org: Organisation, rows: list[tuple], depth: int) -> dict[str, dict[str, str]]:
    unit_keys = {_group_key("unit", depth, path, "", "") for _pk, path, *_rest in rows}
    units = Organisation.objects.in_bulk([k for k in unit_keys if k], field_name="path")
    degree_labels = dict(DegreeLevel.choices)
    return {
        "unit": {k: units[k].name if k in units else org.name for k in unit_keys},
        "major": {major: major or "—" for major in {row[2] for row in rows}},
        "degree": {degree: str(degree_labels.get(degree, degree)) for degree in {row[3] for row in rows}},
    }


def _tables(org: Organisation, rows: list[tuple], depth: int, current: dict[int, tuple[str, str]],
            names: dict[str, dict[str, str]]) -> dict[str, list[dict]]:
    """Today's rate by unit below ``org`` (school, college or class), major and degree level, and where
    the settled graduates work (province of the workplace)."""
    counts = {dimension: defaultdict(lambda: [0, 0]) for dimension in DIMENSIONS}
    units, majors, degrees = counts["unit"], counts["major"], counts["degree"]
    for pk, path, major, degree, _number in rows:
        ok = int(current.get(pk, ("", ""))[0] in SETTLED)
        for cell in (units[path[:depth] if len(path) >= depth else ""], majors[major], degrees[degree]):
            cell[0] += 1
            cell[1] += ok
    tables: dict[str, list[dict]] = {}
    unit_ids = dict(Organisation.objects.filter(path__in=list(counts["unit"])).values_list("path", "pk"))
    for dimension, name in (("unit", "units"), ("major", "majors"), ("degree", "degrees")):
        table = [{"key": k, "name": names[dimension][k], "graduates": t, "settled": n, "rate": _rate(n, t)}
                 for k, (t, n) in counts[dimension].items()]
        if dimension == "unit":
            for row in table:
                row["org_id"] = unit_ids.get(row["key"])
        tables[name] = sorted(table, key=lambda r: (-r["graduates"], r["name"]))
    by_region: dict[str, int] = defaultdict(int)
    for category, region in current.values():
        if category in SETTLED:
            by_region[region[:2] + "0000" if region else ""] += 1
    provinces = dict(Organisation.objects.filter(kind=OrgKind.PROVINCE, code__in=list(by_region))
                     .values_list("code", "name"))
    settled = sum(by_region.values())
    tables["regions"] = sorted(({"key": k, "name": provinces.get(k, k or "—"), "settled": n,
                                 "share": _rate(n, settled)} for k, n in by_region.items()),
                               key=lambda r: (-r["settled"], r["name"]))
    return tables


def _missing(rows: list[tuple], current: dict[int, tuple[str, str]], limit: int | None) -> list[dict]:
    """Graduates whose current destination is missing or not settled, by unit and student number; masked."""
    ordered = sorted(rows, key=lambda r: (r[1], r[4], r[0]))
    pks = [r[0] for r in ordered if current.get(r[0], ("", ""))[0] not in SETTLED]
    if limit is not None:
        pks = pks[:limit]
    related: dict[int, GraduateRecord] = {}
    for start in range(0, len(pks), 5000):  # bounded IN lists, whatever the database's limit on parameters
        chunk = GraduateRecord.objects.filter(pk__in=pks[start:start + 5000]).select_related("user", "college",
                                                                                             "class_org")
        related.update((r.pk, r) for r in chunk)
    out = []
    for pk in pks:
        r = related[pk]
        out.append({"record_id": r.pk, "name": mask_name(r.user.real_name or r.user.username),
                    "student_number": crypto.mask(r.student_number) if r.student_number else "",
                    "phone": r.user.phone_masked, "college": r.college.name if r.college else "",
                    "class": r.class_org.name if r.class_org else "", "major": r.major_name,
                    "degree": str(DegreeLevel(r.degree_level).label) if r.degree_level else "",
                    "destination": current.get(pk, ("", ""))[0]})
    return out


def weekly_rate(org: Organisation, year: int, today: date | None = None, weeks: int = 26) -> list[dict]:
    """The employment (destination-settled) rate at the end of each week, oldest first."""
    return progress(org, year, today=today, weeks=weeks, missing_limit=0).weekly


def weekly_by(org: Organisation, year: int, dimension: str, today: date | None = None, weeks: int = 26,
              top: int = 8) -> dict:
    """The weekly rate of the ``top`` largest groups of ``dimension``: {"weeks": [...], "series": [...]}."""
    return progress(org, year, dimension, today=today, weeks=weeks, top=top, missing_limit=0).trend


def breakdown(org: Organisation, year: int) -> dict[str, list[dict]]:
    return progress(org, year, missing_limit=0).tables


def without_destination(org: Organisation, year: int, limit: int | None = 200) -> list[dict]:
    return progress(org, year, missing_limit=limit).missing


def graduate_in_scope(user: User, record_id: int) -> GraduateRecord:
    record = GraduateRecord.objects.select_related("user", "school", "college", "class_org").filter(
        pk=record_id).first()
    if record is None or not permissions.follows(user, record.org_path):
        raise Http404
    return record


def destination_history(record: GraduateRecord) -> QuerySet[DestinationRecord]:
    return record.destinations.select_related("entered_by", "agreement").order_by("-recorded_at", "-id")


def breadcrumbs(org: Organisation, scope_paths: list[str]) -> list[Organisation]:
    return [a for a in org.ancestors() if any(a.path.startswith(p) for p in scope_paths)]
