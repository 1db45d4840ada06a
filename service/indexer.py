"""The indexer role: one process builds what API workers only read.

It watches the store (new event ids, and the change counter that item writes and
deletions bump), rebuilds the CF matrices and Chroma's items with the same refresher
that a single-process server uses (same spacing and staleness rules), publishes each
build as a snapshot, and runs the background trainer as its child."""

from __future__ import annotations

import fcntl
import logging

from service.settings import Settings

log = logging.getLogger(__name__)


class Indexer:
    def __init__(self, settings: Settings, lock) -> None:
        from service.pipeline import Recommender

        self.settings, self._lock_file = settings, lock  # held for as long as this runs
        self.rec = Recommender(settings, backend=None)  # builds; never ranks with an LLM
        self.trainer = None
        self._published = self.rec.index.version

    @staticmethod
    def lock(settings: Settings):
        """One indexer per snapshot folder: an exclusive lock on `<index_dir>/lock`, taken
        before anything is loaded; None when another process holds it."""
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        fh = open(settings.index_dir / "lock", "w")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fh
        except OSError:
            fh.close()
            return None

    def due(self) -> tuple[bool, bool]:
        """(something to build, must build now even below the event threshold)."""
        rec = self.rec
        forced = rec.index.version == 0 or rec.pending_changes()
        return forced or rec.pending_events() > 0, forced

    def step(self, wait: bool = False) -> None:
        due, forced = self.due()
        if due:
            self.rec.refresher.notify(force=forced)
        if wait:
            self.rec.refresher.wait_until_current(timeout=3600)
        if self.rec.index.version != self._published:
            self._published = self.rec.index.version
            idx = self.rec.index
            log.info("published snapshot v%d: %d items, events up to id %d, built in %.2fs",
                     idx.version, len(idx.space), idx.built_from, idx.build_seconds)

    def start_trainer(self) -> None:
        if not self.settings.trainer.enabled:
            return
        from service.train.launcher import TrainerProcess

        self.trainer = TrainerProcess(self.settings)
        self.trainer.start()

    def stop(self) -> None:
        if self.trainer is not None:
            self.trainer.stop()
        self.rec.store.close()
