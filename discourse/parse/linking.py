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
_REBUTTAL = re.compile(
    r"^\W*(?:no+\b|nope|wrong|err+\b|erm\b|um+\b|yes\b|yep\b|yeah\b|exactly|agreed|indeed|true\b|"
    r"not true|nonsense|rubbish|really\b|sorry\b|thanks\b|thank you|well said|i agree|i disagree|"
    r"you\b|your\b|you're\b|youre\b|so you\b|lol\b|haha|that's\b|thats\b|that is\b|not really|"
    r"what\?|what are you|are you|did you|do you|how do you|ok so|ok,|okay|right\b|hmm|huh|"
    r"absolutely|correct|incorrect|false\b|ridiculous|bs\b|good point|fair point|same\b|\+1)",
    re.IGNORECASE,
)
_SECOND_PERSON = re.compile(r"\b(?:you|your|you're|youre|yours|yourself|u)\b", re.IGNORECASE)

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
)
ROOT_FEATURES = (
    "root_bias", "root_lexical", "root_semantic", "root_quote", "root_rebuttal", "root_second_person",
    "root_header_share",  # share of the page's comments with a reply header: where replies are
    # marked, an unmarked comment is most likely top-level
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


@lru_cache(maxsize=1)
def default_weights() -> dict[str, dict[str, float]]:
    """{"header": {...}, "implicit": {...}}: one weight set per case (see the data file)."""
    text = resources.files("discourse").joinpath("data", "reply_linking.json").read_text(encoding="utf-8")
    data = json.loads(text)
    return {k: v for k, v in data.items() if not k.startswith("_")}


class _Doc:
    """What linking needs of one text; the 5-word shingles (for quotes) are made on demand."""

    __slots__ = ("text", "opening", "rebuttal", "second_person", "_shingles")

    def __init__(self, text: str):
        self.text = text
        head = text[:400].split()
        self.opening = " ".join(head[:12]).casefold()
        self.rebuttal = bool(_REBUTTAL.match(text))
        self.second_person = bool(_SECOND_PERSON.search(" ".join(head[:25])))
        self._shingles: set[int] | None = None

    @property
    def shingles(self) -> set[int]:
        if self._shingles is None:
            tokens = [w.casefold() for w in _WORDS.findall(self.text)]
            self._shingles = {hash(tuple(tokens[k:k + 5])) for k in range(len(tokens) - 4)}
        return self._shingles


def _name_key(name: str | None) -> str:
    return " ".join((name or "").casefold().split()).lstrip("@")


class ReplyLinker:
    """Sets ``parent_id``, ``link``, ``confidence`` and ``evidence`` on each comment of a thread.

    ``window`` bounds how far back (in comments) an unheaded comment looks for its parent, so the
    cost stays linear on huge pages; named and addressed people are looked up beyond it.
    """

    def __init__(self, semantic: bool = True, embedder=None, weights: dict | None = None,
                 window: int = 30, named_limit: int = 12):
        self.semantic = semantic
        self._embedder = embedder
        w = weights or default_weights()
        suffix = "" if self.semantic else "_fast"  # weights fitted without embeddings, if present
        self.weights = {k: dict(w.get(k + suffix, w.get(k, w.get("implicit", {})))) for k in MODELS}
        self.window = window
        self.named_limit = named_limit

    # -- public -----------------------------------------------------------------------------------
    def link(self, thread: Thread) -> Thread:
        comments = thread.comments
        if not comments:
            return thread
        feats = self.candidate_features(thread)
        self._decide(thread, feats)
        return thread

    # -- features ---------------------------------------------------------------------------------
    def candidate_features(self, thread: Thread) -> list[dict]:
        """Per comment: candidate indices, a feature matrix and the article's features.

        Features that depend on links made earlier (depth, "answered me") are filled in during
        the sequential decision, since links are made in page order. Similarities are computed
        for all candidate pairs at once (vectorised), so the cost stays linear in the page.
        """
        comments = thread.comments
        n = len(comments)
        docs = [_Doc(c.text) for c in comments]
        art_doc = _Doc(thread.article.text)
        lexical = _Similarity.tfidf([c.text for c in comments], thread.article.text)
        semantic = self._semantic(thread) if self.semantic else None
        keys = [_name_key(c.author) for c in comments]
        header_share = sum(1 for c in comments if c.reply_to) / max(1, n)

        # 1. Candidates, in page order (cheap Python: no similarity yet).
        by_author: dict[str, list[int]] = {}
        names = _NameIndex()
        plan = []
        for i, c in enumerate(comments):
            header = _name_key(c.reply_to) if c.reply_to else None
            addressed: set[str] = set()
            if header is not None and header in by_author:
                cands, explicit = by_author[header][-self.named_limit:], True
            else:
                explicit = False
                addressed = names.addressed(docs[i].opening, c.text)
                pool = set(range(max(0, i - self.window), i))
                for key in addressed:
                    pool.update(by_author.get(key, [])[-self.named_limit:])
                cands = sorted(pool)
            plan.append((cands, explicit, addressed))
            if keys[i]:
                by_author.setdefault(keys[i], []).append(i)
                names.add(keys[i])

        # 2. Similarities for every pair at once.
        sizes = [len(p[0]) for p in plan]
        I = np.repeat(np.arange(n), sizes)
        J = np.fromiter((j for p in plan for j in p[0]), dtype=np.int64, count=int(sum(sizes)))
        lex = lexical.pairs(I, J)
        lex_root = lexical.roots()
        sem = semantic.pairs(I, J) if semantic else np.zeros(len(I))
        sem_root = semantic.roots() if semantic else np.zeros(n)

        # 3. Feature rows.
        F = np.zeros((len(I), len(FEATURES)))
        dist = I - J - 1
        F[:, 3], F[:, 4] = lex, sem
        F[:, 5] = dist == 0
        F[:, 6] = np.log1p(dist)
        rebuttal = np.array([d.rebuttal for d in docs], dtype=bool)
        addressing_opening = np.array([d.rebuttal or d.second_person for d in docs], dtype=bool)
        F[:, 7] = rebuttal[I] & (dist < 3) if len(I) else 0
        key_ids = {k: x for x, k in enumerate(dict.fromkeys(keys))}
        kid = np.array([key_ids[k] if k else -1 for k in keys], dtype=np.int64)
        if len(I):
            F[:, 8] = (kid[I] == kid[J]) & (kid[J] >= 0)
            F[:, 16] = lex - lex_root[I]
            F[:, 17] = (sem - sem_root[I]) if semantic else 0.0
        out = []
        start = 0
        for i, (cands, explicit, addressed) in enumerate(plan):
            stop = start + len(cands)
            rows = F[start:stop]
            doc = docs[i]
            for r, j in enumerate(cands):
                if addressed and keys[j] in addressed:
                    kind = _addressing(doc.opening, comments[i].text, keys[j])
                    rows[r, 0], rows[r, 1] = float(kind == 2), float(kind == 1)
                if rows[r, 3] >= 0.2 and doc.shingles and docs[j].shingles and (doc.shingles & docs[j].shingles):
                    rows[r, 2] = 1.0  # shares a 5-word run: a quote (only similar pairs can)
            for col in (3, 4):  # mark the best candidate by each similarity
                if len(rows):
                    best = int(np.argmax(rows[:, col]))
                    if rows[best, col] > 0:
                        rows[best, col + 10] = 1.0
                        if addressing_opening[i]:
                            rows[best, 18] = 1.0
            named_rank = list(range(len(cands) - 1, -1, -1)) if explicit else [0] * len(cands)
            root = [
                1.0, float(lex_root[i]), float(sem_root[i]),
                1.0 if (lex_root[i] >= 0.1 and doc.shingles & art_doc.shingles) else 0.0,
                float(doc.rebuttal), float(doc.second_person), header_share,
            ]
            out.append({"cands": list(cands), "rows": rows, "explicit": explicit, "named_rank": named_rank,
                        "root": root})
            start = stop
        return out

    def _semantic(self, thread: Thread):
        from discourse.embeddings import shared_embedder

        embedder = self._embedder or shared_embedder()
        texts = [c.text for c in thread.comments]
        vectors = embedder.encode(texts + [thread.article.text[:2000] or " "])
        return _Similarity(dense=vectors)

    # -- decisions ----------------------------------------------------------------------------------
    def _decide(self, thread: Thread, feats: list[dict]) -> None:
        comments = thread.comments
        weights = {m: np.array([self.weights[m].get(f, 0.0) for f in ALL_FEATURES]) for m in MODELS}
        has_headers = any(c.reply_to for c in comments)
        depth: list[int] = []
        position = {c.comment_id: k for k, c in enumerate(comments)}
        for i, (c, f) in enumerate(zip(comments, feats)):
            cands = f["cands"]
            rows = candidate_matrix(comments, i, f, depth, position)
            all_scores = rows @ weights[model_for(f, has_headers)]
            best = int(np.argmax(all_scores))
            shifted = np.exp(all_scores - all_scores.max())
            confidence = float(shifted[best] / shifted.sum())
            if best == len(cands):
                c.parent_id, c.link = None, LINK_ROOT
                c.evidence = "no sign of answering an earlier comment" if not c.reply_to else (
                    f"reply header names {c.reply_to!r}, who has no earlier comment here")
                depth.append(0)
            else:
                j = cands[best]
                c.parent_id = comments[j].comment_id
                c.link = LINK_EXPLICIT if f["explicit"] else LINK_INFERRED
                c.evidence = (_explain_header(c, rows[best], len(cands)) if f["explicit"]
                              else _explain_inferred(rows[best], comments[j]))
                depth.append(depth[j] + 1)
            c.confidence = round(confidence, 4)


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

    def add(self, key: str) -> None:
        if key in self.keys:
            return
        self.keys.add(key)
        self.compact[key.replace(" ", "")] = key
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
        for a in range(len(words)):
            for b in range(a + 1, min(len(words), a + 6) + 1):
                gram = " ".join(words[a:b])
                if gram in self.keys:
                    found.add(gram)
            found.update(self.first.get(words[a], ()))
        return found


_AT = re.compile(r"@([\w.-]{2,40})")


def _addressing(opening: str, text: str, author_key: str) -> int:
    """2: the comment opens by addressing this author; 1: names them early; 0: neither."""
    if not author_key:
        return 0
    compact = author_key.replace(" ", "")
    low = text.casefold()
    for prefix in (author_key, "@" + compact, "@" + author_key):
        if low.startswith(prefix):
            rest = low[len(prefix):len(prefix) + 3]
            if not rest or not rest[0].isalnum():
                return 2
    if "@" + compact in low:
        return 1
    words = opening.split()
    if author_key in opening:
        return 1
    first = author_key.split()[0] if " " in author_key else None
    if first and len(first) >= 4 and first in words:
        return 1
    return 0


def _explain_header(c: Comment, row: np.ndarray, n: int) -> str:
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


def _explain_inferred(row: np.ndarray, parent: Comment) -> str:
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


class _Similarity:
    """Cosine similarities between comments (rows 0..n-1) and the article (row n)."""

    def __init__(self, sparse=None, dense=None):
        self.dense = dense
        self.sparse = sparse
        self.n = (sparse.shape[0] if sparse is not None else dense.shape[0]) - 1

    @classmethod
    def tfidf(cls, texts: list[str], article: str) -> "_Similarity":
        from sklearn.feature_extraction.text import TfidfVectorizer

        docs = texts + [article]
        try:
            matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True, dtype=np.float32,
                                     token_pattern=r"(?u)\b[^\W\d_][\w'’]+\b").fit_transform(docs)
        except ValueError:  # nothing but stop words
            from scipy import sparse

            matrix = sparse.csr_matrix((len(docs), 1), dtype=np.float32)
        return cls(sparse=matrix.tocsr())

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

    def roots(self) -> np.ndarray:
        """Cosine of every comment with the article."""
        if self.dense is not None:
            return self.dense[: self.n] @ self.dense[self.n]
        return np.asarray(self.sparse[: self.n] @ self.sparse[self.n].T.toarray()).ravel()
