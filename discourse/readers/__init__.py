"""Readers: every input format people have, turned into :class:`discourse.model.Thread` objects.

``read_threads(paths)`` is the single entry point: files or folders, one thread per input
document (a CSV, JSONL or Reddit export may hold several). The format is chosen from the file
name and, for JSON, from its shape; page text goes through :mod:`discourse.parse`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from discourse.errors import InputError
from discourse.model import Thread

#: File name endings read as page text.
TEXT_SUFFIXES = {".txt", ".text", ".md"}
STRUCTURED_SUFFIXES = {".json", ".jsonl", ".csv"}


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into the input files they hold (sorted, hidden files skipped).

    A folder holding ``utterances.jsonl`` is a ConvoKit corpus and is returned as the folder.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_dir():
            if (path / "utterances.jsonl").is_file():
                found.append(path)
                continue
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                if child.is_dir() and (child / "utterances.jsonl").is_file():
                    found.append(child)
                elif child.is_file() and child.suffix.lower() in TEXT_SUFFIXES | STRUCTURED_SUFFIXES:
                    if any(p in found for p in child.parents):
                        continue  # part of a ConvoKit corpus already listed
                    if child.name.lower() == "manifest.csv":
                        continue  # metadata about the other files, not a thread
                    found.append(child)
        else:
            found.append(path)
    return found


def read_path(path: Path, *, semantic: bool = True, embedder=None) -> list[Thread]:
    """Read one file or ConvoKit folder into threads."""
    from discourse.readers import structured
    from discourse.readers.text import read_text

    if path.is_dir():
        return structured.read_convokit(path)
    suffix = path.suffix.lower()
    if suffix in (".json", ".jsonl"):
        return structured.read_json(path)
    if suffix == ".csv":
        return structured.read_csv(path)
    text = read_text(path)
    stripped = text.lstrip()
    if not stripped:
        raise InputError(f"{path}: empty file (no text to parse)")
    if stripped.startswith("{") and '"thread_id"' in stripped[:2000]:
        return structured.read_json(path)  # our own JSONL saved under another name
    from discourse.parse import parse_page

    return [parse_page(text, source=str(path), thread_id=path.stem, semantic=semantic, embedder=embedder)]


def read_threads(paths: Iterable[str | Path], *, semantic: bool = True, embedder=None,
                 manifest: str | Path | None = None) -> list[Thread]:
    """Read every thread from files and folders, with missing article metadata filled from
    ``manifest`` or a ``manifest.csv`` beside the inputs (as the command line does); raises
    :class:`InputError` on real failures."""
    from discourse.readers.manifest import apply_manifests

    paths = list(paths)
    threads: list[Thread] = []
    for path in discover(paths):
        threads.extend(read_path(path, semantic=semantic, embedder=embedder))
    try:
        return apply_manifests(threads, paths, manifest)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot use the manifest: {exc}") from None
