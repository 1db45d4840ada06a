"""The adapted reranker over the real pipeline (SQLite, Chroma, wordllama): it learns a
planted pattern, its artifacts round-trip, and a broken artifact falls back loudly."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from service.pipeline import Recommender
from service.rerank.adapted import Timeline, candidate_features, list_artifacts, load_artifact, save_artifact
from service.train.fit_adapted import TrainOptions, train_and_save, train_reranker
from service.settings import FusionWeights, Settings
from service.store import open_store
from service.rerank.base import RerankContext
from service.types import Candidate, CandidateRequest
from tests.integration.planted import PAIRS, planted_catalog, planted_events



# Tests of serving mechanics keep the configured fusion (learn_fusion=False): learning it
# would let the candidate order find b_i too, and nothing would be left to serve.
@pytest.fixture
def planted(tmp_path, embedder):
    # The candidate order is told to trust popularity most, so it puts the rarer b_i
    # low: whatever puts b_i first after a_i has to be learned.
    settings = Settings(data_dir=tmp_path / "data",
                        fusion=FusionWeights(history={"cf": 0.3, "semantic_profile": 0.0, "popularity": 1.0}))
    store = open_store(settings)
    store.upsert_items(planted_catalog())
    store.add_events(planted_events())
    yield settings, store
    store.close()


def _probe(rec: Recommender, history: list[str]):
    req = CandidateRequest(history=history, k=10)
    return rec.candidates(req, 30).candidates


def test_training_learns_the_planted_next_item(planted, embedder):
    settings, store = planted
    # the configured fusion stays, so the candidate order keeps hiding b_i
    trained = train_reranker(settings, store, None, TrainOptions(users=None, pool=30, fit_splits=3, learn_fusion=False))
    ranker = trained.chosen
    assert trained.report.examples["fit1"] > 50
    rec = Recommender(settings, store=store, embedder=embedder)
    rec.build_index()
    timeline = Timeline.build(store, rec.index.space, rec.feedback)
    wins = 0
    for a, b in PAIRS:
        history = ["p1", "p5", "p9", a]
        pool = _probe(rec, history)
        ids = [c.item_id for c in pool]
        assert ids[0] != b  # the candidate order alone does not find it ...
        x = candidate_features(rec.index, history, float("inf"), pool, None, timeline)
        wins += ranker.order(pool, x)[0].item_id == b  # ... the adapted reranker does
    assert wins == len(PAIRS)
    val = trained.report.rows
    assert val["adapted_no_llm"]["validation_ndcg@10"] >= val["candidate order"]["validation_ndcg@10"]


def test_training_learns_fusion_weights_for_this_catalog(planted):
    settings, store = planted
    trained = train_reranker(settings, store, None, TrainOptions(users=None, pool=30, fit_splits=1))
    fusion = trained.report.fusion
    configured = json.dumps(settings.fusion.history, sort_keys=True)
    chosen = json.dumps(fusion["history"], sort_keys=True)
    assert chosen != configured and fusion["grid"][chosen] > fusion["grid"][configured]
    assert trained.chosen.meta["fusion"] == fusion["history"]  # served with the artifact


def test_artifact_round_trips_and_is_served_with_its_version(planted, embedder):
    settings, store = planted
    trained, path = train_and_save(settings, store, None,
                                   TrainOptions(users=None, pool=30, fit_splits=2, learn_fusion=False))
    loaded = load_artifact(path)
    assert loaded.feature_names == trained.chosen.feature_names
    x = np.random.default_rng(0).random((7, len(loaded.feature_names)))
    assert np.allclose(loaded.scores(x), trained.chosen.scores(x))
    listed = list_artifacts(settings.artifacts_dir / "adapted")
    assert [r["version"] for r in listed if r["current"]] == [trained.chosen.version]
    assert listed[0]["snapshot_event_id"] == store.stats().last_event_id

    rec = Recommender(settings, store=store, embedder=embedder)
    rec.build_index()
    out = rec.recommend_full(CandidateRequest(history=["p1", "p5", "a2"], k=5))
    assert out.reranker_version == trained.chosen.version and out.blend == "adapted" and out.reranked
    assert out.items[0].item_id == "b2"
    # use_llm=false asks for no model pass on the request path; the adapted reranker makes none
    plain = rec.recommend_full(CandidateRequest(history=["p1", "p5", "a2"], k=5), use_llm=False)
    assert plain.reranker_version == trained.chosen.version and plain.items[0].item_id == "b2"
    text = rec.recommend_full(CandidateRequest(history=["p1", "p5", "a2"], query="closing part", k=5))
    assert text.ranker != "adapted" and "learned next items" in text.reranker_version


def test_corrupt_or_missing_artifact_falls_back_to_the_candidate_order(planted, embedder, caplog):
    settings, store = planted
    rec = Recommender(settings, store=store, embedder=embedder)
    rec.build_index()
    missing = rec.recommend_full(CandidateRequest(history=["p1", "a1"], k=5))
    assert missing.blend != "adapted" and "no adapted reranker trained" in missing.reranker_version

    trained, path = train_and_save(settings, store, None,
                                   TrainOptions(users=None, pool=30, fit_splits=1, learn_fusion=False))
    (path / "trees.npz").write_bytes(b"not an npz file")
    with caplog.at_level(logging.WARNING):
        rec = Recommender(settings, store=store, embedder=embedder)
        out = rec.recommend_full(CandidateRequest(history=["p1", "a1"], k=5))
    assert out.blend != "adapted"
    assert "unreadable" in out.reranker_version and trained.chosen.version in out.reranker_version
    assert any("unreadable" in r.message and "serving without it" in r.message for r in caplog.records)
    assert [i.item_id for i in out.items]  # still answers


def test_a_running_service_switches_to_a_new_artifact_when_it_is_ready(planted, embedder):
    settings, store = planted
    rec = Recommender(settings, store=store, embedder=embedder)
    rec.build_index()
    before = rec.recommend_full(CandidateRequest(history=["p2", "a3"], k=5))
    assert before.blend != "adapted"
    trained, _ = train_and_save(settings, store, None,
                                TrainOptions(users=None, pool=30, fit_splits=1, learn_fusion=False))
    after = rec.recommend_full(CandidateRequest(history=["p2", "a3"], k=5))
    assert after.reranker_version == trained.chosen.version


@pytest.mark.model
def test_llm_features_are_cached_per_item_and_served(planted, embedder, tmp_path_factory, monkeypatch):
    from service.llm.llamacpp import LlamaCppBackend
    from service.llm.registry import resolve_model
    from service.rerank.adapted import ADAPTED_LLM_FEATURES

    settings, store = planted
    path, model_id = resolve_model("smollm2-135m-instruct-q4_1", tmp_path_factory.mktemp("models"))
    backend = LlamaCppBackend(path, model_id, n_threads=2)
    trained = train_reranker(settings, store, backend,
                             TrainOptions(users=None, pool=30, fit_splits=1, learn_fusion=False))
    assert trained.with_llm is not None and trained.with_llm.feature_names[-len(ADAPTED_LLM_FEATURES):] == ADAPTED_LLM_FEATURES
    assert len(trained.side.cache) == len(planted_catalog())  # every item, computed once
    # the sequence features are an ablation of their own: the unused variant is reported
    assert set(trained.report.rows) - {"with sequence features", "without sequence features"} == \
        {"candidate order", "adapted_no_llm", "adapted"} and len(trained.report.rows) == 4
    save_artifact(trained.with_llm, settings.artifacts_dir / "adapted")  # serve the LLM variant, whatever was chosen
    rec = Recommender(settings, store=store, embedder=embedder, backend=backend)
    rec.build_index()
    calls = []
    for name in ("label_logprobs", "hidden_states", "generate"):
        original = getattr(backend, name)
        monkeypatch.setattr(backend, name, lambda *a, _o=original, _n=name, **kw: (calls.append(_n), _o(*a, **kw))[1])
    out = rec.recommend_full(CandidateRequest(history=["p3", "a4"], k=5))
    assert out.reranker_version == trained.with_llm.version and out.model == model_id
    assert len(out.items) == 5 and calls == []  # no model call on the request path: features come from the cache
    x = rec._adapted_features(RerankContext(None, ["p3", "a4"], {}), [Candidate(item_id="b4", score=1.0)],
                              trained.with_llm)
    assert not np.isnan(x).any()  # the LLM columns were read from the cache the trainer wrote
