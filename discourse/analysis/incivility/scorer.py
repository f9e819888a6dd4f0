"""Turning cue features into a score per comment, with reasons that quote the text."""
from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from discourse.errors import log
from discourse.resources import load_json

from .cues import CUE_FEATURES, CueReader
from .lexicon import Lexicon

FEATURES = ("profanity_model",) + CUE_FEATURES
SCORE_COLUMNS = ["incivility", "incivility_reasons", "incivility_kind", "profanity", "insult", "threat",
                 "identity_attack", "obscene"]
TRANSFORM_COLUMNS = ["thread_id", "comment_id", "incivility", "incivility_reasons", "incivility_target",
                     "incivility_kind", "p_insult", "p_threat", "p_identity_attack", "p_obscene"]
#: reason kinds, gravest first, as they are listed in ``incivility_reasons``
REASON_ORDER = ("threat", "wish of harm", "slur", "identity attack", "dehumanising label",
                "insult aimed at a commenter", "attack on a commenter", "condescension", "profanity",
                "name-calling", "disparaging", "toxic word", "challenging question", "mockery", "shouting",
                "excessive punctuation")


def logit(p: np.ndarray) -> np.ndarray:
    """alt-profanity-check's probability back on its log-odds scale, where evidence adds up."""
    p = np.clip(np.asarray(p, dtype=float), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def _strength(v: np.ndarray) -> np.ndarray:
    """A log-count feature as a 0-1 strength (one hit at the given gain is already strong)."""
    return 1.0 - np.exp(-np.asarray(v, dtype=float))


def clean_texts(texts: Sequence) -> list[str]:
    return ["" if t is None or (isinstance(t, float) and math.isnan(t)) else str(t) for t in texts]


def profanity_model(texts: Sequence[str]) -> np.ndarray:
    """alt-profanity-check's probability per text (its linear model ships inside the package)."""
    from profanity_check import predict_prob

    if not texts:
        return np.zeros(0)
    return np.asarray(predict_prob(list(texts)), dtype=float)


#: The evidence kind (and reason) of a comment whose cues could not be read.
NOT_SCORED = "not scored"


def reason_text(evidence: dict[str, list[str]], model_prob: float, lead: tuple[str, ...] = ()) -> str:
    """The quoted evidence, gravest kind first; the kinds in ``lead`` (the cue that weighed most
    in the learned score) before all others."""
    if evidence.get(NOT_SCORED):
        return f"{NOT_SCORED} ({evidence[NOT_SCORED][0]})"
    order = [k for k in lead if k in evidence] + [k for k in REASON_ORDER if k not in lead]
    parts = [f"{kind}: {', '.join(evidence[kind])}" for kind in order if evidence.get(kind)]
    if model_prob >= 0.5:
        parts.append(f"profanity model {model_prob:.2f}")
    return "; ".join(parts)


def retarget(reason: str, target: str) -> str:
    """Name the parent's author in the reasons of a reply that addresses its reader."""
    return (reason.replace("insult aimed at a commenter", f"insult aimed at {target}")
            .replace("attack on a commenter", f"attack aimed at {target}")
            .replace("condescension:", f"condescension aimed at {target}:"))


class CueScorer:
    """The cue model: features from the lexicon, combined by the logistic weights of
    ``discourse/data/incivility_weights.json`` (fitted by ``python -m evaluation.toxicity_eval
    --write``), with floors that grave signals (threats, slurs, identity attacks) lift a score to."""

    def __init__(self, path: str | Path | None = None, weights_path: str | Path | None = None):
        self.lex = Lexicon(path)
        self.reader = CueReader(self.lex)
        self.weights = load_json("incivility_weights.json", path=weights_path)
        unknown = [n for n in self.weights.get("features", list(FEATURES)) if n not in FEATURES and n != "embedding"]
        if unknown:
            raise ValueError(f"incivility weights name unknown features: {unknown}")

    def _features(self, text: str):
        """The cue features of one text; one that cannot be read gets none and a reason, and the
        run goes on (one odd comment must not end the analysis of all the others)."""
        try:
            return self.reader.features(text)
        except Exception as exc:  # noqa: BLE001
            log.warning("incivility: a comment could not be scored (%s: %s); it gets no cue", type(exc).__name__, exc)
            values, _, flags = self.reader.features("")
            return values, {NOT_SCORED: [f"{type(exc).__name__}: {exc}"]}, flags

    def read(self, texts: list[str]):
        """Cue features (a frame, ``FEATURES`` columns), evidence and flags per text, and the
        profanity model's probabilities."""
        import pandas as pd

        found = [self._features(t) for t in texts]
        model_prob = profanity_model(texts)
        # Built column by column: a frame from 20,000 row dicts costs more than the scoring.
        frame = pd.DataFrame({f: [r[0][f] for r in found] for f in CUE_FEATURES})
        frame.insert(0, "profanity_model", logit(model_prob))
        return frame, [r[1] for r in found], [r[2] for r in found], model_prob

    def combine(self, frame) -> np.ndarray:
        w = self.weights
        names = w.get("features", list(FEATURES))
        missing = [f for f in names if f not in frame.columns]
        if missing:
            raise ValueError(f"incivility weights need features not computed: {missing} "
                             "(an 'embedding' weight needs use_embeddings=True)")
        x = frame[names].to_numpy(dtype=float)
        mean = np.asarray(w.get("mean", [0.0] * len(names)), dtype=float)
        scale = np.asarray(w.get("scale", [1.0] * len(names)), dtype=float)
        coef = np.asarray(w["coef"], dtype=float)
        z = ((x - mean) / np.where(scale == 0, 1.0, scale)) @ coef + float(w.get("intercept", 0.0))
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))

    def floored(self, prob: np.ndarray, flags: list[dict[str, bool]], key: str = "floors",
                signals: tuple[str, ...] | None = None) -> list[float]:
        """Each probability lifted to the floor of its gravest signal (the weights file's ``key``
        floors; only the flags named in ``signals`` when given)."""
        floors = self.weights.get(key, {})
        out = []
        for p, fl in zip(prob, flags):
            floor = max([float(floors.get(name, 0.0)) for name, on in fl.items()
                         if on and (signals is None or name in signals)] or [0.0])
            out.append(round(1.0 - (1.0 - float(p)) * (1.0 - floor), 4))
        return out

    @staticmethod
    def kind_strengths(frame, model_prob: np.ndarray) -> dict[str, np.ndarray]:
        """0-1 strengths of each kind of cue evidence (``insult`` counts attacks on the reader too)."""
        return {
            "profanity": np.round(np.maximum(_strength(frame["profanity"].to_numpy() * 2), model_prob), 4),
            "insult": np.round(_strength((frame["insult"] + frame["targeted"]).to_numpy() * 2), 4),
            "threat": np.round(_strength(frame["threat"].to_numpy() * 3), 4),
            "identity_attack": np.round(_strength(frame["identity_attack"].to_numpy() * 3), 4),
        }
