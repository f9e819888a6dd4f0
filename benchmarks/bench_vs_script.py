"""``discourse analyze`` against the script a user would write instead, on the same real posts.

The script (``benchmarks/user_script.py``) is what the README's design card suggests someone would
do without this tool: VADER on every post, the same MiniLM through sentence-transformers' defaults,
and BERTopic's defaults over those vectors, results written as a CSV. Both run as whole processes,
interleaved (script, cold, warm, script, cold, warm, ...) so a busy machine weighs on all alike:

* **cold**: ``discourse analyze`` with an empty embedding cache (the encoder's exported graph is
  kept: it is built once per installation, not per corpus);
* **warm**: ``discourse analyze`` again over the cache the cold run left (a rerun of the same
  corpus, as a report after an analysis is).

Medians of the wall times and the ratios to the script's median are printed. The posts default to
RumourEval 2017 train/dev in ``../shared/data`` (4,519 real tweets in 297 threads), read by
``evaluation.gold``; ``--input`` takes any file ``discourse`` reads instead.

Run as ``python -m benchmarks.bench_vs_script [--runs 3] [--data ../shared/data]``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCRIPT = Path(__file__).with_name("user_script.py")


def write_corpus(threads, folder: Path) -> tuple[Path, Path]:
    """The threads as discourse JSONL, and their texts (article + comments) one JSON string per line."""
    corpus, texts = folder / "threads.jsonl", folder / "texts.jsonl"
    with corpus.open("w", encoding="utf-8") as fc, texts.open("w", encoding="utf-8") as ft:
        for t in threads:
            fc.write(json.dumps(t.to_dict(), ensure_ascii=False) + "\n")
            for text in [t.article.text, *(c.text for c in t.comments)]:
                if text and text.strip():
                    ft.write(json.dumps(text, ensure_ascii=False) + "\n")
    return corpus, texts


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bench_vs_script: {' '.join(cmd[:4])} failed:\n{done.stderr[-2000:]}")
    return seconds


def fresh_cache(folder: Path, keep_from: Path | None) -> Path:
    """An empty embedding cache, with the exported encoder graph copied over when one exists."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    graph = keep_from / "onnx" if keep_from else None
    if graph is not None and graph.is_dir():
        shutil.copytree(graph, folder / "onnx")
    return folder


def load_input(args) -> list:
    if args.input:
        from discourse.readers import read_threads

        return read_threads([args.input])
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from evaluation.gold import load_rumoureval

    folder = Path(args.data) / "rumoureval2017-traindev"
    if not folder.is_dir():
        raise SystemExit(f"bench_vs_script: no RumourEval data at {folder} (give --data or --input)")
    return load_rumoureval(folder)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="interleaved rounds (medians are reported)")
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    ap.add_argument("--input", help="any input discourse reads, instead of RumourEval")
    ap.add_argument("--graph-from", default=os.environ.get("DISCOURSE_CACHE", str(Path.home() / ".cache" / "discourse")),
                    help="cache folder whose exported encoder graph the cold runs start with")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)

    threads = load_input(args)
    with tempfile.TemporaryDirectory(prefix="bench-vs-script-") as tmp:
        tmp = Path(tmp)
        corpus, texts = write_corpus(threads, tmp)
        n_texts = sum(1 for _ in texts.open(encoding="utf-8"))
        print(f"{len(threads)} threads, {n_texts} texts; {args.runs} interleaved rounds", file=sys.stderr)
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
        cache = tmp / "cache"
        analyze = [sys.executable, "-m", "discourse", "analyze", str(corpus), "-o", str(tmp / "out"), "--quiet"]
        times: dict[str, list[float]] = {"script": [], "cold": [], "warm": []}
        for r in range(args.runs):
            times["script"].append(timed([sys.executable, str(SCRIPT), str(texts), str(tmp / "script.csv")], env))
            fresh_cache(cache, Path(args.graph_from))
            run_env = {**env, "DISCOURSE_CACHE": str(cache)}
            times["cold"].append(timed(analyze, run_env))
            times["warm"].append(timed(analyze, run_env))
            print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()), file=sys.stderr)
    report(times, len(threads), n_texts, args.json)
    return 0


def report(times: dict[str, list[float]], n_threads: int, n_texts: int, as_json: bool) -> None:
    med = {k: statistics.median(v) for k, v in times.items()}
    ratios = {k: med[k] / med["script"] for k in ("cold", "warm")}
    if as_json:
        print(json.dumps({"threads": n_threads, "texts": n_texts, "seconds": times, "median_s": med,
                          "ratio_to_script": ratios}))
        return
    print(f"{n_threads} threads, {n_texts} texts (whole processes, median of {len(times['script'])})")
    print(f"  script (VADER + MiniLM + BERTopic): {med['script']:7.1f} s")
    for k in ("cold", "warm"):
        print(f"  discourse analyze, {k}:         {med[k]:7.1f} s   {ratios[k]:.2f}x the script")


if __name__ == "__main__":
    raise SystemExit(main())
