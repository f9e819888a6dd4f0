"""Train the incivility heads: toxic-or-not over sentence vectors and cue features, and the four kinds.

    python -m training.incivility [--write]

Data: ``training/incivility_data.py`` (Civil Comments toxic spans with their clean remainders,
Wikipedia talk comments, Davidson tweets; about 27,000 texts, seeded). Splits are by group (a
Civil Comments post and its clean remainder stay together): 70% fit, 10% calibration (Platt
scaling, and the choice of C), 20% test. The figures printed are on the test part; the SFU news
comments are not read here (``python -m evaluation.toxicity_eval`` scores them, never tuned on).

Written with ``--write`` (fitted on fit + calibration parts, calibrated on the calibration part):
``discourse/data/models/incivility.npz`` (vectors + cues), ``incivility_cues.npz`` (cues only,
for runs without the encoder), ``incivility_kinds.npz`` and ``incivility_kinds_cues.npz`` (insult / threat /
identity attack / obscene given toxic), ``incivility_spans.json`` (the span words) and a card ``incivility.md``.
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import date

import numpy as np

from discourse.analysis.incivility.lexicon import TOKEN
from discourse.analysis.incivility.scorer import FEATURES, CueScorer
from discourse.analysis.incivility.spans import SPAN_FEATURES, span_features
from discourse.heads import LinearHead
from evaluation.toxicity_eval import reliability
from training.common import MODELS, encode, fit_head, group_split
from training.incivility_data import KINDS, training_rows

SEED = 0
CS = (0.01, 0.03, 0.1, 0.3)
#: the cue features the heads read: not ``length``, because a clean remainder is by construction
#: shorter than the toxic post it comes from, so length would learn the construction, not toxicity
HEAD_FEATURES = tuple(f for f in FEATURES if f != "length")


def span_words(rows, smoothing: float = 3.0, min_uses: int = 4, keep_at: float = 0.2) -> dict[str, float]:
    """Word -> smoothed share of its uses inside spans at least half the annotators marked."""
    inside, total = Counter(), Counter()
    for text, spans, workers in zip(rows["text"], rows["spans"], rows["n_workers"]):
        if not isinstance(spans, list) or not workers:
            continue
        votes = np.zeros(len(text) + 1)
        for s, e, _ in spans:
            votes[max(0, s):max(0, min(e, len(text)))] += 1.0
        votes /= workers
        for m in TOKEN.finditer(text):
            word = m.group().lower().replace("\u2019", "'")
            total[word] += 1
            inside[word] += votes[m.start():m.end()].mean() >= 0.5
    prior = sum(inside.values()) / max(1, sum(total.values()))
    scores = {w: (inside[w] + smoothing * prior) / (n + smoothing) for w, n in total.items() if n >= min_uses}
    return {w: round(s, 4) for w, s in sorted(scores.items()) if s >= keep_at}


def cue_matrix(texts: list[str], words: dict[str, float]) -> np.ndarray:
    """The cue features (cached beside the vectors: they do not depend on the split) and the
    span-word features (they do: the span words are counted on the training part)."""
    import hashlib

    from training.common import SCRATCH

    digest = hashlib.sha1("\x00".join(texts).encode("utf-8", "surrogatepass")).hexdigest()[:12]
    file = SCRATCH / f"incivility-cues-{digest}.npy"
    if file.exists():
        cues = np.load(file, allow_pickle=False)
    else:
        cues = CueScorer().read(texts)[0][list(FEATURES)].to_numpy(dtype=float)
        SCRATCH.mkdir(parents=True, exist_ok=True)
        np.save(file, cues)
    spans = np.array([[span_features(t, words)[0][f] for f in SPAN_FEATURES] for t in texts])
    keep = [FEATURES.index(f) for f in HEAD_FEATURES]
    return np.hstack([cues[:, keep], spans])


def fit_weighted(X, y, names, C: float, sample_weight, seed: int = SEED, **meta) -> LinearHead:
    """``fit_head`` with a weight per row (no class weights: the sources are balanced instead)."""
    from sklearn.linear_model import LogisticRegression

    mean = X.mean(axis=0)
    scale = X.std(axis=0) + 1e-6
    model = LogisticRegression(C=C, max_iter=3000, random_state=seed)
    model.fit((X - mean) / scale, y, sample_weight=sample_weight)
    return LinearHead(coef=model.coef_, intercept=model.intercept_, classes=[str(c) for c in model.classes_],
                      feature_names=list(names), mean=mean, scale=scale,
                      meta=dict(meta, trained=date.today().isoformat()))


def platt(head: LinearHead, X: np.ndarray, y: np.ndarray, weight=None) -> LinearHead:
    """Fold a Platt scaling fitted on held-back rows into the head's coefficients."""
    from sklearn.linear_model import LogisticRegression

    s = head.scores(X)[:, :1]
    lr = LogisticRegression(C=1e4, max_iter=1000).fit(s, y, sample_weight=weight)
    a, b = float(lr.coef_[0, 0]), float(lr.intercept_[0])
    head.coef = head.coef * a
    head.intercept = head.intercept * a + b
    return head


