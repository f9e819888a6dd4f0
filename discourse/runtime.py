"""Process-level helpers for batch work: kept in one place because they change global state."""
from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def gc_paused():
    """Pause CPython's cyclic garbage collector around a batch job (usable as a decorator).

    Parsing a big page or tagging a corpus allocates millions of small tuples, dicts and lists, and
    many (lines, rows, per-sentence memos) live until the result is built. Whenever enough of them survive, CPython runs
    a full collection over the whole process heap, the parsed threads and every earlier table
    included: on a 20,000-comment run that was about 40% of the frames and narratives stages. The
    code inside builds no reference cycles, so reference counting frees all it would have; the
    collector is switched back on afterwards (if it was on), also when an exception leaves.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
