"""How well the persuasion-technique tagger does, sentence by sentence.

No SemEval-2023 Task 3 data ships with the project, so the figures here come from a small dev set
written for it (``discourse/evaluation/data/techniques_dev.jsonl``, SemEval-style multi-label
sentence annotations). Its ``heldout`` third was labelled before any cue was written and is never
used for tuning; ``tune`` is what thresholds were chosen on. Scoring is micro-F1 over (sentence,
technique) pairs, as in the shared task, with the all-Loaded_Language baseline beside it.

It also prints loaded language per sentence for each sample in ``threads/``: a tabloid piece
should show more than wire-style reports.

    python -m evaluation.framing_eval [--split heldout|tune|all] [--embeddings] [--threads DIR]
"""
from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

DEV = Path(__file__).with_name("data") / "techniques_dev.jsonl"


def load_dev(split: str = "heldout", path: str | Path = DEV) -> list[dict]:
    items = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [it for it in items if split == "all" or it["split"] == split]


def predict(tagger, items: list[dict]) -> list[set[str]]:
    """Technique labels per dev item (a dev item may hold two sentences: their union)."""
    import pandas as pd

    units = pd.DataFrame({"thread_id": [it["id"] for it in items], "comment_id": "c", "paragraph": -1,
                          "text": [it["text"] for it in items]})
    rows = tagger.transform(units)
    rows = rows[rows["kind"] == "technique"]
    got: dict[str, set[str]] = {it["id"]: set() for it in items}
    for tid, label in zip(rows["thread_id"], rows["label"]):
        got[tid].add(label)
    return [got[it["id"]] for it in items]


def score(gold: list[set[str]], pred: list[set[str]], labels: list[str]) -> dict:
    tp, fp, fn = Counter(), Counter(), Counter()
    for g, p in zip(gold, pred):
        for lab in p & g:
            tp[lab] += 1
        for lab in p - g:
            fp[lab] += 1
        for lab in g - p:
            fn[lab] += 1

    def prf(t, f_p, f_n):
        pr = t / (t + f_p) if t + f_p else 0.0
        rc = t / (t + f_n) if t + f_n else 0.0
        return pr, rc, (2 * pr * rc / (pr + rc) if pr + rc else 0.0)

    T, FP, FN = sum(tp.values()), sum(fp.values()), sum(fn.values())
    per = {lab: (*prf(tp[lab], fp[lab], fn[lab]), tp[lab] + fn[lab], tp[lab] + fp[lab]) for lab in labels}
    return {"micro": prf(T, FP, FN), "per_label": per}


def loaded_language_by_file(tagger, folder: str | Path) -> list[tuple[str, str, int, int, float, float]]:
    """(file, outlet, sentences, loaded-language sentences, per sentence (article), per sentence (all))."""
    from discourse.analysis.units import text_units
    from discourse.readers import read_threads

    threads = read_threads([str(folder)], semantic=False)
    out = []
    for t in threads:
        units = text_units([t])
        rows = tagger.transform(units)
        summ = tagger.summarise(rows, units)
        ll = summ[summ["label"] == "Loaded_Language"].iloc[0]
        art = units[units["comment_id"] == ""]
        arows = tagger.transform(art)
        asum = tagger.summarise(arows, art)
        all_ll = asum[asum["label"] == "Loaded_Language"].iloc[0]
        n_sent = int(ll["sentences"])
        out.append((t.thread_id, t.article.outlet or "", n_sent, int(ll["count"]),
                    float(all_ll["per_sentence"]), float(ll["per_sentence"])))
    return out


def main(argv=None) -> int:
    from discourse.analysis.framing import FrameTagger

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", default="heldout", choices=["heldout", "tune", "all"])
    ap.add_argument("--embeddings", action="store_true", help="add similarity to the catalogue examples")
    ap.add_argument("--threads", default="threads", help="folder of sample threads ('' to skip)")
    ap.add_argument("--errors", action="store_true", help="list false positives and misses")
    args = ap.parse_args(argv)

    tagger = FrameTagger(use_embeddings=args.embeddings)
    labels = [name for kind, name in tagger.labels if kind == "technique"]
    items = load_dev(args.split)
    gold = [set(it["techniques"]) for it in items]
    t0 = time.perf_counter()
    pred = predict(tagger, items)
    elapsed = time.perf_counter() - t0
    res = score(gold, pred, labels)
    base = score(gold, [{"Loaded_Language"} for _ in items], labels)
    p, r, f = res["micro"]
    print(f"dev split {args.split}: {len(items)} sentences, {sum(map(len, gold))} gold technique labels "
          f"({sum(1 for g in gold if not g)} sentences with none); embeddings {'on' if args.embeddings else 'off'}; "
          f"{elapsed:.2f} s")
    print(f"micro P {p:.3f} R {r:.3f} F1 {f:.3f}")
    print(f"baseline all Loaded_Language: micro P {base['micro'][0]:.3f} R {base['micro'][1]:.3f} F1 {base['micro'][2]:.3f}")
    print(f"{'technique':36s} {'P':>6s} {'R':>6s} {'F1':>6s} {'gold':>5s} {'pred':>5s}")
    for lab in labels:
        pr, rc, f1, n_gold, n_pred = res["per_label"][lab]
        print(f"{lab:36s} {pr:6.3f} {rc:6.3f} {f1:6.3f} {n_gold:5d} {n_pred:5d}")
    if args.errors:
        for it, g, pset in zip(items, gold, pred):
            if g != pset:
                print(f"- {it['text']}\n    missed {sorted(g - pset)}  extra {sorted(pset - g)}")
    if args.threads and Path(args.threads).is_dir():
        print("\nLoaded_Language per sentence in the sample threads:")
        print(f"{'thread':24s} {'outlet':16s} {'sentences':>9s} {'LL':>4s} {'article':>8s} {'all':>6s}")
        for tid, outlet, n, c, art, allr in loaded_language_by_file(tagger, args.threads):
            print(f"{tid:24s} {outlet:16s} {n:9d} {c:4d} {art:8.3f} {allr:6.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
