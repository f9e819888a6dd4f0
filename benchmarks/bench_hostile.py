"""How long each analysis takes on hostile or bulky input: median seconds over runs, per case.

The tests check what these inputs give (a megabyte line without a full stop, a megabyte of
handles, dense figures, a 1,000-comment thread); how long they take is measured here, where a busy
machine makes a slow run a number to look at rather than a failed test. Every case runs without
the sentence encoder.

Run as ``python -m benchmarks.bench_hostile [--runs 5] [--only claims,framing]``.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd


def _units(texts: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"thread_id": "t1", "comment_id": [f"c{i}" for i in range(len(texts))], "paragraph": -1,
                         "parent_id": None, "author": [f"a{i}" for i in range(len(texts))], "text": texts})


def _claims() -> Callable[[], object]:
    from discourse.analysis.claims import ClaimExtractor

    ex = ClaimExtractor()
    texts = [("1,234," * 170_000)[:1_000_000], "7" * 1_000_000, "1." * 500_000, "1,2" * 330_000,
             "killed 12 soldiers, " * 10_000]
    return lambda: [ex.extract(t) for t in texts]


def _coordination() -> Callable[[], object]:
    from discourse.analysis.coordination import Coordination

    frame = _units(["@" * 500_000 + "http://" + "a" * 500_000])
    return lambda: Coordination(use_embeddings=False).transform(frame)


def _framing_line() -> Callable[[], object]:
    from discourse.analysis.framing import FrameTagger

    line = ("What about the brutal so-called 'plan'?! Either way or " * 20000)[:1_000_000]
    text = line.replace(".", " ").replace("?", " ").replace("!", " ") + " (((( [[[ \"\"\" " + "a" * 10000
    tagger = FrameTagger()
    return lambda: tagger.tag_text(text)


def _framing_1000() -> Callable[[], object]:
    from discourse.analysis.framing import FrameTagger

    comment = ("I never once read about a drone factory being hit, so what is this article about? "
               "The Western media assured us Russia only attacks nursery homes. More power to them.")
    units = _units([f"{comment} #{i}" for i in range(1000)])
    tagger = FrameTagger()
    return lambda: tagger.transform(units)


def _incivility_line() -> Callable[[], object]:
    from discourse.analysis.incivility import Incivility

    line = (("you idiot!!! " + "a" * 40 + " f*ck,,, sh1t " + "x" * 3000 + " ") * 300)[:1_000_000]
    inc = Incivility()
    return lambda: inc.score([line])


def _incivility_4000() -> Callable[[], object]:
    from discourse.analysis.incivility import Incivility

    texts = [f"Comment {i}: I think the budget figures are off, you clown, and the minister knows it. "
             "The deficit will grow next year whatever the party says." for i in range(4000)]
    inc = Incivility()
    return lambda: inc.score(texts)


def _narratives() -> Callable[[], object]:
    from discourse.analysis.narratives import NarrativeMatcher

    units = _units([("kiev " * 50_000 + "a" * 500_000)[:1_000_000]])
    matcher = NarrativeMatcher(use_embeddings=False)
    return lambda: matcher.transform(units)


def _quotes() -> Callable[[], object]:
    from discourse.parse.quotes import quoted_passages

    texts = (" 'a" * 400_000, '"' * 1_000_000, ("\"" + "word " * 100) * 5000)
    return lambda: [quoted_passages(t) for t in texts]


def _reply_stance() -> Callable[[], object]:
    from discourse.analysis.reply_stance import ReplyStance

    model = ReplyStance(use_embeddings=False)
    return lambda: model.predict(["no " * 300_000 + "fake?"], ["a" * 1_000_000])


def _target_stance() -> Callable[[], object]:
    from discourse.analysis.target_stance import TargetStance

    line = ("Russia 'liberated' the town, the Kiev regime says, yeah right, NATO is a joke and Putin's "
            "media lies about civilians \"so called\" ") * 8000
    frame = _units([line[:1_000_000] + " x" + "a" * 50_000 + "'" * 1000 + '"' * 1000, "Russia is winning."])
    model = TargetStance(salient_entities=3)
    return lambda: model.transform(frame)


def _sentences() -> Callable[[], object]:
    from discourse.text import sentence_spans

    text = ("word. " * 200_000)[:1_000_000]
    return lambda: sentence_spans(text)


def _report() -> Callable[[], object]:
    from discourse.model import Article, Comment, Thread
    from discourse.report import write_reports

    comments = [Comment(f"c{i}", f"Comment {i} says \"quoted\" <b>&amp; things.", author=f"a{i % 40}",
                        parent_id=f"c{i // 3}" if i else None, position=i) for i in range(1000)]
    thread = Thread("big", "b.txt", Article(title="T", text="A sentence here. Another one."), comments)
    out = Path(tempfile.mkdtemp(prefix="bench_hostile_"))
    return lambda: write_reports([thread], None, out, quiet=True)


CASES: dict[str, Callable[[], Callable[[], object]]] = {
    "claims: megabyte lines and 10,000 dense figures": _claims,
    "coordination: a megabyte of handles and a link": _coordination,
    "framing: a megabyte line": _framing_line,
    "framing: 1,000 comments": _framing_1000,
    "incivility: a megabyte line": _incivility_line,
    "incivility: 4,000 comments": _incivility_4000,
    "narratives (cues): a megabyte line": _narratives,
    "parse quotes: three hostile megabyte lines": _quotes,
    "reply stance: a megabyte reply and parent": _reply_stance,
    "target stance: a megabyte line": _target_stance,
    "sentences: a megabyte of 'word.'": _sentences,
    "report: a 1,000-comment thread": _report,
}


def bench(runs: int = 5, only: tuple[str, ...] = ()) -> dict[str, float]:
    """Median seconds per case (after one warm-up call that builds models and memos)."""
    out = {}
    for name, make in CASES.items():
        if only and not any(o in name for o in only):
            continue
        call = make()
        call()
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        out[name] = round(statistics.median(times), 3)
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", default="", help="comma-separated parts of case names (e.g. claims,framing)")
    args = ap.parse_args(argv)
    only = tuple(o.strip() for o in args.only.split(",") if o.strip())
    for name, seconds in bench(args.runs, only).items():
        print(f"{seconds:8.3f} s  median of {args.runs}  {name}")


if __name__ == "__main__":
    main()
