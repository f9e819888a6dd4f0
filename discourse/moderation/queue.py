"""The review queue and its decisions, kept in SQLite because moderation spans days.

Each comment is keyed by a stable fingerprint (see ``identity``), so a re-run on a grown thread
finds the comments it has seen, adds only new ones, never re-queues a decided one, and closes the
stale entry of an edited comment. Decisions (approve, reject, defer) are appended, never
overwritten, with who made them: changing a final one needs ``override`` and keeps the history.
Writes run in ``BEGIN IMMEDIATE`` transactions on a WAL database with a busy timeout, so two
writers at once (two runs, a run and the web app, many moderators) wait for each other instead of
losing or doubling a decision.

Each entry records which scoring mode made its priority (``full``: with sentence embeddings;
``fast``: without, as ``--fast`` runs), since the two differ for the same text; the latest score
of each mode is kept in ``scores``.
"""
from __future__ import annotations

import math
import re
import sqlite3
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ..errors import InputError
from .identity import author_positions, fingerprints, match
from .schema import SCHEMA_VERSION, migrate

__all__ = ["DECISIONS", "MODELS", "PAST", "STATUSES", "Conflict", "ReviewQueue", "fingerprints"]

DECISIONS = ("approve", "reject", "defer")
PAST = {"approve": "approved", "reject": "rejected", "defer": "deferred"}
FINAL = ("approved", "rejected")
STATUSES = ("pending", "approved", "rejected", "deferred", "superseded")
#: what made an entry's scores, by mode
MODELS = {
    "full": "triage weights (scoring.toml) over incivility, disinformation and coordination signals, "
            "sentence embeddings all-MiniLM-L6-v2",
    "fast": "triage weights (scoring.toml) over incivility, disinformation and coordination signals, "
            "no sentence embeddings (--fast)",
}


