"""Every candidate source passes the same contract, against real SQLite + Chroma."""

import pytest

from service.types import CandidateRequest, Filters

SOURCES = ["cf", "semantic_profile", "semantic_query", "popularity", "sknn"]


def _request(**kw):
    base = dict(user_id="u0", history=["s1", "s2", "s3"], query="alien spaceship in a galaxy")
    base.update(kw)
    return CandidateRequest(**base)


@pytest.mark.parametrize("name", SOURCES)
def test_contract_shape_order_and_provenance(recommender, name):
    out = recommender.sources[name].candidates(_request(), 5)
    assert 0 < len(out) <= 5
    assert len({c.item_id for c in out}) == len(out)
    assert all(c.sources.get(name) is not None for c in out)
    scores = [c.score for c in out]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("name", SOURCES)
def test_contract_never_returns_seen_excluded_or_filtered(recommender, name):
    req = _request(exclude_items=["s4"], filters=Filters(exclude={"genres": ["children"]}))
    out = recommender.sources[name].candidates(req, 20)
    ids = {c.item_id for c in out}
    assert not ids & {"s1", "s2", "s3", "s4"}
    assert not any(i.startswith("k") for i in ids)
    req = _request(filters=Filters(include={"genres": ["Animation"]}), history=["k1"], query="funny cartoon")
    assert all(c.item_id.startswith("k") and c.item_id != "k1"
               for c in recommender.sources[name].candidates(req, 20))


@pytest.mark.parametrize("name", SOURCES)
def test_contract_deleted_items_disappear(recommender, name):
    before = {c.item_id for c in recommender.sources[name].candidates(_request(), 20)}
    victim = sorted(before)[0]
    recommender.delete_item(victim)
    after = {c.item_id for c in recommender.sources[name].candidates(_request(), 20)}
    assert victim not in after


def test_known_answers(recommender):
    cf = recommender.sources["cf"].candidates(_request(history=["s1", "s2", "s3"]), 3)
    assert cf[0].item_id == "s4"  # the next item in every sci-fi user's sequence
    assert all(c.item_id.startswith("s") for c in cf)
    sem = recommender.sources["semantic_query"].candidates(_request(query="funny animated cartoon for kids", history=[]), 3)
    assert all(c.item_id.startswith("k") for c in sem)
    prof = recommender.sources["semantic_profile"].candidates(_request(history=["k1", "k3"]), 3)
    assert all(c.item_id.startswith("k") for c in prof)
