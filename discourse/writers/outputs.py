"""Marking the folders the tool writes, so a later run never reads its own outputs back as inputs.

``discourse report . -o reports`` run twice would otherwise find the first run's Markdown twins
and ``tables/*.csv`` (which have the columns of a comments CSV) under ``.``, and analyse each
thread again and again. Every output folder gets a small marker file listing the files written
there; :func:`discourse.readers.discover` skips those files, and skips a marked folder met inside
an input folder altogether.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

#: Name of the marker file (hidden: discovery skips hidden files anyway).
MARKER = ".discourse-output"


def mark_output(folder: str | Path, files: Iterable[str | Path]) -> Path:
    """Record ``files`` (paths in or under ``folder``) as written by the tool, adding to any earlier list."""
    folder = Path(folder)
    names = set(written_names(folder))
    for f in files:
        try:
            names.add(Path(f).resolve().relative_to(folder.resolve()).as_posix())
        except ValueError:
            continue  # outside the folder
    marker = folder / MARKER
    marker.write_text(json.dumps({"written_by": "discourse", "files": sorted(names)}, indent=0), encoding="utf-8")
    return marker


def written_names(folder: str | Path) -> list[str]:
    """The names listed in ``folder``'s marker (relative, "/"-separated); [] when unmarked or unreadable."""
    try:
        data = json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
        return [str(n) for n in data.get("files", [])]
    except (OSError, ValueError, AttributeError):
        return []


def is_marked(folder: str | Path) -> bool:
    return (Path(folder) / MARKER).is_file()
