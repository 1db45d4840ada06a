"""The API with the real model: LLM reranking over HTTP, and the queue bound."""

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from service.api.app import create_app
from service.settings import LLMSettings
from tests.integration.api_server import serve
from tests.integration.datasets import make_data

pytestmark = pytest.mark.model


def test_an_untrained_service_makes_no_llm_pass_on_the_request_path(tmp_path):
    settings = make_data(tmp_path).model_copy(update={"llm": LLMSettings()})
    app = create_app(settings)
    with serve(app) as url:
        for user in ("u1", "u2", "u12"):
            r = httpx.post(url + "/v1/recommendations", json={"user_id": user, "k": 5}, timeout=60).json()
            assert r["reranked"] is False and "nothing fitted" in r["fallback_reason"] and r["items"]
        text = httpx.post(url + "/v1/recommendations", json={"query": "space", "k": 5}, timeout=60).json()
        assert text["reranked"] is False and text["items"]
        rec = app.state.runtime.recommender
        assert sum(rec.backend.scheduler.done.values()) == 0  # the model never ran
        assert rec.calllog.list() == []


def test_llm_reranked_answer_and_queue_bound(tmp_path):
    settings = make_data(tmp_path)  # zero-shot reranking is an explicit choice
    settings = settings.model_copy(update={"llm": LLMSettings(max_queue=1, queue_timeout_ms=30000, zero_shot=True)})
    with serve(create_app(settings)) as url:
        r = httpx.post(url + "/v1/recommendations", json={"user_id": "u1", "k": 5}, timeout=60).json()
        assert r["reranked"] is True and r["prompt_version"] == "rank_listwise@v2" and r["model"]
        assert "rerank" in r["timings_ms"]

        def one(i):
            return httpx.post(url + "/v1/recommendations", timeout=60,
                              json={"user_id": f"u{i % 20}", "k": 5, "allow_degraded": i % 2 == 0})
        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(one, range(24)))
        codes = [a.status_code for a in answers]
        assert set(codes) <= {200, 503}, codes
        busy = [a for a in answers if a.status_code == 503]
        assert busy, "12 concurrent requests against a queue of 1 should overflow"
        assert all(a.headers.get("retry-after") for a in busy)
        degraded = [a.json() for a in answers if a.status_code == 200 and not a.json()["reranked"]]
        assert all(d["fallback_reason"].startswith("overloaded") for d in degraded)
        assert "recs_rerank_fallbacks_total" in httpx.get(url + "/metrics").text


def test_new_requests_never_cut_off_a_stream_in_flight(tmp_path):
    import json
    import threading

    settings = make_data(tmp_path).model_copy(update={"llm": LLMSettings(zero_shot=True)})
    with serve(create_app(settings)) as url:
        burst = []

        def fire():
            with ThreadPoolExecutor(6) as pool:
                burst.extend(pool.map(lambda i: httpx.post(url + "/v1/recommendations", timeout=60,
                                                           json={"user_id": f"u{i}", "k": 5}), range(6)))

        events = []
        body = {"messages": [{"role": "user", "content": "space battles"}], "k": 5, "stream": True}
        with httpx.stream("POST", url + "/v1/chat", json=body, timeout=60) as s:
            name = None
            for line in s.iter_lines():
                if line.startswith("event:"):
                    name = line.split(":", 1)[1].strip()
                    if name == "items":
                        t = threading.Thread(target=fire)
                        t.start()
                elif line.startswith("data:"):
                    events.append((name, json.loads(line.split(":", 1)[1])))
        t.join()
        assert [k for k, _ in events][-1] == "done" and "error" not in [k for k, _ in events]
        assert all(r.status_code == 200 for r in burst)
