"""The exported tree ensemble scores exactly as the scikit-learn classifier it came from,
survives a save/load without pickle, and old pickled artifacts still load."""

import json
import pickle
import subprocess
import sys

import numpy as np
import pytest

from service.rerank.adapted import AdaptedModel, load_current, save_artifact
from service.rerank.trees import TreeEnsemble
from service.train.fit_adapted import make_classifier


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(3)
    x = rng.random((2000, 6))
    x[rng.random(x.shape) < 0.15] = np.nan  # missing values take each node's learned side
    y = ((np.nan_to_num(x[:, 0]) + 0.6 * np.nan_to_num(x[:, 2], nan=0.9) + 0.3 * rng.random(2000)) > 1.0)
    return make_classifier(0).fit(x, y.astype(int)), rng


def test_same_probabilities_as_sklearn_including_missing_values(fitted):
    clf, rng = fitted
    x = rng.random((300, 6))
    x[rng.random(x.shape) < 0.2] = np.nan
    x[:5] = np.nan  # all missing
    trees = TreeEnsemble.from_sklearn(clf)
    assert np.allclose(trees.proba(x), clf.predict_proba(x)[:, 1], atol=1e-12)
    assert len(trees.roots) == clf.n_iter_


def test_save_load_round_trip_without_pickle(fitted, tmp_path):
    clf, rng = fitted
    trees = TreeEnsemble.from_sklearn(clf)
    trees.save(tmp_path / "t.npz")
    back = TreeEnsemble.load(tmp_path / "t.npz")  # allow_pickle=False inside
    x = rng.random((50, 6))
    assert np.array_equal(back.proba(x), trees.proba(x))


def test_wrong_width_is_refused(fitted):
    trees = TreeEnsemble.from_sklearn(fitted[0])
    with pytest.raises(ValueError, match="6 features"):
        trees.raw(np.zeros((3, 5)))


def test_an_artifact_written_as_a_pickle_is_converted_once(fitted, tmp_path):
    clf, rng = fitted
    names = ["rank", "fused", "cf", "semantic", "popularity", "cf_sim"]
    d = tmp_path / "adapted-old"
    d.mkdir()
    (d / "model.pkl").write_bytes(pickle.dumps(clf))
    (d / "meta.json").write_text(json.dumps({"features": names, "version": "adapted-old"}))
    (tmp_path / "CURRENT").write_text("adapted-old\n")
    ranker, status = load_current(tmp_path)
    assert isinstance(ranker, AdaptedModel) and status == "adapted-old"
    assert (d / "trees.npz").exists()
    x = rng.random((20, 6))
    assert np.allclose(ranker.scores(x), clf.predict_proba(x)[:, 1])


def test_serving_an_adapted_artifact_does_not_import_sklearn(fitted, tmp_path):
    clf, rng = fitted
    names = ["rank", "fused", "cf", "semantic", "popularity", "cf_sim"]
    save_artifact(AdaptedModel(TreeEnsemble.from_sklearn(clf), names, meta={"version": "adapted-new"}), tmp_path)
    code = ("import sys, numpy as np\n"
            "from service.rerank.adapted import load_current\n"
            f"r, _ = load_current({str(tmp_path)!r})\n"
            "r.scores(np.zeros((4, 6)))\n"
            "print('sklearn' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
