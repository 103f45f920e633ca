"""The daily push (每日推送): each graduate with a job intention gets the best new jobs published since their
last push, in their inbox and by mail, at most once a day.

* **Chunks.** Graduates are split into ranges of user ids (:func:`graduate_ranges`); :func:`run_chunk`
  handles one range: it reads and scores without a transaction, then writes everything in one. A chunk reads the jobs published in the window once, as a
  ``scoring.JobBatch``, and scores it against each graduate in the range with numpy; the résumé text is
  left out here (segmenting a million résumés a day would cost more than the rest of the push).
* **Idempotent.** A ``PushLog`` row (unique per graduate and day) is written with the items, so a re-run,
  or a chunk delivered twice by a broker, skips graduates already served that day.
* **Priority (重点帮扶).** Graduates with a ``DifficultyFlag`` are handled in a first pass over every range,
  before anyone else, and get ``PRIORITY_ITEMS`` jobs instead of ``ITEMS``. The flag is read here only; it
  is not written into anything an employer can see, nor into the message.
* Splitting never changes the result: what a graduate receives depends only on them and the jobs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhijiao.employment.matching import index, recommend, scoring
from zhijiao.employment.matching.models import JobDoc, PushItem, PushLog
from zhijiao.employment.models import DifficultyFlag, GraduateRecord, JobIntention

ITEMS = 5
PRIORITY_ITEMS = 10
MIN_SCORE = 0.3
CHUNK_SIZE = 5000
FIRST_WINDOW = timedelta(days=1)  # a graduate never pushed before gets the last day's jobs
LOOKBACK = timedelta(days=7)  # and one who missed days gets at most the last week's


@dataclass
class ChunkResult:
    graduates: int = 0
    items: int = 0
    mails: int = 0

    def add(self, other: ChunkResult) -> None:
        self.graduates += other.graduates
        self.items += other.items
        self.mails += other.mails


@dataclass
class PushSummary:
    day: date
    chunks: int = 0
    result: ChunkResult = field(default_factory=ChunkResult)
    pruned: int = 0
    seconds: float = 0.0


def graduate_ranges(chunk_size: int = CHUNK_SIZE) -> list[tuple[int, int]]:
    """Inclusive ranges of user ids, ``chunk_size`` graduates with an intention in each."""
    ids = list(JobIntention.objects.filter(user__graduate_record__isnull=False).order_by("user_id")
               .values_list("user_id", flat=True))
    return [(ids[start], ids[min(start + chunk_size, len(ids)) - 1]) for start in range(0, len(ids), chunk_size)]


def _window_rows(since: datetime, until: datetime, today: date) -> list[dict]:
    rows = (JobDoc.objects.filter(published_at__gt=since, published_at__lte=until)
            .exclude(deadline__lt=today).order_by("id").values(*recommend.DOC_FIELDS))
    return list(rows)


def _message(items: list[tuple[dict, str]]) -> tuple[str, str]:
    subject = ngettext("%(n)s new job for you today", "%(n)s new jobs for you today", len(items)) % {"n": len(items)}
    lines = [_("New jobs that match your job intention (每日推送):"), ""]
    for row, reason in items:
        lines.append(f"· {row['title']} — {row['employer_name']}")
        lines.append(f"  {reason}")
        lines.append(f"  {settings.ZJ_PUBLIC_URL}{reverse('employment_matching:job', args=[row['job_id']])}")
    inbox = settings.ZJ_PUBLIC_URL + reverse("employment_matching:inbox")
    lines += ["", _("See every pushed job in your inbox: %(url)s") % {"url": inbox}]
    return subject, "\n".join(lines)


def run_chunk(day: date, low: int, high: int, priority: bool, *, now: datetime | None = None) -> ChunkResult:
    """Push to the graduates with user ids in [low, high] who have an intention and no push yet on ``day``:
    with ``priority`` only those with a difficulty flag, otherwise only those without."""
    now = now or timezone.now()
    result = ChunkResult()
    with translation.override(settings.LANGUAGE_CODE):
        logs, items, mails = _compose(day, low, high, priority, now)
    if not logs:
        return result
    # Only the writes hold the database's write lock (SQLite takes it at BEGIN), so chunks computed in
    # parallel queue briefly here. Graduates served meanwhile (a chunk delivered twice) are skipped.
    with transaction.atomic():
        served = set(PushLog.objects.filter(day=day, user_id__in=[log.user_id for log in logs])
                     .values_list("user_id", flat=True))
        logs = [log for log in logs if log.user_id not in served]
        items = [item for item in items if item.user_id not in served]
        mails = [message for user_id, message in mails if user_id not in served]
        PushLog.objects.bulk_create(logs, batch_size=2000)
        PushItem.objects.bulk_create(items, batch_size=2000, ignore_conflicts=True)
        if mails:
            get_connection().send_messages(mails)
    result.graduates, result.items, result.mails = len(logs), len(items), len(mails)
    return result


def _compose(day: date, low: int, high: int, priority: bool, now: datetime):
    """What one chunk would write: push logs, pushed items and mails (as (user id, message))."""
    in_range = {"user_id__gte": low, "user_id__lte": high}
    flagged = Exists(DifficultyFlag.objects.filter(record_id=OuterRef("pk")))
    served = set(PushLog.objects.filter(day=day, **in_range).values_list("user_id", flat=True))
    records = [r for r in GraduateRecord.objects.filter(**in_range, user__is_active=True)
               .filter(flagged if priority else ~flagged)
               .order_by("user_id").values(*recommend.RECORD_FIELDS, "user__email")
               if r["user_id"] not in served]
    intentions = {row["user_id"]: row for row in JobIntention.objects.filter(
        user_id__in=[r["user_id"] for r in records]).values(*recommend.INTENTION_FIELDS)}
    records = [r for r in records if r["user_id"] in intentions]
    logs, items, mails = [], [], []
    if not records:
        return logs, items, mails
    users = [r["user_id"] for r in records]
    last = dict(PushLog.objects.filter(user_id__in=users, day__lt=day).values("user_id")
                .annotate(at=Max("created_at")).values_list("user_id", "at"))
    since = {u: max(last.get(u) or now - FIRST_WINDOW, now - LOOKBACK) for u in users}
    rows = _window_rows(min(since.values()), now, day)
    if rows:
        tree = index.MajorTree.cached()
        batch = recommend.batch_from_rows(rows, tree)
        published = np.array([r["published_at"].timestamp() for r in rows])
        newest = np.array([r["id"] for r in rows], dtype=np.float64)
    count = PRIORITY_ITEMS if priority else ITEMS
    for record in records:
        user_id = record["user_id"]
        chosen: list[tuple[dict, str, float]] = []
        if rows:
            profile = recommend.profile_from(record, intentions[user_id], [], tree)
            total, parts, eligible = batch.score(profile, with_skills=False)
            picks = np.flatnonzero(eligible & (published > since[user_id].timestamp()) & (total >= MIN_SCORE))
            if len(picks):
                order = picks[np.lexsort((-newest[picks], -np.round(total[picks], 6)))][:count]
                names = _names(profile, batch)
                for i in order:
                    reason = scoring.reason_text(scoring.reason_parts(batch, i, profile, parts, names))
                    chosen.append((rows[i], reason[:300], float(total[i])))
        logs.append(PushLog(user_id=user_id, day=day, items=len(chosen), priority=priority, created_at=now))
        items.extend(PushItem(user_id=user_id, job_id=row["job_id"], day=day, score=round(score, 4),
                              reason=reason, created_at=now) for row, reason, score in chosen)
        if chosen and record["user__email"]:
            subject, body = _message([(row, reason) for row, reason, _s in chosen])
            mails.append((user_id, EmailMessage(subject, body, to=[record["user__email"]])))
    return logs, items, mails


_names_cache: dict = {}


def _names(profile: scoring.Profile, batch: scoring.JobBatch) -> scoring.Names:
    """Names for reasons, remembered per chunk run (many graduates share majors and regions)."""
    key = (tuple(profile.major_chain), tuple(profile.regions), profile.origin_code[:2], tuple(profile.industries),
           tuple(profile.occupations), profile.degree_rank)
    if key not in _names_cache:
        if len(_names_cache) > 50_000:
            _names_cache.clear()
        _names_cache[key] = recommend.names_for(profile, batch)
    return _names_cache[key]


def run_all(day: date | None = None, *, chunk_size: int = CHUNK_SIZE, dispatch=None) -> PushSummary:
    """The coordinator: prune expired jobs, split graduates into ranges, run (or dispatch) the priority pass
    over every range and then the ordinary pass. ``dispatch(day, low, high, priority)`` runs one chunk and
    returns its ChunkResult or None (queued elsewhere); by default chunks run here, in order."""
    started = time.monotonic()
    day = day or timezone.localdate()
    summary = PushSummary(day=day)
    summary.pruned = index.prune_expired(day)
    _names_cache.clear()
    ranges = graduate_ranges(chunk_size)
    for priority in (True, False):
        for low, high in ranges:
            done = dispatch(day, low, high, priority) if dispatch else run_chunk(day, low, high, priority)
            summary.chunks += 1
            if done is not None:
                summary.result.add(done)
    summary.seconds = time.monotonic() - started
    return summary
