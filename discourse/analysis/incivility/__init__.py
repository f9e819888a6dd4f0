"""Incivility per comment: a 0-1 score with readable reasons quoting the evidence.

Most incivility in news comments carries no swear word: it is name-calling, condescension aimed
at the person answered, sneering labels for a group, wishes of harm. So the score combines three
kinds of evidence, each cheap enough to triage tens of thousands of comments a minute on one core:

* ``alt-profanity-check``'s linear model (it ships inside the package), one batch call;
* profanity from ``better-profanity``'s word list, with its look-alike matcher run only on tokens
  that look obfuscated (``sh1t``, ``f*ck``);
* a lexicon of our own (``discourse/data/lexicons/incivility.json``): insults, disparaging words,
  second-person attacks and condescension, threats and wishes of harm, identity attacks and
  dehumanising labels, plus shouting, punctuation runs and how much the comment addresses "you".

Learned heads (:mod:`.learned`, trained on real toxicity data by ``python -m training.incivility``)
turn the comment's sentence vector and these cue features into a calibrated probability of
toxic and of each kind (insult, threat, identity attack, obscene); the reasons lead with the
evidence of the cue that weighed most.

The parts, one per file: :mod:`.lexicon` (word lists and phrase indexes), :mod:`.cues` (the cue
features of one comment with the words that show them), :mod:`.spans` (words that annotators
marked as toxic), :mod:`.scorer` (the hand-set cue combiner, reasons, kind strengths),
:mod:`.learned` (the heads), and this module's :class:`Incivility` (the stage's model: scores a
comments table and names whom a reply attacks).
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..stage import RunContext, Stage
from .cues import CUE_FEATURES, quote
from .learned import FEATURE_EVIDENCE, KINDS, Heads
from .learned import available as learned_available
from .lexicon import Phrases
from .scorer import FEATURES, SCORE_COLUMNS, TRANSFORM_COLUMNS, CueScorer, clean_texts, reason_text, retarget
from .spans import SPAN_FEATURES, STRONG, load_span_words, span_features

__all__ = ["CUE_FEATURES", "FEATURES", "SCORE_COLUMNS", "TRANSFORM_COLUMNS", "Incivility", "IncivilityStage",
           "Phrases", "load"]


class Incivility:
    """Scores comments for incivility (0-1) and says why, quoting the text.

    By default the learned heads score (:mod:`.learned`): with sentence vectors (``vectors`` given
    to :meth:`score`, or ``use_embeddings`` with the run's ``embedder``) the head over vectors and
    cues, else the cue-only head. ``path``: a lexicon replacing
    ``discourse/data/lexicons/incivility.json``; ``weights_path``: a cue-weights file (like
    ``discourse/data/incivility_weights.json``) that replaces the heads with its hand-set combiner.
    Either way, threats, slurs and identity attacks (and, for the heads, attacks on the person
    answered) lift a score to their floor (in the weights file: ``head_floors``, ``floors``).
    """

    def __init__(self, path: str | Path | None = None, weights_path: str | Path | None = None,
                 use_embeddings: bool = False, embedder=None):
        self.cues = CueScorer(path, weights_path)
        self.heads = Heads() if weights_path is None and learned_available() else None
        self.span_words = load_span_words() if self.heads is not None else {}
        self.lexicon = self.cues.lex.raw
        self.weights = self.cues.weights
        self.insult_nouns = self.cues.lex.insult_nouns
        self.disparaging = self.cues.lex.disparaging
        self.use_embeddings = use_embeddings
        self._embedder = embedder

    def features(self, text: str):
        """Cue feature values, quoted evidence per reason kind and grave-signal flags of one text."""
        return self.cues.reader.features(text)

    def feature_frame(self, texts: Sequence[str]):
        """The cue and span-word features, one row per text (for fitting and inspection)."""
        texts = clean_texts(texts)
        frame = self.cues.read(texts)[0]
        self._add_span_words(frame, texts, [{} for _ in texts])
        return frame

    def _add_span_words(self, frame, texts: list[str], evidence: list[dict]) -> None:
        """The span-word features as columns; the strongest word quoted as a "toxic word"."""
        found = [span_features(t, self.span_words) for t in texts]
        for name in SPAN_FEATURES:
            frame[name] = [f[name] for f, _ in found]
        for text, ev, (f, where) in zip(texts, evidence, found):
            if where is not None and f["span_word_max"] >= STRONG:
                q = quote(text[where[0]:where[1]])
                if not any(q[1:-1].lower() in v.lower() for quotes in ev.values() for v in quotes):
                    ev["toxic word"] = [q]

    def _vectors(self, texts: list[str], vectors):
        if vectors is not None or not self.use_embeddings:
            return vectors
        if self._embedder is None:
            from discourse.embeddings import Embedder

            self._embedder = Embedder()
        return self._embedder.encode(texts)

    def score(self, texts: Sequence[str], vectors=None):
        """One row per text: ``incivility`` (0-1), ``incivility_reasons`` (the evidence that weighed
        most first), ``incivility_kind`` and the kinds' probabilities ``insult``, ``threat``,
        ``identity_attack``, ``obscene`` (the cue strengths when a weights file replaces the heads),
        and ``profanity`` (the swear-word strength). ``vectors``: the texts' sentence vectors."""
        import pandas as pd

        texts = clean_texts(texts)
        if not texts:
            return pd.DataFrame({c: pd.Series(dtype=object if c in ("incivility_reasons", "incivility_kind") else float)
                                 for c in SCORE_COLUMNS})
        frame, evidence, flags, model_prob = self.cues.read(texts)
        strengths = self.cues.kind_strengths(frame, model_prob)
        if self.heads is None:
            prob = self.cues.floored(self.cues.combine(frame), flags)
            kinds = {k: strengths.get(k, strengths["profanity"]) for k in KINDS}
            top = [""] * len(texts)
        else:
            self._add_span_words(frame, texts, evidence)
            p, kinds, top = self.heads.predict(frame, self._vectors(texts, vectors))
            prob = self.cues.floored(p, flags, "head_floors")
            kinds = {k: np.asarray(self.cues.floored(v, flags, "head_floors", _KIND_SIGNALS.get(k, ())))
                     for k, v in kinds.items()}
        kind_names = self._kind_names(kinds)
        return pd.DataFrame({
            "incivility": prob,
            "incivility_reasons": [reason_text(ev, mp, lead=FEATURE_EVIDENCE.get(t, ()))
                                   for ev, mp, t in zip(evidence, model_prob, top)],
            "incivility_kind": [k if p >= 0.5 else "" for k, p in zip(kind_names, prob)],
            "profanity": strengths["profanity"],
            **{k: kinds[k] for k in KINDS},
        })

    def _kind_names(self, kinds: dict) -> np.ndarray:
        """Each row's kind: the one whose probability stands highest above that kind's share of
        toxic training comments (an insult is common, so a swear word alone must not read as one)."""
        base = self.heads.base_rates if self.heads is not None else dict.fromkeys(KINDS, 1.0)
        lift = np.column_stack([np.asarray(kinds[k], dtype=float) / max(base[k], 1e-6) for k in KINDS])
        return np.array(KINDS)[lift.argmax(axis=1)]

    def transform(self, comments, vectors=None):
        """Scores for a comments frame; a reply's attacks are named as aimed at its parent's author.

        ``comments`` needs ``thread_id, comment_id, text``; ``parent_id`` and ``author`` (when
        present) name the target. ``incivility_target`` is the parent's author when the comment
        is a reply that addresses its reader, else empty. ``vectors``: the comments' sentence vectors.
        """
        import pandas as pd

        if comments is None or len(comments) == 0:
            return pd.DataFrame({c: pd.Series(dtype=object if c in _TEXT_COLUMNS else float)
                                 for c in TRANSFORM_COLUMNS})
        scored = self.score(comments["text"].tolist(), vectors=vectors)
        targets, reasons = _targets(comments, scored["incivility_reasons"].tolist())
        return pd.DataFrame({
            "thread_id": comments["thread_id"].tolist(),
            "comment_id": comments["comment_id"].tolist(),
            "incivility": scored["incivility"].tolist(),
            "incivility_reasons": reasons,
            "incivility_target": targets,
            "incivility_kind": scored["incivility_kind"].tolist(),
            **{f"p_{k}": scored[k].tolist() for k in KINDS},
        })


#: the grave-signal flags whose floors lift each kind's probability
_KIND_SIGNALS = {"threat": ("threat",), "identity_attack": ("identity_attack", "slur"), "insult": ("targeted",)}
_TEXT_COLUMNS = ("thread_id", "comment_id", "incivility_reasons", "incivility_target", "incivility_kind")


def _targets(comments, reasons: list[str]) -> tuple[list[str], list[str]]:
    """The parent's author of each reply whose reasons address its reader, and the reasons naming them."""
    # Each column is read into a list once (iterating an Arrow-backed column is slow).
    tids, cids = comments["thread_id"].tolist(), comments["comment_id"].tolist()
    authors: dict[tuple, str] = {}
    if "author" in comments.columns:
        for tid, cid, a in zip(tids, cids, comments["author"].tolist()):
            if isinstance(a, str) and a:
                authors[(tid, cid)] = a
    parents = comments["parent_id"].tolist() if "parent_id" in comments.columns else [None] * len(comments)
    targets, named = [], []
    for tid, parent, reason in zip(tids, parents, reasons):
        target = authors.get((tid, parent)) if isinstance(parent, str) and parent else None
        aimed = bool(target) and any(k in reason for k in _AIMED_KINDS)
        named.append(retarget(reason, target) if aimed else reason)
        targets.append(target if aimed else "")
    return targets, named


_AIMED_KINDS = ("aimed at a commenter", "attack on a commenter", "condescension")


def load(path: str | Path | None = None, weights_path: str | Path | None = None) -> Incivility:
    """An :class:`Incivility` with the packaged (or given) lexicon and weights."""
    return Incivility(path=path, weights_path=weights_path)


class IncivilityStage(Stage):
    """Insults, profanity, threats and identity attacks per comment: a calibrated probability, its
    kind, the evidence that weighed most and whom a reply attacks. Reads the comments' sentence
    vectors the run encoded up front (the cue-only head without the encoder)."""

    name = "incivility"
    requires = ("comments.text",)
    provides = tuple(f"comments.{c}" for c in TRANSFORM_COLUMNS[2:])
    needs_embeddings = True

    def texts_to_encode(self, ctx: RunContext) -> list[str]:
        return _comment_texts(ctx.comments)

    def run(self, ctx: RunContext) -> None:
        encoder = ctx.encoder()
        texts = _comment_texts(ctx.comments)
        vectors = encoder.encode(texts) if encoder is not None and texts else None
        ctx.add_columns(Incivility().transform(ctx.comments, vectors=vectors))


def _comment_texts(comments) -> list[str]:
    return clean_texts(comments["text"].tolist()) if comments is not None and len(comments) else []
