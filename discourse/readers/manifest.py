"""Article metadata kept beside the input files (``threads/manifest.csv``).

Page text often lacks the outlet, address or date. A manifest names them per input file, so a
comparison by outlet works on pages that never said where they came from. It only fills gaps:
metadata found in the input itself wins.
"""
from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from pathlib import Path, PurePath

from discourse.model import Thread

MANIFEST_COLUMNS = ["file", "outlet", "url", "published"]
_FIELDS = ("outlet", "url", "published")


def load_manifest(path):
    """Read a manifest CSV (``file, outlet, url, published``; extra columns such as ``note``
    are kept). Empty cells become None. Raises ``ValueError`` naming missing columns."""
    import pandas as pd

    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
        header = list(rows[0].keys()) if rows else []
    if not rows:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), [])
    missing = [c for c in MANIFEST_COLUMNS if c not in header]
    if missing:
        raise ValueError(f"{path}: manifest lacks column(s) {', '.join(missing)}")
    clean = [{k: (v.strip() if isinstance(v, str) and v.strip() else None) for k, v in r.items() if k} for r in rows]
    return pd.DataFrame(clean, columns=[c for c in header if c])


def _keys(thread: Thread) -> list[str]:
    keys = []
    if thread.source:
        name = PurePath(thread.source).name
        keys += [name, PurePath(name).stem]
    keys.append(thread.thread_id)
    return keys


def apply_manifest(threads: Iterable[Thread], manifest) -> list[Thread]:
    """Fill each thread's missing ``article.outlet``, ``url`` and ``published`` from the manifest
    row whose ``file`` matches the thread's source file name (or its stem, or the thread id).

    ``manifest`` is a DataFrame from :func:`load_manifest` or a path. Threads are changed in place
    and returned as a list.
    """
    if not hasattr(manifest, "columns"):
        manifest = load_manifest(manifest)
    index: dict[str, dict] = {}
    for row in manifest.to_dict("records"):
        name = row.get("file")
        if not name:
            continue
        name = PurePath(str(name)).name
        index.setdefault(name, row)
        index.setdefault(PurePath(name).stem, row)
    threads = list(threads)
    for thread in threads:
        row = next((index[k] for k in _keys(thread) if k in index), None)
        if row is None:
            continue
        for field in _FIELDS:
            value = row.get(field)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            if not getattr(thread.article, field):
                setattr(thread.article, field, str(value))
    return threads


def find_manifests(paths: Iterable[str | Path], manifest: str | Path | None = None) -> list[Path]:
    """``manifest`` when given; otherwise every ``manifest.csv`` in an input folder or beside an
    input file."""
    if manifest:
        return [Path(manifest)]
    found: list[Path] = []
    for raw in paths:
        folder = Path(raw) if Path(raw).is_dir() else Path(raw).parent
        candidate = folder / "manifest.csv"
        if candidate.is_file() and candidate not in found:
            found.append(candidate)
    return found


def apply_manifests(threads: list[Thread], paths: Iterable[str | Path], manifest: str | Path | None = None) -> list[Thread]:
    """Fill missing article metadata from the manifests :func:`find_manifests` names."""
    for m in find_manifests(paths, manifest):
        apply_manifest(threads, m)
    return threads
