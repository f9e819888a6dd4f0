"""Quantities in a sentence: digits (``414,680``, ``1.5 million``, ``5-10``, ``$61 billion``),
number words (``twenty-five``, ``a hundred``, ``tens of thousands``, ``several hundred``), their
qualifiers (``at least``, ``over``, ``+``) and the unit glued to them (``38%``, ``70km``).

A digit run that is a time, a code, a list index, a phone number or part of a name is no quantity.
"""
from __future__ import annotations

import math

from .lexicon import ClaimLexicon
from .tokens import _join_tokens, _parse_digits, _Tok

_LIST_GLUE = (",", ";", "and", "plus", "or")


class NumberRules(ClaimLexicon):
    """Figures in a sentence's tokens (``_numbers``), as dicts with value, bounds and span."""

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
            if any(k in excluded for k in range(i, res[3])):
                i = res[3]
                continue
            out.append(self._figure(toks, low, i, res, quals))
            i = out[-1]["j"]
        return out

    def _figure(self, toks: list[_Tok], low: list[str], i: int, res, quals) -> dict:
        """One figure with its currency symbol and qualifier ('over $61 billion', '40+')."""
        n = len(toks)
        value, low_v, high_v, j, vague, unit = res
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
        return {
            "i": i, "j": j, "span_i": span_i, "value": value, "low": low_v, "high": high_v,
            "raw": " ".join(_join_tokens(toks[span_i:j])), "vague": vague, "unit": unit,
            "qualifier": qualifier or "exact", "qualifier_text": qual_text,
            "list_item": prev in _LIST_GLUE or (
                span_i > 1 and low[span_i - 1] in ("and",) and toks[span_i - 2].text == ","),
        }

    def _digit_number(self, toks: list[_Tok], i: int):
        """(value, low, high, end token, vague, unit) of the digits at ``i``, or None."""
        n = len(toks)
        t = toks[i]
        if _not_a_figure_start(toks, i):
            return None
        value = _parse_digits(t.text)
        if value is None:
            return None
        j = i + 1
        unit = ""
        if j < n and toks[j].start == t.end:
            how, glued = self._glued_suffix(toks, j, value)
            if how != "glued":
                return glued  # no figure (None), or a range read to its end
            value, j, unit = glued
        if _code_like(toks, i, j):
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

    def _glued_suffix(self, toks: list[_Tok], j: int, value: float):
        """What follows the digits without a space: a scale (5m), a unit (70km), a range (5-10) or
        something that makes them no figure (11:43, 24/02, 1st, 10.a.m.): ("glued", (value, end,
        unit)), ("range", the whole figure) or ("none", None)."""
        n = len(toks)
        nxt = toks[j]
        if nxt.text == ":" or (nxt.text == "/" and j + 1 < n and toks[j + 1].kind == "num"):
            return "none", None  # a time or a fraction/date like 11:43, 24/02
        if nxt.kind == "word":
            w = nxt.low
            if w in ("st", "nd", "rd", "th", "s", "am", "pm", "x", "d"):
                return "none", None
            if w in self.scales:
                return "glued", (value * self.scales[w], j + 1, "")
            if w in self.units:
                return "glued", (value, j + 1, self.units[w])
            return "none", None
        if nxt.text == "-" and j + 1 < n and toks[j + 1].kind == "num" and toks[j + 1].start == nxt.end:
            # a range 5-10, unless it is phone-like (555-123-4567)
            k = j + 2
            if k < n and toks[k].text == "-" and k + 1 < n and toks[k + 1].kind == "num":
                return "none", None
            hi = _parse_digits(toks[j + 1].text)
            if hi is None or hi < value or len(toks[j + 1].text) > 7:
                return "none", None
            return "range", self._scaled(toks, j + 2, value, hi, "")
        if nxt.text == "." and j + 1 < n and toks[j + 1].kind == "word" and toks[j + 1].low in ("m", "a", "p"):
            return "none", None  # 10.a.m.
        return "glued", (value, j, "")

    def _scaled(self, toks, j, lo, hi, unit):
        n = len(toks)
        if j < n and toks[j].low in self.scales and len(toks[j].low) > 2:
            s = self.scales[toks[j].low]
            lo, hi = lo * s, hi * s
            j += 1
        return lo, lo, hi, j, False, unit

    def _word_number(self, toks: list[_Tok], i: int, several_end: dict[int, int], low: list[str]):
        """Number words: 'one million', 'a hundred', 'twenty-five', 'tens of thousands', 'several hundred'."""
        w = low[i]
        if w in self.vague:
            return self._vague_number(i, low)
        if w in ("a", "an") and i + 1 < len(toks) and (low[i + 1] in self.scales and len(low[i + 1]) > 2
                                                       or low[i + 1] == "dozen"):
            value, j = 1.0, i + 1
        elif w in self.number_words:
            value, j = 0.0, i
        else:
            return None
        value, j, seen_word = self._number_phrase(toks, low, j, value)
        if not seen_word or value == 0:
            return None
        if j == i + 1 and w in self.standalone_skip:
            return None
        # several hundred / a few thousand: the phrase ends right before a scale word
        if i in several_end or (i > 0 and low[i - 1] in ("several", "few")):
            return value * 2, value * 2, value * 9, j, True, ""
        return value, value, value, j, False, ""

    def _vague_number(self, i: int, low: list[str]):
        """'dozens', 'tens of thousands', 'hundreds': a range, marked vague."""
        n = len(low)
        w = low[i]
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

    def _number_phrase(self, toks: list[_Tok], low: list[str], j: int, value: float):
        """Add up number and scale words from ``j``: (value, end token, whether any word counted)."""
        n = len(toks)
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
        return total + current, j, seen_word


def _not_a_figure_start(toks: list[_Tok], i: int) -> bool:
    """Digits glued to a word or a model code: M2, Su-25, COVID-19, #3, No. 5, 11:43."""
    t = toks[i]
    prev = toks[i - 1] if i > 0 else None
    if prev is not None and prev.end == t.start:
        if prev.kind == "word" or prev.text in ("#", ":", "/", "."):
            return True
        if prev.text == "-" and i > 1 and toks[i - 2].end == prev.start and toks[i - 2].kind in ("word", "num"):
            return True
    return i > 1 and prev is not None and prev.text == "." and toks[i - 2].low == "no"


def _code_like(toks: list[_Tok], i: int, j: int) -> bool:
    """Zero-padded codes, long bare digit runs, list indices and clock times."""
    n = len(toks)
    t = toks[i]
    if t.text.startswith("0") and len(t.text) > 1 and "." not in t.text[:2]:
        return True  # zero-padded codes and phone numbers
    if len(t.text.replace(",", "").replace(".", "")) >= 9 and "," not in t.text and "." not in t.text:
        return True  # a long bare digit run is an identifier, not a figure
    if i == 0 and j < n and toks[j].text in (".", ")") and j + 1 < n and toks[j + 1].start > toks[j].end:
        return True  # a list index "1. ", "2) "
    return j < n and toks[j].low in ("a.m", "p.m", "am", "pm", "o'clock", "gmt", "utc")
