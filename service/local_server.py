"""A real `python -m service serve` on a free loopback port, over a fresh data dir holding
the shipped MovieLens demo: what the benchmark scripts measure, and where the tests find
a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from service.assets import asset

# the folder holding this `service` package: `python -m service` run from it is this code
# (in a checkout, the repository root, so a `.env` there applies as before)
HOME = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A loopback port no one listens on now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def demo_server(prefix: str, **env_extra: str):
    """Yields (base URL, data dir, server process); the server stops on exit."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    env = {**os.environ, "RECS_DATA_DIR": str(tmp / "data"), **env_extra}
    subprocess.run([sys.executable, "-m", "service", "import", "--format", "movielens-csv",
                    "--path", str(asset("demo", "ml-latest-small"))], env=env, check=True,
                   stdout=subprocess.DEVNULL, cwd=HOME)
    port = free_port()
    with open(tmp / "server.log", "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "service", "serve", "--port", str(port)], env=env,
                                  stdout=log, stderr=subprocess.STDOUT, cwd=HOME)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    if httpx.get(base + "/health/ready").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
            yield base, tmp / "data", server
        finally:
            server.terminate()
            server.wait(timeout=30)
