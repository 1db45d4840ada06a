"""Feedback with meaning over real components: negatives never count as positives, leave
the person's answers and never raise a score; over real HTTP: a dislike changes the next
answer, an unknown type is a 422 naming the known ones, /v1/feedback-types."""

from __future__ import annotations

import random

import httpx
import pytest

from service.api.app import create_app
from service.candidates.index import CandidateIndex
from service.settings import FeedbackSettings
from service.types import CandidateRequest, Event
from tests.conftest import catalog
from tests.integration.api_server import serve
from tests.integration.datasets import make_data

ALL = [it.item_id for it in catalog()]



@pytest.fixture
def settings(settings):
    """This module's ratings below 3.5 are negatives (the default reads every rating as a positive)."""
    return settings.model_copy(update={"feedback": FeedbackSettings(rating_threshold=3.5)})

def scores(rec, user: str, exclude_seen: bool = True) -> dict[str, float]:
    req = CandidateRequest(user_id=user, k=len(ALL), exclude_seen=exclude_seen)
    return {c.item_id: c.score for c in rec.candidates(req, len(ALL)).candidates}


@pytest.mark.parametrize("seed", range(4))
def test_no_negative_ever_raises_a_score(recommender, seed):
    """Negatives of every kind on random items the person has not taken: every item's
    score stays or goes down, and the turned-down item is gone, step after step."""
    rng = random.Random(seed)
    user = f"u{rng.choice([0, 1, 2, 11, 14])}"
    profile = recommender.history(user)
    taken = set(profile)
    kinds = [("dislike", None), ("skip", None), ("hide", None), ("return", None), ("rating", 1.0),
             ("rating", 3.0)]
    for step in range(5):
        for exclude_seen in (True, False):
            before = scores(recommender, user, exclude_seen)
            item = rng.choice([i for i in ALL if i not in taken])
            type_, value = rng.choice(kinds)
            recommender.add_events([Event(user_id=user, item_id=item, type=type_, value=value,
                                          timestamp=5000 + 10 * step + exclude_seen)])
            after = scores(recommender, user, exclude_seen)
            assert item not in after
            raised = {i: (before.get(i), s) for i, s in after.items() if i in before and s > before[i] + 1e-12}
            assert not raised, (type_, item, raised)
            assert recommender.history(user) == profile  # a negative never enters the profile


def test_an_exposure_changes_nothing(recommender):
    before = scores(recommender, "u0")
    recommender.add_events([Event(user_id="u0", item_id="s5", type="impression", timestamp=9000)])
    assert scores(recommender, "u0") == before


def test_a_low_rating_is_a_negative_a_high_one_a_positive(recommender):
    recommender.add_events([Event(user_id="r", item_id="s1", type="rating", value=5.0, timestamp=1),
                            Event(user_id="r", item_id="s2", type="rating", value=4.0, timestamp=2),
                            Event(user_id="r", item_id="s3", type="rating", value=1.0, timestamp=3)])
    assert recommender.history("r") == ["s1", "s2"]
    assert recommender.user_feedback("r").negatives == ["s3"]
    out = recommender.recommend(CandidateRequest(user_id="r", k=len(ALL), exclude_seen=False))
    assert "s3" not in {r.item_id for r in out} and {"s1", "s2"} <= {r.item_id for r in out}


def test_negatives_count_nowhere_in_the_item_item_matrices(recommender, settings, store):
    """A crowd that turns k1 down after s1 makes k1 neither s1's neighbour nor popular."""
    base = CandidateIndex.build(store, settings)
    row = base.space.index
    recommender.add_events([Event(user_id=f"n{u}", item_id=i, type=t, timestamp=t0)
                            for u in range(30) for i, t, t0 in (("s1", "view", 1), ("k1", "dislike", 2))])
    built = CandidateIndex.build(store, settings)
    assert built.model.sim[row["s1"], row["k1"]] == base.model.sim[row["s1"], row["k1"]] == 0
    assert built.model.popularity[row["k1"]] == base.model.popularity[row["k1"]]
    assert built.model.popularity[row["s1"]] == base.model.popularity[row["s1"]] + 30


