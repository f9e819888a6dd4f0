"""How well the parser rebuilds real threads from page text, next to simple linking baselines.

Every gold thread (:mod:`evaluation.gold`) is rendered in each layout
(:mod:`evaluation.render`) and parsed back. Two figures matter:

* **recovered**: the share of gold comments found with exactly their author and text (text
  compared with whitespace collapsed, since line wrapping and paragraph gaps are layout, not
  content). Parsed and gold comments are aligned in page order, so a comment whose twin text
  appears elsewhere in the thread cannot be matched to the wrong one.
* **parent_acc**: among recovered comments, the share whose predicted parent is the gold parent
  (both top-level counts as correct). A parent that is not a recovered comment is wrong.

The baselines run on the gold comments themselves, so they measure linking alone: everything
top-level; reply to the previous comment; reply to the most similar earlier comment (TF-IDF);
and, where the page shows a reply header, reply to the named person's latest earlier comment, or
to the one of their earlier comments most similar to the reply. They are the bar a parser's
linking has to clear to be worth anything.

The data sets: the Globe and Mail thread, RumourEval, and the held-out part of the Reddit threads
(:func:`evaluation.gold.reddit_split`; the linker's weights are fitted on the other part). After
the table, a reliability table: per data set, the links in each confidence bin, their mean
confidence and the share that is right, and the expected calibration error.

Run as ``discourse evaluate parse`` (or ``python -m evaluation.parse_eval``).
"""

from __future__ import annotations

import argparse
import difflib
import zlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from discourse.errors import log
from evaluation.gold import (
    DEFAULT_DATA_DIR,
    GLOBE_DIR,
    REDDIT_DIR,
    RUMOUREVAL_DIR,
    load_gold,
)
from evaluation.render import LAYOUTS, layout_name, render
from discourse.model import Comment, Thread

LAYOUT_NAMES = [layout_name(*lay) for lay in LAYOUTS]
BASELINES = ("base_top", "base_previous", "base_similar", "base_named", "base_named_similar")

#: The acceptance targets: recovery in every layout; parent accuracy by header layout.
TARGET_RECOVERED = 0.98
TARGET_PARENT = {"all": 0.93, "some": 0.75, "none": 0.45}
#: Nested pages with a header on every reply.
TARGET_NESTED_ALL = 0.97
#: Confidence bins of the reliability table: [0, 0.1), ..., [0.9, 1].
CONFIDENCE_BINS = 10

Parser = Callable[..., Thread]


def normalise(text: str) -> str:
    return " ".join(text.split())


def _key(c: Comment) -> tuple[str, str]:
    return (c.author or "", normalise(c.text))


def align(gold: Sequence[Comment], parsed: Sequence[Comment]) -> dict[int, int]:
    """Map gold index -> parsed index for comments with equal author and normalised text.

    An order-preserving alignment (longest matching blocks), so repeated texts such as
    "This comment has been deleted" pair up in page order rather than all with the first one.
    """
    sm = difflib.SequenceMatcher(None, [_key(c) for c in gold], [_key(c) for c in parsed], autojunk=False)
    return {a + k: b + k for a, b, size in sm.get_matching_blocks() for k in range(size)}


def score_parse(
    gold: Sequence[Comment], parsed: Sequence[Comment], examples: list[str] | None = None
) -> dict[str, int]:
    """Counts for one page: gold comments, recovered, correct parents (overall, replies, top).

    When ``examples`` is a list, a line per missed comment and per wrong parent is appended to it,
    which is what one reads first when a figure drops.
    """
    pairs = align(gold, parsed)
    by_gold_id = {c.comment_id: c for c in gold}
    gold_id_of = {parsed[j].comment_id: gold[i].comment_id for i, j in pairs.items()}
    out = dict.fromkeys(("comments", "recovered", "parent_ok", "replies", "replies_recovered",
                         "replies_ok", "top", "top_recovered", "top_ok"), 0)
    for i, g in enumerate(gold):
        kind = "top" if g.parent_id is None else "replies"
        out["comments"] += 1
        out[kind] += 1
        if i not in pairs:
            if examples is not None:
                examples.append(f"missed  {g.author}: {_head(g.text)}")
            continue
        p = parsed[pairs[i]]
        predicted = None if p.parent_id is None else gold_id_of.get(p.parent_id, "\0unmatched")
        ok = predicted == g.parent_id
        if not ok and examples is not None:
            want = by_gold_id.get(g.parent_id) if g.parent_id else None
            got = by_gold_id.get(predicted) if predicted else None
            examples.append(f"parent  {g.author}: {_head(g.text)}  ->  got {_who(got, predicted)}, "
                            f"want {_who(want, g.parent_id)}")
        out["recovered"] += 1
        out[f"{kind}_recovered"] += 1
        out["parent_ok"] += ok
        out[f"{kind}_ok"] += ok
        if p.confidence is not None:  # the reliability table: confidence against being right
            b = min(CONFIDENCE_BINS - 1, int(float(p.confidence) * CONFIDENCE_BINS))
            out[f"bin{b}_n"] = out.get(f"bin{b}_n", 0) + 1
            out[f"bin{b}_ok"] = out.get(f"bin{b}_ok", 0) + ok
            out[f"bin{b}_conf"] = out.get(f"bin{b}_conf", 0.0) + float(p.confidence)
    return out


