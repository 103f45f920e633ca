"""The event table: what one xAPI statement becomes for the detectors, and reading a day back as columns.

A statement the detectors read (``vocab.VERBS``) becomes one fixed-size record (``REC``): ints and floats
only — text ids become 64-bit BLAKE2b digests (courses and activities are remembered in ``Term`` so
findings can name them), the address becomes a digest plus its /16 network and a region number, and the
result and context extensions the detectors use become floats. ``extract`` is the only place that
reads statement JSON; the incremental pass (``detection.ingest``) and the bulk simulator both write
through ``write``.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import connection

from zhijiao.monitoring.detection import geo, vocab
from zhijiao.monitoring.detection.models import Event, Term

REC = np.dtype([
    ("ts", "<f8"), ("seq", "<i8"), ("course", "<i8"), ("obj", "<i8"), ("session", "<i8"), ("device", "<i8"),
    ("ip", "<i8"), ("ua", "<i8"), ("resp", "<i8"), ("user", "<i4"), ("platform", "<i4"), ("ipnet", "<i4"),
    ("speed", "<f4"), ("time", "<f4"), ("aux", "<f4"), ("dur", "<f4"), ("length", "<f4"), ("chars", "<f4"),
    ("region", "<i2"), ("verb", "u1"), ("kind", "u1"), ("success", "i1"),
])
_PACK = struct.Struct("<dqqqqqqqqiiiffffffhBBb")
assert _PACK.size == REC.itemsize
FIELDS = REC.names

_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
_SPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[xX×]?\s*$")


def digest(text: str) -> int:
    """A stable signed 64-bit digest of ``text`` (0 for empty)."""
    if not text:
        return 0
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little", signed=True)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_number(moment: datetime) -> int:
    return moment.astimezone(local_zone()).date().toordinal()


def day_start(day: int) -> float:
    """The local midnight starting ``day`` (an ordinal), as epoch seconds."""
    return datetime.combine(date.fromordinal(day), datetime.min.time(), tzinfo=local_zone()).timestamp()


def seconds_of(duration) -> float:
    if not isinstance(duration, str):
        return 0.0
    match = _DURATION.match(duration)
    if not match:
        return 0.0
    d, h, m, s = (float(x) if x else 0.0 for x in match.groups())
    return d * 86400 + h * 3600 + m * 60 + s


def _number(value) -> float:
    if isinstance(value, bool):
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = _SPEED.match(value)
        if match:
            return float(match.group(1))
    return 0.0


def _first_id(activities) -> str:
    if isinstance(activities, dict):
        activities = [activities]
    if isinstance(activities, list):
        for a in activities:
            if isinstance(a, dict) and isinstance(a.get("id"), str):
                return a["id"]
    return ""


def _definition_chars(definition: dict) -> int:
    """Characters a person reads to answer an item: its description and its choices, in any one language."""
    total = 0
    description = definition.get("description")
    if isinstance(description, dict) and description:
        total += len(next(iter(description.values())) or "")
    for key in ("choices", "source", "target", "steps", "scale"):
        for component in definition.get(key) or ():
            text = (component.get("description") or {}) if isinstance(component, dict) else {}
            if text:
                total += len(next(iter(text.values())) or "")
    return total


def ipnet(ip: str) -> int:
    parts = ip.split(".")
    if len(parts) == 4 and parts[0].isdigit() and parts[1].isdigit():
        return (int(parts[0]) << 8) | int(parts[1])
    return 0


class Extracted(tuple):
    """One record's values in ``REC`` order, with the texts of its course and object for ``Term``."""

    course_text: str
    object_text: str


