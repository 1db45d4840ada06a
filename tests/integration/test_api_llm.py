"""The API with the real model: LLM reranking over HTTP, and the queue bound."""

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from service.api.app import create_app
from service.settings import LLMSettings
from tests.integration.api_server import serve
from tests.integration.test_api import make_data

pytestmark = pytest.mark.model


def test_llm_reranked_answer_and_queue_bound(tmp_path):
    settings = make_data(tmp_path)
    settings = settings.model_copy(update={"llm": LLMSettings(max_queue=1, queue_timeout_ms=30000)})
    with serve(create_app(settings)) as url:
        r = httpx.post(url + "/v1/recommendations", json={"user_id": "u1", "k": 5}, timeout=60).json()
        assert r["reranked"] is True and r["prompt_version"] == "rank_listwise@v1" and r["model"]
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
