"""How fast coordination runs on many comments, without the encoder's cost: median over runs.

The comments are synthetic: words from a made-up vocabulary, a tenth of them copies of a template
(half lightly edited), authors and timestamps drawn at random. With embeddings, a stand-in encoder
gives each text a fixed pseudo-random unit vector (copies get their template's vector plus noise),
made before the clock starts, so the time is the module's own: normalising, hashing, the blocked
similarity product, grouping and bursts.

Run as ``python -m benchmarks.bench_coordination [--comments 20000] [--runs 5] [--lexical]``.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from discourse.analysis.coordination import Coordination


class _TableEmbedder:
    """An encoder that looks each text up in a table of vectors made beforehand."""

    def __init__(self, table: dict[str, np.ndarray]):
        self.table = table

    def encode(self, batch):
        return np.stack([self.table[t] for t in batch]) if batch else np.zeros((0, 384), np.float32)


def synthetic_comments(n: int = 20_000, seed: int = 0) -> tuple[pd.DataFrame, _TableEmbedder]:
    """``n`` comments (a coordination input frame) and a stand-in encoder for their texts."""
    rng = np.random.default_rng(seed)
    words = [f"w{k}" for k in range(5000)]
    templates = [" ".join(rng.choice(words, size=int(rng.integers(8, 60)))) for _ in range(n // 20)]
    texts, tmpl_of = [], []
    for _ in range(n):
        if rng.random() < 0.1:  # a copy of a template, sometimes lightly edited
            t = int(rng.integers(len(templates)))
            text = templates[t] + ("" if rng.random() < 0.5 else " " + str(rng.choice(words)))
            tmpl_of.append(t)
        else:
            text = " ".join(rng.choice(words, size=int(rng.integers(5, 80))))
            tmpl_of.append(-1)
        texts.append(text)
    frame = pd.DataFrame({
        "thread_id": [f"t{i % 200}" for i in range(n)],
        "comment_id": [f"c{i}" for i in range(n)],
        "author": [f"a{int(a)}" for a in rng.integers(0, n // 4, size=n)],
        "text": texts,
        "position": list(range(n)),
        "timestamp": (1_700_000_000 + np.sort(rng.integers(0, 30 * 86400, size=n))).tolist(),
    })
    base = rng.standard_normal((len(templates), 384)).astype(np.float32)
    table: dict[str, np.ndarray] = {}
    for text, t in zip(texts, tmpl_of):
        v = base[t] + 0.05 * rng.standard_normal(384).astype(np.float32) if t >= 0 \
            else rng.standard_normal(384).astype(np.float32)
        table[text] = v / np.linalg.norm(v)
    return frame, _TableEmbedder(table)


def bench(n: int = 20_000, seed: int = 0, use_embeddings: bool = True, runs: int = 5) -> dict[str, float]:
    """Median wall and CPU seconds of ``Coordination.transform`` over ``runs`` runs on ``n`` comments."""
    frame, embedder = synthetic_comments(n, seed)
    model = Coordination(embedder=embedder, use_embeddings=use_embeddings)
    walls, cpus, flagged = [], [], 0
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        result = model.transform(frame)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        flagged = int((result["coordination_score"] > 0).sum())
    wall = statistics.median(walls)
    return {"comments": n, "runs": runs, "median_seconds": round(wall, 2),
            "median_cpu_seconds": round(statistics.median(cpus), 2),
            "comments_per_s": round(n / wall), "flagged": flagged}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--comments", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lexical", action="store_true", help="word-bigram Jaccard instead of embeddings")
    args = ap.parse_args(argv)
    print(bench(args.comments, args.seed, use_embeddings=not args.lexical, runs=args.runs))


if __name__ == "__main__":
    main()
