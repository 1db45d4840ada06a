"""Kill -9 during concurrent ingest, on a real server process: every event the server
acknowledged is in the store after a restart, and the restarted server answers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import httpx

from service.settings import Settings
from service.store import open_store
from tests.conftest import catalog
from tests.integration.api_server import free_port, wait_for


def start(data_dir, port) -> subprocess.Popen:
    env = {**os.environ, "RECS_DATA_DIR": str(data_dir), "RECS_LLM__BACKEND": "none",
           "RECS_TRAINER__ENABLED": "false"}
    return subprocess.Popen([sys.executable, "-m", "service", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_sigkill_during_concurrent_ingest_loses_no_acknowledged_event(tmp_path):
    data, port = tmp_path / "data", free_port()
    server = start(data, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/health/ready")
        items = [it.model_dump() for it in catalog()]
        assert httpx.post(base + "/v1/items", json={"items": items}).status_code == 200
        acked: list[tuple[str, str, float]] = []
        lock, stop = threading.Lock(), threading.Event()

        def writer(w: int) -> None:
            n = 0
            with httpx.Client(base_url=base, timeout=10) as http:
                while not stop.is_set():
                    batch = [{"user_id": f"w{w}-{n}-{j}", "item_id": items[j % len(items)]["item_id"],
                              "timestamp": 1000.0 + n} for j in range(20)]
                    n += 1
                    try:
                        r = http.post("/v1/events", json={"events": batch})
                    except httpx.HTTPError:
                        return  # the server died: this batch was never acknowledged
                    if r.status_code == 200:
                        with lock:
                            acked.extend((e["user_id"], e["item_id"], e["timestamp"]) for e in batch)

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
        for t in threads:
            t.start()
        deadline = time.time() + 30
        while len(acked) < 2000 and time.time() < deadline:
            time.sleep(0.05)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        stop.set()
        for t in threads:
            t.join(timeout=15)
        assert len(acked) >= 2000, "the writers should have been acknowledged before the kill"
    finally:
        if server.poll() is None:
            server.kill()

    store = open_store(Settings(data_dir=data))
    stored = {(u, i, ts) for u, i, _t, _v, ts in store.iter_events()}
    missing = [e for e in acked if e not in stored]
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {missing[:3]}"
    store.close()

    server = start(data, port)
    try:
        wait_for(base + "/health/ready")
        r = httpx.post(base + "/v1/recommendations", json={"user_id": acked[0][0], "k": 3})
        assert r.status_code == 200 and acked[0][1] not in [i["item_id"] for i in r.json()["items"]]
    finally:
        server.terminate()
        server.wait(timeout=20)
