"""Reply stance: does a comment support, deny, query or merely comment on what it answers?

The scheme is RumourEval's (SemEval-2017 Task 8): *support* backs the claim it answers, *deny*
contradicts or rejects it, *query* asks for evidence or clarification, *comment* takes no side.
Every comment is judged against its parent comment, or against the article for a top-level one.

The model is linear (multinomial logistic regression) over features that should carry over from
tweets to news comments: cue lexicons (negation, denial, doubt, questions, agreement, reporting,
insults...; ``discourse/data/lexicons/stance_cues.json``), punctuation, word overlap with the
parent, a small word vocabulary, and, when embeddings are on, the MiniLM vector of the reply and
its cosine with the parent. Its weights are plain JSON (``discourse/data/reply_stance.json``,
fitted by ``python -m evaluation.stance_eval --write``) and are applied here with numpy
alone, so a user can read, retrain or replace them. Two weight sets ship: one with embeddings and
one lexical-only (``use_embeddings=False``), which needs no sentence encoder.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from discourse.resources import load_json
from .stage import RunContext, Stage

LABELS = ("support", "deny", "query", "comment")
OUTPUT_COLUMNS = ["thread_id", "comment_id", "stance", "stance_score", "stance_evidence",
                  "p_support", "p_deny", "p_query", "p_comment"]
PREDICT_COLUMNS = ["stance", "stance_score", "stance_evidence", "p_support", "p_deny", "p_query", "p_comment"]

# Twitter furniture that says nothing about stance and does not exist in news comments.
_HANDLE = re.compile(r"@\w+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_RT = re.compile(r"^\s*RT\b:?")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_ELLIPSIS = re.compile(r"\.\.\.|\u2026")
# A word within the first four characters of a sentence: at the text's start or after a break
# (only the position after a run of breaks can match, as a break is not allowed before the
# word), up to three other non-letters, then the word. Bounded repetition: linear time.
_OPENER = re.compile(r"(?:^|(?<=[.!?;:\n]))[^A-Za-z.!?;:\n]{0,3}([A-Za-z][A-Za-z'\-]*)")
_MAX_PHRASE = 4
#: Past this many characters a text is cut for the cue features; a comment's stance shows early.
MAX_CHARS = 20_000
#: Words of the parent kept for the overlap measures (an article may be long).
MAX_PARENT_CHARS = 50_000
#: Rows per block where the embedding columns are filled in or summed (a few MB per block).
_ROW_BLOCK = 2048


def clean_text(text: str) -> str:
    """Text without @handles, links, "RT" and hash marks, for features and the encoder.

    A text with none of them is returned unchanged, so the shared embedding cache serves the
    same string that other analyses encode.
    """
    if not text:
        return ""
    if "@" not in text and "http" not in text and "www." not in text and "#" not in text \
            and not text.lstrip().startswith("RT"):
        return text
    out = _URL.sub(" ", text)
    out = _HANDLE.sub(" ", out)
    out = _RT.sub(" ", out).replace("#", "")
    return _SPACE.sub(" ", out).strip()


def _words(text: str) -> list[str]:
    """Lower-cased words, without apostrophes or hyphens at their ends.

    An ASCII text is lower-cased whole before the scan (the same words: ASCII lower-casing keeps
    every character's class), and a word can only need stripping at its end, since it starts
    with a letter; with no apostrophe or hyphen in the text there is nothing to strip at all."""
    if text.isascii():
        found = _WORD.findall(text.lower())
        if "'" not in text and "-" not in text:
            return found
        return [w.rstrip("'-") for w in found]
    return [w.lower().strip("'-") for w in _WORD.findall(text.replace("\u2019", "'"))]


class StanceCues:
    """The cue lexicon: whole-word (and multi-word) matching of each category.

    ``path`` replaces the packaged ``lexicons/stance_cues.json``; categories a trained model does
    not know are matched (and reported) but carry no weight until the model is retrained.
    """

    def __init__(self, path: str | Path | None = None):
        data = load_json("lexicons", "stance_cues.json", path=path)
        self.categories: list[str] = list(data["categories"])
        self.openers_category: str = data.get("question_openers_category", "question_openers")
        self.stopwords = frozenset(w.lower() for w in data.get("stopwords", []))
        self._phrases: dict[str, list[str]] = {}
        self.max_n = 1
        for cat, entries in data["categories"].items():
            if cat == self.openers_category:
                continue
            for entry in entries:
                key = " ".join(_words(entry))
                if not key:
                    continue
                self._phrases.setdefault(key, []).append(cat)
                self.max_n = max(self.max_n, min(_MAX_PHRASE, key.count(" ") + 1))
        # Every proper word-prefix of a phrase ("shut up" -> "shut"): a longer phrase is tried at
        # a word only while the words so far begin one, so most words cost one lookup, not four.
        self._starts = frozenset(" ".join(k.split(" ")[:j]) for k in self._phrases for j in range(1, k.count(" ") + 1))
        # Words at which some cue can match (a one-word cue or a phrase's first word).
        self._firsts = frozenset(k.split(" ")[0] for k in self._phrases)
        self.openers = frozenset(" ".join(_words(w)) for w in data["categories"].get(self.openers_category, []))

    def match(self, words: Sequence[str]) -> dict[str, list[str]]:
        """Category -> matched cues in text order (each cue once)."""
        found: dict[str, list[str]] = {}
        phrases = self._phrases
        n_words = len(words)
        starts = self._starts
        firsts = self._firsts
        for i in [i for i, w in enumerate(words) if w in firsts]:
            key = words[i]
            for n in range(1, self.max_n + 1):
                if n > 1:
                    if i + n > n_words or key not in starts:
                        break
                    key = key + " " + words[i + n - 1]
                cats = phrases.get(key)
                if cats:
                    for cat in cats:
                        hits = found.setdefault(cat, [])
                        if key not in hits:
                            hits.append(key)
        return found

    def sentence_openers(self, text: str) -> list[str]:
        """Question words opening a sentence ("Is this confirmed", "Why would ...").

        A sentence's first word counts when it starts within its first four characters: one scan
        of the text (``_OPENER``) finds those words, where splitting into sentences and searching
        each one cost a regular-expression call per sentence."""
        out = []
        for w in _OPENER.findall(text):
            w = w.lower().replace("\u2019", "'")
            if w in self.openers and w not in out:
                out.append(w)
        return out


# -- features ------------------------------------------------------------------------------------
#: Features that do not come from a lexicon category, in their fixed order.
BASE_FEATURES = [
    "question_mark", "question_marks", "ends_question", "exclamation", "ellipsis", "quote",
    "url", "n_words", "caps_share", "starts_negation", "starts_agreement", "question_opener",
    "parent_question", "overlap_jaccard", "overlap_share",
]
EMBED_FEATURES = ["parent_cosine"]
#: Features that compare with the parent. Without a parent (a thread's opening post, or a
#: top-level comment when the article is not given) they take the model's mean, so they say
#: nothing either way. An explicit "no parent" feature is left out on purpose: RumourEval's
#: parent-less posts are source tweets, nearly all labelled support, and such a feature would
#: call every top-level news comment support whenever the article text is missing.
PARENT_FEATURES = ("parent_question", "overlap_jaccard", "overlap_share", "parent_cosine")


def has_parent(parents: Sequence[str | None]) -> np.ndarray:
    return np.array([bool(p and p.strip()) for p in parents], dtype=bool)


def feature_names(categories: Sequence[str]) -> list[str]:
    return BASE_FEATURES + [f"cue:{c}" for c in categories]


class Featurizer:
    """Hand features and word-vocabulary features of (reply, parent) pairs.

    Returns the matrix and, per row, the matched cues, so evidence can quote them.
    """

    def __init__(self, cues: StanceCues, categories: Sequence[str] | None = None,
                 vocabulary: Sequence[str] | None = None):
        self.cues = cues
        self.categories = list(categories) if categories is not None else list(cues.categories)
        self.names = feature_names(self.categories)
        self.vocabulary = list(vocabulary or [])
        self.vocab_index = {w: i for i, w in enumerate(self.vocabulary)}

    def transform(self, texts: Sequence[str], parents: Sequence[str | None]):
        n = len(texts)
        dense = np.zeros((n, len(self.names)), dtype=np.float64)
        vocab = np.zeros((n, len(self.vocabulary)), dtype=np.float64)
        matches: list[dict[str, list[str]]] = []
        cat_col = {c: len(BASE_FEATURES) + k for k, c in enumerate(self.categories)}
        stop = self.cues.stopwords
        parent_cache: dict[str, tuple[set[str], bool]] = {}
        for r in range(n):
            raw = texts[r] or ""
            text = clean_text(raw[:MAX_CHARS])
            words = _words(text)
            found = self.cues.match(words)
            openers = self.cues.sentence_openers(text)
            if openers:
                found = dict(found)
                found["_openers"] = openers
            matches.append(found)
            row = dense[r]
            q = text.count("?")
            row[0] = 1.0 if q else 0.0
            row[1] = math.log1p(q)
            row[2] = 1.0 if text.rstrip().endswith("?") else 0.0
            row[3] = 1.0 if "!" in text else 0.0
            row[4] = 1.0 if _ELLIPSIS.search(text) else 0.0
            row[5] = 1.0 if ('"' in text or "\u201c" in text) else 0.0
            row[6] = 1.0 if ("http" in raw or "www." in raw) else 0.0
            row[7] = math.log1p(len(words))
            raw_words = _WORD.findall(text)
            if raw_words:
                row[8] = sum(1 for w in filter(str.isupper, raw_words) if len(w) > 1) / len(raw_words)
            if words:
                first = words[0]
                row[9] = 1.0 if first in ("no", "not", "nope", "nah", "never", "wrong", "false", "fake") else 0.0
                row[10] = 1.0 if first in ("yes", "yep", "yeah", "exactly", "agreed", "agree", "true", "indeed", "correct", "right") else 0.0
            row[11] = 1.0 if openers else 0.0
            parent = parents[r]
            if parent and parent.strip():
                cached = parent_cache.get(parent)
                if cached is None:
                    ptext = clean_text(parent[:MAX_PARENT_CHARS])
                    cached = ({w for w in _words(ptext) if w not in stop and len(w) > 2}, "?" in ptext)
                    parent_cache[parent] = cached
                pwords, pq = cached
                row[12] = 1.0 if pq else 0.0
                mine = {w for w in words if w not in stop and len(w) > 2}
                if mine and pwords:
                    common = len(mine & pwords)
                    row[13] = common / len(mine | pwords)
                    row[14] = common / len(mine)
            for cat, hits in found.items():
                col = cat_col.get(cat)
                if col is not None:
                    row[col] = math.log1p(len(hits))
            if self.vocabulary:
                idx = {self.vocab_index[w] for w in words if w in self.vocab_index}
                if idx:
                    vocab[r, list(idx)] = 1.0 / math.sqrt(len(idx))
        return dense, vocab, matches


def build_vocabulary(texts: Sequence[str], min_df: int = 5, max_size: int = 2000,
                     stopwords: frozenset[str] = frozenset()) -> list[str]:
    """The commonest words of the training replies (document frequency >= ``min_df``)."""
    from collections import Counter

    df: Counter[str] = Counter()
    for t in texts:
        df.update({w for w in _words(clean_text(t)) if len(w) > 1})
    ranked = sorted((w for w, c in df.items() if c >= min_df), key=lambda w: (-df[w], w))
    return ranked[:max_size]


def parent_cosine(text_vecs: np.ndarray, parent_vecs: np.ndarray, parent_ok: np.ndarray) -> np.ndarray:
    """The cosine of each reply's MiniLM vector with its parent's (0 without a parent)."""
    return np.einsum("ij,ij->i", text_vecs, parent_vecs) * parent_ok


def embedding_features(text_vecs: np.ndarray, parent_vecs: np.ndarray, parent_ok: np.ndarray) -> np.ndarray:
    """The reply's MiniLM vector and its cosine with the parent (0 without a parent)."""
    return np.hstack([parent_cosine(text_vecs, parent_vecs, parent_ok)[:, None], text_vecs])


# -- the model -----------------------------------------------------------------------------------
class LinearModel:
    """Standardise, then softmax over ``coef @ z + intercept``: rebuilt from JSON, numpy only."""

    def __init__(self, spec: dict[str, Any]):
        self.features: list[str] = list(spec["features"])
        self.mean = np.asarray(spec["mean"], dtype=np.float64)
        self.scale = np.asarray(spec["scale"], dtype=np.float64)
        self.coef = np.asarray(spec["coef"], dtype=np.float64)
        self.intercept = np.asarray(spec["intercept"], dtype=np.float64)
        self.vocabulary: list[str] = list(spec.get("vocabulary", []))
        self.embeddings: bool = bool(spec.get("embeddings", False))
        d = len(self.features)
        if self.mean.shape != (d,) or self.scale.shape != (d,) or self.coef.shape[1:] != (d,):
            raise ValueError(f"stance model: {d} features but weights of shape {self.coef.shape}")

    def standardise(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``(x - mean) / scale``, written into ``out`` when given (which may be ``x`` itself)."""
        if out is None:
            return (x - self.mean) / self.scale
        np.subtract(x, self.mean, out=out)
        return np.divide(out, self.scale, out=out)

    def proba(self, x: np.ndarray) -> np.ndarray:
        return self.proba_standardised(self.standardise(x))

    def proba_standardised(self, z: np.ndarray) -> np.ndarray:
        logits = z @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)


def _contribution_sums(z: np.ndarray, rel: np.ndarray, pred: np.ndarray) -> list[float]:
    """``(z * rel[pred]).sum(axis=1)`` as a list, a block of rows at a time: the same products and
    the same row sums, without two matrices of the whole size in fresh memory."""
    out: list[float] = []
    for s in range(0, len(pred), _ROW_BLOCK):
        e = s + _ROW_BLOCK
        out += (z[s:e] * rel[pred[s:e]]).sum(axis=1).tolist()
    return out


_CUE_WORDING = {
    "negation": "negation", "denial": "denial cue", "doubt": "doubt cue",
    "question_phrase": "question cue", "agreement": "agreement cue", "reporting": "reporting cue",
    "reaction": "reaction cue", "insult": "insult", "hedge": "hedge", "second_person": "addresses the other person",
    "laughter": "laughter", "gratitude": "thanks",
}
_BASE_WORDING = {
    "question_mark": "question mark", "question_marks": "question mark", "ends_question": "question mark",
    "exclamation": "exclamation mark", "ellipsis": "ellipsis", "quote": "quotes someone", "url": "gives a link",
    "starts_negation": "opens with a negation", "starts_agreement": "opens with agreement",
"parent_question": "answers a question",
    "overlap_jaccard": "repeats the parent's words", "overlap_share": "repeats the parent's words",
    "parent_cosine": "close in meaning to the parent",
}


class ReplyStance:
    """Stance of each comment toward its parent (or the article): support, deny, query, comment.

    ``path`` replaces the packaged weights (``discourse/data/reply_stance.json``); ``cues_path``
    the cue lexicon. With ``use_embeddings`` (the default) the reply and its parent are encoded
    by ``embedder`` (default: the run's shared one) in one batch; without it the lexical model
    is used and no encoder is loaded.
    """

    def __init__(self, path: str | Path | None = None, embedder=None, use_embeddings: bool = True,
                 cues_path: str | Path | None = None, model: dict[str, Any] | None = None):
        data = model if model is not None else load_json("reply_stance.json", path=path)
        if data.get("classes") is None or tuple(data["classes"]) != LABELS:
            raise ValueError(f"stance model classes must be {LABELS}, got {data.get('classes')}")
        models = data["models"]
        self.use_embeddings = bool(use_embeddings) and "embedding" in models
        self.model = LinearModel(models["embedding" if self.use_embeddings else "lexical"])
        self.cues = StanceCues(cues_path)
        categories = [n[4:] for n in self.model.features if n.startswith("cue:")]
        self.featurizer = Featurizer(self.cues, categories, self.model.vocabulary)
        n_dense = len(self.featurizer.names)
        if self.model.features[:n_dense] != self.featurizer.names:
            raise ValueError("stance model features do not match the featurizer; retrain the model")
        self._n_dense = n_dense
        self._parent_cols = [k for k, f in enumerate(self.model.features) if f in PARENT_FEATURES]
        self._n_vocab = len(self.model.vocabulary)
        self._embedder = embedder

    @property
    def embedder(self):
        if self._embedder is None:
            from discourse.embeddings import Embedder

            self._embedder = Embedder()
        return self._embedder

    # -- features -----------------------------------------------------------------------------
    def features(self, texts: Sequence[str], parent_texts: Sequence[str | None]):
        """The model's input matrix and each row's matched cues."""
        texts = ["" if t is None or (isinstance(t, float) and math.isnan(t)) else str(t) for t in texts]
        parents = [None if p is None or (isinstance(p, float) and math.isnan(p)) else str(p) for p in parent_texts]
        dense, vocab, matches = self.featurizer.transform(texts, parents)
        parent_ok = has_parent(parents)
        if not texts:
            return np.zeros((0, len(self.model.features))), matches
        # The blocks are written into one matrix rather than stacked: at 20,000 replies and 400
        # columns, each stacking copy cost more than the arithmetic.
        n, lexical = len(texts), dense.shape[1] + vocab.shape[1]
        vecs = None
        if self.use_embeddings:
            vecs, text_rows, parent_rows, blank = self._vectors(texts, parents)
        x = np.empty((n, lexical + (0 if vecs is None else 1 + vecs.shape[1])))
        x[:, :dense.shape[1]] = dense
        x[:, dense.shape[1]:lexical] = vocab
        if vecs is not None:
            # Replies and parents are gathered a block of rows at a time: whole 20,000 x 384
            # float64 copies (gathered, masked, then copied again) cost more in fresh memory than
            # in arithmetic. Row by row the operations are the whole-matrix ones (float32 to
            # float64 is exact, so gathering first changes no value; a blank reply's row is
            # multiplied by 0 as before; the cosine is the same einsum on contiguous rows).
            ok = parent_ok.astype(float)
            for s in range(0, n, _ROW_BLOCK):
                e = min(n, s + _ROW_BLOCK)
                tv = vecs[text_rows[s:e]].astype(np.float64)
                rows = blank[(blank >= s) & (blank < e)] - s
                if len(rows):
                    tv[rows] *= 0.0
                pv = vecs[parent_rows[s:e]].astype(np.float64)
                x[s:e, lexical] = parent_cosine(tv, pv, ok[s:e])
                x[s:e, lexical + 1:] = tv
        orphan = np.flatnonzero(~parent_ok)
        if len(orphan) and self._parent_cols:
            x[np.ix_(orphan, self._parent_cols)] = self.model.mean[self._parent_cols]
        return x, matches

    def _vectors(self, texts: list[str], parents: list[str | None]):
        """MiniLM vectors of the distinct cleaned replies and parents, each reply's and each
        parent's row among them, and the replies that are blank once cleaned (their vector is 0).

        A parent (above all the article, parent of every top-level comment) recurs many times, so
        each distinct text is cleaned once and the encoder is given each distinct text once, in
        order of first appearance: the order in which the embedder itself would take them, so
        even a cold encoder sees the same batches."""
        cleaned_of: dict[str, str] = {}
        cleaned = [clean_text(t) for t in texts]
        cparents = []
        for p in parents:
            if not p:
                cparents.append("")
                continue
            c = cleaned_of.get(p)
            if c is None:
                c = cleaned_of[p] = clean_text(p)
            cparents.append(c)
        slot: dict[str, int] = {}
        where = np.fromiter((slot.setdefault(t, len(slot)) for t in cleaned + cparents), dtype=np.intp,
                            count=2 * len(texts))
        vecs = np.asarray(self.embedder.encode(list(slot)))
        if vecs.dtype not in (np.float32, np.float64):  # the casts to float64 after the gather are exact
            vecs = vecs.astype(np.float64)
        n = len(texts)
        blank = np.array([i for i, c in enumerate(cleaned) if not c.strip()], dtype=np.intp)
        return vecs, where[:n], where[n:], blank

    # -- prediction ---------------------------------------------------------------------------
    def predict_proba(self, texts: Sequence[str], parent_texts: Sequence[str | None]) -> np.ndarray:
        x, _ = self.features(texts, parent_texts)
        return self.model.proba(x)

    def predict(self, texts: Sequence[str], parent_texts: Sequence[str | None]):
        """One row per text: ``stance``, ``stance_score`` (its probability), ``stance_evidence``."""
        import pandas as pd

        texts = list(texts)
        parent_texts = list(parent_texts)
        if len(texts) != len(parent_texts):
            raise ValueError(f"{len(texts)} texts but {len(parent_texts)} parent texts")
        if not texts:
            return pd.DataFrame({c: pd.Series([], dtype=object if c in ("stance", "stance_evidence") else float)
                                 for c in PREDICT_COLUMNS})
        x, matches = self.features(texts, parent_texts)
        # Standardised once, for the probabilities and the evidence, and in place: a second
        # matrix as large in fresh memory cost more than the arithmetic. The evidence reads raw
        # values only in its leading columns, kept aside first.
        raw = x[:, :self._evidence_columns()].copy()
        z = self.model.standardise(x, out=x)
        proba = self.model.proba_standardised(z)
        pred = proba.argmax(axis=1)
        evidence = self._evidence(raw, pred, matches, z)
        out = pd.DataFrame({
            "stance": [LABELS[k] for k in pred],
            "stance_score": np.round(proba[np.arange(len(pred)), pred], 4),
            "stance_evidence": evidence,
        })
        for k, label in enumerate(LABELS):  # every class's probability, for aggregates over a thread
            out[f"p_{label}"] = np.round(proba[:, k], 4)
        return out

    def _evidence_columns(self) -> int:
        """How many leading columns of the input ``_evidence`` reads as raw values: the hand and
        word features and the parent cosine."""
        return min(len(self.model.features), self._n_dense + self._n_vocab + 1)

    def _evidence(self, x: np.ndarray, pred: np.ndarray, matches: list[dict[str, list[str]]],
                  z: np.ndarray | None = None) -> list[str]:
        """Name the present cues that pushed most toward the chosen class, quoting matched words.

        ``z`` is the whole input standardised; ``x`` may then hold only its leading
        ``_evidence_columns()`` columns, raw."""
        m = self.model
        if z is None:
            z = m.standardise(x)
        # How much more a feature favours the chosen class than the classes on average.
        rel = m.coef - m.coef.mean(axis=0, keepdims=True)
        n_dense = self._n_dense
        names = m.features
        emb_start = n_dense + self._n_vocab
        with_emb = m.embeddings and emb_start < len(names)
        # Contributions are only read for the hand and word features and the parent cosine; the
        # embedding dimensions only as a row sum, worked out a block of rows at a time. (Each
        # value is the same product as in the whole matrix, and a row's sum the same sum.)
        head = self._evidence_columns()
        contrib = z[:, :head] * rel[:, :head][pred]
        present = x[:, :head] != 0
        # Whole-matrix sorts and sums, then plain lists: per-row numpy calls on 20,000 rows cost
        # more than the work. (A row's argsort or sum along an axis is the same computation as
        # on that row alone, so the evidence is unchanged.)
        order = np.argsort(-contrib[:, :n_dense], axis=1)[:, :6]
        top_c = np.take_along_axis(contrib, order, axis=1).tolist()
        top_p = np.take_along_axis(present, order, axis=1).tolist()
        order = order.tolist()
        if with_emb:
            cos_c = contrib[:, emb_start].tolist()
            cos_p = present[:, emb_start].tolist()
            cos_x = x[:, emb_start].tolist()
            emb_sum = _contribution_sums(z[:, emb_start + 1:], rel[:, emb_start + 1:], pred)
        out = []
        for r in range(len(pred)):
            items: list[tuple[float, str]] = []
            seen: set[str] = set()
            for j, c, p in zip(order[r], top_c[r], top_p[r]):
                if c <= 0.05 or not p:
                    break
                text = self._describe(names[j], matches[r])
                if text and text not in seen:
                    seen.add(text)
                    items.append((c, text))
            if self._n_vocab:
                block = contrib[r, n_dense:emb_start]
                top = [j for j in np.argsort(-block)[:3] if block[j] > 0.05 and present[r, n_dense + j]]
                if top:
                    items.append((float(block[top].sum()), "words " + ", ".join(f"'{m.vocabulary[j]}'" for j in top)))
            if with_emb:
                if cos_c[r] > 0.05 and cos_p[r]:  # parent_cosine
                    items.append((cos_c[r], f"{_BASE_WORDING['parent_cosine']} ({cos_x[r]:.2f})"))
                e = emb_sum[r]
                if e > 0.2:
                    items.append((e, f"wording resembles {LABELS[pred[r]]} replies"))
            items.sort(key=lambda t: -t[0])
            out.append("; ".join(t for _, t in items[:3]) or "no distinctive cue")
        return out

    @staticmethod
    def _describe(name: str, found: dict[str, list[str]]) -> str:
        if name.startswith("cue:"):
            cat = name[4:]
            hits = found.get(cat, [])
            label = _CUE_WORDING.get(cat, cat.replace("_", " ") + " cue")
            return f"{label} " + ", ".join(f"'{h}'" for h in hits[:3]) if hits else ""
        if name == "question_opener":
            hits = found.get("_openers", [])
            return "question opening " + ", ".join(f"'{h}'" for h in hits[:2]) if hits else ""
        if name in ("n_words", "caps_share"):
            return "short reply" if name == "n_words" else "shouting (capitals)"
        return _BASE_WORDING.get(name, name.replace("_", " "))

    # -- frames -------------------------------------------------------------------------------
    def transform(self, comments, articles: dict[str, str] | None = None):
        """Stance of every comment of a ``comments`` frame (``thread_id, comment_id, parent_id,
        text``) toward its parent in the same thread, or ``articles[thread_id]`` at top level
        (empty when not given). A parent id naming no comment of the thread counts as top-level.
        """
        import pandas as pd

        if comments is None or len(comments) == 0:
            return pd.DataFrame({c: pd.Series([], dtype=float if c == "stance_score" else object)
                                 for c in OUTPUT_COLUMNS})
        tids = comments["thread_id"].astype(str).tolist()
        cids = comments["comment_id"].astype(str).tolist()
        texts = ["" if not isinstance(t, str) else t for t in comments["text"].tolist()]
        pids = comments["parent_id"].tolist() if "parent_id" in comments.columns else [None] * len(cids)
        by_key = {(t, c): x for t, c, x in zip(tids, cids, texts)}
        articles = articles or {}
        parent_texts: list[str] = []
        for t, p in zip(tids, pids):
            key = None if p is None or (isinstance(p, float) and math.isnan(p)) or str(p) == "" else (t, str(p))
            if key is not None and key in by_key:
                parent_texts.append(by_key[key])
            else:
                parent_texts.append(articles.get(t) or "")
        pred = self.predict(texts, parent_texts)
        pred.insert(0, "comment_id", cids)
        pred.insert(0, "thread_id", tids)
        return pred[OUTPUT_COLUMNS]


class ReplyStanceStage(Stage):
    """Support / deny / query / comment toward what each comment answers."""

    name = "stance"
    requires = ("comments.text", "comments.parent_id")
    provides = ("comments.stance", "comments.stance_score", "comments.stance_evidence")
    needs_embeddings = True

    def texts_to_encode(self, ctx: RunContext) -> list[str]:
        texts = ctx.units["text"].fillna("").tolist() if ctx.units is not None else []
        return [clean_text(t) for t in texts]

    def run(self, ctx: RunContext) -> None:
        model = ReplyStance(embedder=ctx.encoder(), use_embeddings=ctx.use_embeddings)
        ctx.add_columns(model.transform(ctx.comments, ctx.articles))
