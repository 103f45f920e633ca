"""Reads of the rollups for the cockpit pages, the JSON API and the CSV exports.

Nothing here touches a statement: every figure comes from the rollup tables. A date range is answered
from month rows for the whole months inside it and day rows for the days at either end, so a year costs
at most 12 month rows and ~60 day rows per organisation, resource or board.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, Sum

from zhijiao.cockpit import spans
from zhijiao.cockpit.models import (
    BoardPeriod,
    Grain,
    LearnerActivityDay,
    OrgPeriod,
    ResourcePeriod,
    TrackedActivity,
)
from zhijiao.identity.models import Membership, Organisation, OrgKind, Role, User, path_successor

ORG_FIGURES = ("page_views", "visitors", "active_learners", "completions", "attempts", "video_ms", "time_ms")
MAX_RANGE_DAYS = 366
# The per-learner progress table is shown for a class, a grade or a school; above that it is too long to read.
PROGRESS_KINDS = {OrgKind.CLASS, OrgKind.DEPARTMENT, OrgKind.SCHOOL}
PROGRESS_MAX_LEARNERS = 2000


@dataclass(frozen=True)
class Range:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def period_keys(span: Range) -> list[tuple[str, date]]:
    """The (grain, start) of the rows covering ``span`` exactly: whole months as month rows, the ends as days."""
    keys: list[tuple[str, date]] = []
    cursor = span.start
    while cursor <= span.end:
        following = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
        if cursor.day == 1 and following - timedelta(days=1) <= span.end:
            keys.append((Grain.MONTH, cursor))
            cursor = following
        else:
            last = min(span.end, following - timedelta(days=1))
            keys.extend((Grain.DAY, cursor + timedelta(days=i)) for i in range((last - cursor).days + 1))
            cursor = last + timedelta(days=1)
    return keys


def periods(span: Range) -> Q:
    """Rows covering ``span`` exactly (see :func:`period_keys`)."""
    keys = period_keys(span)
    months = [start for grain, start in keys if grain == Grain.MONTH]
    days = [start for grain, start in keys if grain == Grain.DAY]
    query = Q(grain=Grain.MONTH, start__in=months) if months else Q(pk__in=[])
    if days:
        query |= Q(grain=Grain.DAY, start__in=days)
    return query


def daily(org: Organisation, span: Range) -> list[dict]:
    """One entry per day of the range (zeros where nothing happened)."""
    rows = {r["start"]: r for r in OrgPeriod.objects.filter(
        organisation=org, grain=Grain.DAY, start__gte=span.start, start__lte=span.end).values("start", *ORG_FIGURES)}
    out = []
    for day in span.days:
        row = rows.get(day, {})
        out.append({"day": day, **{f: row.get(f, 0) for f in ORG_FIGURES}})
    return out


def summary(days: list[dict]) -> dict:
    """Totals, averages and the peak days of a daily series."""
    count = len(days) or 1
    peak_views = max(days, key=lambda d: (d["page_views"], d["day"]), default=None)
    peak_visitors = max(days, key=lambda d: (d["visitors"], d["day"]), default=None)
    return {
        "page_views": sum(d["page_views"] for d in days),
        "peak_views_day": peak_views["day"] if peak_views and peak_views["page_views"] else None,
        "peak_views": peak_views["page_views"] if peak_views else 0,
        "peak_visitors_day": peak_visitors["day"] if peak_visitors and peak_visitors["visitors"] else None,
        "peak_visitors": peak_visitors["visitors"] if peak_visitors else 0,
        "average_visitors": round(sum(d["visitors"] for d in days) / count, 1),
        "average_active_learners": round(sum(d["active_learners"] for d in days) / count, 1),
        "peak_active_learners": max((d["active_learners"] for d in days), default=0),
        "completions": sum(d["completions"] for d in days),
        "attempts": sum(d["attempts"] for d in days),
        "video_hours": round(sum(d["video_ms"] for d in days) / 3_600_000, 1),
        "learning_hours": round(sum(d["time_ms"] for d in days) / 3_600_000, 1),
    }


def children(org: Organisation, span: Range) -> list[dict]:
    """Regional comparison: each child organisation's totals over the range (visitors and active learners
    are sums of daily figures: visitor-days and learner-days)."""
    kids = list(Organisation.objects.filter(parent=org).order_by("path").values("pk", "name", "kind", "code"))
    if not kids:
        return []
    totals = {r["organisation_id"]: r for r in OrgPeriod.objects.filter(
        periods(span), organisation_id__in=[k["pk"] for k in kids]).values("organisation_id").annotate(
        **{f: Sum(f) for f in ORG_FIGURES})}
    out = []
    for kid in kids:
        row = totals.get(kid["pk"], {})
        out.append({"id": kid["pk"], "name": kid["name"], "kind": kid["kind"], "code": kid["code"],
                    **{f: row.get(f) or 0 for f in ORG_FIGURES}})
    out.sort(key=lambda r: (-r["page_views"], -r["active_learners"], r["name"]))
    return out


def boards(org: Organisation, span: Range) -> list[dict]:
    rows = BoardPeriod.objects.filter(periods(span), organisation=org).values("board", "column").annotate(
        views=Sum("views"), learners=Sum("learners"), completions=Sum("completions")).order_by("-learners", "-views")
    return [dict(r) for r in rows]


# How many rows per period the top-resources shortcut reads, per answer wanted.
TOP_DEPTH_FACTOR = 4


def top_resources(org: Organisation, span: Range, limit: int = 10) -> list[dict]:
    """The resources with most learners over ``span`` (then views, then id), exactly.

    Resource use is heavy-tailed, and summing a national year of rows for ten answers is slow. So this
    first reads only the best ``depth`` rows of each period (an index walk). A resource outside those rows
    has at most ``bound`` learners (the sum of each period's ``depth``-th value: Fagin's threshold
    argument), and a resource seen in them at most its seen learners plus the thresholds of the periods it
    was not seen in. When the ``limit``-th best seen total beats ``bound``, only the resources that could
    still reach it are summed exactly; when use is too even for that, every row is summed (a covering
    index scan).
    """
    depth = limit * TOP_DEPTH_FACTOR
    seen: dict[int, int] = {}
    missing_bound: dict[int, int] = {}  # per resource: the thresholds of the periods it was seen in
    bound, complete = 0, True
    for grain, start in period_keys(span):
        best = list(ResourcePeriod.objects.filter(organisation=org, grain=grain, start=start)
                    .order_by("-learners").values_list("resource_id", "learners")[:depth])
        threshold = best[-1][1] if len(best) == depth else 0
        complete = complete and len(best) < depth
        bound += threshold
        for resource_id, learners in best:
            seen[resource_id] = seen.get(resource_id, 0) + learners
            missing_bound[resource_id] = missing_bound.get(resource_id, 0) + threshold
    if complete:
        return _named(_resource_totals(org, span, limit, resource_ids=set(seen))) if seen else []
    floor = sorted(seen.values(), reverse=True)[limit - 1] if len(seen) >= limit else -1
    if floor <= bound:
        return _named(_resource_totals(org, span, limit))
    shortlist = {r for r, learners in seen.items() if learners + bound - missing_bound[r] >= floor}
    return _named(_resource_totals(org, span, limit, resource_ids=shortlist))


def _resource_totals(org: Organisation, span: Range, limit: int, resource_ids: set[int] | None = None) -> list[dict]:
    rows = ResourcePeriod.objects.filter(periods(span), organisation=org)
    if resource_ids is not None:
        rows = rows.filter(resource_id__in=sorted(resource_ids))
    return list(rows.values("resource_id").annotate(
        views=Sum("views"), learners=Sum("learners"), completions=Sum("completions"),
        rating_sum=Sum("rating_sum"), rating_count=Sum("rating_count")).order_by("-learners", "-views",
                                                                                 "resource_id")[:limit])


def _named(rows: list[dict]) -> list[dict]:
    names = {}
    for resource_id, name in TrackedActivity.objects.filter(
            resource_id__in=[r["resource_id"] for r in rows]).order_by("pk").values_list("resource_id", "name"):
        names.setdefault(resource_id, name)
    for row in rows:
        row["name"] = names.get(row["resource_id"]) or f"#{row['resource_id']}"
        count = row.pop("rating_count")
        total = row.pop("rating_sum")
        row["rating"] = round(total / count, 2) if count else None
    return rows


def _activity_totals(rows) -> dict[tuple, dict]:
    """Per (user, activity): days merged. Video seconds are the union over the range's days of each day's
    played seconds, so a second watched on two days counts on each day it was watched."""
    totals: dict[tuple, dict] = {}
    for row in rows:
        key = (row["user_id"], row["activity_id"])
        entry = totals.get(key)
        if entry is None:
            entry = totals[key] = {"user_id": row["user_id"], "activity_id": row["activity_id"], "video_ms": 0,
                                   "time_ms": 0, "completions": 0, "attempts": 0, "score_max": None,
                                   "progress": 0.0, "video_length_ms": 0, "last_day": row["day"], "spans": []}
        entry["video_ms"] += row["video_ms"]
        entry["time_ms"] += row["time_ms"]
        entry["completions"] += row["completions"]
        entry["attempts"] += row["attempts"]
        if row["score_max"] is not None:
            entry["score_max"] = max(entry["score_max"] or row["score_max"], row["score_max"])
        entry["progress"] = max(entry["progress"], row["progress"])
        entry["video_length_ms"] = max(entry["video_length_ms"], row["video_length_ms"])
        entry["last_day"] = max(entry["last_day"], row["day"])
        entry["spans"].extend(spans.decode(row["video_spans"]))
    for entry in totals.values():
        covered = spans.length(spans.union(entry.pop("spans")))
        if entry["video_length_ms"]:
            entry["progress"] = max(entry["progress"], min(1.0, covered / entry["video_length_ms"]))
        entry["distinct_video_ms"] = covered
    return totals


LAD_FIELDS = ("user_id", "activity_id", "day", "video_ms", "time_ms", "completions", "attempts", "score_max",
              "progress", "video_length_ms", "video_spans")


def _with_activities(entries: list[dict]) -> list[dict]:
    activities = TrackedActivity.objects.in_bulk({e["activity_id"] for e in entries})
    for entry in entries:
        activity = activities.get(entry["activity_id"])
        entry["activity_iri"] = activity.iri if activity else ""
        entry["activity_name"] = (activity.name or activity.iri) if activity else ""
        entry["resource_id"] = activity.resource_id if activity else None
    return entries


def my_learning(user: User, span: Range | None = None) -> list[dict]:
    """A learner's own progress per activity (all days unless a range is given), newest first."""
    rows = LearnerActivityDay.objects.filter(user=user)
    if span is not None:
        rows = rows.filter(day__gte=span.start, day__lte=span.end)
    entries = list(_activity_totals(rows.values(*LAD_FIELDS)).values())
    entries.sort(key=lambda e: (e["last_day"], e["activity_id"]), reverse=True)
    return _with_activities(entries)


