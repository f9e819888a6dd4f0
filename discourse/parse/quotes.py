"""Quoted replies: a comment that repeats, in quotation marks, a passage of an earlier comment
answers that comment.

On a page without reply headers this is the plainest sign of a reply there is, and unlike
similarity it reaches any distance back: in a busy chronological thread the quoted comment is
often dozens of comments above. The linker's scoring model only looks at a window of recent
comments, and its quote feature is one term among many; this finds the source of every quoted
passage on the page, whatever its distance, so the linker can act on it.

Only passages set in quotation marks (``"…"``, ``“…”``, ``'…'``, ``« … »``) or on lines opening
with ``>`` are looked up, for two reasons: five words two comments share by chance
("has called himself a socialist") are not a quote, and looking up every comment's word runs
would cost more than all the other linking features of a large page together. A passage that
the article also holds is a quote of the article, not of a comment, and is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

#: An opening quotation mark: at the start of the text or a line, or after a space, a bracket,
#: a colon or a dash, and followed by the passage. No closing mark is demanded (people quote
#: the opening words of a longer passage and break off), so nothing can backtrack here.
_OPENING = re.compile(r"""(?:^|(?<=[\s(\[:\-]))(?:["“”«‘']+|>+[ \t]?)(?=[^\s"“”«‘'>])""", re.MULTILINE)
#: Where a quoted passage ends: a double closing mark, or a single one that is not an apostrophe
#: inside a word (``Wente's``).
_CLOSING = re.compile(r"""["“”»]|[’'](?![^\W\d_])|\n""")
_TOKEN = re.compile(r"\b[^\W\d_][\w'’]+\b")
#: How much text after an opening mark is read, and how many passages per comment at most.
_SPAN_CHARS = 300
_MAX_SPANS = 6
#: Words a passage read across inner quotation marks needs (more than a plain one: it is a guess).
_ACROSS_MARKS_MIN_WORDS = 6
#: At most this many earlier comments holding a passage's rarest word are read, the nearest
#: first, so a page of 100,000 comments all sharing their words stays linear.
_MAX_SCAN = 2000
#: Words in a run that, found in the article, make a passage a quote of the article.
_RUN = 5


@dataclass(frozen=True)
class QuoteSource:
    """Comment ``source`` (an index into the page's comments) holds the words ``passage``."""

    source: int
    passage: str


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def quoted_passages(text: str, min_words: int = 4, max_words: int = 12, retweets: bool = False) -> list[str]:
    """The quoted passages of a comment as lower-cased words joined by single spaces, at most
    ``max_words`` words each (their opening is enough to find them), shorter than
    ``min_words`` words left out. A passage opening with ``@name`` passes on a post of that
    account (a retweet), not a comment here; ``retweets`` keeps those too."""
    out: list[str] = []
    head = text[:4000]  # quotes open a comment or its paragraphs; a bounded cost on huge ones
    for m in _OPENING.finditer(head):
        start = m.end()
        if not retweets and head.startswith("@", start):
            continue
        window = head[start:start + _SPAN_CHARS]
        end = _CLOSING.search(window)
        words = _tokens(window[:end.start()] if end else window)
        if not end and start + _SPAN_CHARS < len(head) and len(words) > 1:
            words = words[:-1]  # the window may have cut the last word short
        if len(words) < min_words and end is not None and window[end.start()] != "\n":
            # Closed too soon: a quotation holding quotation marks ("The other "rules" are the
            # committee work"). Its line, read across the marks, if that is long enough.
            line = window.split("\n", 1)[0]
            words = _tokens(line)
            if len(line) == len(window) and len(words) > 1:
                words = words[:-1]
            if len(words) < _ACROSS_MARKS_MIN_WORDS:
                continue
        if len(words) >= min_words:
            passage = " ".join(words[:max_words])
            if passage not in out:
                out.append(passage)
                if len(out) >= _MAX_SPANS:
                    break
    return out


class QuoteIndex:
    """Finds the earlier comment each quoted passage comes from.

    ``vocabulary`` maps lower-cased tokens to columns of ``postings`` (a CSC matrix whose row k
    is comment k, the article last), as the linker's TF-IDF builds them: the rarest word of a
    passage names the few comments that can hold it, and only those are read.
    """

    def __init__(self, texts: list[str], article: str, vocabulary: dict[str, int], postings,
                 first_column: int = 0, max_sources: int = 3):
        self.texts = texts
        self.vocabulary = vocabulary
        self.first_column = first_column
        self.indptr = postings.indptr
        self.indices = postings.indices
        self.df = np.diff(postings.indptr)
        self.max_sources = max_sources
        self._normal: dict[int, str] = {}
        words = _tokens(article)
        self._article_runs = {tuple(words[k:k + _RUN]) for k in range(len(words) - _RUN + 1)}

    def normal(self, k: int) -> str:
        """Comment ``k`` as its lower-cased words, one space between and around them."""
        s = self._normal.get(k)
        if s is None:
            s = self._normal[k] = " " + " ".join(_tokens(self.texts[k])) + " "
        return s

    def sources(self, i: int, passages: list[str] | None = None) -> list[QuoteSource]:
        """Earlier comments that comment ``i`` quotes, one per passage, in the order of its
        passages. A passage found in the article, in none or in more than ``max_sources``
        earlier comments (a stock phrase) says nothing about whom it answers and is skipped;
        of several holders, the earliest is where the words come from. ``passages`` are those of
        :func:`quoted_passages`, if the caller has them already."""
        found: list[QuoteSource] = []
        for passage in quoted_passages(self.texts[i]) if passages is None else passages:
            if self._from_article(passage):
                continue
            rows = self._rows_with_rarest_word(passage, i)
            if rows is None:
                continue
            needle = " " + passage + " "
            holders: list[int] = []
            for j in rows[::-1][:_MAX_SCAN].tolist():  # the nearest first
                if needle in self.normal(j):
                    holders.append(j)
                    if len(holders) > self.max_sources:
                        break
            if not holders or len(holders) > self.max_sources:
                continue
            # A holder that itself quotes the passage is passing on someone else's words (a
            # retweet of a post outside the thread, a line of the article reworded): it is not
            # where they come from.
            own = [j for j in sorted(holders) if not any(needle in " " + q + " " for q in
                                                          quoted_passages(self.texts[j], max_words=10_000, retweets=True))]
            if own:
                found.append(QuoteSource(own[0], passage))
        return found

    def _from_article(self, passage: str) -> bool:
        """Any five-word run of the passage in the article (a quote of the article may be
        prefixed, as in ``"@outlet: <headline>"``, or cut short)."""
        words = passage.split()
        return any(tuple(words[k:k + _RUN]) in self._article_runs for k in range(len(words) - _RUN + 1))

    def _rows_with_rarest_word(self, passage: str, i: int):
        best, best_df = -1, None
        for word in passage.split():
            code = self.vocabulary.get(word)
            if code is None or code < self.first_column:
                continue  # a stop word (no column) or a word of no comment
            col = code - self.first_column
            if col >= len(self.df):
                continue
            if best_df is None or self.df[col] < best_df:
                best, best_df = col, self.df[col]
        if best < 0:
            return None
        rows = self.indices[self.indptr[best]:self.indptr[best + 1]]
        return rows[rows < i]
