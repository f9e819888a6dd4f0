"""Train the narrative gates (which war narrative a sentence, and an article, may carry) and set
their thresholds on held-back SemEval-2025 documents; measure the matcher with and without them.

    python -m training.narratives [--no-write]

Data (research use): SemEval-2025 Task 10 English training release, the 223 Ukraine-war
documents (labels per document; "Other" = no narrative). Split by document: a quarter is the test
(never used to fit or tune), a fifth of the rest tunes the thresholds, the remainder fits.

The gate is a linear head over a sentence's MiniLM vector, one binary model per narrative of the
packaged ``russia_ukraine`` catalogue, fit on every sentence of a document labelled with the
narrative against the sentences of documents without it (documents are labelled, sentences are
not: the gate learns what the narrative's documents say that the others do not). The matcher
reports a catalogue match only when the gate's probability for its narrative reaches the threshold
chosen on the tuning documents, with at most 1% of their "Other" sentences matched. An article gate
(the same over an article's mean sentence vector) then keeps an article's matches only for the
narratives the whole article may carry; its threshold also has to leave the no-technique sentences
of 60 PTC news articles (not the 60 of the test) without any match.

Scored per document (a narrative is found when any sentence matches it): precision / recall on the
test documents, and the share of neutral sentences matched: sentences of the test documents
labelled "Other", and PTC news sentences with no persuasion technique (never tuned on).
"""
from __future__ import annotations

import argparse
from datetime import date

import numpy as np

from discourse.heads import LinearHead
from discourse.text import sentence_spans

from .common import group_split, write_head
from .news_data import VectorStore, ptc_sentences, semeval25_documents

SEED = 23
C = 0.1
MAX_NEUTRAL = 0.01  # of the tuning documents' "Other" sentences (in the domain, not all neutral)
GATES = np.round(np.arange(0.30, 0.96, 0.025), 3)


class StoreEncoder:
    """An ``encode`` over the cached vectors, so the matcher reads what training read."""

    def __init__(self, store: VectorStore):
        self.store = store

    def encode(self, texts):
        return self.store.get(list(texts))


def documents():
    docs = [d for d in semeval25_documents() if d["domain"] == "UA"]
    for d in docs:
        d["narratives"] = [n.split(": ", 1)[1] for n in d["narratives"] if n.startswith("URW: ")]
        d["sentences"] = [d["text"][a:b] for a, b in sentence_spans(d["text"])]
    return docs


def fit_binary(X: np.ndarray, labels: list[set], classes: list[str], min_positive: int) -> LinearHead:
    """One class-balanced binary logistic regression per class over standardised ``X``; a class
    with fewer than ``min_positive`` positive rows never fires."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = X.mean(axis=0), X.std(axis=0) + 1e-6
    Z = (X - mean) / scale
    coef = np.zeros((len(classes), X.shape[1]), np.float32)
    intercept = np.full(len(classes), -20.0, np.float32)
    for k, c in enumerate(classes):
        y = np.array([c in s for s in labels])
        if y.sum() < min_positive:
            continue
        m = LogisticRegression(C=C, max_iter=3000, class_weight="balanced", random_state=SEED)
        m.fit(Z, y)
        coef[k], intercept[k] = m.coef_[0], m.intercept_[0]
    return LinearHead(coef=coef, intercept=intercept, classes=list(classes),
                      feature_names=[f"emb_{i}" for i in range(X.shape[1])], mean=mean, scale=scale)


def fit_gate(docs, store, classes, mask) -> LinearHead:
    """The sentence gate: every sentence of a fit document carries the document's narratives."""
    X = np.vstack([store.get(d["sentences"]) for d, m in zip(docs, mask) if m])
    labels = [set(d["narratives"]) for d, m in zip(docs, mask) if m for _ in d["sentences"]]
    return fit_binary(X, labels, classes, 5)


