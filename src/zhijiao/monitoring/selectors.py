"""Reads of the monitoring centre: case queues, what a case page draws, the monthly report, abnormal rates
for the cockpit, and the registry's reporting figures. Every number is counted from the case table and
the learning record store at the moment of asking; nothing here writes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from zhijiao.cockpit.models import LearnerDay
from zhijiao.identity.models import Organisation
from zhijiao.monitoring.models import (
    Case,
    CaseState,
    ListKind,
    MisconductKind,
    PlatformListEntry,
    Severity,
)
from zhijiao.records import agents
from zhijiao.records.indexing import index_key, micros
from zhijiao.records.models import Credential, Statement, StatementTerm
from zhijiao.records.selectors import StatementQuery, find_statements, term_id

PAGE_SIZE = 25
SORTS = {
    "newest": ("-opened_at", "-pk"),
    "oldest": ("opened_at", "pk"),
    "severity": ("-severity", "-opened_at", "-pk"),
    "updated": ("-updated_at", "-pk"),
}


@dataclass
class QueueFilters:
    kind: str = ""
    severity: int | None = None
    state: str = ""
    course: str = ""
    university: int | None = None
    platform: int | None = None
    opened_from: date | None = None
    opened_to: date | None = None
    sort: str = "newest"


def _local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def queue(scope: Q, filters: QueueFilters):
    """The cases in ``scope`` matching ``filters``, sorted; the caller pages."""
    cases = Case.objects.filter(scope).select_related("user", "university", "platform")
    if filters.kind in MisconductKind.values:
        cases = cases.filter(kind=filters.kind)
    if filters.severity in Severity.values:
        cases = cases.filter(severity=filters.severity)
    if filters.state in CaseState.values:
        cases = cases.filter(state=filters.state)
    if filters.course:
        cases = cases.filter(Q(course_name__icontains=filters.course) | Q(course_key=filters.course))
    if filters.university:
        cases = cases.filter(university_id=filters.university)
    if filters.platform:
        cases = cases.filter(platform_id=filters.platform)
    if filters.opened_from:
        cases = cases.filter(opened_at__gte=_local_start(filters.opened_from))
    if filters.opened_to:
        cases = cases.filter(opened_at__lt=_local_start(filters.opened_to + timedelta(days=1)))
    return cases.order_by(*SORTS.get(filters.sort, SORTS["newest"]))


def queue_choices(scope: Q) -> dict:
    """Universities and platforms that occur in the queue, for the filter menus."""
    ids = Case.objects.filter(scope)
    universities = Organisation.objects.filter(pk__in=ids.values("university_id")).order_by("name")
    platforms = Organisation.objects.filter(pk__in=ids.values("platform_id")).order_by("name")
    return {"universities": list(universities), "platforms": list(platforms)}


# --- What a case page draws ---------------------------------------------------------------------------------

VIDEO = "https://w3id.org/xapi/video/"
VERB_PLAYED = VIDEO + "verbs/played"
VERB_PAUSED = VIDEO + "verbs/paused"
VERB_SEEKED = VIDEO + "verbs/seeked"
VERB_PROGRESSED = "http://adlnet.gov/expapi/verbs/progressed"
VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VERB_TERMINATED = "http://adlnet.gov/expapi/verbs/terminated"
VERB_ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
EXT_TIME = VIDEO + "extensions/time"
EXT_TIME_TO = VIDEO + "extensions/time-to"
EXT_SESSION = VIDEO + "extensions/session-id"
PLAYING_FROM = {VERB_PLAYED, VERB_PROGRESSED}
PLAYING_TO = {VERB_PROGRESSED, VERB_PAUSED, VERB_COMPLETED, VERB_TERMINATED}
MAX_STATEMENTS = 3000
MAX_SCANNED = 10000
_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def duration_seconds(value: str | None) -> float | None:
    """Seconds of an ISO 8601 duration as xAPI results carry it (``PT12.5S``, ``PT1M3S``); None if unreadable."""
    match = _DURATION.match(value or "")
    if not match or not any(match.groups()):
        return None
    d, h, m, s = (float(g) if g else 0.0 for g in match.groups())
    return ((d * 24 + h) * 60 + m) * 60 + s


def _learner_statements(case: Case) -> list[Statement]:
    """The learner's statements about the case's course around its evidence window, oldest first.

    Statements are stored after they happen (``stored`` ≥ ``timestamp``, a platform may send late), so the
    scan starts at the window and stops after :data:`MAX_SCANNED` statements however late they came.
    """
    start = (case.evidence_from or case.opened_at) - timedelta(hours=12)
    end = (case.evidence_to or case.opened_at) + timedelta(hours=12)
    query = StatementQuery(agent=agents.agent_for(case.user), activity=case.course_key, related_activities=True,
                           since=start, ascending=True, limit=500)
    found: list[Statement] = []
    scanned = 0
    while scanned < MAX_SCANNED and len(found) < MAX_STATEMENTS:
        page, after = find_statements(query)
        scanned += len(page)
        found.extend(s for s in page if start <= s.timestamp <= end)
        if after is None:
            break
        query.after = after
    found.sort(key=lambda s: (s.timestamp, s.seq))
    return found[:MAX_STATEMENTS]


def _from_ms(value) -> datetime | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def evidence_charts(case: Case) -> dict:
    """The playback points and answer timings the detectors attached (``timeline`` and ``answers`` of the
    evidence schema in docs/monitoring.md), across the case's findings, in time order."""
    playback, answers = [], []
    for evidence in case.findings.values_list("evidence", flat=True):
        for p in (evidence or {}).get("timeline") or []:
            at = _from_ms(p.get("t")) if isinstance(p, dict) else None
            if at is None or not isinstance(p.get("playhead"), int | float):
                continue
            speed = p.get("speed")
            playback.append({"at": at, "verb": str(p.get("event", "")), "session": str(p.get("session", ""))[:8],
                             "playhead": round(float(p["playhead"]), 1),
                             "speed": round(float(speed), 2) if isinstance(speed, int | float) else None})
        for a in (evidence or {}).get("answers") or []:
            at = _from_ms(a.get("t")) if isinstance(a, dict) else None
            if at is None:
                continue
            seconds = a.get("seconds")
            answers.append({"at": at, "item": str(a.get("item", ""))[-60:],
                            "seconds": float(seconds) if isinstance(seconds, int | float) else None,
                            "success": a.get("success") if isinstance(a.get("success"), bool) else None})
    playback.sort(key=lambda p: p["at"])
    answers.sort(key=lambda a: a["at"])
    return {"playback": playback, "answers": answers}