def shows_progress(org: Organisation) -> bool:
    return org.kind in PROGRESS_KINDS


def class_progress(org: Organisation, span: Range) -> list[dict]:
    """Per learner (members with the learner role under ``org``) and activity, over the range."""
    learners = dict(Membership.objects.filter(org_path__gte=org.path, org_path__lt=path_successor(org.path),
                                              role=Role.LEARNER).values_list("user_id", "user__real_name")
                    [:PROGRESS_MAX_LEARNERS])
    users = {pk: name for pk, name in learners.items()}
    for pk, username in User.objects.filter(pk__in=list(users)).values_list("pk", "username"):
        users[pk] = users[pk] or username
    rows = LearnerActivityDay.objects.filter(user_id__in=list(users), day__gte=span.start, day__lte=span.end)
    entries = list(_activity_totals(rows.values(*LAD_FIELDS)).values())
    for entry in entries:
        entry["learner"] = users.get(entry["user_id"], "")
    entries.sort(key=lambda e: (e["learner"], e["user_id"], e["activity_id"]))
    return _with_activities(entries)


def learners_without_activity(org: Organisation, progress: list[dict]) -> int:
    active = {e["user_id"] for e in progress}
    total = Membership.objects.filter(org_path__gte=org.path, org_path__lt=path_successor(org.path),
                                      role=Role.LEARNER).values("user_id").distinct().count()
    return max(0, total - len(active))


def breadcrumbs(org: Organisation, scope_paths: list[str]) -> list[Organisation]:
    """The organisation's ancestors the viewer may open, root first."""
    return [a for a in org.ancestors() if any(a.path.startswith(p) for p in scope_paths)]


def lookup(pk: int) -> Organisation | None:
    return Organisation.objects.filter(pk=pk).first()


def parse_range(start: str | None, end: str | None, today: date) -> Range:
    """The range a page or API call asks for; the last 30 days by default, at most MAX_RANGE_DAYS long.

    Raises ValueError for a date that is not YYYY-MM-DD."""
    last = date.fromisoformat(end) if end else today
    first = date.fromisoformat(start) if start else last - timedelta(days=29)
    if first > last:
        first, last = last, first
    if (last - first).days >= MAX_RANGE_DAYS:
        first = last - timedelta(days=MAX_RANGE_DAYS - 1)
    return Range(first, last)