def fit_document_gate(docs, store, classes, mask) -> LinearHead:
    """The document gate: one binary model per narrative over a document's mean sentence vector."""
    X = np.vstack([store.get(d["sentences"]).mean(axis=0) for d, m in zip(docs, mask) if m])
    return fit_binary(X, [set(d["narratives"]) for d, m in zip(docs, mask) if m], classes, 3)


def matches(matcher, sentences: list[str]) -> list[set[str]]:
    """Narratives matched per sentence of one article."""
    return [{f["narrative"] for f in found} for found in matcher.score_document(sentences)]


def neutral_articles(n: int = 60, part: str = "test") -> list[list[str]]:
    """PTC articles cut to their sentences with no persuasion technique (neutral news prose): ``n``
    for ``test`` and another ``n`` for ``tune``, never the same article."""
    by_doc: dict[str, list[str]] = {}
    for s in ptc_sentences():
        if not s.labels and len(s.text.split()) >= 6:
            by_doc.setdefault(s.doc, []).append(s.text)
    ids = sorted(by_doc)
    pick = np.random.default_rng(SEED).choice(len(ids), 2 * n, replace=False)
    pick = pick[:n] if part == "test" else pick[n:]
    return [by_doc[ids[i]] for i in pick]


def tune_threshold(make, tune_docs, neutral=()) -> tuple[float, float]:
    """(F1, threshold) with the best per-document F1 on ``tune_docs`` among the thresholds that
    match at most MAX_NEUTRAL of their "Other" sentences and nothing in the ``neutral`` news
    articles; ``make(t)`` builds the matcher."""
    best = (-1.0, 1.01)
    for t in GATES:
        m = make(float(t))
        g, p, hit, total = doc_scores(m, tune_docs)
        f1 = prf(g, p)[2]
        if hit > MAX_NEUTRAL * max(total, 1) or f1 <= best[0]:
            continue
        if not any(f for art in neutral for f in matches(m, art)):
            best = (f1, float(t))
    return best


def doc_scores(matcher, docs) -> tuple[list[set], list[set], int, int]:
    """(gold, predicted) narratives per document, and matched / all sentences of "Other" documents."""
    gold, pred, hit, total = [], [], 0, 0
    for d in docs:
        found = matches(matcher, d["sentences"])
        gold.append(set(d["narratives"]))
        pred.append(set().union(*found) if found else set())
        if not d["narratives"]:
            hit += sum(1 for f in found if f)
            total += len(found)
    return gold, pred, hit, total