class Conflict(InputError):
    """The item was decided (or closed) since the caller read it."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _text(v) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return str(v)


class ReviewQueue:
    """A queue file. Use as a context manager or call ``close``."""

    def __init__(self, path: str | Path, create: bool = True):
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise InputError(f"no triage database at {self.path}; fill one with `discourse triage PATH --db "
                             f"{self.path}`")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(str(self.path), timeout=60, isolation_level=None, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA busy_timeout=60000")
            self.conn.execute("PRAGMA journal_mode=WAL")
            version = self._version()
            if version != SCHEMA_VERSION:
                with self._write():
                    migrate(self.conn)
        except sqlite3.DatabaseError as exc:
            raise InputError(f"cannot use {self.path} as a triage database ({exc}); "
                             "pass another file with --db") from None

    def _version(self) -> str | None:
        try:
            row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.OperationalError:  # no meta table yet
            return None
        return row[0] if row else None

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
    def add(self, comments, threads=None, mode: str = "full") -> dict:
        """Queue the scored comments (``triage_priority, triage_reasons`` columns) not seen before;
        refresh the scores of open ones; close the stale entry of an edited comment. ``threads``
        (``Thread`` objects or the analysis ``threads`` table) gives titles and outlets. Returns counts and fingerprints."""
        if mode not in MODELS:
            raise InputError(f"scoring mode must be one of {', '.join(MODELS)}, not {mode!r}")
        fps = fingerprints(comments)
        records = comments.to_dict("records")
        for rec, fp, pos in zip(records, fps, author_positions(comments)):
            rec.update(fingerprint=fp, author_pos=pos, thread_id=str(rec["thread_id"]), text=str(rec.get("text") or ""))
        now = _now()
        out = {"new": [], "pending": 0, "decided": 0, "moved": 0, "superseded": [], "fingerprints": fps}
        with self._write():
            self._add_threads(threads)
            known = {r["fingerprint"]: dict(r) for r in self.conn.execute(
                "SELECT fingerprint, thread_id, author, author_pos, text, status FROM items WHERE status != 'superseded'")}
            aliases = dict(self.conn.execute("SELECT alias, fingerprint FROM aliases").fetchall())
            for rec, (kind, old) in zip(records, match(records, known, aliases)):
                if kind in ("same", "moved"):
                    if kind == "moved":
                        self.conn.execute("INSERT OR REPLACE INTO aliases VALUES (?, ?)", (rec["fingerprint"], old))
                        out["moved"] += 1
                    self._refresh(old, rec, mode, now)
                    out["pending" if known[old]["status"] == "pending" else "decided"] += 1
                    continue
                self._insert(rec, mode, now)
                out["new"].append(rec["fingerprint"])
                if kind == "edited":
                    self.conn.execute(
                        "UPDATE items SET status = 'superseded', superseded_by = ?, closed_at = ?, closed_reason = ? "
                        "WHERE fingerprint = ?",
                        (rec["fingerprint"], now, (f"edited: the comment's text changed; superseded by "
                                                  f"{rec['fingerprint'][:10]}"), old))
                    out["superseded"].append(old)
        return out

    def _add_threads(self, threads) -> None:
        """Titles and outlets from a list of ``Thread`` or the analysis ``threads`` table."""
        if threads is None or len(threads) == 0:
            return
        if hasattr(threads, "to_dict"):
            rows = threads.to_dict("records")
        else:
            rows = [{"thread_id": t.thread_id, "title": t.article.title, "outlet": t.article.outlet,
                     "url": t.article.url} for t in threads]
        for t in rows:
            self.conn.execute("INSERT OR REPLACE INTO threads VALUES (?, ?, ?, ?)",
                              (str(t["thread_id"]), _text(t.get("title")), _text(t.get("outlet")), _text(t.get("url"))))

    def _scores(self, fp: str, rec: dict, mode: str, now: str) -> tuple:
        prio = float(rec.get("triage_priority") or 0.0)
        reasons = str(rec.get("triage_reasons") or "")
        self.conn.execute("INSERT OR REPLACE INTO scores VALUES (?, ?, ?, ?, ?, ?)",
                          (fp, mode, prio, reasons, MODELS[mode], now))
        return prio, reasons

    def _refresh(self, fp: str, rec: dict, mode: str, now: str) -> None:
        prio, reasons = self._scores(fp, rec, mode, now)
        self.conn.execute(
            "UPDATE items SET priority = ?, reasons = ?, mode = ?, comment_id = ?, parent_id = ?, position = ?, "
            "author_pos = ?, text = ?, last_seen = ? WHERE fingerprint = ?",
            (prio, reasons, mode, str(rec["comment_id"]), _text(rec.get("parent_id")), rec.get("position"),
             rec["author_pos"], rec["text"], now, fp))

    def _insert(self, rec: dict, mode: str, now: str) -> None:
        fp = rec["fingerprint"]
        self.conn.execute(
            "INSERT INTO items (fingerprint, thread_id, comment_id, author, text, priority, reasons, first_seen, "
            "last_seen, parent_id, position, author_pos, mode, status) "
            "VALUES (?, ?, ?, ?, ?, 0, '', ?, ?, ?, ?, ?, ?, 'pending')",
            (fp, rec["thread_id"], str(rec["comment_id"]), _text(rec.get("author")), rec["text"], now, now,
             _text(rec.get("parent_id")), rec.get("position"), rec["author_pos"], mode))
        self._refresh(fp, rec, mode, now)

    # -- reading -----------------------------------------------------------------------------------
    def pending(self, limit: int | None = None) -> list[dict]:
        """Undecided items, highest priority first."""
        return self.items(status="pending", limit=limit)

    def items(self, status: str | None = None, thread_ids: list[str] | None = None, outlet: str | None = None,
              reason: str | None = None, limit: int | None = None, offset: int = 0) -> list[dict]:
        """Queue entries, highest priority first, filtered by status, threads, outlet and reason."""
        where, args = [], []
        if status:
            if status not in STATUSES:
                raise InputError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
            where.append("i.status = ?")
            args.append(status)
        if thread_ids:
            where.append(f"i.thread_id IN ({', '.join('?' * len(thread_ids))})")
            args += list(thread_ids)
        if outlet:
            where.append("t.outlet = ?")
            args.append(outlet)
        if reason:
            where.append("instr(lower(i.reasons), lower(?)) > 0")
            args.append(reason)
        sql = ("SELECT i.*, t.title, t.outlet, (SELECT MAX(id) FROM decisions d WHERE d.fingerprint = i.fingerprint) "
               "AS last_decision_id FROM items i LEFT JOIN threads t ON t.thread_id = i.thread_id"
               + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY i.priority DESC, i.first_seen, i.thread_id, i.position, i.comment_id")
        if limit:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        return [dict(r) for r in self.conn.execute(sql, args)]

    def thread(self, thread_id: str) -> list[dict]:
        """Every open entry of a thread, in page order (superseded entries left out)."""
        return [dict(r) for r in self.conn.execute(
            "SELECT i.*, t.title, t.outlet FROM items i LEFT JOIN threads t ON t.thread_id = i.thread_id "
            "WHERE i.thread_id = ? AND i.status != 'superseded' ORDER BY i.position, i.first_seen", (thread_id,))]

    def item(self, fingerprint: str) -> dict | None:
        row = self.conn.execute(
            "SELECT i.*, t.title, t.outlet, (SELECT MAX(id) FROM decisions d WHERE d.fingerprint = i.fingerprint) "
            "AS last_decision_id FROM items i LEFT JOIN threads t ON t.thread_id = i.thread_id "
            "WHERE i.fingerprint = ?", (fingerprint,)).fetchone()
        return dict(row) if row else None

    def parents(self, items: list[dict]) -> dict[str, dict]:
        """The open entry each item replies to, by the item's fingerprint."""
        out = {}
        for it in items:
            if it.get("parent_id"):
                row = self.conn.execute(
                    "SELECT fingerprint, comment_id, author, text, status FROM items WHERE thread_id = ? AND "
                    "comment_id = ? AND status != 'superseded'", (it["thread_id"], it["parent_id"])).fetchone()
                if row:
                    out[it["fingerprint"]] = dict(row)
        return out

    def reasons(self) -> list[str]:
        """Every reason text of open entries (for the reason filter)."""
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT reasons FROM items WHERE reasons != '' AND status != 'superseded'")]

    def decisions(self, limit: int = 100) -> list[dict]:
        """The latest decisions across the queue, newest first."""
        return [dict(r) for r in self.conn.execute(
            "SELECT id, fingerprint, decision, note, moderator, decided_at FROM decisions ORDER BY id DESC LIMIT ?",
            (int(limit),))]

    def scores(self, fingerprint: str) -> list[dict]:
        return [dict(r) for r in self.conn.execute(
            "SELECT mode, priority, reasons, model, scored_at FROM scores WHERE fingerprint = ? ORDER BY mode",
            (fingerprint,))]

    def facets(self) -> dict:
        """What the filters offer: threads (with titles), outlets, statuses with counts."""
        return {
            "threads": [dict(r) for r in self.conn.execute(
                "SELECT i.thread_id, t.title, COUNT(*) AS n FROM items i LEFT JOIN threads t ON t.thread_id = "
                "i.thread_id GROUP BY i.thread_id ORDER BY i.thread_id")],
            "outlets": [r[0] for r in self.conn.execute(
                "SELECT DISTINCT outlet FROM threads WHERE outlet IS NOT NULL ORDER BY outlet")],
            "statuses": dict(self.conn.execute("SELECT status, COUNT(*) FROM items GROUP BY status").fetchall()),
        }

    def history(self, fingerprint: str) -> list[dict]:
        return [dict(r) for r in self.conn.execute(
            "SELECT id, decision, note, moderator, decided_at FROM decisions WHERE fingerprint = ? ORDER BY id",
            (fingerprint,))]

    def statuses(self, comments) -> list[str | None]:
        """The queue status of each row of a comments frame (None where it is not queued)."""
        fps = fingerprints(comments)
        aliases = dict(self.conn.execute("SELECT alias, fingerprint FROM aliases").fetchall())
        status = dict(self.conn.execute("SELECT fingerprint, status FROM items").fetchall())
        return [status.get(aliases.get(fp, fp)) for fp in fps]

    def resolve(self, ident: str) -> dict:
        """The item a moderator means: a fingerprint (or its first 6+ characters), a comment id, or
        ``THREAD:COMMENT``. Superseded entries are found by fingerprint only."""
        ident = ident.strip()
        rows = []
        if len(ident) >= 6 and re.fullmatch(r"[0-9a-f]+", ident):
            rows = [dict(r) for r in self.conn.execute(
                "SELECT * FROM items WHERE fingerprint LIKE ?", (ident + "%",))]
        if not rows and ":" in ident:
            tid, cid = ident.rsplit(":", 1)
            rows = [dict(r) for r in self.conn.execute(
                "SELECT * FROM items WHERE thread_id = ? AND comment_id = ? AND status != 'superseded'", (tid, cid))]
        if not rows:
            rows = [dict(r) for r in self.conn.execute(
                "SELECT * FROM items WHERE comment_id = ? AND status != 'superseded'", (ident,))]
        if not rows:
            raise InputError(f"no queued comment matches {ident!r} in {self.path}; use the id column of "
                             "`discourse triage`, or THREAD:COMMENT")
        if len(rows) > 1:
            options = ", ".join(f"{r['fingerprint'][:10]} ({r['thread_id']}:{r['comment_id']})" for r in rows[:5])
            raise InputError(f"{ident!r} matches {len(rows)} comments ({options}); give the id or THREAD:COMMENT")
        return rows[0]

    # -- deciding ----------------------------------------------------------------------------------
    def decide(self, ident: str, decision: str, note: str | None = None, override: bool = False,
               moderator: str | None = None, strict: bool = False, seen: int | None = None) -> dict:
        """Record a decision, in one transaction. Changing a final decision (approved, rejected)
        needs ``override``; the old one stays in the history. Without ``strict`` (the command line),
        repeating the same decision without a note records nothing; with it (the web app and API),
        any decision made since the caller read the item is a ``Conflict``: one made after the
        decision id ``seen``, or, when ``seen`` is None, any final one."""
        if decision not in DECISIONS:
            raise InputError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
        item = self.resolve(ident)
        with self._write():
            cur = self.conn.execute("SELECT status FROM items WHERE fingerprint = ?", (item["fingerprint"],)).fetchone()
            last = self.conn.execute("SELECT id, decision, decided_at, moderator FROM decisions WHERE fingerprint = ? "
                                     "ORDER BY id DESC LIMIT 1", (item["fingerprint"],)).fetchone()
            previous = last["decision"] if last else None
            where = f"comment {item['thread_id']}:{item['comment_id']}"
            if cur["status"] == "superseded":
                raise Conflict(f"{where} was closed: {item['closed_reason']}; decide its newer entry")
            if strict and not override:
                changed_since = last and (last["id"] > seen if seen is not None else cur["status"] in FINAL)
                if changed_since:
                    raise Conflict(f"{where} was {PAST[previous]} by {last['moderator'] or 'someone'} on "
                                   f"{last['decided_at']} (decision {last['id']}); send override to change it")
            elif not strict:
                if previous == decision and not note:
                    return {**item, "decision": decision, "changed": False, "previous": previous}
                if cur["status"] in FINAL and previous != decision and not override:
                    raise Conflict(f"{where} was already {PAST[previous]} on {last['decided_at']}; pass --override "
                                   "to change it (the earlier decision is kept in the history)")
            now = _now()
            did = self.conn.execute(
                "INSERT INTO decisions (fingerprint, decision, note, moderator, decided_at) VALUES (?, ?, ?, ?, ?)",
                (item["fingerprint"], decision, note, moderator, now)).lastrowid
            self.conn.execute("UPDATE items SET status = ? WHERE fingerprint = ?", (PAST[decision], item["fingerprint"]))
        return {**item, "decision": decision, "changed": True, "previous": previous, "decision_id": did,
                "status": PAST[decision], "decided_at": now}


def attach_statuses(comments, db: str | Path):
    """``comments`` with a ``moderation`` column (pending, approved, ...; None where not queued)
    from the queue in ``db``, for the static reports; unchanged when there is no queue there."""
    import logging

    if not Path(db).is_file() or comments.empty:
        return comments
    try:
        with ReviewQueue(db, create=False) as q:
            return comments.assign(moderation=q.statuses(comments))
    except InputError as exc:
        logging.getLogger("discourse").warning("moderation status left out of the report: %s", exc)
        return comments
