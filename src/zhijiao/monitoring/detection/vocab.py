"""The xAPI the detectors read: verbs and extensions, and the small integer codes the event table uses.

Everything here is standard (ADL verbs, the xAPI Video Profile) except the exam-supervision verbs and
extensions under ``https://zhijiao.cn/xapi/``, which this module defines for the exam app and for connected
platforms (documented in docs/monitoring.md, "Inputs").
"""

from __future__ import annotations

ADL = "http://adlnet.gov/expapi/verbs/"
VIDEO = "https://w3id.org/xapi/video/"
ZJ_VERBS = "https://zhijiao.cn/xapi/verbs/"
ZJ_EXT = "https://zhijiao.cn/xapi/extensions/"

# Verb codes of the event table (0 = a verb the detectors do not read; such statements are skipped).
INITIALIZED, PLAYED, PAUSED, SEEKED, PROGRESSED, COMPLETED, TERMINATED = 1, 2, 3, 4, 5, 6, 7
ATTEMPTED, ANSWERED, PASSED, FAILED, LOGGED_IN, VIEWED = 8, 9, 10, 11, 12, 13
EXAM_STARTED, REAUTH_FAILED, REAUTH_PASSED, SNAPSHOT_FLAGGED, ANSWER_REVEALED = 14, 15, 16, 17, 18

VERBS: dict[str, int] = {
    ADL + "initialized": INITIALIZED,
    VIDEO + "verbs/played": PLAYED,
    VIDEO + "verbs/paused": PAUSED,
    VIDEO + "verbs/seeked": SEEKED,
    ADL + "progressed": PROGRESSED,
    ADL + "completed": COMPLETED,
    ADL + "terminated": TERMINATED,
    ADL + "attempted": ATTEMPTED,
    ADL + "answered": ANSWERED,
    ADL + "passed": PASSED,
    ADL + "failed": FAILED,
    "https://w3id.org/xapi/adl/verbs/logged-in": LOGGED_IN,
    "http://id.tincanapi.com/verb/viewed": VIEWED,
    ZJ_VERBS + "exam-session-started": EXAM_STARTED,
    ZJ_VERBS + "reauth-failed": REAUTH_FAILED,
    ZJ_VERBS + "reauth-passed": REAUTH_PASSED,
    ZJ_VERBS + "snapshot-flagged": SNAPSHOT_FLAGGED,
    ZJ_VERBS + "answer-revealed": ANSWER_REVEALED,
}
IRI_OF = {code: iri for iri, code in VERBS.items()}
SHORT = {code: iri.rstrip("/").rsplit("/", 1)[-1] for iri, code in VERBS.items()}

VIDEO_VERBS = (INITIALIZED, PLAYED, PAUSED, SEEKED, PROGRESSED, COMPLETED, TERMINATED)
# Verbs after which the playhead is moving (a playing stretch starts there).
PLAYING_FROM = (PLAYED, PROGRESSED, SEEKED)
# Verbs that end a playing stretch (the playhead they carry is where the stretch ended).
PLAYING_TO = (PROGRESSED, PAUSED, COMPLETED, TERMINATED)
# What counts as a person doing something (not a player reporting on its own).
INTERACTIONS = (PAUSED, SEEKED, ATTEMPTED, ANSWERED, VIEWED, ANSWER_REVEALED)
EXAM_VERBS = (EXAM_STARTED, REAUTH_FAILED, REAUTH_PASSED, SNAPSHOT_FLAGGED)

# Event kinds (what the object is).
KIND_OTHER, KIND_VIDEO, KIND_QUESTION, KIND_EXAM = 0, 1, 2, 3

# Extensions.
EXT_SESSION = VIDEO + "extensions/session-id"
EXT_LENGTH = VIDEO + "extensions/length"
EXT_SPEED = VIDEO + "extensions/speed"
EXT_TIME = VIDEO + "extensions/time"
EXT_TIME_FROM = VIDEO + "extensions/time-from"
EXT_TIME_TO = VIDEO + "extensions/time-to"
EXT_PROGRESS = VIDEO + "extensions/progress"
EXT_CLIENT_IP = ZJ_EXT + "client-ip"
EXT_USER_AGENT = ZJ_EXT + "user-agent"
EXT_DEVICE = ZJ_EXT + "device-id"
EXT_VISITOR = ZJ_EXT + "visitor-id"
EXT_EXAM_SESSION = ZJ_EXT + "exam-session-id"
EXT_ITEM_CHARS = ZJ_EXT + "item-chars"
EXT_SNAPSHOT_SIMILARITY = ZJ_EXT + "snapshot-similarity"

VIDEO_TYPE = VIDEO + "activity-type/video"
ASSESSMENT_TYPE = "http://adlnet.gov/expapi/activities/assessment"
QUESTION_TYPE = "http://adlnet.gov/expapi/activities/cmi.interaction"
EXAM_TYPE = "https://zhijiao.cn/xapi/activity-type/exam"
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
