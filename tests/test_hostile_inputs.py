"""Regression tests for the defects of issue 13 (hostile and odd inputs), one or more per case.

Each test failed before its fix. The generated cases are in ``tests/test_fuzz.py``.
"""
from __future__ import annotations

import json

import pytest

from discourse.cli import main


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("discourse: error: ") and "internal error" not in lines[0], err
    return lines[0]


def write_csv_thread(path, rows, header="thread_id,comment_id,parent_id,author,text"):
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


# -- case 2: one all-caps token of 61+ characters ------------------------------------------------
def test_long_capitalised_token_is_scored_not_fatal():
    from discourse.analysis.incivility import load

    model = load()
    model.use_embeddings = False
    scores = model.score(["A" * 61, "HELLO " + "B" * 200 + " there", "fine words"])
    assert len(scores) == 3
    assert scores["incivility"].between(0, 1).all()


def test_a_comment_that_cannot_be_scored_gets_a_reason(monkeypatch):
    from discourse.analysis import incivility

    model = incivility.load()
    model.use_embeddings = False
    real = model.cues.reader.features

    def brittle(text):
        if "boom" in text:
            raise ValueError("odd text")
        return real(text)

    monkeypatch.setattr(model.cues.reader, "features", brittle)
    scores = model.score(["you idiot", "boom", "fine"])
    assert len(scores) == 3
    assert scores["incivility_reasons"][1].startswith("not scored (ValueError: odd text)")
    assert scores["incivility"][0] > scores["incivility"][2]


# -- case 10: keyword topics on repeated words ---------------------------------------------------
def test_keyword_topics_with_repeated_words():
    from discourse.analysis.topics import keywords, stop_words

    words = keywords(["spam spam spam", "spam spam"], stop_words())
    assert "spam" in words


# -- case 14: the topics note under --fast --------------------------------------------------------
def test_fast_topics_note_does_not_claim_a_billion_texts_are_needed():
    import pandas as pd

    from discourse.analysis.pipeline import Analyzer
    from discourse.model import Comment, Thread

    thread = Thread(thread_id="t", source="t", comments=[Comment(comment_id=str(i), text=f"word{i} peace talks")
                                             for i in range(5)])
    result = Analyzer(stages=["topics"], use_embeddings=False, quiet=True).run([thread])
    note = " ".join(result.notes)
    assert "1000000000" not in note and "--fast" in note
    assert isinstance(result.tables["topics"], pd.DataFrame)


# -- case 3: CSV cells with CR/LF and formulas behind white space ---------------------------------
@pytest.mark.parametrize("cell", ["Nice article\r=cmd|' /C calc'!A0", " =1+1", "\n=1+1", "\r\n@SUM(A1)", "\t-2+3"])
def test_csv_cell_stays_one_cell_and_is_never_a_formula(tmp_path, cell):
    import csv

    import pandas as pd

    from discourse.writers.safe_csv import write_csv

    path = write_csv(pd.DataFrame({"text": [cell, "plain"], "n": [1, -2]}), tmp_path / "t.csv")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert len(rows) == 3, rows
    for row in rows[1:]:
        assert not row[0].lstrip().startswith(("=", "+", "-", "@")), row
    assert rows[1][0].lstrip("'") == cell
    assert rows[2] == ["plain", "-2"]


# -- case 5: special files and the size limit -----------------------------------------------------
@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_without_waiting(tmp_path, capsys):
    import os

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    code, out, err = run(["parse", fifo, "--fast"], capsys)
    assert code == 1 and "not a regular file" in one_error_line(err)


@pytest.mark.skipif(not __import__("os").path.exists("/dev/zero"), reason="no /dev/zero")
def test_dev_zero_is_refused(capsys):
    code, out, err = run(["parse", "/dev/zero", "--fast"], capsys)
    assert code == 1 and "not a regular file" in one_error_line(err)


