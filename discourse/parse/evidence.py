"""The plain-evidence pass: after the score, links the text states plainly, however far above
the answered comment is (the score looks ``window`` comments back and weighs recency): a quote
of an earlier comment, an opening that addresses an earlier author (``Name:``), a flat
contradiction (``No they didn't``) under the comment it resembles most.
"""

from __future__ import annotations

import numpy as np

from discourse.model import LINK_EXPLICIT, LINK_INFERRED, LINK_ROOT, Comment, Thread
from discourse.parse.cues import ADDRESS_MARKS, DENIAL, NameIndex, may_quote
from discourse.parse.features import PageFeatures


class PlainEvidence:
    """The pass, with its settings: how deep the site nests (``nest_levels``), how far back the
    score looked (``window``), and the confidence given to each kind of plain evidence."""

    def __init__(self, nest_levels: int = 2, window: int = 30, quote_confidence: float = 0.8,
                 address_confidence: float = 0.7, denial_confidence: float = 0.5):
        self.nest_levels, self.window = nest_levels, window
        self.quote_confidence = quote_confidence
        self.address_confidence = address_confidence
        self.denial_confidence = denial_confidence

    def link(self, thread: Thread, page: PageFeatures) -> None:
        """Overrule the score where the text says plainly whom a comment answers, however far
        above that is (the score only looks ``window`` comments back, and weighs recency).

        * A comment that quotes an earlier comment answers it (:mod:`discourse.parse.quotes`).
        * One the score left top-level that opens by addressing an earlier author (``Name:``,
          ``Name,``, ``Name -``) answers that person's latest comment.
        * One the score left top-level that opens by flatly contradicting (``No they didn't``)
          answers the comment above it that it resembles most, if more than the article.

        Many news sites nest replies ``nest_levels`` deep at most (the Globe and Mail two): an
        answer to a comment at that depth is filed under the comment it answered, in the same
        sub-thread. So an answered comment at that depth stands for its ancestor at depth
        ``nest_levels - 1``. Depths are those of the links made so far, this pass's included
        (it runs in page order). Comments with a reply header are left as they are.
        """
        from discourse.parse.quotes import QuoteIndex, quoted_passages

        comments = thread.comments
        tree = LinkedTree(comments, self.nest_levels)
        keys, names = page.keys, page.names
        sim = page.lexical
        passages = {i: p for i, c in enumerate(comments)
                    if c.link != LINK_EXPLICIT and may_quote(c.text) and (p := quoted_passages(c.text))}
        index = None
        if passages and getattr(sim, "vocabulary", None) is not None:
            index = QuoteIndex([c.text for c in comments], thread.article.text, sim.vocabulary,
                               sim.sparse.tocsc(), sim.first_column)
        for i, c in enumerate(comments):
            if c.link == LINK_EXPLICIT:
                continue
            if index is not None and i in passages:
                sources = [s for s in index.sources(i, passages[i]) if not (keys[i] and keys[s.source] == keys[i])]
                if sources:
                    src = sources[0]
                    target, note = tree.filed_under(src.source)
                    who = comments[src.source].author or "an earlier comment"
                    self._set_link(c, comments[target], self.quote_confidence,
                                   f'quotes {who}: "{src.passage}"{note}')
                    continue
            if c.link == LINK_ROOT and not c.text.startswith("@"):
                j = self._addressed_latest(page, names, i)
                if j is not None:
                    target, note = tree.filed_under(j)
                    self._set_link(c, comments[target], self.address_confidence,
                                   f"opens by addressing {comments[j].author} (their latest comment){note}")
                    continue
            if c.link == LINK_ROOT and DENIAL.match(c.text):
                j = self._closest_above(page, i)
                if j is not None:
                    target, note = tree.filed_under(j)
                    self._set_link(c, comments[target], self.denial_confidence,
                                   f"opens by contradicting; closest in wording of the comments above{note}")

    def _addressed_latest(self, page: PageFeatures, names: NameIndex, i: int) -> int | None:
        """The latest earlier comment of the person comment ``i`` opens by addressing, name and
        punctuation (``Name:``, ``Name,``, ``Name -``)."""
        text, opening = page.texts.texts[i], page.texts.opening[i]
        head = text[:80]
        if not any(m in head for m in ADDRESS_MARKS):
            return None  # no name is followed by a mark (names are shorter than this)
        best = None
        folded = text.casefold()
        for key in names.addressed(opening, text):
            if key == page.keys[i] or not folded.startswith(key):
                continue
            # "Name:", "Name," or "Name -": a bare "Will this ever end" is not addressed to Will.
            if folded[len(key):].lstrip(" ")[:1] not in ADDRESS_MARKS:
                continue
            author = page.key_id.get(key)
            if author is None:
                continue
            group = author * page.n
            k = int(np.searchsorted(page.by_author, group + i)) - 1  # their last comment before i
            if k >= 0 and page.by_author[k] >= group:
                j = int(page.by_author[k] - group)
                best = j if best is None else max(best, j)
        return best

    def _closest_above(self, page: PageFeatures, i: int) -> int | None:
        """The comment within the window above ``i``, by someone else, that ``i`` resembles
        most, if it resembles it more than the article (sentence embeddings where there are)."""
        lo = max(0, i - self.window)
        if lo >= i:
            return None
        sim = page.semantic if page.semantic is not None else page.lexical
        roots = page.sem_root if page.semantic is not None else page.lex_root
        J = np.arange(lo, i)
        scores = sim.pairs(np.full(len(J), i), J)
        me = page.kid[i]
        scores[(page.kid[J] == me) & (me >= 0)] = -np.inf
        k = int(np.argmax(scores))
        return int(J[k]) if scores[k] > roots[i] else None

    @staticmethod
    def _set_link(c: Comment, parent: Comment, confidence: float, evidence: str) -> None:
        agreed = c.parent_id == parent.comment_id  # the score had found it too
        c.parent_id, c.link = parent.comment_id, LINK_INFERRED
        c.confidence = max(float(c.confidence or 0.0), confidence) if agreed else confidence
        c.evidence = evidence


class LinkedTree:
    """Depths of the links made so far, for filing an answer under a sub-thread."""

    def __init__(self, comments: list[Comment], nest_levels: int):
        self.comments = comments
        self.position = {c.comment_id: k for k, c in enumerate(comments)}
        self.nest_levels = nest_levels

    def parent(self, k: int) -> int | None:
        p = self.comments[k].parent_id
        return self.position.get(p) if p is not None else None

    def depth(self, k: int) -> int:
        d, p = 0, self.parent(k)
        while p is not None and d < len(self.comments):
            d, p = d + 1, self.parent(p)
        return d

    def filed_under(self, j: int) -> tuple[int, str]:
        """Where an answer to comment ``j`` goes, and a note for the evidence when that is not
        ``j`` itself (``j`` is as deep as the site nests: its ancestor one level up)."""
        if self.nest_levels <= 0:
            return j, ""
        target, d = j, self.depth(j)
        while d >= self.nest_levels:
            p = self.parent(target)
            if p is None:
                break
            target, d = p, d - 1
        if target == j:
            return j, ""
        return target, f", filed in the sub-thread of {self.comments[target].author or 'an unnamed comment'}"
