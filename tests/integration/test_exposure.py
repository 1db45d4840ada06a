"""Exposure over real HTTP, on SQLite and PostgreSQL: every answer has an id and is
recorded; what a person was shown and ignored stays out of their next feed answer; a
preview is not recorded; `after` pages never repeat; `exclude_items`; impressions;
forgetting a person forgets what they were shown; bad cursors are clear 422s."""

from __future__ import annotations

import httpx
import pytest

from service.api.app import create_app
from service.settings import ExperimentSettings, ExposureSettings, Settings
from tests.integration import datasets
from tests.integration.api_server import serve


def make_data(path, store_url: str | None, times: int, explore: float = 0.0, **more) -> Settings:
    return datasets.make_data(path, store_url=store_url, exposure=ExposureSettings(times=times, explore=explore),
                              **more)


def server(request, tmp_path_factory, times: int):
    url = request.getfixturevalue("pg_server").new_database() if request.param == "postgres" else None
    return serve(create_app(make_data(tmp_path_factory.mktemp(f"exposure-{times}"), url, times)))


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def base(request, tmp_path_factory):
    """The default service: an item shown once and not taken cools down."""
    with server(request, tmp_path_factory, times=1) as url:
        yield url


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def warm(request, tmp_path_factory):
    """Exposure recorded, nothing cools (times=0): what paging alone does."""
    with server(request, tmp_path_factory, times=0) as url:
        yield url


def ask(base, **body) -> dict:
    r = httpx.post(base + "/v1/recommendations", json={"k": 3, **body}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def ids(answer: dict) -> list[str]:
    return [i["item_id"] for i in answer["items"]]


def test_a_person_who_ignores_a_page_gets_a_new_one(base):
    first = ask(base, user_id="u0")
    assert first["page"] == 1 and len(first["recommendation_id"]) == 18 and len(ids(first)) == 3
    second = ask(base, user_id="u0")
    assert second["recommendation_id"] != first["recommendation_id"]
    assert len(ids(second)) == 3 and not set(ids(first)) & set(ids(second))
    assert not set(ids(first)) & set(ids(ask(base, user_id="u0", k=12, exclude_seen=False)))
    assert set(ids(first)) <= set(ids(ask(base, user_id="u3", k=12, exclude_seen=False))) | {"s1", "s2", "s3", "s4"}


def test_a_preview_is_not_recorded(base):
    first = ask(base, user_id="u1", record_exposure=False)
    assert ids(ask(base, user_id="u1", record_exposure=False)) == ids(first)
    assert ids(ask(base, user_id="u1")) == ids(first)  # recorded now: the next one moves on
    assert not set(ids(first)) & set(ids(ask(base, user_id="u1")))


def test_what_a_person_takes_is_not_cooled(base):
    first = ask(base, user_id="u11")
    taken = ids(first)[0]
    r = httpx.post(base + "/v1/events", json={"events": [{"user_id": "u11", "item_id": taken, "type": "view"}]})
    assert r.status_code == 200
    again = ids(ask(base, user_id="u11", k=12, exclude_seen=False))
    assert taken in again and not (set(ids(first)) - {taken}) & set(again)


def test_impressions_cool_what_was_on_screen(base):
    before = ids(ask(base, user_id="u12", record_exposure=False))
    r = httpx.post(base + "/v1/events", json={"events": [
        {"user_id": "u12", "item_id": i, "type": "impression"} for i in before[:2]]})
    assert r.status_code == 200
    assert not set(before[:2]) & set(ids(ask(base, user_id="u12", k=12)))


def test_chat_answers_have_an_id_and_are_recorded(base):
    r = httpx.post(base + "/v1/chat", json={"messages": [{"role": "user", "content": "a space adventure"}],
                                            "user_id": "talker", "k": 3, "explain": False, "use_llm": False},
                   timeout=30)
    assert r.status_code == 200, r.text
    chat = r.json()
    assert len(chat["recommendation_id"]) == 18 and len(chat["items"]) == 3
    shown = {i["item_id"] for i in chat["items"]}
    assert not shown & set(ids(ask(base, user_id="talker", k=12)))  # the cold-start feed moves on


def test_forgetting_a_person_forgets_what_they_were_shown(base):
    view = {"events": [{"user_id": "z", "item_id": "k2", "type": "view", "timestamp": 5}]}
    assert httpx.post(base + "/v1/events", json=view).status_code == 200
    first = ids(ask(base, user_id="z"))
    assert first and first != ids(ask(base, user_id="z"))
    assert httpx.delete(base + "/v1/users/z").json()["deleted_events"] == 1
    assert httpx.post(base + "/v1/events", json=view).status_code == 200
    assert ids(ask(base, user_id="z")) == first


def test_without_cooling_the_same_page_returns_and_after_pages_on(warm):
    first = ask(warm, user_id="u0")
    assert ids(ask(warm, user_id="u0")) == ids(first)  # recorded, not cooled: the same page
    second = ask(warm, user_id="u0", after=first["recommendation_id"])
    assert second["page"] == 2 and second["recommendation_id"].split("-")[0] == first["recommendation_id"].split("-")[0]
    assert len(ids(second)) == 3 and not set(ids(first)) & set(ids(second))
    third = ask(warm, user_id="u0", after=second["recommendation_id"])
    assert third["page"] == 3 and not (set(ids(first)) | set(ids(second))) & set(ids(third))
    assert ids(ask(warm, user_id="u0", after=first["recommendation_id"])) == ids(second)


def test_exclude_items_are_left_out(warm):
    first = ids(ask(warm, user_id="u2", k=5))
    out = ids(ask(warm, user_id="u2", k=5, exclude_items=first[:2]))
    assert len(out) == 5 and not set(first[:2]) & set(out)


@pytest.mark.parametrize("body, said", [
    ({"user_id": "u0", "after": "nope"}, "not a recommendation_id"),
    ({"user_id": "u0", "after": "0123456789abcdef-1"}, "no recorded answer"),
    ({"after": "0123456789abcdef-1"}, "needs the user_id"),
    ({"user_id": "u0", "exclude_items": [""]}, "exclude_items"),
    ({"user_id": "u0", "record_exposure": "maybe"}, "record_exposure"),
])
def test_bad_paging_input_is_a_clear_4xx(warm, body, said):
    r = httpx.post(warm + "/v1/recommendations", json=body, timeout=30)
    assert 400 <= r.status_code < 500 and said in r.text, r.text


def test_a_page_for_another_person_is_refused(warm):
    first = ask(warm, user_id="u4")
    r = httpx.post(warm + "/v1/recommendations", json={"user_id": "u5", "after": first["recommendation_id"]})
    assert r.status_code == 422 and "no recorded answer" in r.text


@pytest.fixture(scope="module")
def exploring(tmp_path_factory):
    """One slot of three explores; nothing cools (so the small catalog lasts)."""
    with serve(create_app(make_data(tmp_path_factory.mktemp("explore"), None, times=0, explore=0.34))) as url:
        yield url


def test_exploration_takes_the_last_slot_and_reaches_a_new_item(exploring):
    new = {"item_id": "n9", "title": "Brand New Film", "text": "Nobody has seen this one yet."}
    assert httpx.post(exploring + "/v1/items", json={"items": [new]}).status_code == 200
    reached_at = None
    for n in range(60):
        answer = ask(exploring, user_id=f"u{n % 20}", exclude_seen=True)
        *head, last = answer["items"]
        assert len(head) == 2 and all("explore" not in i["sources"] for i in head)
        assert set(last["sources"]) == {"explore"} and last["rank"] == 3
        if last["item_id"] == "n9" and reached_at is None:
            reached_at = n
    assert reached_at is not None
    text = ask(exploring, user_id="u0", query="space")  # text answers do not explore
    assert all("explore" not in i["sources"] for i in text["items"])


@pytest.fixture(scope="module")
def experimenting(tmp_path_factory):
    """An A/B test: arm b ranks feeds by popularity alone."""
    exp = ExperimentSettings(name="ab-http-test", arms={"a": {}, "b": {"popularity": 1.0}})
    with serve(create_app(make_data(tmp_path_factory.mktemp("ab"), None, times=0, experiment=exp))) as url:
        yield url


def metric(base: str, name: str, arm: str) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    text = httpx.get(base + "/metrics").text
    return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
               if s.name == name and s.labels.get("experiment") == "ab-http-test" and s.labels.get("arm") == arm)


