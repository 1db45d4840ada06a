"""The wired pipeline over real components: fusion, cold start, new events, deletion,
persistence."""

import numpy as np

from service.pipeline import Recommender
from service.types import CandidateRequest, Event, Filters, Item, Range
from tests.conftest import block_events, catalog


def test_user_history_drives_recommendations(recommender):
    out = recommender.recommend(CandidateRequest(user_id="u0", k=3))  # u0 saw s1..s4
    assert out[0].item_id == "s5"
    assert [r.rank for r in out] == [1, 2, 3]
    assert all(r.item_id not in {"s1", "s2", "s3", "s4"} for r in out)
    assert "cf" in out[0].sources


def test_text_request_for_cold_start_user(recommender):
    out = recommender.recommend(CandidateRequest(user_id="nobody", query="animated cartoon for children", k=4))
    assert [r.item_id[0] for r in out] == ["k"] * 4


def test_no_history_no_text_falls_back_to_popularity(recommender):
    out = recommender.recommend(CandidateRequest(user_id="nobody", k=5))
    assert len(out) == 5 and all("popularity" in r.sources for r in out)


def test_filters_apply_to_the_fused_list(recommender):
    req = CandidateRequest(user_id="u0", k=10, filters=Filters(ranges={"year": Range(gte=2000)}))
    out = recommender.recommend(req)
    assert out and all(r.attributes["year"] >= 2000 for r in out)


def test_new_event_changes_next_answer_without_rebuild(recommender):
    before = recommender.recommend(CandidateRequest(user_id="u0", k=3))
    recommender.add_events([Event(user_id="u0", item_id="k1", timestamp=9999),
                            Event(user_id="u0", item_id="k2", timestamp=10000)])
    after = recommender.recommend(CandidateRequest(user_id="u0", k=3))
    assert [r.item_id for r in after] != [r.item_id for r in before]
    assert after[0].item_id == "k3"  # what follows k2 for kids users


def test_new_item_is_searchable_at_once(recommender):
    recommender.add_items([Item(item_id="new", title="Dinosaur Cartoon",
                                text="A funny animated dinosaur cartoon for kids.", attributes={"genres": ["Animation"]})])
    out = recommender.recommend(CandidateRequest(query="funny dinosaur cartoon", k=3))
    assert "new" in [r.item_id for r in out]


def test_forget_user_removes_their_trace(recommender):
    assert recommender.delete_user("u0") > 0
    assert recommender.history("u0") == []
    out = recommender.recommend(CandidateRequest(user_id="u0", k=3))
    assert all("cf" not in r.sources for r in out)


def test_similar_items(recommender):
    out = recommender.similar("s2", k=3)
    assert out[0].item_id in {"s1", "s3"} and all(r.item_id.startswith("s") for r in out)


def test_index_is_saved_and_reloaded(recommender, settings, store, embedder):
    again = Recommender(settings, store=store, embedder=embedder)
    assert again.index.built_from == recommender.index.built_from
    assert [r.item_id for r in again.recommend(CandidateRequest(user_id="u1", k=3))] == \
           [r.item_id for r in recommender.recommend(CandidateRequest(user_id="u1", k=3))]


def test_items_added_while_requests_run_never_break_a_request(recommender):
    """The soak found it: an upsert grew the item space before the CF matrices, and a
    request in between failed (shapes n vs n-1). The index is now swapped whole."""
    import threading

    from service.types import CandidateRequest, Item

    errors, stop = [], threading.Event()

    def ask():
        while not stop.is_set():
            try:
                recommender.recommend_full(CandidateRequest(user_id="u1", k=5), use_llm=False)
                recommender.recommend_full(CandidateRequest(query="space", k=5), use_llm=False)
            except Exception as e:  # noqa: BLE001 - any error is the failure
                errors.append(e)

    readers = [threading.Thread(target=ask) for _ in range(3)]
    for t in readers:
        t.start()
    for n in range(60):
        recommender.add_items([Item(item_id=f"new{n}", title=f"New Film {n}", attributes={"genres": ["Drama"]})])
    stop.set()
    for t in readers:
        t.join()
    assert errors == []
    assert "new59" in recommender.index.space.index


