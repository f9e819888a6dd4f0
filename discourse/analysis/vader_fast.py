"""VADER with the same scores, faster: the per-word hot path without repeated lower-casing.

``vaderSentiment`` lower-cases the whole sentence again for every negation and idiom check of
every sentiment word, and walks every character looking for emoji. This subclass lower-cases
once per text, skips the emoji walk for ASCII text (every emoji in VADER's table is non-ASCII),
splits words without a ``SentiText`` (a method call per word) and visits only the words that are
in the lexicon and not boosters: every other word scores 0 without the full check.
Everything that decides a score is VADER's own code or a line-by-line equivalent; the tests
compare both on varied text.
"""
from __future__ import annotations

import math
import string

from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    C_INCR,
    N_SCALAR,
    NEGATE,
    SPECIAL_CASES,
    SentimentIntensityAnalyzer,
)

_NEGATE = frozenset(NEGATE)
_PUNCTUATION = string.punctuation  # what SentiText strips from words
# Every word of a multi-word idiom or booster: each phrase ``_special_idioms_check`` builds contains
# one of the four words up to the scored one, so where none of them is here it changes nothing.
_IDIOM_WORDS = frozenset(w for phrase in [*SPECIAL_CASES, *BOOSTER_DICT] if " " in phrase
                         for w in phrase.split(" "))


def _booster(before_lower: str, before: str, valence: float, is_cap_diff: bool) -> float:
    """VADER's ``scalar_inc_dec`` for a word known to be a booster (only those pay the call)."""
    s = BOOSTER_DICT[before_lower]
    if valence < 0:
        s *= -1
    if before.isupper() and is_cap_diff:
        if valence > 0:
            s += C_INCR
        else:
            s -= C_INCR
    return s


def _score_valence(sentiments: list, text: str) -> tuple[float, float, float, float]:
    """VADER's ``score_valence`` (with its punctuation emphasis, ``normalize`` and
    ``_sift_sentiment_scores`` inlined), as ``(compound, pos, neg, neu)``: the same operations in
    the same order. Most words score 0, which adds nothing to either sum, so only the others are
    walked; a rounded 0.0 is 0.0 itself, so only the others are rounded."""
    if not sentiments:
        return 0.0, 0.0, 0.0, 0.0
    sum_s = float(sum(sentiments))
    ep_count = text.count("!")
    ep_count = min(ep_count, 4)
    qm_count = text.count("?")
    qm_amplifier = 0
    if qm_count > 1:
        qm_amplifier = qm_count * 0.18 if qm_count <= 3 else 0.96
    punct_emph_amplifier = ep_count * 0.292 + qm_amplifier
    if sum_s > 0:
        sum_s += punct_emph_amplifier
    elif sum_s < 0:
        sum_s -= punct_emph_amplifier
    compound = sum_s / math.sqrt((sum_s * sum_s) + 15)
    if compound < -1.0:
        compound = -1.0
    elif compound > 1.0:
        compound = 1.0
    pos_sum = 0.0
    neg_sum = 0.0
    nonzero = [v for v in sentiments if v]
    neu_count = len(sentiments) - len(nonzero)
    for v in nonzero:
        if v > 0:
            pos_sum += (float(v) + 1)
        elif v < 0:
            neg_sum += (float(v) - 1)
    if pos_sum > math.fabs(neg_sum):
        pos_sum += punct_emph_amplifier
    elif pos_sum < math.fabs(neg_sum):
        neg_sum -= punct_emph_amplifier
    total = pos_sum + math.fabs(neg_sum) + neu_count
    pos = math.fabs(pos_sum / total)
    neg = math.fabs(neg_sum / total)
    neu = math.fabs(neu_count / total)
    return (compound and round(compound, 4), pos and round(pos, 3), neg and round(neg, 3),
            neu and round(neu, 3))


