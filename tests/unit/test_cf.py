"""Known-answer tests of the item-item model and the filters."""

import numpy as np

from service.candidates.cf import ItemItemModel
from service.candidates.space import ItemSpace
from service.settings import CFSettings
from service.types import CandidateRequest, Filters, Item, Range


def test_block_structure_neighbours_and_next_item():
    # Items 0-3 form one block, 4-7 another; within a block users go 0->1->2->3.
    seqs = [[0, 1, 2, 3]] * 5 + [[4, 5, 6, 7]] * 5 + [[1, 2]] * 3
    m = ItemItemModel.build(8, seqs, CFSettings())
    s = m.score([1])
    assert set(np.argsort(-s)[:3]) == {0, 2, 3}  # same block only
    assert np.all(s[4:] == 0)
    assert int(np.argmax(s)) == 2  # 2 follows 1 most often


def test_recent_items_weigh_more():
    seqs = [[0, 1]] * 4 + [[2, 3]] * 4
    m = ItemItemModel.build(4, seqs, CFSettings(half_life=1.0))
    s = m.score([0, 2])  # 2 is the latest
    assert s[3] > s[1] > 0


def test_weights_count_in_popularity_and_similarity_and_keep_it_a_cosine():
    """Users who bought 2 with 1 make 2 the nearer neighbour of 1 than 3, which others
    only viewed with 1; similarity stays in [0, 1]; unit weights change nothing."""
    seqs = [[0, 1, 2], [0, 1, 3], [1, 2], [1, 3], [1, 1]]
    ones = [[1.0] * len(q) for q in seqs]
    plain = ItemItemModel.build(4, seqs, CFSettings())
    same = ItemItemModel.build(4, seqs, CFSettings(), ones)
    assert np.allclose(plain.sim.toarray(), same.sim.toarray()) and np.allclose(plain.popularity, same.popularity)
    weighted = ItemItemModel.build(4, seqs, CFSettings(), [[1, 1, 3], [1, 1, 1], [1, 3], [1, 1], [1, 3]])
    assert weighted.popularity.tolist() == [2, 7, 6, 2]  # a user's weight for an item: their largest
    assert plain.sim[1, 2] == plain.sim[1, 3] and weighted.sim[1, 2] > weighted.sim[1, 3]
    assert weighted.sim.max() <= 1.0 + 1e-6


def test_save_and_load_round_trip(tmp_path):
    m = ItemItemModel.build(4, [[0, 1, 2], [1, 2, 3]], CFSettings())
    m.save(tmp_path / "cf.npz")
    m2 = ItemItemModel.load(tmp_path / "cf.npz", CFSettings())
    assert np.allclose(m.score([0, 1]), m2.score([0, 1]))


def test_filters_include_exclude_ranges_and_seen():
    space = ItemSpace([
        Item(item_id="a", title="A", attributes={"genres": ["Comedy", "Animation"], "year": 1995}),
        Item(item_id="b", title="B", attributes={"genres": ["Horror"], "year": 2001}),
        Item(item_id="c", title="C", attributes={"genres": ["Comedy"], "year": 2010}),
        Item(item_id="d", title="D", attributes={}),
    ])
    f = Filters(include={"genres": ["comedy"]}, exclude={"genres": ["Animation"]})
    assert space.filter_mask(f).tolist() == [False, False, True, False]
    f = Filters(ranges={"year": Range(gte=1990, lte=2005)})
    assert space.filter_mask(f).tolist() == [True, True, False, False]
    req = CandidateRequest(history=["a"], exclude_items=["c"])
    assert space.allowed(req).tolist() == [False, True, False, True]
    space.kill("d")
    assert space.allowed(CandidateRequest()).tolist() == [True, True, True, False]


def test_cached_filter_masks_follow_deletes_and_updates():
    space = ItemSpace([Item(item_id="a", title="A", attributes={"genres": ["Comedy"]}),
                       Item(item_id="b", title="B", attributes={"genres": ["Comedy"]})])
    f = Filters(include={"genres": ["Comedy"]})
    assert space.filter_mask(f).tolist() == [True, True]
    space.kill("a")
    assert space.filter_mask(f).tolist() == [False, True]
    space.update(Item(item_id="b", title="B", attributes={"genres": ["Drama"]}))
    assert space.filter_mask(f).tolist() == [False, False]
    space.extend([Item(item_id="c", title="C", attributes={"genres": ["Comedy"]})])
    assert space.filter_mask(f).tolist() == [False, False, True]
    m = space.filter_mask(f)
    m[:] = True  # callers get a copy; the cache is untouched
    assert space.filter_mask(f).tolist() == [False, False, True]
