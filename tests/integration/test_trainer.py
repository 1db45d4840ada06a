"""The service learns by itself: the background trainer, in-process and as the real
child process a real server starts, fits the adapted reranker on events posted over HTTP
and the running server switches to it, saying so in every answer and in /health/ready."""

from __future__ import annotations

import time

import httpx

from service.api.app import create_app
from service.pipeline import Recommender
from service.settings import LLMSettings, Settings, TrainerSettings
from service.store import open_store
from service.train.background import BackgroundTrainer, read_status
from service.types import CandidateRequest
from tests.integration.api_server import serve
from tests.integration.planted import FUSION, PAIRS, planted_catalog, planted_events

# learn_fusion off: the planted pattern hides from the configured fusion only (see test_adapted)
FAST = dict(min_users=20, settle_s=0.5, poll_s=0.3, users=300, llm_features=False, learn_fusion=False)


def test_one_step_trains_and_the_service_serves_it(tmp_path, embedder):
    settings = Settings(data_dir=tmp_path / "d", fusion=FUSION, trainer=TrainerSettings(**FAST))
    store = open_store(settings)
    store.upsert_items(planted_catalog())
    rec = Recommender(settings, store=store, embedder=embedder)
    now = [0.0]  # the trainer's clock: it settles when the test says time has passed
    trainer = BackgroundTrainer(settings, store=store, clock=lambda: now[0])
    assert trainer.step() == "waited" and "waiting for signal" in read_status(settings)["next_run"]
    store.add_events(planted_events())
    assert trainer.step() == "waited" and "still arriving" in read_status(settings)["next_run"]
    now[0] += FAST["settle_s"]
    assert trainer.step() == "trained"
    status = read_status(settings)
    run = status["last_run"]
    assert status["state"] == "idle" and run["served"] and status["served_artifact"] == run["artifact"]
    assert run["examples"]["validation"] > 0 and "candidate order" in run["validation"]
    rec.refresh()
    out = rec.recommend_full(CandidateRequest(history=["p1", "p5", "a2"], k=5))
    assert out.ranker == "adapted" and out.reranker_version == run["artifact"] and out.items[0].item_id == "b2"
    assert trainer.step() == "waited"  # nothing new: no second run
    assert read_status(settings)["runs"] == 1


def test_a_fresh_server_trains_in_the_background_and_switches(tmp_path):
    settings = Settings(data_dir=tmp_path / "d", fusion=FUSION, llm=LLMSettings(backend="none"),
                        trainer=TrainerSettings(enabled=True, **FAST))
    app = create_app(settings)
    with serve(app) as base, httpx.Client(base_url=base, timeout=60) as http:
        items = [it.model_dump() for it in planted_catalog()]
        assert http.post("/v1/items", json={"items": items}).status_code == 200
        events = [e.model_dump() for e in planted_events()]
        for start in range(0, len(events), 500):
            assert http.post("/v1/events", json={"events": events[start:start + 500]}).status_code == 200
        first = http.post("/v1/recommendations", json={"user_id": "u0", "k": 5}).json()
        assert first["reranked"] is False and first["reranker_version"].startswith("identity")
        deadline, health = time.time() + 240, {}
        while time.time() < deadline:
            health = http.get("/health/ready").json()
            if (health.get("trainer") or {}).get("served_artifact"):
                break
            time.sleep(0.5)
        trainer = health["trainer"]
        assert trainer["served_artifact"], trainer
        assert trainer["process_alive"] and trainer["last_run"]["served"]
        out = http.post("/v1/recommendations", json={"user_id": "u1", "k": 5}).json()
        assert out["reranked"] and out["reranker_version"] == trainer["served_artifact"]
        a, b = PAIRS[2]
        hist = [{"user_id": "newcomer", "item_id": i, "type": "view"} for i in ("p1", "p5", a)]
        for e in hist:  # no timestamps: the time of receipt, so they stay in order
            assert http.post("/v1/events", json={"events": [e]}).status_code == 200
            time.sleep(0.01)  # not a wait for another thread: keeps the receipt times distinct
        mine = http.post("/v1/recommendations", json={"user_id": "newcomer", "k": 5}).json()
        assert mine["items"][0]["item_id"] == b
        metrics = http.get("/metrics").text
        assert 'recs_trainer_validation_ndcg10{variant="adapted_no_llm"}' in metrics
        assert f'recs_reranker_served_info{{version="{trainer["served_artifact"]}"}} 1.0' in metrics
        proc = app.state.runtime.trainer.proc
    assert proc.wait(timeout=15) is not None  # the server's shutdown stops its trainer
