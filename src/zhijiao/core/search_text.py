"""Text analysis for search (检索分词): Chinese segmentation, pinyin, synonyms and the query parser.

Everything here is pure Python and database-free, so the SQLite and PostgreSQL storages see exactly the
same tokens. A token is a run of letters and digits after NFKC normalisation (full-width → half-width)
and case folding; Chinese runs are cut into words by jieba with the curriculum-terms dictionary
``data/search_terms.txt`` on top of jieba's own.

* Documents are cut in jieba's *search* mode (a long word and the shorter words inside it: 一元二次方程 →
  一元, 二次, 方程, 一元二次方程), so a query for any of them matches.
* Queries are cut in *precise* mode (the longest words), each of which the search-mode index contains.
* Titles and keywords also get pinyin tokens: full spelling and initials of each word and of runs of two
  or three neighbouring words (数学 → ``shuxue``, ``sx``; 数学函数 → ``shuxuehanshu``, ``sxhs``), so a
  query typed in pinyin finds the Chinese words.
* Synonyms (``data/search_synonyms.txt``) are expanded at query time only.

Segmentation is cached per run of text between punctuation, which makes bulk indexing of titles built
from recurring lesson names and phrases much cheaper than segmenting every document from scratch.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
TERMS_FILE = DATA_DIR / "search_terms.txt"
SYNONYMS_FILE = DATA_DIR / "search_synonyms.txt"

MAX_QUERY_LENGTH = 100
MAX_QUERY_TERMS = 8
# Function words that say nothing about what a text is about; never indexed, dropped from queries.
STOP_WORDS = frozenset({
    "的", "了", "和", "与", "及", "或", "是", "在", "之", "也", "而", "并", "等", "对", "把", "被", "让", "给", "这",
    "那", "个", "着", "吗", "呢", "吧", "啊", "the", "of", "and", "or", "to", "in", "on", "for",
})

_RUN = re.compile(r"[^\W_]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_QUERY_PART = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')

_jieba_lock = threading.Lock()
_jieba = None


def _tokenizer():
    """jieba's tokenizer with our dictionary, loaded once per process (about a second)."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                tokenizer.load_userdict(str(TERMS_FILE))
                _jieba = tokenizer
    return _jieba


def warm_up() -> None:
    """Load the segmentation dictionary now (before forking workers, say) rather than on first use."""
    _tokenizer()


def fold(text: str) -> str:
    """NFKC (full-width → half-width) and case folding."""
    return unicodedata.normalize("NFKC", text or "").casefold()


def runs(text: str) -> list[str]:
    """The runs of letters and digits in the folded text; everything else separates."""
    return _RUN.findall(fold(text))


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


@lru_cache(maxsize=200_000)
def _cut_for_index(run: str) -> tuple[str, ...]:
    if not has_cjk(run):
        return (run,)
    return tuple(t for t in _tokenizer().cut_for_search(run, HMM=False) if t not in STOP_WORDS and _RUN.fullmatch(t))


@lru_cache(maxsize=200_000)
def _cut_precise(run: str) -> tuple[str, ...]:
    if not has_cjk(run):
        return (run,)
    return tuple(t for t in _tokenizer().cut(run, HMM=False) if t not in STOP_WORDS and _RUN.fullmatch(t))


def index_tokens(text: str) -> list[str]:
    """Tokens of a document field (search mode: long words and the words inside them)."""
    tokens: list[str] = []
    for run in runs(text):
        tokens.extend(_cut_for_index(run))
    return tokens


def words(text: str) -> list[str]:
    """The longest words of a text, in order (precise mode)."""
    tokens: list[str] = []
    for run in runs(text):
        tokens.extend(_cut_precise(run))
    return tokens


@lru_cache(maxsize=200_000)
def pinyin_of(word: str) -> tuple[str, str]:
    """(full spelling, initials) of a word: 数学 → ('shuxue', 'sx'). Non-Chinese characters pass through."""
    from pypinyin import lazy_pinyin

    syllables = [s for s in lazy_pinyin(word, errors=lambda chars: list(chars)) if s]
    return "".join(syllables), "".join(s[0] for s in syllables)


