"""Catalog and event store on PostgreSQL (psycopg 3 and its connection pool).

For teams that run several API processes or machines: every process opens its own pool
against one database. The promises are SQLite's (`service/store/base.py`): a write is
committed before the call returns, upserts are idempotent, and event ids grow in commit
order. The last one costs a transaction-scoped advisory lock around event inserts:
without it a transaction that took id 100 could commit after one that took 101, and a
process that had built its index "up to 101" would never look at 100. Bulk inserts go
through COPY into a temporary table, then one INSERT ... ON CONFLICT DO NOTHING.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Iterable, Iterator, Sequence

from service.store.base import CHANGES, EventRow, Exposure, HistoryEntry, StoreStats
from service.store.pg_connections import Connections
from service.types import Event, Item

EVENTS_LOCK = 0x7265637302  # an advisory lock id: any constant unique to this app


class PostgresStore:
    kind, shared = "postgres", True

    def __init__(self, url: str, pool_size: int = 8, connect_timeout_s: float = 30.0) -> None:
        self.db = Connections(url, pool_size, connect_timeout_s)
        self.migrate()

    def close(self) -> None:
        self.db.close()

    def _conn(self, write: bool = False):
        return self.db.connection(write)

    def migrate(self) -> int:
        return self.db.migrate()

    def schema_version(self) -> int:
        with self._conn() as conn:
            return conn.execute("SELECT version FROM schema_version").fetchone()[0]

    # -- items ------------------------------------------------------------------------
    def upsert_items(self, items: Iterable[Item]) -> int:
        now = time.time()
        latest = {it.item_id: it for it in items}  # a repeated id: the last wins
        if not latest:
            return 0
        with self._conn(write=True) as conn, conn.cursor() as cur:
            cur.execute("CREATE TEMP TABLE item_stage (item_id TEXT, title TEXT, text TEXT, attributes JSONB,"
                        " updated_at DOUBLE PRECISION) ON COMMIT DROP")
            with cur.copy("COPY item_stage FROM STDIN") as copy:
                for it in latest.values():
                    copy.write_row((it.item_id, it.title, it.text, json.dumps(it.attributes, ensure_ascii=False), now))
            cur.execute(
                """INSERT INTO items (item_id, title, text, attributes, updated_at)
                   SELECT item_id, title, text, attributes, updated_at FROM item_stage
                   ON CONFLICT (item_id) DO UPDATE SET title = excluded.title, text = excluded.text,
                     attributes = excluded.attributes, updated_at = excluded.updated_at""")
            _bump(conn, CHANGES)
        return len(latest)

    def get_item(self, item_id: str) -> Item | None:
        with self._conn() as conn:
            row = conn.execute("SELECT item_id, title, text, attributes FROM items WHERE item_id = %s",
                               (item_id,)).fetchone()
        return _item(row) if row else None

    def get_items(self, item_ids: list[str]) -> dict[str, Item]:
        if not item_ids:
            return {}
        with self._conn() as conn:
            rows = conn.execute("SELECT item_id, title, text, attributes FROM items WHERE item_id = ANY(%s)",
                                (list(item_ids),)).fetchall()
        return {r[0]: _item(r) for r in rows}

    def iter_items(self) -> Iterator[Item]:
        with self._conn(write=True) as conn, conn.cursor(name="iter_items") as cur:  # a server cursor needs a transaction
            cur.itersize = 5000
            cur.execute("SELECT item_id, title, text, attributes FROM items ORDER BY item_id COLLATE \"C\"")
            for row in cur:
                yield _item(row)

    def item_ids(self) -> list[str]:
        with self._conn() as conn:
            return [r[0] for r in conn.execute("SELECT item_id FROM items ORDER BY item_id COLLATE \"C\"")]

    def delete_item(self, item_id: str) -> bool:
        """Remove an item and every event that refers to it."""
        with self._conn(write=True) as conn:
            n = conn.execute("DELETE FROM items WHERE item_id = %s", (item_id,)).rowcount
            conn.execute("DELETE FROM events WHERE item_id = %s", (item_id,))
            conn.execute("DELETE FROM exposures WHERE item_id = %s", (item_id,))
            if n:
                _bump(conn, CHANGES)
        return n > 0

    # -- events -----------------------------------------------------------------------
    def add_events(self, events: Iterable[Event], exposures: Sequence[Exposure] = (),
                   keep: int = 1) -> tuple[int, int]:
        """Insert events; an exact repeat (same user, item, type, time) is ignored. The
        exposures they imply (impressions) are written in the same transaction.

        Returns (inserted, duplicates)."""
        rows = [(e.user_id, e.item_id, e.type, e.value, e.timestamp) for e in events]
        if not rows:
            return 0, 0
        with self._conn(write=True) as conn, conn.cursor() as cur:
            cur.execute("CREATE TEMP TABLE event_stage (ord INTEGER, user_id TEXT, item_id TEXT, type TEXT,"
                        " value DOUBLE PRECISION, timestamp DOUBLE PRECISION) ON COMMIT DROP")
            with cur.copy("COPY event_stage FROM STDIN") as copy:
                for i, r in enumerate(rows):
                    copy.write_row((i, *r))
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (EVENTS_LOCK,))  # ids in commit order
            cur.execute("""INSERT INTO events (user_id, item_id, type, value, timestamp)
                           SELECT user_id, item_id, type, value, timestamp FROM event_stage ORDER BY ord
                           ON CONFLICT DO NOTHING""")
            inserted = cur.rowcount
            if exposures:
                _insert_exposures(cur, exposures, keep)
        return inserted, len(rows) - inserted

    def history(self, user_id: str, limit: int | None = None,
                types: Collection[str] | None = None) -> list[HistoryEntry]:
        """A user's events, oldest first (ties broken by item id). `limit` keeps the latest;
        `types` keeps events of those types only (before the limit)."""
        sql = "SELECT item_id, type, value, timestamp FROM events WHERE user_id = %s"
        params: tuple = (user_id,)
        if types is not None:
            types = sorted(set(types))
            if not types:
                return []
            sql += " AND type = ANY(%s)"
            params += (types,)
        sql += " ORDER BY timestamp DESC, item_id COLLATE \"C\" DESC, id DESC"
        if limit is not None:
            sql += " LIMIT %s"
            params += (limit,)
        with self._conn() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [HistoryEntry(*r) for r in reversed(rows)]

    def seen_items(self, user_id: str, types: Collection[str] | None, limit: int) -> list[str]:
        """The items a user has events of these types (None: any type) with, newest first,
        at most `limit`."""
        if (types is not None and not types) or limit <= 0:
            return []
        where, params = ("", (user_id, limit)) if types is None else \
            (" AND type = ANY(%s)", (user_id, sorted(set(types)), limit))
        sql = (f"SELECT item_id FROM events WHERE user_id = %s{where} GROUP BY item_id "
               "ORDER BY MAX(timestamp) DESC, item_id COLLATE \"C\" LIMIT %s")
        with self._conn() as conn:
            return [r[0] for r in conn.execute(sql, params).fetchall()]

    def has_user(self, user_id: str) -> bool:
        with self._conn() as conn:
            return conn.execute("SELECT 1 FROM events WHERE user_id = %s LIMIT 1", (user_id,)).fetchone() is not None

    def delete_user(self, user_id: str) -> int:
        with self._conn(write=True) as conn:
            n = conn.execute("DELETE FROM events WHERE user_id = %s", (user_id,)).rowcount
            conn.execute("DELETE FROM exposures WHERE user_id = %s", (user_id,))
            if n:
                _bump(conn, CHANGES)
        return n

    def iter_events(self) -> Iterator[EventRow]:
        """All events as (user_id, item_id, type, value, timestamp), grouped by user and
        ordered by time within a user (ties by item id), streamed from a server cursor."""
        with self._conn(write=True) as conn, conn.cursor(name="iter_events") as cur:
            cur.itersize = 20000
            cur.execute("SELECT user_id, item_id, type, value, timestamp FROM events"
                        " ORDER BY user_id COLLATE \"C\", timestamp, item_id COLLATE \"C\", id")
            yield from cur

    # -- exposure ---------------------------------------------------------------------
    def add_exposures(self, exposures: Iterable[Exposure], keep: int) -> int:
        """Record what was shown (an impression already recorded is ignored); each person
        keeps their latest `keep` rows. Returns how many rows were new."""
        exposures = list(exposures)
        if not exposures:
            return 0
        with self._conn(write=True) as conn, conn.cursor() as cur:
            return _insert_exposures(cur, exposures, keep)

    def exposures(self, user_id: str) -> list[Exposure]:
        """A person's recorded exposures, oldest recorded first."""
        with self._conn() as conn:
            return [Exposure(user_id, *r) for r in conn.execute(
                "SELECT item_id, shown_at, feed, page FROM exposures WHERE user_id = %s ORDER BY id", (user_id,))]

    def feed_items(self, user_id: str, feed: str, up_to_page: int) -> list[str]:
        """The items a person's feed showed on its pages up to this one, in order."""
        with self._conn() as conn:
            return [r[0] for r in conn.execute(
                "SELECT item_id FROM exposures WHERE user_id = %s AND feed = %s AND page <= %s ORDER BY id",
                (user_id, feed, up_to_page))]

    def exposure_counts(self) -> dict[str, int]:
        """How many recorded exposures each item has (over everyone's kept rows)."""
        with self._conn() as conn:
            return dict(conn.execute("SELECT item_id, COUNT(*) FROM exposures GROUP BY item_id").fetchall())

    # -- bookkeeping ------------------------------------------------------------------
    def stats(self) -> StoreStats:
        with self._conn() as conn:
            items = conn.execute("SELECT COUNT(*) FROM items").fetchone()[0]
            events, users, last = conn.execute(
                "SELECT COUNT(*), COUNT(DISTINCT user_id), COALESCE(MAX(id), 0) FROM events").fetchone()
        return StoreStats(items=items, events=events, users=users, last_event_id=last)

    def last_event_id(self) -> int:
        with self._conn() as conn:
            return conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]

    def users_with_events(self, at_least: int) -> int:
        with self._conn() as conn:
            return conn.execute("SELECT COUNT(*) FROM (SELECT 1 FROM events GROUP BY user_id"
                                " HAVING COUNT(*) >= %s) AS u", (at_least,)).fetchone()[0]

    def get_meta(self, key: str) -> str | None:
        with self._conn() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = %s", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._conn(write=True) as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES (%s, %s)"
                         " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    def changes(self) -> int:
        return int(self.get_meta(CHANGES) or 0)

    def meta_default(self, key: str, value: str) -> str:
        """The key's value, set to `value` first if it had none (whoever came first wins)."""
        with self._conn(write=True) as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING", (key, value))
        return self.get_meta(key)

    def add_forgotten(self, user_hash: str) -> None:
        with self._conn(write=True) as conn:
            conn.execute("INSERT INTO forgotten (user_hash, at) VALUES (%s, %s)", (user_hash, time.time()))

    def forgotten_after(self, after_id: int) -> list[tuple[int, str]]:
        with self._conn() as conn:
            return [tuple(r) for r in conn.execute(
                "SELECT id, user_hash FROM forgotten WHERE id > %s ORDER BY id", (after_id,)).fetchall()]


def _insert_exposures(cur, exposures: Sequence[Exposure], keep: int) -> int:
    cur.executemany("INSERT INTO exposures (user_id, item_id, shown_at, feed, page) VALUES (%s, %s, %s, %s, %s)"
                    " ON CONFLICT DO NOTHING", [(x.user_id, x.item_id, x.shown_at, x.feed, x.page) for x in exposures])
    inserted = cur.rowcount
    cur.executemany("DELETE FROM exposures WHERE user_id = %s AND id < (SELECT id FROM exposures"
                    " WHERE user_id = %s ORDER BY id DESC LIMIT 1 OFFSET %s)",
                    [(u, u, keep - 1) for u in sorted({x.user_id for x in exposures})])
    return inserted


def _bump(conn, key: str) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES (%s, '1') ON CONFLICT (key) DO UPDATE"
                 " SET value = (meta.value::bigint + 1)::text", (key,))


def _item(row: tuple) -> Item:
    attrs = row[3] if isinstance(row[3], dict) else json.loads(row[3])
    return Item(item_id=row[0], title=row[1], text=row[2], attributes=attrs)
