"""How fast the parser reads a large page: MB/s and comments/s, median over several runs.

Real comment sections top out at a few thousand comments, but a corpus export or a careless paste
can be tens of megabytes, and the parser must stay linear. The page is synthetic (pseudo-random
names, multi-line comments from a made-up vocabulary, reply headers on some replies, page chrome),
built in memory with the evaluation renderer, so the run needs no data and is reproducible.
The semantic pass (sentence encoder) is timed separately on a smaller page, after a warm-up parse
that loads the encoder, since its cost is of another order.

Run as ``python -m benchmarks.bench_parse [--mb 30] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from evaluation.render import render
from discourse.model import Article, Comment, Thread

_SYLLABLES = ("ka", "lo", "mi", "ren", "tu", "sha", "vel", "dor", "an", "bri", "ex", "qui", "zo",
              "pa", "gre", "ton", "li", "mar", "os", "fen", "u", "ha", "ne", "sk", "ol", "wyn")
_FUNCTION_WORDS = ("the", "a", "of", "to", "and", "is", "in", "that", "it", "for", "not", "on",
                   "with", "as", "you", "this", "but", "they", "are", "be", "was", "have", "what")


def synthetic_thread(target_bytes: int, seed: int = 0) -> Thread:
    """A thread whose rendered page is about ``target_bytes`` long (UTF-8, with chrome)."""
    rng = random.Random(seed)

    def word() -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4)))

    vocabulary = [word() for _ in range(3000)] + list(_FUNCTION_WORDS) * 40
    names = sorted({(word().capitalize() + rng.choice(("", " " + word().capitalize(), str(rng.randint(1, 999)))))
                    for _ in range(max(50, target_bytes // 4000))})

    def paragraph() -> str:
        sentences = []
        for _ in range(rng.randint(1, 3)):
            words = rng.choices(vocabulary, k=rng.randint(5, 22))
            sentences.append(" ".join(words).capitalize() + rng.choice(".!?."))
        return " ".join(sentences)

    article = Article(title="A synthetic article for timing the parser", published="2024-01-01",
                      text="\n".join(paragraph() for _ in range(8)))
    t = datetime(2024, 1, 1, tzinfo=UTC)
    comments: list[Comment] = []
    size = 0
    while size < target_bytes:
        t += timedelta(seconds=rng.randint(5, 600))
        # a reply goes to one of the recent comments, as conversations stay local
        parent = rng.choice(comments[-30:]).comment_id if comments and rng.random() < 0.6 else None
        sep = rng.choice(("\n", "\n\n"))
        text = sep.join(paragraph() for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))))
        comments.append(Comment(comment_id=f"c{len(comments)}", text=text, author=rng.choice(names),
                                parent_id=parent, position=len(comments), timestamp=t.isoformat()))
        size += len(text) + 60  # text, author, header and chrome lines
    return Thread(thread_id="bench", source="synthetic", article=article, comments=comments)


def synthetic_page(target_mb: float, seed: int = 0) -> tuple[str, int]:
    """Page text of about ``target_mb`` megabytes and its number of comments."""
    thread = synthetic_thread(int(target_mb * 1e6), seed)
    page = render(thread, order="chronological", headers="some", chrome=True, seed=seed, style="news")
    return page.text, len(thread.comments)


def time_parse(parse: Callable, text: str, runs: int, semantic: bool, **options) -> tuple[list[float], int]:
    """Wall times of ``runs`` parses and the number of comments the last one found (``options``
    go to ``parse``: the encoder, for one)."""
    times, found = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        thread = parse(text, source="bench", thread_id="bench", semantic=semantic, **options)
        times.append(time.perf_counter() - start)
        found = len(thread.comments)
    return times, found


def _report(label: str, text: str, n: int, times: list[float], found: int) -> None:
    mb = len(text.encode("utf-8")) / 1e6
    med = statistics.median(times)
    print(f"{label}: {mb:.1f} MB, {n} comments ({found} parsed); median of {len(times)} run(s) "
          f"{med:.2f} s -> {mb / med:.2f} MB/s, {n / med:,.0f} comments/s "
          f"(runs: {', '.join(f'{x:.2f}' for x in times)})")


def main(argv: Sequence[str] | None = None, parse: Callable | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_parse",
                                 description="Time parse_page on a large synthetic page.")
    ap.add_argument("--mb", type=float, default=30.0, help="size of the page for semantic=False (MB)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs; the median is reported")
    ap.add_argument("--semantic-mb", type=float, default=1.0, help="size of the page for semantic=True (MB)")
    ap.add_argument("--semantic-runs", type=int, default=1, help="timed runs with semantic=True")
    ap.add_argument("--no-semantic", action="store_true", help="skip the semantic=True timing")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    encoder = {}  # the default parser gets one encoder for the warm-up and the timed runs
    if parse is None:
        from discourse.embeddings import Embedder
        from discourse.parse import parse_page as parse

        encoder = {"embedder": Embedder()}

    start = time.perf_counter()
    text, n = synthetic_page(args.mb, args.seed)
    print(f"built a {len(text) / 1e6:.1f} MB page with {n} comments in {time.perf_counter() - start:.1f} s")
    times, found = time_parse(parse, text, args.runs, semantic=False)
    _report("semantic=False", text, n, times, found)
    del text

    if not args.no_semantic:
        small, n_small = synthetic_page(args.semantic_mb, args.seed + 1)
        warm, _ = time_parse(parse, synthetic_page(0.01, args.seed + 2)[0], 1, semantic=True, **encoder)
        print(f"semantic=True warm-up (loads the encoder): {warm[0]:.2f} s")
        times, found = time_parse(parse, small, args.semantic_runs, semantic=True, **encoder)
        _report("semantic=True", small, n_small, times, found)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
