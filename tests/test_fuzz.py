"""The fuzzing harness: generated and hostile inputs through every command, in process.

Every run must end with its output or ``discourse: error: ...`` lines (one per bad input, the
other inputs still processed), never an internal error, a traceback, a hang (60 s per command)
or text a UTF-8 terminal cannot take; nothing may be lost: every line of a page is accounted for
(``discourse.parse.account_lines``), and analyze and triage see exactly the comments parse found.

Two sizes:

* CI (default): a few small batches, about a minute.
* nightly: ``HYPOTHESIS_PROFILE=nightly nice -n 10 python -m pytest -q -s tests/test_fuzz.py``
  runs at least 10,000 generated inputs through parse, analyze --fast and triage, and prints how
  many cases each test ran (``FUZZ_SUMMARY=FILE`` also writes them as JSON).
"""
from __future__ import annotations

import io
import json
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from discourse.cli import main
from tests.fuzz_strategies import HOSTILE, Input, any_input, mixed_batch, option_text, sentence

NIGHTLY = os.environ.get("HYPOTHESIS_PROFILE", "ci") == "nightly"
#: Hypothesis examples per test and inputs per pipeline batch, by profile.
PIPELINE_EXAMPLES, BATCH = (700, (18, 22)) if NIGHTLY else (4, (2, 8))
PIPELINE_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", PIPELINE_EXAMPLES))  # for a quick look at a new seed
#: Run every pipeline case and record failures in $FUZZ_FAILURES instead of stopping at the first.
KEEP_GOING = os.environ.get("FUZZ_KEEP_GOING") == "1"
OPTION_EXAMPLES = 300 if NIGHTLY else 10
PROPERTY_EXAMPLES = 2000 if NIGHTLY else 150
#: Seconds one command may take before it counts as a hang.
TIME_LIMIT = 60

COUNTS: Counter = Counter()
HIDDEN_IN_TERMINAL = set("\x1b\x07\x9b\u202e\u202d\u2066\u2069\u200b\u200f\ufeff\x00\x08\x7f\x85")


def fuzz_settings(examples: int, shrink: bool = True):
    phases = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if shrink else [])
    return settings(max_examples=examples, deadline=None, database=None, derandomize=not NIGHTLY,
                    suppress_health_check=list(HealthCheck), print_blob=True, phases=phases)


START = time.time()


def write_summary(final: bool = False) -> None:
    """The counts so far, in ``$FUZZ_SUMMARY`` (rewritten as the run goes) and on stderr at the end."""
    summary = dict(COUNTS, seconds=round(time.time() - START, 1), profile="nightly" if NIGHTLY else "ci")
    if final:
        sys.__stderr__.write(f"\nfuzz summary: {json.dumps(summary)}\n")
    if os.environ.get("FUZZ_SUMMARY"):
        Path(os.environ["FUZZ_SUMMARY"]).write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")


@pytest.fixture(scope="module", autouse=True)
def _summary():
    yield
    write_summary(final=True)


# -- running a command ------------------------------------------------------------------------------
class Hang(BaseException):
    """A command ran past TIME_LIMIT (a BaseException: the CLI's own handler must not catch it)."""


@dataclass
class Run:
    argv: list[str]
    code: int
    out: str
    err: str