def case_charts(case: Case) -> dict:
    """The playback timeline (playhead against wall-clock time, and the speed between reports) and the
    answer timings: what the detectors attached as evidence, or else the learner's own statements in the
    learning record store around the evidence window."""
    attached = evidence_charts(case)
    if attached["playback"] or attached["answers"]:
        return attached
    return lrs_charts(case)


def lrs_charts(case: Case) -> dict:
    playback, answers = [], []
    previous: dict[str, tuple[datetime, float, str]] = {}
    for s in _learner_statements(case):
        data = s.data
        verb = data.get("verb", {}).get("id", "")
        result = data.get("result") or {}
        extensions = result.get("extensions") or {}
        if verb == VERB_ANSWERED:
            answers.append({"at": s.timestamp, "item": _item_label(data), "seconds": duration_seconds(result.get("duration")),
                            "success": result.get("success")})
            continue
        playhead = extensions.get(EXT_TIME_TO if verb == VERB_SEEKED else EXT_TIME)
        if not isinstance(playhead, int | float) or isinstance(playhead, bool):
            continue
        session = str(((data.get("context") or {}).get("extensions") or {}).get(EXT_SESSION, ""))
        speed = None
        before = previous.get(session)
        if before is not None and before[2] in PLAYING_FROM and verb in PLAYING_TO:
            elapsed = (s.timestamp - before[0]).total_seconds()
            if elapsed > 0:
                speed = round((playhead - before[1]) / elapsed, 2)
        previous[session] = (s.timestamp, float(playhead), verb)
        playback.append({"at": s.timestamp, "verb": verb.rsplit("/", 1)[-1], "session": session[:8],
                         "playhead": round(float(playhead), 1), "speed": speed})
    return {"playback": playback, "answers": answers}


def _item_label(data: dict) -> str:
    obj = data.get("object") or {}
    names = ((obj.get("definition") or {}).get("name") or {})
    name = names.get("zh-CN") or next(iter(names.values()), "") if names else ""
    return name or str(obj.get("id", "")).rsplit("#", 1)[-1][:60]


def chart_json(charts: dict) -> dict:
    playback = charts["playback"]
    return {
        "playback": {"at": [p["at"].isoformat() for p in playback], "playhead": [p["playhead"] for p in playback],
                     "speed": [p["speed"] for p in playback]},
        "answers": {"items": [a["item"] for a in charts["answers"]],
                    "seconds": [a["seconds"] for a in charts["answers"]]},
    }


def evidence_rows(evidence: dict) -> list[tuple[str, str]]:
    """A finding's evidence as label/value rows: figures as they are, lists and objects summarised."""
    rows = []
    for key, value in (evidence or {}).items():
        if isinstance(value, list):
            shown = ", ".join(str(v) for v in value[:10] if not isinstance(v, dict | list))
            rows.append((key, shown + (" …" if len(value) > 10 else "") if shown else f"[{len(value)}]"))
        elif isinstance(value, dict):
            rows.append((key, ", ".join(f"{k}={v}" for k, v in list(value.items())[:10]
                                        if not isinstance(v, dict | list))))
        else:
            rows.append((key, str(value)))
    return rows