def test_size_limit_reads_bytes_not_the_claimed_size(tmp_path):
    from discourse.errors import InputError
    from discourse.readers.text import read_text

    page = tmp_path / "p.txt"
    page.write_bytes(b"x" * 3000)
    assert len(read_text(page, max_bytes=3000)) == 3000
    with pytest.raises(InputError, match="over the 0 MB limit"):
        read_text(page, max_bytes=2999)


def test_size_message_uses_the_readme_megabytes(tmp_path):
    from discourse.readers.text import MAX_BYTES, _too_big

    msg = _too_big(tmp_path / "big.txt", 629 * 1024 * 1024, MAX_BYTES)
    assert "629 MB" in msg and "512 MB limit" in msg


# -- case 6: deep JSON ----------------------------------------------------------------------------
def reddit_chain(depth: int) -> str:
    """A Reddit comments export whose replies nest ``depth`` deep, written without recursion."""
    post = '{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": "p", "name": "t3_p", "title": "T"}}]}}'
    head, tail = [], []
    for i in range(depth):
        parent = f"t1_c{i - 1}" if i else "t3_p"
        head.append('{"kind": "t1", "data": {"id": "c%d", "parent_id": "%s", "link_id": "t3_p", "author": "u%d", '
                    '"body": "reply %d", "replies": {"kind": "Listing", "data": {"children": [' % (i, parent, i % 7, i))
        tail.append("]}}}}")
    return "[" + post + ', {"kind": "Listing", "data": {"children": [' + "".join(head) + "".join(tail) + "]}}]"


def test_reddit_reply_chain_200_deep(tmp_path, capsys):
    path = tmp_path / "chain.json"
    path.write_text(reddit_chain(200), encoding="utf-8")
    code, out, err = run(["parse", path, "--quiet"], capsys)
    assert code == 0, err
    thread = json.loads(out)
    assert len(thread["comments"]) == 200
    assert thread["comments"][-1]["parent_id"] == "c198"


@pytest.mark.parametrize("text", ["[" * 100_000, '{"a":' * 50_000])
def test_absurdly_deep_json_is_one_line(tmp_path, capsys, text):
    path = tmp_path / "deep.json"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(["parse", path], capsys)
    assert code == 1 and "nested" in one_error_line(err)


# -- case 7: lone surrogates ----------------------------------------------------------------------
def test_lone_surrogate_is_replaced_with_a_warning(tmp_path, capsys):
    path = tmp_path / "s.json"
    path.write_text('{"thread_id": "t\\ud800", "comments": [{"comment_id": "1", "text": "a\\udc00b \\ud83d\\ude00"}]}',
                    encoding="utf-8")
    code, out, err = run(["parse", path], capsys)
    assert code == 0
    out.encode("utf-8")  # strict: a lone surrogate cannot be written to a UTF-8 terminal or file
    thread = json.loads(out)
    assert thread["thread_id"] == "t\ufffd"
    assert thread["comments"][0]["text"] == "a\ufffdb \U0001f600"
    assert "surrogate" in err and "warning" in err


# -- case 1: duplicate thread ids; a report never reads its own outputs ---------------------------
CSV_THREAD = ["t,1,,alice,The talks in Geneva failed again.", "t,2,1,bob,They never wanted peace talks anyway."]


def test_same_thread_in_two_folders_gets_unique_ids(tmp_path, capsys):
    import pandas as pd

    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        write_csv_thread(tmp_path / folder / "x.csv", CSV_THREAD)
    code, out, err = run(["analyze", tmp_path / "a", tmp_path / "b", "--fast", "-o", tmp_path / "out",
                          "--format", "csv"], capsys)
    assert code == 0, err
    threads = pd.read_csv(tmp_path / "out" / "threads.csv")
    assert sorted(threads["thread_id"]) == ["t", "t~2"]
    assert len(pd.read_csv(tmp_path / "out" / "comments.csv")) == 4
    assert "renamed 't~2'" in err