def pinyin_tokens(text: str, span: int = 3) -> list[str]:
    """Pinyin tokens of the Chinese words of ``text`` (search mode, so the words inside long words too) and
    of runs of up to ``span`` neighbouring words (joined from the words' own pinyin, no new lookups)."""
    tokens: list[str] = []
    chinese: list[tuple[str, str]] = []  # (full, initials) of the precise words, across spaces and punctuation
    for run in runs(text):
        if not has_cjk(run):
            continue
        tokens.extend(_run_pinyin(run))
        chinese.extend(pinyin_of(w) for w in _cut_precise(run) if has_cjk(w))
    for start in range(len(chinese)):
        for end in range(start + 2, min(start + span, len(chinese)) + 1):
            words_here = chinese[start:end]
            tokens.append("".join(full for full, _ in words_here))
            tokens.append("".join(initials for _, initials in words_here))
    return tokens


@lru_cache(maxsize=200_000)
def _run_pinyin(run: str) -> tuple[str, ...]:
    tokens = []
    for word in _cut_for_index(run):
        if has_cjk(word):
            full, initials = pinyin_of(word)
            tokens.append(full)
            if len(initials) > 1:
                tokens.append(initials)
    return tuple(tokens)


def pinyin_words(text: str) -> list[str]:
    """Pinyin tokens of each Chinese word of ``text`` (no neighbouring-word runs): for short phrases."""
    tokens: list[str] = []
    for run in runs(text):
        if has_cjk(run):
            tokens.extend(_run_pinyin(run))
    return tokens


# --- Synonyms ----------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def synonym_groups() -> dict[str, tuple[str, ...]]:
    """Each term (folded) → every term of its group, itself included."""
    groups: dict[str, tuple[str, ...]] = {}
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        terms = tuple(dict.fromkeys(fold(t) for t in line.split()))
        for term in terms:
            groups[term] = tuple(dict.fromkeys(groups.get(term, ()) + terms))
    return groups


# --- Queries -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One thing the query asks for: any of ``alternatives``, each a group of tokens that must all match."""

    text: str
    alternatives: tuple[tuple[str, ...], ...]


@dataclass
class ParsedQuery:
    """A parsed query: every term must match, no excluded token may."""

    text: str
    terms: list[Term] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.terms

    def marks(self) -> list[str]:
        """The strings to highlight in titles and snippets: each term and its synonyms."""
        found: dict[str, None] = {}
        for term in self.terms:
            for group in term.alternatives:
                for token in group:
                    found.setdefault(token, None)
            found.setdefault(term.text, None)
        return sorted(found, key=len, reverse=True)

    def relaxed(self) -> ParsedQuery:
        """The same terms, of which any one may match (the second try when nothing matches them all)."""
        alternatives = tuple(group for term in self.terms for group in term.alternatives)
        return ParsedQuery(self.text, [Term(self.text, alternatives)] if alternatives else [], self.excluded)


def _term_for(word: str) -> Term:
    groups = [(word,)]
    for synonym in synonym_groups().get(word, ()):
        tokens = tuple(words(synonym))
        if tokens and tokens not in groups:
            groups.append(tokens)
    return Term(word, tuple(groups))


def parse_query(text: str) -> ParsedQuery:
    """Parse what a person typed into a search box.

    Words separated by spaces must all match; a leading ``-`` excludes a word; ``"..."`` keeps several
    words together as one part. Chinese parts are cut into words, each of which must match (or one of
    its synonyms); a whole part that is itself a synonym (勾股定理 ↔ 毕达哥拉斯定理) may match as a whole.
    Latin parts match words, and pinyin full spellings and initials of Chinese words.
    """
    text = " ".join((text or "").split())[:MAX_QUERY_LENGTH]
    parsed = ParsedQuery(text)
    for match in _QUERY_PART.finditer(text):
        negate = bool(match.group(1) or match.group(3))
        part = match.group(2) if match.group(2) is not None else match.group(4)
        tokens = words(part)
        if not tokens:
            continue
        if negate:
            parsed.excluded.extend(t for t in tokens if t not in parsed.excluded)
            continue
        whole = "".join(runs(part))
        if len(tokens) > 1 and whole in synonym_groups():
            groups = [tuple(tokens)]
            for synonym in synonym_groups()[whole]:
                synonym_tokens = tuple(words(synonym))
                if synonym_tokens and synonym_tokens not in groups:
                    groups.append(synonym_tokens)
            parsed.terms.append(Term(whole, tuple(groups)))
            continue
        for token in tokens:
            if all(term.text != token for term in parsed.terms):
                parsed.terms.append(_term_for(token))
    del parsed.terms[MAX_QUERY_TERMS:]
    return parsed