# --- Monthly report and abnormal rates ------------------------------------------------------------------------


def month_start(value: str | None, today: date | None = None) -> date:
    """The first day of ``YYYY-MM``; the previous month when missing. ValueError when malformed."""
    today = today or timezone.localdate()
    if not value:
        first = today.replace(day=1)
        return (first - timedelta(days=1)).replace(day=1)
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
        raise ValueError(value)
    return date(int(match.group(1)), int(match.group(2)), 1)


def next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def _month_range(first: date) -> tuple[datetime, datetime]:
    return _local_start(first), _local_start(next_month(first))


def active_learners_university(university_id: int, first: date) -> int:
    """Distinct learners with at least one learning record that month whose day counts under the university
    (the cockpit's LearnerDay rollup)."""
    path = Organisation.objects.filter(pk=university_id).values_list("path", flat=True).first()
    if not path:
        return 0
    return (LearnerDay.objects.filter(org_path__startswith=path, day__gte=first, day__lt=next_month(first))
            .values("user_id").distinct().count())


def active_learners_platform(platform_id: int, first: date) -> int:
    """Distinct learners in the statements the platform's LRS credentials stored that month."""
    start, end = _month_range(first)
    credentials = Credential.objects.filter(organisation_id=platform_id).values("pk")
    return (Statement.objects.filter(credential_id__in=credentials, stored__gte=start, stored__lt=end,
                                     voided=False, user_id__isnull=False)
            .values("user_id").distinct().count())


def active_learners_course(course_key: str, first: date) -> int:
    """Distinct learners with statements about the course (the activity or anything under it) that month."""
    start, end = _month_range(first)
    seqs = StatementTerm.objects.filter(term_id=term_id("O " + index_key(course_key)),
                                        stored_us__gte=micros(start), stored_us__lt=micros(end)).values("seq")
    return (Statement.objects.filter(seq__in=seqs, voided=False, user_id__isnull=False)
            .values("user_id").distinct().count())


def active_learners_scope(paths: list[str], first: date) -> int:
    if not paths:
        return 0
    match = Q(pk__in=[])
    for p in paths:
        match |= Q(org_path__startswith=p)
    return (LearnerDay.objects.filter(match, day__gte=first, day__lt=next_month(first))
            .values("user_id").distinct().count())


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


_COUNTS = {
    "cases": Count("pk"),
    "confirmed": Count("pk", filter=Q(state=CaseState.CONFIRMED)),
    "dismissed": Count("pk", filter=Q(state=CaseState.DISMISSED)),
    "pending": Count("pk", filter=Q(state__in=[CaseState.OPEN, CaseState.UNDER_APPEAL])),
    "abnormal_learners": Count("user", filter=Q(state=CaseState.CONFIRMED), distinct=True),
}


def month_cases(scope: Q, first: date):
    start, end = _month_range(first)
    return Case.objects.filter(scope, opened_at__gte=start, opened_at__lt=end)


def report(scope: Q, first: date, *, limit: int = 50) -> dict:
    """The monthly report: cases opened that month in ``scope`` and what became of them, by university,
    platform, course and kind, with abnormal rates; universities and platforms ranked by where confirmed
    cases concentrate (confirmed learners, then rate)."""
    cases = month_cases(scope, first)
    totals = cases.aggregate(**_COUNTS)

    def grouped(*fields):
        return list(cases.values(*fields).annotate(**_COUNTS).order_by("-abnormal_learners", "-confirmed", *fields))

    universities = grouped("university_id", "university__name")
    for row in universities:
        row["active_learners"] = active_learners_university(row["university_id"], first) if row["university_id"] else 0
        row["rate"] = _rate(row["abnormal_learners"], row["active_learners"])
    platforms = grouped("platform_id", "platform__name")
    for row in platforms:
        row["active_learners"] = active_learners_platform(row["platform_id"], first) if row["platform_id"] else 0
        row["rate"] = _rate(row["abnormal_learners"], row["active_learners"])
    courses = grouped("course_key", "course_name")[:limit]
    for row in courses:
        row["active_learners"] = active_learners_course(row["course_key"], first)
        row["rate"] = _rate(row["abnormal_learners"], row["active_learners"])
    kinds = grouped("kind")
    for row in kinds:
        row["label"] = str(MisconductKind(row["kind"]).label)
    rank = lambda rows: sorted((r for r in rows if r["confirmed"]),  # noqa: E731
                               key=lambda r: (-r["abnormal_learners"], -(r["rate"] or 0)))
    return {"month": first, "totals": totals, "universities": universities[:limit], "platforms": platforms[:limit],
            "courses": courses, "kinds": kinds, "university_ranking": rank(universities)[:10],
            "platform_ranking": rank(platforms)[:10]}


