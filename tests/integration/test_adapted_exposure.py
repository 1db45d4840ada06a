"""The adapted reranker learns from what the service showed (real SQLite store, Chroma,
wordllama, the real trainer): on a planted catalog where the items a person was shown and
passed over are popular with everyone else but never taken by that person, the exposure
variant beats the ranker without it on validation, is kept, and serves fewer of them;
without exposures it is not tried."""

from __future__ import annotations

import random

import pytest

from service.pipeline import Recommender
from service.rerank.adapted import ADAPTED_EXPOSURE_FEATURES
from service.settings import FusionWeights, Settings
from service.store import Exposure, open_store
from service.train.fit_adapted import TrainOptions, train_and_save, train_reranker
from service.types import CandidateRequest, Event, Item

DECOYS = [f"d{i}" for i in range(10)]
FILLER = [f"f{i}" for i in range(30)]
OPTS = TrainOptions(users=None, pool=30, fit_splits=2, learn_fusion=False)


def planted(users: int = 300, seed: int = 3) -> tuple[list[Item], list[Event], dict[str, list[str]]]:
    """Each person was shown four decoys (popular: everybody else takes them) on a first
    page and took none of them; then they take three other decoys and five fillers."""
    rng = random.Random(seed)
    items = [Item(item_id=i, title=f"Film {i}", attributes={"genres": ["Drama"]}) for i in DECOYS + FILLER]
    events, shown = [], {}
    for u in range(users):
        user = f"u{u}"
        shown[user] = rng.sample(DECOYS, 4)
        taken = rng.sample([d for d in DECOYS if d not in shown[user]], 3) + rng.sample(FILLER, 5)
        rng.shuffle(taken)
        events += [Event(user_id=user, item_id=i, type="view", timestamp=1000.0 * u + 1 + t)
                   for t, i in enumerate(taken)]
    return items, events, shown


@pytest.fixture
def catalog(tmp_path):
    # the candidate order trusts popularity most, so the shown decoys sit at its top
    settings = Settings(data_dir=tmp_path / "data",
                        fusion=FusionWeights(history={"cf": 0.3, "semantic_profile": 0.0, "popularity": 1.0}))
    store = open_store(settings)
    items, events, shown = planted()
    store.upsert_items(items)
    store.add_events(events)
    yield settings, store, shown
    store.close()


def record_pages(store, shown: dict[str, list[str]]) -> None:
    for n, (user, ids) in enumerate(shown.items()):
        store.add_exposures([Exposure(user, i, 1000.0 * n, f"{n:016x}", 1) for i in ids], keep=1000)


def test_shown_and_passed_over_items_are_learned_and_served_less(catalog, embedder):
    settings, store, shown = catalog
    record_pages(store, shown)
    trained, _ = train_and_save(settings, store, None, OPTS)
    rep = trained.report
    assert rep.exposure["kept"], rep.exposure
    assert rep.exposure["confidence"] >= 0.95 and rep.exposure["with_exposure"] > rep.exposure["without_exposure"]
    assert set(ADAPTED_EXPOSURE_FEATURES) <= set(trained.chosen.feature_names)
    assert rep.rows["without exposure"]["validation_ndcg@10"] < rep.rows["adapted_no_llm"]["validation_ndcg@10"]

    # served: the artifact reads the person's exposures from the store at request time
    rec = Recommender(settings, store=store, embedder=embedder)
    rec.build_index()
    users = list(shown)[:60]
    served = {u: rec.recommend_full(CandidateRequest(user_id=u, k=3)) for u in users}
    assert {a.reranker_version for a in served.values()} == {trained.chosen.version}
    served_shown = sum(len({i.item_id for i in a.items} & set(shown[u])) for u, a in served.items())
    fused_shown = sum(len({c.item_id for c in rec.candidates(CandidateRequest(user_id=u, k=3), 30).candidates[:3]}
                          & set(shown[u])) for u in users)
    assert served_shown < fused_shown / 2, (served_shown, fused_shown)


def test_without_exposures_the_exposure_variant_is_not_tried(catalog):
    settings, store, _shown = catalog
    rep = train_reranker(settings, store, None, OPTS).report
    assert rep.exposure["kept"] is False and rep.exposure["fit_groups_with_exposure"] == 0
    assert "not tried" in rep.exposure["why"]
    assert "with exposure" not in rep.rows and "without exposure" not in rep.rows
