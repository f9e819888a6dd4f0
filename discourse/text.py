"""Sentence splitting and tokenisation shared by every analysis.

NLTK parts that need no downloaded data packs: an untrained Punkt splitter (it still knows
sentence-final punctuation and common abbreviations learnt from the text it is given) and the
TweetTokenizer, which keeps emoticons, @names, hashtags and URLs whole, as comment text needs.
"""
from __future__ import annotations

import re
from functools import lru_cache

_NEWLINES = re.compile(r"\s*\n\s*")


@lru_cache(maxsize=1)
def _punkt():
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    params = PunktParameters()
    # Abbreviations common in news text; Punkt would otherwise end a sentence after them.
    params.abbrev_types = {
        "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "sgt", "capt", "st", "jr", "sr",
        "u.s", "u.k", "u.n", "e.g", "i.e", "etc", "vs", "no", "jan", "feb", "mar", "apr", "jun",
        "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "inc", "ltd", "co", "corp",
    }
    return PunktSentenceTokenizer(params)


@lru_cache(maxsize=1)
def _tweet_tokenizer():
    from nltk.tokenize import TweetTokenizer

    return TweetTokenizer(preserve_case=True, reduce_len=False, strip_handles=False)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``; line breaks always end a sentence.

    Spans index into the original text, so evidence can be highlighted where it was found.
    """
    spans: list[tuple[int, int]] = []
    tokenizer = _punkt()
    for block in re.finditer(r"[^\n]+", text):
        if not block.group().strip():
            continue
        for s, e in tokenizer.span_tokenize(block.group()):
            spans.append((block.start() + s, block.start() + e))
    return spans


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