STAT_DIMENSIONS = ("university", "platform", "course", "month")


def abnormal_rates(scope: Q, by: str, first: date, last: date, scope_paths: list[str]) -> list[dict]:
    """Abnormal rates for the cockpit: learners with a confirmed case opened in the period ÷ distinct active
    learners, grouped by university, platform, course (over the period's months) or month."""
    rows: list[dict] = []
    if by == "month":
        month = first
        while month <= last:
            counts = month_cases(scope, month).aggregate(**_COUNTS)
            active = active_learners_scope(scope_paths, month)
            rows.append({"key": month.strftime("%Y-%m"), "name": month.strftime("%Y-%m"), "cases": counts["cases"],
                         "confirmed": counts["confirmed"], "abnormal_learners": counts["abnormal_learners"],
                         "active_learners": active, "rate": _rate(counts["abnormal_learners"], active)})
            month = next_month(month)
        return rows
    start, end = _local_start(first), _local_start(next_month(last))
    cases = Case.objects.filter(scope, opened_at__gte=start, opened_at__lt=end)
    field, name, active = {
        "university": ("university_id", "university__name", active_learners_university),
        "platform": ("platform_id", "platform__name", active_learners_platform),
        "course": ("course_key", "course_name", active_learners_course),
    }[by]
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = next_month(month)
    for row in cases.values(field, name).annotate(**_COUNTS).order_by("-abnormal_learners", field)[:200]:
        key = row[field]
        learners = max((active(key, m) for m in months), default=0) if key else 0
        rows.append({"key": str(key) if key is not None else "", "name": row[name] or "", "cases": row["cases"],
                     "confirmed": row["confirmed"], "abnormal_learners": row["abnormal_learners"],
                     "active_learners": learners, "rate": _rate(row["abnormal_learners"], learners)})
    return rows


# --- Registry ---------------------------------------------------------------------------------------------------

# Data categories a credit-course platform must supply (若干意见 Art.16), by the verbs that carry them.
CATEGORY_VERBS = {
    "identity": {"https://w3id.org/xapi/adl/verbs/logged-in", "https://w3id.org/xapi/adl/verbs/logged-out",
                 "http://adlnet.gov/expapi/verbs/registered", "https://zhijiao.cn/xapi/verbs/authenticated"},
    "access": {"http://id.tincanapi.com/verb/viewed", "http://adlnet.gov/expapi/verbs/initialized",
               "http://adlnet.gov/expapi/verbs/launched"},
    "learning": {VERB_PLAYED, VERB_PAUSED, VERB_SEEKED, VERB_PROGRESSED, VERB_COMPLETED, VERB_TERMINATED,
                 "http://adlnet.gov/expapi/verbs/attempted", VERB_ANSWERED, "http://adlnet.gov/expapi/verbs/passed",
                 "http://adlnet.gov/expapi/verbs/failed"},
    "operating": {"https://zhijiao.cn/xapi/verbs/reported"},
}
REPORTING_DAYS = 30
LATENCY_SAMPLE = 5000


def reporting(platform: Organisation, now: datetime | None = None) -> dict:
    """Reporting completeness (share of the four data categories seen in the last 30 days) and latency
    (stored − timestamp over the newest statements: median and 95th percentile, seconds)."""
    now = now or timezone.now()
    since = now - timedelta(days=REPORTING_DAYS)
    statements = Statement.objects.filter(
        credential_id__in=Credential.objects.filter(organisation=platform).values("pk"), stored__gte=since)
    seen = {category: statements.filter(verb_id__in=[index_key(v) for v in verbs]).exists()
            for category, verbs in CATEGORY_VERBS.items()}
    pairs = list(statements.order_by("-stored").values_list("stored", "timestamp")[:LATENCY_SAMPLE])
    delays = sorted(max(0.0, (stored - stamp).total_seconds()) for stored, stamp in pairs)
    return {"categories": seen, "completeness": sum(seen.values()) / len(seen), "statements": len(pairs),
            "latency_median": _percentile(delays, 0.5), "latency_p95": _percentile(delays, 0.95)}


def _percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of sorted ``values``."""
    if not values:
        return None
    rank = max(1, math.ceil(len(values) * q))
    return round(values[rank - 1], 1)


def public_lists() -> dict:
    """The current white and black lists, and every earlier entry, for the public page."""
    entries = list(PlatformListEntry.objects.select_related("platform").order_by("platform__name", "-listed_on"))
    today = timezone.localdate()
    current = [e for e in entries if e.ended_on is None and e.listed_on <= today]
    return {"white": [e for e in current if e.kind == ListKind.WHITE],
            "black": [e for e in current if e.kind == ListKind.BLACK],
            "history": [e for e in entries if e not in current]}
