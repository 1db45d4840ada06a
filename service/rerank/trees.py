"""A fitted gradient-boosted tree ensemble as plain arrays, evaluated with numpy.

The trainer fits scikit-learn's HistGradientBoostingClassifier; the server only needs
its trees. Exporting them once to an `.npz` keeps scikit-learn (and its ~100 MB of
imports) out of the serving process, makes an artifact safe to load (no pickle) and
independent of the scikit-learn version that wrote it. Every tree is walked at once,
one depth level per step, so a request's pool costs a few dozen vector operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class TreeEnsemble:
    """All nodes of all trees in flat arrays. Child indices are absolute and siblings are
    adjacent (right = left + 1); a leaf's left child is the leaf itself and its threshold
    +inf, so a row that has reached a leaf stays there."""

    feature: np.ndarray  # int32, per node
    threshold: np.ndarray  # float64: go left when x <= threshold
    missing_left: np.ndarray  # bool: where NaN goes
    left: np.ndarray  # int32; the right child is left + 1
    value: np.ndarray  # float64, leaf values (0 elsewhere)
    roots: np.ndarray  # int32, the first node of each tree
    baseline: float
    n_features: int
    depth: int

    @classmethod
    def from_sklearn(cls, clf) -> "TreeEnsemble":
        """From a fitted binary HistGradientBoostingClassifier (numeric features only)."""
        if getattr(clf, "n_trees_per_iteration_", 1) != 1:
            raise ValueError("only binary classifiers are supported")
        cols: dict[str, list] = {k: [] for k in ("feature", "threshold", "missing_left", "left", "value")}
        roots, depth = [], 0
        for (tree,) in clf._predictors:
            nodes = tree.nodes
            if nodes["is_categorical"].any():
                raise ValueError("categorical splits are not supported")
            depth = max(depth, int(nodes["depth"].max()))
            roots.append(len(cols["feature"]))
            _append_tree(nodes, cols)
        return cls(feature=np.asarray(cols["feature"], np.int32), threshold=np.asarray(cols["threshold"]),
                   missing_left=np.asarray(cols["missing_left"], bool), left=np.asarray(cols["left"], np.int32),
                   value=np.asarray(cols["value"]),
                   roots=np.asarray(roots, np.int32), baseline=float(np.ravel(clf._baseline_prediction)[0]),
                   n_features=int(clf.n_features_in_), depth=depth)

    def raw(self, x: np.ndarray) -> np.ndarray:
        """The summed leaf values plus the baseline (log-odds), one per row of x."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.n_features:
            raise ValueError(f"expected rows of {self.n_features} features, got shape {x.shape}")
        flat = x.ravel()
        base = (np.arange(len(x)) * self.n_features)[:, None]
        node = np.broadcast_to(self.roots, (len(x), len(self.roots))).copy()
        for _ in range(self.depth):  # a leaf's children are itself, so walking on is harmless
            v = flat[base + self.feature[node]]
            go_right = ~((v <= self.threshold[node]) | (np.isnan(v) & self.missing_left[node]))
            node = self.left[node] + go_right
        return self.baseline + self.value[node].sum(axis=1)

    def proba(self, x: np.ndarray) -> np.ndarray:
        """P(positive) per row, as the classifier's predict_proba(x)[:, 1]."""
        return 1.0 / (1.0 + np.exp(-self.raw(x)))

    # -- files ---------------------------------------------------------------------------
    _ARRAYS = ("feature", "threshold", "missing_left", "left", "value", "roots")

    def save(self, path: Path) -> None:
        np.savez(path, **{k: getattr(self, k) for k in self._ARRAYS},
                 scalars=np.asarray([self.baseline, self.n_features, self.depth], dtype=np.float64))

    @classmethod
    def load(cls, path: Path) -> "TreeEnsemble":
        with np.load(path, allow_pickle=False) as z:
            baseline, n_features, depth = z["scalars"]
            return cls(**{k: z[k] for k in cls._ARRAYS}, baseline=float(baseline), n_features=int(n_features),
                       depth=int(depth))


def _append_tree(nodes, cols: dict[str, list]) -> None:
    """Lay one sklearn tree out breadth-first with siblings side by side."""
    start = len(cols["feature"])
    order, pos = [0], {0: start}
    k = 0
    while k < len(order):
        n = order[k]
        k += 1
        if not nodes["is_leaf"][n]:
            for child in (int(nodes["left"][n]), int(nodes["right"][n])):
                pos[child] = start + len(order)
                order.append(child)
    for n in order:
        leaf = bool(nodes["is_leaf"][n])
        cols["feature"].append(0 if leaf else int(nodes["feature_idx"][n]))
        cols["threshold"].append(np.inf if leaf else float(nodes["num_threshold"][n]))
        cols["missing_left"].append(True if leaf else bool(nodes["missing_go_to_left"][n]))
        cols["left"].append(pos[n] if leaf else pos[int(nodes["left"][n])])
        cols["value"].append(float(nodes["value"][n]) if leaf else 0.0)
