"""Readers: every input format people have, turned into :class:`discourse.model.Thread` objects.

``read_threads(paths)`` is the single entry point: files or folders, one thread per input
document (a CSV, JSONL or Reddit export may hold several). The format is chosen from the file
name and, for JSON, from its shape; page text goes through :mod:`discourse.parse`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from discourse.errors import InputError
from discourse.model import Thread

#: File name endings read as page text.
TEXT_SUFFIXES = {".txt", ".text", ".md"}
STRUCTURED_SUFFIXES = {".json", ".jsonl", ".csv"}
#: Saved web pages and comment-platform exports (Disqus XML, WordPress WXR).
PAGE_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml", ".xml"}
INPUT_SUFFIXES = TEXT_SUFFIXES | STRUCTURED_SUFFIXES | PAGE_SUFFIXES


def discover(paths: Iterable[str | Path], *, exclude: Iterable[str | Path] = (),
             errors: list[InputError] | None = None) -> list[Path]:
    """Expand folders into the input files they hold (sorted, hidden files skipped).

    A folder holding ``utterances.jsonl`` is a ConvoKit corpus and is returned as the folder.
    ``exclude`` names this run's outputs (never read back); files the tool wrote earlier (listed
    in a folder's :data:`~discourse.writers.outputs.MARKER`) and marked folders inside an input
    folder are skipped too. A path that cannot be used (missing, unreadable, a folder with no
    inputs) raises :class:`InputError`, or, when ``errors`` is a list, is added to it and the
    other paths are still expanded.
    """
    skip = {_key(Path(p)) for p in exclude}
    found: list[Path] = []
    for raw in paths:
        try:
            _expand(Path(raw), skip, found, errors)
        except InputError as exc:
            if errors is None:
                raise
            errors.append(exc)
    return found


def _key(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))


def _expand(path: Path, skip: set[str], found: list[Path], errors: list[InputError] | None) -> None:
    from discourse.writers.outputs import is_marked, written_names

    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if not path.is_dir():
        found.append(path)
        return
    _check_convokit(path)
    if (path / "utterances.jsonl").is_file():
        found.append(path)
        return
    before, others = len(found), 0

    def unreadable(exc: OSError) -> None:
        problem = InputError(f"{exc.filename}: cannot read this folder ({exc.strerror or exc}); skipped")
        if errors is None:
            raise problem
        errors.append(problem)

    for folder, dirs, files in os.walk(path, onerror=unreadable):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and _key(here / d) not in skip
                         and not is_marked(here / d))
        for d in list(dirs):
            if (here / d / "utterances.jsonl").is_file():
                found.append(here / d)  # a ConvoKit corpus: its files are not read one by one
                dirs.remove(d)
            elif (here / d / "conversations.json").is_file():
                dirs.remove(d)
                try:
                    _check_convokit(here / d)
                except InputError as exc:
                    if errors is None:
                        raise
                    errors.append(exc)
        ours = set(written_names(here))
        for name in sorted(files):
            child = here / name
            if name.startswith(".") or name in ours or _key(child) in skip:
                continue
            if child.suffix.lower() not in INPUT_SUFFIXES or name.lower() == "manifest.csv":
                others += name.lower() != "manifest.csv"
                continue  # not an input (a manifest describes the other files)
            if child.is_file():
                found.append(child)
    if len(found) == before:
        kinds = ", ".join(sorted(INPUT_SUFFIXES))
        raise InputError(f"{path}: no input files in this folder (looked for {kinds} and ConvoKit corpora"
                         + (f"; {others} file(s) of other kinds skipped" if others else "") + ")")


def _check_convokit(folder: Path) -> None:
    if (folder / "conversations.json").is_file() and not (folder / "utterances.jsonl").is_file():
        raise InputError(f"{folder}: looks like a ConvoKit corpus (it has conversations.json) but has no "
                         "utterances.jsonl, which holds the comments")


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
    if suffix in PAGE_SUFFIXES:
        return _read_page(path, semantic, embedder)
    text = read_text(path)
    stripped = text.lstrip()
    if not stripped:
        raise InputError(f"{path}: empty file (no text to parse)")
    if stripped.startswith("{") and '"thread_id"' in stripped[:2000]:
        return structured.read_json(path)  # our own JSONL saved under another name
    from discourse.readers.exports import sniff_export
    from discourse.readers.html import looks_like_html

    if sniff_export(stripped) or looks_like_html(stripped):  # a page or export saved as .txt
        return _read_page(path, semantic, embedder)
    from discourse.parse import parse_page

    return [parse_page(text, source=str(path), thread_id=path.stem, semantic=semantic, embedder=embedder)]


def _read_page(path: Path, semantic: bool, embedder=None) -> list[Thread]:
    """A saved web page, or an XML export (Disqus, WordPress), told apart by their content."""
    from discourse.readers.exports import read_export, sniff_export
    from discourse.readers.html import read_html

    try:
        with open(path, "rb") as fh:
            head = fh.read(8192).decode("utf-8", "replace")
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if sniff_export(head) or path.suffix.lower() == ".xml":
        return read_export(path)
    return read_html(path, semantic=semantic, embedder=embedder)


def read_threads(paths: Iterable[str | Path], *, semantic: bool = True, embedder=None,
                 manifest: str | Path | None = None) -> list[Thread]:
    """Read every thread from files and folders, with missing article metadata filled from
    ``manifest`` or a ``manifest.csv`` beside the inputs (as the command line does); raises
    :class:`InputError` on real failures."""
    from discourse.readers.manifest import apply_manifests

    from discourse.readers.repair import unique_thread_ids

    paths = list(paths)
    threads: list[Thread] = []
    for path in discover(paths):
        threads.extend(read_path(path, semantic=semantic, embedder=embedder))
    unique_thread_ids(threads)
    try:
        return apply_manifests(threads, paths, manifest)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot use the manifest: {exc}") from None
