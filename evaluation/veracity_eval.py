"""Does the thread ``disinfo_risk`` rank false rumours above true ones? ROC AUC on RumourEval.

Data: ``<data>/rumoureval2017-traindev`` (297 Twitter rumour threads with veracity labels: true,
false, unverified). Only true and false threads are scored. The reply-stance model was trained on
these threads except a held-out split of whole threads, so the figure that means something is the
one on the held-out threads (``--split dev``, the default); ``--split all`` is printed for scale.

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

from evaluation.gold import DEFAULT_DATA_DIR, RUMOUREVAL_DIR, load_rumoureval
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="the shared data folder")
    ap.add_argument("--split", choices=("dev", "all"), default="dev")
    ap.add_argument("--fast", action="store_true", help="no sentence embeddings")
    args = ap.parse_args(argv)
    folder = args.data / RUMOUREVAL_DIR
    if not folder.is_dir():
        print(f"skipped: {folder} not found (the evaluation needs ../shared/data)")
        return 0
    from discourse.analysis.pipeline import Analyzer

    labels = load_labels(folder)
    threads = [t for t in load_rumoureval(folder) if labels.get(t.thread_id) in ("true", "false")]
    if args.split == "dev":
        dev = dev_thread_ids(args.data)
        if dev is not None:
            threads = [t for t in threads if t.thread_id in dev]
    y = [labels[t.thread_id] == "false" for t in threads]
    print(f"RumourEval threads scored: {len(threads)} ({sum(y)} false, {len(y) - sum(y)} true; split {args.split})")
    print(f"{'representation':<16}{'signal':<34}{'ROC AUC':>8}")
    for name, shaped in (("article", threads), ("first-comment", [as_first_comment(t) for t in threads])):
        result = Analyzer(stages=STAGES, use_embeddings=not args.fast, quiet=True).run(shaped)
        table = result["threads"].set_index("thread_id").loc[[t.thread_id for t in shaped]]
        comments = result["comments"]
        deny = comments.assign(d=comments.stance == "deny").groupby("thread_id")["d"].mean().to_dict()
        signals = {
            "disinfo_risk (combined)": table["disinfo_risk"].fillna(0),
            "replies push back (contested)": table["contested"].fillna(0),
            "negation share of replies": table["negation_share"].fillna(0),
            "spread of reply times": table["reply_time_spread"].fillna(0),
            "mean deny probability of replies": table["deny_level"].fillna(0),
            "deny+query share of replies": table["deny_query_share"].fillna(0),
            "article/claim risk alone": table["article_disinfo_risk"].fillna(0),
            "deny share of replies": [deny.get(t.thread_id, 0.0) for t in shaped],
        }
        for sig, values in signals.items():
            if len(values) != len(y):
                continue
            print(f"{name:<16}{sig:<34}{roc_auc(values, y):>8.3f}")
    print("baseline: random ranking 0.500")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
