"""Frozen LLM features per item, computed once and cached.

The adapted reranker's LLM signal is the model's hidden state over each item's line of
the ranking prompt (`describe`: title plus first attributes), mean-pooled. That line
does not depend on the user, so it is computed once per item -- at ingest, in the
background, or on first need in training -- and never on the request path. The cache is
one .npz file per model and text recipe in the data dir.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from service.rerank.listwise import describe
from service.types import Item

log = logging.getLogger(__name__)

TEXT_RECIPE = "describe60+attrs"
BATCH = 16


def item_text(item: Item) -> str:
    return describe(item, 60, attributes=True)


def text_hash(item: Item) -> str:
    import hashlib

    return hashlib.sha1(item_text(item).encode("utf-8")).hexdigest()[:12]


def supports_hidden_states(backend) -> bool:
    return backend is not None and callable(getattr(backend, "hidden_states", None))


def cache_path(directory: Path, model_id: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{model_id}-{TEXT_RECIPE}")
    return Path(directory) / f"item-features-{slug}.npz"


class ItemFeatureCache:
    def __init__(self, path: Path, backend) -> None:
        self.path, self.backend = Path(path), backend
        self._lock = threading.Lock()
        self._rows: dict[str, np.ndarray] = {}
        self._hashes: dict[str, str] = {}  # of the text each row was computed from
        self._dirty = False
        self._worker: threading.Thread | None = None
        self._queue: dict[str, Item] = {}
        self._stamp: float | None = None
        self._read()

    def _read(self) -> None:
        try:
            stamp = self.path.stat().st_mtime
        except OSError:
            return
        try:
            z = np.load(self.path, allow_pickle=False)
            rows = {str(i): v for i, v in zip(z["ids"], z["vectors"])}
            hashes = {str(i): str(h) for i, h in zip(z["ids"], z["hashes"])}
        except (OSError, ValueError, KeyError) as e:
            log.warning("item feature cache %s is unreadable (%s); recomputing", self.path, e)
            return
        with self._lock:
            rows.update({i: v for i, v in self._rows.items() if i not in rows})
            hashes.update({i: h for i, h in self._hashes.items() if i not in hashes})
            self._rows, self._hashes, self._stamp = rows, hashes, stamp

    def reload_if_changed(self) -> bool:
        """Read the file again if another process (the trainer) rewrote it."""
        try:
            stamp = self.path.stat().st_mtime
        except OSError:
            return False
        if stamp == self._stamp:
            return False
        self._read()
        return True

    @property
    def dim(self) -> int:
        return len(next(iter(self._rows.values()))) if self._rows else 0

    def __len__(self) -> int:
        return len(self._rows)

    def has(self, item_id: str) -> bool:
        return item_id in self._rows

    def get(self, ids: list[str], dim: int | None = None) -> np.ndarray:
        """Rows in `ids` order; NaN rows for items not computed yet."""
        d = dim or self.dim
        out = np.full((len(ids), d), np.nan, dtype=np.float32)
        for k, i in enumerate(ids):
            v = self._rows.get(i)
            if v is not None and len(v) == d:
                out[k] = v
        return out

    def missing(self, items: Iterable[Item]) -> list[Item]:
        """Items with no row, or whose text changed since their row was computed."""
        return [it for it in items if it.item_id not in self._rows or self._hashes.get(it.item_id) != text_hash(it)]

    def ensure(self, items: Iterable[Item], budget_s: float | None = None,
               progress: Callable[[int, int], None] | None = None) -> int:
        """Compute what is missing (in the given order, so pass the most useful items
        first), within an optional time budget. Returns how many were computed."""
        todo = self.missing(items)
        done, t0 = 0, time.perf_counter()
        for start in range(0, len(todo), BATCH):
            if budget_s is not None and time.perf_counter() - t0 > budget_s:
                break
            chunk = todo[start:start + BATCH]
            vecs = self.backend.hidden_states([item_text(it) for it in chunk])
            with self._lock:
                for it, v in zip(chunk, vecs):
                    self._rows[it.item_id] = v
                    self._hashes[it.item_id] = text_hash(it)
                self._dirty = True
            done += len(chunk)
            if done % (BATCH * 64) == 0:
                self.save()  # long runs keep what they computed
            if progress:
                progress(done, len(todo))
        self.save()
        return done

    def ensure_in_background(self, items: Iterable[Item]) -> None:
        """Queue items (new or changed) for one background worker."""
        with self._lock:
            for it in items:
                self._queue[it.item_id] = it
            if self._worker is not None:  # the worker clears this, under the lock, when it stops
                return
            self._worker = threading.Thread(target=self._drain, name="item-features", daemon=True)
            self._worker.start()

    def _drain(self) -> None:
        while True:
            with self._lock:
                batch = list(self._queue.values())
                self._queue.clear()
                if not batch:  # decided under the lock, so nothing queued meanwhile is dropped
                    self._worker = None
                    return
            try:
                self.ensure(batch)
            except Exception:
                log.exception("computing item features failed; they stay missing until the next index build")
                with self._lock:
                    self._worker = None
                return

    def save(self) -> None:
        with self._lock:
            if not self._dirty or not self._rows:
                return
            ids = list(self._rows)
            vectors = np.stack([self._rows[i] for i in ids])
            hashes = [self._hashes.get(i, "") for i in ids]
            self._dirty = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".partial.npz")
        np.savez(tmp, ids=np.asarray(ids), vectors=vectors, hashes=np.asarray(hashes))
        tmp.replace(self.path)
        self._stamp = self.path.stat().st_mtime
