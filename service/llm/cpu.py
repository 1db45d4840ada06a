"""How much CPU the request-handling threads of this process are using, so the model
takes both cores only when nothing else needs them.

Request threads run at the process's own priority; the model's worker and its
llama.cpp/OpenMP threads run `nice`-r (scheduler.py). Their CPU times are read from
/proc/self/task per thread; the share is measured over the time since the previous
reading, which is roughly the previous model job: "while the model ran, did requests
need the CPU?". Linux only; elsewhere the share reads 0 (the model keeps its threads)."""

from __future__ import annotations

import os
import time
from pathlib import Path

_TASKS = Path("/proc/self/task")


def _request_threads_cpu(base_nice: int) -> float | None:
    total = 0
    try:
        for task in _TASKS.iterdir():
            try:
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # the thread ended meanwhile
                continue
            if int(fields[16]) <= base_nice:
                total += int(fields[11]) + int(fields[12])
    except (OSError, ValueError, IndexError):
        return None
    return total / os.sysconf("SC_CLK_TCK")


class RequestCPU:
    def __init__(self, min_window_s: float = 0.1) -> None:
        self.min_window_s = min_window_s
        try:
            self.base_nice = os.getpriority(os.PRIO_PROCESS, os.getpid())
        except (OSError, AttributeError):
            self.base_nice = 0
        self._last = (_request_threads_cpu(self.base_nice), time.monotonic())
        self._share = 0.0

    def share(self) -> float:
        """Cores' worth of CPU the request threads used since the last reading."""
        now = time.monotonic()
        last_cpu, last_t = self._last
        if now - last_t < self.min_window_s:
            return self._share
        cpu = _request_threads_cpu(self.base_nice)
        self._last = (cpu, now)
        if cpu is None or last_cpu is None:
            return 0.0
        self._share = max(0.0, (cpu - last_cpu) / (now - last_t))
        return self._share