def source_weights(sources) -> np.ndarray:
    """Each source weighs the same in total, however many rows it has."""
    counts = Counter(sources)
    return np.array([len(sources) / (len(counts) * counts[s]) for s in sources])


def fit_overall(X, y, w, fit, cal, names, seed=SEED):
    """The overall head with C chosen by calibration-part AP, then Platt-calibrated on that part."""
    from sklearn.metrics import average_precision_score

    best = None
    for c in CS:
        head = fit_weighted(X[fit], y[fit], names, C=c, sample_weight=w[fit], seed=seed)
        ap = average_precision_score(y[cal], head.scores(X[cal])[:, 0], sample_weight=w[cal])
        print(f"  C={c}: calibration-part AP {ap:.3f}")
        if best is None or ap > best[0]:
            best = (ap, c)
    head = fit_weighted(X[fit], y[fit], names, C=best[1], sample_weight=w[fit], seed=seed)
    return platt(head, X[cal], y[cal]), best[1]


def kind_labels(rows) -> dict[str, np.ndarray]:
    """Per kind, 1/0 where a toxic row says (fraction of annotators >= 0.5), NaN elsewhere."""
    out = {}
    toxic = rows["label"].to_numpy() == 1
    for kind in KINDS:
        v = rows[kind].to_numpy(dtype=float)
        out[kind] = np.where(toxic & ~np.isnan(v), (v >= 0.5).astype(float), np.nan)
    return out


def direction(vectors: np.ndarray, rows, mask) -> np.ndarray:
    """The unit mean of (toxic post - its clean remainder) over the Civil Comments pairs in ``mask``:
    topic and source cancel within a pair, so what is left is the toxic part."""
    src, y, groups = rows["source"].to_numpy(), rows["label"].to_numpy(), rows["group"].to_numpy()
    civil = mask & np.isin(src, ["civil_comments", "civil_comments_clean"])
    toxic = {g: i for i, g in zip(np.flatnonzero(civil & (y == 1)), groups[civil & (y == 1)])}
    diffs = [vectors[toxic[g]] - vectors[i] for i, g in zip(np.flatnonzero(civil & (y == 0)), groups[civil & (y == 0)])
             if g in toxic]
    d = np.mean(diffs, axis=0)
    return d / np.linalg.norm(d)


def fold_direction(head: LinearHead, d: np.ndarray) -> LinearHead:
    """A head whose first feature is ``v . d``, rewritten over the vector's dimensions (``emb_*``,
    unstandardised) and the other features: the same scores, and the run passes plain vectors."""
    c, m, s = head.coef[:, :1], float(head.mean[0]), float(head.scale[0])
    return LinearHead(coef=np.hstack([c * d[None, :] / s, head.coef[:, 1:]]),
                      intercept=head.intercept - c[:, 0] * m / s, classes=head.classes,
                      feature_names=[f"emb_{i}" for i in range(len(d))] + list(head.feature_names[1:]),
                      mean=np.concatenate([np.zeros(len(d)), head.mean[1:]]),
                      scale=np.concatenate([np.ones(len(d)), head.scale[1:]]),
                      meta=dict(head.meta, vector_part="toxic direction (training/incivility.py: direction)"))


