"""The command line as users meet it: formats, bad input, exit codes, no tracebacks."""

import json
import subprocess
import sys

import pytest

from discourse.cli import main
from tests.conftest import THREADS, thread_file


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_parse_folder_jsonl_contract(capsys):
    code, out, err = run(["parse", str(THREADS), "--fast", "--quiet"], capsys)
    assert code == 0
    objs = [json.loads(line) for line in out.splitlines()]
    assert len(objs) == 5
    for o in objs:
        assert set(o) == {"thread_id", "source", "article", "comments"}
        assert set(o["article"]) == {"title", "outlet", "published", "url", "text", "removed"}
        for c in o["comments"]:
            assert set(c) == {"comment_id", "author", "parent_id", "reply_to", "text", "position", "link",
                              "confidence"}
    stockholm = next(o for o in objs if o["thread_id"].startswith("001"))
    assert len(stockholm["comments"]) == 9
    assert stockholm["article"]["published"] == "2023-10-26"


def test_jsonl_is_accepted_back(tmp_path, capsys):
    code, out, _ = run(["parse", str(thread_file("001")), "--fast", "--quiet"], capsys)
    saved = tmp_path / "corpus.jsonl"
    saved.write_text(out, encoding="utf-8")
    code, again, _ = run(["parse", str(saved), "--quiet"], capsys)
    assert code == 0
    assert json.loads(again) == json.loads(out)


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_other_formats(fmt, capsys):
    code, out, _ = run(["parse", str(thread_file("001")), "--fast", "--format", fmt, "--quiet"], capsys)
    assert code == 0
    if fmt == "json":
        assert json.loads(out)[0]["comments"][0]["author"] == "Thuban"
    else:
        assert "TaiwanIsNotChina" in out and "explicit" in out


def test_empty_file_is_a_clear_failure(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, out, err = run(["parse", str(empty)], capsys)
    assert code == 1
    assert "empty" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_binary_file_is_refused(tmp_path, capsys):
    binary = tmp_path / "photo.txt"
    binary.write_bytes(bytes(range(256)) * 64)
    code, out, err = run(["parse", str(binary)], capsys)
    assert code == 1 and "binary" in err and "Traceback" not in err


def test_cp1252_is_decoded_with_a_warning(tmp_path, capsys):
    page = tmp_path / "old.txt"
    page.write_bytes("Caf\xe9 prices \x93soar\x94 in Kyiv.\n\nZaphod\nNo they didn\x92t.\n".encode("latin-1"))
    code, out, err = run(["parse", str(page), "--fast"], capsys)
    assert code == 0
    assert "cp1252" in err
    thread = json.loads(out)
    assert "Café" in thread["article"]["text"] and "“soar”" in thread["article"]["text"]


def test_megabyte_line(tmp_path, capsys):
    page = tmp_path / "long.txt"
    page.write_text("Title of the piece\n" + ("word " * 220_000) + "\n", encoding="utf-8")
    code, out, err = run(["parse", str(page), "--fast", "--quiet"], capsys)
    assert code == 0
    thread = json.loads(out)
    assert thread["article"]["title"] == "Title of the piece"
    assert len(thread["article"]["text"]) > 1_000_000


def test_missing_path_and_partial_failure(tmp_path, capsys):
    code, out, err = run(["parse", str(tmp_path / "nope.txt")], capsys)
    assert code == 1 and "no such file" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    code, out, err = run(["parse", str(bad), str(thread_file("000")), "--fast"], capsys)
    assert code == 1  # one input failed ...
    assert len(out.strip().splitlines()) == 1  # ... the other was still parsed


def test_console_script_runs_without_traceback(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    proc = subprocess.run([sys.executable, "-m", "discourse", "parse", str(empty)], capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


def test_evaluate_without_data_says_so(tmp_path, capsys):
    code, out, err = run(["evaluate", "parse", "--data", str(tmp_path / "absent"), "--fast"], capsys)
    assert code == 0
    assert "no" in (out + err).lower() and "Traceback" not in err
