"""A run that streams: threads read in chunks, the per-thread stages run per chunk, and every table
written as it grows (``OUT/TABLE/part-00000.parquet``, one part per chunk).

Memory is bounded by the chunk, not the corpus: a JSONL file is read a line (one thread) at a
time, a Parquet file (one row per comment, the CSV columns, a thread's rows together) a row
group at a time, and a chunk's tables are written and dropped before the next chunk is read.

Nothing half-written is presented as complete: each part is written under a temporary name and
renamed into place, and ``OUT/_manifest.json`` lists the chunks whose parts are all written (and
is itself replaced atomically). An interrupted run resumes (``resume=True``) from the chunks the
manifest lists; the manifest says ``complete`` only once every chunk is in. A manifest written
with other inputs, chunk size or stages is refused rather than mixed with.

Memory is bounded under ``--fast`` only: with embeddings, the run's one Embedder keeps every
vector it has seen (and loads its whole disk cache on first use), so it grows with the corpus.

Topics run in two passes (:class:`TopicPass`: fitted on a seeded sample of threads, then applied to
every chunk). Not streamed yet: near-duplicates and bursts (``coordination``) compare texts across
threads, so a streamed run leaves them out (each stage that uses them says so in the notes).
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import InputError
from ..model import Thread
from .pipeline import Analyzer

#: stages that compare texts across threads, left out of a streamed run
CORPUS_WIDE = ("topics", "coordination")
#: tables that sum over threads (per author, per outlet): made once at the end from the parts
SUMMARIES = ("authors", "targets_by_author", "targets_by_outlet")
MANIFEST = "_manifest.json"


# -- reading threads a few at a time ----------------------------------------------------------------

def iter_threads(paths: Iterable[str | Path]) -> Iterator[Thread]:
    """Threads from JSONL files (one thread object per line) and Parquet files (one row per
    comment with the CSV columns, each thread's rows together), one at a time."""
    for path in map(Path, paths):
        suffix = path.suffix.lower()
        if suffix == ".jsonl":
            yield from _jsonl_threads(path)
        elif suffix == ".parquet":
            yield from _parquet_threads(path)
        else:
            raise InputError(f"{path}: a streamed run reads .jsonl (a thread per line) or .parquet files")


def _jsonl_threads(path: Path) -> Iterator[Thread]:
    from ..readers.structured import _own_thread

    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    with handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}: line {lineno}: not JSON ({exc.msg})") from None
            if not isinstance(item, dict) or "thread_id" not in item:
                raise InputError(f"{path}: line {lineno}: not a thread object (with 'thread_id')")
            yield _own_thread(path, item, 0, [lineno], False)


