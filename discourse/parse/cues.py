"""What a comment's text says about whom it answers, before any scoring: its opening words,
a rebuttal or second-person opening, its 5-word shingles (for quotes), the people it names or
addresses (``Name:``, ``@name``, a name in the opening words) among the authors seen so far.
"""

from __future__ import annotations

import re

import numpy as np

_WORDS = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_WORDS_ASCII = re.compile(_WORDS.pattern, re.ASCII)  # the same on ASCII text, faster
_REBUTTAL = re.compile(
    r"^\W*(?:no+\b|nope|wrong|err+\b|erm\b|um+\b|yes\b|yep\b|yeah\b|exactly|agreed|indeed|true\b|"
    r"not true|nonsense|rubbish|really\b|sorry\b|thanks\b|thank you|well said|i agree|i disagree|"
    r"you\b|your\b|you're\b|youre\b|so you\b|lol\b|haha|that's\b|thats\b|that is\b|not really|"
    r"what\?|what are you|are you|did you|do you|how do you|ok so|ok,|okay|right\b|hmm|huh|"
    r"absolutely|correct|incorrect|false\b|ridiculous|bs\b|good point|fair point|same\b|\+1)",
    re.IGNORECASE,
)
_SECOND_PERSON = re.compile(r"\b(?:you|your|you're|youre|yours|yourself|u)\b", re.IGNORECASE)
#: The same for ASCII text, lower-cased, with ASCII classes: no case-insensitive matching (which
#: costs more than lower-casing). Other text can change its word boundaries when lower-cased.
_SECOND_PERSON_LOWER = re.compile(r"\b(?:you|your|you're|youre|yours|yourself|u)\b", re.ASCII)
_REBUTTAL_ASCII = re.compile(_REBUTTAL.pattern, re.IGNORECASE | re.ASCII)  # for ASCII text, faster


def shingle_set(text: str) -> set[int]:
    """Hashes of the 5-word runs of ``text`` (words case-folded)."""
    if text.isascii():  # folding the text first gives the same words, without a call per word
        tokens = _WORDS_ASCII.findall(text.lower())
    else:  # folding can change what is a word character (a dotted capital I gains a combining dot)
        tokens = [w.casefold() for w in _WORDS.findall(text)]
    # zip hands each 5-tuple to hash and reuses it: no slice and no tuple per word
    return set(map(hash, zip(tokens, tokens[1:], tokens[2:], tokens[3:], tokens[4:])))


class CommentTexts:
    """What linking needs of the comment texts, as flat lists and arrays (no object per
    comment, so a page of 400,000 comments stays small); 5-word shingles are made on demand,
    since only pairs that already share words need them."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        self.opening: list[str] = []
        rebuttal, second = [], []
        rmatch, rmatch_ascii = _REBUTTAL.match, _REBUTTAL_ASCII.match
        psearch, psearch_lower = _SECOND_PERSON.search, _SECOND_PERSON_LOWER.search
        for t in texts:
            head = t[:400].split(None, 25)  # the first 25 words (and the rest unsplit)
            self.opening.append(" ".join(head[:12]).casefold())
            rebuttal.append((rmatch_ascii(t) if t.isascii() else rmatch(t)) is not None)
            words = " ".join(head[:25])
            if words.isascii():
                second.append(psearch_lower(words.lower()) is not None)
            else:
                second.append(psearch(words) is not None)
        self.rebuttal = np.array(rebuttal, dtype=bool)
        self.second_person = np.array(second, dtype=bool)
        self._shingles: dict[int, set[int]] = {}

    def shingles(self, k: int) -> set[int]:
        s = self._shingles.get(k)
        if s is None:
            s = self._shingles[k] = shingle_set(self.texts[k])
        return s


def name_key(name: str | None) -> str:
    return " ".join((name or "").casefold().split()).lstrip("@")


class NameIndex:
    """Authors seen so far, looked up from a comment's opening words and @mentions."""

    def __init__(self):
        self.keys: set[str] = set()
        self.compact: dict[str, str] = {}
        self.first: dict[str, set[str]] = {}
        self.heads: dict[str, set[int]] = {}  # first word of a name -> its lengths in words

    def add(self, key: str) -> None:
        if key in self.keys:
            return
        self.keys.add(key)
        self.compact[key.replace(" ", "")] = key
        parts = key.split(" ")
        self.heads.setdefault(parts[0], set()).add(len(parts))
        if " " in key:
            first = key.split()[0]
            if len(first) >= 4:
                self.first.setdefault(first, set()).add(key)

    def addressed(self, opening: str, text: str) -> set[str]:
        found: set[str] = set()
        if "@" in text:
            for m in _AT.findall(text.casefold()):
                key = self.compact.get(m) or self.compact.get(m.rstrip(".:,"))
                if key:
                    found.add(key)
        words = [w.strip(".,:;!?-–—()\"'") for w in opening.split()]
        heads, keys, first = self.heads, self.keys, self.first
        n = len(words)
        for a, w in enumerate(words):
            lengths = heads.get(w)
            if lengths is not None:
                for size in lengths:
                    if size == 1:  # the word itself: no slice and join
                        if w in keys:
                            found.add(w)
                    elif size <= 6 and a + size <= n:
                        gram = " ".join(words[a:a + size])
                        if gram in keys:
                            found.add(gram)
            if w in first:
                found.update(first[w])
        return found


_AT = re.compile(r"@([\w.-]{2,40})")
#: A comment that opens by flatly contradicting ("No they didn't", "Nope.", "Not true") answers
#: a comment: the article is rarely told "no". (Not "No one", "No wonder", "No surprise".)
DENIAL = re.compile(
    r"\W*(?:no+(?:[,.!:;-]|\s+(?:they|he|she|it|you|we|i|that|this|there)\b)|nope\b|"
    r"wrong\b|not\s+true\b|not\s+so\b|untrue\b|false\b|incorrect\b|nonsense\b|rubbish\b)",
    re.IGNORECASE,
)
ADDRESS_MARKS = frozenset(":,;-–—")
_QUOTE_MARKS = ('"', "“", "”", "«", "'", "‘", ">")


def may_quote(text: str) -> bool:
    """A cheap test before looking for quoted passages (most comments have no quote mark)."""
    return any(q in text for q in _QUOTE_MARKS)


def addressing(opening: str, text: str, author_key: str, low: str | None = None) -> int:
    """2: the comment opens by addressing this author; 1: names them early; 0: neither.
    ``low`` is ``text.casefold()``, for callers that test one text against several authors."""
    if not author_key:
        return 0
    if low is None:
        low = text.casefold()
    at = "@" in low  # the @-forms are only looked for where there is an @
    compact = author_key.replace(" ", "") if at else ""
    for prefix in ((author_key, "@" + compact, "@" + author_key) if low.startswith("@") else (author_key,)):
        if low.startswith(prefix):
            end = len(prefix)
            if end == len(low) or not low[end].isalnum():
                return 2
    if at and "@" + compact in low:
        return 1
    if author_key in opening:
        return 1
    if " " in author_key:
        first = author_key.split()[0]
        if len(first) >= 4 and first in opening.split():
            return 1
    return 0
