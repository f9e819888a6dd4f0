"""How well target stance (favor / against / none toward a named target) is recovered.

Default: **held-out real data** (needs ``../shared/data``), the shipped model run the way users
run it (``TargetStance(targets=...)`` over the texts, a target with no output row counting as
``none``) on rows it was neither fitted nor tuned on, with two baselines beside: the training
rows' majority class and a quick cue list (the rule scorer's sign toward the target):

* RUW test: the last 20% of RUW train's tweets by id (war tweets), toward Russia and Ukraine;
* SemEval-2016 Task 6: 20% of the train tweets by id hash (five public issues as free-text targets);
* VAST test as published (free-text topics, most never seen in training; head features only).

The unseen-target (SemEval leave-one-target-out) and cross-dataset (RUW without RUW in training)
figures come from ``python -m training.target_stance --experiments`` and are in the model card.

``--dev``: the project's own development set (``evaluation/data/target_stance_dev.jsonl``:
war comments written for the project plus the nine real comments of ``threads/001``), cues only:
a development aid, not a result (the cues were tuned on part of it).

Run as ``python -m evaluation.target_eval [--dev [--split heldout] [--errors N]]``.
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from discourse.analysis.target_stance import (
    AGAINST,
    FAVOR,
    NONE,
    TargetStance,
    _Matcher,
    _Mention,
    _tokenise,
)

DATA = Path(__file__).parent / "data" / "target_stance_dev.jsonl"
TARGETS = {"russia": "Russia", "ukraine": "Ukraine"}
CLASSES = [FAVOR, AGAINST, NONE]
SPLITS = ("heldout", "dev", "real")


def load(path: Path = DATA) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def predict(rows: list[dict], model: TargetStance) -> dict[tuple[str, str], str]:
    """(row id, target key) -> predicted stance; a target with no output row is 'none'."""
    import pandas as pd

    frame = pd.DataFrame([{k: r.get(k) for k in ("thread_id", "comment_id", "parent_id", "text")} for r in rows])
    articles = {r["thread_id"]: r["article"] for r in rows if r.get("article")}
    out = model.transform(frame, articles=articles or None)
    ids = {(r["thread_id"], r["comment_id"]): r["id"] for r in rows}
    label_to_key = {v: k for k, v in TARGETS.items()}
    pred = {(r["id"], t): NONE for r in rows for t in TARGETS}
    for o in out.itertuples(index=False):
        key = label_to_key.get(o.target)
        rid = ids.get((o.thread_id, o.comment_id))
        if key and rid:
            pred[(rid, key)] = o.stance
    return pred


def cue_list_baseline(rows: list[dict], model: TargetStance) -> dict[tuple[str, str], str]:
    """A quick cue list: target named + the more frequent direction of any cue word in the text."""
    m = _Matcher()
    for key in TARGETS:
        t = model.targets[key]
        for a in t.aliases:
            m.add(a, _Mention(key))
    polar = _Matcher()
    for grp in model.cues["cues"]:
        for p in grp["patterns"]:
            polar.add(p, 1 if grp["stance"] == FAVOR else -1)
    pred = {}
    for r in rows:
        toks = _tokenise(r["text"])
        named = {p.target for _, _, p in m.find(toks)}
        votes = Counter(p for _, _, p in polar.find(toks))
        d = FAVOR if votes[1] > votes[-1] else AGAINST if votes[-1] > votes[1] else NONE
        for key in TARGETS:
            pred[(r["id"], key)] = d if key in named else NONE
    return pred


def scores(rows, pred, key):
    from sklearn.metrics import f1_score

    gold = [r[key] for r in rows]
    guess = [pred[(r["id"], key)] for r in rows]
    per = f1_score(gold, guess, labels=CLASSES, average=None, zero_division=0)
    macro = f1_score(gold, guess, labels=CLASSES, average="macro", zero_division=0)
    return float(macro), dict(zip(CLASSES, (float(x) for x in per)))


def evaluate(use_embeddings: bool = False, splits=SPLITS, errors: int = 0, path: Path = DATA) -> dict:
    data = load(path)
    model = TargetStance(use_embeddings=use_embeddings, salient_entities=0, use_head=False)
    pred = predict(data, model)
    base_cue = cue_list_baseline(data, model)
    dev = [r for r in data if r["split"] == "dev"]
    majority = {k: Counter(r[k] for r in dev).most_common(1)[0][0] for k in TARGETS}
    report = {}
    # "all" only when every split is asked for, so a --split dev run never shows held-out texts.
    for split in list(splits) + (["all"] if set(splits) == set(SPLITS) else []):
        rows = data if split == "all" else [r for r in data if r["split"] == split]
        if not rows:
            continue
        print(f"\n== {split} ({len(rows)} texts){' embeddings on' if use_embeddings else ''}")
        for key, label in TARGETS.items():
            macro, per = scores(rows, pred, key)
            maj = scores(rows, {(r["id"], key): majority[key] for r in rows}, key)[0]
            cue = scores(rows, base_cue, key)[0]
            report[(split, key)] = {"macro_f1": macro, **per, "majority": maj, "cue_list": cue}
            per_txt = "  ".join(f"{c} {per[c]:.3f}" for c in CLASSES)
            print(f"{label:8s} macro-F1 {macro:.3f}  ({per_txt})  | majority {maj:.3f}  cue list {cue:.3f}")
        if errors and split != "all":
            shown = 0
            for r in rows:
                for key in TARGETS:
                    if pred[(r["id"], key)] != r[key] and shown < errors:
                        shown += 1
                        print(f"  {r['id']} {key}: gold {r[key]} pred {pred[(r['id'], key)]} | {r['text'][:110]}")
    return report


def bench(n: int = 20000, seed: int = 0) -> None:
    """Time transform (cues only, salient entities on) on ``n`` synthetic comments, 100 per thread,
    each two development texts joined: wall time and this process's CPU time (the machine is shared)."""
    import random
    import time

    import pandas as pd

    rng = random.Random(seed)
    base = [r["text"] for r in load()]
    texts = [f"{rng.choice(base)} {rng.choice(base)}" for _ in range(n)]
    df = pd.DataFrame({"thread_id": [f"t{i // 100}" for i in range(n)], "comment_id": [f"c{i}" for i in range(n)],
                       "parent_id": None, "author": [f"u{i % 500}" for i in range(n)], "text": texts})
    model = TargetStance(use_head=False)
    t0, c0 = time.perf_counter(), time.process_time()
    out = model.transform(df)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"{n} comments ({sum(map(len, texts)) / 1e6:.2f} MB), {len(out)} rows: wall {wall:.2f} s "
          f"({n / wall:,.0f} comments/s), CPU {cpu:.2f} s ({n / cpu:,.0f} comments/s)")


