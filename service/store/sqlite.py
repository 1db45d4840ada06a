"""Catalog and event store on SQLite (WAL mode).

Writes are committed before a method returns, so whatever a caller was told is stored
survives a crash. One connection per thread; WAL lets readers run beside a writer.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path

from service.store.base import CHANGES, Exposure, HistoryEntry, StoreStats
from service.store.migrations import migrate
from service.types import Event, Item


class SqliteStore:
    kind, shared = "sqlite", False

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        migrate(self._conn)

    # -- connection -------------------------------------------------------------------
    @property
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")  # an acknowledged write survives power loss
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- items ------------------------------------------------------------------------
    def upsert_items(self, items: Iterable[Item]) -> int:
        now = time.time()
        rows = [
            (it.item_id, it.title, it.text, json.dumps(it.attributes, ensure_ascii=False), now)
            for it in items
        ]
        with self._write_lock, self._conn as conn:
            conn.executemany(
                """INSERT INTO items (item_id, title, text, attributes, updated_at)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT(item_id) DO UPDATE SET title=excluded.title,
                     text=excluded.text, attributes=excluded.attributes,
                     updated_at=excluded.updated_at""",
                rows,
            )
            if rows:
                _bump(conn, CHANGES)
        return len(rows)

    def get_item(self, item_id: str) -> Item | None:
        row = self._conn.execute(
            "SELECT item_id, title, text, attributes FROM items WHERE item_id = ?", (item_id,)
        ).fetchone()
        return _item(row) if row else None

    def get_items(self, item_ids: list[str]) -> dict[str, Item]:
        out: dict[str, Item] = {}
        for start in range(0, len(item_ids), 500):
            chunk = item_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._conn.execute(
                f"SELECT item_id, title, text, attributes FROM items WHERE item_id IN ({marks})",
                chunk,
            ):
                out[row[0]] = _item(row)
        return out

    def iter_items(self) -> Iterator[Item]:
        for row in self._conn.execute(
            "SELECT item_id, title, text, attributes FROM items ORDER BY item_id"
        ):
            yield _item(row)

    def item_ids(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT item_id FROM items ORDER BY item_id")]

    def delete_item(self, item_id: str) -> bool:
        """Remove an item and every event that refers to it."""
        with self._write_lock, self._conn as conn:
            cur = conn.execute("DELETE FROM items WHERE item_id = ?", (item_id,))
            conn.execute("DELETE FROM events WHERE item_id = ?", (item_id,))
            conn.execute("DELETE FROM exposures WHERE item_id = ?", (item_id,))
            if cur.rowcount:
                _bump(conn, CHANGES)
        return cur.rowcount > 0

    # -- events -----------------------------------------------------------------------
    def add_events(self, events: Iterable[Event], exposures: Sequence[Exposure] = (),
                   keep: int = 1) -> tuple[int, int]:
        """Insert events; an exact repeat (same user, item, type, time) is ignored. The
        exposures they imply (impressions) are written in the same transaction.

        Returns (inserted, duplicates)."""
        rows = [(e.user_id, e.item_id, e.type, e.value, e.timestamp) for e in events]
        with self._write_lock, self._conn as conn:
            before = conn.total_changes
            conn.executemany(
                """INSERT OR IGNORE INTO events (user_id, item_id, type, value, timestamp)
                   VALUES (?, ?, ?, ?, ?)""",
                rows,
            )
            inserted = conn.total_changes - before
            if exposures:
                _insert_exposures(conn, exposures, keep)
        return inserted, len(rows) - inserted

    def history(self, user_id: str, limit: int | None = None,
                types: Collection[str] | None = None) -> list[HistoryEntry]:
        """A user's events, oldest first (ties broken by item id). `limit` keeps the latest;
        `types` keeps events of those types only (before the limit)."""
        sql = "SELECT item_id, type, value, timestamp FROM events WHERE user_id = ?"
        params: tuple = (user_id,)
        if types is not None:
            types = sorted(set(types))
            if not types:
                return []
            sql += f" AND type IN ({', '.join('?' * len(types))})"
            params += tuple(types)
        sql += " ORDER BY timestamp DESC, item_id DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params += (limit,)
        rows = self._conn.execute(sql, params).fetchall()
        return [HistoryEntry(*r) for r in reversed(rows)]

    def seen_items(self, user_id: str, types: Collection[str] | None, limit: int) -> list[str]:
        """The items a user has events of these types (None: any type) with, newest first,
        at most `limit`."""
        types = None if types is None else sorted(set(types))
        if types == [] or limit <= 0:
            return []
        where = "" if types is None else f" AND type IN ({', '.join('?' * len(types))})"
        sql = (f"SELECT item_id FROM events WHERE user_id = ?{where} "
               "GROUP BY item_id ORDER BY MAX(timestamp) DESC, item_id LIMIT ?")
        return [r[0] for r in self._conn.execute(sql, (user_id, *(types or ()), limit)).fetchall()]

    def has_user(self, user_id: str) -> bool:
        return (
            self._conn.execute("SELECT 1 FROM events WHERE user_id = ? LIMIT 1", (user_id,))
            .fetchone()
            is not None
        )

    def delete_user(self, user_id: str) -> int:
        with self._write_lock, self._conn as conn:
            cur = conn.execute("DELETE FROM events WHERE user_id = ?", (user_id,))
            conn.execute("DELETE FROM exposures WHERE user_id = ?", (user_id,))
            if cur.rowcount:
                _bump(conn, CHANGES)
        return cur.rowcount

    def iter_events(self) -> Iterator[tuple[str, str, str, float | None, float]]:
        """All events as (user_id, item_id, type, value, timestamp), grouped by user and
        ordered by time within a user (ties by item id)."""
        yield from self._conn.execute(
            "SELECT user_id, item_id, type, value, timestamp FROM events"
            " ORDER BY user_id, timestamp, item_id, id"
        )

    # -- exposure ---------------------------------------------------------------------
    def add_exposures(self, exposures: Iterable[Exposure], keep: int) -> int:
        """Record what was shown (an impression already recorded is ignored); each person
        keeps their latest `keep` rows. Returns how many rows were new."""
        exposures = list(exposures)
        if not exposures:
            return 0
        with self._write_lock:
            conn = self._conn
            # what an answer showed is written on its request path: committed without an
            # fsync (WAL, synchronous NORMAL) it survives the process being killed, not a
            # power cut, at 0.2 ms instead of 0.5 (scripts/bench_live.py); events stay FULL
            conn.execute("PRAGMA synchronous=NORMAL")
            try:
                with conn:
                    return _insert_exposures(conn, exposures, keep)
            finally:
                conn.execute("PRAGMA synchronous=FULL")

    def exposures(self, user_id: str) -> list[Exposure]:
        """A person's recorded exposures, oldest recorded first."""
        return [Exposure(user_id, *r) for r in self._conn.execute(
            "SELECT item_id, shown_at, feed, page FROM exposures WHERE user_id = ? ORDER BY id", (user_id,))]

    def feed_items(self, user_id: str, feed: str, up_to_page: int) -> list[str]:
        """The items a person's feed showed on its pages up to this one, in order."""
        return [r[0] for r in self._conn.execute(
            "SELECT item_id FROM exposures WHERE user_id = ? AND feed = ? AND page <= ? ORDER BY id",
            (user_id, feed, up_to_page))]

    def exposure_counts(self) -> dict[str, int]:
        """How many recorded exposures each item has (over everyone's kept rows)."""
        return dict(self._conn.execute("SELECT item_id, COUNT(*) FROM exposures GROUP BY item_id").fetchall())

    # -- bookkeeping ------------------------------------------------------------------
    def stats(self) -> StoreStats:
        c = self._conn
        items = c.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        events, users, last = c.execute(
            "SELECT COUNT(*), COUNT(DISTINCT user_id), COALESCE(MAX(id), 0) FROM events"
        ).fetchone()
        return StoreStats(items=items, events=events, users=users, last_event_id=last)

    def last_event_id(self) -> int:
        """The newest event's id (cheap: the rowid index), 0 when there are none."""
        return self._conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]

    def users_with_events(self, at_least: int) -> int:
        """How many users have at least this many events."""
        return self._conn.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM events GROUP BY user_id HAVING COUNT(*) >= ?)", (at_least,)
        ).fetchone()[0]

    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._write_lock, self._conn as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def changes(self) -> int:
        return int(self.get_meta(CHANGES) or 0)

    def meta_default(self, key: str, value: str) -> str:
        """The key's value, set to `value` first if it had none (whoever came first wins)."""
        with self._write_lock, self._conn as conn:
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, value))
        return self.get_meta(key)

    def add_forgotten(self, user_hash: str) -> None:
        with self._write_lock, self._conn as conn:
            conn.execute("INSERT INTO forgotten (user_hash, at) VALUES (?, ?)", (user_hash, time.time()))

    def forgotten_after(self, after_id: int) -> list[tuple[int, str]]:
        return self._conn.execute("SELECT id, user_hash FROM forgotten WHERE id > ? ORDER BY id",
                                  (after_id,)).fetchall()


def _insert_exposures(conn: sqlite3.Connection, exposures: Sequence[Exposure], keep: int) -> int:
    before = conn.total_changes
    conn.executemany("INSERT OR IGNORE INTO exposures (user_id, item_id, shown_at, feed, page) VALUES (?, ?, ?, ?, ?)",
                     [(x.user_id, x.item_id, x.shown_at, x.feed, x.page) for x in exposures])
    inserted = conn.total_changes - before
    conn.executemany("DELETE FROM exposures WHERE user_id = ? AND id < (SELECT id FROM exposures"
                     " WHERE user_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
                     [(u, u, keep - 1) for u in sorted({x.user_id for x in exposures})])
    return inserted


def _bump(conn: sqlite3.Connection, key: str) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE SET"
                 " value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)", (key,))


def _item(row: tuple) -> Item:
    return Item(item_id=row[0], title=row[1], text=row[2], attributes=json.loads(row[3]))
