"""PostgreSQL connections for the store: one pool per process, reads in autocommit,
writes in one transaction committed before the call returns, a lost server reported as
`StoreUnavailable` (HTTP 503, retry); and the schema migrations, which several
processes starting at once apply in turn."""

from __future__ import annotations

from contextlib import contextmanager

import psycopg
from psycopg_pool import ConnectionPool

from service.errors import StoreUnavailable
from service.store.migrations import PG_MIGRATIONS

MIGRATION_LOCK = 0x7265637301  # an advisory lock id: any constant unique to this app


class Connections:
    def __init__(self, url: str, pool_size: int, connect_timeout_s: float) -> None:
        self.where = where(url)
        self.pool = ConnectionPool(url, min_size=1, max_size=pool_size, open=True,
                                   kwargs={"autocommit": True}, name="recs-store")
        try:
            self.pool.wait(timeout=connect_timeout_s)
        except psycopg.OperationalError as e:
            self.pool.close()
            raise StoreUnavailable(f"cannot connect to PostgreSQL at {self.where} within {connect_timeout_s:.0f}s "
                                   f"({e}); check RECS_STORE_URL and that the server runs") from e

    def close(self) -> None:
        self.pool.close()

    @contextmanager
    def connection(self, write: bool = False):
        """A pooled connection: reads run in autocommit (one round trip per query); writes
        (and server-side cursors) in one transaction, committed before this returns."""
        try:
            with self.pool.connection(timeout=10.0) as conn:
                if write:
                    with conn.transaction():
                        yield conn
                else:
                    yield conn
        except psycopg.OperationalError as e:
            raise StoreUnavailable(f"PostgreSQL at {self.where} is unavailable ({e}); retry shortly") from e

    def migrate(self) -> int:
        """Apply missing steps; several processes starting at once take turns."""
        with self.connection(write=True) as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            version = row[0] if row else 0
            if row is None:
                conn.execute("INSERT INTO schema_version (version) VALUES (0)")
            for step, sql in enumerate(PG_MIGRATIONS[version:], start=version + 1):
                conn.execute(sql)
                conn.execute("UPDATE schema_version SET version = %s", (step,))
        return len(PG_MIGRATIONS)


def where(url: str) -> str:
    """host:port/db of a URL, without the password."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    return f"{info.get('host', 'localhost')}:{info.get('port', 5432)}/{info.get('dbname', '')}"