# -- over HTTP -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def base(tmp_path_factory):
    settings = make_data(tmp_path_factory.mktemp("feedback"))
    settings = settings.model_copy(update={"feedback": FeedbackSettings(rating_threshold=3.5)})  # low ratings: negatives
    with serve(create_app(settings)) as url:
        yield url


def post(base, path, body):
    return httpx.post(base + path, json=body, timeout=30)


def top(base, user: str, exclude_seen: bool = True) -> list[str]:
    r = post(base, "/v1/recommendations", {"user_id": user, "k": 5, "exclude_seen": exclude_seen})
    assert r.status_code == 200, r.text
    return [i["item_id"] for i in r.json()["items"]]


def test_a_dislike_removes_the_item_from_that_persons_next_answer(base):
    first = top(base, "u0")[0]  # u0 saw s1..s4: s5 comes first
    assert first == "s5"
    r = post(base, "/v1/events", {"events": [{"user_id": "u0", "item_id": "s5", "type": "dislike"}]})
    assert r.status_code == 200 and r.json()["accepted"] == 1
    assert "s5" not in top(base, "u0")
    assert "s5" not in top(base, "u0", exclude_seen=False)
    assert "s5" in top(base, "u3")  # only for that person


def test_a_view_then_a_dislike_takes_the_item_out_of_the_profile(base):
    post(base, "/v1/events", {"events": [{"user_id": "fresh", "item_id": "k1", "type": "view", "timestamp": 1}]})
    assert "k1" in top(base, "fresh", exclude_seen=False)
    post(base, "/v1/events", {"events": [{"user_id": "fresh", "item_id": "k1", "type": "dislike", "timestamp": 2}]})
    assert "k1" not in top(base, "fresh", exclude_seen=False)


def test_an_unknown_type_is_a_422_naming_the_known_ones_and_nothing_is_stored(base):
    r = post(base, "/v1/events", {"events": [{"user_id": "w", "item_id": "s1", "type": "view"},
                                             {"user_id": "w", "item_id": "s2", "type": "thumbs_down"}]})
    assert r.status_code == 422
    assert "thumbs_down" in r.text and all(t in r.text for t in ("dislike", "impression", "rating", "view"))
    assert post(base, "/v1/recommendations", {"user_id": "w", "k": 3}).json()["items"][0]["sources"].keys() \
        == {"popularity"}  # cold start: the batch's view was not stored


def test_a_rating_below_the_threshold_over_http(base):
    """One 1-star rating: no profile (the cold-start answer), and never that item; one
    5-star rating: a profile (CF candidates)."""
    post(base, "/v1/events", {"events": [{"user_id": "low", "item_id": "s5", "type": "rating", "value": 1}]})
    r = post(base, "/v1/recommendations", {"user_id": "low", "k": 12, "exclude_seen": False}).json()
    assert "s5" not in [i["item_id"] for i in r["items"]] and len(r["items"]) == 11
    assert all(set(i["sources"]) == {"popularity"} for i in r["items"])
    post(base, "/v1/events", {"events": [{"user_id": "high", "item_id": "s5", "type": "rating", "value": 4.5}]})
    r = post(base, "/v1/recommendations", {"user_id": "high", "k": 3}).json()
    assert "cf" in r["items"][0]["sources"] and r["items"][0]["item_id"].startswith("s")


def test_feedback_types_say_what_each_type_means(base):
    r = httpx.get(base + "/v1/feedback-types", timeout=30)
    assert r.status_code == 200
    body = r.json()
    by = {t["type"]: t for t in body["types"]}
    assert body["unknown"] == "reject"
    assert by["purchase"] == {"type": "purchase", "kind": "positive", "weight": 3.0, "threshold": None,
                              "meaning": by["purchase"]["meaning"]}
    assert by["dislike"]["kind"] == "negative" and by["impression"]["kind"] == "neutral"
    assert by["rating"]["kind"] == "rating" and by["rating"]["threshold"] == 3.5
    assert "/v1/feedback-types" in httpx.get(base + "/schema/openapi.json", timeout=30).json()["paths"]
