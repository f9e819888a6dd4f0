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


def _negated(word_lower: str) -> bool:
    """``vaderSentiment.negated([word])`` for one lower-cased word."""
    return word_lower in _NEGATE or "n't" in word_lower


class FastVader(SentimentIntensityAnalyzer):
    """Drop-in ``SentimentIntensityAnalyzer`` (same ``polarity_scores`` output). Not thread-safe:
    it remembers the lower-cased words of the text being scored."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._words: list[str] | None = None
        self._lower: list[str] = []

    def _lowered(self, words: list[str]) -> list[str]:
        if words is self._words:
            return self._lower
        return [str(w).lower() for w in words]

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
        self._words, self._lower = words, lower
        try:
            for i in [i for i, low in enumerate(lower) if low in lexicon and low not in BOOSTER_DICT]:
                if i < last and lower[i] == "kind" and lower[i + 1] == "of":
                    continue
                sentiments[i] = self._word_valence(words, lower, is_cap_diff, i)
        finally:
            self._words, self._lower = None, []
        if "but" in lower:  # else _but_check changes nothing
            sentiments = self._but_check(words, sentiments)
        return self.score_valence(sentiments, text)

    def sentiment_valence(self, valence, sentitext, item, i, sentiments):
        """VADER's rule for one word (``item`` is word ``i``), reading the text's lower-cased words
        instead of lower-casing its neighbours again for every check."""
        words = sentitext.words_and_emoticons
        low = self._lowered(words)
        if low[i] in self.lexicon:
            valence = self._word_valence(words, low, sentitext.is_cap_diff, i)
        sentiments.append(valence)
        return sentiments

    def _word_valence(self, words: list[str], low: list[str], is_cap_diff: bool, i: int) -> float:
        """The valence of lexicon word ``i``: VADER's ``sentiment_valence`` with ``scalar_inc_dec``
        inlined, and the idiom check skipped where no word it looks at is part of any idiom."""
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
        for start_i in range(3):
            if i > start_i and low[i - (start_i + 1)] not in lexicon:
                before = low[i - (start_i + 1)]
                s = 0.0
                if before in BOOSTER_DICT:  # scalar_inc_dec
                    s = BOOSTER_DICT[before]
                    if valence < 0:
                        s *= -1
                    if words[i - (start_i + 1)].isupper() and is_cap_diff:
                        if valence > 0:
                            s += C_INCR
                        else:
                            s -= C_INCR
                if start_i == 1 and s != 0:
                    s = s * 0.95
                if start_i == 2 and s != 0:
                    s = s * 0.9
                valence = valence + s
                valence = self._negation_check(valence, words, start_i, i)
                if start_i == 2 and not _IDIOM_WORDS.isdisjoint(low[i - 3:i + 1]):
                    valence = self._special_idioms_check(valence, words, i)
        return self._least_check(valence, words, i)

    def _least_check(self, valence, words_and_emoticons, i):
        low = self._lowered(words_and_emoticons)
        if i > 1 and low[i - 1] not in self.lexicon and low[i - 1] == "least":
            if low[i - 2] != "at" and low[i - 2] != "very":
                valence = valence * N_SCALAR
        elif i > 0 and low[i - 1] not in self.lexicon and low[i - 1] == "least":
            valence = valence * N_SCALAR
        return valence

    def _negation_check(self, valence, words_and_emoticons, start_i, i):
        low = self._lowered(words_and_emoticons)
        if start_i == 0 and _negated(low[i - 1]):
            valence = valence * N_SCALAR
        if start_i == 1:
            if low[i - 2] == "never" and (low[i - 1] == "so" or low[i - 1] == "this"):
                valence = valence * 1.25
            elif low[i - 2] == "without" and low[i - 1] == "doubt":
                pass
            elif _negated(low[i - 2]):
                valence = valence * N_SCALAR
        if start_i == 2:
            if (low[i - 3] == "never" and (low[i - 2] == "so" or low[i - 2] == "this")
                    or (low[i - 1] == "so" or low[i - 1] == "this")):
                valence = valence * 1.25
            elif low[i - 3] == "without" and (low[i - 2] == "doubt" or low[i - 1] == "doubt"):
                pass
            elif _negated(low[i - 3]):
                valence = valence * N_SCALAR
        return valence

    def _special_idioms_check(self, valence, words_and_emoticons, i):
        low = self._lowered(words_and_emoticons)
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
