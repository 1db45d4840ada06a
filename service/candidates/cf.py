"""Item-item collaborative filtering that respects recency and order.

Two sparse item x item matrices are built from users' time-ordered histories:
- `sim`: cosine similarity of items' user sets, pruned to the top neighbours per item;
- `trans`: "j came soon after i" counts (window W, weight 1/distance), kept raw so
  items that often come next (often popular ones) score high.
A user's score for item j is a recency-weighted sum over their latest items i of
sim[i, j] + beta * trans[i, j]. The user side is read from the store at request time,
so a new event changes the next answer at once; the matrices are rebuilt cheaply
(seconds for 100k events) after enough new events (see `CFSettings.rebuild_after_events`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

from service.settings import CFSettings


def _prune_rows(m: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    """Keep the `keep` largest entries of each row."""
    m = m.tocsr()
    m.sum_duplicates()
    indptr, indices, data = m.indptr, m.indices, m.data
    new_indptr = [0]
    new_idx: list[np.ndarray] = []
    new_data: list[np.ndarray] = []
    for r in range(m.shape[0]):
        lo, hi = indptr[r], indptr[r + 1]
        d = data[lo:hi]
        if hi - lo > keep:
            top = np.argpartition(-d, keep - 1)[:keep]
            new_idx.append(indices[lo:hi][top])
            new_data.append(d[top])
        else:
            new_idx.append(indices[lo:hi])
            new_data.append(d)
        new_indptr.append(new_indptr[-1] + len(new_idx[-1]))
    return sp.csr_matrix(
        (
            np.concatenate(new_data) if new_data else np.zeros(0, np.float32),
            np.concatenate(new_idx) if new_idx else np.zeros(0, np.int32),
            np.asarray(new_indptr),
        ),
        shape=m.shape,
    )


def _unit_max(v: np.ndarray) -> np.ndarray:
    top = float(v.max()) if v.size else 0.0
    return v / top if top > 0 else v


class ItemItemModel:
    """The built matrices. `sequences` are users' item rows in time order; `weights`
    (parallel to them, optional) how much each event counts (a purchase more than a view):
    a user's weight for an item is their largest, and the cosine uses weighted norms, so
    similarity stays in [0, 1] and popularity is the weighted count."""

    def __init__(self, sim: sp.csr_matrix, trans: sp.csr_matrix, popularity: np.ndarray,
                 cfg: CFSettings) -> None:
        self.sim = sim.astype(np.float32).tocsr()
        self.trans = trans.astype(np.float32).tocsr()
        self.popularity = popularity.astype(np.float32)
        self.cfg = cfg

    @classmethod
    def build(cls, n_items: int, sequences: Iterable[Sequence[int]], cfg: CFSettings,
              weights: Iterable[Sequence[float]] | None = None) -> "ItemItemModel":
        rows_u: list[np.ndarray] = []
        cols_i: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        weight_iter = iter(weights) if weights is not None else None
        t_src: list[np.ndarray] = []
        t_dst: list[np.ndarray] = []
        t_w: list[np.ndarray] = []
        n_users = 0
        for seq in sequences:
            s = np.asarray(seq, dtype=np.int64)
            w = np.asarray(next(weight_iter), dtype=np.float32) if weight_iter is not None else None
            if len(s) == 0:
                continue
            uniq, inverse = np.unique(s, return_inverse=True)
            v = np.ones(len(uniq), np.float32)
            if w is not None:
                v = np.zeros(len(uniq), np.float32)
                np.maximum.at(v, inverse, w)
            rows_u.append(np.full(len(uniq), n_users))
            cols_i.append(uniq)
            vals.append(v)
            n_users += 1
            for d in range(1, cfg.transition_window + 1):
                if len(s) > d:
                    t_src.append(s[:-d])
                    t_dst.append(s[d:])
                    t_w.append(np.full(len(s) - d, 1.0 / d, dtype=np.float32))
        if n_users == 0:
            empty = sp.csr_matrix((n_items, n_items), dtype=np.float32)
            return cls(empty, empty, np.zeros(n_items), cfg)
        u = np.concatenate(rows_u)
        i = np.concatenate(cols_i)
        x = sp.csr_matrix((np.concatenate(vals), (u, i)), shape=(n_users, n_items))
        popularity = np.asarray(x.sum(axis=0)).ravel()
        co = (x.T @ x).tocsr()
        co.setdiag(0)
        co.eliminate_zeros()
        norm = np.sqrt(np.maximum(np.asarray(x.multiply(x).sum(axis=0)).ravel(), 1.0))
        inv = sp.diags(1.0 / norm)
        sim = _prune_rows(inv @ co @ inv, cfg.neighbours)
        if t_src:
            src, dst, w = np.concatenate(t_src), np.concatenate(t_dst), np.concatenate(t_w)
            keep = src != dst
            trans = sp.csr_matrix((w[keep], (src[keep], dst[keep])), shape=(n_items, n_items))
            trans = _prune_rows(trans, cfg.neighbours)
        else:
            trans = sp.csr_matrix((n_items, n_items), dtype=np.float32)
        return cls(sim, trans, popularity, cfg)

    def profile_weights(self, n: int) -> np.ndarray:
        """Weight of each of the last n history items, oldest first (newest = 1)."""
        age = np.arange(n - 1, -1, -1, dtype=np.float32)
        return np.power(0.5, age / max(self.cfg.half_life, 1e-6))

    def score(self, history_rows: Sequence[int]) -> np.ndarray:
        """Scores for every item given a user's history (item rows, oldest first)."""
        n = self.sim.shape[0]
        hist = list(history_rows)[-self.cfg.history:]
        if not hist:
            return np.zeros(n, dtype=np.float32)
        w = self.profile_weights(len(hist))
        rows = np.asarray(hist)
        # Each part is scaled to a max of 1 for this user, so the mix weight means the
        # same on every catalog (measured: ml-latest-small and goodbooks-10k agree).
        out = _unit_max(np.asarray(self.sim[rows].T @ w).ravel())
        if self.cfg.transition_weight:
            out += self.cfg.transition_weight * _unit_max(np.asarray(self.trans[rows].T @ w).ravel())
        return out.astype(np.float32)

    def contributions(self, history_rows: Sequence[int], target: int) -> tuple[list[int], np.ndarray, np.ndarray]:
        """What each of the latest history items adds to `score(history_rows)[target]`:
        (those rows, their co-liked part, their comes-next part), in the same scaling as
        `score`, so the two parts of one row add up to its share of the item's score.
        Explanations read it to name the history item that pulled the item in most."""
        hist = list(history_rows)[-self.cfg.history:]
        if not hist:
            return [], np.zeros(0, np.float32), np.zeros(0, np.float32)
        w = self.profile_weights(len(hist))
        rows = np.asarray(hist)
        parts = []
        for m, mix in ((self.sim, 1.0), (self.trans, self.cfg.transition_weight)):
            sub = m[rows]
            top = float(np.asarray(sub.T @ w).max()) if sub.nnz else 0.0
            col = np.asarray(sub[:, target].todense()).ravel() * w
            parts.append(col * mix / top if top > 0 and mix else np.zeros(len(hist), np.float32))
        return hist, parts[0], parts[1]

    def save(self, path) -> None:
        np.savez_compressed(
            path,
            sim_data=self.sim.data, sim_indices=self.sim.indices, sim_indptr=self.sim.indptr,
            tr_data=self.trans.data, tr_indices=self.trans.indices, tr_indptr=self.trans.indptr,
            popularity=self.popularity,
        )

    @classmethod
    def load(cls, path, cfg: CFSettings) -> "ItemItemModel":
        z = np.load(path)
        n = len(z["popularity"])
        sim = sp.csr_matrix((z["sim_data"], z["sim_indices"], z["sim_indptr"]), shape=(n, n))
        tr = sp.csr_matrix((z["tr_data"], z["tr_indices"], z["tr_indptr"]), shape=(n, n))
        return cls(sim, tr, z["popularity"], cfg)
