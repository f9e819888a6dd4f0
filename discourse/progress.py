"""Progress on stderr for long work: a bar on a terminal, one line per step otherwise (so a log
says which step a run is in); silent with ``--quiet``."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def progress(items: Iterable[T], desc: str, unit: str = "item", quiet: bool = False,
             total: int | None = None, min_items: int = 2,
             describe: Callable[[T], str] | None = None) -> Iterable[T]:
    """Wrap ``items`` in a tqdm bar on stderr unless quiet or there is little to show.

    With ``describe`` (item → its name, e.g. a stage's), each step is named as it starts: in the
    bar on a terminal, as a line ``discourse: DESC: NAME (k/n)`` when stderr is not a terminal.
    """
    if quiet:
        return items
    try:
        n = total if total is not None else len(items)  # type: ignore[arg-type]
    except TypeError:
        n = None
    if describe is not None and not sys.stderr.isatty():
        return _step_lines(items, desc, n, describe)
    if n is not None and n < min_items:
        return items
    if not sys.stderr.isatty():  # a log: one line saying what the step is and how big
        print(f"discourse: {desc} {n if n is not None else ''} {unit}{'s' if n != 1 else ''}".replace("  ", " "),
              file=sys.stderr, flush=True)
        return items
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover
        return items
    bar = tqdm(items, desc=desc, unit=unit, total=n, file=sys.stderr, leave=False)
    return _named(bar, describe) if describe is not None else bar


def _named(bar, describe: Callable) -> Iterator:
    for item in bar:
        bar.set_postfix_str(describe(item), refresh=True)
        yield item


def _step_lines(items: Iterable[T], desc: str, n: int | None, describe: Callable[[T], str]) -> Iterator[T]:
    for k, item in enumerate(items, 1):
        print(f"discourse: {desc}: {describe(item)} ({k}/{n if n is not None else '?'})", file=sys.stderr, flush=True)
        yield item
