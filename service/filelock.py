"""Writing a file that several processes may want at once: one makes it, the others wait
and use it. `serve --workers N` starts N processes that each resolve the same model."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from pathlib import Path


def make_once(dst: Path, make: Callable[[Path], None]) -> Path:
    """`dst`, made by `make(tmp)` in exactly one process.

    An exclusive lock on `dst.lock` serialises the makers; the winner writes to a name
    unique to its process and renames it into place (atomic on one file system), so a
    reader never sees half a file and a loser finds the result when it gets the lock."""
    if dst.exists():
        return dst
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(dst.with_name(dst.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if dst.exists():  # another process made it while we waited
                return dst
            tmp = dst.with_name(f"{dst.name}.{os.getpid()}.partial")
            try:
                make(tmp)
                os.replace(tmp, dst)
            finally:
                tmp.unlink(missing_ok=True)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return dst
