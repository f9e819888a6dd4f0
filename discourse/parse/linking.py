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
import math
import re
from dataclasses import dataclass
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
_QUOTED = re.compile(r"[\"“”']([^\"“”]{12,400})[\"“”']|^>+\s*(.{12,400})$", re.MULTILINE)

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


@dataclass
class _Doc:
    tokens: list[str]
    shingles: set[int]
    opening: str  # casefolded first words, for addressing
    rebuttal: bool
    second_person: bool


def _analyse(text: str) -> _Doc:
    tokens = [w.casefold() for w in _WORDS.findall(text)]
    shingles = {hash(tuple(tokens[k:k + 5])) for k in range(len(tokens) - 4)}
    opening = " ".join(text.split()[:12]).casefold()
    return _Doc(tokens, shingles, opening, bool(_REBUTTAL.match(text)),
                bool(_SECOND_PERSON.search(" ".join(text.split()[:25]))))


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
        """Per comment: candidate indices and a feature matrix (root is candidate -1).

        Features that depend on links made earlier (depth, "answered me") are filled in during
        the sequential decision, since links are made in page order.
        """
        comments = thread.comments
        n = len(comments)
        docs = [_analyse(c.text) for c in comments]
        art_doc = _analyse(thread.article.text)
        lexical = _Similarity.tfidf([c.text for c in comments], thread.article.text)
        semantic = self._semantic(thread) if self.semantic else None

        by_author: dict[str, list[int]] = {}
        name_index: dict[str, str] = {}
        header_share = sum(1 for c in comments if c.reply_to) / max(1, n)
        out = []
        for i, c in enumerate(comments):
            doc = docs[i]
            header = _name_key(c.reply_to) if c.reply_to else None
            if header is not None and header in by_author:
                cands = by_author[header][-self.named_limit:]
                explicit = True
            else:
                explicit = False
                cands = set(range(max(0, i - self.window), i))
                addressed = self._addressed(doc.opening, name_index, c.text)
                for key in addressed:
                    cands.update(by_author.get(key, [])[-self.named_limit:])
                cands = sorted(cands)
            rows = []
            for j in cands:
                d = docs[j]
                author_j = _name_key(comments[j].author)
                prefix = mention = 0.0
                if not explicit and author_j:
                    kind = _addressing(doc.opening, c.text, author_j, name_index.get(author_j, author_j))
                    prefix, mention = float(kind == 2), float(kind == 1)
                quote = 0.0
                if doc.shingles and d.shingles and len(doc.shingles & d.shingles) >= 1:
                    quote = 1.0
                dist = i - j - 1
                rows.append([
                    prefix, mention, quote,
                    lexical.pair(i, j), semantic.pair(i, j) if semantic else 0.0,
                    float(dist == 0), math.log1p(dist),
                    float(doc.rebuttal and dist < 3), float(author_j == _name_key(c.author) and author_j != ""),
                    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                    lexical.pair(i, j) - lexical.root(i),
                    (semantic.pair(i, j) - semantic.root(i)) if semantic else 0.0,
                    0.0,
                ])
            for col in (3, 4):  # mark the best candidate by each similarity
                if rows:
                    best = max(range(len(rows)), key=lambda r: rows[r][col])
                    if rows[best][col] > 0:
                        rows[best][col + 10] = 1.0
                        if doc.rebuttal or doc.second_person:
                            rows[best][18] = 1.0
            named_rank = list(range(len(cands) - 1, -1, -1)) if explicit else [0] * len(cands)
            root = [
                1.0, lexical.root(i), semantic.root(i) if semantic else 0.0,
                1.0 if (doc.shingles & art_doc.shingles) else 0.0,
                float(doc.rebuttal), float(doc.second_person), header_share,
            ]
            out.append({"cands": list(cands), "rows": rows, "explicit": explicit, "named_rank": named_rank,
                        "root": root})
            key = _name_key(c.author)
            if key:
                by_author.setdefault(key, []).append(i)
                name_index.setdefault(key, key)
        return out

    def _addressed(self, opening: str, name_index: dict[str, str], text: str) -> list[str]:
        """Authors named in the opening words or @mentioned anywhere (cheap pre-filter)."""
        found = []
        low = text.casefold()
        for key in name_index:
            if key and (key in opening or ("@" + key.replace(" ", "")) in low):
                found.append(key)
            elif " " in key:
                first = key.split()[0]
                if len(first) >= 4 and first in opening.split():
                    found.append(key)
        return found

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


def candidate_matrix(comments: list[Comment], i: int, f: dict, depth: list[int],
                     position: dict[str, int]) -> np.ndarray:
    """The full feature matrix of comment ``i``'s candidates (one row each, the article last
    unless the comment has a reply header), given the links and depths decided so far."""
    cands = f["cands"]
    k = len(FEATURES)
    n_rows = len(cands) + (0 if f["explicit"] else 1)
    rows = np.zeros((n_rows, len(ALL_FEATURES)))
    if cands:
        rows[:len(cands), :k] = np.array(f["rows"], dtype=float).reshape(len(cands), k)
    me = _name_key(comments[i].author)
    for r, j in enumerate(cands):
        pj = position.get(comments[j].parent_id) if comments[j].parent_id is not None else None
        rows[r, 9] = float(pj is not None and me != "" and _name_key(comments[pj].author) == me)
        rows[r, 10] = f["named_rank"][r]
        rows[r, 11] = depth[j]
        rows[r, 12] = float(comments[j].parent_id is not None)
        rows[r, 15] = float(depth[j] >= 2)
    if not f["explicit"]:
        rows[-1, k:] = f["root"]
    return rows


def _index_of(comments: list[Comment], comment_id: str | None, before: int) -> int | None:
    if comment_id is None:
        return None
    for k in range(before - 1, -1, -1):
        if comments[k].comment_id == comment_id:
            return k
    return None


def _addressing(opening: str, text: str, author_key: str, _display: str) -> int:
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
        self.rows: list[dict[int, float]] = []
        if sparse is not None:
            # Plain dicts: a pair costs a few microseconds, far less than a scipy row product.
            indptr, indices, data = sparse.indptr, sparse.indices, sparse.data
            self.rows = [dict(zip(indices[indptr[k]:indptr[k + 1]].tolist(),
                                  data[indptr[k]:indptr[k + 1]].tolist())) for k in range(sparse.shape[0])]
        self.n = (len(self.rows) if sparse is not None else dense.shape[0]) - 1

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

    def pair(self, i: int, j: int) -> float:
        if self.dense is not None:
            return float(self.dense[i] @ self.dense[j])
        a, b = self.rows[i], self.rows[j]
        if len(a) > len(b):
            a, b = b, a
        return sum(v * b[k] for k, v in a.items() if k in b)

    def root(self, i: int) -> float:
        return self.pair(i, self.n)
