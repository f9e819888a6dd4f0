"""Reply linking: which earlier comment (or the article) each comment answers.

Two cases, one scoring model:

* **Reply header** (the page printed the replied-to name): the parent is one of that person's
  earlier comments. Which one is decided from the text and the conversation, not blindly the
  latest: a comment that was itself answering the replier, one the reply quotes or resembles, and
  one that opens a sub-thread (a shallow comment) are preferred.
* **No header**: the parent is the article unless the text says otherwise: addressing by name
  (``Name:``, ``@name``, a name in the opening words), quoting an earlier comment, a
  second-person rebuttal (``No they didn't``) near a comment it resembles, lexical and semantic
  similarity, recency.

Each candidate gets a linear score over named features; the weights live in
``discourse/data/reply_linking.json`` (retrain them with ``discourse evaluate train-linker``).
The chosen link records its kind (explicit for a header, inferred, root), a confidence (the
softmax share of the winner among the candidates) and a short evidence string for people.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

import numpy as np

from discourse.model import LINK_EXPLICIT, LINK_INFERRED, LINK_ROOT, Comment, Thread

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

#: One weight set per situation: a reply header names the person ("header"); no comment on the
#: page has a header ("implicit"); the page marks replies with headers but not this comment
#: ("unheaded": most likely top-level, unless the text says otherwise).
MODELS = ("header", "implicit", "unheaded")


def model_for(f: dict, page_has_headers: bool) -> str:
    if f["explicit"]:
        return "header"
    return "unheaded" if page_has_headers else "implicit"


def default_weights() -> dict[str, dict[str, float]]:
    """{"header": {...}, "implicit": {...}}: one weight set per case (see the data file)."""
    return {k: v for k, v in _weights_file().items() if k in _WEIGHT_SETS}


def stop_words() -> frozenset[str]:
    """Words left out of lexical similarity (the ``stop_words`` list of the weights file)."""
    return _stop_words_of(_weights_file())


@lru_cache(maxsize=1)
def _weights_file() -> dict:
    text = resources.files("discourse").joinpath("data", "reply_linking.json").read_text(encoding="utf-8")
    return json.loads(text)


def _stop_words_of(data: dict) -> frozenset[str]:
    return frozenset(w.lower() for w in data.get("stop_words", ()))


def _shingle_set(text: str) -> set[int]:
    """Hashes of the 5-word runs of ``text`` (words case-folded)."""
    if text.isascii():  # folding the text first gives the same words, without a call per word
        tokens = _WORDS_ASCII.findall(text.lower())
    else:  # folding can change what is a word character (a dotted capital I gains a combining dot)
        tokens = [w.casefold() for w in _WORDS.findall(text)]
    # zip hands each 5-tuple to hash and reuses it: no slice and no tuple per word
    return set(map(hash, zip(tokens, tokens[1:], tokens[2:], tokens[3:], tokens[4:])))


class _Texts:
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
            s = self._shingles[k] = _shingle_set(self.texts[k])
        return s


def _name_key(name: str | None) -> str:
    return " ".join((name or "").casefold().split()).lstrip("@")


class ReplyLinker:
    """Sets ``parent_id``, ``link``, ``confidence`` and ``evidence`` on each comment of a thread.

    ``window`` bounds how far back (in comments) an unheaded comment looks for its parent, so the
    cost stays linear on huge pages; named and addressed people are looked up beyond it.
    ``block`` is how many comments are featurised at a time: features are made, scored and
    dropped block by block, so memory does not grow with candidate pairs. ``path`` reads the
    weights (and stop words) from another file laid out like ``discourse/data/reply_linking.json``.
    """

    def __init__(self, semantic: bool = True, embedder=None, weights: dict | None = None,
                 window: int = 30, named_limit: int = 12, block: int = 4096, path=None,
                 plain_evidence: bool = True):
        self.semantic = semantic
        self.plain_evidence = plain_evidence
        self._embedder = embedder
        if path is not None:
            from pathlib import Path

            data = json.loads(Path(path).read_text(encoding="utf-8"))
        else:
            data = _weights_file()
        w = weights or {k: v for k, v in data.items() if k in _WEIGHT_SETS}
        suffix = "" if self.semantic else "_fast"  # weights fitted without embeddings, if present
        self.weights = {k: dict(w.get(k + suffix, w.get(k, w.get("implicit", {})))) for k in MODELS}
        self.stop_words = _stop_words_of(data)
        self.nest_levels = int(data.get("nest_levels", 2))
        self.quote_confidence = float(data.get("quote_confidence", 0.8))
        self.address_confidence = float(data.get("address_confidence", 0.7))
        self.denial_confidence = float(data.get("denial_confidence", 0.5))
        self.window = window
        self.named_limit = named_limit
        self.block = max(1, int(block))

    # -- public -----------------------------------------------------------------------------------
    def link(self, thread: Thread) -> Thread:
        comments = thread.comments
        if not comments:
            return thread
        page = _PageFeatures(self, thread)
        decider = _Decider(self, thread, page)
        for a in range(0, len(comments), self.block):
            decider.decide(page.block(a, min(len(comments), a + self.block)))
        if self.plain_evidence:
            self._link_plain_evidence(thread, page)
        return thread

    def _link_plain_evidence(self, thread: Thread, page: _PageFeatures) -> None:
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
        tree = _LinkedTree(comments, self.nest_levels)
        keys, names = page.keys, page.names
        sim = page.lexical
        passages = {i: p for i, c in enumerate(comments)
                    if c.link != LINK_EXPLICIT and _may_quote(c.text) and (p := quoted_passages(c.text))}
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
            if c.link == LINK_ROOT and _DENIAL.match(c.text):
                j = self._closest_above(page, i)
                if j is not None:
                    target, note = tree.filed_under(j)
                    self._set_link(c, comments[target], self.denial_confidence,
                                   f"opens by contradicting; closest in wording of the comments above{note}")

    def _addressed_latest(self, page: _PageFeatures, names: _NameIndex, i: int) -> int | None:
        """The latest earlier comment of the person comment ``i`` opens by addressing, name and
        punctuation (``Name:``, ``Name,``, ``Name -``)."""
        text, opening = page.texts.texts[i], page.texts.opening[i]
        head = text[:80]
        if not any(m in head for m in _ADDRESS_MARKS):
            return None  # no name is followed by a mark (names are shorter than this)
        best = None
        folded = text.casefold()
        for key in names.addressed(opening, text):
            if key == page.keys[i] or not folded.startswith(key):
                continue
            # "Name:", "Name," or "Name -": a bare "Will this ever end" is not addressed to Will.
            if folded[len(key):].lstrip(" ")[:1] not in _ADDRESS_MARKS:
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

    def _closest_above(self, page: _PageFeatures, i: int) -> int | None:
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

    # -- features ---------------------------------------------------------------------------------
    def candidate_features(self, thread: Thread) -> list[dict]:
        """Per comment: candidate indices, static feature rows and the article's features.

        Features that depend on links made earlier (depth, "answered me") are left at zero; they
        are filled in during the sequential decision (or from gold links when training, with
        :func:`candidate_matrix`). This per-comment view is for training and inspection;
        :meth:`link` works on the same blocks without splitting them.
        """
        comments = thread.comments
        if not comments:
            return []
        page = _PageFeatures(self, thread)
        out = []
        for a in range(0, len(comments), self.block):
            blk = page.block(a, min(len(comments), a + self.block))
            for k in range(blk.m):
                s0, s1 = blk.starts[k], blk.starts[k + 1]
                rows = blk.F[s0:s1]
                out.append({"cands": blk.J[s0:s1].tolist(), "rows": rows, "explicit": bool(blk.explicit[k]),
                            "named_rank": rows[:, 10].tolist(), "root": blk.root[k].tolist()})
        return out

    def _semantic(self, thread: Thread):
        from discourse.embeddings import Embedder

        if self._embedder is None:
            self._embedder = Embedder()
        embedder = self._embedder
        texts = [c.text for c in thread.comments]
        vectors = embedder.encode(texts + [thread.article.text[:2000] or " "])
        return _Similarity(dense=vectors)


_WEIGHT_SETS = {m + s for m in MODELS for s in ("", "_fast")}


class _LinkedTree:
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


class _Block:
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


class _PageFeatures:
    """Page-wide inputs to the features (similarities, names) and the candidate plan, which is
    built in page order, one block after the other."""

    def __init__(self, linker: ReplyLinker, thread: Thread):
        comments = thread.comments
        self.comments = comments
        self.n = n = len(comments)
        self.window, self.named_limit = linker.window, linker.named_limit
        texts = [c.text for c in comments]
        self.texts = _Texts(texts)
        self.article_text = thread.article.text
        self._art_shingles: set[int] | None = None
        self.lexical = _Similarity.tfidf(texts, thread.article.text, linker.stop_words)
        self.semantic = linker._semantic(thread) if linker.semantic else None
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
        self.names = _NameIndex()  # the authors seen so far, in page order
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
        code = _distinct(k * n + j)  # one per (comment, candidate), by comment then candidate
        return code // n, code % n

    def name_key(self, name: str | None) -> str:
        """:func:`_name_key`, remembered per name."""
        key = self.name_keys.get(name)
        if key is None:
            key = self.name_keys[name] = _name_key(name)
        return key

    def art_shingles(self) -> set[int]:
        if self._art_shingles is None:
            self._art_shingles = _shingle_set(self.article_text)
        return self._art_shingles

    def block(self, a: int, b: int) -> _Block:
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
                        kind = _addressing(opening, c.text, key, folded)
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
        F[:, 3] = lex
        if sem is not None:
            F[:, 4] = sem
            F[:, 17] = sem - self.sem_root[I]
        F[:, 5] = dist == 0
        F[:, 6] = np.log1p(dist)
        F[:, 7] = texts.rebuttal[I] & (dist < 3)
        kid = self.kid
        F[:, 8] = (kid[I] == kid[Jn]) & (kid[Jn] >= 0)
        F[:, 16] = lex - self.lex_root[I]
        F[:, 19] = F[:, 5] * self.order_score
        F[:, 20] = F[:, 6] * self.order_score
        # named_rank: header replies, 0 for the named person's latest comment, 1 the one before...
        ends = starts[1:] - 1
        F[:, 10] = np.where(explicit_arr[seg], ends[seg] - np.arange(len(Jn)), 0)
        if addr_row:  # rows whose candidate's author is addressed: look (comment, author) up
            n_ids = int(kid.max()) + 2
            codes = np.array(addr_row, dtype=np.int64) * n_ids + np.array(addr_author, dtype=np.int64)
            order = np.argsort(codes)  # the codes are distinct: one per comment and author
            codes, kinds_arr = codes[order], np.array(addr_kind, dtype=np.int64)[order]
            row_codes = seg * n_ids + kid[Jn]
            at = np.minimum(np.searchsorted(codes, row_codes), len(codes) - 1)
            hit = (codes[at] == row_codes) & (kid[Jn] >= 0)
            F[hit, 0] = kinds_arr[at[hit]] == 2
            F[hit, 1] = kinds_arr[at[hit]] == 1
        for r in np.flatnonzero(lex >= 0.2).tolist():  # shares a 5-word run: a quote (only similar pairs can)
            si, sj = texts.shingles(int(I[r])), texts.shingles(int(Jn[r]))
            if si and sj and not si.isdisjoint(sj):
                F[r, 2] = 1.0
        opening = self.addressing_opening[a:b]
        for col in (3, 4) if sem is not None else (3,):  # mark the best candidate by each similarity
            best, top = _first_argmax(F[:, col], starts, size)  # (without embeddings: all 0, none best)
            ok = (best >= 0) & (top > 0)
            rows = best[ok]
            F[rows, col + 10] = 1.0
            F[best[ok & opening], 18] = 1.0

        root = np.zeros((m, len(ROOT_FEATURES)))
        root[:, 0] = 1.0
        root[:, 1] = self.lex_root[a:b]
        root[:, 2] = self.sem_root[a:b]
        for k in np.flatnonzero(self.lex_root[a:b] >= 0.1).tolist():
            sh = texts.shingles(a + k)
            if sh and not sh.isdisjoint(self.art_shingles()):
                root[k, 3] = 1.0
        root[:, 4] = texts.rebuttal[a:b]
        root[:, 5] = texts.second_person[a:b]
        root[:, 6] = self.header_share
        root[:, 7] = self.order_score
        return _Block(a, starts, Jn, F, explicit_arr, root)


def page_order_score(lexical: _Similarity, n: int, window: int, sample: int = 2000) -> float:
    """How much more a comment resembles the one right above it than those further up, as a
    log ratio of mean TF-IDF cosines (about 0 for pages in chronological order, up to 1 for
    nested pages, where replies sit under their parents). It lets one set of weights shape the
    recency prior to the page: in a chronological page a reply may answer any earlier comment.
    Measured on the first ``sample`` comments, so it costs the same on any page."""
    m = min(n, sample)
    w = min(window, m - 1)
    if w < 2:
        return 0.0
    band = lexical.band(1, m, w)  # row k: comment k+1 against the comments above it
    valid = (np.arange(1, m)[:, None] - np.arange(1, w + 1)[None, :]) >= 0
    near = band[:, 0].mean()
    far_cells = valid[:, 1:]
    far = band[:, 1:][far_cells].mean() if far_cells.any() else near
    return float(np.clip(np.log((near + 0.01) / (far + 0.01)), -1.0, 2.0))


def _distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` (sorted distinct values) by a sort: for the wide-ranging integer
    codes used here, numpy 2's ``unique`` is tens of times slower."""
    v = np.sort(values)
    return v[np.r_[True, v[1:] != v[:-1]]] if len(v) else v


