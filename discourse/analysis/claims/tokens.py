"""Tokens of the claims ledger: one regular expression, a phrase index over token sequences, and
the small helpers every part uses (digit values, joining tokens back into text, sentence windows).

Text is tokenised with one regular expression without nested ambiguity and all matching is done on
tokens, so long or hostile lines cost linear time.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

# Digits (with separators kept inside one token), words (with an inner apostrophe: Ukraine's),
# or any other single non-space character. No alternative can match the same text two ways, so
# a megabyte of digits and commas is one linear scan.
_TOKEN = re.compile(r"\d(?:[\d,.]*\d)?|[^\W\d_]+(?:['’‘][^\W\d_]+)*|\S")
_DIGIT = re.compile(r"\d")
_WORDS = re.compile(r"[^\W\d_]+")
_QUOTES = set("\"“”„«»‘’'")
_OPEN_QUOTES = set("“„«")
_POSSESSIVE = re.compile(r"['’‘]s$", re.IGNORECASE)
_MAX_NUMBER_CHARS = 24  # longer digit runs are identifiers or noise, never a reported figure
_MAX_SENTENCE_CHARS = 2000  # a longer "sentence" (no punctuation in a pasted table) is cut into windows

# Units of measurement (as opposed to counted things): a figure in one cannot be compared with a
# figure in another, and a verb in a list of counted things does not reach across them.
_MEASURES = frozenset({"%", "times", "km", "m", "m2", "km2", "kg", "tonnes", "USD", "EUR", "GBP", "RUB",
                       "UAH", "CNY", "JPY", "miles", "ha", "acres", "barrels", "litres", "percentage points"})


@dataclass(slots=True)
class _Tok:
    text: str
    low: str
    start: int
    end: int
    kind: str  # "num", "word", "punct"


def _tokenise(text: str, offset: int = 0) -> list[_Tok]:
    out = []
    for m in _TOKEN.finditer(text):
        t = m.group()
        c = t[0]
        kind = "num" if c.isdigit() else ("word" if c.isalpha() else "punct")
        out.append(_Tok(t, t.lower(), m.start() + offset, m.end() + offset, kind))
    return out


def _phrase_tokens(phrase: str) -> tuple[str, ...]:
    return tuple(t.lower() for t in _TOKEN.findall(phrase))


class _PhraseIndex:
    """Multi-word phrase lookup on token sequences: first token -> phrases, longest first."""

    def __init__(self) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], str, Any]]] = {}

    def add(self, phrase: str, category: str, payload: Any = None) -> None:
        toks = _phrase_tokens(phrase)
        if toks:
            lst = self._by_first.setdefault(toks[0], [])
            lst.append((toks, category, payload))
            lst.sort(key=lambda x: -len(x[0]))

    def matches(self, low: list[str]) -> list[tuple[str, int, int, Any]]:
        """Every (category, start token, end token, payload), longest phrase per category and start."""
        out = []
        n = len(low)
        get = self._by_first.get
        for i, w in enumerate(low):
            cands = get(w)
            if not cands:
                continue
            seen: set[str] = set()
            for toks, cat, payload in cands:
                if cat in seen:
                    continue
                k = len(toks)
                if i + k <= n and (k == 1 or tuple(low[i:i + k]) == toks):
                    seen.add(cat)
                    out.append((cat, i, i + k, payload))
        return out


def _parse_digits(t: str) -> float | None:
    """Value of a digit token, or None when its separators do not form a number (1,2,3; 1.2.3)."""
    if len(t) > _MAX_NUMBER_CHARS:
        return None
    if "," in t:
        intpart, _, frac = t.partition(".")
        groups = intpart.split(",")
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            return None
        if frac and ("," in frac or "." in frac):
            return None
        t = intpart.replace(",", "") + ("." + frac if frac else "")
    elif t.count(".") > 1:
        return None
    try:
        return float(t)
    except ValueError:
        return None


def _fmt(v: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "?"
    if math.isinf(v):
        return "∞"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


def _windows(text: str, spans: list[tuple[int, int]]):
    """Sentence spans, with overlong ones cut at a space, so that work and memory stay per window
    (a megabyte without a full stop is many windows, not one huge token list)."""
    for s, e in spans:
        while e - s > _MAX_SENTENCE_CHARS:
            lo, hi = s + _MAX_SENTENCE_CHARS // 2, s + _MAX_SENTENCE_CHARS
            cut = max(text.rfind(", ", lo, hi), text.rfind("; ", lo, hi)) + 1 or text.rfind(" ", lo, hi)
            if cut <= s:
                cut = s + _MAX_SENTENCE_CHARS
                # never split a run of digits and separators: move to its end (bounded)
                while cut < e and cut - s < 2 * _MAX_SENTENCE_CHARS and (text[cut].isdigit() or text[cut] in ",."):
                    cut += 1
            yield s, cut
            s = cut
        yield s, e


def _join_tokens(toks: list[_Tok]) -> list[str]:
    """Tokens back into words, gluing pieces that had no space between them."""
    out: list[str] = []
    prev_end = None
    for t in toks:
        if out and prev_end == t.start:
            out[-1] += t.text
        else:
            out.append(t.text)
        prev_end = t.end
    return out


def _span_text(toks: list[_Tok], a: int, b: int) -> str:
    return " ".join(_join_tokens(toks[a:b]))