def cli(*argv) -> Run:
    """``discourse ARGV`` in this process, its output captured and held to the contract."""
    argv = [str(a) for a in argv]
    out, err = io.StringIO(), io.StringIO()

    def alarm(signum, frame):
        raise Hang(f"discourse {' '.join(argv)} ran over {TIME_LIMIT} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(TIME_LIMIT)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse: a usage error
                code = exc.code
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    run = Run(argv, code, out.getvalue(), err.getvalue())
    check_contract(run)
    COUNTS["commands"] += 1
    return run


def check_contract(run: Run) -> None:
    where = f"discourse {' '.join(map(repr, run.argv))}\n--- stderr:\n{run.err[-3000:]}"
    assert run.code in (0, 1, 2), where
    run.out.encode("utf-8")  # strict: a lone surrogate cannot reach a UTF-8 terminal or file
    run.err.encode("utf-8")
    assert "internal error" not in run.err and "Traceback" not in run.err, where
    lines = [line for line in run.err.splitlines() if line.strip()]
    if run.code == 2:  # argparse's usage message for an option it checks itself
        assert "usage:" in run.err and "error:" in run.err, where
        return
    assert all(line.startswith("discourse: ") for line in lines), where
    assert not HIDDEN_IN_TERMINAL & set(run.err), where
    errors = [line for line in lines if line.startswith("discourse: error: ")]
    assert bool(errors) == (run.code == 1), where


def write_batch(folder: Path, batch: list[Input]) -> dict[Path, Input]:
    """Write each input under its own numbered name; returns the path each was written to."""
    placed = {}
    for i, item in enumerate(batch):
        for rel, data in item.files.items():
            first, _, rest = rel.partition("/")
            path = folder / (f"{i:03d}_{first}/{rest}" if rest else f"{i:03d}_{first}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            placed[path if not rest else path.parent] = item
    return placed


def lost_lines(page: str, thread_dict: dict) -> list[str]:
    """Lines of ``page`` that ``account_lines`` cannot find in the thread and that appear in none
    of its strings either (``account_lines`` itself misses some kept lines: issue 13, case 13)."""
    from discourse.model import Thread
    from discourse.parse import account_lines

    missing = account_lines(page, Thread.from_dict(thread_dict))
    if not missing:
        return []
    strings: list[str] = []
    stack = [thread_dict]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack += list(node.values())
        elif isinstance(node, list):
            stack += node
        elif isinstance(node, str):
            strings.append(node)
    everything = "\n".join(strings)
    flat = " ".join(everything.split())
    return [line for line in missing if line not in everything and " ".join(line.split()) not in flat]


# -- the pipeline -----------------------------------------------------------------------------------
@fuzz_settings(PIPELINE_EXAMPLES, shrink=False)  # shrinking a batch takes many minutes; the batch is printed
@given(batch=st.one_of(mixed_batch(BATCH[1]), st.lists(any_input, min_size=BATCH[0], max_size=BATCH[1])),
       triage_format=st.sampled_from(["table", "csv", "json"]))
def test_generated_inputs_through_parse_analyze_and_triage(batch, triage_format):
    if not KEEP_GOING:
        return _pipeline_case(batch, triage_format)
    try:
        _pipeline_case(batch, triage_format)
    except (AssertionError, Hang) as exc:  # recorded; test_no_failures_recorded fails at the end
        COUNTS["failed batches"] += 1
        with open(os.environ.get("FUZZ_FAILURES", "fuzz-failures.txt"), "a", encoding="utf-8") as f:
            f.write(f"{exc!r}\n{batch!r}\n\n")


def test_no_failures_recorded():
    """With FUZZ_KEEP_GOING=1 the pipeline runs all its cases and records failures; this says so."""
    assert not COUNTS["failed batches"], f"{COUNTS['failed batches']} failing batches, see $FUZZ_FAILURES"


def _pipeline_case(batch, triage_format):
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        placed = write_batch(folder, batch)
        parsed = cli("parse", folder, "--fast")
        threads = [json.loads(line) for line in parsed.out.split("\n") if line]
        assert len({t["thread_id"] for t in threads}) == len(threads)  # unique across inputs
        by_source = {}
        for t in threads:
            by_source.setdefault(t["source"], []).append(t)
        for path, item in placed.items():
            for t in by_source.get(str(path), []) if item.page is not None else []:
                assert not lost_lines(item.page, t), (path, lost_lines(item.page, t))
        if triage_format != "table":  # one terminal table per batch is enough
            table = cli("parse", folder, "--fast", "--format", "table", "--quiet")
            assert not HIDDEN_IN_TERMINAL & set(table.out)
        n_comments = sum(len(t["comments"]) for t in threads)

        out = Path(tmp) / "out"
        analyzed = cli("analyze", folder, "--fast", "--quiet", "-o", out, "--format", "csv")
        assert analyzed.code == parsed.code or not threads
        if threads:
            comments = pd.read_csv(out / "comments.csv", dtype=str, keep_default_na=False)
            assert len(comments) == n_comments
            assert not comments.duplicated(["thread_id", "comment_id"]).any()
            assert len(pd.read_csv(out / "threads.csv", dtype=str, keep_default_na=False)) == len(threads)

        queued = cli("triage", folder, "--fast", "--quiet", "--db", Path(tmp) / "q.sqlite", "--top", "0",
                     "--format", triage_format)
        assert queued.code == parsed.code or not threads
        if triage_format == "table":
            assert not HIDDEN_IN_TERMINAL & set(queued.out)
        elif triage_format == "json" and threads:
            assert len(json.loads(queued.out)) <= n_comments
    COUNTS["inputs through parse, analyze --fast and triage"] += len(batch)
    COUNTS.update(f"inputs: {item.kind}" for item in batch)
    write_summary()


# -- option values ----------------------------------------------------------------------------------
PAGE = "Peace talks\n\nThe talks failed again.\n\nalice\nThey will try again, you idiot.\nbob\nI doubt it.\n"


@st.composite
def command_line(draw, tmp: Path):
    """A command with a small valid input and option values drawn from odd ones."""
    command = draw(st.sampled_from(["parse", "analyze", "triage", "triage", "report", "compare", "decide"]))
    afile, afolder = tmp / "afile", tmp / "afolder"
    path_value = st.sampled_from([afile, afolder, tmp / "missing" / "x", afile / "under", tmp / "fresh",
                                  tmp / "fresh.sqlite", tmp / "nan.toml", tmp / "bad.toml", tmp / "ok.toml"])
    value = st.one_of(option_text, path_value.map(str), st.integers(-5, 10**12).map(str))
    options = {
        "parse": ["--format", "-o"], "analyze": ["--domain", "--skip", "--targets", "--format", "-o", "--manifest"],
        "triage": ["--top", "--format", "--db", "--config", "-o"], "report": ["--by", "--targets", "--config",
                                                                             "-o", "--manifest"],
        "compare": ["--by", "--targets", "-o"], "decide": ["--db", "--note"],
    }[command]
    argv = ["triage", "decide", draw(option_text), draw(st.sampled_from(["approve", "reject", "maybe"]))] \
        if command == "decide" else [command, tmp / "page.txt", "--fast", "--quiet"]
    for opt in draw(st.lists(st.sampled_from(options), max_size=3, unique=True)):
        argv += [opt, draw(value)]
    if command in ("analyze", "report", "compare") and "-o" not in argv:
        argv += ["-o", tmp / "out"]
    if command == "triage" and "--db" not in argv:
        argv += ["--db", tmp / "q.sqlite"]
    return argv


@fuzz_settings(OPTION_EXAMPLES)
@given(data=st.data())
def test_odd_option_values_give_output_or_one_line(data):
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "page.txt").write_text(PAGE, encoding="utf-8")
        (tmp / "afile").write_text("x", encoding="utf-8")
        (tmp / "afolder").mkdir()
        (tmp / "nan.toml").write_text("[triage]\nincivility = nan\n", encoding="utf-8")
        (tmp / "bad.toml").write_text("[triage\n", encoding="utf-8")
        (tmp / "ok.toml").write_text("[triage]\nincivility = 0.5\n", encoding="utf-8")
        argv = data.draw(command_line(tmp))
        here = os.getcwd()
        os.chdir(tmp)  # a relative option value (-o NONE, --db -1) lands in the temporary folder
        try:
            run = cli(*argv)
        finally:
            os.chdir(here)
        if run.code == 1:
            assert len([line for line in run.err.splitlines() if "error:" in line]) >= 1
    COUNTS["option command lines"] += 1


# -- cheap properties: JSON of any shape, the writers --------------------------------------------
json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
              st.sampled_from(["thread_id", "comments", "body", "parent_id", "kind", "Listing", "t1", "t3"])),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(["thread_id", "comments", "comment_id", "text",
                                                                "kind", "data", "children", "body", "parent_id",
                                                                "id", "replies", "article", "position"]) | st.text(
                                   max_size=5), children, max_size=5)),
    max_leaves=25)