def _parquet_threads(path: Path) -> Iterator[Thread]:
    import pyarrow.parquet as pq

    from ..readers.structured import CSV_REQUIRED

    try:
        source = pq.ParquetFile(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from None
    missing = [c for c in CSV_REQUIRED if c not in source.schema_arrow.names]
    if missing:
        raise InputError(f"{path}: Parquet columns {', '.join(missing)} are missing (one row per comment)")
    pending: list[dict] = []
    seen: set[str] = set()
    for batch in source.iter_batches(batch_size=10_000):
        for row in batch.to_pylist():
            tid = str(row["thread_id"])
            if pending and str(pending[0]["thread_id"]) != tid:
                yield _thread_of_rows(path, pending, seen)
                pending = []
            pending.append(row)
    if pending:
        yield _thread_of_rows(path, pending, seen)


def _thread_of_rows(path: Path, rows: list[dict], seen: set[str]) -> Thread:
    tid = str(rows[0]["thread_id"])
    if tid in seen:
        raise InputError(f"{path}: the rows of thread {tid!r} are not together (sort the file by thread_id)")
    seen.add(tid)
    first = rows[0]
    article = {"title": first.get("title"), "outlet": first.get("outlet"), "text": first.get("article_text")}
    comments = [{"comment_id": str(r["comment_id"]), "parent_id": None if r["parent_id"] in (None, "") else str(r["parent_id"]),
                 "author": r["author"], "text": r["text"] or "",
                 **({"timestamp": r["timestamp"]} if r.get("timestamp") is not None else {})} for r in rows]
    item = {"thread_id": tid, "article": {k: v for k, v in article.items() if v}, "comments": comments}
    from ..readers.structured import _own_thread

    return _own_thread(path, item, 0, None, False)


def chunked(threads: Iterable[Thread], size: int) -> Iterator[list[Thread]]:
    chunk: list[Thread] = []
    for thread in threads:
        chunk.append(thread)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# -- the run ----------------------------------------------------------------------------------------

def streaming_analyzer(skip: Iterable[str] = (), **options) -> Analyzer:
    """An Analyzer for a streamed run: the usual stages less the corpus-wide ones."""
    return Analyzer(skip=sorted({*skip, *CORPUS_WIDE}), **options)


class TopicPass:
    """Topics in two passes: fitted once on a seeded sample of threads (pass 1), then every text of
    every chunk given the nearest topic centre when its cosine reaches the fit's outlier threshold,
    else "no clear topic" (pass 2). Under ``--fast`` the sample's keyword topic takes every
    non-blank text, as a whole run's keyword topic does."""

    def __init__(self, embedder=None, use_embeddings: bool = True, seed: int = 42, sample_threads: int = 500,
                 options: dict | None = None):
        self.embedder = embedder if use_embeddings else None
        self.seed = seed
        self.sample_threads = sample_threads
        self.options = options or {}
        self.topics = None
        self.centres = None
        self.ids: list[int] = []
        self.labels: dict[int, str] = {}
        self.threshold = 0.35

    def fit(self, threads: Iterable[Thread]) -> TopicPass:
        import random

        import numpy as np

        from .topics import Topics, encoded_units
        from .units import text_units

        rng, sample = random.Random(self.seed), []
        for i, thread in enumerate(threads):  # reservoir sampling: the sample, never the corpus, in memory
            if len(sample) < self.sample_threads:
                sample.append(thread)
            elif (j := rng.randrange(i + 1)) < self.sample_threads:
                sample[j] = thread
        units = text_units(sample)
        model = Topics(embedder=self.embedder, seed=self.seed, **self.options)
        if self.embedder is None:
            model.min_docs = 10**9  # keywords only, as in a whole run under --fast
        assigned = model.fit_transform(units)
        self.topics = model.topics_.assign(note=f"fitted on a seeded sample of {len(sample)} threads")
        self.labels = dict(zip(self.topics["topic"].astype(int), self.topics["label"]))
        self.threshold = model.outlier_threshold if model.outlier_threshold is not None else -1.0
        if model.clustered_:
            vectors = np.asarray(self.embedder.encode(encoded_units(units)), dtype=np.float32)
            topic = assigned["topic"].to_numpy()
            self.ids = sorted(set(topic.tolist()) - {-1})
            cents = np.stack([vectors[topic == t].mean(axis=0) for t in self.ids])
            self.centres = cents / np.maximum(np.linalg.norm(cents, axis=1, keepdims=True), 1e-12)
        return self

    def assign(self, units):
        """``unit_topics`` rows for ``units`` (see :data:`~discourse.analysis.topics.ASSIGN_COLUMNS`)."""
        import numpy as np

        from .topics import ASSIGN_COLUMNS, NO_TOPIC_LABEL, _clean, encoded_units

        nonblank = np.array([bool(_clean(t).strip()) for t in units["text"].fillna("").tolist()], dtype=bool)
        if self.centres is None:
            topic = np.where(nonblank, 0, -1)
            score = np.where(nonblank, 1.0, 0.0)
        else:
            vectors = np.asarray(self.embedder.encode(encoded_units(units)), dtype=np.float32)
            sims = vectors @ self.centres.T if len(vectors) else np.zeros((0, len(self.ids)))
            best = sims.argmax(axis=1) if len(vectors) else np.zeros(0, dtype=int)
            top = sims[np.arange(len(best)), best] if len(best) else np.zeros(0)
            ok = nonblank & (top >= self.threshold)
            topic = np.where(ok, np.array(self.ids)[best] if len(best) else best, -1)
            score = np.where(ok, np.round(top.astype(float), 4), 0.0)
        out = units[["thread_id", "comment_id", "paragraph"]].reset_index(drop=True).copy()
        out["topic"] = topic.astype(int)
        out["topic_label"] = [self.labels.get(int(t), NO_TOPIC_LABEL) for t in topic]
        out["topic_score"] = score
        return out[ASSIGN_COLUMNS]

    def add_to(self, result) -> None:
        """Write this chunk's topics into its tables (``unit_topics``, ``thread_topics``, comments)."""
        from .topics import thread_topics

        assigned = self.assign(result.units)
        result.tables["unit_topics"] = assigned
        result.tables["thread_topics"] = thread_topics(assigned)
        comments = result.tables["comments"]
        on = assigned[assigned["comment_id"] != ""].set_index(["thread_id", "comment_id"])
        keys = list(zip(comments["thread_id"], comments["comment_id"].astype(str)))
        for col in ("topic", "topic_label", "topic_score"):
            comments[col] = on[col].reindex(keys).to_numpy()


def _settings(paths: list[Path], analyzer: Analyzer, chunk_threads: int) -> dict:
    inputs = []
    for p in paths:
        st = p.stat()
        inputs.append({"path": str(p.resolve()), "bytes": st.st_size, "mtime_ns": st.st_mtime_ns})
    return {"inputs": inputs, "chunk_threads": chunk_threads, "stages": analyzer.stage_names,
            "embeddings": analyzer.use_embeddings, "seed": analyzer.seed, "domain": analyzer.domain}


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def _part(out: Path, table: str, chunk: int) -> Path:
    return out / table / f"part-{chunk:05d}.parquet"


def _write_part(frame, part: Path) -> None:
    """``frame`` as Parquet at ``part``: written under a temporary name, then renamed into place."""
    from ..writers.tables import _parquet_ready

    part.parent.mkdir(exist_ok=True)
    tmp = part.with_name(f".{part.name}.tmp")
    _parquet_ready(frame).to_parquet(tmp, index=False)
    os.replace(tmp, part)


def stream_analyze(paths: Iterable[str | Path], out_dir: str | Path, analyzer: Analyzer | None = None,
                   chunk_threads: int = 1000, resume: bool = False, csv: bool = False,
                   topics: TopicPass | None = None) -> dict:
    """Analyse ``paths`` ``chunk_threads`` threads at a time into ``out_dir``; returns the manifest."""
    if chunk_threads < 1:
        raise InputError("--chunk-threads must be at least 1")
    paths = [Path(p) for p in paths]
    for p in paths:
        if not p.is_file():
            raise InputError(f"{p}: no such file (a streamed run reads .jsonl or .parquet files)")
    analyzer = analyzer or streaming_analyzer()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    settings = _settings(paths, analyzer, chunk_threads)
    settings["topic_sample_threads"] = topics.sample_threads if topics is not None else None
    manifest = _start(out, settings, resume)
    done = set(manifest["chunks"])
    if topics is not None:  # pass 1 (pass 2 is each chunk's assignment below); seeded, so a resume refits the same
        topics.fit(iter_threads(paths))
    for k, chunk in enumerate(chunked(iter_threads(paths), chunk_threads)):
        if str(k) in done:
            continue
        result = analyzer.run(chunk)
        if topics is not None:
            topics.add_to(result)
        for name, frame in result.tables.items():
            if frame is None or name in SUMMARIES:
                continue
            _write_part(frame, _part(out, name, k))
        manifest["chunks"][str(k)] = {"threads": len(chunk), "comments": len(result.tables["comments"]),
                                      "tables": sorted(n for n, f in result.tables.items()
                                                       if f is not None and n not in SUMMARIES)}
        manifest["notes"] = list(dict.fromkeys(manifest["notes"] + result.notes))
        _write_json(out / MANIFEST, manifest)
    manifest["summaries"] = _write_summaries(out, manifest)
    if topics is not None:
        _write_topics(out, manifest, topics)
    manifest["complete"] = True
    if csv:
        _write_csvs(out, manifest)
    _write_json(out / MANIFEST, manifest)
    return manifest


def _start(out: Path, settings: dict, resume: bool) -> dict:
    path = out / MANIFEST
    for stale in out.glob("*/.part-*.tmp"):  # a part an interrupted run did not finish
        stale.unlink()
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise InputError(f"{path}: unreadable; remove {out} to start again") from None
        if not resume:
            raise InputError(f"{out} holds a streamed run already: pass --resume to continue it, "
                             "or choose another folder")
        if old.get("settings") != settings:
            raise InputError(f"{out} holds a run with other inputs, chunk size or stages; "
                             "remove it or choose another folder")
        old["complete"] = False
        return old
    manifest = {"settings": settings, "chunks": {}, "notes": [], "complete": False}
    _write_json(path, manifest)
    return manifest


def _columns(out: Path, manifest: dict, table: str, wanted: list[str]):
    """Only ``wanted`` columns (those present) of every part of ``table``: the whole corpus, but
    a few columns of it."""
    import pandas as pd
    import pyarrow.parquet as pq

    frames = []
    for k in sorted(manifest["chunks"], key=int):
        if table in manifest["chunks"][k]["tables"]:
            part = _part(out, table, int(k))
            names = pq.read_schema(part).names
            frames.append(pd.read_parquet(part, columns=[c for c in wanted if c in names]))
    return pd.concat(frames, ignore_index=True) if frames else None


def _write_summaries(out: Path, manifest: dict) -> list[str]:
    """The per-author and per-outlet tables over the whole corpus, from the written parts."""
    from .sentiment import author_means
    from .target_stance import aggregate_targets

    made = {}
    comments = _columns(out, manifest, "comments", ["thread_id", "comment_id", "author", "outlet", "sentiment"])
    if comments is not None and "sentiment" in comments and comments["sentiment"].notna().any():
        made["authors"] = author_means(comments)
    targets = _columns(out, manifest, "targets", ["thread_id", "comment_id", "target", "stance", "score",
                                                  "confidence", "evidence", "source", "paragraph"])
    if targets is not None and comments is not None:
        for by, table in (("author", "targets_by_author"), ("outlet", "targets_by_outlet")):
            rows = targets[targets["comment_id"] != ""] if by == "author" and not targets.empty else targets
            try:
                made[table] = aggregate_targets(rows, comments, by=by)
            except (KeyError, ValueError):  # no such column (e.g. no outlets known)
                continue
    for name, frame in made.items():
        _write_part(frame, _part(out, name, 0))
    return sorted(made)


def _write_topics(out: Path, manifest: dict, topics: TopicPass) -> None:
    """The ``topics`` table: the sample's topics with their sizes over the whole corpus."""
    assigned = _columns(out, manifest, "unit_topics", ["topic"])
    table = topics.topics.copy()
    if assigned is not None:
        counts = assigned["topic"].value_counts()
        table["size"] = [int(counts.get(t, 0)) for t in table["topic"]]
    _write_part(table, _part(out, "topics", 0))
    manifest["summaries"] = sorted({*manifest["summaries"], "topics"})


def read_table(out_dir: str | Path, name: str):
    """One table of a finished streamed run, its parts in chunk order (refused while incomplete)."""
    import pandas as pd

    out = Path(out_dir)
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    if not manifest.get("complete"):
        raise InputError(f"{out}: the streamed run is not complete (resume it with --resume)")
    if name in manifest.get("summaries", []):
        return pd.read_parquet(_part(out, name, 0))
    parts = [_part(out, name, int(k)) for k in sorted(manifest["chunks"], key=int)
             if name in manifest["chunks"][k]["tables"]]
    frames = [pd.read_parquet(p) for p in parts]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _write_csvs(out: Path, manifest: dict) -> None:
    """``OUT/TABLE.csv`` from the parts, a part at a time (formulas neutralised)."""
    import pandas as pd

    from ..writers.safe_csv import neutralise_formulas, write_csv

    for name in manifest["summaries"]:
        write_csv(pd.read_parquet(_part(out, name, 0)), out / f"{name}.csv")
    names = sorted({n for c in manifest["chunks"].values() for n in c["tables"]})
    for name in names:
        target = out / f"{name}.csv"
        tmp = target.with_name(f".{target.name}.tmp")
        columns = None
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            for k in sorted(manifest["chunks"], key=int):
                if name not in manifest["chunks"][k]["tables"]:
                    continue
                frame = pd.read_parquet(_part(out, name, int(k)))
                if columns is None:
                    columns = list(frame.columns)
                neutralise_formulas(frame.reindex(columns=columns)).to_csv(handle, header=handle.tell() == 0,
                                                                           index=False)
        os.replace(tmp, target)