class VectorLookup:
    """Serves the training scripts' cached vectors (``training.common.encode``) as an embedder,
    falling back to the real encoder for texts it does not hold."""

    def __init__(self, texts_and_vectors):
        self.table = {}
        for texts, vecs in texts_and_vectors:
            self.table.update(zip(texts, vecs))
        self._fallback = None

    def encode(self, texts):
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if t not in self.table]
        if missing:
            if self._fallback is None:
                from discourse.embeddings import Embedder

                self._fallback = Embedder()
            self.table.update(zip(missing, self._fallback.encode(missing)))
        return np.stack([self.table[t] for t in texts]) if texts else np.zeros((0, 384), dtype=np.float32)


def product_predictions(examples, rows, embedder) -> list[str]:
    """The shipped TargetStance (head on) toward each row's target; no output row is 'none'."""
    import pandas as pd

    names = sorted({examples[i].target for i in rows})
    model = TargetStance(targets=names, salient_entities=0, article_target=False, embedder=embedder)
    label_of = {n: model.targets[model._resolve(n)].label for n in names}
    texts = list(dict.fromkeys(examples[i].text for i in rows))
    cid = {t: f"c{k}" for k, t in enumerate(texts)}
    out = model.transform(pd.DataFrame({"thread_id": "t", "comment_id": [cid[t] for t in texts], "text": texts}))
    got = {(r.comment_id, r.target): r.stance for r in out.itertuples(index=False)}
    return [got.get((cid[examples[i].text], label_of[examples[i].target]), NONE) for i in rows]


