"""Tokens and phrase matching for target stance: a text's word tokens as parallel tuples, and a
longest-match phrase finder keyed by the first word (linear in the text; no regular expression can
backtrack on a long line)."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

# Words (with inner apostrophes: "putin's", "don't") or sentence breaks. No nested quantifiers that
# can overlap: each repetition starts with an apostrophe, so matching is linear.
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)*|[.!?;\n]")
_ABBREV = re.compile(r"\b([A-Z])\.([A-Z])\.")  # U.S. -> US, so the case-sensitive alias matches
_QUOTES = re.compile(
    r"\"([^\"\n]{1,60})\"|\u201c([^\u201d\n]{1,60})\u201d|(?<![A-Za-z])'([^'\n]{1,60})'(?![A-Za-z])"
    r"|\u2018([^\u2019\n]{1,60})\u2019(?![A-Za-z])"
)
_BREAKS = frozenset(".!?;\n")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)*")  # _TOKEN's words
_BREAK_SPLIT = re.compile(r"[.!?;\n]")  # _TOKEN's breaks
_URL = re.compile(r"(?:https?://|www\.)\S+")

# --------------------------------------------------------------------------------------------
# Tokens and phrase matching


class _Tokens:
    """A text's word tokens as parallel tuples: ``low[i]``, ``base[i]``, ``orig[i]``, ``start[i]``,
    ``end[i]``, ``sent[i]`` describe token ``i``.

    Why columns rather than one object per token: a comment corpus has hundreds of thousands of
    tokens, and that many small objects (each tracked by the garbage collector) made collection a
    third of this stage's time. Plain tuples of strings and integers are dropped from the
    collector's lists after their first pass.

    ``low`` is lower-cased with curly apostrophes straightened, ``base`` is ``low`` without a
    possessive 's, ``orig`` the spelling in the text, ``start``/``end`` character offsets into the
    text (kept exact, so evidence quotes the text), ``sent`` the sentence number.
    """

    __slots__ = ("base", "end", "low", "orig", "sent", "start")

    def __init__(self, rows: list[tuple[str, str, str, int, int, int]]):
        if rows:
            self.low, self.base, self.orig, self.start, self.end, self.sent = zip(*rows)
        else:
            self.low = self.base = self.orig = self.start = self.end = self.sent = ()

    def __len__(self) -> int:
        return len(self.low)


def _tokenise(text: str) -> _Tokens:
    """Word tokens with character offsets into ``text`` (kept exact, so evidence quotes the text).

    Break characters never occur inside a word token, so the text is cut at them and each piece's
    words found at once: a piece with words is one sentence. The words are lower-cased as one
    joined string (they are ASCII letters, digits and apostrophes, so no spelling changes length
    or merges), which keeps the per-token Python work to the possessive cut where there is one."""
    if "." in text:  # U.S. -> "US  ": the same length, so offsets stay true
        text = _ABBREV.sub(lambda m: m.group(1) + m.group(2) + "  ", text)
    if "http" in text or "www." in text:  # a link's words ("bbc.com/news") are not mentions
        text = _URL.sub(lambda m: " " * len(m.group()), text)
    orig: list[str] = []
    sents: list[int] = []
    sent = 0
    words = _WORD.findall
    for piece in _BREAK_SPLIT.split(text):
        ws = words(piece)
        if ws:
            orig += ws
            sents += [sent] * len(ws)
            sent += 1
    if not orig:
        return _Tokens([])
    joined = " ".join(orig).lower()
    if "'" in joined or "\u2019" in joined:
        lows = tuple(joined.replace("\u2019", "'").split(" "))
        bases = tuple(w[:-2] if w.endswith("'s") else (w[:-1] if w.endswith("s'") else w) for w in lows)
    else:
        lows = tuple(joined.split(" "))
        bases = lows
    # ``find`` from the previous token's end gives each token's offset: no skipped character can
    # start a token (else the pattern would have matched there), so the first occurrence at or
    # after the previous end is the token itself.
    find = text.find
    starts, ends = [], []
    end = 0
    for w in orig:
        start = find(w, end)
        end = start + len(w)
        starts.append(start)
        ends.append(end)
    toks = _Tokens.__new__(_Tokens)
    toks.low, toks.base, toks.orig, toks.start, toks.end, toks.sent = \
        lows, bases, tuple(orig), tuple(starts), tuple(ends), tuple(sents)
    return toks


@dataclass(frozen=True)
class _Word:
    text: str
    prefix: bool = False
    case: bool = False  # compare with the original spelling (aliases such as "US")

    def matches(self, toks: _Tokens, i: int) -> bool:
        if self.case:
            orig = toks.orig[i]
            return orig == self.text or orig == self.text + "'s"
        if self.prefix:
            return toks.low[i].startswith(self.text)
        return toks.low[i] == self.text or toks.base[i] == self.text


def _words(pattern: str, case: bool = False) -> tuple[_Word, ...]:
    out = []
    for w in _TOKEN.findall(pattern.replace("-", " ") if case else pattern.lower().replace("-", " ")):
        if w in _BREAKS:
            continue
        if not case:
            w = w.replace("\u2019", "'")
        out.append(_Word(w, False, case))
    if pattern.endswith("*") and out:
        out[-1] = _Word(out[-1].text, True, case)
    return tuple(out)


class _Matcher:
    """Longest-match phrase finder keyed by the first word (and a 4-letter key for prefixes)."""

    def __init__(self) -> None:
        self._exact: dict[str, list] = defaultdict(list)
        self._prefix: dict[str, list] = defaultdict(list)
        self._compiled: dict[str, tuple] | None = None
        self._keys: frozenset[str] = frozenset()

    def add(self, pattern: str, payload, case: bool = False) -> None:
        words = _words(pattern, case)
        if not words:
            return
        first = words[0]
        if first.prefix and len(words) == 1:
            key = first.text[:4]
            self._prefix[key].append((words, payload))
        else:
            self._exact[first.text.lower()].append((words, payload))
        self._compiled = None

    def _entries(self) -> dict[str, tuple]:
        """``_exact`` in the form ``find`` checks fastest, built on first use after an ``add``.

        Each key maps to ``(gate, entries)``; each entry becomes ``(length, payload, words,
        first_needs_check, second_text)``. An entry is looked up under its own first word, so that
        word needs checking only when it is case-sensitive; ``second_text`` is the second word of a
        phrase when it is a plain (case-blind, non-prefix) word, compared inline before anything
        else, since most phrases that share a first word with the text fail right there. ``gate``:
        when every entry of a key is such a phrase, the set of their second words, so a frequent
        first word ("the" of "the article") is dismissed with one lookup of the next word."""
        if self._compiled is None:
            compiled = {}
            for key, lst in self._exact.items():
                entries = tuple(
                    (len(words), payload, words, words[0].case,
                     words[1].text if len(words) > 1 and not words[1].case and not words[1].prefix else None)
                    for words, payload in lst)
                gate = frozenset(e[4] for e in entries) if all(e[4] is not None for e in entries) else None
                compiled[key] = (gate, entries)
            self._compiled = compiled
            self._keys = frozenset(compiled)
        return self._compiled

    def find(self, toks: _Tokens, greedy: bool = True, vocab: set | None = None) -> list:
        """(start, end, payload) for matches within one sentence; greedy skips covered tokens.

        ``vocab``: the text's lower-cased words, when known, to skip a text no phrase can start in.

        Only tokens whose word (or possessive-less base, or 4-letter prefix key) starts some
        entry are visited; they are picked out in one comprehension first, since in most texts
        few words can start a phrase and a Python loop over every token was the cost here.
        Entries are tried in the order they were added, longest match winning, as always.
        """
        prefix = self._prefix
        exact = self._entries()
        if vocab is not None and not prefix and self._keys.isdisjoint(vocab):
            return []
        lows, bases, sents = toks.low, toks.base, toks.sent
        n = len(lows)
        # The positions where some entry may start: a word (or, where a possessive was cut, its
        # base) that is a key, or a 4-letter prefix key.
        if bases == lows:  # no possessive in the text (the same string objects: a quick compare)
            if prefix:
                starts = [i for i, w in enumerate(lows) if w in exact or w[:4] in prefix]
            else:
                starts = [i for i, w in enumerate(lows) if w in exact]
        elif prefix:
            starts = [i for i in range(n) if lows[i] in exact or bases[i] in exact or lows[i][:4] in prefix]
        else:
            starts = [i for i in range(n) if lows[i] in exact or bases[i] in exact]
        out = []
        free = 0  # greedy: the first token not inside an earlier match
        for i in starts:
            if i < free:
                continue
            low, base = lows[i], bases[i]
            best = None
            best_len = 0
            for key in (low, base) if base != low else (low,):
                got = exact.get(key)
                if got is None:
                    continue
                gate, entries = got
                if gate is not None and (i + 1 >= n or (lows[i + 1] not in gate and bases[i + 1] not in gate)):
                    continue
                for k, payload, words, check_first, second in entries:
                    if k <= best_len:
                        continue
                    if k == 1:
                        if not check_first or words[0].matches(toks, i):
                            best, best_len = (i, i + 1, payload), 1
                        continue
                    if i + k > n:
                        continue
                    sent = sents[i]
                    if sents[i + 1] != sent:
                        continue
                    if second is not None:
                        if lows[i + 1] != second and bases[i + 1] != second:
                            continue
                    elif not words[1].matches(toks, i + 1):
                        continue
                    if check_first and not words[0].matches(toks, i):
                        continue
                    if all(words[j].matches(toks, i + j) and sents[i + j] == sent for j in range(2, k)):
                        best, best_len = (i, i + k, payload), k
            if best is None and prefix:
                for words, payload in prefix.get(low[:4], ()):
                    if words[0].matches(toks, i):
                        best = (i, i + 1, payload)
                        break
            if best is not None:
                out.append(best)
                if greedy:
                    free = best[1]
        return out



def _run_name(toks, run) -> tuple[str, bool]:
    """A run of capitalised tokens as a name, and whether it opens its sentence."""
    name = " ".join(toks.orig[i][:-2] if toks.orig[i].lower().endswith("'s") else toks.orig[i] for i in run)
    first = run[0]
    return name, first == 0 or toks.sent[first - 1] != toks.sent[first]


def _span(text, toks, s, e) -> str:
    span = " ".join(text[toks.start[s]: toks.end[e - 1]].split())
    return span if len(span) <= 60 else span[:57] + "..."


def _sentences_text(text, sents) -> str:
    toks = _tokenise(text)
    parts = []
    for sent in sents[:3]:
        ts = [i for i, sn in enumerate(toks.sent) if sn == sent]
        if ts:
            parts.append(text[toks.start[ts[0]]: toks.end[ts[-1]]])
    return " ".join(" ".join(parts).split())[:500]