def test_an_ab_split_serves_each_person_one_arm_and_counts_positives_per_arm(experimenting):
    arms = {}
    for n in range(20):
        answer = ask(experimenting, user_id=f"u{n}")
        arms[f"u{n}"] = answer["experiment_arm"]
        sources = set().union(*(i["sources"] for i in answer["items"]))
        assert sources == {"popularity"} if answer["experiment_arm"] == "b" else "cf" in sources
    assert set(arms.values()) == {"a", "b"}
    assert all(ask(experimenting, user_id=u)["experiment_arm"] == arm for u, arm in list(arms.items())[:5])
    assert ask(experimenting, query="space")["experiment_arm"] is None  # no person: no arm
    b_user = next(u for u, arm in arms.items() if arm == "b")
    shown = ids(ask(experimenting, user_id=b_user))
    before = metric(experimenting, "recs_experiment_positives_total", "b")
    events = [{"user_id": b_user, "item_id": shown[0], "type": "view"},
              {"user_id": b_user, "item_id": next(i for i in ("s1", "k1", "s6", "k6") if i not in shown), "type": "view"}]
    assert httpx.post(experimenting + "/v1/events", json={"events": events}).status_code == 200
    assert metric(experimenting, "recs_experiment_positives_total", "b") == before + 1  # only the shown one
    exposures = {a: metric(experimenting, "recs_experiment_exposures_total", a) for a in ("a", "b")}
    assert exposures["a"] + exposures["b"] == 3 * (20 + 5 + 1)
    rate = metric(experimenting, "recs_experiment_rate", "b")
    low, high = (metric(experimenting, f"recs_experiment_rate_{e}", "b") for e in ("low", "high"))
    assert rate == pytest.approx((before + 1) / exposures["b"]) and low < rate < high