def _head(text: str, n: int = 60) -> str:
    text = normalise(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def _who(c: Comment | None, cid: str | None) -> str:
    if cid is None:
        return "top-level"
    return f"{c.author} ({_head(c.text, 30)})" if c else "an unrecovered comment"


# -- baselines: each maps gold comments in page order (+ header names) to predicted parent ids --
def baseline_top(comments: Sequence[Comment], reply_to: Sequence[str | None]) -> list[str | None]:
    return [None] * len(comments)


def baseline_previous(comments: Sequence[Comment], reply_to: Sequence[str | None]) -> list[str | None]:
    return [None] + [c.comment_id for c in comments[:-1]]


def baseline_similar(
    comments: Sequence[Comment], reply_to: Sequence[str | None], min_sim: float = 0.0
) -> list[str | None]:
    """Most TF-IDF-similar earlier comment; top-level when no earlier comment is more than
    ``min_sim`` similar. The table uses 0 (any shared word links), the plain reading of "most
    similar"; a threshold near 0.3 trades replies for top-level comments and scores higher.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        x = TfidfVectorizer().fit_transform([c.text for c in comments])
    except ValueError:  # no word at all in the thread
        return [None] * len(comments)
    sims = (x @ x.T).tocsr()
    out: list[str | None] = []
    for i in range(len(comments)):
        row = sims.getrow(i)
        best, best_sim = None, min_sim
        for j, s in zip(row.indices, row.data):  # ties go to the later comment
            if j < i and s > min_sim and (s > best_sim or (s == best_sim and j > best)):
                best, best_sim = j, s
        out.append(comments[best].comment_id if best is not None else None)
    return out


def baseline_named(comments: Sequence[Comment], reply_to: Sequence[str | None]) -> list[str | None]:
    """Where a header names someone, their latest earlier comment; otherwise top-level."""
    latest: dict[str, str] = {}
    out: list[str | None] = []
    for c, name in zip(comments, reply_to):
        out.append(latest.get(name) if name is not None else None)
        if c.author:
            latest[c.author] = c.comment_id
    return out


def baseline_named_similar(comments: Sequence[Comment], reply_to: Sequence[str | None]) -> list[str | None]:
    """Where a header names someone, the one of their earlier comments most similar to the reply
    (TF-IDF cosine; ties to the latest); otherwise top-level."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        x = TfidfVectorizer().fit_transform([c.text for c in comments])
    except ValueError:  # no word at all in the thread
        return baseline_named(comments, reply_to)
    by_author: dict[str, list[int]] = {}
    out: list[str | None] = []
    for i, (c, name) in enumerate(zip(comments, reply_to)):
        theirs = by_author.get(name, []) if name is not None else []
        if theirs:
            sims = (x[theirs] @ x[i].T).toarray().ravel()
            best = max(range(len(theirs)), key=lambda k: (sims[k], k))
            out.append(comments[theirs[best]].comment_id)
        else:
            out.append(None)
        if c.author:
            by_author.setdefault(c.author, []).append(i)
    return out


_BASELINE_FUNCS = dict(zip(BASELINES, (baseline_top, baseline_previous, baseline_similar, baseline_named,
                                       baseline_named_similar)))


def baseline_hits(comments: Sequence[Comment], reply_to: Sequence[str | None]) -> dict[str, int]:
    """Number of gold comments each baseline links correctly."""
    return {
        name: sum(p == c.parent_id for p, c in zip(func(comments, reply_to), comments))
        for name, func in _BASELINE_FUNCS.items()
    }


# -- the run -------------------------------------------------------------------------------------
def evaluate(
    data_dir: Path | str | None = None,
    layouts: Iterable[str] = LAYOUT_NAMES,
    limit: int | None = None,
    semantic: bool = True,
    parser: Parser | None = None,
    baselines_only: bool = False,
    gold: dict[str, list[Thread]] | None = None,
    examples: int = 0,
    embedder=None,
):
    """One row per (dataset, layout) with comment-weighted scores (a pandas DataFrame).

    ``parser`` defaults to :func:`discourse.parse.parse_page`; ``gold`` (data set name -> threads)
    replaces loading from ``data_dir``. With ``baselines_only`` nothing is parsed and the parser
    columns are empty. A page the parser fails on counts as nothing recovered and is logged.
    ``examples`` > 0 adds a column ``examples``: up to that many missed comments and wrong
    parents per row, as lines for people. ``embedder`` is the sentence encoder the parser is
    given when ``semantic`` (the default parser gets one :class:`~discourse.embeddings.Embedder`
    for all pages).
    """
    import pandas as pd

    if gold is None:
        gold = load_gold(data_dir, limit)
    if parser is None and not baselines_only:
        from discourse.parse import parse_page as parser

        if semantic and embedder is None:
            from discourse.embeddings import Embedder

            embedder = Embedder()
    encoder = {"embedder": embedder} if semantic and embedder is not None else {}
    layouts = list(layouts)
    for name in layouts:
        if name not in LAYOUT_NAMES:
            raise ValueError(f"unknown layout {name!r}; choose from {', '.join(LAYOUT_NAMES)}")

    rows = []
    bins: dict[str, dict[str, float]] = {}
    for dataset, threads in gold.items():
        for name in layouts:
            order, headers, chrome = name.split("/")
            tot: dict[str, int] = {"threads": 0, "failures": 0}
            notes: list[str] = []
            for thread in threads:
                # chrome is not in the seed: a page with chrome is the plain page plus furniture
                seed = zlib.crc32(f"{thread.thread_id}|{order}|{headers}".encode())
                page = render(thread, order, headers, chrome == "chrome", seed=seed)
                tot["threads"] += 1
                _add(tot, baseline_hits(page.comments, page.reply_to))
                if baselines_only:
                    _add(tot, {"comments": len(page.comments)})
                    continue
                try:
                    parsed = parser(page.text, source=dataset, thread_id=thread.thread_id, semantic=semantic,
                                    **encoder)
                    counts = score_parse(page.comments, parsed.comments, notes)
                except Exception as exc:  # noqa: BLE001 - a crash scores zero for that page, not a dead run
                    log.warning("%s %s thread %s: parser failed: %s: %s",
                                dataset, name, thread.thread_id, type(exc).__name__, exc)
                    tot["failures"] += 1
                    notes.append(f"failed  thread {thread.thread_id}: {type(exc).__name__}: {exc}")
                    counts = score_parse(page.comments, [])
                _add(tot, counts)
            rows.append(_row(dataset, name, tot, baselines_only))
            _add(bins.setdefault(dataset, {}), {k: v for k, v in tot.items() if k.startswith("bin")})
            if examples:
                rows[-1]["examples"] = notes[:examples]
    table = pd.DataFrame(rows, columns=[
        "dataset", "layout", "threads", "comments", "recovered", "parent_acc", "parent_acc_replies",
        "parent_acc_top", "failures", *BASELINES, *(["examples"] if examples else []),
    ])
    table.attrs["reliability"] = reliability(bins)
    return table


def reliability(bins: dict[str, dict[str, float]]):
    """Per data set and confidence bin (all layouts together): links, mean confidence, share
    right; and per data set the expected calibration error (ECE: the links' weighted mean gap
    between confidence and accuracy)."""
    import pandas as pd

    rows = []
    for dataset, t in bins.items():
        total = sum(t.get(f"bin{b}_n", 0) for b in range(CONFIDENCE_BINS))
        gap = 0.0
        for b in range(CONFIDENCE_BINS):
            n = t.get(f"bin{b}_n", 0)
            if not n:
                continue
            conf, acc = t[f"bin{b}_conf"] / n, t[f"bin{b}_ok"] / n
            gap += n * abs(conf - acc)
            rows.append({"dataset": dataset, "bin": f"{b / CONFIDENCE_BINS:.1f}-{(b + 1) / CONFIDENCE_BINS:.1f}",
                         "links": n, "confidence": conf, "accuracy": acc, "ece": None})
        if total:
            rows.append({"dataset": dataset, "bin": "all", "links": total, "confidence": None, "accuracy": None,
                         "ece": gap / total})
    return pd.DataFrame(rows, columns=["dataset", "bin", "links", "confidence", "accuracy", "ece"])


def _add(total: dict[str, int], counts: dict[str, int]) -> None:
    for k, v in counts.items():
        total[k] = total.get(k, 0) + v


def _row(dataset: str, layout: str, t: dict[str, int], baselines_only: bool) -> dict:
    def share(num: str, den: str) -> float | None:
        return t.get(num, 0) / t[den] if t.get(den) else None

    n = t.get("comments", 0)
    row = {"dataset": dataset, "layout": layout, "threads": t["threads"], "comments": n,
           "failures": t["failures"]}
    if not baselines_only:
        row.update(recovered=share("recovered", "comments"), parent_acc=share("parent_ok", "recovered"),
                   parent_acc_replies=share("replies_ok", "replies_recovered"),
                   parent_acc_top=share("top_ok", "top_recovered"))
    row.update({b: t[b] / n if n else None for b in BASELINES})
    return row


def target_misses(table) -> list[str]:
    """Rows that miss an acceptance target, in words (empty when all are met)."""
    misses = []
    for r in table.itertuples():
        if r.recovered is None or r.recovered != r.recovered:  # baselines only: nothing to judge
            continue
        if r.recovered < TARGET_RECOVERED:
            misses.append(f"{r.dataset} {r.layout}: recovered {r.recovered:.4f} < {TARGET_RECOVERED}")
        want = TARGET_NESTED_ALL if r.layout.startswith("nested/all/") else TARGET_PARENT.get(r.layout.split("/")[1])
        if want is not None and (r.parent_acc or 0) < want:
            misses.append(f"{r.dataset} {r.layout}: parent_acc {r.parent_acc or 0:.4f} < {want}")
    return misses


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="discourse evaluate parse",
        description="Render real gold threads in several page layouts, parse them back and score "
                    "comment recovery and parent accuracy against linking baselines.",
    )
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                    help=f"folder holding the gold data sets (default: {DEFAULT_DATA_DIR})")
    ap.add_argument("--limit", type=int, default=None, help="at most this many threads per data set")
    ap.add_argument("--layout", action="append", choices=LAYOUT_NAMES, metavar="ORDER/HEADERS/CHROME",
                    help=f"a layout to measure (repeatable; default all): {', '.join(LAYOUT_NAMES)}")
    ap.add_argument("--dataset", action="append", choices=("globe-and-mail", "rumoureval", "reddit"),
                    help="a data set to measure (repeatable; default all; reddit is its held-out part)")
    ap.add_argument("--no-semantic", action="store_true", help="parse with semantic=False (no encoder)")
    ap.add_argument("--baselines-only", action="store_true", help="skip the parser; print the baselines")
    ap.add_argument("--csv", type=Path, help="also write the table to this CSV file")
    ap.add_argument("--examples", type=int, default=0, metavar="N",
                    help="after the table, show up to N missed comments and wrong parents per row")
    args = ap.parse_args(argv)

    gold = load_gold(args.data_dir, args.limit, reddit="test" if not args.dataset or "reddit" in args.dataset
                     else None) if args.data_dir.is_dir() else {}
    if args.dataset:
        gold = {name: threads for name, threads in gold.items() if name in args.dataset}
    if not gold:
        print(f"No gold data in {args.data_dir} (looked for {GLOBE_DIR}/, {RUMOUREVAL_DIR}/ and {REDDIT_DIR}/); "
              "nothing to evaluate. Point --data-dir at the folder holding them.")
        return 0
    table = evaluate(layouts=args.layout or LAYOUT_NAMES, semantic=not args.no_semantic,
                     baselines_only=args.baselines_only, gold=gold, examples=args.examples)
    notes = table.pop("examples") if "examples" in table else None
    if args.baselines_only:
        table = table.drop(columns=["recovered", "parent_acc", "parent_acc_replies", "parent_acc_top", "failures"])
    import pandas as pd

    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if args.csv:
        table.to_csv(args.csv, index=False)
    if notes is not None:
        for (dataset, layout), lines in zip(zip(table["dataset"], table["layout"]), notes):
            if lines:
                print(f"\n{dataset} {layout}:\n  " + "\n  ".join(lines))
    if not args.baselines_only:
        rel = table.attrs.get("reliability")
        if rel is not None and len(rel):
            print("\nReliability (confidence of a link against its being right; all layouts):")
            print(rel.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep=""))
        misses = target_misses(table)
        print("\nTargets met." if not misses else "\nTargets missed:\n  " + "\n  ".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