def extract(data: dict, *, user_id: int, seq: int, client_address: str | None = None, user_agent: str = "",
            platform_id: int | None = None) -> Extracted | None:
    """The event record of one stored statement, or None when the detectors do not read it."""
    verb = vocab.VERBS.get(data.get("verb", {}).get("id", ""))
    if verb is None:
        return None
    moment = datetime.fromisoformat(data["timestamp"].replace("Z", "+00:00").replace(",", "."))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    obj = data.get("object") or {}
    object_id = obj.get("id", "") if isinstance(obj.get("id"), str) else ""
    definition = obj.get("definition") or {}
    context = data.get("context") or {}
    cext = context.get("extensions") or {}
    result = data.get("result") or {}
    rext = result.get("extensions") or {}
    activities = context.get("contextActivities") or {}
    course = _first_id(activities.get("grouping")) or _first_id(activities.get("parent")) or object_id

    exam_session = cext.get(vocab.EXT_EXAM_SESSION)
    video_session = cext.get(vocab.EXT_SESSION)
    activity_type = definition.get("type", "")
    if exam_session or verb in vocab.EXAM_VERBS or activity_type == vocab.EXAM_TYPE:
        kind = vocab.KIND_EXAM
    elif video_session or vocab.EXT_LENGTH in cext or activity_type == vocab.VIDEO_TYPE:
        kind = vocab.KIND_VIDEO
    elif verb in (vocab.ANSWERED, vocab.ANSWER_REVEALED) or activity_type == vocab.QUESTION_TYPE:
        kind = vocab.KIND_QUESTION
    else:
        kind = vocab.KIND_OTHER
    session = str(exam_session or video_session or context.get("registration") or "")

    ip = str(cext.get(vocab.EXT_CLIENT_IP) or client_address or "")
    agent = str(cext.get(vocab.EXT_USER_AGENT) or user_agent or "")
    device = str(cext.get(vocab.EXT_DEVICE) or cext.get(vocab.EXT_VISITOR) or "")
    if not device and (ip or agent):
        device = f"{ip}|{agent}"

    if verb == vocab.SEEKED:
        time, aux = _number(rext.get(vocab.EXT_TIME_TO)), _number(rext.get(vocab.EXT_TIME_FROM))
    else:
        time, aux = _number(rext.get(vocab.EXT_TIME)), _number(rext.get(vocab.EXT_PROGRESS))
    speed = _number(cext.get(vocab.EXT_SPEED)) or _number(rext.get(vocab.EXT_SPEED))
    success = result.get("success")
    response = result.get("response")
    if verb == vocab.SNAPSHOT_FLAGGED:
        chars = _number(rext.get(vocab.EXT_SNAPSHOT_SIMILARITY) or cext.get(vocab.EXT_SNAPSHOT_SIMILARITY))
    else:
        chars = _number(cext.get(vocab.EXT_ITEM_CHARS)) or float(_definition_chars(definition))
    values = Extracted((
        moment.timestamp(), seq, digest(course), digest(object_id), digest(session), digest(device),
        digest(ip), digest(agent), digest(response) if isinstance(response, str) else 0, user_id,
        platform_id or 0, ipnet(ip), speed, time, aux, seconds_of(result.get("duration")),
        _number(cext.get(vocab.EXT_LENGTH)), chars, geo.region_number(ip), verb, kind,
        -1 if success is None else int(bool(success)),
    ))
    values.course_text = course
    values.object_text = object_id
    return values


def pack(values) -> bytes:
    return _PACK.pack(*values)


def write(records: Iterable[Extracted], *, terms: dict[int, str] | None = None) -> int:
    """Insert event records (ignoring any already there) and remember their course and object texts."""
    zone = local_zone()
    rows = []
    known: dict[int, str] = dict(terms or {})
    for values in records:
        moment = datetime.fromtimestamp(values[0], zone)
        rows.append((moment.date().toordinal(), values[9], int(round(values[0] * 1000)), values[1], pack(values)))
        course_text = getattr(values, "course_text", None)
        if course_text:
            known.setdefault(values[2], course_text)
            known.setdefault(values[3], values.object_text)
    if not rows:
        return 0
    table = Event._meta.db_table
    ignore = "OR IGNORE " if connection.vendor == "sqlite" else ""
    conflict = "" if connection.vendor == "sqlite" else " ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 20_000):
            cursor.executemany(
                f"INSERT {ignore}INTO {table} (day, user_id, ts, seq, rec) VALUES (%s, %s, %s, %s, %s){conflict}",
                rows[start:start + 20_000])
    remember_terms(known)
    return len(rows)


def remember_terms(terms: dict[int, str]) -> None:
    new = [Term(id=k, text=v[:2000]) for k, v in terms.items() if k]
    if new:
        Term.objects.bulk_create(new, ignore_conflicts=True, batch_size=2000)


def texts_of(ids: Iterable[int]) -> dict[int, str]:
    wanted = [int(i) for i in set(ids) if i]
    found: dict[int, str] = {}
    for start in range(0, len(wanted), 500):
        found.update(Term.objects.filter(id__in=wanted[start:start + 500]).values_list("id", "text"))
    return found


def days_present() -> list[int]:
    return sorted(Event.objects.values_list("day", flat=True).distinct())


def read_day(day: int, *, users: list[int] | None = None, chunk: int = 400_000) -> Iterator[np.ndarray]:
    """The events of ``day`` as record arrays sorted by (user, time), each chunk holding whole users."""
    table = Event._meta.db_table
    if users is not None:
        ordered = sorted(set(users))
        for start in range(0, len(ordered), 900):
            part = ordered[start:start + 900]
            marks = ", ".join(["%s"] * len(part))
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT rec FROM {table} WHERE day = %s AND user_id IN ({marks}) "
                               "ORDER BY user_id, ts, seq", [day, *part])
                rows = cursor.fetchall()
            if rows:
                yield np.frombuffer(b"".join(bytes(r[0]) for r in rows), dtype=REC)
        return
    carry = None
    with connection.chunked_cursor() as cursor:
        cursor.execute(f"SELECT rec FROM {table} WHERE day = %s ORDER BY user_id, ts, seq", [day])
        while True:
            rows = cursor.fetchmany(chunk)
            if not rows:
                break
            block = np.frombuffer(b"".join(bytes(r[0]) for r in rows), dtype=REC)
            if carry is not None:
                block = np.concatenate([carry, block])
            last_user = block["user"][-1]
            cut = int(np.searchsorted(block["user"], last_user, side="left"))
            if cut == 0:
                carry = block
                continue
            carry = block[cut:]
            yield block[:cut]
    if carry is not None and len(carry):
        yield carry
