"""How fast ``discourse analyze`` runs: comments/s per stage and peak memory, cold and warm.

The corpus is synthetic but English-like (comments assembled from phrases about news topics, with
tone words, questions, denials, names and links), so every stage does real work: VADER finds
sentiment words, the stance cues fire, topics have something to cluster. Two runs over the same
corpus: *cold* (a fresh embedding cache, so the encoder embeds every text) and *warm* (a new
embedder over the cache the cold run left, as a rerun would have). The encoder's time is reported
apart from everything else, since the issue's target excludes it.

Run as ``python -m benchmarks.bench_analyze [--comments 20000] [--threads 100]``.
"""
from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time

from discourse.model import Article, Comment, Thread

_SUBJECTS = ["Ukraine", "Russia", "NATO", "the government", "the minister", "the army", "this article",
             "the West", "Putin", "Zelensky", "the media", "the drone program", "the report", "Moscow",
             "Kyiv", "the EU", "the budget", "the council", "the company", "the police"]
_VERBS = ["is winning", "is losing", "lied about", "confirmed", "denied", "funded", "attacked", "supports",
          "ignored", "exaggerated", "reported", "failed at", "improved", "destroyed", "defended", "blamed"]
_OBJECTS = ["the war", "the economy", "drone production", "the front line", "the peace talks", "the sanctions",
            "energy prices", "the election", "the refugees", "the casualties", "the ceasefire", "housing",
            "the schools", "air defence", "the budget deficit", "the new factory"]
_OPENERS = ["", "", "", "Honestly, ", "No, ", "Exactly. ", "Sorry but ", "LOL ", "Great job, ", "Sadly, ",
            "I doubt that ", "Is it true that ", "Source? ", "Well said. ", "Nonsense, "]
_TAILS = ["", "", ".", "!", "!!!", "?", " :(", " :)", ". Fake news.", ". Thanks for the article.",
          ". What a disaster.", ". Brilliant reporting.", " https://example.com/story", ". Not true at all."]
_NAMES = [f"{a}{b}" for a in ("Red", "Blue", "Old", "True", "North", "Free", "Lone", "Wise", "Grim", "Sunny")
          for b in ("Fox", "Owl", "River", "Patriot", "Reader", "Voice", "Oak", "Hawk", "Lake", "Star")]


def synthetic_corpus(n_comments: int = 20_000, n_threads: int = 100, seed: int = 0) -> list[Thread]:
    rng = random.Random(seed)

    def sentence() -> str:
        return (rng.choice(_OPENERS) + f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
                + rng.choice(_TAILS))

    threads = []
    per = max(1, n_comments // n_threads)
    for k in range(n_threads):
        article = Article(title=f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}",
                          outlet=f"outlet{k % 5}", published=f"2024-{1 + k % 12:02d}-01",
                          text="\n".join(" ".join(sentence() for _ in range(3)) for _ in range(6)))
        comments = []
        for i in range(per):
            parent = rng.choice(comments[-20:]).comment_id if comments and rng.random() < 0.6 else None
            text = " ".join(sentence() for _ in range(rng.choice((1, 1, 2, 2, 3, 4))))
            comments.append(Comment(comment_id=f"c{i}", text=text, author=rng.choice(_NAMES), parent_id=parent,
                                    position=i, link="explicit" if parent else "root"))
        threads.append(Thread(thread_id=f"t{k:03d}", source="synthetic", article=article, comments=comments))
    return threads


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_core() -> None:
    """Pin this process (and torch) to one CPU, as the targets are stated for one core."""
    import os

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:  # pragma: no cover
        pass
    try:  # BLAS (numpy's matrix products) would otherwise start a thread per machine core on one CPU
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover
        pass


def fresh_process_caches() -> None:
    """Forget what this process memoised outside a run (the module-level sentence splitter), so a
    warm run measures a rerun in a new process with only the on-disk embedding cache to help it.
    (A run's own memos, the token layer's and each model's, live and die with the run.)"""
    from discourse import text

    text.forget()


def run_triage(threads, cache_dir: str, db: str) -> tuple[float, float, int]:
    """One ``discourse triage`` run as the command does it: score, then add to the SQLite queue.
    Returns wall seconds, encoder seconds and the number of comments newly queued."""
    from discourse.analysis.pipeline import Analyzer
    from discourse.analysis.triage import TRIAGE_STAGES
    from discourse.embeddings import Embedder
    from discourse.moderation.queue import ReviewQueue

    fresh_process_caches()
    embedder = Embedder(cache_dir=cache_dir)
    start = time.perf_counter()
    result = Analyzer(stages=TRIAGE_STAGES, embedder=embedder, quiet=True).run(threads)
    with ReviewQueue(db) as queue:
        added = queue.add(result.comments)
        queue.pending(limit=20)
    return time.perf_counter() - start, embedder.model_seconds, len(added["new"])


class _Recorder:
    """The encoder as the Embedder calls it, noting every text it is sent."""

    def __init__(self, model, sent: list[str]):
        self._model, self._sent = model, sent

    def encode(self, texts, *args, **kwargs):
        self._sent.extend(texts)
        return self._model.encode(texts, *args, **kwargs)


def counting_embedder(cache_dir: str):
    """An Embedder whose ``sent`` lists every text that went through the model (not the caches)."""
    from discourse.embeddings import Embedder

    class Counting(Embedder):
        sent: list[str]

        @property
        def model(self):
            return _Recorder(super().model, self.sent)

    embedder = Counting(cache_dir=cache_dir)
    embedder.sent = []
    return embedder


