"""`discourse report` and `discourse compare` end to end on a small hostile input."""
from __future__ import annotations

import json

import pandas as pd

from discourse.cli import main
from discourse.model import Article, Comment, Thread


def write_input(tmp_path):
    threads = []
    for k, outlet in enumerate(("Daily One", "Weekly Two")):
        comments = [
            Comment(comment_id="c0", author="Ann", text="<script>document.title='pwned'</script> Great report!"),
            Comment(comment_id="c1", author="Bob", parent_id="c0", text="=HYPERLINK(\"http://evil\") No, that is false."),
            Comment(comment_id="c2", author="Cy", parent_id="c1", text="<img src=x onerror=alert(1)> Source?"),
        ]
        threads.append(Thread(thread_id=f"t{k}", source=f"t{k}.jsonl",
                              article=Article(title=f"Drones {k}", outlet=outlet, published=f"2024-0{k + 1}-02",
                                              text="Ukraine said it shot down 25 Russian drones overnight."),
                              comments=comments))
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(t.to_dict()) + "\n" for t in threads), encoding="utf-8")
    return src


def test_report_writes_pages_index_comparison_and_tables(tmp_path):
    src = write_input(tmp_path)
    out = tmp_path / "reports"
    assert main(["report", str(src), "-o", str(out), "--fast", "-q"]) == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "t0" in index and "t1" in index and "compare.html" in index
    page = (out / "t0.html").read_text(encoding="utf-8")
    assert "<script>document.title" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page
    assert (out / "t0.md").exists() and (out / "compare.html").exists()
    groups = pd.read_csv(out / "compare_groups.csv")
    assert set(groups["group"]) == {"Daily One", "Weekly Two"}
    comments = pd.read_csv(out / "tables" / "comments.csv")
    assert comments.text.str.startswith("'=").any()  # formula neutralised in CSV


def test_compare_by_month_and_unknown_column(tmp_path, capsys):
    src = write_input(tmp_path)
    out = tmp_path / "cmp"
    assert main(["compare", str(src), "--by", "published", "-o", str(out), "--fast", "-q"]) == 0
    assert set(pd.read_csv(out / "compare_groups.csv")["group"]) == {"2024-01", "2024-02"}
    assert main(["compare", str(src), "--by", "horoscope", "-o", str(out), "--fast", "-q"]) == 1
    assert "horoscope" in capsys.readouterr().err
