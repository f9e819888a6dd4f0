"""The matcher: each sentence scored against every sub-narrative by cue terms and by similarity to
the catalogue's examples (over the similarity to its neutral background sentences)."""
from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from ...embeddings import Embedder
from ...heads import LinearHead
from ...resources import data_path
from ...runtime import gc_paused
from ...text import sentence_spans
from .catalogue import _CueIndex, load_catalogue
from .summary import summarise

NARRATIVE_COLUMNS = [
    "thread_id", "comment_id", "paragraph", "narrative", "subnarrative", "score", "similarity",
    "cue_score", "sentence", "start", "end", "matched_example", "cue_terms", "evidence", "domain",
]

DEFAULT_MATCHING = {
    "similarity_floor": 0.5,
    "margin_floor": 0.0,
    "margin_ceiling": 0.25,
    "strong_weight": 0.45,
    "weak_weight": 0.12,
    "threshold": 0.5,
    "cue_only_threshold": 0.4,
}

# Whole words for cue matching: Unicode letters and digits. A single character class with one
# quantifier, so it cannot backtrack on hostile input.
# The encoder reads ~256 word pieces; longer sentences only cost hashing and memory.
_MAX_EMBED_CHARS = 1000


class NarrativeMatcher:
    """Sentences of articles and comments matched to a narrative catalogue.

    ``domain`` names a packaged catalogue; ``path`` a user's file of the same shape (it wins).
    ``use_embeddings=False`` matches cue terms only (fast, no model; one strong cue suffices).
    ``threshold`` overrides the catalogue's calibrated one.
    """

    def __init__(self, domain: str = "russia_ukraine", path: str | Path | None = None, embedder=None,
                 use_embeddings: bool = True, threshold: float | None = None, gate=True,
                 document_gate=True):
        self.catalogue = load_catalogue(domain, path)
        self.domain = str(self.catalogue.get("name") or domain)
        self.embedder = embedder
        self.use_embeddings = use_embeddings
        #: text -> sentence spans; a run sets its token layer's (each text split once per run)
        self.split = sentence_spans
        m = {**DEFAULT_MATCHING, **(self.catalogue.get("matching") or {})}
        self.matching = m
        if threshold is None:
            threshold = m["threshold"] if use_embeddings else m["cue_only_threshold"]
        self.threshold = float(threshold)
        self.subs: list[dict[str, Any]] = []
        for nar in self.catalogue["narratives"]:
            for sub in nar["subnarratives"]:
                self.subs.append({**sub, "narrative": nar["narrative"]})
        self.cues = _CueIndex(self.subs)
        # Examples flattened in sub-narrative order; offsets mark each sub-narrative's block.
        self._examples = [e for s in self.subs for e in s.get("examples", [])]
        self._example_owner = np.array([k for k, s in enumerate(self.subs) for _ in s.get("examples", [])],
                                       dtype=np.int64)
        self._example_vectors: np.ndarray | None = None
        self._background = [b for b in self.catalogue.get("background", []) if isinstance(b, str)]
        self._background_vectors: np.ndarray | None = None
        self.gate, self.gate_threshold = self._load_gate(gate, path) if use_embeddings else (None, 1.0)
        self.document_gate, self.document_threshold = (
            self._load_gate(document_gate, path, "narratives_documents") if use_embeddings else (None, 1.0))
        narratives = [s["narrative"] for s in self.subs]
        self._gate_column = ([self.gate.classes.index(n) if n in self.gate.classes else -1 for n in narratives]
                             if self.gate is not None else [])

    def _load_gate(self, gate, path, name: str = "narratives"):
        """A learned gate: ``(LinearHead, threshold)``, ``False`` for none, ``True`` for the
        packaged one (``data/models/NAME.npz``) when the catalogue is the packaged one it was
        trained for."""
        if isinstance(gate, tuple):
            return gate
        if gate is not True or path is not None or not data_path("models", f"{name}.npz").is_file():
            return None, 1.0
        head = LinearHead.load(name)
        if head.meta.get("domain", "russia_ukraine") != self.domain:
            return None, 1.0
        return head, float(head.meta["threshold"])

    def document_narratives(self, sentences: list[str]) -> dict[str, float] | None:
        """The narratives a whole article may carry, {narrative: probability}, from the document
        gate over the mean of its sentence vectors; None when the matcher has no document gate."""
        if self.document_gate is None:
            return None
        if not sentences:
            return {}
        vecs = np.asarray(self._embedder().encode([s[:_MAX_EMBED_CHARS] for s in sentences]), dtype=np.float32)
        p = 1.0 / (1.0 + np.exp(-self.document_gate.scores(vecs.mean(axis=0, keepdims=True))[0]))
        return {c: float(v) for c, v in zip(self.document_gate.classes, p) if v >= self.document_threshold}

    def score_document(self, sentences: list[str]) -> list[list[dict[str, Any]]]:
        """:meth:`score_sentences` for the sentences of one article: a match stands only where the
        article as a whole may carry its narrative (the document gate)."""
        found = self.score_sentences(sentences)
        allowed = self.document_narratives(sentences)
        return found if allowed is None else [_allowed(f, allowed) for f in found]

    def _gate_articles(self, units, sent_rows, sentences, scored):
        """Matches in article paragraphs kept only where the thread's article as a whole may carry
        the narrative; comments keep their sentence matches (the document gate learned articles)."""
        cids = units["comment_id"].tolist()
        tids = units["thread_id"].tolist()
        articles: dict[Any, list[int]] = {}
        for i, (r, _, _) in enumerate(sent_rows):
            if _missing(cids[r]) or cids[r] == "":
                articles.setdefault(tids[r], []).append(i)
        scored = list(scored)
        for rows in articles.values():
            if not any(scored[i] for i in rows):
                continue
            allowed = self.document_narratives([sentences[i] for i in rows])
            for i in rows:
                scored[i] = _allowed(scored[i], allowed)
        return scored

    def gate_probabilities(self, sentences: list[str]) -> np.ndarray:
        """Per sentence and gate class, the probability that the sentence carries the narrative
        (read from the vectors the run already holds)."""
        vecs = np.asarray(self._embedder().encode([s[:_MAX_EMBED_CHARS] for s in sentences]), dtype=np.float32)
        return 1.0 / (1.0 + np.exp(-self.gate.scores(vecs)))

    # ----------------------------------------------------------------- embeddings
    def _embedder(self):
        if self.embedder is None:
            from ...embeddings import Embedder

            self.embedder = Embedder()
        return self.embedder

    def example_vectors(self) -> np.ndarray:
        if self._example_vectors is None:
            self._example_vectors = np.asarray(self._embedder().encode(self._examples), dtype=np.float32)
        return self._example_vectors

    def background_vectors(self) -> np.ndarray:
        if self._background_vectors is None:
            self._background_vectors = np.asarray(self._embedder().encode(self._background), dtype=np.float32)
        return self._background_vectors

    def _similarities(self, sentences: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(best cosine, index of that example) per sentence and sub-narrative, and each sentence's
        best cosine to the catalogue's neutral background sentences."""
        n, k = len(sentences), len(self.subs)
        best = np.full((n, k), -1.0, dtype=np.float32)
        arg = np.full((n, k), -1, dtype=np.int64)
        neutral = np.full(n, -1.0, dtype=np.float32)
        if not n or not self._examples:
            return best, arg, neutral
        ex = self.example_vectors()
        texts = [s[:_MAX_EMBED_CHARS] for s in sentences]
        embedder = self._embedder()
        if isinstance(embedder, Embedder):
            # The Embedder hands each distinct text the one vector it holds for it, wherever the text
            # recurs, so it can copy rows straight into place: a separate matrix of the distinct
            # sentences, then copied out again, was a second large allocation, and filling fresh
            # memory was most of what this method cost on a big corpus.
            vecs = np.asarray(embedder.encode(texts), dtype=np.float32)
        else:
            vecs = self._distinct_vectors(embedder, texts)
        # The products stay as they were, over the same matrices: BLAS may sum in another order
        # for another shape, and the last bits can move a rounded score.
        if self._background:
            neutral = (vecs @ self.background_vectors().T).max(axis=1)
        # Examples are stored sub-narrative by sub-narrative, so each one's columns are one slice.
        owner = self._example_owner
        subs = np.unique(owner)
        first = np.searchsorted(owner, subs, side="left")
        stop = np.searchsorted(owner, subs, side="right")
        # A column's rank from the left (larger is further left), to find each block's first maximum.
        rank = len(owner) - np.arange(len(owner))
        for lo in range(0, n, 2048):  # bounded memory on large corpora
            sims = vecs[lo:lo + 2048] @ ex.T
            at = np.arange(len(sims))
            if np.isnan(sims).any():  # argmax's NaN rule, block by block
                for sub, c0, c1 in zip(subs.tolist(), first.tolist(), stop.tolist()):
                    j = sims[:, c0:c1].argmax(axis=1)
                    best[lo:lo + 2048, sub] = sims[at, c0 + j]
                    arg[lo:lo + 2048, sub] = c0 + j
                continue
            # All blocks at once: each block's maximum, then its first column holding it (what
            # argmax picks), then the value in that column.
            top = np.maximum.reduceat(sims, first, axis=1)
            hit = sims == np.repeat(top, stop - first, axis=1)
            j = len(owner) - np.maximum.reduceat(np.where(hit, rank, 0), first, axis=1)
            best[lo:lo + 2048, subs] = sims[at[:, None], j]
            arg[lo:lo + 2048, subs] = j
        return best, arg, neutral

    @staticmethod
    def _distinct_vectors(embedder, texts: list[str]) -> np.ndarray:
        """Vectors for ``texts`` from any object with ``encode``: stock sentences recur, so each
        distinct one is asked for once and its row copied to every place."""
        distinct = list(dict.fromkeys(texts))
        if len(distinct) < len(texts):
            where = {t: r for r, t in enumerate(distinct)}
            rows = np.fromiter((where[t] for t in texts), dtype=np.int64, count=len(texts))
            return np.asarray(embedder.encode(distinct), dtype=np.float32)[rows]
        return np.asarray(embedder.encode(texts), dtype=np.float32)

    # ----------------------------------------------------------------- scoring
    def _cue_score(self, hits: list[tuple[int, int, str, str]]) -> float:
        m = self.matching
        miss = 1.0
        for _, _, strength, _ in hits:
            miss *= 1.0 - (m["strong_weight"] if strength == "strong" else m["weak_weight"])
        return 1.0 - miss

    def _sim_score(self, cos: float, neutral: float) -> float:
        """Similarity evidence: how much closer the sentence is to the sub-narrative's examples
        than to neutral talk about the same subject (topic alone gives a high raw cosine)."""
        m = self.matching
        if cos < m["similarity_floor"]:
            return 0.0
        lo, hi = m["margin_floor"], m["margin_ceiling"]
        return float(min(1.0, max(0.0, (cos - max(neutral, 0.0) - lo) / max(hi - lo, 1e-9))))

    def score_sentences(self, sentences: list[str]) -> list[list[dict[str, Any]]]:
        """For each sentence, the sub-narratives it carries (score >= threshold), best first."""
        memo: dict[str, dict[int, list[tuple[int, int, str, str]]]] = {}  # stock sentences recur
        cue_hits = []
        for sent in sentences:
            hits = memo.get(sent)
            if hits is None:
                hits = memo[sent] = self.cues.match(sent)
            cue_hits.append(hits)
        use = self.use_embeddings
        floor = self.matching["similarity_floor"]
        threshold = self.threshold
        if use:
            best, arg, neutral = self._similarities(sentences)
            # Per sentence, the sub-narratives over the floor (ascending, as flatnonzero per row
            # gave them): one pass over the matrix instead of one per sentence.
            rows, cols = np.nonzero(best > floor)
            bounds = np.searchsorted(rows, np.arange(len(sentences) + 1)).tolist()
            # Most of those pairs stay below the threshold unless a cue adds to them. What such a
            # pair would score without a cue is worked out for all of them at once, and only the
            # ones that might reach the threshold (a wide margin; NaN counts as might) are scored
            # one by one below; sub-narratives with cues always are.
            m = self.matching
            cos = best[rows, cols].astype(np.float64)
            sim = (cos - np.maximum(neutral[rows].astype(np.float64), 0.0) - m["margin_floor"]) / max(
                m["margin_ceiling"] - m["margin_floor"], 1e-9)
            sim = np.where(cos < floor, 0.0, np.minimum(1.0, np.maximum(0.0, sim)))
            may = ~(1.0 - (1.0 - sim) < threshold - 1e-6)
            n_subs = len(self.subs)
            may_reach = set((rows[may] * n_subs + cols[may]).tolist())
            may_before = np.concatenate(([0], np.cumsum(may)))[bounds].tolist()
            cols = cols.tolist()
            neutrals = neutral.tolist()
        gate = self.gate_probabilities(sentences) if use and self.gate is not None and sentences else None
        out: list[list[dict[str, Any]]] = []
        for i, sent in enumerate(sentences):
            hits_i = cue_hits[i]
            if use:
                if not hits_i and may_before[i] == may_before[i + 1]:
                    out.append([])
                    continue
                lo, hi = bounds[i], bounds[i + 1]
                at = i * n_subs
                # Built as before (set of cue hits, then the similar ones): the iteration order of
                # the set decides the order of equal scores.
                cands = set(hits_i)
                cands |= set(cols[lo:hi])
                best_i, arg_i, neutral_i = best[i], arg[i], neutrals[i]
            elif not hits_i:
                out.append([])
                continue
            else:
                cands = set(hits_i)
            found = []
            for k in cands:
                hits = hits_i.get(k)
                if hits is None:
                    if at + k not in may_reach:
                        continue
                    hits = []
                c = self._cue_score(hits)
                cos = float(best_i[k]) if use else float("nan")
                s = self._sim_score(cos, neutral_i) if use else 0.0
                score = 1.0 - (1.0 - s) * (1.0 - c)
                if score < threshold:
                    continue
                example = self._examples[arg_i[k]] if use and arg_i[k] >= 0 else ""
                finding = self._finding(k, sent, score, cos, c, hits, example, neutral_i if use else 0.0)
                if gate is not None:
                    col = self._gate_column[k]
                    g = float(gate[i, col]) if col >= 0 else 0.0
                    if g < self.gate_threshold:
                        continue
                    finding["evidence"] += f"; learned gate p={g:.2f} for {self.subs[k]['narrative']}"
                found.append(finding)
            found.sort(key=lambda f: -f["score"])
            out.append(found)
        return out

    def _finding(self, k, sent, score, cos, cue, hits, example, neutral) -> dict[str, Any]:
        sub = self.subs[k]
        quoted = [sent[a:b] for a, b, _, _ in hits]
        parts = []
        if hits:
            parts.append("cues: " + ", ".join(f'"{sent[a:b]}" ({st})' for a, b, st, _ in hits))
        if example and cos >= self.matching["similarity_floor"]:
            parts.append(f'resembles: "{example}" (cos {cos:.2f}, {cos - max(neutral, 0.0):+.2f} over neutral)')
        return {
            "narrative": sub["narrative"],
            "subnarrative": sub["subnarrative"],
            "score": round(float(score), 4),
            "similarity": float("nan") if math.isnan(cos) else round(cos, 4),
            "cue_score": round(float(cue), 4),
            "matched_example": example if example and cos >= self.matching["similarity_floor"] else "",
            "cue_terms": "; ".join(quoted),
            "evidence": "; ".join(parts),
        }

    # ----------------------------------------------------------------- frames
    @gc_paused()
    def transform(self, units) -> pd.DataFrame:
        """Narratives found in ``units`` (``text_units`` frame: thread_id, comment_id, paragraph, text).

        One row per unit and sub-narrative, from the unit's best-scoring sentence for it.
        """
        import pandas as pd

        sent_rows: list[tuple[int, int, int]] = []  # (unit row, start, end)
        sentences: list[str] = []
        texts = [("" if _missing(t) else str(t)) for t in units["text"].tolist()] \
            if len(units) else []
        for r, text in enumerate(texts):
            for s, e in self.split(text):
                sent_rows.append((r, s, e))
                sentences.append(text[s:e])
        scored = self.score_sentences(sentences) if sentences else []
        if self.document_gate is not None and sentences:
            scored = self._gate_articles(units, sent_rows, sentences, scored)
        best: dict[tuple[int, str], tuple[dict[str, Any], int, int, str]] = {}
        for (r, s, e), sent, found in zip(sent_rows, sentences, scored):
            for f in found:
                key = (r, f["subnarrative"] + "\x00" + f["narrative"])
                if key not in best or f["score"] > best[key][0]["score"]:
                    best[key] = (f, s, e, sent)
        tids = units["thread_id"].tolist() if len(units) else []
        cids = units["comment_id"].tolist() if len(units) else []
        paras = units["paragraph"].tolist() if "paragraph" in units.columns else [-1] * len(texts)
        rows = []
        for (r, _), (f, s, e, sent) in sorted(best.items(), key=lambda kv: (kv[0][0], -kv[1][0]["score"])):
            cid = cids[r]
            rows.append({
                "thread_id": tids[r],
                "comment_id": "" if _missing(cid) else cid,
                "paragraph": -1 if _missing(paras[r]) else int(paras[r]),
                **f,
                "sentence": sent,
                "start": s,
                "end": e,
                "domain": self.domain,
            })
        return pd.DataFrame(rows, columns=NARRATIVE_COLUMNS)

    def summarise(self, narratives, units, by: str | Sequence[str] = "thread_id",
                  level: str = "narrative"):
        return summarise(narratives, units, by=by, level=level)


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _allowed(found: list[dict[str, Any]], allowed: dict[str, float]) -> list[dict[str, Any]]:
    """The findings whose narrative the whole article may carry, with that probability as evidence."""
    return [{**f, "evidence": f"{f['evidence']}; the article as a whole p={allowed[f['narrative']]:.2f}"}
            for f in found if f["narrative"] in allowed]
