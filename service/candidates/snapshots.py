"""Published index snapshots: how one indexer shares its CF matrices with every API process.

The builder writes a whole snapshot into `<index_dir>/v000042.partial/`, renames it to
`v000042/` (atomic on one filesystem), then records 42 as `index_version` in the store.
A process that reads version 42 from the store therefore always finds a complete folder.
Readers poll that one row; the last `KEEP` snapshots stay on disk so a reader that saw
version N a moment ago can still load it.
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from service.candidates.index import CandidateIndex
from service.settings import Settings
from service.store import Store

log = logging.getLogger(__name__)
VERSION_KEY = "index_version"
PUBLISHED_AT_KEY = "index_published_at"
KEEP = 3


def folder(settings: Settings, version: int) -> Path:
    return settings.index_dir / f"v{version:06d}"


def current_version(store: Store) -> int:
    return int(store.get_meta(VERSION_KEY) or 0)


def published_at(store: Store) -> float | None:
    value = store.get_meta(PUBLISHED_AT_KEY)
    return float(value) if value else None


def publish(index: CandidateIndex, settings: Settings, store: Store) -> int:
    """Write the index as the next version and make it current; returns the version."""
    version = current_version(store) + 1
    final = folder(settings, version)
    tmp = final.with_name(final.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    index.save(tmp)
    shutil.rmtree(final, ignore_errors=True)  # left by a publisher that died before recording it
    tmp.rename(final)
    store.set_meta(PUBLISHED_AT_KEY, repr(time.time()))
    store.set_meta(VERSION_KEY, str(version))
    index.version = version
    _prune(settings, version)
    return version


def load(settings: Settings, store: Store, version: int | None = None,
         follow_catalog: bool = False, embedder: str | None = None) -> CandidateIndex | None:
    """The current snapshot (or `version`), or None when there is none that fits; its
    item vectors only if `embedder` (a name) made them."""
    version = current_version(store) if version is None else version
    if version <= 0:
        return None
    return CandidateIndex.load(folder(settings, version), store, settings, follow_catalog, version, embedder)


def _prune(settings: Settings, newest: int) -> None:
    for path in settings.index_dir.glob("v*"):
        try:
            n = int(path.name[1:].split(".")[0])
        except ValueError:
            continue
        if n <= newest - KEEP:
            shutil.rmtree(path, ignore_errors=True)
