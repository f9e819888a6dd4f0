"""The claims ledger: check-worthy figures in articles and comments, and where they disagree.

A claim here is a number together with what it counts (``414,680 Russian personnel``), who asserts
it (``Ukraine claimed``, ``according to the Russian Ministry of Defense``), how firmly (``unverified
figures``, ``about``, ``at least``) and when (the unit's published date and any date or period the
sentence names: ``in September``, ``since the war broke out``, ``in the last 24 hours``). Figures are
what fact-checkers check first and what disinformation bends most easily, so the ledger lists them
with their sources and lines up figures about the same quantity across threads and outlets.

Lining up needs care with time: a running total (``since the start``, ``so far``) grows, so 172,900
one month and 414,680 a year later is growth, not a contradiction; only figures for the same moment
and the same scope that differ beyond a tolerance are called a disagreement, and a running total
that shrinks over time is called inconsistent.

Everything is rules over word lists (``discourse/data/lexicons/claims.json``): no POS tagger data is
available at run time, and rules keep each decision explainable. Text is tokenised with one regular
expression without nested ambiguity and all matching is done on tokens, so long or hostile lines
cost linear time.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ..resources import load_json
from ..text import sentence_spans
from .stage import RunContext, Stage

CLAIM_COLUMNS = [
    "thread_id", "comment_id", "paragraph", "outlet", "claim", "value", "low", "high", "raw", "unit",
    "subject", "action", "attributed_to", "attribution", "hedged", "hedge_terms", "qualifier",
    "published", "as_of", "period", "date", "cumulative", "checkworthy", "reasons", "evidence",
    "start", "end",
]

COMPARE_COLUMNS = [
    "group", "subject",
    "thread_id_a", "comment_id_a", "outlet_a", "raw_a", "value_a", "date_a", "as_of_a", "attributed_a",
    "thread_id_b", "comment_id_b", "outlet_b", "raw_b", "value_b", "date_b", "as_of_b", "attributed_b",
    "relation", "explanation",
]

# Units of measurement (as opposed to counted things): a figure in one cannot be compared with a
# figure in another, and a verb in a list of counted things does not reach across them.
_MEASURES = frozenset({"%", "times", "km", "m", "m2", "km2", "kg", "tonnes", "USD", "EUR", "GBP", "RUB",
                       "UAH", "CNY", "JPY", "miles", "ha", "acres", "barrels", "litres", "percentage points"})

RELATIONS = ("agree", "disagree", "different_dates", "different_scope", "inconsistent")

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


def _stem(word: str, irregular: dict[str, str]) -> str:
    """Simple plural stemming for subject keys: casualties -> casualty, drones -> drone."""
    w = word.lower()
    if w in irregular:
        return irregular[w]
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "ches", "shes", "xes", "zes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is", "ics")):
        return w[:-1]
    return w


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


class ClaimExtractor:
    """Finds numeric claims in text units and records what they count, who says so, how and when.

    ``path`` replaces the packaged word lists (``discourse/data/lexicons/claims.json``);
    ``min_checkworthy`` drops claims scoring below it (0 keeps every number with a subject).
    """

    def __init__(self, path: str | Path | None = None, *, min_checkworthy: float = 0.0):
        lex = load_json("lexicons", "claims.json", path=path)
        self.lexicon = lex
        self.min_checkworthy = float(min_checkworthy)
        self.number_words: dict[str, float] = {k.lower(): float(v) for k, v in lex["number_words"].items()}
        self.standalone_skip = set(lex.get("standalone_skip", []))
        self.scales: dict[str, float] = {k.lower(): float(v) for k, v in lex["scales"].items()}
        self.vague: dict[str, tuple[float, float]] = {
            k.lower(): (float(v[0]), float(v[1])) for k, v in lex["vague_numbers"].items()}
        self.units: dict[str, str] = {k.lower(): v for k, v in lex["units"].items()}
        self.currency_symbols: dict[str, str] = lex.get("currency_symbols", {})
        self.unit_class: dict[str, str] = {}
        for cls, words in lex.get("unit_classes", {}).items():
            for w in words:
                self.unit_class[w.lower()] = cls
        self.partitive = {w.lower() for w in lex.get("partitive_heads", [])}
        self.source_nouns = {w.lower() for w in lex["source_nouns"]}
        self.pronouns: dict[str, str] = {k.lower(): v for k, v in lex["pronouns"].items()}
        self.months: dict[str, int] = {k.lower(): int(v) for k, v in lex["months"].items()}
        self.weekdays = {w.lower() for w in lex["weekdays"]}
        self.period_words: dict[str, str] = {k.lower(): v for k, v in lex["period_words"].items()
                                             if " " not in k}
        self.period_preps = {w.lower() for w in lex["period_preps"]}
        self.subject_stop = {w.lower() for w in lex["subject_stop"]}
        self.ed_nouns = {w.lower() for w in lex.get("ed_nouns", [])}
        self.ing_nouns = {w.lower() for w in lex.get("ing_nouns", [])}
        self.ly_nouns = {w.lower() for w in lex.get("ly_nouns", [])}
        self.determiners = {w.lower() for w in lex["determiners"]}
        self.irregular: dict[str, str] = {k.lower(): v for k, v in lex.get("irregular_plurals", {}).items()}
        self.synonyms: dict[str, str] = {k.lower(): v for k, v in lex.get("subject_synonyms", {}).items()}
        self.salient = {w.lower() for w in lex.get("salient_subjects", [])}
        self.action_of: dict[str, str] = {}
        for cls, words in lex.get("action_classes", {}).items():
            for w in words:
                self.action_of.setdefault(w.lower(), cls)
        # Words that cannot be part of a source's name (prepositions other than of/for, verbs,
        # conjunctions): the subject stop list minus the glue of institutional names.
        self.source_stop = (self.subject_stop | set(lex["attribution_verbs"]) | set(self.months)
                            | self.weekdays) - {"of", "for", "the"}
        # capitalised at a sentence start or as a date, these still never name a source
        self._never_source = set(self.months) | self.weekdays | {
            "it", "this", "that", "as", "while", "and", "but", "in", "on", "at", "since", "when", "if"}

        idx = _PhraseIndex()
        for p in lex["hedges"]:
            idx.add(p, "hedge")
        for p, kind in lex["qualifiers"].items():
            idx.add(p, "qual", kind)
        for key, kind in (("cumulative_cues", "cumulative"), ("attribution_verbs", "verb"),
                          ("according_cues", "according"), ("by_cues", "by"), ("future_cues", "future"),
                          ("continuation_starts", "continuation")):
            for p in lex[key]:
                idx.add(p, kind)
        for p, action in self.action_of.items():
            idx.add(p, "action", action)
        for p in lex.get("several_words", []):
            idx.add(p, "several")
        for p, u in self.units.items():
            if " " in p:
                idx.add(p, "unit", u)
        self._phrases = idx
        self.participles = {w.lower() for w in lex.get("participle_verbs", [])}

        # Cheap pre-checks: a unit without a digit or a number word holds no claim, and one
        # without an attribution cue names no source for a later "he said".
        self._number_vocab = frozenset(set(self.number_words) | set(self.vague)
                                       | {w for w in self.scales if len(w) > 2})
        self._cue_vocab = frozenset(_phrase_tokens(p)[0] for p in
                                    list(lex["attribution_verbs"]) + list(lex["according_cues"]))

    # ------------------------------------------------------------------ public API
    def transform(self, units) -> Any:
        """Claims in a units frame (``thread_id, comment_id, paragraph, text, published, outlet``)."""
        import pandas as pd

        rows: list[dict] = []
        if units is None or len(units) == 0:
            return pd.DataFrame(columns=CLAIM_COLUMNS)
        cols = set(units.columns)
        last_source: dict[tuple, str] = {}
        n = len(units)

        def column(name, default):  # lists beat itertuples on string columns; unread ones stay unread
            return units[name].tolist() if name in cols else [default] * n

        dates: dict = {}  # published value -> its date: one value per thread, not per unit
        for tid, cid, para, text, published, outlet in zip(
                column("thread_id", ""), column("comment_id", ""), column("paragraph", -1), column("text", None),
                column("published", None), column("outlet", None)):
            if not isinstance(text, str) or not text.strip():
                continue
            tid = str(tid)
            cid = "" if cid is None or (isinstance(cid, float) and math.isnan(cid)) else str(cid)
            if isinstance(published, str):
                if published not in dates:
                    dates[published] = _clean_date(published)
                pub = dates[published]
            else:
                pub = _clean_date(published)
            outlet = outlet if isinstance(outlet, str) else ""
            # Pronouns ("he said", "its figures") resolve to the last named source of the same
            # article, or of the same comment.
            ctx_key = (tid, cid)
            found, last = self._extract(text, pub, last_source.get(ctx_key, ""), track_sources=not cid)
            if last:
                last_source[ctx_key] = last
            for c in found:
                c.update(thread_id=tid, comment_id=cid, paragraph=_as_int(para),
                         outlet=outlet, published=pub or "")
                rows.append(c)
        df = pd.DataFrame(rows, columns=CLAIM_COLUMNS)
        if self.min_checkworthy > 0 and len(df):
            df = df[df["checkworthy"] >= self.min_checkworthy].reset_index(drop=True)
        return df

    def extract(self, text: str, published: str | None = None) -> list[dict]:
        """Claims in one piece of text (a paragraph or a comment), as dicts with the ledger's fields."""
        return self._extract(text, _clean_date(published), "")[0]

    # ------------------------------------------------------------------ extraction
    def _extract(self, text: str, pub: str | None, last_source: str,
                 track_sources: bool = True) -> tuple[list[dict], str]:
        has_digit = _DIGIT.search(text) is not None
        vocab = None
        if not has_digit:
            vocab = set(_WORDS.findall(text.lower()))
            if self._number_vocab.isdisjoint(vocab):
                # Still follow who is speaking, so that a later "he said" or "its figures" resolves.
                if track_sources and not self._cue_vocab.isdisjoint(vocab):
                    for s, e in _windows(text, sentence_spans(text)):
                        toks = _tokenise(text[s:e], s)
                        by_cat = self._by_cat(toks)
                        _, last_source = self._attributions(toks, by_cat, last_source)
                return [], last_source
        out: list[dict] = []
        prev_attr: tuple[str, str] | None = None
        open_quote = False
        pending: list[dict] = []  # figures inside a quotation whose speaker is named after it
        for s, e in _windows(text, sentence_spans(text)):
            for _once in (1,):
                toks = _tokenise(text[s:e], s)
                if not toks:
                    continue
                claims, attrs, last_source, starts_cont = self._sentence(
                    text, toks, pub, last_source)
                starts_quote = toks[0].text in _OPEN_QUOTES or toks[0].text == '"'
                if attrs and pending:
                    for c in pending:
                        c["attributed_to"], c["attribution"] = attrs[0]
                        c["_carried"] = "the speaker named after the quotation"
                    pending = []
                in_quote = open_quote or starts_quote
                for c in claims:
                    if c["attributed_to"] or c["attribution"]:
                        continue
                    if prev_attr and (starts_cont or in_quote):
                        c["attributed_to"], c["attribution"] = prev_attr
                        c["_carried"] = "the previous sentence"
                    elif in_quote:
                        pending.append(c)
                if attrs:
                    prev_attr = attrs[-1]
                open_quote = _quote_open_after(toks, open_quote)
                out.extend(claims)
        for c in out:
            self._score(c)
            for k in ("_carried", "_future", "_question"):
                c.pop(k, None)
        return out, last_source

    def _by_cat(self, toks: list[_Tok]) -> dict[str, list[tuple[int, int, Any]]]:
        by_cat: dict[str, list[tuple[int, int, Any]]] = {}
        for cat, i, j, payload in self._phrases.matches([t.low for t in toks]):
            by_cat.setdefault(cat, []).append((i, j, payload))
        return by_cat

    def _sentence(self, text: str, toks: list[_Tok], pub: str | None, last_source: str):
        by_cat = self._by_cat(toks)
        low = [t.low for t in toks]
        starts_cont = any(i == 0 or (i == 1 and toks[0].text in _QUOTES)
                          for i, _, _ in by_cat.get("continuation", []))

        periods, excluded = self._periods(toks)
        attrs_pos, last_source = self._attributions(toks, by_cat, last_source)
        numbers = self._numbers(toks, excluded, by_cat)
        sent_start, sent_end = toks[0].start, toks[-1].end
        sentence = text[sent_start:sent_end]
        question = sentence.rstrip().rstrip("”\"'’").endswith("?")
        hedges = [(i, j, " ".join(t.text for t in toks[i:j])) for i, j, _ in by_cat.get("hedge", [])]
        future = [(i, j) for i, j, _ in by_cat.get("future", [])]
        cum_cues = [(i, j, "cumulative", " ".join(t.text for t in toks[i:j]))
                    for i, j, _ in by_cat.get("cumulative", [])]

        claims = []
        found = []
        for num in numbers:
            subj = self._subject(toks, num, by_cat, low)
            if subj is not None:
                found.append([num, *subj])
        # In a list ("destroyed 3610 tanks, 6974 APVs; ...", "17 tanks, ... 54 vehicles destroyed")
        # a verb before the first item or after the last one applies to the items between.
        def listed(a, b) -> bool:  # b follows a directly in a list of counted things
            return (b[0]["list_item"] and b[0]["span_i"] - a[3] <= 6
                    and a[4] not in _MEASURES and b[4] not in _MEASURES)

        for k in range(1, len(found)):
            act, how = found[k][5]
            p_act, p_how = found[k - 1][5]
            if not act and p_how == "before" and listed(found[k - 1], found[k]):
                found[k][5] = (p_act, "before")
        for k in range(len(found) - 2, -1, -1):
            act, how = found[k][5]
            n_act, n_how = found[k + 1][5]
            if (not act or how == "head") and n_how == "after" and listed(found[k], found[k + 1]):
                found[k][5] = (n_act, "after")
        for num, subject, subj_words, s_end, unit, (action, _how) in found:
            ni, nj = num["i"], num["j"]
            # When: the nearest date or period phrase, or cumulative cue, in the sentence.
            as_of, period, cumulative, date_info = self._when(ni, periods, cum_cues)
            resolved = _resolve_date(date_info, pub)
            # Who: the nearest attribution before the figure, else the nearest after it.
            attributed, attribution = _nearest_attr(attrs_pos, ni)
            hedge_terms = []
            for i, j, h in hedges:
                if not (ni <= i < nj):
                    hedge_terms.append(h.lower())
            if num["qualifier_text"]:
                hedge_terms.append(num["qualifier_text"].lower())
            if num["vague"]:
                hedge_terms.append("vague quantity: " + num["raw"].lower())
            hedge_terms = list(dict.fromkeys(hedge_terms))
            start = toks[num["span_i"]].start
            end = toks[s_end - 1].end if s_end > ni else toks[nj - 1].end
            span_text = text[start:end]
            evidence = [f'"{span_text}"']
            if attribution:
                evidence.append(f'source: "{attribution}"')
            if hedge_terms:
                evidence.append("hedge: " + ", ".join(f'"{h}"' for h in hedge_terms))
            if as_of:
                evidence.append(f'when: "{as_of}"')
            claims.append({
                "claim": sentence.strip(),
                "value": num["value"], "low": num["low"], "high": num["high"], "raw": num["raw"],
                "unit": unit, "subject": subject, "action": action,
                "attributed_to": attributed, "attribution": attribution,
                "hedged": bool(hedge_terms), "hedge_terms": "; ".join(hedge_terms),
                "qualifier": num["qualifier"],
                "as_of": as_of, "period": period, "date": resolved, "cumulative": cumulative,
                "checkworthy": 0.0, "reasons": "", "evidence": "; ".join(evidence),
                "start": start, "end": end,
                "_future": any(abs(i - ni) < 12 for i, _ in future), "_question": question,
            })
        attrs_plain = [(a, ev) for _, a, ev in attrs_pos]
        return claims, attrs_plain, last_source, starts_cont

    # ------------------------------------------------------------------ dates and periods
    def _periods(self, toks: list[_Tok]):
        """Date and period phrases: (i, j, kind, info) plus token indices that are not quantities."""
        n = len(toks)
        low = [t.low for t in toks]
        excluded: set[int] = set()
        phrases: list[tuple[int, int, str, dict]] = []

        def is_num(k: int) -> bool:
            return 0 <= k < n and toks[k].kind == "num"

        def num_val(k: int) -> float | None:
            return _parse_digits(toks[k].text) if is_num(k) else None

        def is_year(k: int) -> bool:
            t = toks[k].text if 0 <= k < n else ""
            return len(t) == 4 and t.isdigit() and 1800 <= int(t) <= 2100

        def adjacent(a: int, b: int) -> bool:
            return 0 <= a < n and 0 <= b < n and toks[a].end == toks[b].start

        def extend_prep(i: int) -> int:
            k = i
            while k - 1 >= 0 and low[k - 1] in ("early", "late", "mid", "the", "of", "end", "start",
                                                  "beginning", "middle", "-", "just", "only", "alone"):
                k -= 1
            if k - 1 >= 0 and low[k - 1] in self.period_preps:
                k -= 1
            if k - 1 >= 0 and low[k - 1] == "as" and low[k] == "of":
                k -= 1
            return k

        i = 0
        while i < n:
            t = toks[i]
            # ISO dates: 2023-10-26
            if is_year(i) and i + 4 < n and toks[i + 1].text == "-" and is_num(i + 2) \
                    and toks[i + 3].text == "-" and is_num(i + 4) and adjacent(i, i + 1):
                y, m, d = int(t.text), _parse_digits(toks[i + 2].text), _parse_digits(toks[i + 4].text)
                if m and d and 1 <= m <= 12 and 1 <= d <= 31:
                    excluded.update(range(i, i + 5))
                    phrases.append((extend_prep(i), i + 5, "date", {"y": y, "m": int(m), "d": int(d)}))
                    i += 5
                    continue
            if t.kind == "word" and t.low in self.months and t.text[0].isupper():
                day = None
                year = None
                a, b = i, i + 1
                prev_ok = i > 0 and low[i - 1] in self.period_preps | {"early", "late", "mid", "of"}
                # day before: "24 February", "24th of February"
                k = i - 1
                if k >= 0 and low[k] == "of":
                    k -= 1
                if k >= 1 and low[k] in ("st", "nd", "rd", "th") and adjacent(k - 1, k):
                    k -= 1
                v = num_val(k)
                if v is not None and 1 <= v <= 31 and v.is_integer() and not is_year(k):
                    day, a = int(v), k
                # day after: "February 24", "Feb 24th"
                k = i + 1
                v = num_val(k)
                if day is None and v is not None and 1 <= v <= 31 and v.is_integer() and not is_year(k):
                    day, b = int(v), k + 1
                    if b < n and low[b] in ("st", "nd", "rd", "th") and adjacent(b - 1, b):
                        b += 1
                k = b + 1 if b < n and toks[b].text == "," else b
                if k < n and is_year(k):
                    year, b = int(toks[k].text), k + 1
                ambiguous = t.low in ("may", "mar", "jan", "jun", "jul", "aug", "oct", "nov", "dec",
                                      "sep", "feb", "apr", "sept")
                if ambiguous and day is None and year is None and not prev_ok:
                    i += 1
                    continue
                if a - 1 >= 0 and low[a - 1] == "the":
                    a -= 1
                excluded.update(range(a, b))
                info = {"m": self.months[t.low]}
                if day:
                    info["d"] = day
                if year:
                    info["y"] = year
                a = extend_prep(a)
                kind = "date" if day else "month"
                if low[a] == "since":
                    kind = "since"
                phrases.append((a, b, kind, info))
                i = b
                continue
            if is_year(i) and "," not in t.text:
                nxt = low[i + 1] if i + 1 < n else ""
                prev = low[i - 1] if i > 0 else ""
                nxt_is_word = i + 1 < n and toks[i + 1].kind == "word"
                if (prev in self.period_preps or prev in ("year", "of", "early", "late", "mid", "and", "between", "the")
                        or not nxt_is_word or nxt in self.subject_stop or nxt in self.months):
                    excluded.add(i)
                    if nxt == "s" and adjacent(i, i + 1):  # the 1990s
                        excluded.add(i + 1)
                    a = extend_prep(i)
                    phrases.append((a, i + 1, "since" if low[a] == "since" else "year",
                                    {"y": int(t.text)}))
                    i += 1
                    continue
            if t.kind == "word" and t.low in self.weekdays and t.text[0].isupper():
                a = extend_prep(i)
                phrases.append((a, i + 1, "day", {"rel": "weekday"}))
                i += 1
                continue
            if t.kind == "word" and t.low in self.period_words:
                kind = self.period_words[t.low]
                # "20-month-old": an age or duration, not a period a figure counts over
                if i + 2 < n and toks[i + 1].text == "-" and low[i + 2] == "old":
                    k = i - 1
                    while k >= 0 and (toks[k].text == "-" or is_num(k) or low[k] in self.number_words):
                        excluded.add(k)
                        k -= 1
                    i += 3
                    continue
                if t.low in ("yesterday", "today", "overnight", "tonight", "daily", "weekly", "monthly",
                             "annually", "yearly"):
                    a = i
                    if a > 0 and low[a - 1] in ("since", "until", "as", "of"):
                        a -= 1
                    phrases.append((a, i + 1, kind, {"rel": t.low}))
                    i += 1
                    continue
                k = i - 1
                rel = ""
                while k >= 0 and i - k <= 6:
                    w = low[k]
                    if w in ("the", "last", "past", "previous", "next", "first", "same", "just", "recent",
                             "few", "couple", "coming", "preceding", "entire", "whole", "full", "-",
                             "several", "alone", "only", "this", "that", "a", "one", "per", "every", "each"):
                        if w in ("last", "past", "previous", "this", "next", "per", "every", "each", "a"):
                            rel = rel or w
                        k -= 1
                        continue
                    if is_num(k) or w in self.number_words:
                        excluded.add(k)
                        k -= 1
                        continue
                    break
                a = k + 1
                if k >= 0 and low[k] in self.period_preps:
                    a = k
                if a == i and not rel:
                    # a bare "year"/"months" with nothing around it ("years of war") says no time
                    i += 1
                    continue
                if i + 1 < n and low[i + 1] == "ago":
                    rel = "ago"
                    i += 1
                if low[a] == "since":
                    kind = "since"
                phrases.append((a, i + 1, kind, {"rel": rel, "unit": self.period_words[t.low]}))
                i += 1
                continue
            if t.low == "since" and t.kind == "word":
                b = i + 1
                while b < n and b - i <= 10 and toks[b].kind != "punct" \
                        and low[b] not in ("and", "but", "which", "that", "when", "ukraine", "russia") or (
                        b < n and toks[b].text in ("’", "'", "‘", "-")):
                    b += 1
                if b > i + 1:
                    phrases.append((i, b, "since", {}))
                i += 1
                continue
            i += 1
        # Drop phrases contained in a longer one ("on February 24" inside "since the start ... February 24").
        phrases.sort(key=lambda p: (p[0], -(p[1] - p[0])))
        kept: list[tuple[int, int, str, dict]] = []
        for p in phrases:
            if kept and p[0] >= kept[-1][0] and p[1] <= kept[-1][1]:
                merged = dict(p[3])
                merged.update(kept[-1][3])
                kept[-1] = (kept[-1][0], kept[-1][1], kept[-1][2], merged)
                continue
            kept.append(p)
        spans = [(a, b, kind, info, " ".join(_join_tokens(toks[a:b]))) for a, b, kind, info in kept]
        return spans, excluded

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

    # ------------------------------------------------------------------ numbers
    def _numbers(self, toks: list[_Tok], excluded: set[int], by_cat) -> list[dict]:
        n = len(toks)
        low = [t.low for t in toks]
        quals: dict[int, tuple[int, str, str]] = {}
        for i, j, kind in by_cat.get("qual", []):
            quals[j] = (i, kind, " ".join(t.text for t in toks[i:j]))
        several_end = {j: i for i, j, _ in by_cat.get("several", [])}
        out: list[dict] = []
        i = 0
        while i < n:
            t = toks[i]
            if i in excluded:
                i += 1
                continue
            res = None
            if t.kind == "num":
                res = self._digit_number(toks, i)
            elif t.kind == "word" and (t.low in self._number_vocab or t.low in ("a", "an")):
                res = self._word_number(toks, i, several_end, low)
            if res is None:
                i += 1
                continue
            value, low_v, high_v, j, vague, unit = res
            if any(k in excluded for k in range(i, j)):
                i = j
                continue
            span_i = i
            # currency symbol before: $61 billion, US$ 5m
            if i > 0 and toks[i - 1].text in self.currency_symbols:
                unit = self.currency_symbols[toks[i - 1].text]
                span_i = i - 1
                if i > 1 and toks[i - 2].low == "us" and toks[i - 2].end == toks[i - 1].start:
                    span_i = i - 2
            qualifier, qual_text = "", ""
            q = quals.get(span_i)
            if q:
                span_i, qualifier, qual_text = q[0], q[1], q[2]
            if j < n and toks[j].text == "+" and toks[j].start == toks[j - 1].end:
                qualifier, qual_text = "at_least", "+"
                j += 1
            if vague and not qualifier:
                qualifier = "vague"
            if qualifier == "at_least" and not vague:
                high_v = math.inf
            elif qualifier == "at_most" and not vague:
                low_v = 0.0
            prev = low[span_i - 1] if span_i > 0 else ""
            out.append({
                "i": i, "j": j, "span_i": span_i, "value": value, "low": low_v, "high": high_v,
                "raw": " ".join(_join_tokens(toks[span_i:j])), "vague": vague, "unit": unit,
                "qualifier": qualifier or "exact", "qualifier_text": qual_text,
                "list_item": prev in (",", ";", "and", "plus", "or") or (
                    span_i > 1 and low[span_i - 1] in ("and",) and toks[span_i - 2].text == ","),
            })
            i = j
        return out

    def _digit_number(self, toks: list[_Tok], i: int):
        n = len(toks)
        t = toks[i]
        prev = toks[i - 1] if i > 0 else None
        # glued to a word or a model code: M2, Su-25, COVID-19, #3, No. 5, 11:43
        if prev is not None and prev.end == t.start:
            if prev.kind == "word" or prev.text in ("#", ":", "/", "."):
                return None
            if prev.text == "-" and i > 1 and toks[i - 2].end == prev.start and toks[i - 2].kind in ("word", "num"):
                return None
        if i > 1 and prev is not None and prev.text == "." and toks[i - 2].low == "no":
            return None
        value = _parse_digits(t.text)
        if value is None:
            return None
        j = i + 1
        unit = ""
        if j < n and toks[j].start == t.end:
            nxt = toks[j]
            if nxt.text == ":" or (nxt.text == "/" and j + 1 < n and toks[j + 1].kind == "num"):
                return None  # a time or a fraction/date like 11:43, 24/02
            if nxt.kind == "word":
                w = nxt.low
                if w in ("st", "nd", "rd", "th", "s", "am", "pm", "x", "d"):
                    return None
                if w in self.scales:
                    value *= self.scales[w]
                    j += 1
                elif w in self.units:
                    unit = self.units[w]
                    j += 1
                else:
                    return None
            elif nxt.text == "-" and j + 1 < n and toks[j + 1].kind == "num" and toks[j + 1].start == nxt.end:
                # a range 5-10, unless it is phone-like (555-123-4567)
                k = j + 2
                if k < n and toks[k].text == "-" and k + 1 < n and toks[k + 1].kind == "num":
                    return None
                hi = _parse_digits(toks[j + 1].text)
                if hi is None or hi < value or len(toks[j + 1].text) > 7:
                    return None
                return self._scaled(toks, j + 2, value, hi, unit)
            elif nxt.text == "." and j + 1 < n and toks[j + 1].kind == "word" and toks[j + 1].low in ("m", "a", "p"):
                return None  # 10.a.m.
        if t.text.startswith("0") and len(t.text) > 1 and "." not in t.text[:2]:
            return None  # zero-padded codes and phone numbers
        if len(t.text.replace(",", "").replace(".", "")) >= 9 and "," not in t.text and "." not in t.text:
            return None  # a long bare digit run is an identifier, not a figure
        if i == 0 and j < n and toks[j].text in (".", ")") and j + 1 < n and toks[j + 1].start > toks[j].end:
            return None  # a list index "1. ", "2) "
        if j < n and toks[j].low in ("a.m", "p.m", "am", "pm", "o'clock", "gmt", "utc"):
            return None
        # words after: scale (1.5 million), range (5 to 10, 5 or 6)
        if unit == "" and j < n and toks[j].low in self.scales and len(toks[j].low) > 2:
            value *= self.scales[toks[j].low]
            j += 1
            if j < n and toks[j].low in self.scales and len(toks[j].low) > 2:  # "1.2 thousand million"
                value *= self.scales[toks[j].low]
                j += 1
        lo, hi = value, value
        if j + 1 < n and toks[j].low in ("to", "or", "-", "–") and toks[j + 1].kind == "num" \
                and (i == 0 or toks[i - 1].low not in ("from", "between")):
            h = _parse_digits(toks[j + 1].text)
            if h is not None and h >= value and len(toks[j + 1].text) <= 9:
                res = self._scaled(toks, j + 2, value, h, unit)
                if res is not None:
                    return res
        if i > 0 and toks[i - 1].low == "between" and j + 1 < n and toks[j].low == "and" and toks[j + 1].kind == "num":
            h = _parse_digits(toks[j + 1].text)
            if h is not None and h >= value:
                res = self._scaled(toks, j + 2, value, h, unit)
                if res is not None:
                    return res
        return value, lo, hi, j, False, unit

    def _scaled(self, toks, j, lo, hi, unit):
        n = len(toks)
        if j < n and toks[j].low in self.scales and len(toks[j].low) > 2:
            s = self.scales[toks[j].low]
            lo, hi = lo * s, hi * s
            j += 1
        return lo, lo, hi, j, False, unit

    def _word_number(self, toks: list[_Tok], i: int, several_end: dict[int, int], low: list[str]):
        """Number words: 'one million', 'a hundred', 'twenty-five', 'tens of thousands', 'several hundred'."""
        n = len(toks)
        w = low[i]
        if w in self.vague:
            lo, hi = self.vague[w]
            j = i + 1
            if j + 1 < n and low[j] == "of" and (low[j + 1] in self.vague or low[j + 1] in self.scales):
                mult = self.scales.get(low[j + 1].rstrip("s"), None) or self.scales.get(low[j + 1])
                if mult:
                    lo, hi = lo * mult, hi * mult
                    j += 2
            elif w == "dozens" and j < n and low[j] in self.scales and len(low[j]) > 2:
                lo, hi = lo * self.scales[low[j]], hi * self.scales[low[j]]
                j += 1
            if w in ("tens", "scores") and j == i + 1:
                return None  # "tens" alone is not a quantity
            return lo, lo, hi, j, True, ""
        if w in ("a", "an") and i + 1 < n and (low[i + 1] in self.scales and len(low[i + 1]) > 2
                                               or low[i + 1] == "dozen"):
            value = 1.0
            j = i + 1
        elif w in self.number_words:
            value = 0.0
            j = i
        else:
            return None
        # several hundred / a few thousand: the phrase ends right before a scale word
        total, current = 0.0, value
        seen_word = False
        while j < n:
            x = low[j]
            if x in self.number_words:
                if seen_word and self.number_words[x] >= 10 and current % 100 != 0:
                    break
                current += self.number_words[x]
                seen_word = True
                j += 1
                if j + 1 < n and toks[j].text == "-" and low[j + 1] in self.number_words:
                    j += 1
                continue
            if x in self.scales and len(x) > 2:
                s = self.scales[x]
                current = (current or 1.0) * s
                if s >= 1000:
                    total += current
                    current = 0.0
                seen_word = True
                j += 1
                continue
            if x == "dozen":
                current = (current or 1.0) * 12
                seen_word = True
                j += 1
                continue
            if x == "and" and j + 1 < n and low[j + 1] in self.number_words and (total or current >= 100):
                j += 1
                continue
            break
        value = total + current
        if not seen_word or value == 0:
            return None
        if j == i + 1 and w in self.standalone_skip:
            return None
        if i in several_end or (i > 0 and low[i - 1] in ("several", "few")):
            return value * 2, value * 2, value * 9, j, True, ""
        return value, value, value, j, False, ""

    # ------------------------------------------------------------------ subject
    def _np_after(self, toks: list[_Tok], k: int, max_words: int = 5) -> tuple[list[str], int]:
        """Words of the noun phrase starting at token ``k`` (rule-based: stop words, -ed verbs)."""
        n = len(toks)
        words: list[str] = []
        while k < n and (toks[k].low in self.determiners or toks[k].text in _QUOTES) and len(words) == 0:
            k += 1
        while k < n and len(words) < max_words:
            t = toks[k]
            if t.text == "(":
                close = next((m for m in range(k + 1, min(n, k + 5)) if toks[m].text == ")"), None)
                if close is not None and words and close + 1 < n and toks[close + 1].kind == "word":
                    k = close + 1
                    continue
                break
            if t.text == "-" and words and k + 1 < n and toks[k + 1].kind in ("word", "num") \
                    and t.start == toks[k - 1].end and t.end == toks[k + 1].start:
                words[-1] = words[-1] + "-" + toks[k + 1].low
                k += 2
                continue
            if t.kind != "word":
                break
            w = _POSSESSIVE.sub("", t.low)
            if w in self.subject_stop or w in self.months or w in self.weekdays:
                break
            if words and t.text[0].islower() and len(w) > 4 and (
                    (w.endswith("ed") and w not in self.ed_nouns)
                    or (w.endswith("ing") and w not in self.ing_nouns)
                    or (w.endswith("ly") and w not in self.ly_nouns)):
                break
            if w in self.determiners and not words:
                k += 1
                continue
            if w in ("s",):
                k += 1
                continue
            words.append(w)
            k += 1
            if t.low != w:  # a possessive ends its own phrase: "Putin's artillery" keeps going
                continue
        return words, k

    def _np_before(self, toks: list[_Tok], i: int) -> list[str]:
        """The noun phrase a ratio or amount is about when it comes first: 'drone production has
        multiplied a hundred times' -> 'drone production'."""
        k = i - 1
        skip = self.subject_stop | {"rose", "fell", "grew", "increased", "decreased", "multiplied",
                                    "jumped", "dropped", "declined", "surged", "climbed", "doubled",
                                    "tripled", "reached", "totalled", "totaled", "stood", "amounted",
                                    "hit", "estimated", "cost", "costs", "worth", "valued"}
        steps = 0
        while k >= 0 and steps < 6 and toks[k].kind == "word" and (
                toks[k].low in skip or (toks[k].low.endswith("ed") and toks[k].text[0].islower())):
            k -= 1
            steps += 1
        words: list[str] = []
        while k >= 0 and len(words) < 3 and toks[k].kind == "word":
            w = _POSSESSIVE.sub("", toks[k].low)
            if w in self.subject_stop or w in self.determiners:
                break
            words.insert(0, w)
            k -= 1
        return words

    def _subject(self, toks: list[_Tok], num: dict, by_cat, low: list[str]):
        """What the figure counts: (subject key, words, end token, unit, action) or None."""
        n = len(toks)
        j = num["j"]
        unit = num["unit"]
        # a unit word after the number: 38 percent, 70 kilometers, 5 per cent, 200 square meters
        for a, b, u in by_cat.get("unit", []):
            if a == j and not unit:
                unit, j = u, b
        if not unit and j < n and toks[j].low in self.units and toks[j].low not in self.scales:
            unit = self.units[toks[j].low]
            j += 1
        elif not unit and j < n and toks[j].text == "%":
            unit = "%"
            j += 1
        measure = unit not in ("",)
        words: list[str] = []
        end = j
        if j < n and low[j] == "of":
            words, end = self._np_after(toks, j + 1)
            if words and words[0] in self.units and self.units[words[0]] not in ("times",):
                unit = unit or self.units[words[0]]
                more, end2 = ([], end)
                if end < n and low[end] in ("in", "for", "of"):
                    more, end2 = self._np_after(toks, end + 1, 3)
                words, end = (more, end2) if more else (words[1:] or words, end)
        elif measure and unit in ("USD", "EUR", "GBP", "RUB", "UAH", "CNY", "JPY") and j < n and low[j] in ("in", "for", "worth"):
            words, end = self._np_after(toks, j + 1, 3)
        elif not measure:
            words, end = self._np_after(toks, j)
            if words and words[-1] in self.partitive and end + 1 < n and low[end] in ("of", "to", "among"):
                more, end2 = self._np_after(toks, end + 1, 4)
                if more:
                    words = words + [low[end]] + more
                    end = end2
        if not words and measure:
            words = self._np_before(toks, num["span_i"])
            end = j
            if not words:
                return None
            if unit in ("%", "times"):
                subject_words = words
            else:
                subject_words = words
        elif not words:
            return None
        else:
            subject_words = words
        # a quantity noun without a count unit takes its class (people) or its own head as the unit
        if not unit:
            head = subject_words[-1]
            unit = self.unit_class.get(head, head)
        subject = self.normalise_subject(" ".join(subject_words))
        if not subject:
            return None
        return subject, subject_words, end, unit, self._action(toks, num, end, subject_words, low)

    def _action(self, toks: list[_Tok], num: dict, end: int, words: list[str],
                low: list[str]) -> tuple[str, str]:
        """What happened to what is counted (killed, destroyed, launched, produced...), if said, and
        where it was said: the verb after the phrase, the verb before the figure, or the head noun."""
        n = len(toks)
        # the verb governing the figure comes first: "downed four drones launched by Russia"
        k = num["span_i"] - 1
        steps = 0
        while k >= 0 and steps < 4 and (low[k] in ("to", "have", "has", "had", "over", "about", "more", "than",
                                                   "at", "least", "down", "the", "a", "some", "nearly", "almost")
                                        or toks[k].text in _QUOTES):
            if low[k] == "down" and k > 0 and low[k - 1] == "shot":
                return self.action_of.get("shot down", ""), "before"
            k -= 1
            steps += 1
        if k >= 0 and low[k] in self.action_of:
            return self.action_of[low[k]], "before"
        k = end
        while k < n and (low[k] in ("have", "has", "had", "been", "were", "was", "being", "are", "is", "so",
                                    "far", "reportedly", "allegedly", "already", "now") or toks[k].text in _QUOTES):
            k += 1
        for span in (3, 2, 1):
            if k + span <= n:
                ph = " ".join(low[k:k + span])
                if ph in self.action_of:
                    return self.action_of[ph], "after"
        for w in words:
            if w in self.action_of:
                return self.action_of[w], "head"
        return "", ""

    def normalise_subject(self, phrase: str) -> str:
        """Lower-case, determiners dropped, plurals stemmed: 'the Russian personnel' -> 'russian personnel'."""
        out = []
        for w in phrase.lower().split():
            w = _POSSESSIVE.sub("", w).strip("\"'“”‘’")
            if not w or w in self.determiners:
                continue
            out.append("-".join(_stem(p, self.irregular) for p in w.split("-")))
        return " ".join(out)

    # ------------------------------------------------------------------ attribution
    def _attributions(self, toks: list[_Tok], by_cat, last_source: str):
        """Sources named in a sentence: (token position, source, evidence span)."""
        n = len(toks)
        low = [t.low for t in toks]
        out: list[tuple[int, str, str]] = []
        covered: list[tuple[int, int]] = []
        for i, j, _ in by_cat.get("according", []):
            words_idx = self._source_after(toks, j)
            if not words_idx:
                continue
            a, b = words_idx
            covered.append((i, b + 8))
            # "according to unverified figures released by the Ukrainian Defence Ministry"
            for bi, bj, _ in by_cat.get("by", []):
                if a <= bi < b + 6 and bi > a:
                    inner = self._source_after(toks, bj)
                    if inner:
                        b = max(b, inner[1])
                        a2, b2 = inner
                        src = self._clean_source(toks[a2:b2], last_source)
                        if src:
                            out.append((i, src, _span_text(toks, i, b)))
                            last_source = src if not _is_pronoun_phrase(toks[a2:b2], self.pronouns) else last_source
                        break
            else:
                src = self._clean_source(toks[a:b], last_source)
                if src:
                    out.append((i, src, _span_text(toks, i, b)))
                    if not _is_pronoun_phrase(toks[a:b], self.pronouns) and _looks_named(toks[a:b], self.source_nouns):
                        last_source = src
        for i, j, _ in by_cat.get("verb", []):
            # "according to figures released by X" is handled above
            if any(ca <= i < cb for ca, cb in covered):
                continue
            if j < n and low[j] == "by":
                # passive: "reported by the ministry"
                src_span = self._source_after(toks, j + 1)
                ev_a, ev_b = (i, src_span[1]) if src_span else (i, j)
            else:
                src_span = self._source_before(toks, i)
                ev_a, ev_b = (src_span[0], j) if src_span else (i, j)
            if not src_span:
                fwd = self._source_after(toks, j, forward_only=True)
                if fwd:
                    src_span = fwd
                    ev_a, ev_b = i, fwd[1]
            if not src_span and low[i] in self.participles:
                # "The General Staff ... issued an update on Friday claiming ..."
                src_span = self._sentence_subject(toks)
                if src_span:
                    ev_a, ev_b = src_span[0], j
            if not src_span:
                continue
            seg = toks[src_span[0]:src_span[1]]
            src = self._clean_source(seg, last_source)
            if not src:
                continue
            out.append((i, src, _span_text(toks, ev_a, ev_b)))
            if not _is_pronoun_phrase(seg, self.pronouns) and _looks_named(seg, self.source_nouns):
                last_source = src
        out.sort(key=lambda x: x[0])
        return out, last_source

    def _source_after(self, toks: list[_Tok], k: int, forward_only: bool = False):
        n = len(toks)
        a = k
        while a < n and toks[a].text in _QUOTES:
            a += 1
        if a >= n:
            return None
        if forward_only:
            t = toks[a]
            if t.kind != "word":
                return None
            if not (t.text[0].isupper() or t.low == "the" or t.low in self.source_nouns or t.low in self.pronouns):
                return None
            if t.low in ("that", "this", "it", "there"):
                return None
        b = a
        while b < n and b - a < 10:
            t = toks[b]
            if t.kind == "word":
                w = _POSSESSIVE.sub("", t.low)
                if w in self.source_stop and (not (b > a and t.text[0].isupper()) or w in self._never_source):
                    break
                b += 1
                continue
            if t.text in ("-", "&") and b > a and b + 1 < n and toks[b + 1].kind == "word":
                b += 1
                continue
            break
        if b == a:
            return None
        return a, b

    def _source_before(self, toks: list[_Tok], i: int):
        k = i - 1
        while k >= 0 and toks[k].low in ("has", "have", "had", "also", "reportedly", "previously", "then",
                                          "later", "earlier", "again", "further", "recently", "once", "is",
                                          "was", "were", "are", "publicly", "officially", "repeatedly"):
            k -= 1
        if k < 0:
            return None
        if toks[k].text == ",":
            # appositive: "Ukraine's minister ..., Oleksander Kamyshin, has said"
            b = k
            a = k - 1
            while a >= 0 and toks[a].kind == "word" and b - a <= 6:
                a -= 1
            a += 1
            if a < b and (a == 0 or toks[a - 1].text == ",") and any(t.text[0].isupper() for t in toks[a:b]):
                return a, b
            return None
        b = k + 1
        a = b
        while a - 1 >= 0 and b - a < 10:
            t = toks[a - 1]
            if t.kind == "word":
                w = _POSSESSIVE.sub("", t.low)
                if w in self.source_stop and (not t.text[0].isupper() or w in self._never_source):
                    break
                a -= 1
                continue
            if t.text in ("-", "&") and a - 2 >= 0 and toks[a - 2].kind == "word":
                a -= 1
                continue
            break
        if a == b:
            return None
        return a, b

    def _sentence_subject(self, toks: list[_Tok]):
        a = 0
        while a < len(toks) and (toks[a].text in _QUOTES or toks[a].low == "the"):
            a += 1
        b = a
        while b < len(toks) and b - a < 10 and toks[b].kind == "word" and (
                toks[b].text[0].isupper() or toks[b].low in ("of", "the", "for") or toks[b].low in self.source_nouns
                or _POSSESSIVE.search(toks[b].text)):
            b += 1
        if b == a or not any(t.text[0].isupper() for t in toks[a:b]):
            return None
        return a, b

    def _clean_source(self, seg: list[_Tok], last_source: str) -> str:
        words = [t for t in seg if t.text not in _QUOTES]
        while words and words[0].low in ("the", "a", "an"):
            words = words[1:]
        while words and words[-1].low in ("the", "of", "for", "and", "a", "an"):
            words = words[:-1]
        if not words:
            return ""
        first = _POSSESSIVE.sub("", words[0].low)
        if len(words) == 1 and first in self.pronouns:
            return last_source
        if first in ("its", "his", "her", "their", "our") and len(words) <= 3:
            return last_source  # "according to its figures"
        if first in self.pronouns and self.pronouns[first] == "speaker":
            return ""
        if not _looks_named(words, self.source_nouns):
            return ""
        return " ".join(_join_tokens(words))

    # ------------------------------------------------------------------ check-worthiness
    def _score(self, c: dict) -> None:
        """A 0-1 check-worthiness with its reasons: what makes the figure checkable and worth it."""
        score = 0.35
        reasons = [f'number with what it counts: "{c["raw"]} … {c["subject"]}"']
        if c["attributed_to"]:
            score += 0.2
            reasons.append(f'attributed to {c["attributed_to"]}')
        if c["period"] or c["date"]:
            score += 0.1
            reasons.append(f'dated: "{c["as_of"] or c["date"]}"')
        head = c["subject"].split()[-1] if c["subject"] else ""
        if head in self.salient or c["unit"] in self.salient or self.synonyms.get(head) in self.salient:
            score += 0.1
            reasons.append(f'salient subject "{head}"')
        if c["qualifier"] not in ("vague",):
            score += 0.1
            reasons.append("a precise figure")
        v = c["value"] or 0
        if v >= 100 and c["unit"] not in ("%", "times"):
            score += 0.1
            reasons.append("a large count")
        if c.get("_future"):
            score -= 0.25
            reasons.append("a plan or forecast, not yet checkable")
        if c.get("_question"):
            score -= 0.15
            reasons.append("asked, not asserted")
        if c.get("_carried"):
            reasons.append(f"source carried over from {c['_carried']}")
        c["checkworthy"] = round(max(0.0, min(1.0, score)), 3)
        c["reasons"] = "; ".join(reasons)

    # ------------------------------------------------------------------ comparison
    def subject_key(self, subject: str) -> tuple[str, frozenset[str]]:
        """(head, modifiers) after synonyms: 'russian casualty' -> ('personnel', {'russian'})."""
        s = " ".join(str(subject or "").lower().split())
        if s in self.synonyms:
            s = self.synonyms[s]
        words = s.split()
        if not words:
            return "", frozenset()
        # a synonym for the last one or two words (e.g. "unmanned aerial vehicle")
        for k in (3, 2, 1):
            if len(words) >= k:
                tail = " ".join(words[-k:])
                if tail in self.synonyms:
                    words = words[:-k] + self.synonyms[tail].split()
                    break
        head = words[-1]
        mods = frozenset(w for w in words[:-1] if w not in self.determiners and w not in ("to", "of"))
        return head, mods


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