def features(rows, vectors, mask):
    """The head inputs with span words and the toxic direction taken from the rows in ``mask``:
    (X, names, d); without vectors, no direction column."""
    texts = rows["text"].tolist()
    cues = cue_matrix(texts, span_words(rows[mask]))
    names = list(HEAD_FEATURES) + list(SPAN_FEATURES)
    if vectors is None:
        return cues, names, None
    d = direction(vectors, rows, mask)
    return np.hstack([(vectors @ d)[:, None], cues]), ["toxic_direction"] + names, d


def news_rows(rows) -> np.ndarray:
    """The Civil Comments news comments: where the kinds are calibrated, since news comments are what
    the project reads (Davidson's hate tweets teach identity attacks, but calibrated on them too, a
    news comment that names a group reads as one far too often)."""
    return rows["source"].to_numpy() == "civil_comments"


def kind_heads(X, kinds, mask, names, cal=None) -> LinearHead:
    """One logistic head per kind (given toxic), stacked as the rows of one multi-label head.

    Each is fitted with balanced class weights (threats are 2% of toxic posts), which ranks well but
    says "threat" with probability 0.3 of any toxic post; so each row is then Platt-scaled on the
    held-back rows in ``cal`` (the toxic ones that say whether they are of that kind), and
    P(kind | toxic) is a probability that triage can weigh (``calibrated`` in the meta). ``base_rates``
    (each kind's share of the toxic rows it is calibrated on) lets a comment's kind be named by how
    far it rises above its kind's usual share, not by the commonest kind."""
    heads, base = [], {}
    for kind in KINDS:
        have = mask & ~np.isnan(kinds[kind])
        head = fit_head(X[have], kinds[kind][have].astype(int), names, C=0.03, seed=SEED)
        if cal is not None:
            held = cal & ~np.isnan(kinds[kind])
            head = platt(head, X[held], kinds[kind][held].astype(int))
            have = held
        heads.append(head)
        base[kind] = round(float(kinds[kind][have].mean()), 4)
    return LinearHead(coef=np.vstack([h.coef for h in heads]), intercept=np.concatenate([h.intercept for h in heads]),
                      classes=list(KINDS), feature_names=names, mean=heads[0].mean, scale=heads[0].scale,
                      meta={"multi_label": True, "calibrated": cal is not None, "base_rates": base, **heads[0].meta})


def evaluate(rows, vectors, w, kinds, fit, cal, test) -> dict:
    """Held-out and leave-one-source-out figures of each variant (SFU is not read here)."""
    from sklearn.metrics import average_precision_score, brier_score_loss

    y, src = rows["label"].to_numpy(), rows["source"].to_numpy()
    X, names, _ = features(rows, vectors, fit)
    pair = test & rows["source"].str.startswith("civil").to_numpy()
    report = {}
    first = 0 if vectors is None else 1
    for label, cols in (("direction+cues", slice(None)), ("cues only", slice(first, None)))[1 - first:]:
        head, c = fit_overall(X[:, cols], y, w, fit, cal, names[cols])
        p = head.predict_proba(X[test][:, cols])[:, 1]
        r = report[label] = {"C": c, "AP": average_precision_score(y[test], p, sample_weight=w[test]),
                             "brier": brier_score_loss(y[test], p), "reliability": reliability(p, y[test]),
                             "AP news pairs": average_precision_score(y[pair], head.predict_proba(X[pair][:, cols])[:, 1])}
        kh = kind_heads(X[:, cols], kinds, fit, names[cols], cal=cal & news_rows(rows))
        for i, kind in enumerate(KINDS):
            held = test & ~np.isnan(kinds[kind])
            s = kh.scores(X[held][:, cols])[:, i]
            r[f"kind {kind}"] = {"AP": average_precision_score(kinds[kind][held], s),
                                 "positives": int(kinds[kind][held].sum()), "rows": int(held.sum()),
                                 "mean predicted": float(np.mean(1.0 / (1.0 + np.exp(-s))))}
        for held_source in ("wikipedia", "davidson"):
            other = src != held_source
            Xo = features(rows, vectors, other)[0][:, cols]
            h = fit_weighted(Xo[other], y[other], names[cols], C=c, sample_weight=w[other])
            r[f"unseen {held_source}"] = average_precision_score(y[~other], h.scores(Xo[~other])[:, 0])
    old = CueScorer()
    frame, _, flags, _ = old.read([rows["text"].iloc[i] for i in np.flatnonzero(test)])
    base = np.array(old.floored(old.combine(frame), flags))
    report["baseline"] = {"AP": average_precision_score(y[test], base, sample_weight=w[test]),
                          "AP news pairs": average_precision_score(y[pair], base[pair[test]])}
    return report


