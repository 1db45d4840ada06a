"""Scratch copies of the store for training, split by time with the same
leave-last-out rule the evaluation uses (`service.eval.split.holdout_latest`)."""

from __future__ import annotations

from pathlib import Path

from service.candidates import snapshots
from service.candidates.vectors import ChromaVectors
from service.eval.split import HeldOut, holdout_latest_positive
from service.feedback import Feedback
from service.settings import Settings
from service.store import SqliteStore, Store
from service.types import Event


def split_store(store: Store, workdir: Path, settings: Settings) -> tuple[Settings, list[HeldOut]]:
    """A scratch copy of the store without each user's latest positive event (the
    training target: a negative or an exposure is never one) and what came after it."""
    events = list(store.iter_events())
    kept, held = holdout_latest_positive(events, list(Feedback(settings.feedback).positive_rows(events)))
    # everything of the copy lives in `workdir`: SQLite and an embedded Chroma, whatever the
    # live deployment uses (a Chroma server's collection must never see scratch writes)
    scratch = settings.model_copy(update={"data_dir": workdir, "store_url": None, "chroma_url": None,
                                          "role": "all", "shared_dir": None})
    s2 = SqliteStore(scratch.db_path)
    s2.upsert_items(store.iter_items())
    s2.add_events(Event(user_id=u, item_id=i, type=t, value=v, timestamp=ts) for u, i, t, v, ts in kept)
    s2.close()
    return scratch, held


def seed_vectors(settings: Settings, store: Store, target: ChromaVectors) -> int:
    """Give a scratch Chroma the published item vectors, so that training never embeds
    the catalog again and never reads another process's Chroma folder. Returns how many
    items got a vector (0 when no snapshot fits: the scratch index then embeds them)."""
    index = snapshots.load(settings, store, embedder=target.embedder.name)
    if index is None or index.vectors is None or index.vectors.shape[1] != target.embedder.dim:
        return 0
    rows = {iid: r for r, iid in enumerate(index.space.ids) if index.vectors[r].any()}
    items = [it for it in store.get_items(list(rows)).values()]
    return target.put(items, index.vectors[[rows[it.item_id] for it in items]])
