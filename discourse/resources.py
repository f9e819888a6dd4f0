"""Data files shipped inside the package (lexicons, catalogues, trained weights).

Kept as data, not code, so users can read, extend or replace them. A user file given by path
takes the place of the packaged one everywhere a ``path`` argument is accepted.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from discourse.errors import DiscourseError


def data_path(*parts: str) -> Path:
    """Path of a packaged data file, e.g. ``data_path("lexicons", "stance_cues.json")``.

    Each part is one plain name: a part like ``".."`` or ``"a/b"`` (a domain name taken from the
    command line, say) is refused, so no name can point outside the data folder.
    """
    for part in parts:
        if not isinstance(part, str) or part in ("", ".", "..") or any(c in part for c in "/\\:\0"):
            raise DiscourseError(f"{part!r} is not the name of a packaged data file")
    return Path(str(resources.files("discourse").joinpath("data", *parts)))


@lru_cache(maxsize=64)
def _load_packaged(parts: tuple[str, ...]) -> Any:
    return json.loads(data_path(*parts).read_text(encoding="utf-8"))


def load_json(*parts: str, path: str | Path | None = None) -> Any:
    """A packaged JSON data file, or the user's file at ``path`` when given.

    Packaged files are parsed once per process; callers must not mutate the result.
    """
    if path is not None:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    return _load_packaged(tuple(parts))