@fuzz_settings(PROPERTY_EXAMPLES)
@given(value=json_value, lines=st.booleans())
def test_json_of_any_shape_is_read_or_refused_in_one_line(value, lines):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("x.jsonl" if lines else "x.json")
        items = value if lines and isinstance(value, list) else [value]
        path.write_text("\n".join(json.dumps(v) for v in items) if lines else json.dumps(value), encoding="utf-8")
        cli("parse", path, "--fast")
    COUNTS["JSON documents"] += 1


cell = st.one_of(sentence, st.sampled_from(HOSTILE), st.text(max_size=30))


@fuzz_settings(PROPERTY_EXAMPLES)
@given(cells=st.lists(cell, min_size=1, max_size=6))
def test_csv_cells_round_trip_and_never_start_a_formula(cells):
    import csv

    import pandas as pd

    from discourse.writers.safe_csv import write_csv

    with tempfile.TemporaryDirectory() as tmp:
        path = write_csv(pd.DataFrame({"text": cells, "n": range(len(cells))}), Path(tmp) / "t.csv")
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    assert len(rows) == len(cells) + 1
    for original, row in zip(cells, rows[1:]):
        assert row[0] in (original, "'" + original)
        assert not row[0].lstrip().startswith(("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20"))
    COUNTS["CSV tables"] += 1


@fuzz_settings(PROPERTY_EXAMPLES)
@given(text=cell)
def test_shown_text_hides_nothing(text):
    from discourse.report.html import esc
    from discourse.report.markdown import md
    from discourse.writers.safe_text import terminal

    assert not HIDDEN_IN_TERMINAL & set(terminal(text))
    for shown in (esc(text), md(text)):
        assert not HIDDEN_IN_TERMINAL & set(shown)
    COUNTS["shown strings"] += 1
