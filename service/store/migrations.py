"""Schema migrations, applied in order and recorded in SQLite's `user_version`.

Append new steps; never edit a step that has shipped.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[str] = [
    # 1: catalog and events
    """
    CREATE TABLE items (
        item_id    TEXT PRIMARY KEY,
        title      TEXT NOT NULL,
        text       TEXT NOT NULL DEFAULT '',
        attributes TEXT NOT NULL DEFAULT '{}',
        updated_at REAL NOT NULL
    );
    CREATE TABLE events (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id   TEXT NOT NULL,
        item_id   TEXT NOT NULL,
        type      TEXT NOT NULL,
        value     REAL,
        timestamp REAL NOT NULL,
        UNIQUE (user_id, item_id, type, timestamp)
    );
    CREATE INDEX events_user ON events (user_id, timestamp);
    CREATE INDEX events_item ON events (item_id);
    """,
    # 2: bookkeeping for derived indexes (what they were built from)
    """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 3: forgotten users (salted hashes), so every process clears its own call log
    """
    CREATE TABLE forgotten (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        user_hash TEXT NOT NULL,
        at        REAL NOT NULL
    );
    """,
    # 4: what was shown to whom (exposure): one row per item of an answer or impression,
    # bounded per person; `answer` is the answer's feed id, `page` its page in that feed
    # (both NULL for an impression event, which is recorded once however often it is sent)
    """
    CREATE TABLE exposures (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id  TEXT NOT NULL,
        item_id  TEXT NOT NULL,
        shown_at REAL NOT NULL,
        feed     TEXT,
        page     INTEGER
    );
    CREATE INDEX exposures_user ON exposures (user_id, id);
    CREATE INDEX exposures_item ON exposures (item_id);
    CREATE UNIQUE INDEX exposures_impression ON exposures (user_id, item_id, shown_at) WHERE feed IS NULL;
    """,
]


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to date; returns the resulting version."""
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    for step, sql in enumerate(MIGRATIONS[version:], start=version + 1):
        with conn:
            conn.executescript(sql)
            conn.execute(f"PRAGMA user_version = {step}")
    return len(MIGRATIONS)


# The same steps for PostgreSQL, numbered alike (a test checks the counts match);
# the version is kept in `schema_version`.
PG_MIGRATIONS: list[str] = [
    # 1: catalog and events
    """
    CREATE TABLE items (
        item_id    TEXT PRIMARY KEY,
        title      TEXT NOT NULL,
        text       TEXT NOT NULL DEFAULT '',
        attributes JSONB NOT NULL DEFAULT '{}',
        updated_at DOUBLE PRECISION NOT NULL
    );
    CREATE TABLE events (
        id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id   TEXT NOT NULL,
        item_id   TEXT NOT NULL,
        type      TEXT NOT NULL,
        value     DOUBLE PRECISION,
        timestamp DOUBLE PRECISION NOT NULL,
        UNIQUE (user_id, item_id, type, timestamp)
    );
    CREATE INDEX events_user ON events (user_id, timestamp);
    CREATE INDEX events_item ON events (item_id);
    """,
    # 2: bookkeeping for derived indexes (what they were built from)
    """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 3: forgotten users (salted hashes), so every process clears its own call log
    """
    CREATE TABLE forgotten (
        id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_hash TEXT NOT NULL,
        at        DOUBLE PRECISION NOT NULL
    );
    """,
    # 4: what was shown to whom (exposure)
    """
    CREATE TABLE exposures (
        id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id  TEXT NOT NULL,
        item_id  TEXT NOT NULL,
        shown_at DOUBLE PRECISION NOT NULL,
        feed     TEXT,
        page     INTEGER
    );
    CREATE INDEX exposures_user ON exposures (user_id, id);
    CREATE INDEX exposures_item ON exposures (item_id);
    CREATE UNIQUE INDEX exposures_impression ON exposures (user_id, item_id, shown_at) WHERE feed IS NULL;
    """,
]
