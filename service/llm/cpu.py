"""CPU shares read from /proc, for two decisions: how many threads a model job gets in
a serving process (the request threads' share, `scheduler.ThreadPolicy`), and when the
background trainer yields to the server (the server process's share,
`train/background.py`).

Request threads run at the process's own priority; the model's worker and its
llama.cpp/OpenMP threads run `nice`-r (scheduler.py). Their CPU times are read per
thread from /proc/self/task. A share is measured over the time since the previous
reading; for the model that is roughly the previous job: "while the model ran, did
requests need the CPU?". Linux only; elsewhere a share reads 0."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path


def _stat(path: Path) -> tuple[float, int]:
    """(CPU seconds, nice) from a /proc .../stat file."""
    fields = path.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), int(fields[16])


def process_cpu(pid: int | None) -> float | None:
    """CPU seconds a process has used, or None if unknown."""
    if not pid:
        return None
    try:
        return _stat(Path(f"/proc/{pid}/stat"))[0]
    except (OSError, ValueError, IndexError):
        return None


def request_threads_cpu(base_nice: int) -> float | None:
    """CPU seconds used by this process's threads at `base_nice` or above priority."""
    total = 0.0
    try:
        tasks = list(Path("/proc/self/task").iterdir())
    except OSError:
        return None
    for task in tasks:
        try:
            cpu, nice = _stat(task / "stat")
        except (OSError, ValueError, IndexError):  # the thread ended meanwhile
            continue
        if nice <= base_nice:
            total += cpu
    return total


class CpuShare:
    """Cores' worth of CPU a reading went up by per second, since the previous call."""

    def __init__(self, read: Callable[[], float | None], min_window_s: float = 0.0) -> None:
        self.read, self.min_window_s = read, min_window_s
        self._last = (read(), time.monotonic())
        self._share = 0.0

    def share(self) -> float:
        now = time.monotonic()
        last_cpu, last_t = self._last
        if now - last_t < self.min_window_s or now <= last_t:
            return self._share
        cpu = self.read()
        self._last = (cpu, now)
        self._share = 0.0 if cpu is None or last_cpu is None else max(0.0, (cpu - last_cpu) / (now - last_t))
        return self._share


def request_cpu(min_window_s: float = 0.1) -> CpuShare:
    """The share of this process's request threads (those not niced like the model)."""
    try:
        base = os.getpriority(os.PRIO_PROCESS, os.getpid())
    except (OSError, AttributeError):
        base = 0
    return CpuShare(lambda: request_threads_cpu(base), min_window_s)
