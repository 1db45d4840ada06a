"""Text requests against item vectors: centring on the catalog's mean, and the score sum
that orders a text request's matches."""

import numpy as np

from service.candidates.fusion import rrf, score_sum
from service.candidates.text_match import TextMatcher
from service.types import Candidate


def _unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_centring_lets_the_distinguishing_direction_decide():
    # every item shares a strong 'template' direction (x); two differ along y or z
    items = np.stack([_unit([3, 1, 0, 0]),    # about y
                      _unit([3, 0, 1, 0]),    # about z
                      _unit([1, 0, 0, 0])])   # the template alone
    query = _unit([1.0, 0.15, 0, 0])  # mostly the template, and a little 'y'
    raw = items @ query
    centred = TextMatcher(items, center=True).scores(query)
    assert np.argmax(raw) == 2           # raw cosine: the item that is all template wins
    assert np.argmax(centred) == 0       # centred: the item that is about y
    assert np.argmin(centred) == 1


def test_request_dims_and_items_without_vectors():
    items = np.zeros((3, 6), np.float32)
    items[0, :4] = _unit([1, 0.2, 0, 0])
    items[0, 4:] = 5.0                   # a second embedder's half, which requests never occupy
    items[1, :4] = _unit([0, 1, 0.1, 0])
    m = TextMatcher(items, dims=4, center=False)
    assert m.has_vector.tolist() == [True, True, False]
    s = m.scores(np.array([1, 0, 0, 0, 0, 0], np.float32))
    assert s[0] > 0.9 and s[2] == 0.0     # the second half played no part


def _c(item, score, name):
    return Candidate(item_id=item, score=score, sources={name: score})


def test_score_sum_sees_gaps_that_rank_fusion_does_not():
    text = [_c("clear", 0.60, "semantic_query"), _c("near2", 0.30, "semantic_query"),
            _c("near1", 0.29, "semantic_query")]
    pop = [_c("near2", 1.0, "popularity"), _c("near1", 0.2, "popularity"), _c("clear", 0.1, "popularity"),
           _c("outside", 5.0, "popularity")]
    w = {"semantic_query": 1.0, "popularity": 0.15}
    summed = score_sum({"semantic_query": text, "popularity": pop}, w, "semantic_query")
    assert [c.item_id for c in summed] == ["clear", "near2", "near1"]
    assert "outside" not in {c.item_id for c in summed}                # only the text's matches
    assert summed[1].sources == {"semantic_query": 0.30, "popularity": 1.0}
    # a near tie goes to the popular one
    flipped = score_sum({"semantic_query": [text[0], _c("near2", 0.29, "semantic_query"),
                                            _c("near1", 0.30, "semantic_query")], "popularity": pop}, w, "semantic_query")
    assert [c.item_id for c in flipped][1] == "near2"
    # rank fusion weighs popularity's first place as much as a rank, whatever the gaps
    ranked = rrf({"semantic_query": text, "popularity": pop}, {"semantic_query": 1.0, "popularity": 1.0})
    assert ranked[0].item_id != "clear"


def test_score_sum_without_other_sources_keeps_the_text_order_and_cuts_at_k():
    text = [_c(str(i), 1.0 - i / 10, "semantic_query") for i in range(5)]
    out = score_sum({"semantic_query": text, "cf": []}, {"semantic_query": 1.0, "cf": 0.5}, "semantic_query", k=3)
    assert [c.item_id for c in out] == ["0", "1", "2"]