def _is_pronoun_phrase(seg: list[_Tok], pronouns: dict[str, str]) -> bool:
    words = [t for t in seg if t.kind == "word" and t.low not in ("the",)]
    return bool(words) and _POSSESSIVE.sub("", words[0].low) in pronouns


def _looks_named(seg, source_nouns: set[str]) -> bool:
    """A source is a name (capitalised) or an institution word (ministry, officials, study)."""
    for t in seg:
        if t.kind != "word":
            continue
        if t.text[0].isupper() or _POSSESSIVE.sub("", t.low) in source_nouns:
            return True
    return False


def _quote_open_after(toks: list[_Tok], open_quote: bool) -> bool:
    for t in toks:
        if t.text in _OPEN_QUOTES:
            open_quote = True
        elif t.text in ("”", "»"):
            open_quote = False
        elif t.text == '"':
            open_quote = not open_quote
    return open_quote


def _nearest_attr(attrs: list[tuple[int, str, str]], ni: int) -> tuple[str, str]:
    if not attrs:
        return "", ""
    before = [a for a in attrs if a[0] <= ni]
    if before:
        a = before[-1]
    else:
        a = min(attrs, key=lambda x: x[0] - ni)
    return a[1], a[2]


def _clean_date(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    s = str(value).strip()
    m = re.match(r"(\d{4})-(\d{2})(?:-(\d{2}))?", s)
    return m.group(0) if m else None


def _resolve_date(info: dict, pub: str | None) -> str:
    """The date a figure refers to, as precisely as the text and the published date allow."""
    pd_ = None
    if pub:
        try:
            parts = [int(x) for x in pub.split("-")]
            pd_ = date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)
        except (ValueError, IndexError):
            pd_ = None
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
    rel = info.get("rel", "")
    if pd_ is None:
        return ""
    unit = info.get("unit", "day")
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


