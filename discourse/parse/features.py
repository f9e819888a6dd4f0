"""The linker's features: for each comment, its candidate parents (the named person's latest
comments, the people it addresses, the window of comments above it) and one row of named
feature columns per (comment, candidate) pair, plus a row for the article as the parent.

Columns are addressed by name (``F[:, Col.lexical]``), never by number: :data:`Col` and
:data:`RootCol` are the positions of :data:`FEATURES` and :data:`ROOT_FEATURES`.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from discourse.model import Comment, Thread
from discourse.parse.cues import CommentTexts, NameIndex, addressing, name_key, shingle_set
from discourse.parse.similarity import Similarity, page_order_score

FEATURES = (
    "addressed_prefix",  # "Name:" / "@Name" / "Name," opening the comment names this candidate's author
    "addressed_mention",  # the candidate's author is named in the opening words or @mentioned
    "quote",  # the comment repeats 5+ consecutive words of the candidate
    "lexical",  # TF-IDF cosine
    "semantic",  # sentence-embedding cosine (0 when --fast)
    "is_previous",  # the candidate is the comment right above
    "log_distance",  # log(1 + comments in between)
    "rebuttal_near",  # a rebuttal/second-person opening and the candidate is among the 3 above
    "same_author",  # people rarely answer themselves
    "answered_me",  # the candidate was itself a reply to this comment's author
    "named_rank",  # header replies: 0 for the named person's latest comment, 1 for the one before...
    "candidate_depth",  # header replies: depth of the candidate in the tree built so far
    "candidate_is_reply",  # the candidate is itself a reply
    "lexical_best",  # the candidate is the most similar (TF-IDF) of all candidates
    "semantic_best",  # ... by sentence embeddings
    "candidate_deep",  # the candidate is at depth 2 or more (many news sites nest only two levels)
    "lexical_margin",  # TF-IDF similarity to the candidate minus similarity to the article
    "semantic_margin",  # the same with sentence embeddings
    "rebuttal_best",  # a rebuttal/second-person opening and the candidate is the most similar one
    "previous_if_nested",  # is_previous x the page's order score (see ``page_order_score``)
    "distance_if_nested",  # log_distance x the page's order score
)
ROOT_FEATURES = (
    "root_bias", "root_lexical", "root_semantic", "root_quote", "root_rebuttal", "root_second_person",
    "root_header_share",  # share of the page's comments with a reply header: where replies are
    # marked, an unmarked comment is most likely top-level
    "root_nested",  # the page's order score: nested pages put replies right under their parents
)


ALL_FEATURES = FEATURES + ROOT_FEATURES
#: Column of each feature in a candidate row (``F[:, Col.lexical]``) and in a weight vector
#: over :data:`ALL_FEATURES` (the candidate features come first).
Col = IntEnum("Col", [(name, k) for k, name in enumerate(FEATURES)])
#: Column of each feature in an article row (``root[:, RootCol.root_lexical]``).
RootCol = IntEnum("RootCol", [(name, k) for k, name in enumerate(ROOT_FEATURES)])


class Block:
    """Static candidate features of comments ``a..b-1``: row r is the pair (I[r], J[r]); comment
    ``a+k`` owns rows ``starts[k]:starts[k+1]``; ``root[k]`` holds its article features."""

    __slots__ = ("F", "J", "_lists", "a", "explicit", "m", "root", "starts")

    def __init__(self, a, starts, J, F, explicit, root):
        self.a, self.m = a, len(explicit)
        self.starts, self.J, self.F, self.explicit, self.root = starts, J, F, explicit, root
        self._lists = None

    def lists(self) -> tuple[list[int], list[bool]]:
        """``starts`` and ``explicit`` as Python lists, for reading them one comment at a time."""
        if self._lists is None:
            self._lists = (self.starts.tolist(), self.explicit.tolist())
        return self._lists


class PageFeatures:
    """Page-wide inputs to the features (similarities, names) and the candidate plan, which is
    built in page order, one block after the other."""

    def __init__(self, linker, thread: Thread):
        """``linker`` gives the settings (``window``, ``named_limit``, ``stop_words``) and the
        sentence-embedding similarity (``semantic_similarity(thread)``, when ``semantic``)."""
        comments = thread.comments
        self.comments = comments
        self.n = n = len(comments)
        self.window, self.named_limit = linker.window, linker.named_limit
        texts = [c.text for c in comments]
        self.texts = CommentTexts(texts)
        self.article_text = thread.article.text
        self._art_shingles: set[int] | None = None
        self.lexical = Similarity.tfidf(texts, thread.article.text, linker.stop_words)
        self.semantic = linker.semantic_similarity(thread) if linker.semantic else None
        self.lex_root = self.lexical.roots()
        self.sem_root = self.semantic.roots() if self.semantic is not None else np.zeros(n)
        self.name_keys: dict[str | None, str] = {}  # names recur: each is normalised once
        self.keys = [self.name_key(c.author) for c in comments]
        ids: dict[str, int] = {}
        self.kid = np.array([ids.setdefault(k, len(ids)) if k else -1 for k in self.keys], dtype=np.int64)
        self.key_id = ids  # author key -> its number in ``kid``
        self.header_share = sum(1 for c in comments if c.reply_to) / max(1, n)
        self.addressing_opening = self.texts.rebuttal | self.texts.second_person
        self.order_score = page_order_score(self.lexical, n, self.window)
        # Every comment with an author as (author number * n + its index), ascending: the
        # comments of one author in page order, found by bisection ("their latest before i").
        self.by_author = np.sort(self.kid[self.kid >= 0] * n + np.flatnonzero(self.kid >= 0))
        self.names = NameIndex()  # the authors seen so far, in page order
        self.planned = 0

    def _named_comments(self, row: np.ndarray, author: np.ndarray, a: int, lo: np.ndarray,
                        explicit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The listed candidates of comments ``a+row`` as (row, comment) pairs, by row, then
        comment: for a reply header, the named author's latest ``named_limit`` comments above;
        for an addressed author, those of their latest that lie above the window (``lo``), each
        comment once. "Latest" as ``comments[-named_limit:]`` of a Python list."""
        n, limit = self.n, self.named_limit
        i = row + a
        group = author * n
        first = np.searchsorted(self.by_author, group)  # the author's first comment
        before = np.searchsorted(self.by_author, group + i)  # ... and the first at or after i
        count = before - first
        if limit > 0:
            start = first + np.maximum(0, count - limit)
        else:  # a slice [-0:] is everything, [-(-k):] drops k
            start = first + np.minimum(-limit, count)
        end = np.where(explicit[row], before, np.minimum(before, np.searchsorted(self.by_author, group + lo[row])))
        length = np.maximum(0, end - start)
        pos = np.repeat(start - (np.cumsum(length) - length), length) + np.arange(int(length.sum()))
        k = np.repeat(row, length)
        j = self.by_author[pos] - np.repeat(group, length)
        code = distinct(k * n + j)  # one per (comment, candidate), by comment then candidate
        return code // n, code % n

    def name_key(self, name: str | None) -> str:
        """:func:`name_key`, remembered per name."""
        key = self.name_keys.get(name)
        if key is None:
            key = self.name_keys[name] = name_key(name)
        return key

    def art_shingles(self) -> set[int]:
        if self._art_shingles is None:
            self._art_shingles = shingle_set(self.article_text)
        return self._art_shingles

    def block(self, a: int, b: int) -> Block:
        if a != self.planned:
            raise ValueError("blocks are planned in page order")
        self.planned = b
        comments, keys, texts, w = self.comments, self.keys, self.texts, self.window
        names, key_id = self.names, self.key_id

        # 1. Candidates, in page order. A comment's candidates are its listed ones (the latest
        #    comments of the person its reply header names, or of the people it addresses
        #    that lie above the window), then the window above it. The loop only finds the
        #    people (names need Python); which of their comments those are, and the window,
        #    are laid out by numpy.
        explicit: list[bool] = []
        asked_row: list[int] = []  # (comment in block, author number) for each person named
        asked_author: list[int] = []  # by a header (explicit) or addressed (not explicit)
        # (comment in block, author number, kind) of each author a comment addresses
        addr_row: list[int] = []
        addr_author: list[int] = []
        addr_kind: list[int] = []
        seen = names.keys  # authors with a comment above this one
        for i in range(a, b):
            c = comments[i]
            header = self.name_key(c.reply_to) if c.reply_to else None
            if header is not None and header in seen:
                explicit.append(True)
                asked_row.append(i - a)
                asked_author.append(key_id[header])
            else:
                explicit.append(False)
                addressed = names.addressed(texts.opening[i], c.text)
                if addressed:
                    opening, folded = texts.opening[i], c.text.casefold()
                    for key in addressed:
                        author = key_id[key]
                        asked_row.append(i - a)
                        asked_author.append(author)
                        kind = addressing(opening, c.text, key, folded)
                        if kind:
                            addr_row.append(i - a)
                            addr_author.append(author)
                            addr_kind.append(kind)
            if keys[i]:
                names.add(keys[i])

        m = b - a
        explicit_arr = np.array(explicit, dtype=bool)
        comment = np.arange(a, b)
        lo = np.maximum(0, comment - w)
        k_list, j_list = self._named_comments(np.array(asked_row, dtype=np.int64),
                                              np.array(asked_author, dtype=np.int64), a, lo, explicit_arr)
        n_head = np.bincount(k_list, minlength=m)
        n_tail = np.where(explicit_arr, 0, comment - lo)
        size = n_head + n_tail
        starts = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(size, out=starts[1:])
        Jn = np.empty(int(starts[-1]), dtype=np.int64)
        Jn[starts[k_list] + np.arange(len(k_list)) - (np.cumsum(n_head) - n_head)[k_list]] = j_list
        k_tail = np.repeat(np.arange(m), n_tail)  # the window: lo, lo+1, ..., i-1 after them
        t = np.arange(len(k_tail)) - (np.cumsum(n_tail) - n_tail)[k_tail]
        Jn[starts[k_tail] + n_head[k_tail] + t] = lo[k_tail] + t
        seg = np.repeat(np.arange(m), size)
        I = seg + a
        dist = I - Jn - 1

        # 2. Similarities: pairs within the window from bands (a comment against the one d
        #    above it, for every d at once), the few pairs beyond it one by one.
        lex = self.lexical.pairs_banded(I, Jn, a, b, w)
        sem = self.semantic.pairs_banded(I, Jn, a, b, w) if self.semantic is not None else None

        # 3. Feature rows.
        F = np.zeros((len(Jn), len(FEATURES)))
        F[:, Col.lexical] = lex
        if sem is not None:
            F[:, Col.semantic] = sem
            F[:, Col.semantic_margin] = sem - self.sem_root[I]
        F[:, Col.is_previous] = dist == 0
        F[:, Col.log_distance] = np.log1p(dist)
        F[:, Col.rebuttal_near] = texts.rebuttal[I] & (dist < 3)
        kid = self.kid
        F[:, Col.same_author] = (kid[I] == kid[Jn]) & (kid[Jn] >= 0)
        F[:, Col.lexical_margin] = lex - self.lex_root[I]
        F[:, Col.previous_if_nested] = F[:, Col.is_previous] * self.order_score
        F[:, Col.distance_if_nested] = F[:, Col.log_distance] * self.order_score
        # named_rank: header replies, 0 for the named person's latest comment, 1 the one before...
        ends = starts[1:] - 1
        F[:, Col.named_rank] = np.where(explicit_arr[seg], ends[seg] - np.arange(len(Jn)), 0)
        if addr_row:
            self._mark_addressed(F, seg, Jn, addr_row, addr_author, addr_kind)
        for r in np.flatnonzero(lex >= 0.2).tolist():  # shares a 5-word run: a quote (only similar pairs can)
            si, sj = texts.shingles(int(I[r])), texts.shingles(int(Jn[r]))
            if si and sj and not si.isdisjoint(sj):
                F[r, Col.quote] = 1.0
        opening = self.addressing_opening[a:b]
        # Mark the best candidate by each similarity (without embeddings: all 0, none best).
        marks = ((Col.lexical, Col.lexical_best), (Col.semantic, Col.semantic_best))
        for col, best_col in marks if sem is not None else marks[:1]:
            best, top = first_argmax(F[:, col], starts, size)
            ok = (best >= 0) & (top > 0)
            F[best[ok], best_col] = 1.0
            F[best[ok & opening], Col.rebuttal_best] = 1.0
        return Block(a, starts, Jn, F, explicit_arr, self._root_features(a, b))

    def _mark_addressed(self, F: np.ndarray, seg: np.ndarray, J: np.ndarray, addr_row: list[int],
                        addr_author: list[int], addr_kind: list[int]) -> None:
        """Set the addressing columns of the rows whose candidate's author the comment addresses
        (``addr_*``: comment in block, author number, kind 2 opening / 1 naming), by looking each
        row's (comment, author) up among them."""
        kid = self.kid
        n_ids = int(kid.max()) + 2
        codes = np.array(addr_row, dtype=np.int64) * n_ids + np.array(addr_author, dtype=np.int64)
        order = np.argsort(codes)  # the codes are distinct: one per comment and author
        codes, kinds_arr = codes[order], np.array(addr_kind, dtype=np.int64)[order]
        row_codes = seg * n_ids + kid[J]
        at = np.minimum(np.searchsorted(codes, row_codes), len(codes) - 1)
        hit = (codes[at] == row_codes) & (kid[J] >= 0)
        F[hit, Col.addressed_prefix] = kinds_arr[at[hit]] == 2
        F[hit, Col.addressed_mention] = kinds_arr[at[hit]] == 1

    def _root_features(self, a: int, b: int) -> np.ndarray:
        """The article's feature row for each comment ``a..b-1``."""
        texts = self.texts
        root = np.zeros((b - a, len(ROOT_FEATURES)))
        root[:, RootCol.root_bias] = 1.0
        root[:, RootCol.root_lexical] = self.lex_root[a:b]
        root[:, RootCol.root_semantic] = self.sem_root[a:b]
        for k in np.flatnonzero(self.lex_root[a:b] >= 0.1).tolist():
            sh = texts.shingles(a + k)
            if sh and not sh.isdisjoint(self.art_shingles()):
                root[k, RootCol.root_quote] = 1.0
        root[:, RootCol.root_rebuttal] = texts.rebuttal[a:b]
        root[:, RootCol.root_second_person] = texts.second_person[a:b]
        root[:, RootCol.root_header_share] = self.header_share
        root[:, RootCol.root_nested] = self.order_score
        return root


def distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` (sorted distinct values) by a sort: for the wide-ranging integer
    codes used here, numpy 2's ``unique`` is tens of times slower."""
    v = np.sort(values)
    return v[np.r_[True, v[1:] != v[:-1]]] if len(v) else v


def first_argmax(values: np.ndarray, starts: np.ndarray, size: np.ndarray,
                  seg: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per segment: the row of its first maximum (-1 when empty) and the maximum itself.
    ``seg`` is the segment of each row, ``np.repeat(np.arange(len(size)), size)``, for callers
    that have it already (the decision asks once per round)."""
    m = len(size)
    best = np.full(m, -1, dtype=np.int64)
    top = np.full(m, -np.inf)
    nonempty = size > 0
    if not nonempty.any():
        return best, top
    top[nonempty] = np.maximum.reduceat(values, starts[:-1][nonempty])
    if seg is None:
        seg = np.repeat(np.arange(m), size)
    hits = np.flatnonzero(values == top[seg])
    if not len(hits):  # only NaN maxima
        return best, top
    hit_seg = seg[hits]  # ascending: the first hit of a segment is where the segment changes
    first = np.flatnonzero(np.r_[True, hit_seg[1:] != hit_seg[:-1]])
    best[hit_seg[first]] = hits[first]
    return best, top


#: Feature columns that depend on links already made (filled in by the decision or from gold).
DYNAMIC = (Col.answered_me, Col.candidate_depth, Col.candidate_is_reply, Col.candidate_deep)


def candidate_matrix(comments: list[Comment], i: int, f: dict, depth, position: dict[str, int]) -> np.ndarray:
    """The full feature matrix of comment ``i``'s candidates (one row each, the article last
    unless the comment has a reply header), given the links and depths decided so far."""
    cands = f["cands"]
    k = len(FEATURES)
    n_rows = len(cands) + (0 if f["explicit"] else 1)
    rows = np.zeros((n_rows, len(ALL_FEATURES)))
    if cands:
        rows[:len(cands), :k] = f["rows"]
        me = name_key(comments[i].author)
        for r, j in enumerate(cands):
            parent = comments[j].parent_id
            if parent is not None:
                rows[r, Col.candidate_is_reply] = 1.0
                pj = position.get(parent)
                if pj is not None and me and name_key(comments[pj].author) == me:
                    rows[r, Col.answered_me] = 1.0
        d = np.asarray([depth[j] for j in cands], dtype=float)
        rows[:len(cands), Col.named_rank] = f["named_rank"]
        rows[:len(cands), Col.candidate_depth] = d
        rows[:len(cands), Col.candidate_deep] = d >= 2
    if not f["explicit"]:
        rows[-1, k:] = f["root"]
    return rows