def split(rows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The fit, calibration and test masks (70 / 10 / 20% of posts, seeded; a Civil Comments post
    and its clean remainder on one side)."""
    groups = rows["group"].to_numpy()
    test = group_split(groups, 0.2, seed=SEED)
    cal = ~test & group_split(groups, 0.125, seed=SEED + 1)
    return ~test & ~cal, cal, test


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="write the heads into discourse/data/models")
    ap.add_argument("--no-vectors", action="store_true", help="the cue-only heads alone (no encoder)")
    args = ap.parse_args(argv)
    rows = training_rows(SEED)
    fit, cal, test = split(rows)
    vectors = None if args.no_vectors else encode(rows["text"].tolist(), "incivility-train")
    w = source_weights(rows["source"].tolist())
    kinds = kind_labels(rows)
    print(f"rows {len(rows)}: fit {fit.sum()}, calibration {cal.sum()}, test {test.sum()} (split by post)")
    report = evaluate(rows, vectors, w, kinds, fit, cal, test)
    print(json.dumps(report, indent=1, default=float))
    if args.write:
        write_all(rows, vectors, w, kinds, test, report)
    return 0


def write_all(rows, vectors, w, kinds, test, report) -> None:
    """Refit on fit + calibration parts with the chosen C, calibrate on a fresh calibration part,
    and write every file with the card."""
    y = rows["label"].to_numpy()
    train = ~test
    cal = train & group_split(rows["group"].to_numpy(), 0.1, seed=SEED + 2)
    fit = train & ~cal
    X, names, d = features(rows, vectors, train)
    words = span_words(rows[train])
    MODELS.mkdir(parents=True, exist_ok=True)
    (MODELS / "incivility_spans.json").write_text(json.dumps(
        {"about": "word -> smoothed share of its uses inside toxic spans (Civil Comments toxic spans, "
                  "training part); written by python -m training.incivility", "words": words},
        indent=0, sort_keys=True) + "\n", encoding="utf-8")
    first = 0 if d is None else 1
    for label, cols, suffix in (("direction+cues", slice(None), ""), ("cues only", slice(first, None), "_cues"))[1 - first:]:
        head = fit_weighted(X[fit][:, cols], y[fit], names[cols], C=report[label]["C"], sample_weight=w[fit],
                            classes_meaning="0 civil, 1 toxic")
        head = platt(head, X[cal][:, cols], y[cal])
        kinds_head = kind_heads(X[:, cols], kinds, fit, names[cols], cal=cal & news_rows(rows))
        if suffix == "":
            head, kinds_head = fold_direction(head, d), fold_direction(kinds_head, d)
        head.save(MODELS / f"incivility{suffix}.npz")
        kinds_head.save(MODELS / f"incivility_kinds{suffix}.npz")
    (MODELS / "incivility.md").write_text(card(report).strip() + "\n", encoding="utf-8")


def card(report) -> str:
    r = report
    models = [k for k in ("direction+cues", "cues only") if k in r]
    table = "\n".join(f"| {k} | {r[k]['AP']:.3f} | {r[k]['AP news pairs']:.3f} | {r[k]['brier']:.3f} | "
                      f"{r[k]['unseen wikipedia']:.3f} / {r[k]['unseen davidson']:.3f} |" for k in models)
    first = r[models[0]]
    lines = "\n".join(f"| {lo} | {n} | {p:.3f} | {o:.3f} |" for lo, n, p, o in first["reliability"])
    kinds = "\n".join(f"| {k} | {first[f'kind {k}']['AP']:.3f} | {first[f'kind {k}']['positives']} of "
                      f"{first[f'kind {k}']['rows']} | {first[f'kind {k}']['mean predicted']:.3f} | "
                      f"{first[f'kind {k}']['positives'] / first[f'kind {k}']['rows']:.3f} |" for k in KINDS)
    return f"""
# Incivility heads

Files: `incivility.npz` (the comment's sentence vector from the shared MiniLM encoder, read along one
direction: the mean of toxic post minus its clean remainder over the Civil Comments pairs, folded into
the coefficients of the 384 dimensions; + {len(HEAD_FEATURES)} cue features (not the length: see HEAD_FEATURES
in training/incivility.py) + 2 span-word features -> toxic), `incivility_cues.npz` (the same without the vectors, for runs without the
encoder), `incivility_kinds.npz` and `incivility_kinds_cues.npz` (insult / threat / identity attack /
obscene, each given toxic; one logistic head per row, read as independent sigmoids),
`incivility_spans.json` (span words). Retrain: `python -m training.incivility --write` (seeded,
deterministic given the cached vectors). Trained {date.today().isoformat()}.

## Training data (../shared/data/toxicity; not shipped)
- Civil Comments toxic spans (CC0): 9,000 toxic news comments (every threat / identity / obscene post kept),
  and the sentences no annotator marked, joined, as in-domain civil texts paired with them (same split group).
- Wikipedia talk comments, CAT-LARGE (Apache-2.0): the 210 toxic and 5,000 civil ones.
- Davidson hate / offensive tweets (MIT): all hate and "neither", 3,000 offensive.
Each source weighs the same in total. Split by post: 70% fit, 10% calibration (C chosen on it; Platt
scaling folded into the coefficients), 20% test; the shipped heads are refitted on fit + calibration parts.

## Held-out figures (test part, 20% of posts, never fitted or tuned on)
| model | AP (sources weighted equally) | AP, Civil Comments toxic vs its clean remainder | Brier | AP on a source left out of training: Wikipedia / Davidson |
|---|---|---|---|---|
{table}
| baseline: the previous hand-set cue score | {r['baseline']['AP']:.3f} | {r['baseline']['AP news pairs']:.3f} | | |

Why one direction and not the 384 dimensions as free features: a head over all dimensions fitted the
held-out part slightly better (AP 0.925) but carried worse to a source left out of training
(Wikipedia 0.376, Davidson 0.932) and to the SFU news comments (AP 0.340, P@20 0.500): it learns each
source's style. Read along the paired toxic direction, one number per comment, the vector carries
little of a source's style. (Said plainly: that SFU figure and the cue-only one had been seen before
the direction was tried; the choice rests on the left-out-source figures above, which agree.)

