"""The word lists incivility matches: our lexicon, better-profanity's list and VADER's negative words.

:class:`Lexicon` reads ``discourse/data/lexicons/incivility.json`` once into the sets and phrase
indexes the cue matcher (:mod:`.cues`) looks words up in.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from discourse.resources import load_json

# Words with apostrophes or inner hyphens stay whole ("you're", "holier-than-thou").
TOKEN = re.compile(r"[A-Za-z0-9]+(?:['\u2019\-][A-Za-z0-9]+)*")


@lru_cache(maxsize=1)
def better_profanity_words() -> tuple[frozenset[str], dict[int, list]]:
    """better-profanity's word list, and its look-alike matchers grouped by length."""
    from better_profanity import Profanity

    checker = Profanity()  # builds one VaryingString per listed word (about 10 ms, once)
    by_length: dict[int, list] = {}
    words = set()
    for vs in checker.CENSOR_WORDSET:
        word = str(vs)
        words.add(word)
        for n in range(vs._min_len, vs._max_len + 1):
            by_length.setdefault(n, []).append(vs)
    return frozenset(words), by_length


@lru_cache(maxsize=1)
def vader_negative() -> dict[str, float]:
    """Negative words of VADER's lexicon with their strength (read from the installed package)."""
    from importlib import resources

    text = resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    out: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].isalpha():
            try:
                value = float(parts[1])
            except ValueError:
                continue
            if value < 0:
                out[parts[0].lower()] = -value
    return out


class Phrases:
    """Token-sequence phrases indexed by their first token ('*' matches any one token)."""

    def __init__(self, phrases: Iterable[str]):
        self.index: dict[str, list[tuple[str, ...]]] = {}
        self.wild: list[tuple[str, ...]] = []
        for phrase in phrases:
            toks = tuple(t.lower().replace("\u2019", "'") for t in TOKEN.findall(phrase))
            if not toks:
                continue
            if toks[0] == "*":
                self.wild.append(toks)
            else:
                self.index.setdefault(toks[0], []).append(toks)
        for seqs in self.index.values():
            seqs.sort(key=len, reverse=True)  # the longest phrase wins at a position
        # The same lists as (length, phrase, has a wildcard), so a lookup does not measure or
        # scan a phrase again for every token it is tried at.
        self._entries = {w: [(len(seq), seq, "*" in seq) for seq in seqs] for w, seqs in self.index.items()}

    def match_at(self, toks: list[str], i: int) -> int:
        """Length of the longest phrase starting at token ``i`` (0 when none)."""
        entries = self._entries.get(toks[i])
        if not entries:
            return 0
        left = len(toks) - i
        for n, seq, wild in entries:
            if n > left:
                continue
            if wild:
                if all(p == "*" or p == toks[i + k] for k, p in enumerate(seq)):
                    return n
            elif n == 1 or (toks[i + 1] == seq[1] and tuple(toks[i:i + n]) == seq):
                return n
        return 0


#: phrase list name -> the lexicon keys whose entries it holds (``multi``: only multi-word entries)
_PHRASE_LISTS = {
    "targeted": (("second_person_attack_phrases", False),),
    "threat": (("threat_phrases", False),),
    "harm": (("harm_wish_phrases", False),),
    "label": (("name_calling_labels", True), ("insult_nouns", True)),
    "slur": (("slurs", True),),
    "general": (("generalising_phrases", False),),
    "mockery": (("mockery", False),),
    "profane": (("profanity_strong", True),),
}


class Lexicon:
    """The incivility lexicon as word sets and phrase indexes, with lookup shortcuts."""

    def __init__(self, path: str | Path | None = None):
        lex = load_json("lexicons", "incivility.json", path=path)
        self.raw = lex

        def words(key: str) -> frozenset[str]:
            return frozenset(w.lower() for w in lex.get(key, []) if " " not in w)

        self.insult_nouns = words("insult_nouns") | words("name_calling_labels")
        self.disparaging = words("insult_adjectives")
        self.second_person = words("second_person")
        self.slurs = words("slurs")
        self.dehumanising = words("dehumanising_words")
        self.groups = words("identity_groups")
        self.pointers = words("group_pointers")
        self.masked_targets = tuple(sorted({w.lower() for w in lex.get("profanity_masked_targets", [])}))
        bp_words, self.lookalikes = better_profanity_words()
        not_news = words("profanity_not_in_news")
        self.profane = (frozenset(w for w in bp_words if " " not in w) - not_news) | words("profanity_strong")
        self.window = int(lex.get("second_person_attack_window", 4))
        self.group_window = int(lex.get("identity_attack_window", 6))
        self.punctuation = tuple(lex.get("excessive_punctuation", []))
        self.min_caps = int(lex.get("shouting_min_letters", 3))
        self.phrases = {name: Phrases([w for key, multi in keys for w in lex.get(key, []) if not multi or " " in w])
                        for name, keys in _PHRASE_LISTS.items()}
        self.negative = vader_negative()
        self._index_starts()

    def _index_starts(self) -> None:
        """Shortcuts for the matcher: which words can start a lookup at all, and in which lists."""
        # Words at which any lookup can start: the rest of a comment is skipped quickly.
        self.phrase_first = frozenset().union(*(p.index.keys() for p in self.phrases.values()))
        # Word -> names of the phrase lists it can start, so a word is looked up only in those.
        starts_of: dict[str, set[str]] = {}
        for name, p in self.phrases.items():
            for w in p.index:
                starts_of.setdefault(w, set()).add(name)
        self.starts_of = {w: frozenset(v) for w, v in starts_of.items()}
        self.lexical = self.slurs | self.profane | self.insult_nouns | self.disparaging | self.dehumanising
        # Word -> the second words of every phrase it starts, for words that count for nothing on
        # their own (no one-word phrase, not in a word list): "the" starts phrases, but a "the"
        # not followed by one of their second words can match nothing, and such common words
        # were most of the words looked up.
        seconds: dict[str, set[str] | None] = {}
        for p in self.phrases.values():
            for w, seqs in p.index.items():
                for seq in seqs:
                    if len(seq) < 2 or seq[1] == "*" or seconds.get(w, set()) is None:
                        seconds[w] = None
                    else:
                        seconds.setdefault(w, set()).add(seq[1])
        self.second_words = {w: frozenset(v) for w, v in seconds.items()
                             if v is not None and w not in self.lexical}