def token_count(texts: list[str]) -> int:
    """Word pieces the encoder reads for ``texts`` (its tokenizer, truncated as it truncates)."""
    from transformers import AutoTokenizer

    from discourse.encoders import MAX_TOKENS, model_path

    if not texts:  # a run over a full cache sends the encoder nothing
        return 0
    tok = AutoTokenizer.from_pretrained(model_path())
    return sum(len(ids) for ids in tok(list(texts), truncation=True, max_length=MAX_TOKENS)["input_ids"])


def encoded_summary(threads, sent: list[str]) -> str:
    """Texts and tokens the encoder was sent, beside the floor: each distinct post (comment or
    article paragraph) once."""
    from discourse.analysis.units import text_units

    floor = list(dict.fromkeys(t for t in text_units(threads)["text"].fillna("").tolist() if t.strip()))
    n_tok, floor_tok = token_count(sent), token_count(floor)
    return (f"encoded: {len(sent):,} texts, {n_tok:,} tokens; floor (distinct posts): {len(floor):,} texts, "
            f"{floor_tok:,} tokens ({len(sent) / max(1, len(floor)):.2f}x texts, "
            f"{n_tok / max(1, floor_tok):.2f}x tokens)")


def run_once(threads, cache_dir: str, stages=None, topic_options=None) -> tuple[float, dict[str, float], float]:
    """Wall time of one analysis, its stage timings, and the seconds spent in the encoder (model
    loading and encoding, wherever a stage asked for vectors the cache did not have)."""
    from discourse.analysis.pipeline import Analyzer

    fresh_process_caches()
    embedder = counting_embedder(cache_dir)
    start = time.perf_counter()
    result = Analyzer(embedder=embedder, quiet=True, stages=stages, topic_options=topic_options).run(threads)
    run_once.sent = embedder.sent
    return time.perf_counter() - start, result.timings, embedder.model_seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--comments", type=int, default=20_000)
    ap.add_argument("--threads", type=int, default=100)
    ap.add_argument("--warm-runs", type=int, default=3, help="warm runs (the median is reported)")
    ap.add_argument("--one-core", action="store_true", help="pin the process and torch to one CPU")
    ap.add_argument("--input", help="analyse these threads (any input discourse reads) instead of the synthetic corpus")
    ap.add_argument("--cache-dir", help="embedding cache to use and keep (default: a fresh temporary one)")
    ap.add_argument("--triage", action="store_true",
                    help="time `discourse triage` (scoring and the SQLite queue) instead of the full analysis")
    ap.add_argument("--refit-topics", action="store_true",
                    help="fit topics in every run (warm runs otherwise read the first run's fitted topics back)")
    args = ap.parse_args(argv)
    if args.one_core:
        one_core()

    if args.input:
        from discourse.readers import read_threads

        threads = read_threads([args.input])
    else:
        threads = synthetic_corpus(args.comments, args.threads)
    n = sum(len(t.comments) for t in threads)
    print(f"{'corpus' if args.input else 'synthetic corpus'}: {len(threads)} threads, {n} comments, "
          f"{sum(len(t.article.paragraphs()) for t in threads)} article paragraphs")
    if args.triage:
        with tempfile.TemporaryDirectory(prefix="discourse-bench-") as tmp:
            cache = args.cache_dir or tmp
            cold = run_triage(threads, cache, f"{tmp}/cold.sqlite")
            warm = [run_triage(threads, cache, f"{tmp}/warm{k}.sqlite") for k in range(max(1, args.warm_runs))]
        w = statistics.median(r[0] for r in warm)
        print(f"triage, first run{' (cache given)' if args.cache_dir else ', cold cache'}: {cold[0]:.1f} s (encoder {cold[1]:.1f} s), {cold[2]} comments queued")
        print(f"triage, warm cache (median of {len(warm)}, each into a new queue): {w:.1f} s "
              f"({n / w:,.0f} comments/s; encoder {statistics.median(r[1] for r in warm):.1f} s)")
        print(f"peak memory (RSS): {_peak_rss_mb():,.0f} MB")
        return 0
    with tempfile.TemporaryDirectory(prefix="discourse-bench-") as tmp:
        cache = args.cache_dir or tmp
        topic_options = {"cache_dir": None} if args.refit_topics else None
        cold_total, cold, cold_model = run_once(threads, cache, topic_options=topic_options)
        cold_sent = run_once.sent
        warm = [run_once(threads, cache, topic_options=topic_options) for _ in range(max(1, args.warm_runs))]
    warm_total = statistics.median(w[0] for w in warm)
    stages = list(cold)
    print(f"\n{'stage':<14}{'cold s':>9}{'warm s':>9}{'warm comments/s':>17}")
    for s in stages:
        w = statistics.median(r[1][s] for r in warm)
        print(f"{s:<14}{cold[s]:>9.2f}{w:>9.2f}{(n / w if w else float('inf')):>17,.0f}")
    cold_rest = cold_total - cold_model
    warm_rest = statistics.median(r[0] - r[2] for r in warm)
    first = "first run (cache given)" if args.cache_dir else "cold run"
    print(f"\n{first}: {cold_total:.1f} s total ({n / cold_total:,.0f} comments/s); "
          f"encoder (loading and encoding) {cold_model:.1f} s; everything else {cold_rest:.1f} s "
          f"({n / cold_rest:,.0f} comments/s)")
    print(f"warm run (median of {len(warm)}): {warm_total:.1f} s total ({n / warm_total:,.0f} comments/s); "
          f"encoder {statistics.median(r[2] for r in warm):.1f} s; everything but the encoder {warm_rest:.1f} s "
          f"({n / warm_rest:,.0f} comments/s)")
    print(f"warm / cold speed-up: {cold_total / warm_total:.1f}x")
    print(f"{first}, {encoded_summary(threads, cold_sent)}")
    print(f"peak memory (RSS): {_peak_rss_mb():,.0f} MB")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
