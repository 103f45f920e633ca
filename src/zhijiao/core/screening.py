"""Sensitive-word screening (敏感词筛查): an Aho–Corasick automaton over an editable dictionary.

Any domain can call :func:`scan` on any text (resource titles, extracted document text, job postings…).
Text and dictionary words are compared in a *normalised* form, so the usual evasions still match:

* full-width and half-width forms and other compatibility forms are unified (NFKC): ``ＡＢＣ１`` = ``abc1``;
* case is folded: ``VPN`` = ``vpn``;
* spaces, punctuation, symbols and invisible characters between the characters of a word are ignored:
  ``赌 博``, ``赌.博``, ``赌★博`` and ``赌\u200b博`` all match ``赌博``.

Hits are reported with their position in the *original* text and a short context snippet.

The automaton is built once per dictionary version and kept in the process. Before each scan the
process reads the dictionary's version signature (row count, highest id, latest change: one indexed
aggregate query, well under a millisecond) and rebuilds when it differs, so a word added through any
worker is enforced by every worker on its next scan, and a transaction sees its own uncommitted edits.
"""

from __future__ import annotations

import threading
import unicodedata
from collections import deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache

CONTEXT_CHARS = 12
MARK_OPEN, MARK_CLOSE = "【", "】"


@lru_cache(maxsize=65536)
def _fold(char: str) -> str:
    """The normalised form of one character: '' for ignorable characters, else NFKC + casefold."""
    folded = unicodedata.normalize("NFKC", char).casefold()
    return "".join(c for c in folded if not _ignorable(c))


def _ignorable(char: str) -> bool:
    # Z* separators (spaces), P* punctuation, S* symbols (★, emoji, +), C* controls and format characters
    # (zero-width spaces and joiners).
    return unicodedata.category(char)[0] in "ZPSC"


def normalise(text: str) -> str:
    """``text`` as the automaton sees it."""
    return "".join(_fold(c) for c in text)


def normalise_with_positions(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index of the original character it came from."""
    out: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        folded = _fold(char)
        if folded:
            out.append(folded)
            positions.extend([index] * len(folded))
    return "".join(out), positions


@dataclass(frozen=True)
class Hit:
    """One dictionary word found in a text. ``start``/``end`` index the original text (end exclusive)."""

    word: str
    category: str
    start: int
    end: int
    matched: str
    context: str

    def as_dict(self) -> dict:
        return asdict(self)


class Automaton:
    """Aho–Corasick automaton over normalised words; each word carries a payload (word, category)."""

    def __init__(self, entries: Iterable[tuple[str, str]]):
        self._goto: list[dict[str, int]] = [{}]
        self._fail: list[int] = [0]
        self._out: list[list[int]] = [[]]
        self.words: list[tuple[str, str, int]] = []  # (display word, category, normalised length)
        for word, category in entries:
            key = normalise(word)
            if key:
                self._insert(key, (word, category))
        self._link()

    def __len__(self) -> int:
        return len(self.words)

    def _insert(self, key: str, payload: tuple[str, str]) -> None:
        state = 0
        for char in key:
            nxt = self._goto[state].get(char)
            if nxt is None:
                nxt = len(self._goto)
                self._goto[state][char] = nxt
                self._goto.append({})
                self._fail.append(0)
                self._out.append([])
            state = nxt
        self._out[state].append(len(self.words))
        self.words.append((payload[0], payload[1], len(key)))

    def _link(self) -> None:
        queue = deque(self._goto[0].values())
        while queue:
            state = queue.popleft()
            for char, nxt in self._goto[state].items():
                queue.append(nxt)
                fallback = self._fail[state]
                while fallback and char not in self._goto[fallback]:
                    fallback = self._fail[fallback]
                target = self._goto[fallback].get(char, 0)
                self._fail[nxt] = target if target != nxt else 0
                # Outputs of the longest proper suffix are outputs here too.
                self._out[nxt] = self._out[nxt] + self._out[self._fail[nxt]]

    def find(self, normalised: str) -> list[tuple[int, int, int]]:
        """Every occurrence, overlapping ones included: (start, end, word index) in ``normalised``."""
        goto, fail, out, words = self._goto, self._fail, self._out, self.words
        found = []
        state = 0
        for index, char in enumerate(normalised):
            while state and char not in goto[state]:
                state = fail[state]
            state = goto[state].get(char, 0)
            if out[state]:
                for word_index in out[state]:
                    length = words[word_index][2]
                    found.append((index + 1 - length, index + 1, word_index))
        return found

    def scan(self, text: str) -> list[Hit]:
        if not text or not self.words:
            return []
        normalised, positions = normalise_with_positions(text)
        hits = []
        for start, end, word_index in self.find(normalised):
            word, category, _length = self.words[word_index]
            original_start, original_end = positions[start], positions[end - 1] + 1
            hits.append(Hit(word=word, category=category, start=original_start, end=original_end,
                            matched=text[original_start:original_end],
                            context=context_snippet(text, original_start, original_end)))
        hits.sort(key=lambda hit: (hit.start, hit.end))
        return hits


def context_snippet(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    """``…before【hit】after…`` on one line."""
    left = max(0, start - width)
    right = min(len(text), end + width)
    snippet = (("…" if left else "") + text[left:start] + MARK_OPEN + text[start:end] + MARK_CLOSE
               + text[end:right] + ("…" if right < len(text) else ""))
    return " ".join(snippet.split())


# --- The dictionary-backed automaton of this process ----------------------------------------------

_lock = threading.Lock()
_current: tuple[str, Automaton] | None = None


def dictionary_signature() -> str:
    """A value that changes whenever an enabled word is added, edited, disabled or removed."""
    from django.db.models import Count, Max

    from zhijiao.core.models import SensitiveWord

    agg = SensitiveWord.objects.aggregate(n=Count("id"), top=Max("id"), changed=Max("updated_at"))
    changed = agg["changed"].isoformat() if agg["changed"] else "-"
    return f"{agg['n']}:{agg['top'] or 0}:{changed}"


def dictionary_changed() -> None:
    """Drop this process's automaton now (the next scan rebuilds it even if the signature looks the same)."""
    global _current
    _current = None


def current_automaton() -> Automaton:
    global _current
    version = dictionary_signature()
    built = _current
    if built is not None and built[0] == version:
        return built[1]
    with _lock:
        if _current is not None and _current[0] == version:
            return _current[1]
        from zhijiao.core.models import SensitiveWord

        rows = SensitiveWord.objects.filter(enabled=True).values_list("word", "category")
        automaton = Automaton(rows.iterator())
        _current = (version, automaton)
        return automaton


def scan(text: str) -> list[Hit]:
    """Every enabled dictionary word in ``text``, in order of position (overlapping hits included)."""
    return current_automaton().scan(text or "")


def scan_fields(fields: dict[str, str]) -> dict[str, list[Hit]]:
    """Scan several named texts (title, summary, extracted text…) with one automaton; only fields with hits."""
    automaton = current_automaton()
    result = {}
    for name, text in fields.items():
        hits = automaton.scan(text or "")
        if hits:
            result[name] = hits
    return result
