"""When a figure holds: date and period phrases in a sentence, the one governing each figure, and
the calendar date it resolves to given the unit's published date.

``in September``, ``on 24 February 2022``, ``since the war broke out``, ``in the last 24 hours``,
``2023-10-26``: each phrase is a (start token, end token, kind, info) span, and the numbers inside
it (days, years, "24 hours") are marked as not being quantities.
"""
from __future__ import annotations

import math
import re
from datetime import date, timedelta

from .lexicon import ClaimLexicon
from .tokens import _join_tokens, _parse_digits, _Tok

_ORDINAL = ("st", "nd", "rd", "th")
# words between a preposition and a date ("in early", "at the end of", "only")
_PREP_GLUE = ("early", "late", "mid", "the", "of", "end", "start", "beginning", "middle", "-", "just", "only",
              "alone")
_AMBIGUOUS_MONTHS = ("may", "mar", "jan", "jun", "jul", "aug", "oct", "nov", "dec", "sep", "feb", "apr", "sept")
_POINT_WORDS = ("yesterday", "today", "overnight", "tonight", "daily", "weekly", "monthly", "annually", "yearly")
# words that may stand between a period word and what comes before it ("the last few", "24")
_PERIOD_MODIFIERS = ("the", "last", "past", "previous", "next", "first", "same", "just", "recent", "few", "couple",
                     "coming", "preceding", "entire", "whole", "full", "-", "several", "alone", "only", "this",
                     "that", "a", "one", "per", "every", "each")
_RELATIVE = ("last", "past", "previous", "this", "next", "per", "every", "each", "a")


class _Scan:
    """One sentence's tokens while its periods are read, and what has been found so far."""

    def __init__(self, toks: list[_Tok]):
        self.toks = toks
        self.n = len(toks)
        self.low = [t.low for t in toks]
        self.excluded: set[int] = set()  # token positions that are parts of dates, not quantities
        self.phrases: list[tuple[int, int, str, dict]] = []

    def is_num(self, k: int) -> bool:
        return 0 <= k < self.n and self.toks[k].kind == "num"

    def num_val(self, k: int) -> float | None:
        return _parse_digits(self.toks[k].text) if self.is_num(k) else None

    def is_year(self, k: int) -> bool:
        t = self.toks[k].text if 0 <= k < self.n else ""
        return len(t) == 4 and t.isdigit() and 1800 <= int(t) <= 2100

    def adjacent(self, a: int, b: int) -> bool:
        return 0 <= a < self.n and 0 <= b < self.n and self.toks[a].end == self.toks[b].start

    def day_at(self, k: int) -> int | None:
        """The day of the month at token ``k`` (a whole number 1-31 that is not a year), or None."""
        v = self.num_val(k)
        return int(v) if v is not None and 1 <= v <= 31 and v.is_integer() and not self.is_year(k) else None


