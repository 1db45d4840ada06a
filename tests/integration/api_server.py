"""A real uvicorn server on a free loopback port, in a thread, for HTTP tests."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from contextlib import contextmanager

import httpx
import uvicorn

from service.local_server import free_port


def wait_for(url: str, timeout: float = 120.0) -> None:
    """Poll a URL until it answers 200 (servers started by tests take a moment)."""
    deadline = time.time() + timeout
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.time() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout:.0f}s")
        time.sleep(0.1)


@contextmanager
def serve(app, ready_path: str = "/health/ready", timeout: float = 120.0):
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    wait_for(base + ready_path, timeout)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def spawn(args: list[str], env: dict, log_path) -> subprocess.Popen:
    """A process of the deployment under test, its output appended to `log_path`."""
    with open(log_path, "ab") as log:
        return subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    """Ask a process to stop; kill it if it has not within `timeout`."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
