"""How well the persuasion-technique tagger does, held out, beside its baselines.

Held-out figures (when ``../shared/data`` is beside the checkout): SemEval-2023 Task 3 English dev
(the 90 PTC-2020 test articles, never used to fit or tune the head; gold per paragraph, so a
paragraph's prediction is the union of its sentences'), micro-F1 over (paragraph, technique)
pairs, with "every paragraph Loaded_Language" and the catalogue tagger as it was (cue lists only,
``FrameTagger(heads=False)``) beside it. Labels are folded as the head was trained
(Straw_Man and Whataboutism into Red_Herring, Appeal_to_Popularity into Guilt_by_Association).

Development aid only (not a result): ``evaluation/data/techniques_dev.jsonl``, sentences we wrote
for the catalogue; the cue lists were tuned on them. It also prints loaded language per sentence
for each sample in ``threads/``.

    python -m evaluation.framing_eval [--split heldout|tune|all] [--embeddings] [--threads DIR] [--no-shared]
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


FOLD = {"Straw_Man": "Red_Herring", "Whataboutism": "Red_Herring", "Appeal_to_Popularity": "Guilt_by_Association"}


def semeval_dev(folder: Path) -> list[dict]:
    """The SemEval-2023 dev paragraphs with their folded gold techniques."""
    import csv

    with (folder / "dev_subtask3_paragraph_techniques.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [{"id": f"{r['article_id']}:{r['paragraph_id']}", "text": r["text"],
             "techniques": {FOLD.get(t, t) for t in r["techniques"].split(",") if t.strip()}} for r in rows]


def held_out(shared: Path) -> int:
    """Print the held-out SemEval-2023 dev figures; 1 when the data is not there."""
    from discourse.analysis.framing import FrameTagger

    folder = shared / "semeval2023_task3_en"
    if not folder.is_dir():
        print(f"{folder} not found: held-out figures skipped (they need ../shared/data)")
        return 1
    items = semeval_dev(folder)
    gold = [it["techniques"] for it in items]
    learned, catalogue = FrameTagger(), FrameTagger(heads=False)
    fold = lambda sets: [{FOLD.get(t, t) for t in s} for s in sets]  # noqa: E731
    labels = sorted(set().union(*gold))
    rows = [("learned head (shipped)", fold(predict(learned, items))),
            ("every paragraph Loaded_Language", [{"Loaded_Language"} for _ in items]),
            ("catalogue tagger (before, cue lists)", fold(predict(catalogue, items)))]
    print(f"HELD OUT: SemEval-2023 Task 3 EN dev, {len({i['id'].split(':')[0] for i in items})} articles, "
          f"{len(items)} paragraphs, {sum(map(len, gold))} gold technique labels; micro over (paragraph, technique)")
    for name, pred in rows:
        p, r, f = score(gold, pred, labels)["micro"]
        print(f"  {name:38s} P {p:.3f}  R {r:.3f}  micro-F1 {f:.3f}")
    per = score(gold, rows[0][1], labels)["per_label"]
    print(f"  {'technique (learned head)':38s} {'P':>6s} {'R':>6s} {'F1':>6s} {'gold':>5s} {'pred':>5s}")
    for lab in labels:
        pr, rc, f1, n_gold, n_pred = per[lab]
        print(f"  {lab:38s} {pr:6.3f} {rc:6.3f} {f1:6.3f} {n_gold:5d} {n_pred:5d}")
    print("  (cross-dataset and PTC sentence-level figures: discourse/data/models/techniques.md, "
          "python -m training.techniques --no-write)\n")
    return 0


def main(argv=None) -> int:
    from discourse.analysis.framing import FrameTagger

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", default="heldout", choices=["heldout", "tune", "all"])
    ap.add_argument("--embeddings", action="store_true", help="add similarity to the catalogue examples")
    ap.add_argument("--threads", default="threads", help="folder of sample threads ('' to skip)")
    ap.add_argument("--errors", action="store_true", help="list false positives and misses")
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "data"),
                    help="the shared data folder (default ../shared/data)")
    ap.add_argument("--no-shared", action="store_true", help="skip the held-out figures")
    args = ap.parse_args(argv)
    if not args.no_shared:
        held_out(Path(args.shared))

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
    print("DEVELOPMENT AID, not a result (sentences we wrote; the cue lists were tuned on them):")
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
