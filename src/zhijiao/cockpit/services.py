"""Rollups: the incremental processor and the full rebuild, one code path for both.

A *pass* (:func:`run_pass`) locks the one :class:`RollupState` row, reads statements after the watermark
in ``seq`` order, adds them to the rollups and moves the watermark, all in one transaction: a pass is
counted completely or not at all, and two passes never count the same statement.

**Out-of-order commits.** On PostgreSQL two ingest transactions can commit out of ``seq`` order, so when a
pass reads seq 41 and 43, 42 may still be on its way. Every missing number below the new watermark is
written to :class:`RollupGap`; later passes look for those numbers first and count the statements that
appeared. A gap still empty after ``ZJ_COCKPIT_GAP_GRACE_SECONDS`` belonged to a transaction that rolled
back (an ingest transaction never lasts minutes) and is forgotten.

**Order does not matter.** Every figure is a function of the *set* of counted statements: counts add,
maxima take the maximum, and "seconds of video played" and "time on task" are lengths of unions of
intervals (:mod:`zhijiao.cockpit.spans`). Which organisation a learner's day counts under is fixed when
the day is first seen (their learner membership, else their deepest membership, else the root); which
organisation a visitor's day counts under follows the smallest user id seen with that visitor. So
counting statements in any order and in any chunks gives the same rows, and :func:`rebuild` (empty the
rollups, count everything again) agrees with the incremental path.

**Voiding.** Voided statements are never counted. When a voiding statement arrives for a statement
already counted, the target's day is recomputed: its day rows are taken out of the month rows, deleted,
and the day's counted statements are added again. Finding them scans the statement table by
``timestamp`` (there is no index on it); voiding is rare.

The processor reads ``records.Statement`` directly: the one cross-app model read of the cockpit
(docs/cockpit.md).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from zhijiao.cockpit import spans
from zhijiao.cockpit.models import (
    BoardPeriod,
    Grain,
    LearnerActivityDay,
    LearnerDay,
    OrgPeriod,
    ResourcePeriod,
    RollupGap,
    RollupState,
    TrackedActivity,
    VisitorDay,
)
from zhijiao.core import audit
from zhijiao.identity.models import PATH_WIDTH, Membership, Organisation, Role
from zhijiao.records.agents import resource_id_for
from zhijiao.records.models import Statement, StatementKey

logger = logging.getLogger("zhijiao.cockpit")

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
VIEWED = "http://id.tincanapi.com/verb/viewed"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
PASSED = "http://adlnet.gov/expapi/verbs/passed"
FAILED = "http://adlnet.gov/expapi/verbs/failed"
ATTEMPTS = {"http://adlnet.gov/expapi/verbs/attempted", "http://adlnet.gov/expapi/verbs/answered"}
RATED = "http://id.tincanapi.com/verb/rated"
EXT_PLAYED = "https://w3id.org/xapi/video/extensions/played-segments"
EXT_PROGRESS = "https://w3id.org/xapi/video/extensions/progress"
EXT_LENGTH = "https://w3id.org/xapi/video/extensions/length"
EXT_VISITOR = "https://zhijiao.cn/xapi/extensions/visitor-id"
EXT_BOARD = "https://zhijiao.cn/xapi/extensions/board"
EXT_COLUMN = "https://zhijiao.cn/xapi/extensions/column"

CHUNK = 20_000
# A pass that started rebuilding keeps others away for this long after its last chunk.
REBUILD_LEASE = timedelta(minutes=10)
NO_USER = 1 << 62
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MS = timedelta(milliseconds=1)


def gap_grace() -> timedelta:
    return timedelta(seconds=settings.ZJ_COCKPIT_GAP_GRACE_SECONDS)


# --- Reading statements ---------------------------------------------------------------------------

def _columns() -> str:
    if connection.vendor == "postgresql":
        return ("seq, user_id, verb_id, timestamp, actor_key, voided, ref_target, data->'object'->>'objectType', "
                "data->'object'->>'id', (data->'object'->'definition'->'name')::text, (data->'result')::text, "
                "(data->'context'->'extensions')::text")
    return ("seq, user_id, verb_id, timestamp, actor_key, voided, ref_target, json_extract(data, '$.object.objectType'), "
            "json_extract(data, '$.object.id'), json_extract(data, '$.object.definition.name'), "
            "json_extract(data, '$.result'), json_extract(data, '$.context.extensions')")


def _statements(where: str, params: list, order_limit: str = "") -> list[tuple]:
    table = Statement._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_columns()} FROM {table} WHERE {where} {order_limit}", params)
        return cursor.fetchall()


class _Clock:
    """Local calendar day of an instant, cached per quarter hour (every real time zone offset is a whole
    number of quarter hours)."""

    def __init__(self):
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.cache: dict[int, tuple[date, int]] = {}

    def epoch_ms(self, value) -> int:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return (value - EPOCH) // MS

    def day_of(self, ms: int) -> tuple[date, int]:
        block = ms // 900_000
        hit = self.cache.get(block)
        if hit is None:
            day = datetime.fromtimestamp(block * 900, tz=self.zone).date()
            hit = self.cache[block] = (day, self.midnight_ms(day))
        return hit

    def midnight_ms(self, day: date) -> int:
        return (datetime(day.year, day.month, day.day, tzinfo=self.zone) - EPOCH) // MS

    def bounds(self, day: date) -> tuple[datetime, datetime]:
        start = datetime(day.year, day.month, day.day, tzinfo=self.zone)
        following = day + timedelta(days=1)
        return start, datetime(following.year, following.month, following.day, tzinfo=self.zone)


# --- One batch of statements ----------------------------------------------------------------------

# Per learner, activity and day: statements, views, completions, attempts, passed, failed, score_sum,
# score_count, score_max, progress, video_length_ms, video spans, time spans.
COUNTS = 9


def _empty_lad() -> list:
    return [0, 0, 0, 0, 0, 0, 0.0, 0, None, 0.0, 0, [], []]


def _score(result: dict) -> float | None:
    score = result.get("score")
    if not isinstance(score, dict):
        return None
    scaled = score.get("scaled")
    if isinstance(scaled, int | float) and not isinstance(scaled, bool):
        return max(-1.0, min(1.0, float(scaled)))
    raw, low, high = score.get("raw"), score.get("min", 0), score.get("max")
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in (raw, low, high)) and high > low:
        return max(-1.0, min(1.0, (raw - low) / (high - low)))
    return None


def _rating(result: dict) -> float | None:
    score = result.get("score")
    if not isinstance(score, dict):
        return None
    raw = score.get("raw")
    if isinstance(raw, int | float) and not isinstance(raw, bool) and 0 <= raw <= 5:
        return float(raw)
    scaled = score.get("scaled")
    if isinstance(scaled, int | float) and not isinstance(scaled, bool) and 0 <= scaled <= 1:
        return float(scaled) * 5
    return None


def _number(value) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
        return float(value)
    return None


def _name(text) -> str:
    if not text:
        return ""
    try:
        names = json.loads(text)
    except ValueError:
        return ""
    if not isinstance(names, dict) or not names:
        return ""
    for lang in ("zh-CN", "zh-Hans", "zh", "en-US", "en"):
        if isinstance(names.get(lang), str):
            return names[lang][:300]
    first = next(iter(names.values()))
    return first[:300] if isinstance(first, str) else ""


def _text(value) -> str:
    return value[:64] if isinstance(value, str) else ""


@dataclass
class _Batch:
    """What one batch of statements adds, before it is attributed to organisations."""

    clock: _Clock
    activities: dict = field(default_factory=dict)  # iri -> (name, board, column), first seen
    lad: dict = field(default_factory=lambda: defaultdict(_empty_lad))  # (user, day, iri) -> fields
    learner_days: set = field(default_factory=set)
    visitors: dict = field(default_factory=dict)  # (day, visitor) -> smallest user id or NO_USER
    # Per (user or None, day): page views, completions, attempts; per (user or None, day, iri): resource
    # views, completions, rating sum, rating count.
    people: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    resources: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0.0, 0]))
    void_targets: list = field(default_factory=list)
    last_seq: int = 0
    seen: int = 0

    def add(self, rows: list[tuple]) -> None:
        clock = self.clock
        for seq, user_id, verb, ts, actor_key, voided, ref_target, otype, oid, name, result, ext in rows:
            self.last_seq = max(self.last_seq, seq)
            self.seen += 1
            if voided:
                continue
            if verb == VOIDED:
                if ref_target:
                    self.void_targets.append(ref_target)
                continue
            ms = clock.epoch_ms(ts)
            day, midnight = clock.day_of(ms)
            extensions = json.loads(ext) if ext else {}
            if not isinstance(extensions, dict):
                extensions = {}
            outcome = json.loads(result) if result else {}
            if not isinstance(outcome, dict):
                outcome = {}
            iri = oid if oid and otype in (None, "Activity") else None
            if iri is not None and iri not in self.activities:
                self.activities[iri] = (_name(name), _text(extensions.get(EXT_BOARD)), _text(extensions.get(EXT_COLUMN)))
            visitor = extensions.get(EXT_VISITOR)
            key = visitor if isinstance(visitor, str) and visitor else "actor:" + actor_key
            vkey = (day, hashlib.sha256(key.encode()).hexdigest()[:32])
            known = self.visitors.get(vkey, NO_USER)
            self.visitors[vkey] = min(known, user_id) if user_id else known

            viewed, completed = verb == VIEWED, verb == COMPLETED
            attempt = verb in ATTEMPTS
            person = self.people[(user_id, day)]
            person[0] += viewed
            person[1] += completed
            person[2] += attempt
            if iri is not None:
                res = self.resources[(user_id, day, iri)]
                res[0] += viewed
                res[1] += completed
                if verb == RATED and (rating := _rating(outcome)) is not None:
                    res[2] += rating
                    res[3] += 1
            if not user_id:
                continue
            self.learner_days.add((user_id, day))
            if iri is None:
                continue
            row = self.lad[(user_id, day, iri)]
            row[0] += 1
            row[1] += viewed
            row[2] += completed
            row[3] += attempt
            row[4] += verb == PASSED
            row[5] += verb == FAILED
            if outcome and (score := _score(outcome)) is not None:
                row[6] += score
                row[7] += 1
                row[8] = score if row[8] is None else max(row[8], score)
            result_ext = outcome.get("extensions") if outcome else None
            if isinstance(result_ext, dict):
                progress = _number(result_ext.get(EXT_PROGRESS))
                if progress is not None:
                    progress = progress / 100 if 1 < progress <= 100 else progress
                    row[9] = max(row[9], min(1.0, max(0.0, progress)))
                played = spans.played_segments(result_ext.get(EXT_PLAYED))
                if played:
                    row[11].extend(played)
            video_length = _number(extensions.get(EXT_LENGTH))
            if video_length is not None and video_length > 0:
                row[10] = max(row[10], min(round(video_length * 1000), spans.MAX_POSITION_MS))
            relative = ms - midnight
            row[12].append((relative, relative + spans.IDLE_CAP_MS))


# --- Attribution and writing ----------------------------------------------------------------------

class _Known:
    """During a rebuild nobody else writes rollups, so the rows this run wrote are all the rows there are:
    remembering their keys saves looking for existing rows that cannot exist."""

    def __init__(self):
        self.lad: set = set()
        self.learner_days: dict = {}
        self.visitors: dict = {}

    def forget(self, days: set[date]) -> None:
        self.lad = {k for k in self.lad if k[1] not in days}
        self.learner_days = {k: v for k, v in self.learner_days.items() if k[1] not in days}
        self.visitors = {k: v for k, v in self.visitors.items() if k[0] not in days}


class _Writer:
    """Turns a batch into rows: attributes learners to organisations, merges per-learner rows with what is
    stored, and adds every figure to the organisation and all its ancestors, per day and per month."""

    def __init__(self, known: _Known | None = None):
        self.known = known
        self.paths: dict[int, str] = {}
        self.chains: dict[int, list[int]] = {}
        self.root = Organisation.objects.filter(parent__isnull=True).order_by("path").values_list("pk", "path").first()
        if self.root:
            self.paths[self.root[0]] = self.root[1]
        self.org = defaultdict(lambda: [0] * 7)  # (org, day) -> OrgPeriod figures
        self.res = defaultdict(lambda: [0, 0, 0, 0.0, 0])  # (resource, org, day)
        self.board = defaultdict(lambda: [0, 0, 0])  # (board, column, org, day)

    # Organisations -------------------------------------------------------------------------------
    def _chain(self, org_id: int | None) -> list[int]:
        if org_id is None:
            return []
        chain = self.chains.get(org_id)
        if chain is None:
            path = self.paths.get(org_id)
            if path is None:
                path = Organisation.objects.filter(pk=org_id).values_list("path", flat=True).first() or ""
            chain = self.chains[org_id] = [int(path[i:i + PATH_WIDTH]) for i in range(0, len(path), PATH_WIDTH)]
        return chain

    def _home_orgs(self, user_ids: list[int]) -> dict[int, tuple[int, str]]:
        """Where each learner's day counts: a learner membership first, the deepest first; else any
        membership, deepest first; else the root."""
        best: dict[int, tuple] = {}
        for i in range(0, len(user_ids), 500):
            rows = Membership.objects.filter(user_id__in=user_ids[i:i + 500]).values_list(
                "user_id", "role", "org_path", "organisation_id")
            for user_id, role, path, org_id in rows:
                rank = (role != Role.LEARNER, -len(path), path)
                if user_id not in best or rank < best[user_id][0]:
                    best[user_id] = (rank, org_id, path)
        homes = {}
        for user_id in user_ids:
            if user_id in best:
                _, org_id, path = best[user_id]
                self.paths[org_id] = path
                homes[user_id] = (org_id, path)
            else:
                homes[user_id] = (self.root[0], self.root[1]) if self.root else (None, "")
        return homes

    # Per-learner rows ----------------------------------------------------------------------------
    def learner_days(self, pairs: set) -> dict[tuple, tuple[int | None, str]]:
        homes: dict[tuple, tuple[int | None, str]] = {}
        if self.known is not None:
            missing = set()
            for pair in pairs:
                if pair in self.known.learner_days:
                    homes[pair] = self.known.learner_days[pair]
                else:
                    missing.add(pair)
        else:
            missing = set(pairs)
            users = sorted({u for u, _ in pairs})
            days = {d for _, d in pairs}
            for i in range(0, len(users), 500):
                rows = LearnerDay.objects.filter(user_id__in=users[i:i + 500], day__in=days).values_list(
                    "user_id", "day", "organisation_id", "org_path")
                for user_id, day, org_id, path in rows:
                    if (user_id, day) in missing:
                        missing.discard((user_id, day))
                        homes[(user_id, day)] = (org_id, path)
                        if org_id is not None:
                            self.paths[org_id] = path
        if missing:
            found = self._home_orgs(sorted({u for u, _ in missing}))
            new_rows = []
            for user_id, day in sorted(missing):
                org_id, path = found[user_id]
                homes[(user_id, day)] = (org_id, path)
                new_rows.append((user_id, day, org_id, path))
                self.org[(org_id, day)][2] += 1
            _insert(LearnerDay, ["user_id", "day", "organisation_id", "org_path"], new_rows)
        if self.known is not None:
            self.known.learner_days.update(homes)
        return homes

    def learner_activities(self, batch: _Batch, homes: dict, activities: dict[str, tuple]) -> None:
        keys = [(u, d, activities[iri][0]) for (u, d, iri) in batch.lad]
        if self.known is None:
            existing = self._existing_lad(keys)
        else:
            # Only rows written earlier in this rebuild can exist (one learner-day's statements seldom
            # straddle chunks, so there are few to read back).
            revisit = [k for k in keys if k in self.known.lad]
            existing = self._existing_lad(revisit) if revisit else {}
        rows = []
        for (user_id, day, iri), delta in batch.lad.items():
            activity_id, resource_id, board, column = activities[iri]
            key = (user_id, day, activity_id)
            org_id, path = homes[(user_id, day)]
            old = existing.get(key)
            if old is None:
                merged = list(delta[:COUNTS]) + [delta[9], delta[10], spans.union(delta[11]), spans.union(delta[12])]
                old_video = old_time = 0
                if resource_id is not None:
                    self.res[(resource_id, org_id, day)][1] += 1
                    if board:
                        self.board[(board, column, org_id, day)][1] += 1
            else:
                merged = [old[i] + delta[i] for i in range(8)]
                merged.append(delta[8] if old[8] is None else old[8] if delta[8] is None else max(old[8], delta[8]))
                merged += [max(old[9], delta[9]), max(old[10], delta[10]),
                           spans.union(spans.decode(old[11]) + delta[11]),
                           spans.union(spans.decode(old[12]) + delta[12])]
                old_video, old_time = old[13], old[14]
            video_ms, time_ms = spans.length(merged[11]), spans.time_on_task(merged[12])
            figures = self.org[(org_id, day)]
            figures[5] += video_ms - old_video
            figures[6] += time_ms - old_time
            rows.append((user_id, day, activity_id, path, *merged[:11], video_ms, spans.encode(merged[11]),
                         time_ms, spans.encode(merged[12])))
        if self.known is not None:
            self.known.lad.update(keys)
        _upsert(LearnerActivityDay, ["user_id", "day", "activity_id"], LAD_COLUMNS, rows, add=False)

    def _existing_lad(self, keys: list[tuple]) -> dict[tuple, tuple]:
        wanted = set(keys)
        users = sorted({k[0] for k in keys})
        days = {k[1] for k in keys}
        found = {}
        for i in range(0, len(users), 500):
            rows = LearnerActivityDay.objects.filter(user_id__in=users[i:i + 500], day__in=days).values_list(
                "user_id", "day", "activity_id", "statements", "views", "completions", "attempts", "passed",
                "failed", "score_sum", "score_count", "score_max", "progress", "video_length_ms", "video_spans",
                "time_spans", "video_ms", "time_ms")
            for row in rows:
                if row[:3] in wanted:
                    found[row[:3]] = row[3:]
        return found

    def visitors(self, batch: _Batch, homes: dict) -> None:
        keys = list(batch.visitors)
        stored: dict[tuple, tuple] = {}
        if self.known is not None:
            stored = {k: self.known.visitors[k] for k in keys if k in self.known.visitors}
        else:
            by_day = defaultdict(list)
            for day, visitor in keys:
                by_day[day].append(visitor)
            for day, visitors in by_day.items():
                for i in range(0, len(visitors), 500):
                    for visitor, user_id, org_id in VisitorDay.objects.filter(
                            day=day, visitor__in=visitors[i:i + 500]).values_list("visitor", "user_id", "organisation_id"):
                        stored[(day, visitor)] = (user_id if user_id is not None else NO_USER, org_id)
        rows = []
        root = self.root[0] if self.root else None
        for key, user_id in batch.visitors.items():
            day = key[0]
            before = stored.get(key)
            if before is not None and before[0] <= user_id:
                continue
            org_id = homes[(user_id, day)][0] if user_id != NO_USER else root
            if before is None:
                self.org[(org_id, day)][1] += 1
            elif before[1] != org_id:
                self.org[(before[1], day)][1] -= 1
                self.org[(org_id, day)][1] += 1
            rows.append((day, key[1], None if user_id == NO_USER else user_id, org_id))
            if self.known is not None:
                self.known.visitors[key] = (user_id, org_id)
        _upsert(VisitorDay, ["day", "visitor"], ["user_id", "organisation_id"], rows, add=False)

    def counters(self, batch: _Batch, homes: dict, activities: dict) -> None:
        root = self.root[0] if self.root else None
        for (user_id, day), (views, completions, attempts) in batch.people.items():
            org_id = homes[(user_id, day)][0] if user_id else root
            figures = self.org[(org_id, day)]
            figures[0] += views
            figures[3] += completions
            figures[4] += attempts
        for (user_id, day, iri), (views, completions, rating_sum, rating_count) in batch.resources.items():
            _, resource_id, board, column = activities[iri]
            if resource_id is None:
                continue
            org_id = homes[(user_id, day)][0] if user_id else root
            figures = self.res[(resource_id, org_id, day)]
            figures[0] += views
            figures[2] += completions
            figures[3] += rating_sum
            figures[4] += rating_count
            if board:
                figures = self.board[(board, column, org_id, day)]
                figures[0] += views
                figures[2] += completions

    # Aggregates ----------------------------------------------------------------------------------
    def flush(self) -> None:
        """Add the collected figures to every ancestor, per day and per month."""
        org_rows = defaultdict(lambda: [0] * 7)
        for (org_id, day), figures in self.org.items():
            for ancestor in self._chain(org_id):
                for grain, start in ((Grain.DAY, day), (Grain.MONTH, day.replace(day=1))):
                    target = org_rows[(ancestor, grain, start)]
                    for i, value in enumerate(figures):
                        target[i] += value
        res_rows = defaultdict(lambda: [0, 0, 0, 0.0, 0])
        for (resource_id, org_id, day), figures in self.res.items():
            for ancestor in self._chain(org_id):
                for grain, start in ((Grain.DAY, day), (Grain.MONTH, day.replace(day=1))):
                    target = res_rows[(ancestor, grain, start, resource_id)]
                    for i, value in enumerate(figures):
                        target[i] += value
        board_rows = defaultdict(lambda: [0, 0, 0])
        for (board, column, org_id, day), figures in self.board.items():
            for ancestor in self._chain(org_id):
                for grain, start in ((Grain.DAY, day), (Grain.MONTH, day.replace(day=1))):
                    target = board_rows[(ancestor, grain, start, board, column)]
                    for i, value in enumerate(figures):
                        target[i] += value
        _upsert(OrgPeriod, ["organisation_id", "grain", "start"], ORG_FIGURES,
                [(*k, *v) for k, v in org_rows.items() if any(v)])
        _upsert(ResourcePeriod, ["organisation_id", "grain", "start", "resource_id"], RESOURCE_FIGURES,
                [(*k, *v) for k, v in res_rows.items() if any(v)])
        _upsert(BoardPeriod, ["organisation_id", "grain", "start", "board", "column"], BOARD_FIGURES,
                [(*k, *v) for k, v in board_rows.items() if any(v)])
        self.org.clear()
        self.res.clear()
        self.board.clear()


ORG_FIGURES = ["page_views", "visitors", "active_learners", "completions", "attempts", "video_ms", "time_ms"]
RESOURCE_FIGURES = ["views", "learners", "completions", "rating_sum", "rating_count"]
BOARD_FIGURES = ["views", "learners", "completions"]
LAD_COLUMNS = ["org_path", "statements", "views", "completions", "attempts", "passed", "failed", "score_sum",
               "score_count", "score_max", "progress", "video_length_ms", "video_ms", "video_spans", "time_ms",
               "time_spans"]

ROWS_PER_STATEMENT = 400


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _write(sql_head: str, sql_tail: str, width: int, rows: list[tuple]) -> None:
    """One prepared single-row statement run many times on SQLite (its statement cache makes that the fast
    way); multi-row VALUES on PostgreSQL (one round trip per ROWS_PER_STATEMENT rows)."""
    one = "(" + ", ".join(["%s"] * width) + ")"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany(f"{sql_head} VALUES {one} {sql_tail}", rows)
            return
        for i in range(0, len(rows), ROWS_PER_STATEMENT):
            part = rows[i:i + ROWS_PER_STATEMENT]
            cursor.execute(f"{sql_head} VALUES {', '.join([one] * len(part))} {sql_tail}",
                           [v for row in part for v in row])


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    if rows:
        names = ", ".join(_quote(c) for c in columns)
        _write(f"INSERT INTO {_quote(model._meta.db_table)} ({names})", "", len(columns), rows)


def _upsert(model, keys: list[str], values: list[str], rows: list[tuple], add: bool = True) -> None:
    """Insert rows; where the key exists, add the values to the stored ones (``add``) or replace them."""
    if not rows:
        return
    table = _quote(model._meta.db_table)
    names = ", ".join(_quote(c) for c in keys + values)
    if add:
        updates = ", ".join(f"{_quote(v)} = {table}.{_quote(v)} + excluded.{_quote(v)}" for v in values)
    else:
        updates = ", ".join(f"{_quote(v)} = excluded.{_quote(v)}" for v in values)
    conflict = ", ".join(_quote(k) for k in keys)
    _write(f"INSERT INTO {table} ({names})", f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
           len(keys) + len(values), rows)


def _intern(activities: dict[str, tuple]) -> dict[str, tuple]:
    """iri -> (activity id, resource id, board, column), creating TrackedActivity rows for new ones."""
    by_hash = {hashlib.sha256(iri.encode()).hexdigest(): iri for iri in activities}
    found = {}
    hashes = list(by_hash)
    for i in range(0, len(hashes), 500):
        for pk, digest, resource_id, board, column in TrackedActivity.objects.filter(
                iri_hash__in=hashes[i:i + 500]).values_list("pk", "iri_hash", "resource_id", "board", "column"):
            found[by_hash[digest]] = (pk, resource_id, board, column)
    new = [
        TrackedActivity(iri_hash=digest, iri=iri, name=activities[iri][0], resource_id=resource_id_for(iri),
                        board=activities[iri][1], column=activities[iri][2])
        for digest, iri in by_hash.items() if iri not in found
    ]
    if new:
        TrackedActivity.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
        for pk, digest, resource_id, board, column in TrackedActivity.objects.filter(
                iri_hash__in=[a.iri_hash for a in new]).values_list("pk", "iri_hash", "resource_id", "board", "column"):
            found[by_hash[digest]] = (pk, resource_id, board, column)
    return found


def _count(rows: list[tuple], clock: _Clock, known: _Known | None = None) -> _Batch:
    batch = _Batch(clock)
    batch.add(rows)
    writer = _Writer(known)
    activities = _intern(batch.activities)
    homes = writer.learner_days(batch.learner_days)
    writer.learner_activities(batch, homes, activities)
    writer.visitors(batch, homes)
    writer.counters(batch, homes, activities)
    writer.flush()
    return batch


# --- Voiding: recompute whole days ----------------------------------------------------------------

def _void_days(targets: list, clock: _Clock) -> set[date]:
    ids = [t if isinstance(t, uuid.UUID) else uuid.UUID(str(t)) for t in targets]
    seqs = list(StatementKey.objects.filter(statement_id__in=ids).values_list("seq", flat=True))
    days = set()
    for ts in Statement.objects.filter(seq__in=seqs).values_list("timestamp", flat=True):
        days.add(clock.day_of(clock.epoch_ms(ts))[0])
    return days


def _recompute(days: set[date], high_seq: int, clock: _Clock) -> None:
    """Take these days out of every rollup and count their statements again."""
    days = sorted(days)
    for model, figures, extra in ((OrgPeriod, ORG_FIGURES, []), (ResourcePeriod, RESOURCE_FIGURES, ["resource_id"]),
                                  (BoardPeriod, BOARD_FIGURES, ["board", "column"])):
        keys = ["organisation_id", "grain", "start", *extra]
        day_rows = model.objects.filter(grain=Grain.DAY, start__in=days)
        zeros = [0] * len(figures)
        negative = defaultdict(zeros.copy)
        for row in day_rows.values_list("organisation_id", "start", *extra, *figures):
            org_id, day, rest = row[0], row[1], row[2:]
            target = negative[(org_id, Grain.MONTH, day.replace(day=1), *rest[:len(extra)])]
            for i, value in enumerate(rest[len(extra):]):
                target[i] -= value
        _upsert(model, keys, figures, [(*k, *v) for k, v in negative.items()])
        day_rows.delete()
    for model in (LearnerDay, LearnerActivityDay, VisitorDay):
        model.objects.filter(day__in=days).delete()
    gaps = set(RollupGap.objects.values_list("seq", flat=True))
    for day in days:
        start, end = clock.bounds(day)
        last = 0
        while True:
            rows = _statements("timestamp >= %s AND timestamp < %s AND seq > %s AND seq <= %s",
                               [connection.ops.adapt_datetimefield_value(start),
                                connection.ops.adapt_datetimefield_value(end), last, high_seq],
                               f"ORDER BY seq LIMIT {CHUNK}")
            if not rows:
                break
            last = rows[-1][0]
            _count([r for r in rows if r[0] not in gaps], clock)


# --- Passes ---------------------------------------------------------------------------------------

@dataclass
class PassResult:
    counted: int = 0
    gaps_filled: int = 0
    gaps_open: int = 0
    days_recomputed: int = 0
    skipped: bool = False


def _state_for_update() -> RollupState:
    state = RollupState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        RollupState.objects.get_or_create(pk=1)
        state = RollupState.objects.select_for_update().get(pk=1)
    return state


def run_pass(limit: int = CHUNK, *, known: _Known | None = None, rebuilding: bool = False) -> PassResult:
    """Count the statements stored since the last pass (at most ``limit``) and any that filled a gap."""
    clock = _Clock()
    outcome = PassResult()
    with transaction.atomic():
        state = _state_for_update()
        now = timezone.now()
        if not rebuilding and state.rebuilding and state.rebuilt_at > now - REBUILD_LEASE:
            outcome.skipped = True
            return outcome
        RollupGap.objects.filter(noticed_at__lt=now - gap_grace()).delete()
        gap_seqs = list(RollupGap.objects.order_by("seq").values_list("seq", flat=True))
        void_targets = []
        if gap_seqs:
            filled = []
            for i in range(0, len(gap_seqs), 500):
                filled += _statements("seq IN (" + ", ".join(["%s"] * len(gap_seqs[i:i + 500])) + ")",
                                      gap_seqs[i:i + 500])
            if filled:
                batch = _count(filled, clock, known)
                void_targets += batch.void_targets
                RollupGap.objects.filter(seq__in=[r[0] for r in filled]).delete()
                outcome.gaps_filled = len(filled)
        rows = _statements("seq > %s", [state.high_seq], f"ORDER BY seq LIMIT {int(limit)}")
        if rows:
            expected = state.high_seq + 1
            missing = []
            for row in rows:
                missing.extend(range(expected, row[0]))
                expected = row[0] + 1
            if missing:
                RollupGap.objects.bulk_create([RollupGap(seq=s, noticed_at=now) for s in missing], batch_size=1000,
                                              ignore_conflicts=True)
            batch = _count(rows, clock, known)
            void_targets += batch.void_targets
            state.high_seq = rows[-1][0]
            outcome.counted = len(rows)
        if void_targets:
            days = _void_days(void_targets, clock)
            _recompute(days, state.high_seq, clock)
            outcome.days_recomputed = len(days)
            if known is not None:
                known.forget(days)
        state.updated_at = now
        if rebuilding:
            state.rebuilt_at = now
        state.save()
        outcome.gaps_open = RollupGap.objects.count()
    return outcome


def catch_up(limit: int = CHUNK) -> PassResult:
    """Passes until everything stored so far is counted."""
    total = PassResult()
    while True:
        result = run_pass(limit)
        total.counted += result.counted
        total.gaps_filled += result.gaps_filled
        total.days_recomputed += result.days_recomputed
        total.gaps_open = result.gaps_open
        total.skipped = result.skipped
        if result.skipped or result.counted < limit:
            return total


def rebuild(limit: int = 50_000, progress=None) -> PassResult:
    """Empty every rollup and count all statements again (``zj rollups --rebuild``)."""
    started = time.perf_counter()
    with transaction.atomic():
        state = _state_for_update()
        for model in (OrgPeriod, ResourcePeriod, BoardPeriod, LearnerActivityDay, LearnerDay, VisitorDay, RollupGap):
            model.objects.all().delete()
        state.high_seq = 0
        state.rebuilding = True
        state.rebuilt_at = timezone.now()
        state.save()
    known = _Known()
    total = PassResult()
    try:
        while True:
            result = run_pass(limit, known=known, rebuilding=True)
            total.counted += result.counted
            total.days_recomputed += result.days_recomputed
            total.gaps_open = result.gaps_open
            if progress:
                progress(total.counted, time.perf_counter() - started)
            if result.counted < limit:
                break
    finally:
        RollupState.objects.filter(pk=1).update(rebuilding=False)
    return total


def record_export(request, organisation: Organisation, figure: str, span, rows: int) -> None:
    """Every CSV export of cockpit figures is audited: who, which organisation, which figure and dates."""
    audit.record("cockpit.export", request=request, target=organisation, organisation=organisation, figure=figure,
                 start=span.start.isoformat(), end=span.end.isoformat(), rows=rows)
