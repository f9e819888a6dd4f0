"""The queue database's tables, and the upgrade of a database written by an older version.

Version 1 had ``items`` (no status, place or scoring mode) and ``decisions`` limited to approve
and reject with no moderator. Version 2 adds those, the ``threads``, ``scores`` and ``aliases``
tables; the upgrade keeps every item and decision.
"""
from __future__ import annotations

SCHEMA_VERSION = "2"

TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    fingerprint   TEXT PRIMARY KEY,
    thread_id     TEXT NOT NULL,
    comment_id    TEXT NOT NULL,
    author        TEXT,
    text          TEXT NOT NULL,
    priority      REAL NOT NULL,
    reasons       TEXT NOT NULL,
    first_seen    TEXT NOT NULL,
    last_seen     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS decisions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint TEXT NOT NULL REFERENCES items (fingerprint),
    decision    TEXT NOT NULL CHECK (decision IN ('approve', 'reject', 'defer')),
    note        TEXT,
    moderator   TEXT,
    decided_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS threads (thread_id TEXT PRIMARY KEY, title TEXT, outlet TEXT, url TEXT);
CREATE TABLE IF NOT EXISTS scores (
    fingerprint TEXT NOT NULL, mode TEXT NOT NULL, priority REAL NOT NULL, reasons TEXT NOT NULL,
    model TEXT NOT NULL, scored_at TEXT NOT NULL, PRIMARY KEY (fingerprint, mode)
);
CREATE TABLE IF NOT EXISTS aliases (alias TEXT PRIMARY KEY, fingerprint TEXT NOT NULL);
"""

#: columns version 2 added to ``items``
ITEM_COLUMNS = {
    "parent_id": "TEXT", "position": "INTEGER", "author_pos": "INTEGER", "mode": "TEXT",
    "status": "TEXT NOT NULL DEFAULT 'pending'", "superseded_by": "TEXT", "closed_at": "TEXT", "closed_reason": "TEXT",
}

INDEXES = """
CREATE INDEX IF NOT EXISTS items_priority ON items (priority DESC);
CREATE INDEX IF NOT EXISTS items_status ON items (status, priority DESC);
CREATE INDEX IF NOT EXISTS items_thread ON items (thread_id, position);
CREATE INDEX IF NOT EXISTS decisions_fp ON decisions (fingerprint, id);
"""


def _run(conn, script: str) -> None:
    for stmt in script.strip().split(";"):
        if stmt.strip():
            conn.execute(stmt)


def _columns(conn, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}


def migrate(conn) -> None:
    """Create or upgrade the tables; call inside a write transaction."""
    _run(conn, TABLES)
    have = _columns(conn, "items")
    for name, decl in ITEM_COLUMNS.items():
        if name not in have:
            conn.execute(f"ALTER TABLE items ADD COLUMN {name} {decl}")
    if "moderator" not in _columns(conn, "decisions"):  # version 1: rebuilt for the wider CHECK
        conn.execute("ALTER TABLE decisions RENAME TO decisions_v1")
        _run(conn, TABLES)
        conn.execute("INSERT INTO decisions (id, fingerprint, decision, note, decided_at) "
                     "SELECT id, fingerprint, decision, note, decided_at FROM decisions_v1")
        conn.execute("DROP TABLE decisions_v1")
        conn.execute("DROP INDEX IF EXISTS decisions_fp")
        conn.execute("UPDATE items SET status = CASE (SELECT decision FROM decisions d WHERE d.fingerprint = "
                     "items.fingerprint ORDER BY d.id DESC LIMIT 1) WHEN 'approve' THEN 'approved' "
                     "WHEN 'reject' THEN 'rejected' ELSE 'pending' END")
    _run(conn, INDEXES)
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
