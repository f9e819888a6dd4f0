"""The claim extractor: sentences of a unit, each read for figures, their subjects, sources, hedges
and times (the parts in ``numbers``, ``subjects``, ``attribution`` and ``periods``), assembled
into ledger rows and scored for check-worthiness.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ...text import sentence_spans
from .attribution import AttributionRules, _nearest_attr, _quote_open_after
from .numbers import NumberRules
from .periods import PeriodRules, _clean_date, _resolve_date
from .subjects import SubjectRules
from .tokens import _DIGIT, _MEASURES, _OPEN_QUOTES, _QUOTES, _WORDS, _tokenise, _Tok, _windows

CLAIM_COLUMNS = [
    "thread_id", "comment_id", "paragraph", "outlet", "claim", "value", "low", "high", "raw", "unit",
    "subject", "action", "attributed_to", "attribution", "hedged", "hedge_terms", "qualifier",
    "published", "as_of", "period", "date", "cumulative", "checkworthy", "reasons", "evidence",
    "start", "end",
]


class ClaimExtractor(NumberRules, PeriodRules, SubjectRules, AttributionRules):
    """Finds numeric claims in text units and records what they count, who says so, how and when.

    ``path`` replaces the packaged word lists (``discourse/data/lexicons/claims.json``);
    ``min_checkworthy`` drops claims scoring below it (0 keeps every number with a subject).
    """

    def __init__(self, path: str | Path | None = None, *, min_checkworthy: float = 0.0):
        super().__init__(path)
        self.min_checkworthy = float(min_checkworthy)
        #: text -> sentence spans; a run sets its token layer's (each text split once per run)
        self.split = sentence_spans

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
        if _DIGIT.search(text) is None:
            vocab = set(_WORDS.findall(text.lower()))
            if self._number_vocab.isdisjoint(vocab):
                # Still follow who is speaking, so that a later "he said" or "its figures" resolves.
                if track_sources and not self._cue_vocab.isdisjoint(vocab):
                    for s, e in _windows(text, self.split(text)):
                        toks = _tokenise(text[s:e], s)
                        _, last_source = self._attributions(toks, self._by_cat(toks), last_source)
                return [], last_source
        out: list[dict] = []
        prev_attr: tuple[str, str] | None = None
        open_quote = False
        pending: list[dict] = []  # figures inside a quotation whose speaker is named after it
        for s, e in _windows(text, self.split(text)):
            toks = _tokenise(text[s:e], s)
            if not toks:
                continue
            claims, attrs, last_source, starts_cont = self._sentence(text, toks, pub, last_source)
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
        """Claims of one sentence, its sources, the last named source and whether it continues the
        previous sentence ('He added ...')."""
        by_cat = self._by_cat(toks)
        low = [t.low for t in toks]
        starts_cont = any(i == 0 or (i == 1 and toks[0].text in _QUOTES)
                          for i, _, _ in by_cat.get("continuation", []))
        periods, excluded = self._periods(toks)
        attrs_pos, last_source = self._attributions(toks, by_cat, last_source)
        numbers = self._numbers(toks, excluded, by_cat)
        sentence = text[toks[0].start:toks[-1].end]
        ctx = {
            "text": text, "toks": toks, "pub": pub, "periods": periods, "attrs": attrs_pos,
            "sentence": sentence, "question": sentence.rstrip().rstrip("”\"'’").endswith("?"),
            "hedges": [(i, j, " ".join(t.text for t in toks[i:j])) for i, j, _ in by_cat.get("hedge", [])],
            "future": [(i, j) for i, j, _ in by_cat.get("future", [])],
            "cum_cues": [(i, j, "cumulative", " ".join(t.text for t in toks[i:j]))
                         for i, j, _ in by_cat.get("cumulative", [])],
        }
        found = []
        for num in numbers:
            subj = self._subject(toks, num, by_cat, low)
            if subj is not None:
                found.append([num, *subj])
        _share_list_actions(found)
        claims = [self._claim(ctx, *f) for f in found]
        attrs_plain = [(a, ev) for _, a, ev in attrs_pos]
        return claims, attrs_plain, last_source, starts_cont

    def _claim(self, ctx: dict, num: dict, subject: str, subj_words, s_end: int, unit: str, action_how) -> dict:
        """One ledger row for a figure: when (nearest time phrase), who (nearest source), how firmly."""
        toks, text = ctx["toks"], ctx["text"]
        action = action_how[0]
        ni, nj = num["i"], num["j"]
        # When: the nearest date or period phrase, or cumulative cue, in the sentence.
        as_of, period, cumulative, date_info = self._when(ni, ctx["periods"], ctx["cum_cues"])
        resolved = _resolve_date(date_info, ctx["pub"])
        # Who: the nearest attribution before the figure, else the nearest after it.
        attributed, attribution = _nearest_attr(ctx["attrs"], ni)
        hedge_terms = [h.lower() for i, j, h in ctx["hedges"] if not (ni <= i < nj)]
        if num["qualifier_text"]:
            hedge_terms.append(num["qualifier_text"].lower())
        if num["vague"]:
            hedge_terms.append("vague quantity: " + num["raw"].lower())
        hedge_terms = list(dict.fromkeys(hedge_terms))
        start = toks[num["span_i"]].start
        end = toks[s_end - 1].end if s_end > ni else toks[nj - 1].end
        evidence = [f'"{text[start:end]}"']
        if attribution:
            evidence.append(f'source: "{attribution}"')
        if hedge_terms:
            evidence.append("hedge: " + ", ".join(f'"{h}"' for h in hedge_terms))
        if as_of:
            evidence.append(f'when: "{as_of}"')
        return {
            "claim": ctx["sentence"].strip(),
            "value": num["value"], "low": num["low"], "high": num["high"], "raw": num["raw"],
            "unit": unit, "subject": subject, "action": action,
            "attributed_to": attributed, "attribution": attribution,
            "hedged": bool(hedge_terms), "hedge_terms": "; ".join(hedge_terms),
            "qualifier": num["qualifier"],
            "as_of": as_of, "period": period, "date": resolved, "cumulative": cumulative,
            "checkworthy": 0.0, "reasons": "", "evidence": "; ".join(evidence),
            "start": start, "end": end,
            "_future": any(abs(i - ni) < 12 for i, _ in ctx["future"]), "_question": ctx["question"],
        }

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


def _share_list_actions(found: list[list]) -> None:
    """In a list ("destroyed 3610 tanks, 6974 APVs; ...", "17 tanks, ... 54 vehicles destroyed") a
    verb before the first item or after the last one applies to the items between. Each entry of
    ``found`` is [number, subject, words, end, unit, (action, where)]; actions are filled in place."""
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


def _as_int(v) -> int:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return -1
    return -1 if math.isnan(f) else int(f)
