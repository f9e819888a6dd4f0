"""Fit the reply-linking weights (``discourse/data/reply_linking.json``) on gold reply trees.

Each gold thread is laid out as pages would show it (chronological and nested order; reply
headers on every reply, on about half, or on none), the linker's own feature code turns every
comment into a choice among candidate parents (the article included where there is no header),
and a conditional logit (softmax over the candidates, L2-penalised) is fitted by L-BFGS. Dynamic
features (a candidate's depth, whether it answered this author) take their gold values.

The weights are fitted on the training part of the Reddit threads (``--train reddit``, the
default; see :func:`evaluation.gold.reddit_split`), so the Globe and Mail thread, RumourEval and
the held-out Reddit threads stay unseen for ``python -m evaluation.parse_eval``. Cross-validated
accuracy is printed per data set (folds by thread, and by top-level sub-thread for a data set of
one thread) before the final fit on everything. ``--write`` saves the weights. Seeded: the same
data give the same weights.

    python -m evaluation.train_linker --data ../shared/data --limit 120 --write
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from discourse.model import Thread
from discourse.parse.linking import (
    ALL_FEATURES,
    MODELS,
    ReplyLinker,
    candidate_matrix,
    model_for,
)

HEADER_MODES = ("all", "some", "none")
#: Weight of an unheaded comment on a page where every reply has a header (see _cases).
ALL_HEADERS_WEIGHT = 0.0
ORDERS = ("chronological", "nested")


@dataclass
class Example:
    rows: np.ndarray
    label: int
    model: str  # which weight set decides this case (see discourse.parse.linking.MODELS)
    dataset: str
    group: str  # for cross-validation: thread id, or thread id + top-level sub-thread
    state: str = "gold"  # where the link-dependent features came from: "gold" or "predicted" links
    weight: float = 1.0  # relative weight of the case in the fit


def _page(thread: Thread, order: str, headers: str, seed: int) -> tuple[Thread, list[str | None]]:
    from evaluation.render import page_order

    rng = random.Random(seed)
    ordered = [copy.copy(c) for c in page_order(thread, order)]
    ids = {c.comment_id for c in ordered}
    author = {c.comment_id: c.author for c in ordered}
    gold = []
    for k, c in enumerate(ordered):
        parent = c.parent_id if c.parent_id in ids else None
        gold.append(parent)
        show = parent is not None and (headers == "all" or (headers == "some" and rng.random() < 0.5))
        c.reply_to = author[parent] if show else None
        c.parent_id, c.position = None, k
    page = Thread(thread.thread_id, thread.source, thread.article, ordered)
    return page, gold


def examples_for(thread: Thread, dataset: str, linker: ReplyLinker, seed: int = 0,
                 dynamic: str = "gold") -> list[Example]:
    """Training cases of one gold thread, in every page layout.

    ``dynamic`` says where the link-dependent features (a candidate's depth, whether it is a
    reply, whether it answered this author) come from: ``gold`` links; ``predicted`` links, those
    the linker makes with its current weights, which is what it sees when parsing (a model fitted
    on gold links alone trusts them more than its own guesses deserve); ``both`` gives a case of
    each kind.
    """
    out = []
    for order in ORDERS:
        for headers in HEADER_MODES:
            page, gold = _page(thread, order, headers, seed)
            states = []
            if dynamic in ("gold", "both"):
                states.append(gold)
            if dynamic in ("predicted", "both"):
                guess = Thread(page.thread_id, page.source, page.article, [copy.copy(c) for c in page.comments])
                linker.link(guess)
                states.append([c.parent_id for c in guess.comments])
            feats = linker.candidate_features(page)
            for state, kind in zip(states, ("gold", "predicted") if dynamic != "predicted" else ("predicted",)):
                out.extend(_cases(page, feats, gold, state, dataset, thread.thread_id, kind, headers))
    return out


def _cases(page: Thread, feats: list[dict], gold: list[str | None], state: list[str | None], dataset: str,
           thread_id: str, kind: str, headers: str) -> list[Example]:
    """One example per comment whose gold parent is among its candidates; ``state`` holds the
    links the dynamic features are computed from."""
    out = []
    has_headers = any(c.reply_to for c in page.comments)
    comments = [copy.copy(c) for c in page.comments]
    position = {c.comment_id: k for k, c in enumerate(comments)}
    for c, p in zip(comments, state):
        c.parent_id = p
    depth: list[int] = []
    top_of: list[str] = []
    for k, (c, f) in enumerate(zip(comments, feats)):
        g = gold[k]
        pk = position.get(g) if g is not None else None
        sk = position.get(state[k]) if state[k] is not None else None
        depth.append(0 if sk is None else depth[sk] + 1)
        top_of.append(c.comment_id if pk is None else top_of[pk])  # sub-thread, for the folds
        rows = candidate_matrix(comments, k, f, depth, position)
        if pk is None:
            if f["explicit"]:
                continue  # cannot happen: a header is only shown on replies
            label = len(f["cands"])
        elif pk in f["cands"]:
            label = f["cands"].index(pk)
        else:
            continue  # gold parent out of reach (beyond the window, or unnamed)
        # Unheaded comments on pages that mark every reply are all top-level. They are learnt
        # too (from the share of comments with a header, root_header_share), at a lower weight:
        # a page cannot tell us it marks every reply, and reading each unmarked comment as
        # top-level would discard what its text says.
        model = model_for(f, has_headers)
        weight = ALL_HEADERS_WEIGHT if (model == "unheaded" and headers == "all") else 1.0
        if weight <= 0:
            continue
        out.append(Example(rows, label, model, dataset, f"{thread_id}/{top_of[k]}", kind, weight))
    return out


def fit(examples: list[Example], weight_of: dict[str, float], l2: float = 1.0) -> np.ndarray:
    """Softmax regression over candidate sets; returns one weight per feature of ALL_FEATURES."""
    from scipy.optimize import minimize

    d = len(ALL_FEATURES)
    if not examples:
        return np.zeros(d)
    sizes = np.array([len(e.rows) for e in examples])
    X = np.vstack([e.rows for e in examples])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    gold_rows = starts + np.array([e.label for e in examples])
    sample_w = np.array([weight_of.get(e.dataset, 1.0) * e.weight for e in examples])
    seg = np.repeat(np.arange(len(examples)), sizes)
    total_w = sample_w.sum()

    def loss(theta):
        s = X @ theta
        m = np.full(len(examples), -np.inf)
        np.maximum.at(m, seg, s)
        e = np.exp(s - m[seg])
        z = np.bincount(seg, weights=e, minlength=len(examples))
        logz = np.log(z) + m
        nll = (sample_w * (logz - s[gold_rows])).sum() / total_w
        p = e / z[seg]
        grad = (X * (p * sample_w[seg])[:, None]).sum(0) - (X[gold_rows] * sample_w[:, None]).sum(0)
        grad = grad / total_w + 2 * l2 * theta / total_w * len(examples) / 100
        return nll + l2 * (theta @ theta) / total_w * len(examples) / 100, grad

    return minimize(loss, np.zeros(d), jac=True, method="L-BFGS-B").x


def accuracy(examples: list[Example], theta: np.ndarray) -> float:
    if not examples:
        return float("nan")
    return float(np.mean([int(np.argmax(e.rows @ theta)) == e.label for e in examples]))


def cross_validate(examples: list[Example], weight_of: dict[str, float], folds: int = 5,
                   l2: float = 1.0) -> dict:
    groups = sorted({e.group for e in examples})
    rng = random.Random(0)
    rng.shuffle(groups)
    fold_of = {g: k % folds for k, g in enumerate(groups)}
    hits: dict[tuple[str, str], list[int]] = {}
    # Score the cases that look like parsing (features from the linker's own links) when present.
    scored = "predicted" if any(e.state == "predicted" for e in examples) else "gold"
    for k in range(folds):
        train = [e for e in examples if fold_of[e.group] != k]
        test = [e for e in examples if fold_of[e.group] == k]
        for model in MODELS:
            theta = fit([e for e in train if e.model == model], weight_of, l2)
            for e in test:
                if e.model == model and e.state == scored:
                    hits.setdefault((e.dataset, model), []).append(int(np.argmax(e.rows @ theta)) == e.label)
    return {key: (float(np.mean(v)), len(v)) for key, v in hits.items()}


def link_outcomes(threads: list[Thread], linker: ReplyLinker, seed: int = 0) -> list[tuple[str, float, bool]]:
    """(weight set, the winner's softmax share, whether the link is right) for every comment the
    linker's score decides, on each thread laid out in every page layout."""
    out = []
    for thread in threads:
        for order in ORDERS:
            for headers in HEADER_MODES:
                page, gold = _page(thread, order, headers, seed)
                has_headers = any(c.reply_to for c in page.comments)
                linker.link(page)
                for c, g in zip(page.comments, gold):
                    model = "header" if c.link == "explicit" else ("unheaded" if has_headers else "implicit")
                    out.append((model, float(c.confidence), c.parent_id == g))
    return out


def fit_calibration(outcomes: list[tuple[str, float, bool]]) -> dict[str, list[float]]:
    """Per weight set, (slope, intercept) of a logistic regression of being right on the logit
    of the softmax share (Platt scaling), for :meth:`discourse.parse.decode.Decider.calibrated`."""
    from scipy.optimize import minimize

    result = {}
    for model in MODELS:
        rows = [(share, ok) for m, share, ok in outcomes if m == model]
        if len(rows) < 20:
            continue
        p = np.clip(np.array([r[0] for r in rows]), 1e-6, 1 - 1e-6)
        x, y = np.log(p / (1 - p)), np.array([r[1] for r in rows], dtype=float)

        def loss(theta):
            z = theta[0] * x + theta[1]
            q = 1.0 / (1.0 + np.exp(-z))
            nll = np.mean(np.logaddexp(0, z) - y * z)
            return nll, np.array([np.mean((q - y) * x), np.mean(q - y)])

        theta = minimize(loss, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B").x
        result[model] = [round(float(theta[0]), 4), round(float(theta[1]), 4)]
    return result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=None, help="shared data folder (default ../shared/data)")
    ap.add_argument("--limit", type=int, default=None, help="at most this many threads per data set")
    ap.add_argument("--train", default="reddit",
                    help="comma-separated data sets to fit on: reddit (its training part), globe-and-mail, "
                         "rumoureval (default: reddit; the others are then left for evaluation)")
    ap.add_argument("--globe-weight", type=float, default=100.0,
                    help="weight of a news-comment example relative to a tweet (news is the target)")
    ap.add_argument("--l2", type=float, default=1.0, help="L2 penalty")
    ap.add_argument("--dynamic", choices=("gold", "predicted", "both"), default="gold",
                    help="links the link-dependent features come from (see examples_for)")
    ap.add_argument("--variant", choices=("both", "semantic", "fast"), default="both",
                    help="fit the weights used with sentence embeddings, without them (--fast), or both")
    ap.add_argument("--calibration-share", type=float, default=0.2,
                    help="share of the training threads held back from the weights to fit the confidence calibration")
    ap.add_argument("--folds", type=int, default=5, help="cross-validation folds (0: skip the cross-validation)")
    ap.add_argument("--write", action="store_true", help="save the fitted weights into the package")
    args = ap.parse_args(argv)
    from evaluation.gold import load_gold

    wanted = {name.strip() for name in args.train.split(",") if name.strip()}
    gold = {name: threads for name, threads in load_gold(args.data, limit=args.limit, reddit="train").items()
            if name in wanted and threads}
    if not gold:
        print(f"no gold data for {', '.join(sorted(wanted))} found (looked for ../shared/data); nothing to train on")
        return 0
    weight_of = {"globe-and-mail": args.globe_weight, "rumoureval": 1.0, "reddit": 1.0}
    # Some threads of each data set are held back from the weights: the confidence calibration
    # is fitted on them, with the weights fitted on the rest (a thread is in one part only).
    held: list[Thread] = []
    for name, threads in gold.items():
        k = int(len(threads) * args.calibration_share) if len(threads) > 1 else 0
        if k:
            held += threads[-k:]
            gold[name] = threads[:-k]
    result = {}
    variants = (("", True), ("_fast", False))
    for variant, semantic in [v for v in variants if args.variant in ("both", "semantic" if v[1] else "fast")]:
        linker = ReplyLinker(semantic=semantic)
        examples = [e for name, threads in gold.items() for t in threads for e in examples_for(t, name, linker, dynamic=args.dynamic)]
        cv = cross_validate(examples, weight_of, folds=args.folds, l2=args.l2) if args.folds > 1 else {}
        print(f"variant {'semantic' if semantic else 'fast'}: {len(examples)} examples")
        for (dataset, model), (acc, n) in sorted(cv.items()):
            print(f"  cv accuracy {dataset:15s} {model:9s} {acc:.3f}  (n={n})")
        for name in MODELS:
            theta = fit([e for e in examples if e.model == name], weight_of, args.l2)
            feats = ALL_FEATURES if name != "header" else tuple(f for f in ALL_FEATURES if not f.startswith("root"))
            result[name + variant] = {f: round(float(theta[ALL_FEATURES.index(f)]), 4) for f in feats}
        if held:
            fitted = ReplyLinker(semantic=semantic, plain_evidence=False,
                                 weights={k[:-len(variant)] if variant else k: v for k, v in result.items()
                                          if k.endswith(variant) and (variant or not k.endswith("_fast"))})
            fitted.calibration = {}  # the raw softmax shares are what the calibration maps
            result["calibration" + variant] = fit_calibration(link_outcomes(held, fitted))
            print(f"  calibration ({len(held)} held-back threads): {result['calibration' + variant]}")
    print(json.dumps(result, indent=1))
    if args.write:
        path = Path(str(resources.files("discourse").joinpath("data", "reply_linking.json")))
        data = json.loads(path.read_text(encoding="utf-8"))
        data.update(result)
        data["_doc"] = ("Weights of the reply-linking score (discourse/parse/linking.py): a candidate's score is "
                        "the sum of weight x feature; the article competes with its root_* features. 'header' "
                        "decides among the named person's comments, 'implicit' among all earlier comments and "
                        "the article, 'unheaded' among those of a comment without a header on a page that has "
                        "headers; *_fast are used without sentence embeddings. 'calibration' maps the winner's "
                        "softmax share to the probability that the link is right: sigmoid(slope * logit(share) + "
                        "intercept), per weight set. Fitted by evaluation/train_linker.py on the training part of "
                        "the Reddit threads (see _card).")
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
