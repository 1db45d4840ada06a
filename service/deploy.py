"""What a deployment with more than one process needs, checked before anything starts.

SQLite takes one writer process and the embedded Chroma one owner, so several API
processes need the PostgreSQL store (`RECS_STORE_URL`) and a Chroma server
(`RECS_CHROMA_URL`). The messages say which setting to add."""

from __future__ import annotations

from service.errors import InvalidInput
from service.settings import Settings


def check_shared(settings: Settings, what: str) -> None:
    """Raise unless the store and Chroma can be shared by several processes."""
    missing = []
    if not settings.store_url:
        missing.append("RECS_STORE_URL=postgresql://user:pass@host:5432/db (SQLite takes one writer process)")
    if not settings.chroma_url:
        missing.append("RECS_CHROMA_URL=http://host:8000 (a `chroma run` server: the embedded Chroma has one "
                       "owner process)")
    if missing:
        raise InvalidInput(f"{what} needs a store and a vector index that several processes share; set "
                           + " and ".join(missing))
