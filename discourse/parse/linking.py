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
``discourse/data/reply_linking.json`` (retrain them with ``python -m evaluation.train_linker``).
The chosen link records its kind (explicit for a header, inferred, root), a confidence (the
softmax share of the winner among the candidates) and a short evidence string for people.

The parts, each readable alone: :mod:`~discourse.parse.cues` (what a comment's text says:
openings, names, quotes), :mod:`~discourse.parse.similarity` (TF-IDF and embedding cosines),
:mod:`~discourse.parse.features` (candidates and their named feature columns),
:mod:`~discourse.parse.decode` (scores and the decision in page order) and
:mod:`~discourse.parse.evidence` (the plain-evidence pass). This module holds the weights and
puts them together.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from discourse.model import Thread
from discourse.parse.decode import MODELS, Decider
from discourse.parse.evidence import PlainEvidence
from discourse.parse.features import (  # noqa: F401 - the linker's vocabulary, used by training
    ALL_FEATURES,
    FEATURES,
    ROOT_FEATURES,
    Col,
    PageFeatures,
    RootCol,
    candidate_matrix,
)
from discourse.parse.similarity import Similarity, page_order_score  # noqa: F401


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
        cal = data.get("calibration" + suffix, data.get("calibration", {}))
        self.calibration = {k: tuple(map(float, v)) for k, v in cal.items() if k in MODELS}
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
        page = PageFeatures(self, thread)
        decider = Decider(self, thread, page)
        for a in range(0, len(comments), self.block):
            decider.decide(page.block(a, min(len(comments), a + self.block)))
        if self.plain_evidence:
            PlainEvidence(self.nest_levels, self.window, self.quote_confidence, self.address_confidence,
                          self.denial_confidence).link(thread, page)
        return thread

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
        page = PageFeatures(self, thread)
        out = []
        for a in range(0, len(comments), self.block):
            blk = page.block(a, min(len(comments), a + self.block))
            for k in range(blk.m):
                s0, s1 = blk.starts[k], blk.starts[k + 1]
                rows = blk.F[s0:s1]
                out.append({"cands": blk.J[s0:s1].tolist(), "rows": rows, "explicit": bool(blk.explicit[k]),
                            "named_rank": rows[:, Col.named_rank].tolist(), "root": blk.root[k].tolist()})
        return out

    def semantic_similarity(self, thread: Thread) -> Similarity:
        """Sentence-embedding cosines of the comments and the article (last row), from the
        encoder this linker was given (without one, it makes its own, loaded on first use)."""
        if self._embedder is None:
            from discourse.embeddings import Embedder

            self._embedder = Embedder()
        embedder = self._embedder
        texts = [c.text for c in thread.comments]
        vectors = embedder.encode(texts + [thread.article.text[:2000] or " "])
        return Similarity(dense=vectors)

_WEIGHT_SETS = {m + s for m in MODELS for s in ("", "_fast")}
