"""Prompt/parse/blend/fallback logic of the reranker, with the scripted fake LLM."""

import re

import numpy as np

from service.errors import BackendError
from service.llm.fake import FakeLLM
from service.prompts import load_prompt
from service.rerank.blend import Blend, choose_blend, choose_serving_blend, features, fit_blend
from service.rerank.listwise import LetterLogitReranker, candidate_orders, describe
from service.rerank.base import RerankContext
from service.types import Candidate, Item

PROMPT = load_prompt("rank_listwise")


def catalog(n):
    items = {f"i{j}": Item(item_id=f"i{j}", title=f"Title {j}", attributes={"genres": ["G"]}) for j in range(n)}
    cands = [Candidate(item_id=f"i{j}", score=1.0 / (j + 1), sources={"cf": 1.0 / (j + 1)}) for j in range(n)]
    return items, cands


def ctx(items, history=()):
    """A request context whose history is these items (oldest first)."""
    items = {**items, **{h.item_id: h for h in history}}
    return RerankContext(user_id=None, history=[h.item_id for h in history], items=items)


def label_of(prompt: str, title: str) -> str:
    return re.search(rf"^([A-T])\. {re.escape(title)}$", prompt, re.M).group(1)


def prefers(title: str):
    """A fake model that puts all its mass on the label shown next to `title`."""
    def scorer(prompt, labels):
        want = label_of(prompt, title)
        return {lab: (0.0 if lab == want else -10.0) for lab in labels}
    return scorer


def test_model_choice_goes_first_and_output_is_a_permutation():
    items, cands = catalog(25)  # more candidates than labels
    fake = FakeLLM(scorer=prefers("Title 7"))
    rr = LetterLogitReranker(fake, PROMPT)
    hist = [Item(item_id="h1", title="Old one"), Item(item_id="h2", title="New one")]
    out = rr.rerank(ctx(items, hist), cands)
    ids = [c.item_id for c in out.candidates]
    assert out.reranked and ids[0] == "i7"
    assert sorted(ids) == sorted(c.item_id for c in cands)
    assert ids[20:] == [f"i{j}" for j in range(20, 25)]  # unscored tail keeps its order
    prompt = fake.calls[0][1]
    assert prompt.index("Old one") < prompt.index("New one")  # history oldest first
    assert "T. Title 19" in prompt and "Title 20" not in prompt


def test_calibration_removes_a_pure_position_bias():
    items, cands = catalog(5)
    biased = FakeLLM(scorer=lambda p, labels: {lab: -float(i) for i, lab in enumerate(labels)})
    assert [c.item_id for c in LetterLogitReranker(biased, PROMPT).rerank(ctx(items), cands).candidates][0] == "i0"
    rr = LetterLogitReranker(biased, PROMPT, calibration=[-float(i) for i in range(20)])
    out = rr.rerank(ctx(items), cands)
    assert set(out.llm_scores.values()) == {0.0}  # nothing left but ties
    assert [c.item_id for c in out.candidates] == [c.item_id for c in cands]


def test_order_averaging_cancels_position_bias_but_keeps_content():
    assert candidate_orders(4, 2, 0) == [[0, 1, 2, 3], [3, 2, 1, 0]]
    assert sorted(candidate_orders(5, 3, 1)[2]) == list(range(5))
    items, cands = catalog(6)

    def scorer(prompt, labels):  # position bias plus a real preference for Title 4
        want = label_of(prompt, "Title 4")
        return {lab: -float(i) + (5.0 if lab == want else 0.0) for i, lab in enumerate(labels)}

    fake = FakeLLM(scorer=scorer)
    out = LetterLogitReranker(fake, PROMPT, orders=2).rerank(ctx(items), cands)
    assert len(fake.calls) == 2 and out.candidates[0].item_id == "i4"
    rest = [out.llm_scores[f"i{j}"] for j in (0, 1, 2, 3, 5)]
    assert max(rest) - min(rest) < 1e-9  # the position bias averaged out


def test_llm_error_falls_back_to_candidate_order():
    items, cands = catalog(4)
    fake = FakeLLM()
    fake.scores.append(BackendError("boom"))
    out = LetterLogitReranker(fake, PROMPT).rerank(ctx(items), cands)
    assert not out.reranked and "boom" in out.fallback_reason
    assert [c.item_id for c in out.candidates] == [c.item_id for c in cands]


def test_describe_is_short_and_cut_at_a_word():
    it = Item(item_id="x", title="A Very Long Title That Goes On And On (1999)", attributes={"genres": ["Drama", "War"]})
    assert describe(it, 20) == "A Very Long Title"
    assert describe(it, 200, attributes=True).endswith("| Drama, War")


# -- blend --------------------------------------------------------------------------
def groups_where(target_fn, n_groups=60, n=10, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_groups):
        items, cands = catalog(n)
        llm = {c.item_id: float(rng.normal()) for c in cands}
        x = features(cands, {c.item_id: 0.5 for c in cands}, llm)
        out.append((x, target_fn(x, rng)))
    return out


def test_blend_learns_a_useful_llm_signal():
    groups = groups_where(lambda x, rng: int(np.argmax(x[:, -1])))
    blend = choose_blend(groups)
    assert blend.meta["kind"] == "logistic" and blend.llm_weight > 0
    assert blend.meta["validation_ndcg@10"] > blend.meta["identity_ndcg@10"]


def test_blend_never_keeps_a_fit_worse_than_the_candidate_order():
    groups = groups_where(lambda x, rng: 0)  # the candidate order is already perfect
    blend = choose_blend(groups)
    assert blend.meta["validation_ndcg@10"] >= blend.meta["identity_ndcg@10"]
    no_llm = fit_blend(groups, use_llm=False)
    assert no_llm.llm_weight == 0.0


def test_serving_blend_drops_an_llm_that_only_adds_noise():
    # The held-out item is always the most popular candidate; the LLM column is noise.
    def target(x, rng):
        return int(np.argmax(x[:, 4]))

    rng = np.random.default_rng(1)
    groups = []
    for g in groups_where(lambda x, r: 0, n_groups=90):
        x = g[0].copy()
        x[:, 4] = rng.random(len(x))
        groups.append((x, target(x, rng)))
    served, ablation = choose_serving_blend(groups)
    assert served.llm_weight == 0.0 and served.meta["kind"] == "logistic"
    assert served.meta["ablation_no_llm_ndcg@10"] >= served.meta["with_llm_ndcg@10"]
    assert served.meta["validation_ndcg@10"] > served.meta["identity_ndcg@10"]


def test_serving_blend_keeps_a_useful_llm():
    served, _ = choose_serving_blend(groups_where(lambda x, rng: int(np.argmax(x[:, -1]))))
    assert served.llm_weight > 0


def test_blend_round_trip(tmp_path):
    b = Blend([1.0, 0, 0, 0, 0, 0.5], 0.1, meta={"kind": "logistic", "calibration": [0.0] * 20})
    b.save(tmp_path / "b.json")
    again = Blend.load(tmp_path / "b.json")
    assert again.weights == b.weights and again.meta == b.meta
