"""Scratch copies of the store for training, split by time with the same
leave-last-out rule the evaluation uses (`service.eval.split.holdout_latest`)."""

from __future__ import annotations

from pathlib import Path

from service.eval.split import HeldOut, holdout_latest
from service.settings import Settings
from service.store import SqliteStore, Store
from service.types import Event


def split_store(store: Store, workdir: Path, settings: Settings) -> tuple[Settings, list[HeldOut]]:
    """A scratch copy of the store without each user's latest event."""
    kept, held = holdout_latest(list(store.iter_events()))
    scratch = settings.model_copy(update={"data_dir": workdir, "store_url": None, "role": "all", "shared_dir": None})
    s2 = SqliteStore(scratch.db_path)
    s2.upsert_items(store.iter_items())
    s2.add_events(Event(user_id=u, item_id=i, type=t, value=v, timestamp=ts) for u, i, t, v, ts in kept)
    s2.close()
    return scratch, held