# ---------------------------------------------------------------------- compare


class _UnionFind:
    """Claims that match pairwise form one group (the ledger's ``group`` column)."""

    def __init__(self, parent: dict[int, int]):
        self.parent = parent

    def __call__(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x


def _as_int(v) -> int:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return -1
    return -1 if math.isnan(f) else int(f)


def _months_between(a: str, b: str) -> int | None:
    try:
        ya, ma = int(a[:4]), int(a[5:7]) if len(a) >= 7 else None
        yb, mb = int(b[:4]), int(b[5:7]) if len(b) >= 7 else None
    except ValueError:
        return None
    if ma is None or mb is None:
        return abs(ya - yb) * 12
    return abs((yb - ya) * 12 + (mb - ma))


def _same_date(a: str, b: str) -> bool:
    k = min(len(a), len(b))
    return a[:k] == b[:k]


def _row_get(r: dict, key: str, default=None):
    v = r.get(key, default)
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return default
    return v


def compare_claims(claims, tolerance: float = 0.1, *, path: str | Path | None = None,
                   max_group: int = 300, extractor: ClaimExtractor | None = None):
    """Line up claims about the same quantity and say whether they agree, and if not, why not.

    Claims match when their subjects share a head noun (after synonyms such as casualties ~
    personnel) and their modifiers are compatible (one set inside the other: "drones" and
    "Ukrainian drones"), with the same unit and no conflicting action (launched vs shot down).
    Relations: ``agree`` (within ``tolerance``, bounds such as "over 414,000" respected),
    ``disagree`` (same scope and the same date, or both undated in the same thread),
    ``different_dates`` (a cumulative count that grew, or periods/dates that differ or cannot be
    placed), ``different_scope`` (a running total against a per-period count, or a day against a
    month), ``inconsistent`` (a running total that shrank over time).
    """
    import pandas as pd

    if claims is None or len(claims) == 0:
        return pd.DataFrame(columns=COMPARE_COLUMNS)
    ext = extractor or ClaimExtractor(path=path)
    recs = claims.to_dict("records")
    for idx, r in enumerate(recs):
        r["_idx"] = idx
        r["_key"] = ext.subject_key(_row_get(r, "subject", ""))
        v = float(_row_get(r, "value", math.nan))
        r["_lo"] = float(_row_get(r, "low", v))
        r["_hi"] = float(_row_get(r, "high", v))
        r["_date"] = str(_row_get(r, "date", "") or _row_get(r, "published", "") or "")
        r["_cum"] = bool(_row_get(r, "cumulative", False))
        r["_period"] = str(_row_get(r, "period", "") or "")
        r["_unit"] = str(_row_get(r, "unit", "") or "")
        r["_action"] = str(_row_get(r, "action", "") or "")
        r["_asof"] = " ".join(str(_row_get(r, "as_of", "") or "").lower().split())
        r["_score"] = float(_row_get(r, "checkworthy", 0.5))
    buckets: dict[str, list[dict]] = {}
    for r in recs:
        head = r["_key"][0]
        if head and not math.isnan(float(_row_get(r, "value", math.nan))):
            buckets.setdefault(head, []).append(r)

    rows = []
    group_id = 0
    for head in sorted(buckets):
        members = buckets[head]
        if len(members) < 2:
            continue
        if len(members) > max_group:
            members = sorted(members, key=lambda r: -r["_score"])[:max_group]
        pairs = []
        parent = {r["_idx"]: r["_idx"] for r in members}
        find = _UnionFind(parent)
        for ai in range(len(members)):
            a = members[ai]
            for bi in range(ai + 1, len(members)):
                b = members[bi]
                if not _compatible(a, b):
                    continue
                if _same_sentence(a, b):
                    continue
                pairs.append((a, b))
                ra, rb = find(a["_idx"]), find(b["_idx"])
                if ra != rb:
                    parent[rb] = ra
        if not pairs:
            continue
        groups: dict[int, int] = {}
        subjects: dict[int, dict[str, int]] = {}
        for a, b in pairs:
            root = find(a["_idx"])
            if root not in groups:
                groups[root] = group_id
                group_id += 1
            for r in (a, b):
                s = str(_row_get(r, "subject", ""))
                subjects.setdefault(root, {}).setdefault(s, 0)
                subjects[root][s] += 1
        for a, b in pairs:
            # earlier date first, so explanations read forward in time
            if a["_date"] and b["_date"] and b["_date"] < a["_date"]:
                a, b = b, a
            root = find(a["_idx"])
            rel, why = _relation(a, b, tolerance)
            subj = max(subjects[root].items(), key=lambda kv: (kv[1], -len(kv[0])))[0]
            rows.append({
                "group": groups[root], "subject": subj,
                "thread_id_a": a.get("thread_id", ""), "comment_id_a": _row_get(a, "comment_id", ""),
                "outlet_a": _row_get(a, "outlet", ""), "raw_a": _row_get(a, "raw", _fmt(a["value"])),
                "value_a": float(a["value"]), "date_a": a["_date"], "as_of_a": _row_get(a, "as_of", ""),
                "attributed_a": _row_get(a, "attributed_to", ""),
                "thread_id_b": b.get("thread_id", ""), "comment_id_b": _row_get(b, "comment_id", ""),
                "outlet_b": _row_get(b, "outlet", ""), "raw_b": _row_get(b, "raw", _fmt(b["value"])),
                "value_b": float(b["value"]), "date_b": b["_date"], "as_of_b": _row_get(b, "as_of", ""),
                "attributed_b": _row_get(b, "attributed_to", ""),
                "relation": rel, "explanation": why,
            })
    return pd.DataFrame(rows, columns=COMPARE_COLUMNS)


def _compatible(a: dict, b: dict) -> bool:
    if a["_key"][0] != b["_key"][0]:
        return False
    ua, ub = a["_unit"], b["_unit"]
    if (ua in _MEASURES or ub in _MEASURES) and ua != ub:
        return False
    if a["_action"] and b["_action"] and a["_action"] != b["_action"]:
        return False
    ma, mb = a["_key"][1], b["_key"][1]
    if ma <= mb or mb <= ma:
        return True
    union = ma | mb
    return bool(union) and len(ma & mb) / len(union) >= 0.5


def _same_sentence(a: dict, b: dict) -> bool:
    return (a.get("thread_id") == b.get("thread_id") and _row_get(a, "comment_id", "") == _row_get(b, "comment_id", "")
            and _row_get(a, "paragraph", -1) == _row_get(b, "paragraph", -1)
            and _row_get(a, "claim", None) is not None and _row_get(a, "claim") == _row_get(b, "claim"))


def _span_kind(r: dict) -> str:
    """The length of time a non-cumulative figure counts over; a point date counts as unstated."""
    p = r["_period"]
    return "" if p in ("", "date", "cumulative", "since") else p


def _relation(a: dict, b: dict, tol: float) -> tuple[str, str]:
    fa, fb = _fmt(a["value"]), _fmt(b["value"])
    ra, rb = str(_row_get(a, "raw", fa)), str(_row_get(b, "raw", fb))
    da, db = a["_date"], b["_date"]
    la = f"{ra} ({da})" if da else f"{ra} (undated)"
    lb = f"{rb} ({db})" if db else f"{rb} (undated)"
    if a["_cum"] != b["_cum"]:
        run, per = (a, b) if a["_cum"] else (b, a)
        return "different_scope", (
            f"{_row_get(run, 'raw', '')} is a running total ({run['_asof'] or 'cumulative'}) while "
            f"{_row_get(per, 'raw', '')} counts {per['_asof'] or 'one occasion'}; they measure different things")
    pa, pb = _span_kind(a), _span_kind(b)
    if not a["_cum"] and pa != pb:
        if pa and pb:
            return "different_scope", (f"{ra} counts per {pa} ({a['_asof']}) and {rb} per {pb} "
                                       f"({b['_asof']}); different periods")
        stated, bare = (a, b) if pa else (b, a)
        return "different_scope", (f"{_row_get(stated, 'raw', '')} counts over '{stated['_asof']}' while "
                                   f"{_row_get(bare, 'raw', '')} states no period; not the same measure "
                                   f"as far as the text says")
    lo = max(a["_lo"], b["_lo"])
    hi = min(a["_hi"], b["_hi"])
    agree = lo <= hi or (lo - hi) <= tol * abs(lo)
    when = ""
    if da and db and not _same_date(da, db):
        gap = _months_between(da, db)
        when = f"; {gap} months apart" if gap else f"; dated {da} and {db}"
    if agree:
        return "agree", f"{la} and {lb} agree within {tol:.0%}{when}"
    same_thread = a.get("thread_id") == b.get("thread_id")
    if da and db:
        if _same_date(da, db):
            if a["_asof"] and b["_asof"] and a["_asof"] != b["_asof"] and not a["_cum"]:
                return "different_dates", f"{la} and {lb} refer to different periods: '{a['_asof']}' and '{b['_asof']}'"
            return "disagree", f"{la} and {lb} differ by more than {tol:.0%} for the same date and scope"
        gap = _months_between(da, db)
        gap_txt = f"{gap} months apart" if gap else f"dated {da} and {db}"
        if a["_cum"]:
            if b["_hi"] >= a["_lo"] * (1 - tol):  # b is the later one
                return "different_dates", (f"{la} and {lb} differ but are {gap_txt}; a cumulative count can "
                                           f"grow, so this is not a contradiction")
            return "inconsistent", (f"{la} and {lb}: the later running total is smaller than the earlier one "
                                    f"({gap_txt}); a cumulative count should not shrink")
        return "different_dates", f"{la} and {lb} count different periods ({gap_txt})"
    if not da and not db and same_thread:
        if a["_asof"] != b["_asof"] and a["_asof"] and b["_asof"] and not a["_cum"]:
            return "different_dates", f"{ra} and {rb} refer to different periods: '{a['_asof']}' and '{b['_asof']}'"
        return "disagree", f"{ra} and {rb} differ by more than {tol:.0%} in the same article, same scope"
    if a["_cum"]:
        return "different_dates", (f"{la} and {lb} are running totals reported at unknown or different times "
                                   f"in different places; a cumulative count can grow, so they cannot be called "
                                   f"a contradiction")
    return "different_dates", (f"{la} and {lb} cannot be placed at the same time (dates unknown), so the "
                               f"difference is not called a contradiction")


class ClaimsStage(Stage):
    """Check-worthy figures with who asserts them, and where figures about the same thing disagree."""

    name = "claims"
    requires = ("units",)
    provides = ("claims", "claim_comparison")

    def run(self, ctx: RunContext) -> None:
        claims = ClaimExtractor().transform(ctx.units)
        ctx.tables["claims"] = claims
        ctx.tables["claim_comparison"] = compare_claims(claims)
