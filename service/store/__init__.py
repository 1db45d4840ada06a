"""The catalog and event store: SQLite by default, PostgreSQL when `RECS_STORE_URL`
names one (`postgresql://user@host/db`)."""

from service.store.base import CHANGES, Exposure, HistoryEntry, Store, StoreStats
from service.store.sqlite import SqliteStore


def open_store(settings) -> Store:
    """The store the settings name: one per process (Postgres: a connection pool)."""
    url = settings.store_url
    if url:
        from service.store.postgres import PostgresStore

        return PostgresStore(url, pool_size=settings.store_pool_size)
    return SqliteStore(settings.db_path)


__all__ = ["CHANGES", "Exposure", "HistoryEntry", "SqliteStore", "Store", "StoreStats", "open_store"]
