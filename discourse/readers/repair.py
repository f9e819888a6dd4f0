"""Making a thread's reply links consistent, whatever the input said.

Structured inputs are written by other programs and by hand, so they can name a parent that is
not there, reuse an id, or loop. Downstream code (depths, reply trees, author networks) assumes a
forest: every parent exists, no comment is its own ancestor. :func:`repair_links` establishes that
and says what it changed. The rules, applied in this order:

1. **Duplicate ids.** A later comment with an id already used is dropped *if it is an exact copy*
   (same author, text and parent): exports often repeat a row. So that nothing disappears
   silently, its text goes to ``thread.article.removed`` with the reason
   ``"duplicate of comment <id>"``, and positions are renumbered 0, 1, 2, ... in page order. If
   the two differ, there is no safe choice (either could be the one replies mean), so it raises
   :class:`InputError` naming both places.
2. **Missing parents.** A comment whose parent id names no comment in the thread (a reply to
   something deleted or outside the export) becomes top-level: ``parent_id`` None, link
   ``"root"``, confidence 1.0. It is never dropped. ``reply_to`` is kept (the name of the person
   answered is still true), and the missing id goes to ``evidence`` and the note, since the JSON
   contract has no field for it.
3. **Cycles** (a -> b -> a, or a comment naming itself). The earliest-positioned comment of the
   cycle becomes top-level, as in rule 2: the first comment on the page cannot answer a later one.
4. **Link kinds follow parents.** A comment without a parent gets link ``"root"``; one with a
   parent but link ``"root"`` gets ``"explicit"`` (structured data named the parent).

Everything is linear in the number of comments: inputs can have millions of rows. For the same
reason only the first :data:`MAX_LOGGED` notes of a thread are logged, then a count of the rest
(all are returned).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from discourse.errors import InputError, log
from discourse.model import LINK_EXPLICIT, LINK_ROOT, Comment, RemovedLine, Thread

#: Notes logged per thread; a badly exported file can need a repair on every row.
MAX_LOGGED = 10
#: Ids of a reply cycle shown in its note.
_CYCLE_SHOWN = 6

_FIELD_NAMES = {"text": "text", "author": "author", "parent_id": "parent"}


def repair_links(thread: Thread, where: Sequence[str] | None = None) -> list[str]:
    """Apply the module's rules to ``thread`` in place; return one note per change (also logged).

    ``where[i]`` optionally says where ``thread.comments[i]`` came from (``"row 4"`` of a CSV,
    ``"line 7"`` of a JSONL file) so messages point at the input; otherwise positions are named.
    Raises :class:`InputError` for an id used twice with different content.
    """
    label = _label(thread)
    notes: list[str] = []
    for c in thread.comments:
        if c.parent_id == "":
            c.parent_id = None
    _drop_duplicates(thread, where, label, notes)
    ids = {c.comment_id for c in thread.comments}
    for c in thread.comments:
        if c.parent_id is not None and c.parent_id not in ids:
            notes.append(
                f"{label}: comment {c.comment_id!r} answers {c.parent_id!r}, which is not in the "
                "input; made it top-level"
            )
            _make_top_level(c, f"parent {c.parent_id!r} is not in the input")
    _break_cycles(thread, label, notes)
    for c in thread.comments:
        if c.parent_id is None and c.link != LINK_ROOT:
            notes.append(f"{label}: comment {c.comment_id!r} has no parent but link {c.link!r}; set to 'root'")
            c.link = LINK_ROOT
        elif c.parent_id is not None and c.link == LINK_ROOT:
            notes.append(f"{label}: comment {c.comment_id!r} has a parent but link 'root'; set to 'explicit'")
            c.link = LINK_EXPLICIT
    for note in notes[:MAX_LOGGED]:
        log.warning("%s", note)
    if len(notes) > MAX_LOGGED:
        log.warning("%s: %d more link repairs like these", label, len(notes) - MAX_LOGGED)
    return notes


def _drop_duplicates(thread: Thread, where: Sequence[str] | None, label: str, notes: list[str]) -> None:
    """Rule 1: drop exact copies (kept in ``article.removed``), refuse conflicting reuse of an id."""

    def place(i: int) -> str:
        return where[i] if where is not None else f"position {thread.comments[i].position}"

    first: dict[str, int] = {}
    kept: list[Comment] = []
    for i, c in enumerate(thread.comments):
        j = first.setdefault(c.comment_id, i)
        if j == i:
            kept.append(c)
            continue
        orig = thread.comments[j]
        differs = [name for attr, name in _FIELD_NAMES.items() if getattr(c, attr) != getattr(orig, attr)]
        if differs:
            raise InputError(
                f"{label}: comment id {c.comment_id!r} is used twice ({place(j)} and {place(i)}) "
                f"with different {' and '.join(differs)}; ids must be unique"
            )
        thread.article.removed.append(RemovedLine(c.text, f"duplicate of comment {c.comment_id}"))
        notes.append(
            f"{label}: comment {c.comment_id!r} at {place(i)} repeats the one at {place(j)} exactly; "
            "dropped the copy"
        )
    if len(kept) != len(thread.comments):
        thread.comments = kept
        for pos, c in enumerate(kept):
            c.position = pos


def _break_cycles(thread: Thread, label: str, notes: list[str]) -> None:
    """Rule 3. Each comment has one parent, so each chain ends at a root or runs into one cycle.

    Walk each chain once, marking comments as on the current walk (1) or finished (2); meeting a
    comment of the current walk means the walk from there on is a cycle. Linear overall.
    """
    by_id = {c.comment_id: c for c in thread.comments}
    order = {c.comment_id: (c.position, i) for i, c in enumerate(thread.comments)}
    state: dict[str, int] = {}
    for c in thread.comments:
        walk: list[str] = []
        cur: str | None = c.comment_id
        while cur is not None and cur not in state:
            state[cur] = 1
            walk.append(cur)
            cur = by_id[cur].parent_id
        if cur is not None and state[cur] == 1:
            cycle = walk[walk.index(cur):]
            head = by_id[min(cycle, key=order.__getitem__)]
            if len(cycle) == 1:
                notes.append(f"{label}: comment {head.comment_id!r} names itself as its parent; made it top-level")
                _make_top_level(head, "named itself as its parent")
            else:
                chain = " -> ".join(repr(x) for x in cycle[:_CYCLE_SHOWN])
                chain += f" -> ... ({len(cycle)} comments)" if len(cycle) > _CYCLE_SHOWN else f" -> {cycle[0]!r}"
                notes.append(
                    f"{label}: comments reply to each other in a circle ({chain}); made the earliest, "
                    f"{head.comment_id!r}, top-level"
                )
                _make_top_level(head, f"its parent {head.parent_id!r} was part of a reply cycle")
        for x in walk:
            state[x] = 2


def _make_top_level(c: Comment, why: str) -> None:
    c.parent_id = None
    c.link = LINK_ROOT
    c.confidence = 1.0
    c.evidence = why + "; made top-level"


def _label(thread: Thread) -> str:
    """How notes name a thread: its source, plus its id when the source holds several threads."""
    if thread.source and Path(thread.source).stem == thread.thread_id:
        return thread.source
    if thread.source:
        return f"{thread.source} (thread {thread.thread_id})"
    return f"thread {thread.thread_id}"


def unique_thread_ids(threads: Sequence[Thread]) -> list[str]:
    """Make thread ids unique across a run, in place; return one note per renamed thread (logged).

    Two inputs can name the same thread (the same file name in two folders, two exports of one
    thread, two JSONL lines with one id). Every table of the analysis is keyed by thread id (and
    comment id), so a shared id would join the two threads' rows with each other. The first
    thread keeps its id; each later one gets ``ID~2``, ``ID~3``, ... and a warning naming both
    sources.
    """
    first: dict[str, Thread] = {}
    notes: list[str] = []
    for thread in threads:
        tid = thread.thread_id
        if tid not in first:
            first[tid] = thread
            continue
        k = 2
        while f"{tid}~{k}" in first:
            k += 1
        thread.thread_id = f"{tid}~{k}"
        first[thread.thread_id] = thread
        notes.append(f"thread id {tid!r} of {thread.source or 'an input'} is also the id of a thread of "
                     f"{first[tid].source or 'an input'}; renamed {thread.thread_id!r}")
    for note in notes[:MAX_LOGGED]:
        log.warning("%s", note)
    if len(notes) > MAX_LOGGED:
        log.warning("%d more thread ids renamed like these", len(notes) - MAX_LOGGED)
    return notes