def test_report_twice_in_a_row_gives_the_same_report(tmp_path, capsys, monkeypatch):
    write_csv_thread(tmp_path / "x.csv", CSV_THREAD)
    (tmp_path / "page.txt").write_text("Peace talks\n\nThe talks failed.\n\nalice\nThey will try again.\n",
                                       encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    outputs = []
    for _ in range(2):
        code, out, err = run(["report", ".", "-o", "reports", "--fast", "--quiet"], capsys)
        assert code == 0, err
        outputs.append(((tmp_path / "reports" / "index.md").read_text(encoding="utf-8"),
                        (tmp_path / "reports" / "tables" / "threads.csv").read_text(encoding="utf-8"),
                        (tmp_path / "reports" / "tables" / "comments.csv").read_text(encoding="utf-8")))
    assert outputs[0] == outputs[1]
    assert outputs[1][1].count("\n") == 1 + 2  # a header and the two threads, not their reports read back


# -- case 8: one bad path does not abort the others -----------------------------------------------
PAGE = "Peace talks\n\nThe talks failed.\n\nalice\nThey will try again.\nbob\nI doubt it.\n"


def test_missing_path_does_not_stop_the_other_inputs(tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text(PAGE, encoding="utf-8")
    out_file = tmp_path / "out.jsonl"
    code, out, err = run(["parse", good, tmp_path / "nonexistent.txt", "-o", out_file, "--fast"], capsys)
    assert code == 1
    assert "no such file" in one_error_line(err)
    assert len(out_file.read_text(encoding="utf-8").splitlines()) == 1


def test_unreadable_subfolder_is_reported_and_skipped(tmp_path, capsys, monkeypatch):
    import os

    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "good.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "x.txt").write_text(PAGE, encoding="utf-8")
    real = os.scandir

    def scandir(path="."):
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, out, err = run(["parse", tmp_path, "--fast"], capsys)
    assert code == 1
    assert "locked" in one_error_line(err) and "Permission denied" in err
    assert len(out.splitlines()) == 1


# -- case 12 (folders) and 14 (messages) -----------------------------------------------------------
def test_empty_folder_and_folder_of_unknown_files_are_reported(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    (tmp_path / "unknown").mkdir()
    (tmp_path / "unknown" / "notes.docx").write_text("not an input", encoding="utf-8")
    for folder in ("empty", "unknown"):
        code, out, err = run(["parse", tmp_path / folder], capsys)
        assert code == 1 and "no input files" in one_error_line(err) and out == ""


def test_convokit_folder_without_utterances_says_so(tmp_path, capsys):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "conversations.json").write_text("{}", encoding="utf-8")
    code, out, err = run(["parse", tmp_path / "corpus"], capsys)
    assert code == 1 and "utterances.jsonl" in one_error_line(err) and "unknown shape" not in err


def test_decide_on_a_missing_queue_does_not_create_it(tmp_path, capsys):
    db = tmp_path / "nothing.sqlite"
    code, out, err = run(["triage", "decide", "abc", "approve", "--db", db], capsys)
    assert code == 1 and "no queue database" in one_error_line(err)
    assert not db.exists()


# -- case 15: file names that differ only in case -------------------------------------------------
def test_thread_ids_differing_in_case_get_distinct_file_names():
    from discourse.report.view import safe_name

    taken: set[str] = set()
    names = [safe_name(t, taken) for t in ("index", "INDEX", "Index", "a", "A")]
    assert len({n.lower() for n in names} | {"index", "compare"}) == len(names) + 2


# -- case 12: no silent coercion; odd Reddit shapes ---------------------------------------------
@pytest.mark.parametrize("thread", [
    {"thread_id": {"x": 1}, "comments": [{"comment_id": "1", "text": "x"}]},
    {"thread_id": None, "comments": [{"comment_id": "1", "text": "x"}]},
    {"thread_id": "t", "comments": [{"comment_id": "1", "text": ["a", "b"]}]},
    {"thread_id": "t", "comments": [{"comment_id": ["1"], "text": "a"}]},
    {"thread_id": "t", "comments": [{"comment_id": "1", "text": "a", "author": True}]},
])
def test_wrongly_typed_values_are_refused_not_stringified(tmp_path, capsys, thread):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(thread), encoding="utf-8")
    code, out, err = run(["parse", path], capsys)
    assert code == 1 and "must be text or a number" in one_error_line(err) or "null" in err
    assert "{'x'" not in out and "None" not in out


def test_position_beyond_float_range_is_one_line(tmp_path, capsys):
    path = tmp_path / "t.json"
    path.write_text('{"thread_id": "t", "comments": [{"comment_id": "1", "text": "x", "position": 1e400}]}',
                    encoding="utf-8")
    code, out, err = run(["parse", path], capsys)
    assert code == 1 and "position" in one_error_line(err)


def test_csv_with_two_text_columns_is_refused(tmp_path, capsys):
    path = write_csv_thread(tmp_path / "two.csv", ["t,1,,a,one,two"],
                            header="thread_id,comment_id,parent_id,author,text,text")
    code, out, err = run(["parse", path], capsys)
    assert code == 1 and "'text' appears twice" in one_error_line(err)


@pytest.mark.parametrize("data", [
    {"kind": "Listing", "data": {"children": [{"kind": "t5", "data": {"display_name": "x"}}]}},
    {"kind": "Listing", "data": {"children": "nope"}},
    [{"kind": "Listing", "data": {"children": []}}],
])
def test_reddit_json_of_an_unexpected_shape_is_reported(tmp_path, capsys, data):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = run(["parse", path], capsys)
    assert code == 1 and "Reddit JSON" in one_error_line(err) and out == ""


def test_reddit_body_of_the_wrong_type_is_refused(tmp_path, capsys):
    path = tmp_path / "r.json"
    path.write_text(json.dumps([{"body": ["a"], "parent_id": "t3_p", "link_id": "t3_p", "id": "c1"}]),
                    encoding="utf-8")
    code, out, err = run(["parse", path], capsys)
    assert code == 1 and "'body' must be text" in one_error_line(err)


# -- case 11: option errors are one line ----------------------------------------------------------
def test_config_that_is_a_folder_or_not_finite(tmp_path, capsys):
    page = tmp_path / "p.txt"
    page.write_text(PAGE, encoding="utf-8")
    bad = tmp_path / "nan.toml"
    bad.write_text("[triage]\nincivility = nan\n", encoding="utf-8")
    for config, words in ((tmp_path, "is a folder"), (bad, "finite number")):
        code, out, err = run(["triage", page, "--fast", "--db", tmp_path / "q.sqlite", "--config", config], capsys)
        assert code == 1 and words in one_error_line(err)


@pytest.mark.parametrize("domain", ["nope", "../../x", "/etc/passwd", "..\\x"])
def test_unknown_or_path_like_domain_is_one_line(tmp_path, capsys, domain):
    page = tmp_path / "p.txt"
    page.write_text(PAGE, encoding="utf-8")
    code, out, err = run(["analyze", page, "--fast", "-o", tmp_path / "out", "--domain", domain], capsys)
    assert code == 1 and "no such domain pack" in one_error_line(err)


def test_packaged_data_names_cannot_leave_the_data_folder():
    from discourse.errors import DiscourseError
    from discourse.resources import data_path, load_json

    assert data_path("domains", "russia_ukraine.json").is_file()
    for parts in (("domains", "../../x.json"), ("..", "cli.py"), ("domains", "/etc/passwd")):
        with pytest.raises(DiscourseError):
            data_path(*parts)
    with pytest.raises(DiscourseError):
        load_json("domains", "../scoring.toml")


def test_output_paths_that_cannot_work(tmp_path, capsys):
    page = tmp_path / "p.txt"
    page.write_text(PAGE, encoding="utf-8")
    a_file = tmp_path / "afile"
    a_file.write_text("x", encoding="utf-8")
    cases = [
        (["parse", page, "-o", tmp_path / "missing" / "x.jsonl"], "does not exist"),
        (["parse", page, "-o", tmp_path], "is a folder"),
        (["analyze", page, "--fast", "-o", a_file], "is a file"),
        (["triage", page, "--fast", "--db", a_file / "q.sqlite"], "is a file"),
        (["triage", page, "--fast", "--db", tmp_path], "is a folder"),
    ]
    for argv, words in cases:
        code, out, err = run(argv, capsys)
        assert code == 1 and words in one_error_line(err), argv


def test_truncated_embedding_cache_shard_is_dropped_and_rebuilt(tmp_path, caplog):
    import numpy as np

    from discourse.embeddings import Embedder

    class Model:
        calls = 0

        def encode(self, texts, **kwargs):
            Model.calls += 1
            return np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)

    Embedder(model=Model(), cache_dir=tmp_path).encode(["peace", "talks"])
    (shard,) = (tmp_path / "embeddings").rglob("*.npz")
    shard.write_bytes(shard.read_bytes()[:-40])  # cut short: a zip without its directory
    again = Embedder(model=Model(), cache_dir=tmp_path)
    assert again.encode(["peace", "talks"]).shape == (2, 3)
    assert "damaged" in caplog.text and "rebuilt" in caplog.text
    (rebuilt,) = (tmp_path / "embeddings").rglob("*.npz")
    calls = Model.calls
    assert Embedder(model=Model(), cache_dir=tmp_path).encode(["peace", "talks"]).shape == (2, 3)
    assert Model.calls == calls  # served from the rebuilt shard


