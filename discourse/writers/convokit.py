"""Threads out as a ConvoKit corpus folder (``discourse parse --format convokit -o DIR``).

The files are those ConvoKit's own ``Corpus.dump`` writes and ``Corpus(filename=DIR)`` loads:
``utterances.jsonl`` (one utterance per line: ``id``, ``conversation_id``, ``speaker``, ``text``,
``reply-to``, ``timestamp``, ``meta``, ``vectors``), ``speakers.json`` and ``conversations.json``
(id -> ``{"meta": ..., "vectors": []}``), ``corpus.json`` (corpus metadata) and ``index.json``
(the metadata index: each field's type, and the format version).

One conversation per thread. As in ConvoKit's own corpora (Reddit, news comments), the
conversation's root utterance is the post: its id is the conversation id, its text the article,
and top-level comments reply to it. Comments keep their ids, authors (as speakers; a comment
without an author gets the speaker ``[unknown]``), text and parents; link kind, confidence,
evidence, position and the printed timestamp go to the utterance's ``meta``. The article's
title, outlet, URL, date and source go to the conversation's ``meta``. Ids are made unique
across the corpus (ConvoKit needs that) by prefixing the thread id only where two threads share
one. :func:`attach_tables` adds analysis columns (a table with ``thread_id`` and ``comment_id``
columns, as ``discourse analyze`` writes) to the utterances' metadata.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from discourse.errors import InputError, log
from discourse.model import Thread
from discourse.writers.safe_csv import FORMULA_PREFIXES

UNKNOWN_SPEAKER = "[unknown]"
ARTICLE_SPEAKER = "[article]"
#: The format version written to ``index.json`` (ConvoKit counts dumps; any integer loads).
FORMAT_VERSION = 1


def write_convokit(threads: Iterable[Thread], out_dir: str | Path,
                   utterance_meta: dict[tuple[str, str], dict[str, Any]] | None = None) -> Path:
    """Write ``threads`` as a ConvoKit corpus in ``out_dir`` (created); returns the folder.

    ``utterance_meta`` maps (thread id, comment id) to extra metadata for that utterance.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder; a ConvoKit corpus is a folder")
    out.mkdir(parents=True, exist_ok=True)
    threads = list(threads)
    utterance_meta = utterance_meta or {}
    clash = _clashing_ids(threads)
    speakers: dict[str, dict] = {}
    conversations: dict[str, dict] = {}
    utt_index: dict[str, str] = {}
    conv_index: dict[str, str] = {}
    with open(out / "utterances.jsonl", "w", encoding="utf-8") as fh:
        for t in threads:
            root = f"{t.thread_id}:article" if t.thread_id in {c.comment_id for c in t.comments} else t.thread_id
            if not t.comments:
                log.warning("%s: thread %s has no comments; ConvoKit will read its article as its only utterance",
                            out, t.thread_id)
            conv_meta = {"title": t.article.title, "outlet": t.article.outlet, "url": t.article.url,
                         "published": t.article.published, "source": t.source, "thread_id": t.thread_id}
            conversations[root] = {"meta": conv_meta, "vectors": []}
            _index(conv_index, conv_meta)
            article_meta = {"is_article": True, "removed": len(t.article.removed)}
            _write(fh, {"id": root, "conversation_id": root, "text": t.article.text, "speaker": ARTICLE_SPEAKER,
                        "meta": article_meta, "reply-to": None, "timestamp": None, "vectors": []})
            speakers.setdefault(ARTICLE_SPEAKER, {"meta": {}, "vectors": []})
            for c in t.comments:
                meta = {"is_article": False, "position": c.position, "link": c.link,
                        "confidence": round(float(c.confidence), 4), "evidence": c.evidence,
                        "reply_to_name": c.reply_to, "comment_id": c.comment_id}
                meta.update(utterance_meta.get((t.thread_id, c.comment_id), {}))
                _index(utt_index, meta)
                speaker = c.author or UNKNOWN_SPEAKER
                speakers.setdefault(speaker, {"meta": {}, "vectors": []})
                _write(fh, {"id": _uid(t, c.comment_id, clash), "conversation_id": root, "text": c.text,
                            "speaker": speaker, "meta": meta,
                            "reply-to": _uid(t, c.parent_id, clash) if c.parent_id else root,
                            "timestamp": c.timestamp, "vectors": []})
            _index(utt_index, article_meta)
    corpus_meta = {"name": "discourse", "threads": len(threads)}
    _dump(out / "speakers.json", speakers)
    _dump(out / "conversations.json", conversations)
    _dump(out / "corpus.json", corpus_meta)
    _dump(out / "index.json", {
        "utterances-index": {k: [v] for k, v in utt_index.items()},
        "speakers-index": {},
        "conversations-index": {k: [v] for k, v in conv_index.items()},
        "overall-index": {k: [_type_name(v)] for k, v in corpus_meta.items()},
        "version": FORMAT_VERSION,
        "vectors": [],
    })
    return out


def attach_tables(paths: Iterable[str | Path]) -> dict[tuple[str, str], dict[str, Any]]:
    """Per-comment metadata from CSV tables with ``thread_id`` and ``comment_id`` columns."""
    meta: dict[tuple[str, str], dict[str, Any]] = {}
    for path in paths:
        path = Path(path)
        try:
            with open(path, encoding="utf-8", newline="") as fh:
                reader = csv.DictReader(fh)
                if not reader.fieldnames or not {"thread_id", "comment_id"} <= set(reader.fieldnames):
                    raise InputError(f"{path}: a table to attach needs 'thread_id' and 'comment_id' columns")
                for row in reader:
                    key = (row.pop("thread_id"), row.pop("comment_id"))
                    meta.setdefault(key, {}).update({k: _cell(v) for k, v in row.items()
                                                     if k and k not in ("text", "author", "parent_id")})
        except OSError as exc:
            raise InputError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    return meta


def _cell(value: str | None) -> Any:
    """A CSV cell as a number where it is one (ConvoKit metadata keeps types); text otherwise."""
    if value is None or value == "":
        return None
    text = value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES) else value
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        return text
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def _clashing_ids(threads: list[Thread]) -> set[str]:
    seen: dict[str, str] = {}
    clash: set[str] = set()
    for t in threads:
        for cid in {c.comment_id for c in t.comments} | {t.thread_id}:
            if cid in seen and seen[cid] != t.thread_id:
                clash.add(cid)
            seen.setdefault(cid, t.thread_id)
    return clash


def _uid(t: Thread, cid: str, clash: set[str]) -> str:
    return f"{t.thread_id}/{cid}" if cid in clash else cid


def _index(index: dict[str, str], meta: dict[str, Any]) -> None:
    """Record each field's type, as ConvoKit's index does; a type seen only as None is replaced."""
    for key, value in meta.items():
        if index.get(key, "<class 'NoneType'>") == "<class 'NoneType'>":
            index[key] = _type_name(value)


def _type_name(value: Any) -> str:
    return str(type(value))


def _write(fh, obj: dict) -> None:
    fh.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _dump(path: Path, obj: Any) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, ensure_ascii=False)
