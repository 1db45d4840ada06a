"""What `serve --workers N`'s processes report, and what readiness makes of it."""

from __future__ import annotations

import os
import subprocess
import sys

from service import workers


def test_deployment_is_ready_only_when_every_slot_is_ready_and_alive(tmp_path):
    assert workers.deployment(tmp_path, 2) == (False, [
        {"slot": 0, "pid": None, "state": "starting", "error": None},
        {"slot": 1, "pid": None, "state": "starting", "error": None}])
    workers.report(tmp_path, 0, "ready")
    workers.report(tmp_path, 1, "starting")
    ready, rows = workers.deployment(tmp_path, 2)
    assert not ready and [r["state"] for r in rows] == ["ready", "starting"]
    workers.report(tmp_path, 1, "ready")
    ready, rows = workers.deployment(tmp_path, 2)
    assert ready and {r["pid"] for r in rows} == {os.getpid()}


def test_a_slot_whose_process_is_gone_is_not_ready(tmp_path):
    code = f"from pathlib import Path; from service import workers; workers.report(Path({str(tmp_path)!r}), 0, 'ready')"
    subprocess.run([sys.executable, "-c", code], check=True)  # reports ready, then exits
    ready, rows = workers.deployment(tmp_path, 1)
    assert not ready and rows[0]["state"] == "gone"


def test_a_failure_keeps_its_error(tmp_path):
    workers.report(tmp_path, 0, "failed", "StoreUnavailable: cannot reach db:5432")
    assert workers.read(tmp_path, 0).error == "StoreUnavailable: cannot reach db:5432"