# -- case 9: terminal escape injection ------------------------------------------------------------
HIDDEN = ["\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\u200b", "\ufeff", "\x00"]


def hostile_csv(path):
    rows = ['t\x1b]0;pwn\x07,1,,"eve\x1b[2J\x1b[H","You idiot \u202eevil\u202c and \u200bhidden\x07 \x9b31m"',
            't\x1b]0;pwn\x07,2,1,bob\u2066x,"Nobody asked you, \x1b[31mred\x1b[0m"']
    return write_csv_thread(path, rows)


def test_terminal_output_shows_control_characters(tmp_path, capsys):
    path = hostile_csv(tmp_path / "h.csv")
    code, out, err = run(["triage", path, "--fast", "--db", tmp_path / "q.sqlite", "--quiet"], capsys)
    assert code == 0, err
    assert "[U+001B]" in out and "eve" in out
    code, table, err = run(["parse", path, "--format", "table"], capsys)
    assert code == 0, err
    for text in (out, table, err):
        assert not any(c in text for c in HIDDEN), repr(text)


def test_error_lines_show_control_characters(tmp_path, capsys):
    code, out, err = run(["parse", tmp_path / "no\x1b[2Jsuch.txt"], capsys)
    assert code == 1 and "[U+001B]" in one_error_line(err) and "\x1b" not in err


# -- case 15: bidi, zero-width and control characters in HTML and Markdown ------------------------
def test_reports_neutralise_bidi_zero_width_and_control_characters(tmp_path, capsys):
    path = hostile_csv(tmp_path / "h.csv")
    code, out, err = run(["report", path, "-o", tmp_path / "rep", "--fast", "--quiet"], capsys)
    assert code == 0, err
    pages = list((tmp_path / "rep").glob("*.html")) + list((tmp_path / "rep").glob("*.md"))
    assert len(pages) >= 4
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not any(c in text for c in HIDDEN), (page.name, [c for c in HIDDEN if c in text])
    thread_page = next(p for p in pages if p.suffix == ".html" and p.stem.startswith("t"))
    assert "[U+202E]" in thread_page.read_text(encoding="utf-8")
