"""Sequence-aware signals, built with the CF index from users' item sequences (numpy and
scipy only):

- **Session neighbours** (V-SKNN style): the users whose histories overlap the recent
  part of this one, weighted by how recent the overlapping items are on both sides, vote
  for their own items, later items more.
- **Second-order transitions**: what came right after the last two items, in that
  order, anywhere in the catalog's sequences.

Both score a request's candidate pool (features of the adapted reranker)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

NEIGHBOURS = 50  # users that vote
RECENT = 10  # the request's last items that find them
HALF_LIFE = 3.0  # both sides: weight halves every N items back
MIN_PAIR = 2  # a pair (a, b) must occur this often to predict what follows it


def _recency(n: int) -> np.ndarray:
    return np.power(0.5, np.arange(n - 1, -1, -1, dtype=np.float32) / HALF_LIFE)


class SequenceModel:
    def __init__(self, users: sp.csr_matrix, pairs: dict[tuple[int, int], int], nexts: sp.csr_matrix) -> None:
        self.users = users.astype(np.float32).tocsr()  # user x item, recency-weighted within each user
        self.pairs = pairs  # (a, b) -> row of `nexts`
        self.nexts = nexts.astype(np.float32).tocsr()  # pair x item counts

    @classmethod
    def build(cls, n_items: int, sequences: Iterable[Sequence[int]]) -> "SequenceModel":
        rows, cols, vals = [], [], []
        pair_next: dict[tuple[int, int], dict[int, int]] = {}
        n_users = 0
        for seq in sequences:
            s = np.asarray(seq, dtype=np.int64)
            if not len(s):
                continue
            w = _recency(len(s))
            last: dict[int, float] = {}
            for item, wt in zip(s.tolist(), w.tolist()):
                last[item] = wt  # a repeated item counts at its latest position
            rows.extend([n_users] * len(last))
            cols.extend(last)
            vals.extend(last.values())
            n_users += 1
            for a, b, c in zip(s[:-2].tolist(), s[1:-1].tolist(), s[2:].tolist()):
                if c != b:
                    nxt = pair_next.setdefault((a, b), {})
                    nxt[c] = nxt.get(c, 0) + 1
        users = sp.csr_matrix((np.asarray(vals, np.float32), (rows, cols)), shape=(n_users, n_items))
        kept = {p: d for p, d in pair_next.items() if sum(d.values()) >= MIN_PAIR}
        pairs = {p: i for i, p in enumerate(kept)}
        r = [pairs[p] for p, d in kept.items() for _ in d]
        c = [item for d in kept.values() for item in d]
        v = [n for d in kept.values() for n in d.values()]
        nexts = sp.csr_matrix((np.asarray(v, np.float32), (r, c)), shape=(len(pairs), n_items))
        return cls(users, pairs, nexts)

    def neighbour_scores(self, history_rows: Sequence[int], n_items: int) -> np.ndarray:
        """Votes of the users whose histories overlap this one's recent items (the user's
        own row, if present, is the one that matches everything and is left out)."""
        hist = list(history_rows)[-RECENT:]
        if not hist or self.users.shape[0] == 0:
            return np.zeros(n_items, np.float32)
        q = np.zeros(self.users.shape[1], np.float32)
        q[hist] = _recency(len(hist))
        sim = np.asarray(self.users @ q).ravel()
        norm = float(q @ q) or 1.0
        sim[sim >= 0.999 * norm] = 0.0  # the user's own sequence, or an exact copy of it
        k = min(NEIGHBOURS, int((sim > 0).sum()))
        if k == 0:
            return np.zeros(n_items, np.float32)
        top = np.argpartition(-sim, k - 1)[:k]
        votes = np.asarray(self.users[top].T @ sim[top]).ravel()
        return _pad(votes, n_items)

    def next_after(self, history_rows: Sequence[int], n_items: int) -> np.ndarray:
        """What followed the last two items, in order, elsewhere."""
        if len(history_rows) < 2:
            return np.zeros(n_items, np.float32)
        row = self.pairs.get((int(history_rows[-2]), int(history_rows[-1])))
        if row is None:
            return np.zeros(n_items, np.float32)
        return _pad(self.nexts[row].toarray().ravel(), n_items)

    def grown(self, n_items: int) -> "SequenceModel":
        """The same model over a catalog with new items at the end (no votes for them)."""
        users, nexts = self.users.copy(), self.nexts.copy()
        users.resize((users.shape[0], n_items))
        nexts.resize((nexts.shape[0], n_items))
        return SequenceModel(users, self.pairs, nexts)

    # -- files ---------------------------------------------------------------------------
    def save(self, path) -> None:
        keys = np.asarray(list(self.pairs), dtype=np.int64).reshape(-1, 2)
        np.savez_compressed(path, u_data=self.users.data, u_indices=self.users.indices, u_indptr=self.users.indptr,
                            u_shape=np.asarray(self.users.shape), n_data=self.nexts.data,
                            n_indices=self.nexts.indices, n_indptr=self.nexts.indptr,
                            n_shape=np.asarray(self.nexts.shape), pair_keys=keys)

    @classmethod
    def load(cls, path) -> "SequenceModel":
        z = np.load(path)
        users = sp.csr_matrix((z["u_data"], z["u_indices"], z["u_indptr"]), shape=tuple(z["u_shape"]))
        nexts = sp.csr_matrix((z["n_data"], z["n_indices"], z["n_indptr"]), shape=tuple(z["n_shape"]))
        pairs = {(int(a), int(b)): i for i, (a, b) in enumerate(z["pair_keys"])}
        return cls(users, pairs, nexts)


def _pad(v: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n, np.float32)
    out[: min(n, len(v))] = v[:n]
    return out