def _first_argmax(values: np.ndarray, starts: np.ndarray, size: np.ndarray,
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


class _Decider:
    """Links comments in page order. A candidate's score is its static score (features known
    before any link is made) plus the terms that depend on links already made: its depth,
    whether it is a reply, whether it was answering this comment's author."""

    def __init__(self, linker: ReplyLinker, thread: Thread, page: _PageFeatures):
        self.comments = thread.comments
        self.page = page
        n = len(self.comments)
        W = np.array([[linker.weights[m].get(f, 0.0) for f in ALL_FEATURES] for m in MODELS])
        k = len(FEATURES)
        self.static_w = W[:, :k].copy()
        for col in _DYNAMIC:
            self.static_w[:, col] = 0.0
        self.root_w = W[:, k:]
        self.w_answered = W[:, 9]
        self.w_depth, self.w_reply, self.w_deep = W[:, 11], W[:, 12], W[:, 15]
        self.has_headers = any(c.reply_to for c in self.comments)
        self.depth = np.zeros(n, dtype=np.int64)
        self.parent_kid = np.full(n, -2, dtype=np.int64)  # author id of each comment's parent

    def decide(self, blk: _Block, max_rounds: int = 60) -> None:
        """Decide a block of comments at once, by fixed-point iteration: score every candidate
        with the link state of the previous round (depths, parents), decide all comments, repeat
        until the state stops changing. A stable state is one where every decision agrees with
        the decisions it depends on, which is exactly what deciding one comment after the other
        gives; a block that does not settle in ``max_rounds`` is decided one by one."""
        page, m, a = self.page, blk.m, blk.a
        model = self._models(blk)
        size = np.diff(blk.starts)
        aug_size = size + (~blk.explicit)
        aug_starts = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(aug_size, out=aug_starts[1:])
        seg = np.repeat(np.arange(m), aug_size)
        pos = np.arange(int(aug_starts[-1])) - aug_starts[seg]
        is_cand = pos < size[seg]
        src = (blk.starts[seg] + pos)[is_cand]  # row of the block's features
        Jc = blk.J[src]
        cand_seg = seg[is_cand]
        mc = model[cand_seg]
        me = page.kid[a + cand_seg]
        base = np.empty(len(seg))
        base[is_cand] = self._static_scores(blk, model)[src]
        base[~is_cand] = self._root_scores(blk, model)[seg[~is_cand]]
        wd, wdeep, wr, wa = self.w_depth[mc], self.w_deep[mc], self.w_reply[mc], self.w_answered[mc]
        J_aug = np.full(len(seg), -1, dtype=np.int64)
        J_aug[is_cand] = Jc
        depth, parent_kid, kid = self.depth, self.parent_kid, page.kid
        depth[a:a + m], parent_kid[a:a + m] = 0, -2
        cand_rows = np.flatnonzero(is_cand)
        base_cand, me_known = base[cand_rows], me >= 0  # the same every round
        # The candidate rows whose candidate is in this block, grouped by it: once a round has
        # moved some links, only these rows of the moved comments change their scores, and
        # only their comments can change their decisions (the rest would decide as before).
        local = Jc - a
        on_block = np.flatnonzero(local >= 0)
        by_cand = on_block[np.argsort(local[on_block], kind="stable")]
        cand_start = np.searchsorted(local[by_cand], np.arange(m + 1))

        def rescore(c) -> None:
            """Scores of candidate rows ``c`` (indices or a slice) from the current link state."""
            dep, pk = depth[Jc[c]], parent_kid[Jc[c]]
            answered = (pk == me[c]) & me_known[c]
            scores[cand_rows[c]] = (base_cand[c] + (wd[c] * dep + wdeep[c] * (dep >= 2) + wr[c] * (pk != -2))
                                    ) + wa[c] * answered

        scores = base.copy()
        rescore(slice(None))
        best, top = _first_argmax(scores, aug_starts, aug_size, seg)
        decided = np.arange(m)  # the comments decided in the last round
        for _ in range(max_rounds):
            par = J_aug[best[decided]]
            new_depth = np.where(par >= 0, depth[par] + 1, 0)
            new_pk = np.where(par >= 0, kid[par], -2)
            moved = (new_depth != depth[a + decided]) | (new_pk != parent_kid[a + decided])
            if not moved.any():
                break
            changed = decided[moved]
            depth[a + changed], parent_kid[a + changed] = new_depth[moved], new_pk[moved]
            n_dep = cand_start[changed + 1] - cand_start[changed]
            c = by_cand[np.repeat(cand_start[changed] - (np.cumsum(n_dep) - n_dep), n_dep) + np.arange(int(n_dep.sum()))]
            rescore(c)
            decided = _distinct(cand_seg[c])
            sub_size = aug_size[decided]  # the rows of those comments, gathered
            sub_starts = np.zeros(len(decided) + 1, dtype=np.int64)
            np.cumsum(sub_size, out=sub_starts[1:])
            sub_rows = np.repeat(aug_starts[decided] - sub_starts[:-1], sub_size) + np.arange(int(sub_starts[-1]))
            sub_best, top[decided] = _first_argmax(scores[sub_rows], sub_starts, sub_size)
            best[decided] = np.where(sub_best >= 0, sub_rows[sub_best], -1)
        else:
            self._decide_sequential(blk)
            return
        par = J_aug[best]
        answered = (parent_kid[Jc] == me) & me_known
        z = np.add.reduceat(np.exp(scores - top[seg]), aug_starts[:-1])
        ans_full = np.zeros(len(seg), dtype=bool)
        ans_full[is_cand] = answered
        comments = self.comments
        rows = zip(best.tolist(), aug_starts[:-1].tolist(), par.tolist(), ans_full[best].tolist(), z.tolist())
        for k, (bk, first, j, ans, zk) in enumerate(rows):
            self._record(comments[a + k], blk, k, bk - first, j, ans, 1.0 / zk)

    def _models(self, blk: _Block) -> np.ndarray:
        unheaded = MODELS.index("unheaded") if self.has_headers else MODELS.index("implicit")
        return np.where(blk.explicit, MODELS.index("header"), unheaded)

    def _static_scores(self, blk: _Block, model: np.ndarray) -> np.ndarray:
        """Each feature row times its comment's weight set. One einsum per weight set in use
        (two at most on a page), over all rows, rather than a copy of the weights for every
        row. numpy reduces a row's features with the same kernel either way (contiguous
        operands), so the sums agree to the last bit; tests/test_parse_speed.py checks it."""
        seg = np.repeat(np.arange(blk.m), np.diff(blk.starts))
        if not len(seg):
            return np.zeros(0)
        row_model = model[seg]
        used = _distinct(model).tolist()
        out = np.einsum("rf,f->r", blk.F, self.static_w[used[0]])
        for mi in used[1:]:  # all rows again (cheaper than copying out those of this set)
            out = np.where(row_model == mi, np.einsum("rf,f->r", blk.F, self.static_w[mi]), out)
        return out

    def _root_scores(self, blk: _Block, model: np.ndarray) -> np.ndarray:
        return np.einsum("kf,kf->k", blk.root, self.root_w[model])

    def _record(self, c: Comment, blk: _Block, k: int, r: int, j: int, answered: bool, confidence: float) -> None:
        """Write the decision for comment ``a+k``: candidate ``r`` of its rows (``j`` is that
        comment, -1 for the article)."""
        if j < 0:
            c.parent_id, c.link = None, LINK_ROOT
            c.evidence = "no sign of answering an earlier comment" if not c.reply_to else (
                f"reply header names {c.reply_to!r}, who has no earlier comment here")
        else:
            parent = self.comments[j]
            c.parent_id = parent.comment_id
            starts, explicit = blk.lists()
            row = blk.F[starts[k] + r].tolist()  # Python floats: cheaper to read one by one
            row[9] = float(answered)
            if explicit[k]:
                c.link = LINK_EXPLICIT
                c.evidence = _explain_header(c, row, starts[k + 1] - starts[k])
            else:
                c.link = LINK_INFERRED
                c.evidence = _explain_inferred(row, parent)
        c.confidence = round(confidence, 4)

    def _decide_sequential(self, blk: _Block) -> None:
        """One comment after the other (the reference the block decision must agree with)."""
        model = self._models(blk)
        S = self._static_scores(blk, model)
        root_scores = self._root_scores(blk, model)
        J, starts, kid = blk.J, blk.starts, self.page.kid
        depth, parent_kid = self.depth, self.parent_kid
        for k in range(blk.m):
            i = blk.a + k
            mi = int(model[k])
            s0, s1 = int(starts[k]), int(starts[k + 1])
            idx = J[s0:s1]
            dep, pk = depth[idx], parent_kid[idx]
            me = int(kid[i])
            answered = (pk == me) & (me >= 0)
            scores = (S[s0:s1] + (self.w_depth[mi] * dep + self.w_deep[mi] * (dep >= 2)
                                  + self.w_reply[mi] * (pk != -2))) + self.w_answered[mi] * answered
            if not blk.explicit[k]:
                scores = np.append(scores, root_scores[k])
            best = int(np.argmax(scores))
            confidence = 1.0 / float(np.exp(scores - scores[best]).sum())
            j = int(idx[best]) if best < s1 - s0 else -1
            self._record(self.comments[i], blk, k, best, j, bool(best < s1 - s0 and answered[best]), confidence)
            depth[i] = depth[j] + 1 if j >= 0 else 0
            parent_kid[i] = kid[j] if j >= 0 else -2


#: Feature columns that depend on links already made (filled in by the decision or from gold).
_DYNAMIC = (9, 11, 12, 15)


def candidate_matrix(comments: list[Comment], i: int, f: dict, depth, position: dict[str, int]) -> np.ndarray:
    """The full feature matrix of comment ``i``'s candidates (one row each, the article last
    unless the comment has a reply header), given the links and depths decided so far."""
    cands = f["cands"]
    k = len(FEATURES)
    n_rows = len(cands) + (0 if f["explicit"] else 1)
    rows = np.zeros((n_rows, len(ALL_FEATURES)))
    if cands:
        rows[:len(cands), :k] = f["rows"]
        me = _name_key(comments[i].author)
        for r, j in enumerate(cands):
            parent = comments[j].parent_id
            if parent is not None:
                rows[r, 12] = 1.0
                pj = position.get(parent)
                if pj is not None and me and _name_key(comments[pj].author) == me:
                    rows[r, 9] = 1.0
        d = np.asarray([depth[j] for j in cands], dtype=float)
        rows[:len(cands), 10] = f["named_rank"]
        rows[:len(cands), 11] = d
        rows[:len(cands), 15] = d >= 2
    if not f["explicit"]:
        rows[-1, k:] = f["root"]
    return rows


class _NameIndex:
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
_DENIAL = re.compile(
    r"\W*(?:no+(?:[,.!:;-]|\s+(?:they|he|she|it|you|we|i|that|this|there)\b)|nope\b|"
    r"wrong\b|not\s+true\b|not\s+so\b|untrue\b|false\b|incorrect\b|nonsense\b|rubbish\b)",
    re.IGNORECASE,
)
_ADDRESS_MARKS = frozenset(":,;-–—")
_QUOTE_MARKS = ('"', "“", "”", "«", "'", "‘", ">")


def _may_quote(text: str) -> bool:
    """A cheap test before looking for quoted passages (most comments have no quote mark)."""
    return any(q in text for q in _QUOTE_MARKS)


def _addressing(opening: str, text: str, author_key: str, low: str | None = None) -> int:
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


def _explain_header(c: Comment, row: list[float], n: int) -> str:
    why = [f"reply header names {c.reply_to!r}"]
    if n > 1:
        if row[9]:
            why.append("that comment was answering this author")
        if row[2]:
            why.append("quotes it")
        if row[10] == 0:
            why.append("their latest comment")
        else:
            why.append(f"chosen over {int(row[10])} later comment(s) by them")
    return "; ".join(why)


def _explain_inferred(row: list[float], parent: Comment) -> str:
    why = []
    if row[0]:
        why.append(f"opens by addressing {parent.author}")
    elif row[1]:
        why.append(f"names {parent.author}")
    if row[2]:
        why.append("quotes it")
    if row[7]:
        why.append("rebuttal opening right after it")
    if row[3] >= 0.15 or row[4] >= 0.5:
        why.append(f"similar wording (tf-idf {row[3]:.2f}, semantic {row[4]:.2f})")
    if row[5] and not why:
        why.append("directly below it")
    return "; ".join(why) or "closest match"


_TOKEN = re.compile(r"\b[^\W\d_][\w'’]+\b")  # scikit-learn's default token pattern, apostrophes kept
#: The same for ASCII text, where the ASCII classes are the Unicode ones and a third faster.
_TOKEN_ASCII = re.compile(_TOKEN.pattern, re.ASCII)
#: Put between lower-cased documents, the break is a token of its own (new lines on both sides)
#: that no lower-cased text contains (upper case), so the tokens of a chunk are those of its
#: documents one after the other, breaks between them.
_DOC_BREAK = "QZ"
_DOC_JOIN = f"\n{_DOC_BREAK}\n"


class _Vocabulary(dict):
    """Token -> column code; a token seen for the first time gets the next code, in the order
    tokens come, so one ``map(vocab.__getitem__, tokens)`` both codes and extends it."""

    size = 0  # the next code

    def __missing__(self, token: str) -> int:
        code = self[token] = self.size
        self.size += 1
        return code


class _Similarity:
    """Cosine similarities between comments (rows 0..n-1) and the article (row n)."""

    def __init__(self, sparse=None, dense=None):
        self.dense = dense
        self.sparse = sparse
        self.n = (sparse.shape[0] if sparse is not None else dense.shape[0]) - 1

    @classmethod
    def tfidf(cls, texts: list[str], article: str, stop_words: frozenset[str] = frozenset(),
              chunk: int = 8192) -> _Similarity:
        """L2-normalised TF-IDF rows (sublinear tf, smoothed idf), as scikit-learn's
        ``TfidfVectorizer(sublinear_tf=True)`` makes them, built in chunks of documents so the
        token lists of a huge page never exist all at once."""
        from scipy import sparse

        vocab = _Vocabulary({w: k for k, w in enumerate(sorted(stop_words))})
        n_stop = vocab.size = len(vocab)
        vocab[_DOC_BREAK] = -1
        pieces = []
        n_docs = len(texts) + 1
        for a in range(0, n_docs, chunk):
            docs = texts[a:a + chunk] + ([article] if len(texts) < a + chunk else [])
            # One regex pass over the chunk (a call per document costs a quarter more), the
            # documents told apart by a break token between them.
            joined = _DOC_JOIN.join([d.lower() for d in docs])
            flat = (_TOKEN_ASCII if joined.isascii() else _TOKEN).findall(joined)
            codes = np.fromiter(map(vocab.__getitem__, flat), dtype=np.int64, count=len(flat))
            rows = np.cumsum(codes < 0)  # the document of each token: breaks before it
            keep = codes >= n_stop
            piece = sparse.csr_matrix((np.ones(int(keep.sum()), dtype=np.float32), (rows[keep], codes[keep] - n_stop)),
                                      shape=(len(docs), max(1, vocab.size - n_stop)))
            piece.sum_duplicates()
            pieces.append(piece)
        width = max(1, vocab.size - n_stop)
        for p in pieces:
            p.resize((p.shape[0], width))
        X = sparse.vstack(pieces, format="csr") if len(pieces) > 1 else pieces[0]
        if X.nnz:
            np.log(X.data, out=X.data)
            X.data += 1.0
            df = np.bincount(X.indices, minlength=width)
            idf = (np.log((1.0 + n_docs) / (1.0 + df)) + 1.0).astype(np.float32)
            X.data *= idf[X.indices]
            row_of = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
            norms = np.sqrt(np.bincount(row_of, weights=X.data.astype(np.float64) ** 2, minlength=X.shape[0]))
            X.data /= norms[row_of].astype(np.float32)
        sim = cls(sparse=X)
        sim.vocabulary, sim.first_column = vocab, n_stop  # for looking quoted words up (quotes.py)
        return sim

    def pairs(self, I: np.ndarray, J: np.ndarray, chunk: int = 50_000) -> np.ndarray:
        """Cosine of each pair (I[k], J[k]), computed in chunks to bound memory."""
        out = np.zeros(len(I), dtype=np.float64)
        for a in range(0, len(I), chunk):
            i, j = I[a:a + chunk], J[a:a + chunk]
            if self.dense is not None:
                out[a:a + chunk] = np.einsum("ij,ij->i", self.dense[i], self.dense[j])
            else:
                out[a:a + chunk] = np.asarray(self.sparse[i].multiply(self.sparse[j]).sum(axis=1)).ravel()
        return out

    def band(self, a: int, b: int, w: int) -> np.ndarray:
        """``out[k, d-1]`` = cosine of comment ``a+k`` with comment ``a+k-d`` (0 where that is
        before the page), for d = 1..w."""
        if self.dense is None:
            return _sparse_band(self.sparse, a, b, w)
        out = np.zeros((b - a, w))
        for d in range(1, w + 1):  # one elementwise product of two row ranges per d
            lo = max(a, d)
            if lo >= b:
                break
            out[lo - a:, d - 1] = np.einsum("ij,ij->i", self.dense[lo:b], self.dense[lo - d:b - d])
        return out

    def pairs_banded(self, I: np.ndarray, J: np.ndarray, a: int, b: int, w: int) -> np.ndarray:
        """:meth:`pairs` for the pairs of comments ``a..b-1``, those within ``w`` from a band."""
        out = np.zeros(len(I), dtype=np.float64)
        if not len(I):
            return out
        d = I - J
        near = (d >= 1) & (d <= w)
        if near.any():
            out[near] = self.band(a, b, w)[I[near] - a, d[near] - 1]
        far = ~near
        if far.any():
            out[far] = self.pairs(I[far], J[far])
        return out

    def roots(self) -> np.ndarray:
        """Cosine of every comment with the article."""
        if self.dense is not None:
            return self.dense[: self.n] @ self.dense[self.n]
        return np.asarray(self.sparse[: self.n] @ self.sparse[self.n].T.toarray()).ravel()


def _rows(X, lo: int, hi: int):
    """Rows ``lo..hi-1`` of a CSR matrix as a view on its arrays (slicing would copy them)."""
    from scipy import sparse

    p = X.indptr[lo:hi + 1]
    a, b = int(p[0]), int(p[-1])
    return sparse.csr_matrix((X.data[a:b], X.indices[a:b], p - a), shape=(hi - lo, X.shape[1]), copy=False)


def _sparse_band(X, a: int, b: int, w: int) -> np.ndarray:
    """:meth:`_Similarity.band` for CSR rows, from the columns (postings) of the rows involved.

    Multiplying row ranges elementwise once per distance ``d`` merges every row with ``w``
    others, although most pairs share no term. Walking each term's sorted list of rows instead
    touches only the pairs that share it: for the k-th next entry in a column, the pairs still
    within ``w`` rows survive to step k+1, so the work is the number of pairs that share a term.

    The cosines are bit-identical to ``(rows_i .multiply(rows_j)).sum(axis=1)``: the same
    float32 products, ordered by column within each pair as that product stores them, summed by
    the same ``np.add.reduceat`` that scipy's row sum uses.
    """
    out = np.zeros((b - a, w))
    lo = max(0, a - w)
    if b <= a or lo >= b:
        return out
    csc = _rows(X, lo, b).tocsc()  # row numbers sorted within each column
    width = max(1, csc.shape[1])
    rows = csc.indices.astype(np.int64)
    vals = csc.data
    col = np.repeat(np.arange(csc.shape[1], dtype=np.int64), np.diff(csc.indptr))
    first = a - lo  # rows before it are only partners
    n = len(rows)
    alive = np.arange(n)
    keys, prods = [], []
    for k in range(1, w + 1):
        s = alive[alive + k < n]
        t = s + k  # the k-th next entry: same column and at most w rows further, or no pair
        ok = (col[t] == col[s]) & (rows[t] - rows[s] <= w)
        alive, t = s[ok], t[ok]
        if not len(alive):
            break
        inb = rows[t] >= first
        ti, si = t[inb], alive[inb]
        ri = rows[ti]
        keys.append(((ri - first) * w + (ri - rows[si] - 1)) * width + col[si])
        prods.append(vals[ti] * vals[si])
    if keys:
        key = np.concatenate(keys)
        order = np.argsort(key)
        cell = key[order] // width  # (row in block) * w + (d - 1), in column order within a cell
        prod = np.concatenate(prods)[order]
        starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
        out.flat[cell[starts]] = np.add.reduceat(prod, starts)
    return out
