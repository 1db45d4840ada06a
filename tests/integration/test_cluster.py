"""Several processes on loopback, as a team would run them on several machines: a real
PostgreSQL store, a `chroma run` server, llama-cpp-python's OpenAI-compatible server,
the indexer (`python -m service worker`) and two API processes (RECS_ROLE=api). They find
each other through settings only."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.calllog import CallLog
from service.candidates import snapshots
from service.llm.registry import resolve_model
from service.settings import Settings
from service.store import open_store
from tests.conftest import block_events, catalog
from tests.integration.api_server import free_port, spawn, stop, wait_for

pytestmark = pytest.mark.model


class Cluster:
    def __init__(self, root, store_url: str) -> None:
        self.root, self.procs = root, {}
        chroma_port, llm_port = free_port(), free_port()
        model, _ = resolve_model("smollm2-135m-instruct-q4_1", root / "models")
        self.env = {**os.environ, "RECS_STORE_URL": store_url, "RECS_CHROMA_URL": f"http://127.0.0.1:{chroma_port}",
                    "RECS_LLM__BACKEND": "openai", "RECS_LLM__BASE_URL": f"http://127.0.0.1:{llm_port}",
                    "RECS_LLM__MODEL": "smol", "RECS_DATA_DIR": str(root / "data"),
                    "RECS_SHARED_DIR": str(root / "shared"), "RECS_SNAPSHOT_POLL_S": "0.2",
                    "RECS_CF__MAX_STALENESS_S": "0.5", "RECS_TRAINER__ENABLED": "false",
                    "RECS_EXPLAIN__LLM_LANGUAGES": '["en"]'}  # the model phrases English reasons
        self.start("chroma", ["chroma", "run", "--path", str(root / "chroma"), "--port", str(chroma_port)])
        self.start("llm", [sys.executable, "-m", "llama_cpp.server", "--model", model, "--port", str(llm_port),
                           "--n_ctx", "2048", "--model_alias", "smol", "--interrupt_requests", "False"])
        wait_for(self.env["RECS_CHROMA_URL"] + "/api/v2/heartbeat", timeout=60)
        wait_for(self.env["RECS_LLM__BASE_URL"] + "/v1/models", timeout=60)
        self.start("worker", [sys.executable, "-m", "service", "worker", "--poll", "0.2"])
        self.api = {}
        for name in ("a", "b"):
            self.start_api(name)

    def start(self, name: str, args: list[str], **env) -> subprocess.Popen:
        self.procs[name] = spawn(args, {**self.env, **env}, self.root / f"{name}.log")
        return self.procs[name]

    def start_api(self, name: str) -> str:
        """API process `name`; "b" plays another machine: a data dir (and call log) of its own."""
        port = self.api.get(name, "").rsplit(":", 1)[-1] or str(free_port())
        data = {"RECS_DATA_DIR": str(self.root / "data-b")} if name == "b" else {}
        self.start(name, [sys.executable, "-m", "service", "serve", "--port", port, "--no-indexer"], RECS_ROLE="api",
                   **data)
        self.api[name] = f"http://127.0.0.1:{port}"
        wait_for(self.api[name] + "/health/ready", timeout=120)
        return self.api[name]

    def settings(self) -> Settings:
        return Settings(data_dir=self.root / "data", shared_dir=self.root / "shared",
                        store_url=self.env["RECS_STORE_URL"])

    def index(self, name: str) -> dict:
        return httpx.get(self.api[name] + "/health/ready", timeout=10).json()["index"]

    def wait_version(self, name: str, above: int, timeout: float = 90) -> int:
        """Until API process `name` serves a snapshot newer than `above`."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            v = self.index(name)["version"]
            if v > above:
                return v
            time.sleep(0.2)
        raise AssertionError(f"{name} still serves snapshot v{self.index(name)['version']}; worker log: "
                             + (self.root / "worker.log").read_text()[-2000:])

    def wait_current(self, name: str, timeout: float = 90) -> int:
        """Until API process `name` serves a snapshot with every event in the store."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            idx = self.index(name)
            if idx["pending_events"] <= 0 and idx["version"] > 0:
                return idx["version"]
            time.sleep(0.2)
        raise AssertionError(f"{name} lags: {self.index(name)}")

    def stop(self) -> None:
        for proc in self.procs.values():
            stop(proc)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, pg_server):
    if shutil.which("chroma") is None or importlib.util.find_spec("starlette_context") is None:
        pytest.skip("needs the chroma CLI and llama-cpp-python[server]")
    root = tmp_path_factory.mktemp("cluster")
    c = Cluster(root, pg_server.new_database())
    try:
        a = c.api["a"]
        items = [it.model_dump() for it in catalog()]
        assert httpx.post(a + "/v1/items", json={"items": items}, timeout=60).status_code == 200
        events = [{"user_id": e.user_id, "item_id": e.item_id, "timestamp": e.timestamp} for e in block_events()]
        assert httpx.post(a + "/v1/events", json={"events": events}, timeout=60).status_code == 200
        c.wait_current("a")
        c.wait_current("b")
        yield c
    finally:
        c.stop()


def recs(base: str, user: str, k: int = 5, **kw) -> list[dict]:
    """A probe: a preview (not recorded as shown), so asking again gives the same answer."""
    body = {"user_id": user, "k": k, "record_exposure": False, **kw}
    r = httpx.post(base + "/v1/recommendations", json=body, timeout=120)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_both_api_processes_serve_the_published_snapshot_and_the_model_server(cluster):
    a, b = cluster.api["a"], cluster.api["b"]
    for base in (a, b):
        ready = httpx.get(base + "/health/ready").json()["index"]
        assert ready["role"] == "api" and ready["version"] >= 1 and ready["snapshots_loaded"] >= 1
        assert [i["item_id"] for i in recs(base, "u0", 1)] == ["s5"]  # CF from the snapshot
    assert not (cluster.root / "data" / "chroma").exists()  # vectors live in the Chroma server
    items = recs(b, "u0", 3, explain=True)
    assert any(i["blurb_source"] == "llm" for i in items), items  # written by the model server


def test_events_written_through_a_shape_answers_from_b_at_once(cluster):
    a, b = cluster.api["a"], cluster.api["b"]
    before = [i["item_id"] for i in recs(b, "newcomer", 5)]
    events = [{"user_id": "newcomer", "item_id": i, "timestamp": 5000 + n} for n, i in enumerate(["k1", "k2", "k3"])]
    assert httpx.post(a + "/v1/events", json={"events": events}).json()["accepted"] == 3
    after = [i["item_id"] for i in recs(b, "newcomer", 5)]  # no wait: the history is read from the store
    assert after != before and not {"k1", "k2", "k3"} & set(after)
    assert after[0] == "k4"  # what came after k3 for the kids' users


def test_an_item_deleted_through_b_disappears_from_a(cluster):
    a, b = cluster.api["a"], cluster.api["b"]
    assert "s5" in [i["item_id"] for i in recs(a, "u0", 5)]
    v = cluster.index("a")["version"]
    assert httpx.delete(b + "/v1/items/s5").status_code in (200, 204)
    assert "s5" not in [i["item_id"] for i in recs(a, "u0", 5)]  # at once
    assert "s5" not in [i["item_id"] for i in httpx.get(a + "/v1/items/s4/similar").json()["items"]]
    assert httpx.get(a + "/v1/items/s5").status_code == 404
    cluster.wait_version("a", v)  # the deletion made the indexer publish a snapshot without it
    manifest = json.loads((snapshots.folder(cluster.settings(), cluster.index("a")["version"]) / "index.json")
                          .read_text())
    assert "s5" not in manifest["ids"]
    assert "s5" not in [i["item_id"] for i in recs(a, "u0", 5)]


def test_forget_user_reaches_every_process_and_the_next_snapshot(cluster):
    a, b = cluster.api["a"], cluster.api["b"]
    s = cluster.settings()
    store = open_store(s)
    try:
        users_before = store.stats().users
        v = cluster.index("b")["version"]
        assert any("cf" in i["sources"] for i in recs(b, "u1", 3, explain=True))  # B logs its LLM calls for u1
        b_log = sqlite3.connect(cluster.root / "data-b" / "calls.sqlite3")
        u1 = CallLog(cluster.root / "x" / "calls.sqlite3", salt=store.get_meta("calllog_salt")).user_hash("u1")

        def logged() -> int:
            return b_log.execute("SELECT COUNT(*) FROM calls WHERE user_hash = ?", (u1,)).fetchone()[0]

        assert logged() > 0
        r = httpx.delete(a + "/v1/users/u1")
        assert r.status_code == 200 and r.json()["deleted_events"] > 0
        assert all("cf" not in i["sources"] for i in recs(b, "u1", 3))  # B no longer sees a history
        deadline = time.time() + 30
        while logged() and time.time() < deadline:  # B's own call log, on "another machine"
            time.sleep(0.2)
        assert logged() == 0
        v2 = cluster.wait_version("b", v)
        manifest = json.loads((snapshots.folder(s, v2) / "index.json").read_text())
        assert manifest["users"] == users_before - 1 == store.stats().users  # not in the sequence model
        assert manifest["built_from"] <= store.last_event_id()
    finally:
        store.close()


def test_sigkill_of_one_api_process_during_concurrent_ingest_loses_no_acknowledged_event(cluster):
    a, b = cluster.api["a"], cluster.api["b"]
    acked: list[tuple[str, str, float]] = []
    lock, stop = threading.Lock(), threading.Event()
    ids = [it.item_id for it in catalog() if it.item_id != "s5"]

    def writer(w: int, base: str) -> None:
        n = 0
        with httpx.Client(timeout=10) as http:
            while not stop.is_set():
                batch = [(f"k{w}_{n + j}", ids[(n + j) % len(ids)], 10_000.0 + n + j) for j in range(20)]
                n += 20
                try:
                    r = http.post(base + "/v1/events", json={"events": [
                        {"user_id": u, "item_id": i, "timestamp": t} for u, i, t in batch]})
                except httpx.HTTPError:
                    continue  # the killed process: not acknowledged
                if r.status_code == 200:
                    with lock:
                        acked.extend(batch)

    threads = [threading.Thread(target=writer, args=(w, a if w % 2 else b)) for w in range(4)]
    for t in threads:
        t.start()
    deadline = time.time() + 60
    while len(acked) < 1000 and time.time() < deadline:
        time.sleep(0.05)
    cluster.procs["a"].send_signal(signal.SIGKILL)
    cluster.procs["a"].wait(timeout=10)
    time.sleep(1.0)  # a deliberate window, not a wait for a thread: B keeps taking events after A died
    stop.set()
    for t in threads:
        t.join(timeout=20)
    assert len(acked) >= 1000
    store = open_store(cluster.settings())
    try:
        stored = {(u, i, ts) for u, i, _t, _v, ts in store.iter_events() if u.startswith("k")}
    finally:
        store.close()
    missing = [e for e in acked if e not in stored]
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {missing[:3]}"
    # A comes back on the same settings and serves the newest snapshot
    base = cluster.start_api("a")
    assert cluster.index("a")["version"] >= 1 and recs(base, "u0", 3)


def test_serve_with_two_workers_answers_from_both_processes(cluster):
    port = free_port()
    cluster.start("multi", [sys.executable, "-m", "service", "serve", "--port", str(port), "--workers", "2",
                            "--no-indexer"])
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/health/ready", timeout=120)
    pids, deadline = set(), time.time() + 120
    while len(pids) < 2 and time.time() < deadline:
        with httpx.Client() as http:  # a new connection each time: the kernel hands it to either worker
            r = http.get(base + "/health/ready", timeout=10)
        if r.status_code == 200:
            idx = r.json()["index"]
            assert idx["role"] == "api" and idx["version"] >= 1
            pids.add(idx["pid"])
        time.sleep(0.1)
    assert len(pids) == 2
    # each request on a new connection, so both workers answer some of them; whichever
    # worker answers a scrape counts all of them (prometheus_client's multiprocess mode)
    for i in range(20):
        assert recs(base, f"u{i % 4}", 3)
    counts = [_sample(httpx.get(base + "/metrics", timeout=10).text, "recs_recommend_seconds_count")
              for _ in range(8)]
    assert counts == [20.0] * 8
    requests = _sample(httpx.get(base + "/metrics", timeout=10).text, "recs_requests_total",
                       path="/v1/recommendations")
    assert requests == 20.0


def _sample(text: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples (those with these label values) in a scrape."""
    return sum(s.value for family in text_string_to_metric_families(text) for s in family.samples
               if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))


def test_a_second_worker_steps_aside(cluster):
    p = subprocess.run([sys.executable, "-m", "service", "worker", "--once"], env=cluster.env, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0 and "another worker already publishes" in " ".join(p.stderr.split())
