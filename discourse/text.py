"""Sentence splitting and tokenisation shared by every analysis.

NLTK parts that need no downloaded data packs: an untrained Punkt splitter (it still knows
sentence-final punctuation and common abbreviations learnt from the text it is given) and the
TweetTokenizer, which keeps emoticons, @names, hashtags and URLs whole, as comment text needs.
"""
from __future__ import annotations

import re
from functools import lru_cache

_NEWLINES = re.compile(r"\s*\n\s*")


_WHITESPACE = " \t\n\r\x0b\x0c"  # string.whitespace, which Punkt looks for


def _punkt():
    from nltk.tokenize.punkt import (
        PunktLanguageVars,
        PunktParameters,
        PunktSentenceTokenizer,
    )

    class _PlainRegexVars(PunktLanguageVars):
        """Punkt's own candidate and realignment patterns, compiled with ``re``. NLTK wraps them in a
        time-limited ``regex`` call (a guard added when an older pattern could backtrack); these
        two look ahead over one run of whitespace and one token at most, so they stay linear."""

        def __init__(self):
            super().__init__()
            self._plain_context = re.compile(
                self._period_context_fmt % {"NonWord": self._re_non_word_chars,
                                            "SentEndChars": self._re_sent_end_chars},
                re.UNICODE | re.VERBOSE)
            self.re_boundary_realignment = re.compile(PunktLanguageVars.re_boundary_realignment.pattern,
                                                      re.MULTILINE)

        def period_context_re(self):
            return self._plain_context

    class _MemoPunkt(PunktSentenceTokenizer):
        """Punkt with its per-candidate decision memoised: whether ``word. Next`` breaks depends only
        on that short context (the parameters never change after construction), and the same
        contexts recur all over a corpus. Splits are exactly Punkt's."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._breaks: dict[str, bool] = {}

        def text_contains_sentbreak(self, text: str) -> bool:
            found = self._breaks.get(text)
            if found is None:
                found = self._breaks[text] = super().text_contains_sentbreak(text)
            return found

        def _get_last_whitespace_index(self, text: str) -> int:
            # Punkt scans character by character in Python; rfind per whitespace kind is the same answer.
            return max(0, max(text.rfind(c) for c in _WHITESPACE))

    params = PunktParameters()
    # Abbreviations common in news text; Punkt would otherwise end a sentence after them.
    params.abbrev_types = {
        "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "sgt", "capt", "st", "jr", "sr",
        "u.s", "u.k", "u.n", "e.g", "i.e", "etc", "vs", "no", "jan", "feb", "mar", "apr", "jun",
        "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "inc", "ltd", "co", "corp",
    }
    return _MemoPunkt(params, lang_vars=_PlainRegexVars())


@lru_cache(maxsize=1)
def _tweet_tokenizer():
    from nltk.tokenize import TweetTokenizer

    return TweetTokenizer(preserve_case=True, reduce_len=False, strip_handles=False)


# A block with no sentence-final mark followed by a space is one sentence: Punkt is not needed.
_MAYBE_BREAK = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\s")


class SentenceSplitter:
    """Sentence spans of texts; line breaks always end a sentence. Owns its Punkt model and a memo
    of the texts it has split (one splitter per run: see :class:`discourse.tokens.Tokenizer`)."""

    def __init__(self, memo_size: int = 100_000):
        self._punkt = None
        self._memo: dict[str, tuple[tuple[int, int], ...]] = {}
        self.memo_size = memo_size

    def spans(self, text: str) -> tuple[tuple[int, int], ...]:
        found = self._memo.get(text)
        if found is None:
            found = self._split(text)
            if len(self._memo) < self.memo_size:
                self._memo[text] = found
        return found

    def _split(self, text: str) -> tuple[tuple[int, int], ...]:
        spans: list[tuple[int, int]] = []
        for block in re.finditer(r"[^\n]+", text):
            part = block.group()
            stripped = part.strip()
            if not stripped:
                continue
            if not _MAYBE_BREAK.search(stripped):
                lead = len(part) - len(part.lstrip())
                spans.append((block.start() + lead, block.start() + lead + len(stripped)))
                continue
            if self._punkt is None:
                self._punkt = _punkt()
            for s, e in self._punkt.span_tokenize(part):
                spans.append((block.start() + s, block.start() + e))
        return tuple(spans)


#: the splitter behind the module-level helpers below (for callers outside an analysis run, such as
#: the report); a run splits through its own :class:`discourse.tokens.Tokenizer`.
_splitter = SentenceSplitter()


def forget() -> None:
    """Drop what the module-level splitter remembered (benchmarks measure a fresh process this way)."""
    global _splitter
    _splitter = SentenceSplitter()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``; line breaks always end a sentence.

    Spans index into the original text, so evidence can be highlighted where it was found.
    """
    return list(_splitter.spans(text))


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (original characters, case and punctuation kept)."""
    return [text[s:e] for s, e in sentence_spans(text)]


def tokens(text: str) -> list[str]:
    """Comment-aware tokens (emoticons, @names, hashtags and URLs stay whole; case kept)."""
    return _tweet_tokenizer().tokenize(text)


_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")


def words(text: str) -> list[str]:
    """Lower-cased alphabetic words, for lexicon matching and counting."""
    return [w.lower() for w in _WORD.findall(text)]


def word_count(text: str) -> int:
    """``len(words(text))`` without building the lower-cased words."""
    return len(_WORD.findall(text))


def clip(text, width: int = 80) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis: for reasons and tables."""
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


_PHRASE_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


class PhraseMatcher:
    """Whole-word phrase lookup in linear time (no regex alternation over user-supplied phrases).

    Phrases and text are lower-cased and split into word tokens; apostrophes inside words stay
    ("won't"), hyphens split ("cover-up" == "cover up"). ``find`` returns ``(start, end, phrase)``
    character spans of every match, longest phrase first at each position.
    """

    def __init__(self, phrases):
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for phrase in phrases:
            toks = tuple(m.group().replace("’", "'") for m in _PHRASE_TOKEN.finditer(phrase.lower()))
            if toks:
                self._by_first.setdefault(toks[0], []).append((toks, phrase))
        for options in self._by_first.values():
            options.sort(key=lambda o: -len(o[0]))
        self._firsts = tuple(self._by_first)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        lower = text.lower()
        # Most texts hold no phrase at all: a first word that is not even a substring rules them out.
        plain = lower.replace("’", "'")
        if not any(first in plain for first in self._firsts):
            return []
        matches = list(_PHRASE_TOKEN.finditer(lower))
        words = [m.group().replace("’", "'") for m in matches]
        found = []
        for i, w in enumerate(words):
            for toks, phrase in self._by_first.get(w, ()):
                if tuple(words[i:i + len(toks)]) == toks:
                    found.append((matches[i].start(), matches[i + len(toks) - 1].end(), phrase))
                    break
        return found