def prf(gold, pred):
    tp = sum(len(g & p) for g, p in zip(gold, pred))
    n_p, n_g = sum(map(len, pred)), sum(map(len, gold))
    p = tp / n_p if n_p else 0.0
    r = tp / n_g if n_g else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main(argv=None) -> None:
    from discourse.analysis.narratives import NarrativeMatcher

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    store = VectorStore()
    enc = StoreEncoder(store)
    docs = documents()
    matcher = NarrativeMatcher(embedder=enc, gate=False, document_gate=False)
    classes = [n["narrative"] for n in matcher.catalogue["narratives"]]
    test = group_split([d["doc_id"] for d in docs], 0.25, seed=SEED)
    rest = np.flatnonzero(~test)
    tune = np.zeros(len(docs), bool)
    tune[np.random.default_rng(SEED).choice(rest, size=len(rest) // 5, replace=False)] = True
    gate = fit_gate(docs, store, classes, ~test & ~tune)
    doc_gate = fit_document_gate(docs, store, classes, ~test & ~tune)
    tune_docs = [d for d, t in zip(docs, tune) if t]
    tune_neutral = neutral_articles(part="tune")
    f1, threshold = tune_threshold(
        lambda t: NarrativeMatcher(embedder=enc, gate=(gate, t), document_gate=False), tune_docs)
    print(f"sentence gate threshold {threshold} (tuning documents F1 {f1:.3f})")
    f1, doc_threshold = tune_threshold(
        lambda t: NarrativeMatcher(embedder=enc, gate=(gate, threshold), document_gate=(doc_gate, t)), tune_docs,
        tune_neutral)
    print(f"document gate threshold {doc_threshold} (tuning documents F1 {f1:.3f})")

    test_docs = [d for d, t in zip(docs, test) if t]
    neutral = neutral_articles()
    n_neutral = sum(map(len, neutral))
    lines = []
    for name, m in (("catalogue matcher (before)", matcher),
                    ("+ learned sentence gate", NarrativeMatcher(embedder=enc, gate=(gate, threshold),
                                                                 document_gate=False)),
                    ("+ sentence and article gates (shipped)",
                     NarrativeMatcher(embedder=enc, gate=(gate, threshold), document_gate=(doc_gate, doc_threshold)))):
        g, p, hit, total = doc_scores(m, test_docs)
        pr = prf(g, p)
        ptc_hit = sum(1 for art in neutral for f in matches(m, art) if f)
        lines.append(f"| {name} | {pr[0]:.3f} / {pr[1]:.3f} / {pr[2]:.3f} | {hit}/{total} ({hit / max(total, 1):.3f}) "
                     f"| {ptc_hit}/{n_neutral} ({ptc_hit / n_neutral:.3f}) |")
    n_pos = sum(1 for d in test_docs if d["narratives"])
    header = [f"Test: {len(test_docs)} Ukraine-war documents ({n_pos} with a narrative), never fit or tuned on.",
              "| matcher | per-document P / R / F1 (narratives) | sentences of the test \"Other\" documents matched "
              "| PTC news sentences without a technique (60 articles) matched |", "|---|---|---|---|"]
    print("\n".join(header + lines))
    if args.no_write:
        return
    card = CARD.format(date=date.today().isoformat(), C=C, threshold=threshold, doc_threshold=doc_threshold,
                       table="\n".join(header + lines))
    for head, name, t, what in ((gate, "narratives", threshold, "sentence vector"),
                                (doc_gate, "narratives_documents", doc_threshold, "mean sentence vector of an article")):
        head.meta.update(trained=date.today().isoformat(), threshold=t, input=what, domain="russia_ukraine",
                         trained_on="SemEval-2025 Task 10 EN, Ukraine-war documents (fit split)")
        write_head(head, name, card)
    print("wrote discourse/data/models/narratives.npz")


CARD = """
# narratives: the learned gate of the narrative matcher

One binary logistic-regression model per narrative of the `russia_ukraine` catalogue
(class-balanced, C={C}) over a sentence's MiniLM vector. The catalogue matcher (cue terms and
similarity to the catalogue's example phrasings, `discourse/data/narratives/russia_ukraine.json`)
proposes a sub-narrative for a sentence; the match stands only when the gate's probability for its
narrative reaches {threshold} and, in an article, when the document gate (the same kind of model over
the article's mean sentence vector, `narratives_documents.npz`) gives the narrative at least
{doc_threshold} for the article as a whole. Each threshold has the best per-document F1 on held-back
tuning documents among those that match at most 1% of their "Other" (no-narrative) sentences; the
article gate's must also leave the no-technique sentences of 60 PTC news articles (other articles
than the test's below) without any match: neutral news prose matches nothing. Comments keep the
sentence gate only (the document gate learned articles). A match says why: the cues, the nearest
catalogue example, and both probabilities.

- Trained: {date}, `python -m training.narratives` (seeded, deterministic).
- Training data: SemEval-2025 Task 10 English training release, Ukraine-war documents (labels per
  document). Research use only (task organisers; no licence file upstream); the weights derive from
  it: research use; cite the task paper. Documents are labelled, sentences are not: the gate learns
  what sentences of a narrative's documents share that other documents' do not.

## Held-out figures

{table}
"""

if __name__ == "__main__":
    main()
