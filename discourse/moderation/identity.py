"""Which queued comment is which across runs: a comment's identity and how a re-run is matched.

A comment is first known by its **fingerprint**: thread, author, normalised text and which
occurrence of that text by that author it is. When a page grows, the segmenter may move a line
between a comment's text and the next header (a name line that ended the last comment becomes the
author of a new one, or the other way round), so the same comment comes back with a line more or
less. A comment may also be **edited**. Neither case is a new comment, and neither may re-queue a
decided one or leave a stale entry pending.

So a comment not found by fingerprint is looked for by its **place among its author's comments**
in the thread (the author's 1st, 2nd, ... comment): the still-open entry of the same author at the
same place is the same comment. If one text holds the other line for line, only the segmentation
moved, and the entry keeps its decision (the new fingerprint becomes an alias of it). Otherwise the
comment was edited: the new text is queued and the old entry is closed as superseded, with the
reason.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter

_SPACE = re.compile(r"\s+")


def normalise(text) -> str:
    return _SPACE.sub(" ", str(text or "")).strip().casefold()


def _lines(text) -> list[str]:
    return [line for line in (normalise(x) for x in str(text or "").splitlines()) if line]


def fingerprints(comments) -> list[str]:
    """Stable keys for the rows of a comments frame (``thread_id, author, text``)."""
    seen: Counter = Counter()
    out = []
    for tid, author, text in zip(comments["thread_id"], comments["author"], comments["text"]):
        key = (str(tid), str(author or ""), normalise(text))
        seen[key] += 1
        raw = "\x1f".join((*key, str(seen[key])))
        out.append(hashlib.sha256(raw.encode("utf-8")).hexdigest()[:20])
    return out


def author_positions(comments) -> list[int]:
    """Each row's place among its author's comments in its thread (0 for the first)."""
    seen: Counter = Counter()
    out = []
    for tid, author in zip(comments["thread_id"], comments["author"]):
        key = (str(tid), str(author or ""))
        out.append(seen[key])
        seen[key] += 1
    return out


def same_lines(old: str, new: str) -> bool:
    """True when one text is the other with whole lines added or removed at its ends: what a
    moved header line does, and what an edit inside the text does not."""
    a, b = _lines(old), _lines(new)
    if not a or not b:
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    n = len(short)
    return any(long_[i:i + n] == short for i in range(len(long_) - n + 1))


def match(rows: list[dict], known: dict[str, dict], aliases: dict[str, str]) -> list[tuple[str, str | None]]:
    """Classify each new row against the open queue entries.

    ``rows`` carry ``fingerprint, thread_id, author, author_pos, text``; ``known`` maps a
    fingerprint to its open entry (``thread_id, author, author_pos, text``). Returns, per row,
    ``(kind, fingerprint of the entry it matches)`` with kind ``same``, ``moved`` (segmentation
    moved a line), ``edited`` or ``new`` (None).
    """
    out: list[tuple[str, str | None]] = [("new", None)] * len(rows)
    taken: set[str] = set()
    for i, r in enumerate(rows):
        fp = aliases.get(r["fingerprint"], r["fingerprint"])
        if fp in known and fp not in taken:
            out[i] = ("same", fp)
            taken.add(fp)
    threads = {r["thread_id"] for r in rows}
    by_place = {(e["thread_id"], str(e["author"] or ""), e["author_pos"]): fp for fp, e in known.items()
                if fp not in taken and e["thread_id"] in threads and e.get("author_pos") is not None}
    for i, r in enumerate(rows):
        if out[i][0] != "new":
            continue
        fp = by_place.get((r["thread_id"], str(r["author"] or ""), r["author_pos"]))
        if fp is None or fp in taken:
            continue
        taken.add(fp)
        out[i] = ("moved" if same_lines(known[fp]["text"], r["text"]) else "edited", fp)
    return out
