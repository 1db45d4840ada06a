"""`serve --workers N`: N API processes sharing one listening socket, plus the indexer
(`python -m service worker`) unless it runs elsewhere, all watched by this parent.

- Files every process would otherwise race to write at start-up (the converted model,
  per-language blurb models) are made here, once, before any child starts.
- Each API process reports its state (`service/workers.py`); `/health/ready` on any of
  them is 200 only when all are ready.
- A child that exits is started again: at once if it had been serving, after a backoff
  (1, 2, 4 ... 30 s) if it never got ready. After `serve.max_start_failures` failed
  starts in a row the whole deployment stops and `serve` exits non-zero with the reason.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from service import workers
from service.settings import ServeSettings, Settings

log = logging.getLogger("service.supervisor")

MAX_BACKOFF_S = 30.0
SETTLED_S = 30.0  # an indexer that lived this long had started; its next exit starts the count anew


def prepare_models(settings: Settings) -> None:
    """Resolve (convert, assemble) every model the API processes will load, here, once."""
    from service.llm.registry import resolve_model

    names = list(settings.explain.language_models.values())
    if settings.llm.backend == "llama-cpp":
        names.insert(0, settings.llm.model)
    for name in dict.fromkeys(names):
        log.info("preparing model %s", name)
        resolve_model(name, settings.models_dir)


def _serve_api(config, sockets, settings: Settings) -> None:
    """One API process (spawned: a fresh interpreter)."""
    import uvicorn

    from service.api.app import create_app

    config.app = lambda: create_app(settings)
    config.configure_logging()
    uvicorn.Server(config).run(sockets=sockets)


@dataclass
class Child:
    name: str
    slot: int | None  # API slot; None for the indexer
    proc: object = None  # multiprocessing.Process or subprocess.Popen
    started: float = 0.0
    failures: int = 0  # failed starts in a row
    due: float = 0.0  # when to start it again
    reason: str = ""

    @property
    def alive(self) -> bool:
        if self.proc is None:
            return False
        if isinstance(self.proc, subprocess.Popen):
            return self.proc.poll() is None
        return self.proc.is_alive()

    @property
    def exitcode(self) -> int | None:
        if isinstance(self.proc, subprocess.Popen):
            return self.proc.returncode
        return self.proc.exitcode


@dataclass
class Supervisor:
    settings: Settings
    host: str
    port: int
    workers: int
    indexer: bool
    children: list[Child] = field(default_factory=list)
    failed: str = ""  # why the deployment gave up
    _stop: bool = False

    def run(self) -> int:
        """Serve until SIGINT / SIGTERM (0) or until a child cannot start (1)."""
        import uvicorn

        status_dir = Path(tempfile.mkdtemp(prefix="recs-workers-"))
        self.base = self.settings.model_copy(update={"role": "api", "serve": ServeSettings(
            workers=self.workers, status_dir=status_dir,
            max_start_failures=self.settings.serve.max_start_failures)})
        prepare_models(self.base)
        config = uvicorn.Config("service.api.app:create_app", factory=True, host=self.host, port=self.port,
                                log_level="info")
        self.sockets = [config.bind_socket()]
        self.config = config
        self.children = [Child(f"api-{slot}", slot) for slot in range(self.workers)]
        if self.indexer:
            self.children.append(Child("indexer", None))
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: setattr(self, "_stop", True))
        try:
            for child in self.children:
                self._start(child)
            code = self._watch()
        finally:
            self._stop_all()
            shutil.rmtree(status_dir, ignore_errors=True)
        return code

    def _start(self, child: Child) -> None:
        child.started = time.monotonic()
        if child.slot is None:
            child.proc = subprocess.Popen(
                [sys.executable, "-m", "service", "worker", "--parent-pid", str(os.getpid())],
                env={**os.environ, "RECS_ROLE": "all"})
            return
        workers.clear(self.base.serve.status_dir, child.slot)
        settings = self.base.model_copy(update={"serve": self.base.serve.model_copy(update={"slot": child.slot})})
        proc = multiprocessing.get_context("spawn").Process(
            target=_serve_api, kwargs={"config": self.config, "sockets": self.sockets, "settings": settings},
            name=child.name)
        proc.start()
        child.proc = proc
        log.info("started %s (pid %s)", child.name, proc.pid)

    def _exited(self, child: Child) -> bool:
        """Book an exit; False when the deployment should give up."""
        now = time.monotonic()
        if child.slot is None:
            if child.exitcode == 0:  # another indexer publishes already: nothing to do
                child.due = float("inf")
                return True
            started = now - child.started > SETTLED_S
            child.reason = f"the indexer exited with code {child.exitcode}"
        else:
            state = workers.read(self.base.serve.status_dir, child.slot)
            started = state is not None and state.state == "ready"
            child.reason = (state.error if state and state.error else None) or \
                f"{child.name} exited with code {child.exitcode} before it was ready"
        child.failures = 0 if started else child.failures + 1
        if child.failures >= self.base.serve.max_start_failures:
            log.error("%s failed to start %d times in a row; stopping: %s", child.name, child.failures,
                      child.reason)
            return False
        delay = 0.0 if started else min(MAX_BACKOFF_S, 2.0 ** (child.failures - 1))
        child.due = now + delay
        log.warning("%s exited (code %s); starting it again in %.0f s", child.name, child.exitcode, delay)
        return True

    def _watch(self) -> int:
        from multiprocessing.connection import wait

        while not self._stop:
            sentinels = [c.proc.sentinel for c in self.children
                         if c.alive and not isinstance(c.proc, subprocess.Popen)]
            wait(sentinels, timeout=0.5)  # wakes when an API process exits
            now = time.monotonic()
            for child in self.children:
                if child.proc is not None and not child.alive:
                    if not self._exited(child):
                        self.failed = child.reason
                        return 1
                    child.proc = None
                if child.proc is None and now >= child.due and not self._stop:
                    self._start(child)
        return 0

    def _stop_all(self) -> None:
        for child in self.children:
            if child.alive:
                child.proc.terminate()
        deadline = time.monotonic() + 30
        for child in self.children:
            if child.proc is None:
                continue
            remaining = max(0.1, deadline - time.monotonic())
            if isinstance(child.proc, subprocess.Popen):
                try:
                    child.proc.wait(timeout=remaining)
                except subprocess.TimeoutExpired:
                    child.proc.kill()
            else:
                child.proc.join(remaining)
                if child.proc.is_alive():
                    child.proc.kill()
