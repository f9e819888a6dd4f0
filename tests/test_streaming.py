"""A streamed run: chunked tables equal a one-chunk run; an interrupted run resumes to the same."""
import json

import pandas as pd
import pytest

from benchmarks.bench_analyze import synthetic_corpus
from discourse.analysis import streaming
from discourse.analysis.streaming import (
    TopicPass,
    read_table,
    stream_analyze,
    streaming_analyzer,
)
from discourse.errors import InputError


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "threads.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for thread in synthetic_corpus(n_comments=240, n_threads=12, seed=3):
            f.write(json.dumps(thread.to_dict()) + "\n")
    return path


def fast():
    return streaming_analyzer(use_embeddings=False, quiet=True, plugins=False)


def tables(out) -> dict:
    manifest = json.loads((out / streaming.MANIFEST).read_text())
    names = sorted({n for c in manifest["chunks"].values() for n in c["tables"]} | set(manifest["summaries"]))
    return {n: read_table(out, n) for n in names}


def assert_same(a: dict, b: dict):
    assert sorted(a) == sorted(b)
    for name, frame in a.items():
        pd.testing.assert_frame_equal(frame, b[name], check_dtype=False, obj=name)


@pytest.fixture(scope="module")
def one_chunk(corpus_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("one")
    stream_analyze([corpus_file], out, fast(), chunk_threads=10**6)
    return tables(out)


def test_chunked_tables_equal_a_one_chunk_run(corpus_file, one_chunk, tmp_path):
    manifest = stream_analyze([corpus_file], tmp_path, fast(), chunk_threads=5, csv=True)
    assert manifest["complete"] and sorted(manifest["chunks"], key=int) == ["0", "1", "2"]
    assert (tmp_path / "comments" / "part-00002.parquet").exists()
    chunked = tables(tmp_path)
    assert len(chunked["comments"]) == 240
    assert {"authors", "targets_by_author"} <= set(manifest["summaries"])  # over the corpus, not a chunk
    assert_same(chunked, one_chunk)
    csv = pd.read_csv(tmp_path / "comments.csv")
    assert len(csv) == 240 and list(csv.columns) == list(chunked["comments"].columns)


def test_an_interrupted_run_resumes_to_the_same_tables(corpus_file, one_chunk, tmp_path, monkeypatch):
    analyzer = fast()
    real_run, calls = analyzer.run, []

    def dies_on_the_second_chunk(threads):
        calls.append(len(threads))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_run(threads)

    monkeypatch.setattr(analyzer, "run", dies_on_the_second_chunk)
    with pytest.raises(KeyboardInterrupt):
        stream_analyze([corpus_file], tmp_path, analyzer, chunk_threads=5)
    with pytest.raises(InputError, match="not complete"):
        read_table(tmp_path, "comments")  # nothing half-done is presented as complete
    with pytest.raises(InputError, match="--resume"):
        stream_analyze([corpus_file], tmp_path, fast(), chunk_threads=5)
    with pytest.raises(InputError, match="chunk size"):
        stream_analyze([corpus_file], tmp_path, fast(), chunk_threads=4, resume=True)

    monkeypatch.undo()
    calls.clear()
    analyzer = fast()
    real_run = analyzer.run

    def counted(threads):
        calls.append(len(threads))
        return real_run(threads)

    monkeypatch.setattr(analyzer, "run", counted)
    stream_analyze([corpus_file], tmp_path, analyzer, chunk_threads=5, resume=True)
    assert calls == [5, 2]  # the chunk already written is not redone
    assert_same(tables(tmp_path), one_chunk)


def test_parquet_input_rows_per_comment(tmp_path):
    rows = [{"thread_id": t, "comment_id": f"c{i}", "parent_id": f"c{i - 1}" if i else None, "author": f"a{i}",
             "text": f"Comment {i} on thread {t}: the minister lied about the budget."}
            for t in ("t1", "t2") for i in range(3)]
    src = tmp_path / "comments.parquet"
    pd.DataFrame(rows).to_parquet(src, index=False)
    stream_analyze([src], tmp_path / "out", fast(), chunk_threads=1)
    comments = read_table(tmp_path / "out", "comments")
    assert comments["thread_id"].tolist() == ["t1"] * 3 + ["t2"] * 3
    parents = comments["parent_id"].tolist()[:3]
    assert pd.isna(parents[0]) and parents[1:] == ["c0", "c1"]


def test_other_inputs_are_refused_in_one_line(tmp_path):
    bad = tmp_path / "page.txt"
    bad.write_text("hello")
    with pytest.raises(InputError, match=r"\.jsonl"):
        stream_analyze([bad], tmp_path / "out", fast())


def test_cli_streams_and_refuses_to_overwrite(corpus_file, tmp_path, capsys):
    from discourse.cli import main

    out = tmp_path / "out"
    args = ["analyze", str(corpus_file), "--fast", "--chunk-threads", "7", "-o", str(out), "--quiet"]
    assert main(args) == 0
    assert (out / "comments" / "part-00001.parquet").exists() and (out / "comments.csv").exists()
    assert len(read_table(out, "comments")) == 240
    assert main(args) != 0
    assert "--resume" in capsys.readouterr().err
    assert main(args + ["--resume"]) == 0  # nothing left to do: the run is complete


def test_topics_in_two_passes_equal_across_chunk_sizes(corpus_file, tmp_path):
    runs = []
    for k in (10**6, 4):
        out = tmp_path / str(k)
        stream_analyze([corpus_file], out, fast(), chunk_threads=k, topics=TopicPass(use_embeddings=False,
                                                                                     sample_threads=5))
        runs.append(tables(out))
    assert_same(*runs)
    comments, topics = runs[1]["comments"], runs[1]["topics"]
    assert comments["topic"].notna().all() and set(comments["topic"]) <= {0, -1}
    assert int(topics.loc[topics.topic == 0, "size"].iloc[0]) == int((runs[1]["unit_topics"].topic == 0).sum())
    assert "sample of 5 threads" in topics["note"].iloc[-1]


class BagOfWords:
    """A stand-in encoder: word counts hashed into 64 dimensions."""

    def encode(self, texts):
        import numpy as np

        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                out[i, hash(w) % 64] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


@pytest.mark.slow
def test_topics_fitted_on_a_sample_are_applied_to_every_chunk(corpus_file, tmp_path):
    runs = []
    for k in (10**6, 5):
        out = tmp_path / str(k)
        topics = TopicPass(embedder=BagOfWords(), sample_threads=6, options={"representation": "ctfidf"})
        stream_analyze([corpus_file], out, fast(), chunk_threads=k, topics=topics)
        runs.append(tables(out))
    assert_same(*runs)
    assert runs[1]["comments"]["topic_label"].notna().all()
