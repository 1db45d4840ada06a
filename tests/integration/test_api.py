"""The HTTP API over real HTTP (uvicorn on loopback), real SQLite and Chroma."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.api.app import create_app
from service.exposure import ExposureLog
from service.exposure.experiment import Experiment
from service.settings import ExperimentSettings, ExposureSettings, LLMSettings, Settings
from tests.integration.api_server import serve
from tests.integration.datasets import make_data


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    # these tests ask for the same people again and check each answer itself: exposure is
    # recorded but nothing cools down (what cooling does: tests/integration/test_exposure.py)
    settings = make_data(tmp_path_factory.mktemp("api")).model_copy(update={"exposure": ExposureSettings(times=0)})
    with serve(create_app(settings)) as url:
        yield url


def post(base, path, body, **kw):
    return httpx.post(base + path, json=body, timeout=30, **kw)


def test_health_schema_and_metrics(base):
    assert httpx.get(base + "/health/live").json()["status"] == "ok"
    assert httpx.get(base + "/health/ready").status_code == 200
    spec = httpx.get(base + "/schema/openapi.json").json()
    for path in ("/v1/recommendations", "/v1/chat", "/v1/chat/completions", "/v1/models", "/v1/items", "/v1/events", "/v1/items/{item_id}/similar",
                 "/v1/users/{user_id}"):
        assert path in spec["paths"], path
    assert post(base, "/v1/recommendations", {"user_id": "u0"}).json()["fallback_reason"] == "no LLM configured"
    text = httpx.get(base + "/metrics").text
    # every metric is declared whatever happened; these are the samples this request left
    # (at least: the process-wide registry also counts other modules' requests)
    assert sum(samples(text, "recs_request_duration_seconds_count", path="/v1/recommendations")) >= 1
    assert sum(samples(text, "recs_recommend_seconds_count")) >= 1
    assert sum(samples(text, "recs_rerank_fallbacks_total", reason="no_model")) >= 1
    assert samples(text, "recs_llm_queue_depth") == [0.0]  # no model, so nothing waits for one


def samples(text: str, name: str, **labels: str) -> list[float]:
    """The values of metric samples `name` with these label values in a Prometheus scrape."""
    return [s.value for family in text_string_to_metric_families(text) for s in family.samples
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())]


def test_recommendations_for_user_text_and_cold_start(base):
    r = post(base, "/v1/recommendations", {"user_id": "u0", "k": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["items"][0]["item_id"] == "s5" and [i["rank"] for i in body["items"]] == [1, 2, 3]
    assert body["reranked"] is False and body["fallback_reason"] == "no LLM configured"
    assert set(body) >= {"items", "reranked", "fallback_reason", "model", "prompt_version", "timings_ms"}
    r = post(base, "/v1/recommendations", {"user_id": "stranger", "query": "funny cartoon for kids", "k": 3})
    assert r.status_code == 200 and all(i["item_id"].startswith("k") for i in r.json()["items"])
    r = post(base, "/v1/recommendations", {"k": 2, "filters": {"ranges": {"year": {"gte": 2005}}}})
    assert r.status_code == 200 and {i["item_id"] for i in r.json()["items"]} <= {"s6", "k5", "k6"}


@pytest.mark.parametrize("body,field", [
    ({"k": 0}, "k"), ({"k": 101}, "k"), ({"user_id": ""}, "user_id"), ({"query": "x" * 2001}, "query"),
    ({"k": 3, "surprise": 1}, "surprise"), ({"filters": {"include": "Comedy"}}, "include"),
])
def test_invalid_recommendation_requests_name_the_field(base, body, field):
    r = post(base, "/v1/recommendations", body)
    assert 400 <= r.status_code < 500 and field in r.text


def test_items_crud_and_similar(base):
    item = {"item_id": "n1", "title": "Robot Cartoon", "text": "An animated robot cartoon for kids.",
            "attributes": {"genres": ["Animation"]}}
    assert post(base, "/v1/items", {"items": [item]}).json() == {"upserted": 1}
    assert httpx.get(base + "/v1/items/n1").json()["title"] == "Robot Cartoon"
    sim = httpx.get(base + "/v1/items/s2/similar", params={"k": 3}).json()
    assert sim["item_id"] == "s2" and all(i["item_id"].startswith("s") for i in sim["items"])
    assert httpx.get(base + "/v1/items/s2/similar", params={"k": 0}).status_code == 400
    assert httpx.delete(base + "/v1/items/n1").status_code == 204
    r = httpx.get(base + "/v1/items/n1")
    assert r.status_code == 404 and "no item 'n1'" in r.json()["detail"]
    assert post(base, "/v1/items", {"items": []}).status_code == 400


def test_events_change_the_next_answer_and_unknown_items_are_rejected(base):
    before = post(base, "/v1/recommendations", {"user_id": "fresh", "k": 3}).json()["items"]
    assert all("cf" not in i["sources"] for i in before)  # cold start
    events = [{"user_id": "fresh", "item_id": "k1", "timestamp": 1}, {"user_id": "fresh", "item_id": "k2", "timestamp": 2}]
    assert post(base, "/v1/events", {"events": events}).json() == {"accepted": 2, "duplicates": 0, "created_items": []}
    assert post(base, "/v1/events", {"events": events}).json()["duplicates"] == 2
    after = post(base, "/v1/recommendations", {"user_id": "fresh", "k": 3}).json()["items"]
    assert after[0]["item_id"] == "k3" and "cf" in after[0]["sources"]
    r = post(base, "/v1/events", {"events": [{"user_id": "fresh", "item_id": "k4", "timestamp": 3},
                                             {"user_id": "fresh", "item_id": "ghost", "timestamp": 4}]})
    assert r.status_code == 422 and "'ghost'" in r.json()["detail"]
    again = post(base, "/v1/recommendations", {"user_id": "fresh", "k": 3}).json()["items"]
    assert again[0]["item_id"] == "k3"  # the rejected batch stored nothing (k4 would be seen)
    # no timestamp: the time of receipt (event APIs people know do the same), so it is the latest event
    assert post(base, "/v1/events", {"events": [{"user_id": "x", "item_id": "k2", "timestamp": 4e9},
                                                {"user_id": "x", "item_id": "k1"}]}).status_code == 200
    seen = post(base, "/v1/recommendations", {"user_id": "x", "k": 12}).json()["items"]
    assert {"k1", "k2"}.isdisjoint(i["item_id"] for i in seen)
    assert post(base, "/v1/events", {"events": [{"user_id": "x", "item_id": "k1", "timestamp": "soon"}]}).status_code == 400


def test_forget_user(base):
    post(base, "/v1/events", {"events": [{"user_id": "gone", "item_id": "s1", "timestamp": 1}]})
    r = httpx.delete(base + "/v1/users/gone")
    assert r.status_code == 200 and r.json() == {"user_id": "gone", "deleted_events": 1}
    items = post(base, "/v1/recommendations", {"user_id": "gone", "k": 3}).json()["items"]
    assert all("cf" not in i["sources"] for i in items)


def test_chat_json_and_sse_stream(base):
    msgs = [{"role": "user", "content": "something with space battles"}]
    r = post(base, "/v1/chat", {"messages": msgs, "k": 3})
    body = r.json()
    assert r.status_code == 200 and len(body["items"]) == 3 and body["reply"].startswith("Here are 3 picks")
    events = []
    with httpx.stream("POST", base + "/v1/chat", json={"messages": msgs, "k": 3, "stream": True}, timeout=30) as s:
        assert s.headers["content-type"].startswith("text/event-stream")
        name = None
        for line in s.iter_lines():
            if line.startswith("event:"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                events.append((name, json.loads(line.split(":", 1)[1])))
    kinds = [k for k, _ in events]
    assert kinds[0] == "items" and kinds[1] == "reply" and kinds[-1] == "done" and "error" not in kinds
    items = [i["item_id"] for i in events[0][1]["items"]]
    finals = {d["item_id"]: d for k, d in events if k == "blurb_done"}
    assert set(finals) == set(items)  # one final blurb per listed item, after the list
    reply = events[-1][1]["reply"]
    assert reply.startswith(events[1][1]["delta"]) and all(f["blurb"] in reply for f in finals.values())
    assert events[0][1]["understood"]["include"] == ["sci-fi"]
    assert post(base, "/v1/chat", {"messages": [{"role": "bot", "content": "x"}]}).status_code == 400


def test_blurbs_on_request_and_multi_turn_chat_in_other_languages(base):
    r = post(base, "/v1/recommendations", {"user_id": "u1", "k": 2, "explain": True}).json()
    assert all(i["blurb"] and i["blurb_source"] == "facts" and i["blurb_grounded"] is False for i in r["items"])
    assert post(base, "/v1/recommendations", {"user_id": "u1", "k": 2}).json()["items"][0]["blurb"] is None
    first = post(base, "/v1/chat", {"messages": [{"role": "user", "content": "une comédie ou un dessin animé"}],
                                   "k": 3}).json()
    assert first["understood"]["language"] == "fr" and first["reply"].startswith("Voici")
    ids = [i["item_id"] for i in first["items"]]
    follow = post(base, "/v1/chat", {"k": 3, "messages": [
        {"role": "user", "content": "une comédie ou un dessin animé"},
        {"role": "assistant", "content": first["reply"], "item_ids": ids},
        {"role": "user", "content": "plus comme le deuxième, sans musical"}]}).json()
    assert follow["understood"]["like"] == [ids[1]] and follow["understood"]["exclude"] == ["musical"]
    assert not set(ids) & {i["item_id"] for i in follow["items"]}  # nothing repeated


def test_twenty_concurrent_requests_are_all_answered_correctly(base):
    def one(u):
        r = post(base, "/v1/recommendations", {"user_id": f"u{u}", "k": 2})
        return r.status_code, r.json()["items"][0]["item_id"][0]
    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(one, range(1, 10)))  # sci-fi users (u0 was forgotten elsewhere)
        results += list(pool.map(one, range(10, 20)))
    assert all(code == 200 for code, _ in results)
    assert [first for _, first in results] == ["s"] * 9 + ["k"] * 10


def test_api_keys(tmp_path):
    settings = make_data(tmp_path).model_copy(update={"api_keys": ["s3cret"]})
    with serve(create_app(settings)) as url:
        assert post(url, "/v1/recommendations", {"k": 1}).status_code == 401
        assert post(url, "/v1/recommendations", {"k": 1}, headers={"X-API-Key": "wrong"}).status_code == 401
        assert post(url, "/v1/recommendations", {"k": 1}, headers={"X-API-Key": "s3cret"}).status_code == 200
        assert httpx.get(url + "/health/live").status_code == 200
        assert httpx.get(url + "/metrics").status_code == 401


def test_acknowledged_events_survive_a_restart(tmp_path):
    settings = make_data(tmp_path)
    with serve(create_app(settings)) as url:
        ev = [{"user_id": "dur", "item_id": "s1", "timestamp": 5}]
        assert post(url, "/v1/events", {"events": ev}).status_code == 200
    with serve(create_app(settings)) as url:
        items = post(url, "/v1/recommendations", {"user_id": "dur", "k": 2}).json()["items"]
        assert "s1" not in [i["item_id"] for i in items] and "cf" in items[0]["sources"]


def test_unknown_items_can_be_created_by_setting(tmp_path):
    settings = make_data(tmp_path).model_copy(update={"unknown_item_events": "create"})
    with serve(create_app(settings)) as url:
        r = post(url, "/v1/events", {"events": [{"user_id": "a", "item_id": "brand-new", "timestamp": 1}]})
        assert r.json()["created_items"] == ["brand-new"]
        assert httpx.get(url + "/v1/items/brand-new").json()["title"] == "brand-new"


def test_a_fresh_empty_service_answers_and_learns_over_http(tmp_path):
    settings = Settings(data_dir=tmp_path, llm=LLMSettings(backend="none"))
    with serve(create_app(settings)) as url:
        for body in ({"user_id": "a", "k": 3}, {"query": "robots", "k": 3}):
            r = post(url, "/v1/recommendations", body)
            assert r.status_code == 200 and r.json()["items"] == []
        post(url, "/v1/items", {"items": [{"item_id": "r1", "title": "Robot Wars", "text": "robots fighting"},
                                          {"item_id": "r2", "title": "Cooking Show", "text": "recipes"}]})
        post(url, "/v1/events", {"events": [{"user_id": "a", "item_id": "r2", "timestamp": 1}]})
        assert post(url, "/v1/recommendations", {"query": "robots", "k": 1}).json()["items"][0]["item_id"] == "r1"
        assert [i["item_id"] for i in post(url, "/v1/recommendations", {"user_id": "a", "k": 3}).json()["items"]] == ["r1"]


def test_a_user_who_took_the_same_item_twice_gets_answers(base):
    events = [{"user_id": "twice", "item_id": "s1", "timestamp": 10}, {"user_id": "twice", "item_id": "s2", "timestamp": 11},
              {"user_id": "twice", "item_id": "s1", "timestamp": 12}]
    assert post(base, "/v1/events", {"events": events}).status_code == 200
    for use_llm in (True, False):
        r = post(base, "/v1/recommendations", {"user_id": "twice", "k": 5, "use_llm": use_llm})
        assert r.status_code == 200, r.text
        assert {"s1", "s2"}.isdisjoint(i["item_id"] for i in r.json()["items"])
    chat = post(base, "/v1/chat", {"messages": [{"role": "user", "content": "more sci-fi"}], "user_id": "twice"})
    assert chat.status_code == 200, chat.text


def test_every_response_carries_a_request_id(base):
    mine = httpx.get(base + "/health/live", headers={"X-Request-ID": "client-chosen.42"})
    assert mine.headers["x-request-id"] == "client-chosen.42"
    made = httpx.get(base + "/health/live", headers={"X-Request-ID": "bad id with spaces"})
    assert len(made.headers["x-request-id"]) == 32 and made.headers["x-request-id"] != "bad id with spaces"


def test_a_5xx_is_logged_with_its_traceback_and_request_id(tmp_path):
    import logging

    class Broken:  # a recommender with a bug on the request path
        exposure = ExposureLog(None, ExposureSettings(), None)  # a first page needs no store
        experiment = Experiment(ExperimentSettings(), None, None)  # none runs

        def recommend_full(self, *a, **kw):
            raise ZeroDivisionError("a bug")

    class Keep(logging.Handler):
        records: list = []

        def emit(self, record):
            self.records.append(record)

    settings = Settings(data_dir=tmp_path, llm=LLMSettings(backend="none"))
    app = create_app(settings, recommender=Broken())  # (Litestar configures logging here)
    keep = Keep(level=logging.ERROR)
    logging.getLogger("service.api").addHandler(keep)
    try:
        with serve(app) as b:
            r = httpx.post(b + "/v1/recommendations", json={"user_id": "1"}, headers={"X-Request-ID": "req-7"})
    finally:
        logging.getLogger("service.api").removeHandler(keep)
    assert r.status_code == 500 and r.json()["request_id"] == "req-7" and "req-7" in r.json()["detail"]
    logged = [rec for rec in keep.records if "req-7" in rec.getMessage()]
    assert logged and logged[0].exc_info and logged[0].exc_info[0] is ZeroDivisionError
