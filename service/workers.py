"""What each API process of `serve --workers N` reports about itself, and what any of
them answers for all on `/health/ready`.

Each supervised process writes `<status_dir>/api-<slot>.json` (pid, state, error) with
an atomic rename; readiness of the deployment is every slot's file naming a live process
that is `ready`. A process that cannot start says `failed` with its error and exits; the
supervisor (`service/supervisor.py`) restarts it with backoff or gives up."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

State = Literal["starting", "ready", "failed"]


@dataclass(frozen=True)
class WorkerState:
    slot: int
    pid: int
    state: State
    error: str | None = None
    since: float = 0.0


def _path(status_dir: Path, slot: int) -> Path:
    return status_dir / f"api-{slot}.json"


def report(status_dir: Path, slot: int, state: State, error: str | None = None) -> None:
    """Write this process's state for `slot` (atomic: readers see the old or the new)."""
    status_dir.mkdir(parents=True, exist_ok=True)
    record = WorkerState(slot=slot, pid=os.getpid(), state=state, error=error, since=time.time())
    tmp = status_dir / f".api-{slot}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(asdict(record)))
    os.replace(tmp, _path(status_dir, slot))


def read(status_dir: Path, slot: int) -> WorkerState | None:
    try:
        raw = json.loads(_path(status_dir, slot).read_text())
    except (OSError, ValueError):
        return None
    return WorkerState(**raw)


def clear(status_dir: Path, slot: int) -> None:
    _path(status_dir, slot).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def deployment(status_dir: Path, workers: int) -> tuple[bool, list[dict]]:
    """(every slot ready, one row per slot). A slot whose process is gone reads 'gone'."""
    rows, ready = [], True
    for slot in range(workers):
        st = read(status_dir, slot)
        if st is None:
            rows.append({"slot": slot, "pid": None, "state": "starting", "error": None})
            ready = False
            continue
        state = st.state if _alive(st.pid) else "gone"
        rows.append({"slot": slot, "pid": st.pid, "state": state, "error": st.error})
        ready = ready and state == "ready"
    return ready, rows
