"""Keeps the derived candidate index converging on the store.

A rebuild starts when `rebuild_after_events` new events wait, or when any new event has
waited `max_staleness_s`, or when forced (a forgotten user). One runs at a time; a
rebuild that ends while newer events wait schedules the next one (nothing waits for the
next write to be picked up), and consecutive rebuilds are spaced by at least the last
one's duration, so a bulk load gets a few rebuilds, not a storm."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from service.settings import CFSettings

log = logging.getLogger(__name__)


class IndexRefresher:
    def __init__(self, build: Callable[[], object], pending: Callable[[], int], cfg: CFSettings) -> None:
        self.build, self.pending, self.cfg = build, pending, cfg
        self._cond = threading.Condition()
        self._forced = False
        self._thread: threading.Thread | None = None
        self._running = False
        self.rebuilds = 0
        self.last_build_s = 0.0
        self.last_build_end = 0.0
        self.last_error: str | None = None

    def notify(self, force: bool = False) -> None:
        """Events were written (or a rebuild is required): make sure someone looks."""
        with self._cond:
            self._forced = self._forced or force
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="index-refresh", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    @property
    def busy(self) -> bool:
        return self._running

    def _due_in(self, waiting_since: float | None) -> float | None:
        """0 = rebuild now; a positive number = look again in that many seconds; None =
        nothing pending."""
        n = self._pending()
        if not self._forced and n <= 0:
            return None
        now = time.monotonic()
        if self._forced or n >= self.cfg.rebuild_after_events:
            due = 0.0
        else:
            due = max(0.0, (waiting_since or now) + self.cfg.max_staleness_s - now)
        spacing = self.last_build_end + self.last_build_s - now  # at most ~50% of the time rebuilding
        return max(due, spacing, 0.0)

    def _pending(self) -> int:
        """Events waiting; 0 when the store cannot say (down, or closed at shutdown): the
        next write looks again."""
        try:
            return self.pending()
        except Exception as e:  # noqa: BLE001 - any store error; logged
            log.warning("could not read the store's last event id (%s); waiting for the next write", e)
            return 0

    def _loop(self) -> None:
        waiting_since: float | None = None
        while True:
            with self._cond:
                due = self._due_in(waiting_since)
                if due is None:
                    waiting_since = None
                    self._cond.wait()
                    continue
                waiting_since = waiting_since or time.monotonic()
                if due > 0:
                    self._cond.wait(timeout=due)
                    continue
                self._forced = False
                self._running = True
            t0 = time.monotonic()
            try:
                self.build()
                self.last_error = None
            except Exception as e:
                log.exception("index rebuild failed; retrying after the usual spacing")
                self.last_error = f"{type(e).__name__}: {e}"
            finally:
                self.last_build_s = time.monotonic() - t0
                self.last_build_end = time.monotonic()
                self.rebuilds += 1
                waiting_since = None if self._pending() <= 0 else time.monotonic()
                with self._cond:
                    self._running = False
                    self._cond.notify_all()

    def wait_until_current(self, timeout: float) -> bool:
        """Block until nothing is pending and no rebuild runs (tests, the CLI)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not self._running and not self._forced and self.pending() <= 0:
                return True
            with self._cond:
                self._cond.wait(timeout=0.05)
        return False


class SnapshotFollower:
    """In an 'api' process: loads each index snapshot the indexer publishes.

    One small query per `poll_s` (the version row); a newer version is loaded in this
    thread and swapped in whole, so requests never wait for it."""

    def __init__(self, store, version: int, adopt: Callable[[int], bool], poll_s: float,
                 also: Callable[[], object] | None = None) -> None:
        from service.candidates.snapshots import current_version, published_at

        self._current = lambda: current_version(store)
        self._published_at = lambda: published_at(store)
        self.version, self.adopt, self.poll_s = version, adopt, poll_s
        self.also = also  # more to follow on each look (forgotten users' call-log entries)
        self.loaded = 0
        self.pickup_delay_s: float | None = None  # from the indexer's publish to this process serving it
        self.last_error: str | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="snapshot-follow", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def check(self) -> bool:
        """Load the published snapshot if it is newer than ours; True if one was loaded."""
        newest = self._current()
        if newest <= self.version:
            return False
        if self.adopt(newest):
            self.version = newest
            self.loaded += 1
            at = self._published_at()
            self.pickup_delay_s = round(time.time() - at, 3) if at else None
            return True
        problem = (f"snapshot v{newest} is published but its folder is missing here: every process needs "
                   "the same RECS_SHARED_DIR")
        if problem != self.last_error:
            log.error(problem)
        raise FileNotFoundError(problem)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.check()
                if self.also is not None:
                    self.also()
                self.last_error = None
            except FileNotFoundError as e:  # logged once by check()
                self.last_error = str(e)
            except Exception as e:  # noqa: BLE001 - the store or the shared folder; retried
                log.exception("could not load the published index snapshot; retrying")
                self.last_error = f"{type(e).__name__}: {e}"
            self._stop.wait(self.poll_s)
