"""Where in a comment each triage reason found its evidence, so a page can highlight it.

Reasons quote their evidence (``incivility 0.82: insult aimed at Bob: 'idiot'``), name the host
of a link (``link to an external site (spam.example)``) or the repeated characters; the spans are
the places in the text where that evidence occurs (case-insensitive), never overlapping.
"""
from __future__ import annotations

import re

_QUOTED = re.compile(r"'([^']{2,120})'|\"([^\"]{2,120})\"")
_HOST = re.compile(r"\(([a-z0-9.-]+\.[a-z]{2,})\)|link to ([a-z0-9.-]+\.[a-z]{2,})", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_KIND = re.compile(r"\s*(?:\d[\d.]*\s*)?[:(]|\s+\d")


def reason_list(reasons: str | None) -> list[str]:
    return [r.strip() for r in (reasons or "").split("; ") if r.strip()]


def reason_kind(reason: str) -> str:
    """The reason without its numbers and evidence: what a filter offers (``incivility``,
    ``link to an external site``, ``mostly capital letters``)."""
    return _KIND.split(reason, maxsplit=1)[0].strip()


def _evidence(reason: str, text: str) -> list[tuple[int, int]]:
    found = []
    low = text.lower()
    needles = [m.group(1) or m.group(2) for m in _QUOTED.finditer(reason)]
    for needle in needles:
        n = needle.lower()
        start = low.find(n)
        while start >= 0:
            found.append((start, start + len(n)))
            start = low.find(n, start + len(n))
    hosts = [(m.group(1) or m.group(2)).lower() for m in _HOST.finditer(reason)]
    if hosts:
        for m in _URL.finditer(text):
            if any(h in m.group().lower() for h in hosts):
                found.append(m.span())
    return found


def spans(text: str, reasons: str | None) -> list[tuple[int, int, str]]:
    """``(start, end, reason)`` for each piece of evidence in ``text``, sorted, not overlapping."""
    text = text or ""
    raw = [(s, e, r) for r in reason_list(reasons) for s, e in _evidence(r, text)]
    out: list[tuple[int, int, str]] = []
    for s, e, r in sorted(raw):
        if out and s < out[-1][1]:
            continue
        out.append((s, e, r))
    return out


def pieces(text: str, reasons: str | None) -> list[tuple[str, str | None]]:
    """The text cut into ``(piece, reason)``: reason None outside evidence. Escaping is the caller's."""
    text = text or ""
    out, at = [], 0
    for s, e, r in spans(text, reasons):
        if s > at:
            out.append((text[at:s], None))
        out.append((text[s:e], r))
        at = e
    if at < len(text):
        out.append((text[at:], None))
    return out
