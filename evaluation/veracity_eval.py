"""Does the thread ``disinfo_risk`` rank false rumours above true ones? ROC AUC on RumourEval.

Data: ``<data>/rumoureval2017-traindev`` (297 Twitter rumour threads with veracity labels: true,
false, unverified). Only true and false threads are scored. The thread veracity head
(``training/veracity.py``) is fitted here leave-one-event-out: each event's threads are scored by a
head fitted on the other events (events as ``training.veracity.events`` finds them), so the
``disinfo_risk`` figure is held out by event. The stance columns come from the reply-stance model,
which was trained on these threads except a held-out split (``--split dev`` scores only those).

Two ways a user might bring such a thread: the source post as the article with the replies as
comments (``article``), or the source post as the first comment of a thread without article text
(``first-comment``). Both are scored. Beside the combined score, each signal is scored alone.

Run as ``python -m evaluation.veracity_eval [--data DIR] [--split dev|all] [--fast]``.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from evaluation.gold import DEFAULT_DATA_DIR, RUMOUREVAL_DIR
from discourse.model import Article, Comment, Thread

STAGES = ("embeddings", "stance", "narratives", "claims", "coordination", "disinfo", "threads")


def roc_auc(scores, labels) -> float:
    """Probability that a random positive outranks a random negative (ties count half)."""
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels, dtype=bool)
    pos, neg = scores[labels], scores[~labels]
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(pos) * len(neg)))


def as_first_comment(thread: Thread) -> Thread:
    """The same conversation with the source post as the first comment and no article text."""
    source = Comment(comment_id="source", text=thread.article.text, author="source", position=-1,
                     timestamp=thread.article.published)
    comments = [source] + [Comment(comment_id=c.comment_id, text=c.text, author=c.author,
                                   parent_id=c.parent_id or "source", position=c.position, link=c.link,
                                   timestamp=c.timestamp)
                           for c in thread.comments]
    return Thread(thread_id=thread.thread_id, source=thread.source,
                  article=Article(outlet=thread.article.outlet, published=thread.article.published), comments=comments)


def load_labels(folder: Path) -> dict[str, str]:
    names = {v: k for k, v in json.loads((folder / "rumorCategory.json").read_text()).items()}
    ids = (folder / "thread_id.txt").read_text().split()
    labels = (folder / "thread_label.txt").read_text().split()
    return {i: names[int(label)] for i, label in zip(ids, labels)}


def dev_thread_ids(data_dir: Path) -> set[str] | None:
    """The threads the reply-stance model never saw in training (its held-out split)."""
    try:
        from evaluation.stance_eval import load_examples, split_threads
    except ImportError:
        return None
    examples = load_examples(data_dir)
    _, dev_idx = split_threads(examples)
    return {examples[i].thread_id for i in dev_idx}


def out_of_event_risk(result, shaped, labels, event_of, head_features) -> np.ndarray:
    """``disinfo_risk`` per thread with a veracity head fitted on the other events only (the rest of
    the run's tables as they are): every thread is scored by a model that never saw its event."""
    import pandas as pd

    from discourse.analysis.disinfo import VERACITY_FEATURES, DisinfoRisk
    from discourse.analysis.units import article_texts
    from training.common import fit_head

    comments, table = result["comments"], result["threads"].set_index("thread_id")
    articles = article_texts(shaped)
    unit_risk = pd.concat([comments[["thread_id", "comment_id", "disinfo_risk", "disinfo_reasons"]],
                           pd.DataFrame({"thread_id": list(articles), "comment_id": "",
                                         "disinfo_risk": [float(table["article_disinfo_risk"].get(t, 0) or 0)
                                                          for t in articles],
                                         "disinfo_reasons": "article"})])
    published = {t.thread_id: t.article.published or "" for t in shaped}
    ids = [t.thread_id for t in shaped]
    y = np.array([labels[i] == "false" for i in ids])
    X = np.array([[head_features[i][f] for f in VERACITY_FEATURES] for i in ids])
    ev = np.array([event_of[i] for i in ids])
    risk = np.zeros(len(ids))
    for e in np.unique(ev):
        held = ev == e
        head = fit_head(X[~held], y[~held].astype(int).astype(str), list(VERACITY_FEATURES), C=0.1, seed=0)
        scored = DisinfoRisk(veracity=head).threads(unit_risk, comments, articles, published=published)
        by_id = dict(zip(scored["thread_id"], scored["disinfo_risk"]))
        risk[held] = [by_id.get(i, 0.0) for i in np.array(ids)[held]]
    return risk


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="the shared data folder")
    ap.add_argument("--split", choices=("dev", "all"), default="all")
    ap.add_argument("--fast", action="store_true", help="no sentence embeddings")
    args = ap.parse_args(argv)
    folder = args.data / RUMOUREVAL_DIR
    if not folder.is_dir():
        print(f"skipped: {folder} not found (the evaluation needs ../shared/data)")
        return 0
    from discourse.analysis.pipeline import Analyzer
    from training import veracity

    labels = load_labels(folder)
    threads, X, _, ev = veracity.load(folder)
    event_of = dict(zip([t.thread_id for t in threads], ev.tolist()))
    from discourse.analysis.disinfo import VERACITY_FEATURES

    head_features = {t.thread_id: dict(zip(VERACITY_FEATURES, x)) for t, x in zip(threads, X)}
    if args.split == "dev":
        dev = dev_thread_ids(args.data)
        if dev is not None:
            threads = [t for t in threads if t.thread_id in dev]
    y = [labels[t.thread_id] == "false" for t in threads]
    print(f"RumourEval threads scored: {len(threads)} ({sum(y)} false, {len(y) - sum(y)} true; split {args.split}); "
          f"disinfo_risk with a veracity head fitted on the other events (leave one event out)")
    print(f"{'representation':<16}{'signal':<40}{'ROC AUC':>8}")
    for name, shaped in (("article", threads), ("first-comment", [as_first_comment(t) for t in threads])):
        result = Analyzer(stages=STAGES, use_embeddings=not args.fast, quiet=True).run(shaped)
        table = result["threads"].set_index("thread_id").loc[[t.thread_id for t in shaped]]
        comments = result["comments"]
        deny = comments.assign(d=comments.stance == "deny").groupby("thread_id")["d"].mean().to_dict()
        signals = {
            "disinfo_risk (combined, out of event)": out_of_event_risk(result, shaped, labels, event_of, head_features),
            "baseline: negation share of replies": table["negation_share"].fillna(0),
            "baseline: spread of reply times": table["reply_time_spread"].fillna(0),
            "baseline: mean deny probability": table["deny_level"].fillna(0),
            "baseline: deny+query share": table["deny_query_share"].fillna(0),
            "baseline: deny share of replies": [deny.get(t.thread_id, 0.0) for t in shaped],
            "article/claim risk alone": table["article_disinfo_risk"].fillna(0),
        }
        for sig, values in signals.items():
            print(f"{name:<16}{sig:<40}{roc_auc(values, y):>8.3f}")
    print("baseline: random ranking 0.500")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
