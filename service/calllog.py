"""A log of every LLM call, in its own SQLite file (so it never contends with event
writes): prompt name and version, the rendered text, model, output or scores, latency,
tokens, fallback reason. User ids are stored as salted hashes; the salt lives in the
data dir, so `forget` can still find a user's entries while a leaked log names no one.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from service.filelock import make_once

SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    ts         REAL NOT NULL,
    kind       TEXT NOT NULL,
    prompt     TEXT NOT NULL,
    model      TEXT,
    user_hash  TEXT,
    rendered   TEXT NOT NULL,
    output     TEXT NOT NULL,
    latency_ms REAL,
    tokens     INTEGER,
    fallback   TEXT
);
CREATE INDEX IF NOT EXISTS calls_user ON calls (user_hash);
CREATE INDEX IF NOT EXISTS calls_ts ON calls (ts);
"""


@dataclass(frozen=True)
class Call:
    id: int
    ts: float
    kind: str
    prompt: str
    model: str | None
    user_hash: str | None
    rendered: str
    output: str
    latency_ms: float | None
    tokens: int | None
    fallback: str | None


class CallLog:
    def __init__(self, path: Path, enabled: bool = True, retention_days: float = 30.0,
                 salt: str | None = None) -> None:
        self.path, self.enabled, self.retention_days = Path(path), enabled, retention_days
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30.0)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(SCHEMA)
        if salt is None:  # one process, or one machine: the salt lives beside the log
            salt_file = make_once(self.path.parent / "calllog.salt",
                                  lambda tmp: tmp.write_text(secrets.token_hex(16)))
            salt = salt_file.read_text().strip()
        self._salt = salt
        self._writes = 0

    def user_hash(self, user_id: str | None) -> str | None:
        if not user_id:
            return None
        return hashlib.sha256((self._salt + user_id).encode()).hexdigest()[:20]

    def record(self, kind: str, prompt: str, rendered: str, output, model: str | None = None,
               user_id: str | None = None, latency_ms: float | None = None, tokens: int | None = None,
               fallback: str | None = None) -> int | None:
        if not self.enabled:
            return None
        out = output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)
        with self._lock, self._conn:
            cur = self._conn.execute(
                "INSERT INTO calls (ts, kind, prompt, model, user_hash, rendered, output, latency_ms, tokens, fallback)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time(), kind, prompt, model, self.user_hash(user_id), rendered, out, latency_ms, tokens, fallback))
            self._writes += 1
            if self._writes % 200 == 0:
                self._prune()
            return cur.lastrowid

    def _prune(self) -> None:
        cutoff = time.time() - self.retention_days * 86400
        self._conn.execute("DELETE FROM calls WHERE ts < ?", (cutoff,))

    def prune(self) -> None:
        with self._lock, self._conn:
            self._prune()

    def forget(self, user_id: str) -> int:
        return self.forget_hash(self.user_hash(user_id))

    def forget_hash(self, user_hash: str) -> int:
        with self._lock, self._conn:
            return self._conn.execute("DELETE FROM calls WHERE user_hash = ?", (user_hash,)).rowcount

    def list(self, limit: int = 20, prompt: str | None = None, search: str | None = None,
             user_id: str | None = None) -> list[Call]:
        sql, args = "SELECT * FROM calls WHERE 1=1", []
        if prompt:
            sql += " AND prompt LIKE ?"
            args.append(f"{prompt}%")
        if search:
            sql += " AND (rendered LIKE ? OR output LIKE ?)"
            args += [f"%{search}%"] * 2
        if user_id:
            sql += " AND user_hash = ?"
            args.append(self.user_hash(user_id))
        sql += " ORDER BY id DESC LIMIT ?"
        args.append(limit)
        with self._lock:
            return [Call(*row) for row in self._conn.execute(sql, args)]

    def get(self, call_id: int) -> Call | None:
        with self._lock:
            row = self._conn.execute("SELECT * FROM calls WHERE id = ?", (call_id,)).fetchone()
        return Call(*row) if row else None
