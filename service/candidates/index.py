"""The derived candidate index: the item space plus the CF matrices, built from the
store, saved in the data dir, and loaded at start-up when it still matches the store."""

from __future__ import annotations

import copy
import itertools
import json
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from service.candidates.cf import ItemItemModel
from service.candidates.sequence import SequenceModel
from service.candidates.space import ItemSpace
from service.candidates.vectors import unit_rows
from service.feedback import Feedback
from service.settings import Settings
from service.store import Store
from service.types import Item


def _sequences(store: Store, space: ItemSpace, feedback: Feedback):
    """Each user's positive items in time order with each event's weight (negatives and
    exposures count nowhere)."""
    for _user, rows in itertools.groupby(feedback.positive_rows(store.iter_events()), key=lambda r: r[0]):
        kept = [(space.index[r[1]], feedback.signal(r[2], r[3]).weight) for r in rows if r[1] in space.index]
        if kept:
            yield [r for r, _ in kept], [w for _, w in kept]


class CandidateIndex:
    def __init__(self, space: ItemSpace, model: ItemItemModel, built_from: int,
                 build_seconds: float = 0.0, seq: SequenceModel | None = None, changes: int = 0,
                 version: int = 0, vectors: np.ndarray | None = None) -> None:
        self.space, self.model = space, model
        # the item vectors as unit rows aligned with the space (zeros: unknown), for an
        # exact profile search in process; None for catalogs above exact_profile_max_items
        self.vectors = vectors
        self.embedder: str | None = None  # which embedder made `vectors`
        self.seq = seq or SequenceModel.build(len(space), [])
        self.built_from = built_from  # the store's last event id when built
        self.changes = changes  # the store's change counter (item writes, deletions) when built
        self.version = version  # the published snapshot it is (0: not published)
        self.build_seconds = build_seconds

    @classmethod
    def build(cls, store: Store, settings: Settings) -> "CandidateIndex":
        t0 = time.perf_counter()
        changes = store.changes()  # read first: a change while building shows as pending
        last = store.last_event_id()
        space = ItemSpace(store.iter_items())
        weighted = list(_sequences(store, space, Feedback(settings.feedback)))
        sequences = [seq for seq, _ in weighted]
        model = ItemItemModel.build(len(space), sequences, settings.cf, [w for _, w in weighted])
        seq = SequenceModel.build(len(space), sequences)
        return cls(space, model, last, time.perf_counter() - t0, seq, changes)

    # -- persistence ------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.model.save(folder / "cf.npz")
        self.seq.save(folder / "seq.npz")
        if self.vectors is not None:
            np.save(folder / "vectors.npy", np.asarray(self.vectors, dtype=np.float32))
        (folder / "index.json").write_text(json.dumps({
            "ids": self.space.ids, "built_from": self.built_from, "changes": self.changes,
            "build_seconds": self.build_seconds, "users": int(self.seq.users.shape[0]),
            "embedder": self.embedder if self.vectors is not None else None,
        }))

    @classmethod
    def load(cls, folder: Path, store: Store, settings: Settings, follow_catalog: bool = False,
             version: int = 0, embedder: str | None = None) -> "CandidateIndex | None":
        """The saved index, or None when absent or (unless `follow_catalog`) built from
        another catalog. `follow_catalog`: items written or deleted since it was built get
        a row without CF neighbours or are hidden, as between rebuilds."""
        meta_path = folder / "index.json"
        if not all(p.exists() for p in (meta_path, folder / "cf.npz", folder / "seq.npz")):
            return None
        meta = json.loads(meta_path.read_text())
        items = {it.item_id: it for it in store.iter_items()}
        if not follow_catalog and list(items) != meta["ids"]:
            return None
        space = ItemSpace(items.get(i) or Item(item_id=i, title=i) for i in meta["ids"])
        for gone in (i for i in meta["ids"] if i not in items):
            space.kill(gone)
        model = ItemItemModel.load(folder / "cf.npz", settings.cf)
        # vectors made by another embedder (a switch since the build) would be read with the
        # new one's queries: leave them out until the next build
        same = embedder is not None and meta.get("embedder") == embedder
        vectors = np.load(folder / "vectors.npy") if same and (folder / "vectors.npy").exists() else None
        index = cls(space, model, meta["built_from"], meta.get("build_seconds", 0.0),
                    SequenceModel.load(folder / "seq.npz"), meta.get("changes", 0), version, vectors)
        index.embedder = meta.get("embedder") if vectors is not None else None
        new = [it for iid, it in items.items() if iid not in space.index]
        return index.with_items(new) if new else index

    # -- cheap updates between rebuilds -----------------------------------------------
    def with_items(self, items: list[Item], item_vectors: dict[str, np.ndarray] | None = None) -> "CandidateIndex":
        """A new index in which new items have a row (no CF neighbours until the next
        rebuild) and changed items their new title, attributes and (from `item_vectors`,
        else unknown until the next build) vector. Copy-on-write: this index is left as
        it was, so a request in flight never sees the item space and the CF matrices at
        different sizes."""
        space = self.space.copy()
        new = [it for it in items if it.item_id not in space.index]
        for it in items:
            if it.item_id in space.index:
                space.update(it)
        model, seq = self.model, self.seq
        if new:
            space.extend(new)
            n = len(space)
            model = copy.copy(self.model)
            model.sim, model.trans = _grow(self.model.sim, n), _grow(self.model.trans, n)
            model.popularity = _pad(self.model.popularity, n)
            seq = self.seq.grown(n)
        vectors = self.vectors
        if vectors is not None:
            vectors = np.vstack([vectors, np.zeros((len(space) - len(vectors), vectors.shape[1]), np.float32)])
            for it in items:
                v = (item_vectors or {}).get(it.item_id)
                vectors[space.index[it.item_id]] = unit_rows(v) if v is not None else 0.0
        index = CandidateIndex(space, model, self.built_from, self.build_seconds, seq, self.changes, self.version,
                               vectors)
        index.embedder = self.embedder
        return index


def _grow(m: sp.csr_matrix, n: int) -> sp.csr_matrix:
    m = m.copy()
    m.resize((n, n))
    return m


def _pad(v, n):
    out = np.zeros(n, dtype=v.dtype)
    out[: len(v)] = v
    return out
