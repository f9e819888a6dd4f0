"""The frame and technique catalogues compiled for matching: words, stems, cues, safe patterns.

Both catalogues (``discourse/data/frames.json`` and ``discourse/data/techniques.json``) become one
phrase index keyed by the first stem of each cue, plus the regular-expression patterns (checked for
catastrophic backtracking) and the repetition detector's settings. :mod:`.tagger` reads them.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

# Words: letters/digits with an optional apostrophe part ("don't", "Putin's"); hyphens split words
# so "so-called" and "so called", "meat-grinder" and "meat grinder" match alike.
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)?")
_SUFFIXES = (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))


def _stem_uncached(word: str) -> str:
    w = word.lower().replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    elif w.endswith("'"):
        w = w[:-1]
    if len(w) <= 3 or not w.isalpha():
        return w
    for suffix, repl in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: len(w) - len(suffix)] + repl
            break
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]
    return w


_STEMS: dict[str, str] = {}


def stem(word: str) -> str:
    """Light, predictable stemming: cue "slaughter" matches "slaughtered", "atrocity" "atrocities".

    Cue terms and text go through the same function, so odd stems only ever meet each other.
    """
    s = _STEMS.get(word)
    if s is None:
        s = _stem_uncached(word)
        if len(_STEMS) < 500_000:
            _STEMS[word] = s
    return s


# Characters a token can hold: where both sides of a sentence edge are among them, a token might
# cross it, and the sentence is tokenised as part of its unit instead of alone.
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'\u2019")


def _unit_tokens(text: str, spans) -> list[list[re.Match]]:
    """Per sentence span, the tokens of ``text`` that start in it (a token may run past its end)."""
    toks: list[list[re.Match]] = [[] for _ in spans]
    si = 0
    last = len(spans) - 1
    for m in _TOKEN.finditer(text):
        s = m.start()
        while si < last and s >= spans[si][1]:
            si += 1
        if spans[si][0] <= s < spans[si][1]:
            toks[si].append(m)
    return toks


def normalise_phrase(phrase: str) -> tuple[str, ...]:
    """A cue term as the tuple of stems it must match, word by word."""
    return tuple(stem(m.group()) for m in _TOKEN.finditer(phrase))


_QUANT_AFTER = re.compile(r"[*+{]")


def check_safe_pattern(pattern: str) -> None:
    """Refuse patterns that can backtrack catastrophically on long untrusted lines.

    Nested quantifiers (a quantified group holding an unbounded quantifier) and backreferences are
    rejected; everything else in a catalogue should also be bounded (``{0,120}``), which the
    catalogue tests check.
    """
    if re.search(r"\\[1-9]|\(\?P=", pattern):
        raise ValueError(f"pattern {pattern!r}: backreferences are not allowed")
    stack: list[bool] = []  # per open group: does it contain a quantifier?
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
        elif c == "(":
            stack.append(False)
        elif c == ")":
            inner = stack.pop() if stack else False
            nxt = pattern[i + 1] if i + 1 < n else ""
            if inner and _QUANT_AFTER.match(nxt):
                raise ValueError(f"pattern {pattern!r}: nested quantifiers are not allowed")
            if stack:
                stack[-1] = stack[-1] or inner or bool(_QUANT_AFTER.match(nxt))
        elif stack and (c in "*+{" or (c == "?" and i > 0 and pattern[i - 1] not in "(?")):
            stack[-1] = True
        i += 1


@dataclass
class _Entry:
    kind: str
    name: str
    threshold: float
    detector: str | None = None
    params: dict = field(default_factory=dict)
    patterns: list = field(default_factory=list)  # (compiled, weight, triggers, source)
    examples: list = field(default_factory=list)


@dataclass(frozen=True)
class _RepetitionParams:
    """The repetition detector's settings, read (with their defaults) once per catalogue."""

    word_min_length: int
    word_min_count: int
    word_weight: float
    word_max_sentence_words: int
    phrase_min_words: int
    phrase_weight_same_sentence: float
    bigram_weight: float
    phrase_earlier_min_words: int
    phrase_earlier_min_content: int
    phrase_weight_earlier: float

    @classmethod
    def of(cls, p: Mapping) -> _RepetitionParams:
        return cls(word_min_length=int(p.get("word_min_length", 4)), word_min_count=int(p.get("word_min_count", 3)),
                   word_weight=float(p.get("word_weight", 0.7)),
                   word_max_sentence_words=int(p.get("word_max_sentence_words", 40)),
                   phrase_min_words=int(p.get("phrase_min_words", 2)),
                   phrase_weight_same_sentence=float(p.get("phrase_weight_same_sentence", 0.7)),
                   bigram_weight=float(p.get("bigram_weight", 0.4)),
                   phrase_earlier_min_words=int(p.get("phrase_earlier_min_words", 3)),
                   phrase_earlier_min_content=int(p.get("phrase_earlier_min_content", 2)),
                   phrase_weight_earlier=float(p.get("phrase_weight_earlier", 0.4)))


