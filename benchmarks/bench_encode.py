"""How fast each encoder backend embeds real texts, against sentence-transformers' defaults, in one run.

Texts: ``--texts FILE`` (one per line), else RumourEval posts from ``../shared/data`` when present,
else the synthetic benchmark corpus. Each backend (and sentence-transformers as called by default:
``SentenceTransformer.encode(texts)``, batch size 32) encodes the same ``--n`` texts; rounds
alternate between backends (A B C A B C …) so a busy machine slows all alike, and the median
texts/s is reported with the smallest cosine to the sentence-transformers vectors.

    python -m benchmarks.bench_encode [--texts FILE] [--n 2000] [--rounds 3] [--json]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def load_texts(path: str | None, n: int) -> tuple[list[str], str]:
    if path:
        lines = [t.strip() for t in Path(path).read_text(encoding="utf-8").splitlines() if t.strip()]
        return lines[:n], path
    posts = SHARED / "rumoureval2017-traindev" / "posts.json"
    if posts.is_file():
        data = json.loads(posts.read_text(encoding="utf-8"))
        texts = [v["text"] if isinstance(v, dict) else str(v) for v in data.values()]
        return texts[:n], "RumourEval 2017 posts"
    from benchmarks.bench_analyze import synthetic_corpus

    texts = [c.text for t in synthetic_corpus(n, max(1, n // 200)) for c in t.comments]
    return texts[:n], "synthetic comments"


def backends(names: list[str], cache_dir: str | None):
    """(name, encode function) for sentence-transformers' default call and each named backend."""
    from discourse.embeddings import load_sentence_model
    from discourse.encoders import load_backend

    reference = load_sentence_model()
    found = [("sentence-transformers",
              lambda texts: reference.encode(texts, convert_to_numpy=True, normalize_embeddings=True))]
    for name in names:
        backend = load_backend(name, cache_dir)
        found.append((backend.name if name != "auto" else f"auto ({backend.name})", backend.encode))
    return found


def run(texts: list[str], names: list[str], rounds: int, cache_dir: str | None) -> dict:
    funcs = backends(names, cache_dir)
    speeds: dict[str, list[float]] = {name: [] for name, _ in funcs}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(rounds):
        for name, encode in funcs:
            start = time.perf_counter()
            vectors[name] = np.asarray(encode(texts), dtype=np.float32)
            speeds[name].append(len(texts) / (time.perf_counter() - start))
    ref = vectors["sentence-transformers"]
    rows = [{"name": name, "texts_per_s": round(statistics.median(speeds[name]), 1),
             "cos_min": round(float((vectors[name] * ref).sum(axis=1).min()), 6)} for name, _ in funcs]
    default = next((r["name"] for r in rows if r["name"].startswith("auto")), rows[-1]["name"])
    return {"default": default, "backends": rows}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--texts", metavar="FILE", help="texts to encode, one per line")
    ap.add_argument("--n", type=int, default=2000, help="how many texts (default 2,000)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds per backend (the median is reported)")
    ap.add_argument("--backends", default="auto,torch,onnx,int8", help="comma-separated backends to time")
    ap.add_argument("--cache-dir", help="where the exported ONNX graphs are kept (default: the embedding cache)")
    ap.add_argument("--json", action="store_true", help='print {"default", "backends": [{"name", "texts_per_s", "cos_min"}]}')
    args = ap.parse_args(argv)
    texts, source = load_texts(args.texts, args.n)
    if not texts:
        print("bench encode: no texts to encode", file=sys.stderr)
        return 1
    names = [b.strip() for b in args.backends.split(",") if b.strip()]
    result = run(texts, names, max(1, args.rounds), args.cache_dir)
    if args.json:
        print(json.dumps(result))
        return 0
    base = next(r for r in result["backends"] if r["name"] == "sentence-transformers")["texts_per_s"]
    print(f"{len(texts)} texts ({source}); median of {args.rounds} interleaved rounds")
    print(f"{'backend':<24}{'texts/s':>10}{'× s-t':>8}{'min cosine':>12}")
    for r in result["backends"]:
        print(f"{r['name']:<24}{r['texts_per_s']:>10.1f}{r['texts_per_s'] / base:>8.2f}{r['cos_min']:>12.6f}")
    print(f"default backend: {result['default']}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
