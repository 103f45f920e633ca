"""Findings become cases: every unassigned finding joins the case in progress for its account, course and
kind, or opens one. Called by the detection runs after they write findings; safe to call again."""

from __future__ import annotations

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone

from zhijiao.identity.models import Membership, Organisation, OrgKind, Role
from zhijiao.monitoring.models import Case, CaseEvent, CaseState, EventKind, Finding, Severity

# Findings join the open case; one under appeal concerns a decision already taken.
IN_PROGRESS = (CaseState.OPEN,)


def severity_for(score: float, detectors: int) -> int:
    """High when a detector is nearly certain or several agree; medium when one is fairly sure."""
    if score >= 0.9 or detectors >= 3:
        return Severity.HIGH
    if score >= 0.7 or detectors >= 2:
        return Severity.MEDIUM
    return Severity.LOW


def universities_of(user_ids: list[int]) -> dict[int, Organisation]:
    """Each learner's school, from their learner membership (the first one, by path, when several)."""
    schools: dict[int, Organisation] = {}
    memberships = (Membership.objects.filter(user_id__in=user_ids, role=Role.LEARNER)
                   .select_related("organisation").order_by("user_id", "org_path"))
    wanted_paths: dict[int, str] = {}
    for m in memberships:
        if m.user_id in wanted_paths:
            continue
        wanted_paths[m.user_id] = m.org_path
    if not wanted_paths:
        return schools
    ancestors: set[str] = set()
    for path in wanted_paths.values():
        ancestors.update(path[:i] for i in range(10, len(path) + 1, 10))
    by_path = {o.path: o for o in Organisation.objects.filter(path__in=ancestors, kind=OrgKind.SCHOOL)}
    for user_id, path in wanted_paths.items():
        for i in range(len(path), 0, -10):
            school = by_path.get(path[:i])
            if school is not None:
                schools[user_id] = school
                break
    return schools


def assign_findings(batch_size: int = 5000) -> int:
    """Attach unassigned findings to cases; returns how many findings were attached."""
    attached = 0
    while True:
        findings = list(Finding.objects.filter(case__isnull=True).order_by("pk")[:batch_size])
        if not findings:
            return attached
        groups: dict[tuple[int, str, str], list[Finding]] = defaultdict(list)
        for f in findings:
            groups[(f.user_id, f.course_key, f.kind)].append(f)
        schools = universities_of(sorted({key[0] for key in groups}))
        for (user_id, course_key, kind), members in groups.items():
            _attach(user_id, course_key, kind, members, schools.get(user_id))
            attached += len(members)


def _attach(user_id: int, course_key: str, kind: str, findings: list[Finding], school: Organisation | None):
    now = timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                # Another run may have attached some of these meanwhile (it read them unassigned too, then
                # waited for our lock): attach only what is still unassigned, and open nothing for none.
                pending = list(Finding.objects.select_for_update()
                               .filter(pk__in=[f.pk for f in findings], case__isnull=True)
                               .values_list("pk", flat=True))
                if not pending:
                    return
                case = (Case.objects.select_for_update()
                        .filter(user_id=user_id, course_key=course_key, kind=kind, state__in=IN_PROGRESS).first())
                if case is None:
                    first = findings[0]
                    org = school or first.platform
                    case = Case.objects.create(
                        user_id=user_id, kind=kind, course_key=course_key, course_name=first.course_name,
                        university=school, platform=first.platform, org_path=org.path if org else "",
                        opened_at=now, updated_at=now)
                    CaseEvent.objects.create(case=case, kind=EventKind.OPENED, at=now)
                Finding.objects.filter(pk__in=pending).update(case=case)
                _refresh(case, now)
            return
        except IntegrityError:
            # Another run opened the same case between our read and our insert: join it instead.
            continue


def _refresh(case: Case, now) -> None:
    summary = case.findings.aggregate(start=Min("window_start"), end=Max("window_end"), top=Max("score"))
    detectors = case.findings.values("detector").distinct().count()
    severity = max(case.severity, severity_for(summary["top"] or 0.0, detectors))
    Case.objects.filter(pk=case.pk).update(
        severity=severity, evidence_from=summary["start"], evidence_to=summary["end"], updated_at=now)