class _Scored:
    """One sentence's matching result, shared by every occurrence of the same sentence.

    ``hits``: {entry: {cue key: (weight, evidence, a, b)}} without "said before" phrases, which
    depend on the unit; ``repeats``: per repetition entry (entry, weight, candidate phrases, their
    first token, phrase length) to check against the unit's earlier sentences; ``src`` and ``toks``
    (the word matches, or None to tokenise ``src`` again) quote those phrases; ``decided`` memoises
    :meth:`FrameTagger._decide` of ``hits`` when nothing was said before.
    """

    __slots__ = ("decided", "hits", "repeats", "src", "toks")

    def __init__(self, hits, repeats, src, toks):
        self.hits, self.repeats, self.src, self.toks = hits, repeats, src, toks
        self.decided = None


@dataclass(frozen=True)
class _Cue:
    entry: int
    words: tuple[str, ...]
    weight: float
    text: str
    context: frozenset | None


class _Catalogue:
    """Both catalogues compiled into one phrase index keyed by the first stem."""

    def __init__(self, frames: Mapping, techniques: Mapping):
        self.entries: list[_Entry] = []
        self.index: dict[str, list[_Cue]] = {}
        for kind, spec in (("frame", frames.get("frames", [])), ("technique", techniques.get("techniques", []))):
            for item in spec:
                self._add(kind, item)
        # What matching reads per sentence, flattened once. Per first stem: the one-word cues, and
        # the longer ones by their second stem (a common first word like "the" starts dozens), each
        # as (entry, stems after the second as a list, length, weight, key, context words not in the
        # cue or None). Where two cues meet one stretch their key (the stretch's stems) differs, so
        # the order they are tried in changes nothing.
        self.fast_index: dict[str, tuple[list[tuple], dict[str, list[tuple]]]] = {}
        for first, cues in self.index.items():
            singles: list[tuple] = []
            longer: dict[str, list[tuple]] = {}
            for c in cues:
                fast = (c.entry, list(c.words[2:]), len(c.words), c.weight, " ".join(c.words),
                        None if c.context is None else c.context - set(c.words))
                if len(c.words) == 1:
                    singles.append(fast)
                else:
                    longer.setdefault(c.words[1], []).append(fast)
            self.fast_index[first] = (singles, longer)
        self.first_stems = frozenset(self.index)
        # Patterns in catalogue order as (entry, regex, weight, triggers, note, key); every trigger
        # of any pattern (an empty one, present in any text, when a pattern has none).
        self.patterns = [(ei, rx, w, trig, note, "pattern:" + rx.pattern)
                         for ei, e in enumerate(self.entries) for rx, w, trig, note in e.patterns]
        self.triggers = tuple(dict.fromkeys(t for _, _, _, trig, _, _ in self.patterns for t in trig))
        self.repetition = [(ei, _RepetitionParams.of(e.params)) for ei, e in enumerate(self.entries)
                           if e.detector == "repetition"]

    def _add(self, kind: str, item: Mapping) -> None:
        idx = len(self.entries)
        entry = _Entry(kind=kind, name=item["name"], threshold=float(item.get("threshold", 0.5)),
                       detector=item.get("detector"), params=dict(item.get(item.get("detector") or "", {}) or {}),
                       examples=list(item.get("examples", [])))
        best: dict[tuple, _Cue] = {}
        for group in item.get("cues", []):
            weight = float(group.get("weight", 0.5))
            context = group.get("context")
            ctx = frozenset(normalise_phrase(" ".join(context))) if context else None
            for term in group.get("terms", []):
                key = normalise_phrase(term)
                if not key:
                    continue
                old = best.get((key, ctx))
                if old is None or old.weight < weight:
                    best[(key, ctx)] = _Cue(idx, key, weight, term, ctx)
        for cue in best.values():
            self.index.setdefault(cue.words[0], []).append(cue)
        for pat in item.get("patterns", []):
            check_safe_pattern(pat["pattern"])
            flags = 0 if pat.get("case_sensitive") else re.IGNORECASE
            triggers = tuple(t.lower() for t in pat.get("trigger", [])) or ("",)
            entry.patterns.append((re.compile(pat["pattern"], flags), float(pat.get("weight", 0.5)), triggers,
                                   pat.get("note") or pat["pattern"]))
        self.entries.append(entry)


def _merge_nested(cues) -> list[tuple[float, str]]:
    """One cue per stretch of text: "the result of" also matches "result of" and "result", which
    must not count three times. A cue inside a longer one lends it its weight (and evidence) if
    stronger."""
    if len(cues) == 1:  # nothing to nest (the common case)
        (w, ev, _, _), = cues
        return [(w, ev)]
    cues = sorted(cues, key=lambda c: (c[2] - c[3], c[2]))  # longest first
    kept: list[list] = []
    for w, ev, a, b in cues:
        if a >= 0:
            outer = next((k for k in kept if k[2] <= a and b <= k[3]), None)
            if outer is not None:
                if w > outer[0]:
                    outer[0], outer[1] = w, ev
                continue
        kept.append([w, ev, a, b])
    return [(w, ev) for w, ev, _, _ in kept]
