"""Moderators, their passwords, API tokens and browser sessions, in the queue's SQLite file.

Passwords are stored as salted scrypt hashes (``hashlib.scrypt``, n=2**14, r=8, p=1), never in
clear. API tokens and session ids are random 256-bit strings shown once; only their SHA-256 is
stored, so a copy of the database lets nobody in. Each session carries its own CSRF token.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..errors import InputError

ROLES = ("moderator", "admin")
SESSION_HOURS = 12
_N, _R, _P = 2 ** 14, 8, 1
_NAME = re.compile(r"[A-Za-z0-9_.@-]{1,64}")

TABLES = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('moderator', 'admin')),
    password TEXT, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY, name TEXT NOT NULL REFERENCES users (name), created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    hash TEXT PRIMARY KEY, name TEXT NOT NULL REFERENCES users (name), csrf TEXT NOT NULL, expires_at TEXT NOT NULL
);
"""


def _now() -> datetime:
    return datetime.now(UTC)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${key.hex()}"


def check_password(password: str, stored: str | None) -> bool:
    try:
        scheme, n, r, p, salt, key = (stored or "").split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    got = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                         dklen=len(key) // 2)
    return hmac.compare_digest(got.hex(), key)


class Users:
    """The accounts of one queue database."""

    def __init__(self, path: str | Path):
        self.conn = sqlite3.connect(str(path), timeout=60, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA busy_timeout=60000")
        if self.conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sessions'").fetchone()[0] == 0:
            self.conn.execute("BEGIN IMMEDIATE")
            for stmt in TABLES.strip().split(";"):
                if stmt.strip():
                    self.conn.execute(stmt)
            self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- accounts ----------------------------------------------------------------------------------
    def add(self, name: str, role: str, password: str) -> None:
        if not _NAME.fullmatch(name or ""):
            raise InputError(f"user name {name!r} must be 1-64 letters, digits or . _ @ -")
        if role not in ROLES:
            raise InputError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if len(password) < 8:
            raise InputError("the password must have at least 8 characters")
        try:
            self.conn.execute("INSERT INTO users VALUES (?, ?, ?, ?)",
                              (name, role, hash_password(password), _now().isoformat(timespec="seconds")))
        except sqlite3.IntegrityError:
            raise InputError(f"user {name!r} exists already") from None

    def get(self, name: str) -> dict | None:
        row = self.conn.execute("SELECT name, role, created_at FROM users WHERE name = ?", (name,)).fetchone()
        return dict(row) if row else None

    def all(self) -> list[dict]:
        return [dict(r) for r in self.conn.execute("SELECT name, role, created_at FROM users ORDER BY name")]

    def login(self, name: str, password: str) -> dict | None:
        row = self.conn.execute("SELECT name, role, password FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            check_password(password, hash_password("timing"))  # same work for unknown names
            return None
        return {"name": row["name"], "role": row["role"]} if check_password(password, row["password"]) else None

    # -- API tokens --------------------------------------------------------------------------------
    def new_token(self, name: str) -> str:
        if self.get(name) is None:
            raise InputError(f"no user {name!r}; add one with `discourse users add {name} --role moderator`")
        token = "dsc_" + secrets.token_urlsafe(32)
        self.conn.execute("INSERT INTO tokens VALUES (?, ?, ?)",
                          (_digest(token), name, _now().isoformat(timespec="seconds")))
        return token

    def by_token(self, token: str) -> dict | None:
        row = self.conn.execute("SELECT u.name, u.role FROM tokens t JOIN users u ON u.name = t.name WHERE t.hash = ?",
                                (_digest(token),)).fetchone()
        return dict(row) if row else None

    # -- browser sessions --------------------------------------------------------------------------
    def new_session(self, name: str) -> tuple[str, str]:
        """A session id for the cookie and its CSRF token."""
        sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = (_now() + timedelta(hours=SESSION_HOURS)).isoformat(timespec="seconds")
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("DELETE FROM sessions WHERE expires_at < ?", (_now().isoformat(timespec="seconds"),))
        self.conn.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)", (_digest(sid), name, csrf, expires))
        self.conn.execute("COMMIT")
        return sid, csrf

    def by_session(self, sid: str) -> dict | None:
        row = self.conn.execute(
            "SELECT u.name, u.role, s.csrf FROM sessions s JOIN users u ON u.name = s.name "
            "WHERE s.hash = ? AND s.expires_at > ?", (_digest(sid), _now().isoformat(timespec="seconds"))).fetchone()
        return dict(row) if row else None

    def end_session(self, sid: str) -> None:
        self.conn.execute("DELETE FROM sessions WHERE hash = ?", (_digest(sid),))
