"""Progress bars on stderr for long work; silent with ``--quiet`` or when stderr is not a terminal
that anyone watches (CI logs stay readable)."""

from __future__ import annotations

import sys
from typing import Iterable, TypeVar

T = TypeVar("T")


def progress(items: Iterable[T], desc: str, unit: str = "item", quiet: bool = False,
             total: int | None = None, min_items: int = 2) -> Iterable[T]:
    """Wrap ``items`` in a tqdm bar on stderr unless quiet or there is little to show."""
    if quiet:
        return items
    try:
        n = total if total is not None else len(items)  # type: ignore[arg-type]
    except TypeError:
        n = None
    if n is not None and n < min_items:
        return items
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover
        return items
    return tqdm(items, desc=desc, unit=unit, total=n, file=sys.stderr, leave=False,
                disable=not sys.stderr.isatty())