def _special_idioms(valence: float, low: list[str], i: int) -> float:
    """VADER's ``_special_idioms_check`` on the text's lower-cased words."""
    onezero = f"{low[i - 1]} {low[i]}"
    twoonezero = f"{low[i - 2]} {low[i - 1]} {low[i]}"
    twoone = f"{low[i - 2]} {low[i - 1]}"
    threetwoone = f"{low[i - 3]} {low[i - 2]} {low[i - 1]}"
    threetwo = f"{low[i - 3]} {low[i - 2]}"
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in SPECIAL_CASES:
            valence = SPECIAL_CASES[seq]
            break
    if len(low) - 1 > i:
        zeroone = f"{low[i]} {low[i + 1]}"
        if zeroone in SPECIAL_CASES:
            valence = SPECIAL_CASES[zeroone]
    if len(low) - 1 > i + 1:
        zeroonetwo = f"{low[i]} {low[i + 1]} {low[i + 2]}"
        if zeroonetwo in SPECIAL_CASES:
            valence = SPECIAL_CASES[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in BOOSTER_DICT:
            valence = valence + BOOSTER_DICT[n_gram]
    return valence


class FastVader(SentimentIntensityAnalyzer):
    """Drop-in ``SentimentIntensityAnalyzer`` (same ``polarity_scores`` output): ``polarity_scores``
    goes through :meth:`scores`, which never calls VADER's per-word methods."""

    def _emoji_to_text(self, text: str) -> str:
        out = []
        prev_space = True
        emojis = self.emojis
        for ch in text:
            description = emojis.get(ch)
            if description is not None:
                if not prev_space:
                    out.append(" ")
                out.append(description)
                prev_space = False
            else:
                out.append(ch)
                prev_space = ch == " "
        return "".join(out)

    def polarity_scores(self, text):
        compound, pos, neg, neu = self.scores(text)
        return {"neg": neg, "neu": neu, "pos": pos, "compound": compound}

    def scores(self, text: str) -> tuple[float, float, float, float]:
        """``polarity_scores(text)`` as ``(compound, pos, neg, neu)``, without building the dict."""
        if not text.isascii():
            text = self._emoji_to_text(text)
        text = text.strip()
        # SentiText's words (punctuation stripped unless that leaves two characters or fewer) and
        # its "some but not all words are capitals" flag, without a method call per word.
        words = [w if len(s := w.strip(_PUNCTUATION)) <= 2 else s for w in text.split()]
        capitals = sum(map(str.isupper, words))
        is_cap_diff = 0 < len(words) - capitals < len(words)
        lower = [w.lower() for w in words]
        lexicon = self.lexicon
        # VADER appends one score per word: 0 for boosters and words not in the lexicon, which
        # are most words, so only the others are visited.
        sentiments: list = [0] * len(words)
        last = len(words) - 1
        for i in [i for i, low in enumerate(lower) if low in lexicon and low not in BOOSTER_DICT]:
            if i < last and lower[i] == "kind" and lower[i + 1] == "of":
                continue
            sentiments[i] = self._word_valence(words, lower, is_cap_diff, i)
        if "but" in lower:  # else _but_check changes nothing
            sentiments = self._but_check(words, sentiments)
        return _score_valence(sentiments, text)

    def _word_valence(self, words: list[str], low: list[str], is_cap_diff: bool, i: int) -> float:
        """The valence of lexicon word ``i``: VADER's ``sentiment_valence`` with ``scalar_inc_dec``,
        the negation and "least" checks inlined and its loop over the three words before unrolled
        (a method call per check was most of the cost), and the idiom check skipped where no word
        it looks at is part of any idiom. Each step is VADER's, in VADER's order."""
        lexicon = self.lexicon
        item_lowercase = low[i]
        valence = lexicon[item_lowercase]
        # "no" before another sentiment word negates it instead of counting itself
        if item_lowercase == "no" and i != len(words) - 1 and low[i + 1] in lexicon:
            valence = 0.0
        if ((i > 0 and low[i - 1] == "no") or (i > 1 and low[i - 2] == "no")
                or (i > 2 and low[i - 3] == "no" and low[i - 1] in ("or", "nor"))):
            valence = lexicon[item_lowercase] * N_SCALAR
        if words[i].isupper() and is_cap_diff:
            valence = valence + C_INCR if valence > 0 else valence - C_INCR
        if i > 0:  # start_i 0: the word before
            before = low[i - 1]
            if before not in lexicon:
                s = _booster(before, words[i - 1], valence, is_cap_diff) if before in BOOSTER_DICT else 0.0
                valence = valence + s
                if before in _NEGATE or "n't" in before:  # _negation_check
                    valence = valence * N_SCALAR
        if i > 1:  # start_i 1: two words before
            before = low[i - 2]
            if before not in lexicon:
                s = _booster(before, words[i - 2], valence, is_cap_diff) if before in BOOSTER_DICT else 0.0
                if s != 0:
                    s = s * 0.95
                valence = valence + s
                if before == "never" and (low[i - 1] == "so" or low[i - 1] == "this"):
                    valence = valence * 1.25
                elif before == "without" and low[i - 1] == "doubt":
                    pass
                elif before in _NEGATE or "n't" in before:
                    valence = valence * N_SCALAR
        if i > 2:  # start_i 2: three words before
            before = low[i - 3]
            if before not in lexicon:
                s = _booster(before, words[i - 3], valence, is_cap_diff) if before in BOOSTER_DICT else 0.0
                if s != 0:
                    s = s * 0.9
                valence = valence + s
                if (before == "never" and (low[i - 2] == "so" or low[i - 2] == "this")
                        or (low[i - 1] == "so" or low[i - 1] == "this")):
                    valence = valence * 1.25
                elif before == "without" and (low[i - 2] == "doubt" or low[i - 1] == "doubt"):
                    pass
                elif before in _NEGATE or "n't" in before:
                    valence = valence * N_SCALAR
                if not _IDIOM_WORDS.isdisjoint(low[i - 3:i + 1]):
                    valence = _special_idioms(valence, low, i)
        # _least_check
        if i > 1 and low[i - 1] not in lexicon and low[i - 1] == "least":
            if low[i - 2] != "at" and low[i - 2] != "very":
                valence = valence * N_SCALAR
        elif i > 0 and low[i - 1] not in lexicon and low[i - 1] == "least":
            valence = valence * N_SCALAR
        return valence
