"""Start and stop the background trainer as a child process of the server.

Its own process, so training never holds the server's GIL: niced, with its numeric
libraries limited to `trainer.threads` threads, so requests keep the remaining core.
It exits by itself if the server dies (it watches its parent's pid), and only one
trainer runs per data dir (a lock file)."""

from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import sys
from pathlib import Path

from service.settings import Settings

log = logging.getLogger(__name__)
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def trainer_settings(settings: Settings) -> Settings:
    """What the child runs with: the server's settings, the model on fewer threads."""
    data_dir = Path(settings.data_dir).resolve()
    llm = settings.llm.model_copy(update={"threads": settings.trainer.threads})
    shared = Path(settings.shared_dir).resolve() if settings.shared_dir else None
    return settings.model_copy(update={"data_dir": data_dir, "shared_dir": shared, "llm": llm})


class TrainerProcess:
    def __init__(self, settings: Settings) -> None:
        self.settings = trainer_settings(settings)
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        d = self.settings.trainer_dir
        d.mkdir(parents=True, exist_ok=True)
        cfg_path = d / "settings.json"
        cfg_path.write_text(self.settings.model_dump_json())
        env = {**os.environ, **{v: str(self.settings.trainer.threads) for v in THREAD_VARS}}
        nice = self.settings.trainer.nice
        log_file = open(d / "trainer.log", "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "service", "trainer", "--settings-file", str(cfg_path),
             "--parent-pid", str(os.getpid())],
            env=env, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            preexec_fn=(lambda: os.nice(nice)) if nice else None,
        )
        log_file.close()
        log.info("background trainer started (pid %d, log %s)", self.proc.pid, d / "trainer.log")

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        if not self.alive:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=timeout)


class SingleTrainer:
    """An exclusive lock on `<trainer_dir>/lock` for as long as the trainer runs."""

    def __init__(self, settings: Settings) -> None:
        settings.trainer_dir.mkdir(parents=True, exist_ok=True)
        self._fh = open(settings.trainer_dir / "lock", "w")

    def acquire(self) -> bool:
        try:
            fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False
