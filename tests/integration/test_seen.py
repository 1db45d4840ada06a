"""Answers leave out everything the person has had an event with, not only the items in
the profile's window (`cf.history`): a person with a long history is not offered again
what they rated years ago."""

from __future__ import annotations

import pytest

from service.settings import CFSettings
from service.types import CandidateRequest, Event
from tests.conftest import catalog

ALL = [it.item_id for it in catalog()]
OLD = ["s1", "s2", "s3", "s4"]  # u0's first four events (tests/conftest.py block_events)


@pytest.fixture
def settings(settings):
    """A profile window of 4 events (cf.history 1, read 4 deep)."""
    return settings.model_copy(update={"cf": CFSettings(history=1)})


def answer(rec, user: str) -> set[str]:
    return {r.item_id for r in rec.recommend(CandidateRequest(user_id=user, k=len(ALL)))}


def later_events(rec) -> None:
    rec.add_events([Event(user_id="u0", item_id=k, type="view", timestamp=5000 + t)
                    for t, k in enumerate(["k1", "k2", "k3", "k4"])])


def test_items_seen_before_the_profiles_window_never_come_back(recommender):
    later_events(recommender)
    assert set(recommender.history("u0")).isdisjoint(OLD)  # out of the window...
    got = answer(recommender, "u0")
    assert got and got.isdisjoint(OLD) and got.isdisjoint({"k1", "k2", "k3", "k4"})  # ...and still seen


def test_without_the_seen_list_they_would(recommender):
    """The ablation: with `cf.seen_limit` 0 only the window is left out, and old items return."""
    recommender.settings.cf.seen_limit = 0
    later_events(recommender)
    assert answer(recommender, "u0") & set(OLD)


def test_a_counted_default_for_unknown_types_still_leaves_seen_items_out(recommender):
    """With `feedback.unknown` a counted type, every stored type counts (no type list):
    the seen list then covers every type instead of failing."""
    recommender.settings.feedback.unknown = "view"
    assert recommender.feedback.counted_types() is None
    later_events(recommender)
    got = answer(recommender, "u0")
    assert got and got.isdisjoint(OLD) and got.isdisjoint({"k1", "k2", "k3", "k4"})