class PeriodRules(ClaimLexicon):
    """Date and period phrases (``_periods``) and the one that governs a figure (``_when``)."""

    def _periods(self, toks: list[_Tok]):
        """Date and period phrases: (i, j, kind, info, text) plus token indices that are not quantities."""
        s = _Scan(toks)
        i = 0
        while i < s.n:
            nxt = self._period_at(s, i)
            i = i + 1 if nxt is None else nxt
        return _outermost(s.phrases, toks), s.excluded

    def _period_at(self, s: _Scan, i: int) -> int | None:
        """Read the phrase starting at token ``i``, if any: the token after it, else None."""
        t = s.toks[i]
        if s.is_year(i):
            nxt = self._iso_date(s, i)
            if nxt is not None:
                return nxt
        if t.kind == "word" and t.low in self.months and t.text[0].isupper():
            return self._month_date(s, i)
        if s.is_year(i) and "," not in t.text:
            nxt = self._year(s, i)
            if nxt is not None:
                return nxt
        if t.kind == "word" and t.low in self.weekdays and t.text[0].isupper():
            s.phrases.append((self._extend_prep(s, i), i + 1, "day", {"rel": "weekday"}))
            return i + 1
        if t.kind == "word" and t.low in self.period_words:
            return self._period_word(s, i)
        if t.low == "since" and t.kind == "word":
            self._since(s, i)
            return i + 1
        return None

    def _extend_prep(self, s: _Scan, i: int) -> int:
        """Start of the phrase with its preposition: 'in early', 'as of', 'at the end of'."""
        low = s.low
        k = i
        while k - 1 >= 0 and low[k - 1] in _PREP_GLUE:
            k -= 1
        if k - 1 >= 0 and low[k - 1] in self.period_preps:
            k -= 1
        if k - 1 >= 0 and low[k - 1] == "as" and low[k] == "of":
            k -= 1
        return k

    def _iso_date(self, s: _Scan, i: int) -> int | None:
        """2023-10-26."""
        toks = s.toks
        if not (i + 4 < s.n and toks[i + 1].text == "-" and s.is_num(i + 2) and toks[i + 3].text == "-"
                and s.is_num(i + 4) and s.adjacent(i, i + 1)):
            return None
        y, m, d = int(toks[i].text), _parse_digits(toks[i + 2].text), _parse_digits(toks[i + 4].text)
        if not (m and d and 1 <= m <= 12 and 1 <= d <= 31):
            return None
        s.excluded.update(range(i, i + 5))
        s.phrases.append((self._extend_prep(s, i), i + 5, "date", {"y": y, "m": int(m), "d": int(d)}))
        return i + 5

    def _month_date(self, s: _Scan, i: int) -> int:
        """A month name with its day and year: '24 February', 'Feb 24th, 2022', 'in May'."""
        toks, low, n = s.toks, s.low, s.n
        t = toks[i]
        day = year = None
        a, b = i, i + 1
        prev_ok = i > 0 and low[i - 1] in self.period_preps | {"early", "late", "mid", "of"}
        # day before: "24 February", "24th of February"
        k = i - 1
        if k >= 0 and low[k] == "of":
            k -= 1
        if k >= 1 and low[k] in _ORDINAL and s.adjacent(k - 1, k):
            k -= 1
        if (d := s.day_at(k)) is not None:
            day, a = d, k
        # day after: "February 24", "Feb 24th"
        k = i + 1
        if day is None and (d := s.day_at(k)) is not None:
            day, b = d, k + 1
            if b < n and low[b] in _ORDINAL and s.adjacent(b - 1, b):
                b += 1
        k = b + 1 if b < n and toks[b].text == "," else b
        if k < n and s.is_year(k):
            year, b = int(toks[k].text), k + 1
        if t.low in _AMBIGUOUS_MONTHS and day is None and year is None and not prev_ok:
            return i + 1  # "may" the verb, "mar" ...
        if a - 1 >= 0 and low[a - 1] == "the":
            a -= 1
        s.excluded.update(range(a, b))
        info = {"m": self.months[t.low]}
        if day:
            info["d"] = day
        if year:
            info["y"] = year
        a = self._extend_prep(s, a)
        kind = "date" if day else "month"
        if low[a] == "since":
            kind = "since"
        s.phrases.append((a, b, kind, info))
        return b

    def _year(self, s: _Scan, i: int) -> int | None:
        """A year standing as a date ('in 2022', 'the 1990s'), not a count of 2022 things."""
        low, n = s.low, s.n
        nxt = low[i + 1] if i + 1 < n else ""
        prev = low[i - 1] if i > 0 else ""
        nxt_is_word = i + 1 < n and s.toks[i + 1].kind == "word"
        if not (prev in self.period_preps or prev in ("year", "of", "early", "late", "mid", "and", "between", "the")
                or not nxt_is_word or nxt in self.subject_stop or nxt in self.months):
            return None
        s.excluded.add(i)
        if nxt == "s" and s.adjacent(i, i + 1):  # the 1990s
            s.excluded.add(i + 1)
        a = self._extend_prep(s, i)
        s.phrases.append((a, i + 1, "since" if low[a] == "since" else "year", {"y": int(s.toks[i].text)}))
        return i + 1

    def _period_word(self, s: _Scan, i: int) -> int:
        """'in the last 24 hours', 'this month', 'yesterday', 'two years ago'."""
        toks, low, n = s.toks, s.low, s.n
        t = toks[i]
        kind = self.period_words[t.low]
        # "20-month-old": an age or duration, not a period a figure counts over
        if i + 2 < n and toks[i + 1].text == "-" and low[i + 2] == "old":
            k = i - 1
            while k >= 0 and (toks[k].text == "-" or s.is_num(k) or low[k] in self.number_words):
                s.excluded.add(k)
                k -= 1
            return i + 3
        if t.low in _POINT_WORDS:
            a = i
            if a > 0 and low[a - 1] in ("since", "until", "as", "of"):
                a -= 1
            s.phrases.append((a, i + 1, kind, {"rel": t.low}))
            return i + 1
        k, rel = self._period_modifiers(s, i)
        a = k + 1
        if k >= 0 and low[k] in self.period_preps:
            a = k
        if a == i and not rel:
            # a bare "year"/"months" with nothing around it ("years of war") says no time
            return i + 1
        end = i
        if i + 1 < n and low[i + 1] == "ago":
            rel = "ago"
            end = i + 1
        if low[a] == "since":
            kind = "since"
        s.phrases.append((a, end + 1, kind, {"rel": rel, "unit": self.period_words[t.low]}))
        return end + 1

    def _period_modifiers(self, s: _Scan, i: int) -> tuple[int, str]:
        """Walk back over the words and counts before a period word ('the last 24'): the token
        before them and the relation they state (last, this, per ...). Counts there are no claims."""
        low = s.low
        k = i - 1
        rel = ""
        while k >= 0 and i - k <= 6:
            w = low[k]
            if w in _PERIOD_MODIFIERS:
                if w in _RELATIVE:
                    rel = rel or w
                k -= 1
                continue
            if s.is_num(k) or w in self.number_words:
                s.excluded.add(k)
                k -= 1
                continue
            break
        return k, rel

    def _since(self, s: _Scan, i: int) -> None:
        """'since the war broke out': up to ten words, to a clause break."""
        toks, low, n = s.toks, s.low, s.n
        b = i + 1
        while b < n and b - i <= 10 and toks[b].kind != "punct" \
                and low[b] not in ("and", "but", "which", "that", "when", "ukraine", "russia") or (
                b < n and toks[b].text in ("’", "'", "‘", "-")):
            b += 1
        if b > i + 1:
            s.phrases.append((i, b, "since", {}))

    def _when(self, ni: int, periods, cum_cues):
        """The time phrase that governs the figure at token ``ni``: nearest first."""
        cands = []
        for a, b, kind, info, txt in periods:
            if a <= ni < b:
                continue
            dist = a - ni if a > ni else ni - b + 1
            cands.append((dist, kind, info, txt))
        for a, b, kind, txt in cum_cues:
            if a <= ni < b:
                continue
            dist = a - ni if a > ni else ni - b + 1
            # "since" cues are already phrases; other cues (so far, in total) mark a running total
            if txt.lower() != "since":
                cands.append((dist + 0.5, "cumulative", {}, txt))
        if not cands:
            return "", "", False, {}
        cands.sort(key=lambda c: c[0])
        dist, kind, info, txt = cands[0]
        cumulative = kind in ("since", "cumulative")
        if not cumulative:
            # a running-total cue elsewhere in the same clause still marks the figure cumulative
            # ("so far ... since the start")
            cumulative = any(c[1] in ("since", "cumulative") and c[0] <= 8 for c in cands)
        as_of = txt
        # A running total's own date is the report's; keep the specific phrase as its as_of.
        extra = [c for c in cands[1:] if c[1] not in (kind,) and c[0] <= 16]
        if kind == "cumulative" and extra:
            as_of = txt + "; " + extra[0][3]
            if extra[0][1] == "since":
                info = extra[0][2]
        period = "cumulative" if cumulative else kind
        return as_of, period, cumulative, dict(info, kind=kind)