At run time, threats, slurs, identity attacks and attacks on the person answered (condescension,
insults aimed at "you"), which the training data holds too rarely to weigh, lift the probability to
a hand-set floor (`head_floors` in `discourse/data/incivility_weights.json`).

Reliability of the `{models[0]}` head on the test part (mean predicted vs observed toxic share):

| predicted | rows | mean predicted | observed |
|---|---|---|---|
{lines}

Kinds given toxic (`{models[0]}`) on the test part: average precision, and the mean predicted
P(kind | toxic) beside the observed share. Each kind head is fitted with balanced class weights, then
Platt-scaled on the news comments (Civil Comments) of the calibration part (before that, any toxic post read as a threat with probability
0.32 against an observed 0.017, and triage could not weigh the kinds):

| kind | AP | positives | mean predicted | observed share |
|---|---|---|---|---|
{kinds}

A comment's `incivility_kind` is the kind that stands highest above its share of toxic training
comments (`base_rates` in the kinds heads' meta): insults are half of all toxic posts, so a swear
word alone reads as `obscene`, not as the commonest kind. Triage weighs the kinds (an attack on a
person or group before toxicity aimed at no one: `incivility_untargeted` in
`discourse/data/scoring.toml`); its held-out figures: `python -m evaluation.toxicity_eval --triage`.

Cross-dataset (SFU news comments, crowd-rated; never fitted or tuned on): `python -m evaluation.toxicity_eval`.

## Licence notes
Weights derived from CC0, Apache-2.0 and MIT data; the encoder is all-MiniLM-L6-v2 (Apache-2.0).
"""


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