def test_profile_vectors_are_read_from_chroma_once_and_follow_item_writes(recommender):
    from service.types import Item

    vectors = recommender.vectors
    vectors.forget()  # the build's writes filled the cache
    real_get, calls = vectors.collection.get, []
    vectors.collection.get = lambda **kw: calls.append(kw.get("ids")) or real_get(**kw)
    try:
        first = vectors.vectors(["s1", "s2"])
        again = vectors.vectors(["s2", "s1", "s3"])
        assert calls == [["s1", "s2"], ["s3"]]  # cached ones are not asked for again
        assert np.array_equal(first["s1"], again["s1"])
        recommender.add_items([Item(item_id="s1", title="Cooking Show", text="Recipes for cakes and bread.")])
        changed = vectors.vectors(["s1"])  # what the write embedded, not the old vector
        assert len(calls) == 2 and not np.allclose(changed["s1"], first["s1"])
        vectors.forget()
        vectors.vectors(["s2"])
        assert calls[-1] == ["s2"]
    finally:
        vectors.collection.get = real_get


def test_the_in_process_profile_search_answers_as_chroma_does_without_asking_it(recommender):
    from service.candidates.sources import ChromaSemantic

    exact = recommender.sources["semantic_profile"]
    assert exact.matrix is not None and exact.matrix.shape == (12, recommender.embedder.dim)
    via_chroma = ChromaSemantic(recommender.index.space, recommender.vectors, "profile")
    queries = []
    real_query = recommender.vectors.collection.query
    recommender.vectors.collection.query = lambda **kw: queries.append(kw) or real_query(**kw)
    try:
        for history, filters in ((["s1", "s2"], Filters()), (["k1"], Filters()), (["s3"], Filters(exclude={"genres": ["Sci-Fi"]}))):
            req = CandidateRequest(history=history, k=5, filters=filters)
            mine = exact.candidates(req, 5)
            assert not queries
            theirs = via_chroma.candidates(req, 5)
            assert [c.item_id for c in mine] == [c.item_id for c in theirs]
            assert np.allclose([c.score for c in mine], [c.score for c in theirs], atol=1e-4)
            queries.clear()
    finally:
        recommender.vectors.collection.query = real_query


def test_large_catalogs_ask_chroma_for_profiles(settings, store, embedder):
    store.upsert_items(catalog())
    store.add_events(block_events())
    rec = Recommender(settings.model_copy(update={"exact_profile_max_items": 5}), store=store, embedder=embedder)
    rec.build_index()
    assert rec.index.vectors is None and rec.sources["semantic_profile"].matrix is None
    assert rec.recommend(CandidateRequest(user_id="u0", k=3))[0].item_id == "s5"


def test_an_api_process_follows_published_snapshots_and_says_when_it_cannot(settings, store, embedder, tmp_path):
    import pytest

    from service.candidates import snapshots

    store.upsert_items(catalog())
    store.add_events(block_events())
    builder = Recommender(settings, store=store, embedder=embedder)
    builder.build_index()
    api = Recommender(settings.model_copy(update={"role": "api"}), store=store, embedder=embedder)
    assert api.index.version == snapshots.current_version(store) == 1
    store.add_events([Event(user_id="late", item_id="s1", timestamp=9000)])
    builder.build_index()
    assert api.follower.check() is True and api.index.version == 2 and api.pending_events() == 0
    assert api.follower.check() is False  # nothing newer
    elsewhere = Recommender(settings.model_copy(update={"role": "api", "shared_dir": tmp_path / "other"}),
                            store=store, embedder=embedder)
    assert elsewhere.index.version == 0  # built its own: the published folder is not there
    with pytest.raises(FileNotFoundError, match="RECS_SHARED_DIR"):
        elsewhere.follower.check()
