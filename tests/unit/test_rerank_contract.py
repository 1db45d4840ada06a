"""Every reranker through the same door (the stage) and the same cases: a permutation of
its input, never an item outside it, the input order on an error or a timeout. Plus the
choice of reranker: never an untrained LLM pass by default."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from service.errors import BackendError
from service.llm.fake import FakeLLM
from service.prompts import load_prompt
from service.rerank.adapted import ADAPTED_BASE_FEATURES, AdaptedModel, AdaptedReranker, save_artifact
from service.rerank.base import Fallback, IdentityReranker, RerankContext
from service.rerank.blend import Blend
from service.rerank.listwise import LetterLogitReranker
from service.rerank.blend_reranker import BlendReranker
from service.rerank.choice import RerankerSet, blend_path
from service.rerank.stage import RerankStage
from service.settings import LLMSettings, Settings
from service.types import Candidate, Item

PROMPT = load_prompt("rank_listwise")


def catalog(n):
    items = {f"i{j}": Item(item_id=f"i{j}", title=f"Title {j}") for j in range(n)}
    cands = [Candidate(item_id=f"i{j}", score=1.0 / (j + 1), sources={"cf": 1.0 / (j + 1)}) for j in range(n)]
    return items, cands


def reverse_scorer(prompt, labels):  # prefers the last label shown: a real change of order
    return {lab: float(i) for i, lab in enumerate(labels)}


def fitted_classifier():
    from service.rerank.trees import TreeEnsemble
    from service.train.fit_adapted import make_classifier

    rng = np.random.default_rng(0)
    x = rng.random((200, len(ADAPTED_BASE_FEATURES)))
    return TreeEnsemble.from_sklearn(make_classifier().fit(x, (x[:, 1] > 0.5).astype(int)))


def random_features(context, pool, ranker):
    return np.random.default_rng(len(pool)).random((len(pool), len(ranker.feature_names)))


def make(kind: str, broken: str | None = None, release: threading.Event | None = None):
    """(reranker, the model it calls or None). broken: None, 'error' or 'slow'; a slow
    part blocks until the test sets `release`, so it outlasts any budget however loaded
    the machine is (the test sets it once the stage has answered, freeing the worker)."""
    def scorer(prompt, labels):
        if broken == "error":
            raise BackendError("the model fell over")
        if broken == "slow":
            release.wait(timeout=30)
        return reverse_scorer(prompt, labels)

    def features(context, pool, ranker):
        if broken == "error":
            raise RuntimeError("a feature bug")
        if broken == "slow":
            release.wait(timeout=30)
        return random_features(context, pool, ranker)

    fake = FakeLLM(scorer=scorer)
    if kind == "identity":
        return IdentityReranker(), None
    if kind == "llm":
        return LetterLogitReranker(fake, PROMPT), fake
    if kind == "blend_llm":
        return BlendReranker(Blend([0.1, 0, 0, 0, 0, 1.0], 0.0, meta={"kind": "logistic"}),
                             LetterLogitReranker(fake, PROMPT)), fake
    if kind == "blend_no_llm":
        return BlendReranker(Blend([0.0, 0, 0, 0, -1.0, 0.0], 0.0, meta={"kind": "logistic"}), None), None
    if kind == "adapted":
        ranker = AdaptedModel(fitted_classifier(), list(ADAPTED_BASE_FEATURES), meta={"version": "adapted-test", "pool": 100})
        return AdaptedReranker(ranker, features), None
    raise ValueError(kind)


KINDS = ["identity", "llm", "blend_llm", "blend_no_llm", "adapted"]


def stage(tmp_path, **llm) -> RerankStage:
    return RerankStage(Settings(data_dir=tmp_path, llm=LLMSettings(**llm)), model_id="fake")


def context(items):
    return RerankContext(user_id="u", history=["i3", "i3"], items=items,
                         popularity={i: 1.0 / (n + 1) for n, i in enumerate(items)})


@pytest.mark.parametrize("kind", KINDS)
def test_output_is_a_permutation_of_the_input(tmp_path, kind):
    items, cands = catalog(25)
    reranker, _ = make(kind)
    res = stage(tmp_path).run(reranker, context(items), cands)
    ids = [c.item_id for c in res.candidates]
    assert sorted(ids) == sorted(c.item_id for c in cands) and len(ids) == len(set(ids))
    assert res.reranked == (kind != "identity")
    if kind != "identity":
        assert ids != [c.item_id for c in cands]  # each of these really reorders


@pytest.mark.parametrize("kind", ["llm", "blend_llm", "adapted"])  # the ones with a part that can fail
@pytest.mark.parametrize("broken,expected", [("error", Fallback.ERROR), ("slow", Fallback.TIMEOUT)])
def test_failure_gives_the_input_order_and_says_why(tmp_path, kind, broken, expected):
    items, cands = catalog(12)
    release = threading.Event()
    reranker, _ = make(kind, broken, release)
    try:
        # a broken reranker fails at once: a budget it cannot reach on a busy machine, so an
        # error is never mistaken for a timeout; a slow one waits on `release` past 100 ms
        budget = 100 if broken == "slow" else 30_000
        res = stage(tmp_path, budget_ms=budget, queue_timeout_ms=budget).run(reranker, context(items), cands)
    finally:
        release.set()
    assert [c.item_id for c in res.candidates] == [c.item_id for c in cands]
    assert not res.reranked and res.fallback is expected and res.fallback_reason


def test_a_reranker_that_invents_or_drops_items_is_replaced_by_the_input_order(tmp_path):
    items, cands = catalog(5)

    class Liar:
        name, needs_model, depth, version = "liar", False, 5, "liar"

        def rerank(self, context, candidates, budget_s=None):
            from service.rerank.base import RerankResult
            return RerankResult([Candidate(item_id="nope", score=1.0)] + candidates[1:], reranked=True)

    res = stage(tmp_path).run(Liar(), context(items), cands)
    assert [c.item_id for c in res.candidates] == [c.item_id for c in cands] and not res.reranked


def test_model_queue_bound_answers_overloaded_without_calling_the_model(tmp_path):
    items, cands = catalog(5)
    reranker, fake = make("llm")
    res = stage(tmp_path, max_queue=0).run(reranker, context(items), cands)
    assert res.fallback is Fallback.OVERLOADED and res.overloaded and fake.calls == []


# -- which reranker answers ---------------------------------------------------------------
def no_features(context, pool, ranker):
    raise AssertionError("not called in these tests")


def test_untrained_service_serves_the_candidate_order_without_an_llm_pass(tmp_path):
    fake = FakeLLM(scorer=reverse_scorer)
    rs = RerankerSet(Settings(data_dir=tmp_path), fake, no_features)
    for is_text in (False, True):
        choice = rs.choose(is_text=is_text, use_llm=True)
        assert choice.reranker.name == "identity" and not choice.reranker.needs_model
        items, cands = catalog(6)
        res = stage(tmp_path).run(choice.reranker, context(items), cands)
        assert res.fallback is Fallback.NOT_TRAINED and "candidate order" in res.fallback_reason
    assert fake.calls == []


def test_zero_shot_is_an_explicit_setting(tmp_path):
    rs = RerankerSet(Settings(data_dir=tmp_path, llm=LLMSettings(zero_shot=True)), FakeLLM(), no_features)
    choice = rs.choose(is_text=False, use_llm=True)
    assert choice.reranker.needs_model and choice.reranker.version == "blend:prior"


def test_no_model_and_not_requested_say_so(tmp_path):
    assert RerankerSet(Settings(data_dir=tmp_path), None, no_features).choose(False, True).reranker.kind \
        is Fallback.NO_MODEL
    assert RerankerSet(Settings(data_dir=tmp_path), None, no_features).choose(False, False).reranker.kind \
        is Fallback.NOT_REQUESTED
    assert RerankerSet(Settings(data_dir=tmp_path), FakeLLM(), no_features).choose(False, False).reranker.kind \
        is Fallback.NOT_REQUESTED


def test_a_fitted_blend_is_picked_up_and_calls_the_model_only_with_llm_weight(tmp_path):
    s = Settings(data_dir=tmp_path)
    fake = FakeLLM(scorer=reverse_scorer)
    rs = RerankerSet(s, fake, no_features)
    path = blend_path(s, fake.model_id, rs.prompt)
    Blend([1.0, 0.5, 0, 0, 0.2, 0.0], 0.0, meta={"kind": "logistic"}).save(path)
    choice = rs.choose(is_text=False, use_llm=True)
    assert choice.reranker.name == "blend" and not choice.reranker.needs_model
    Blend([1.0, 0.5, 0, 0, 0.2, 0.7], 0.0, meta={"kind": "logistic"}).save(path)
    import os
    os.utime(path, (time.time() + 5, time.time() + 5))  # a new mtime, as a rewrite by the trainer has
    choice = rs.choose(is_text=False, use_llm=True)
    assert choice.reranker.needs_model
    assert rs.choose(is_text=False, use_llm=False).reranker.kind is Fallback.NOT_REQUESTED


def test_the_adapted_reranker_answers_history_requests_not_text(tmp_path):
    s = Settings(data_dir=tmp_path)
    rs = RerankerSet(s, None, no_features)
    save_artifact(AdaptedModel(fitted_classifier(), list(ADAPTED_BASE_FEATURES), meta={"version": "adapted-x", "pool": 50}),
                  s.artifacts_dir / "adapted")
    history = rs.choose(is_text=False, use_llm=False)
    assert history.reranker.name == "adapted" and history.reranker.version == "adapted-x"
    assert history.reranker.depth == 50 and not history.reranker.needs_model
    text = rs.choose(is_text=True, use_llm=True)
    assert text.reranker.name == "identity" and "learned next items" in text.note
