"""Who asserts a figure: sources named in a sentence (``Ukraine claimed``, ``according to the
Russian Ministry of Defense``, ``reported by the ministry``), pronouns resolved to the last named
source (``he said``, ``its figures``), and quotations whose speaker is named before or after them.
"""
from __future__ import annotations

from .lexicon import ClaimLexicon
from .tokens import _OPEN_QUOTES, _POSSESSIVE, _QUOTES, _join_tokens, _span_text, _Tok

# words between a source and its verb ("the ministry has also said")
_BEFORE_VERB = ("has", "have", "had", "also", "reportedly", "previously", "then", "later", "earlier", "again",
                "further", "recently", "once", "is", "was", "were", "are", "publicly", "officially",
                "repeatedly")


class AttributionRules(ClaimLexicon):
    """Sources of a sentence (``_attributions``): (token position, source, evidence span)."""

    def _attributions(self, toks: list[_Tok], by_cat, last_source: str):
        """Sources named in a sentence: (token position, source, evidence span), and the last named
        source after it (what a later pronoun refers to)."""
        out: list[tuple[int, str, str]] = []
        covered: list[tuple[int, int]] = []
        last_source = self._according(toks, by_cat, last_source, out, covered)
        for i, j, _ in by_cat.get("verb", []):
            # "according to figures released by X" is handled above
            if any(ca <= i < cb for ca, cb in covered):
                continue
            found = self._verb_source(toks, i, j)
            if not found:
                continue
            src_span, (ev_a, ev_b) = found
            seg = toks[src_span[0]:src_span[1]]
            src = self._clean_source(seg, last_source)
            if not src:
                continue
            out.append((i, src, _span_text(toks, ev_a, ev_b)))
            if not _is_pronoun_phrase(seg, self.pronouns) and _looks_named(seg, self.source_nouns):
                last_source = src
        out.sort(key=lambda x: x[0])
        return out, last_source

    def _according(self, toks: list[_Tok], by_cat, last_source: str, out: list, covered: list) -> str:
        """'according to X', including 'according to figures released by X': appends to ``out``
        and ``covered``; the last named source after them."""
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
        return last_source

    def _verb_source(self, toks: list[_Tok], i: int, j: int):
        """The source of the attribution verb at tokens ``i:j`` and the evidence span, or None:
        passive ('reported by X'), before the verb ('X said'), after it ('said X'), or the
        sentence's subject for a participle ('X issued an update claiming')."""
        n = len(toks)
        if j < n and toks[j].low == "by":
            # passive: "reported by the ministry"
            src_span = self._source_after(toks, j + 1)
            ev = (i, src_span[1]) if src_span else (i, j)
        else:
            src_span = self._source_before(toks, i)
            ev = (src_span[0], j) if src_span else (i, j)
        if not src_span:
            fwd = self._source_after(toks, j, forward_only=True)
            if fwd:
                src_span = fwd
                ev = (i, fwd[1])
        if not src_span and toks[i].low in self.participles:
            # "The General Staff ... issued an update on Friday claiming ..."
            src_span = self._sentence_subject(toks)
            if src_span:
                ev = (src_span[0], j)
        return (src_span, ev) if src_span else None

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
        while k >= 0 and toks[k].low in _BEFORE_VERB:
            k -= 1
        if k < 0:
            return None
        if toks[k].text == ",":
            return _appositive(toks, k)
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


def _appositive(toks: list[_Tok], k: int):
    """A name between commas before the verb: "Ukraine's minister ..., Oleksander Kamyshin, has said"."""
    b = k
    a = k - 1
    while a >= 0 and toks[a].kind == "word" and b - a <= 6:
        a -= 1
    a += 1
    if a < b and (a == 0 or toks[a - 1].text == ",") and any(t.text[0].isupper() for t in toks[a:b]):
        return a, b
    return None


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