def heldout() -> list[dict]:
    """The shipped model on the held-out real rows (see the module text), beside baselines."""
    import numpy as np

    from discourse.analysis.target_stance.head import TargetHead, pair_features
    from training.common import encode
    from training.stance_data import target_examples
    from training.target_stance import baselines, report, rule_cues, split_of

    if TargetHead.load() is None:
        raise SystemExit("target_eval: no trained head ships (discourse/data/models/target_stance.npz)")
    examples = target_examples()
    split = split_of(examples)
    y = [e.label for e in examples]
    cues = rule_cues(examples)
    texts = sorted({e.text for e in examples})
    names = sorted({e.target for e in examples})
    embedder = VectorLookup([(texts, encode(texts, "stance-target-texts")),
                             (names, encode(names, "stance-target-names"))])
    train_rows = np.flatnonzero(split == "train")
    train_labels = [y[i] for i in train_rows]
    src = np.array([e.source for e in examples])
    tgt = np.array([e.target for e in examples])
    test = split == "test"
    out = []
    print("held-out real data: model | baselines (macro-F1 / F-avg of favor and against)")
    for t in ("Russia", "Ukraine"):
        rows = np.flatnonzero(test & (src == "ruw") & (tgt == t))
        out.append(report(f"RUW test (last 20% of ids): {t}", [y[i] for i in rows],
                          product_predictions(examples, rows, embedder), baselines(examples, cues, rows, train_labels, train_rows)))
    rows = np.flatnonzero(test & (src == "semeval"))
    out.append(report("SemEval-2016 test (20% of ids)", [y[i] for i in rows],
                      product_predictions(examples, rows, embedder), baselines(examples, cues, rows, train_labels, train_rows)))
    for t in sorted(set(tgt[rows])):
        sub = rows[tgt[rows] == t]
        out.append(report(f"  {t}", [y[i] for i in sub], product_predictions(examples, sub, embedder),
                          baselines(examples, cues, sub, train_labels, train_rows)))
    rows = np.flatnonzero(test & (src == "vast-test"))
    head = TargetHead.load()
    X = pair_features(embedder.encode([examples[i].text for i in rows]),
                      embedder.encode([examples[i].target for i in rows]), cues[rows])
    out.append(report("VAST test (as published)", [y[i] for i in rows], head.predict(X)[0],
                      baselines(examples, cues, rows, train_labels, train_rows)))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dev", action="store_true", help="the project's own development set (a development aid)")
    ap.add_argument("--embeddings", action="store_true", help="add prototype similarity (sentence encoder)")
    ap.add_argument("--no-embeddings", action="store_true", help="cues only (the default)")
    ap.add_argument("--split", choices=SPLITS, action="append", help="report only these splits")
    ap.add_argument("--errors", type=int, default=0, help="print up to N errors per split")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--bench", type=int, metavar="N", help="time N synthetic comments instead")
    args = ap.parse_args(argv)
    if args.bench:
        bench(args.bench)
        return 0
    if not args.dev:
        from training.common import SHARED

        if not SHARED.exists():
            print(f"target_eval: {SHARED} not found; the held-out evaluation needs ../shared/data (skipped)")
            return 0
        heldout()
        return 0
    evaluate(args.embeddings and not args.no_embeddings, tuple(args.split or SPLITS), args.errors, args.data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
