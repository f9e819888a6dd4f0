"""What a figure counts and what happened to it: the noun phrase after (or before) the number
(``414,680 Russian personnel``, ``drone production has multiplied a hundred times``), its unit
(``38 percent``, ``$61 billion``), the action said of it (killed, destroyed, launched) and the
normalised subject key that lines up figures about the same quantity.
"""
from __future__ import annotations

from .lexicon import ClaimLexicon
from .tokens import _POSSESSIVE, _QUOTES, _Tok

_CURRENCIES = ("USD", "EUR", "GBP", "RUB", "UAH", "CNY", "JPY")
# verbs between a subject that comes first and its amount ("production has multiplied")
_AMOUNT_VERBS = {"rose", "fell", "grew", "increased", "decreased", "multiplied", "jumped", "dropped", "declined",
                 "surged", "climbed", "doubled", "tripled", "reached", "totalled", "totaled", "stood", "amounted",
                 "hit", "estimated", "cost", "costs", "worth", "valued"}
# words between a verb and the figure it governs ("killed at least", "has shot down some")
_BEFORE_FIGURE = ("to", "have", "has", "had", "over", "about", "more", "than", "at", "least", "down", "the", "a",
                  "some", "nearly", "almost")
# words between the counted phrase and its verb ("tanks have so far been destroyed")
_AFTER_PHRASE = ("have", "has", "had", "been", "were", "was", "being", "are", "is", "so", "far", "reportedly",
                 "allegedly", "already", "now")


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


class SubjectRules(ClaimLexicon):
    """The subject, unit and action of a figure (``_subject``) and subject keys for comparison."""

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
            if words and t.text[0].islower() and len(w) > 4 and self._verb_like(w):
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

    def _verb_like(self, w: str) -> bool:
        """An -ed, -ing or -ly word that is not a known noun ends a noun phrase."""
        return ((w.endswith("ed") and w not in self.ed_nouns)
                or (w.endswith("ing") and w not in self.ing_nouns)
                or (w.endswith("ly") and w not in self.ly_nouns))

    def _np_before(self, toks: list[_Tok], i: int) -> list[str]:
        """The noun phrase a ratio or amount is about when it comes first: 'drone production has
        multiplied a hundred times' -> 'drone production'."""
        k = i - 1
        skip = self.subject_stop | _AMOUNT_VERBS
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

    def _unit_after(self, toks: list[_Tok], num: dict, by_cat) -> tuple[str, int]:
        """A unit word after the number: 38 percent, 70 kilometers, 5 per cent, 200 square meters."""
        n = len(toks)
        j = num["j"]
        unit = num["unit"]
        for a, b, u in by_cat.get("unit", []):
            if a == j and not unit:
                unit, j = u, b
        if not unit and j < n and toks[j].low in self.units and toks[j].low not in self.scales:
            unit = self.units[toks[j].low]
            j += 1
        elif not unit and j < n and toks[j].text == "%":
            unit = "%"
            j += 1
        return unit, j

    def _subject(self, toks: list[_Tok], num: dict, by_cat, low: list[str]):
        """What the figure counts: (subject key, words, end token, unit, action) or None."""
        n = len(toks)
        unit, j = self._unit_after(toks, num, by_cat)
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
        elif measure and unit in _CURRENCIES and j < n and low[j] in ("in", "for", "worth"):
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
        # a quantity noun without a count unit takes its class (people) or its own head as the unit
        if not unit:
            head = words[-1]
            unit = self.unit_class.get(head, head)
        subject = self.normalise_subject(" ".join(words))
        if not subject:
            return None
        return subject, words, end, unit, self._action(toks, num, end, words, low)

    def _action(self, toks: list[_Tok], num: dict, end: int, words: list[str],
                low: list[str]) -> tuple[str, str]:
        """What happened to what is counted (killed, destroyed, launched, produced...), if said, and
        where it was said: the verb after the phrase, the verb before the figure, or the head noun."""
        n = len(toks)
        # the verb governing the figure comes first: "downed four drones launched by Russia"
        k = num["span_i"] - 1
        steps = 0
        while k >= 0 and steps < 4 and (low[k] in _BEFORE_FIGURE or toks[k].text in _QUOTES):
            if low[k] == "down" and k > 0 and low[k - 1] == "shot":
                return self.action_of.get("shot down", ""), "before"
            k -= 1
            steps += 1
        if k >= 0 and low[k] in self.action_of:
            return self.action_of[low[k]], "before"
        k = end
        while k < n and (low[k] in _AFTER_PHRASE or toks[k].text in _QUOTES):
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
