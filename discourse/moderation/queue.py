"""The review queue and its decisions, kept in SQLite because moderation spans days.

Each comment is keyed by a stable fingerprint (thread, author, normalised text, and which
occurrence of that text by that author it is), not by its position, so a re-run on a grown thread
finds the comments it has seen, adds only new ones, and never re-queues a decided one. Decisions
are appended, never overwritten: changing one needs ``override`` and keeps the history. Writes run
in ``BEGIN IMMEDIATE`` transactions on a WAL database with a busy timeout, so two runs at once wait
for each other instead of corrupting the file.
"""
from __future__ import annotations

import hashlib
import re
import sqlite3
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ..errors import InputError

DECISIONS = ("approve", "reject")
PAST = {"approve": "approved", "reject": "rejected"}
SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    fingerprint TEXT PRIMARY KEY,
    thread_id   TEXT NOT NULL,
    comment_id  TEXT NOT NULL,
    author      TEXT,
    text        TEXT NOT NULL,
    priority    REAL NOT NULL,
    reasons     TEXT NOT NULL,
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS items_priority ON items (priority DESC);
CREATE TABLE IF NOT EXISTS decisions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint TEXT NOT NULL REFERENCES items (fingerprint),
    decision    TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
    note        TEXT,
    decided_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_fp ON decisions (fingerprint, id);
"""

_SPACE = re.compile(r"\s+")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def fingerprints(comments) -> list[str]:
    """Stable keys for the rows of a comments frame (``thread_id, author, text``)."""
    seen: Counter = Counter()
    out = []
    for tid, author, text in zip(comments["thread_id"], comments["author"], comments["text"]):
        norm = _SPACE.sub(" ", str(text or "")).strip().casefold()
        key = (str(tid), str(author or ""), norm)
        seen[key] += 1
        raw = "\x1f".join((*key, str(seen[key])))
        out.append(hashlib.sha256(raw.encode("utf-8")).hexdigest()[:20])
    return out


class ReviewQueue:
    """A queue file. Use as a context manager or call ``close``."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(str(self.path), timeout=60, isolation_level=None)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA busy_timeout=60000")
            with self._write():
                for stmt in _SCHEMA.strip().split(";"):
                    if stmt.strip():
                        self.conn.execute(stmt)
                self.conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        except sqlite3.DatabaseError as exc:
            raise InputError(f"cannot use {self.path} as a triage database ({exc}); "
                             "pass another file with --db") from None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def _write(self):
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- adding ------------------------------------------------------------------------------------
    def add(self, comments) -> dict:
        """Queue the scored comments (``triage_priority, triage_reasons`` columns) not seen before;
        refresh the scores of pending ones. Returns counts and the fingerprints of the new ones."""
        fps = fingerprints(comments)
        now = _now()
        new, pending, decided = [], 0, 0
        with self._write():
            known = {r["fingerprint"]: r for r in self.conn.execute(
                "SELECT i.fingerprint, (SELECT decision FROM decisions d WHERE d.fingerprint = i.fingerprint "
                "ORDER BY d.id DESC LIMIT 1) AS decision FROM items i")}
            for fp, rec in zip(fps, comments.to_dict("records")):
                prio = float(rec.get("triage_priority") or 0.0)
                reasons = str(rec.get("triage_reasons") or "")
                if fp in known:
                    self.conn.execute(
                        "UPDATE items SET priority = ?, reasons = ?, comment_id = ?, last_seen = ? "
                        "WHERE fingerprint = ?", (prio, reasons, str(rec["comment_id"]), now, fp))
                    if known[fp]["decision"]:
                        decided += 1
                    else:
                        pending += 1
                    continue
                self.conn.execute(
                    "INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (fp, str(rec["thread_id"]), str(rec["comment_id"]), rec.get("author"), str(rec.get("text") or ""),
                     prio, reasons, now, now))
                new.append(fp)
        return {"new": new, "pending": pending, "decided": decided, "fingerprints": fps}

    # -- reading -----------------------------------------------------------------------------------
    def pending(self, limit: int | None = None) -> list[dict]:
        """Undecided items, highest priority first."""
        sql = ("SELECT i.* FROM items i WHERE NOT EXISTS (SELECT 1 FROM decisions d WHERE d.fingerprint = "
               "i.fingerprint) ORDER BY i.priority DESC, i.first_seen, i.thread_id, i.comment_id")
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [dict(r) for r in self.conn.execute(sql)]

    def history(self, fingerprint: str) -> list[dict]:
        return [dict(r) for r in self.conn.execute(
            "SELECT decision, note, decided_at FROM decisions WHERE fingerprint = ? ORDER BY id", (fingerprint,))]

    def resolve(self, ident: str) -> dict:
        """The item a moderator means: a fingerprint (or its first 6+ characters), a comment id, or
        ``THREAD:COMMENT``."""
        ident = ident.strip()
        rows = []
        if len(ident) >= 6 and re.fullmatch(r"[0-9a-f]+", ident):
            rows = [dict(r) for r in self.conn.execute(
                "SELECT * FROM items WHERE fingerprint LIKE ?", (ident + "%",))]
        if not rows and ":" in ident:
            tid, cid = ident.rsplit(":", 1)
            rows = [dict(r) for r in self.conn.execute(
                "SELECT * FROM items WHERE thread_id = ? AND comment_id = ?", (tid, cid))]
        if not rows:
            rows = [dict(r) for r in self.conn.execute("SELECT * FROM items WHERE comment_id = ?", (ident,))]
        if not rows:
            raise InputError(f"no queued comment matches {ident!r} in {self.path}; use the id column of "
                             "`discourse triage`, or THREAD:COMMENT")
        if len(rows) > 1:
            options = ", ".join(f"{r['fingerprint'][:10]} ({r['thread_id']}:{r['comment_id']})" for r in rows[:5])
            raise InputError(f"{ident!r} matches {len(rows)} comments ({options}); give the id or THREAD:COMMENT")
        return rows[0]

    # -- deciding ----------------------------------------------------------------------------------
    def decide(self, ident: str, decision: str, note: str | None = None, override: bool = False) -> dict:
        """Record a decision. Changing an earlier decision needs ``override``; the old one stays in
        the history. Repeating the same decision records nothing."""
        if decision not in DECISIONS:
            raise InputError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
        item = self.resolve(ident)
        with self._write():
            last = self.conn.execute("SELECT decision, decided_at FROM decisions WHERE fingerprint = ? "
                                     "ORDER BY id DESC LIMIT 1", (item["fingerprint"],)).fetchone()
            if last and last["decision"] == decision and not note:
                return {**item, "decision": decision, "changed": False, "previous": last["decision"]}
            if last and last["decision"] != decision and not override:
                raise InputError(
                    f"comment {item['thread_id']}:{item['comment_id']} was already {PAST[last['decision']]} on "
                    f"{last['decided_at']}; pass --override to change it (the earlier decision is kept in the history)")
            self.conn.execute("INSERT INTO decisions (fingerprint, decision, note, decided_at) VALUES (?, ?, ?, ?)",
                              (item["fingerprint"], decision, note, _now()))
        return {**item, "decision": decision, "changed": True, "previous": last["decision"] if last else None}
