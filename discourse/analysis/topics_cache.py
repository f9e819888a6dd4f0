"""Fitted topics kept on disk, so a rerun over the same texts and vectors does not cluster again.

An entry is named by a SHA-256 over everything the fit depends on: the texts, their vectors, the
encoder's name, the topic settings and the versions of BERTopic, UMAP and HDBSCAN. It holds plain
JSON (each text's topic, the topic table, the note), written to a temporary file and renamed into
place, so concurrent runs never read half an entry. Anything unreadable counts as a miss. Fits with
user-supplied parts (a reduction, clustering or vectoriser object) are never cached: their settings
cannot be named reliably.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

#: bump when the entry's layout or the fitting code changes what a fit returns
FORMAT = 1
_SETTINGS = ("seed", "min_topic_size", "umap_min_docs", "umap_max_docs", "outlier_threshold",
             "stop_words_path", "label_words", "prediction_data")


def _versions() -> dict[str, str]:
    found = {}
    for name in ("bertopic", "umap-learn", "hdbscan", "scikit-learn"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = ""
    return found


class FittedTopicsStore:
    """One cache entry: :meth:`read` what an earlier fit returned, :meth:`write` this fit's."""

    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def for_fit(cls, model, docs: list[str], embeddings: np.ndarray) -> FittedTopicsStore | None:
        """The entry for fitting ``model`` (a :class:`~discourse.analysis.topics.Topics`) over these
        texts and vectors, or None when the fit cannot be cached."""
        custom = (model.reduction, model.clustering, model.vectorizer)
        if model.cache_dir is None or any(p is not None for p in custom) \
                or model.representation not in (None, "ctfidf", "keybert"):
            return None
        settings = {k: str(getattr(model, k)) for k in _SETTINGS}
        settings.update(format=FORMAT, representation=str(model.representation), versions=_versions(),
                        encoder=getattr(model.embedder, "model_name", type(model.embedder).__name__))
        h = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
        h.update(str(len(docs)).encode())
        for d in docs:
            h.update(d.encode("utf-8", "surrogatepass") + b"\0")
        h.update(np.ascontiguousarray(embeddings, dtype=np.float32).tobytes())
        return cls(Path(model.cache_dir) / "topics" / f"{h.hexdigest()}.json")

    def read(self) -> tuple[np.ndarray, list[list], str] | None:
        try:
            entry = json.loads(self.path.read_text(encoding="utf-8"))
            topics = np.asarray(entry["topics"], dtype=int)
            return topics, [list(r) for r in entry["rows"]], str(entry["note"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, topics: np.ndarray, rows: list[list], note: str) -> None:
        entry = {"topics": [int(t) for t in topics], "note": note,
                 "rows": [[int(r[0]), int(r[1]), str(r[2]), str(r[3]), str(r[4])] for r in rows]}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
        except OSError:  # a read-only cache folder only costs the next run a fit
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(entry, fh)
            os.replace(tmp, self.path)
        except OSError:  # a full disk: no entry rather than half of one
            Path(tmp).unlink(missing_ok=True)