def _outermost(phrases: list[tuple[int, int, str, dict]], toks: list[_Tok]):
    """Drop phrases contained in a longer one ("on February 24" inside "since the start ...
    February 24"), merging what they knew; each kept phrase with its text."""
    phrases.sort(key=lambda p: (p[0], -(p[1] - p[0])))
    kept: list[tuple[int, int, str, dict]] = []
    for p in phrases:
        if kept and p[0] >= kept[-1][0] and p[1] <= kept[-1][1]:
            merged = dict(p[3])
            merged.update(kept[-1][3])
            kept[-1] = (kept[-1][0], kept[-1][1], kept[-1][2], merged)
            continue
        kept.append(p)
    return [(a, b, kind, info, " ".join(_join_tokens(toks[a:b]))) for a, b, kind, info in kept]


def _clean_date(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    s = str(value).strip()
    m = re.match(r"(\d{4})-(\d{2})(?:-(\d{2}))?", s)
    return m.group(0) if m else None


def _published_date(pub: str | None) -> date | None:
    if not pub:
        return None
    try:
        parts = [int(x) for x in pub.split("-")]
        return date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)
    except (ValueError, IndexError):
        return None


def _resolve_date(info: dict, pub: str | None) -> str:
    """The date a figure refers to, as precisely as the text and the published date allow."""
    pd_ = _published_date(pub)
    kind = info.get("kind", "")
    y, m, d = info.get("y"), info.get("m"), info.get("d")
    if kind in ("since", "cumulative"):
        # a running total stands as of the report
        return pub or ""
    if m:
        if not y and pd_ is not None:
            y = pd_.year if m <= pd_.month else pd_.year - 1
        if not y:
            return ""
        if d:
            try:
                return date(y, m, d).isoformat()
            except ValueError:
                return f"{y:04d}-{m:02d}"
        return f"{y:04d}-{m:02d}"
    if y:
        return f"{y:04d}"
    if pd_ is None:
        return ""
    return _relative_date(kind, info.get("rel", ""), info.get("unit", "day"), pd_, pub)


def _relative_date(kind: str, rel: str, unit: str, pd_: date, pub: str | None) -> str:
    """'yesterday', 'last month', 'this year' ... counted from the published date."""
    if rel in ("yesterday",) or (rel == "previous" and unit == "day"):
        return (pd_ - timedelta(days=1)).isoformat()
    if rel == "last" and unit == "month":
        prev = pd_.replace(day=1) - timedelta(days=1)
        return f"{prev.year:04d}-{prev.month:02d}"
    if rel == "last" and unit == "year":
        return f"{pd_.year - 1:04d}"
    if rel == "last" and unit == "week":
        return (pd_ - timedelta(days=7)).isoformat()
    if rel == "weekday" or rel in ("ago",):
        return ""
    if unit == "month" and rel == "this":
        return f"{pd_.year:04d}-{pd_.month:02d}"
    if unit == "year" and rel == "this":
        return f"{pd_.year:04d}"
    if kind in ("day", "week") or rel in ("today", "overnight", "tonight", "past", "last", "this"):
        return pd_.isoformat()
    return pub or ""
