"""What a person turned down does to their candidates: the items themselves go (whatever
`exclude_seen` says), and items close to them lose up to `strength` of their score.

Closeness to the turned-down items is the larger of the CF cosine (item-item `sim`, in
[0, 1]) and the embedding cosine above `floor`, rescaled to [0, 1]; the nearest
turned-down item counts. Scores are only ever multiplied by a factor in [1 - strength, 1],
so a negative never raises any item's score."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from service.candidates.space import ItemSpace
from service.types import Candidate


def closeness(space: ItemSpace, sim: sp.csr_matrix, vectors: np.ndarray | None, negatives: list[str],
              candidates: list[str], floor: float) -> np.ndarray:
    """Per candidate, how close it is to the nearest turned-down item, in [0, 1]."""
    neg = space.rows(negatives)
    out = np.zeros(len(candidates), np.float32)
    if not neg or not candidates:
        return out
    idx = space.index
    rows = np.asarray([idx.get(c, -1) for c in candidates])
    known = rows >= 0
    if not known.any():
        return out
    r = rows[known]
    n = sim.shape[0]
    cf_rows = [x for x in neg if x < n]
    cf = np.zeros(len(r), np.float32)
    in_cf = r < n
    if cf_rows and in_cf.any():
        block = sim[cf_rows]  # each negative's pruned neighbours: the largest per column
        best = np.zeros(n, np.float32)
        np.maximum.at(best, block.indices, block.data)
        cf[in_cf] = best[r[in_cf]]
    close = np.clip(cf, 0.0, 1.0)
    if vectors is not None and len(vectors) == len(space):
        # einsum, not `@`: for these small blocks BLAS's thread start-up cost ~10 ms on a
        # busy 2-core machine, einsum 0.6 ms (measured on ml-latest-small, 100 x 20 x 512)
        cos = np.einsum("ij,kj->ik", vectors[r], vectors[neg]).max(axis=1)
        close = np.maximum(close, np.clip((cos - floor) / (1.0 - floor), 0.0, 1.0))
    out[known] = close
    return out


def turn_down(candidates: list[Candidate], negatives: set[str], close: np.ndarray,
              strength: float) -> list[Candidate]:
    """The candidates without the turned-down items, each score times
    (1 - strength * closeness), best first (ties by item id, as fusion orders them)."""
    out = []
    for c, x in zip(candidates, close):
        if c.item_id in negatives:
            continue
        factor = 1.0 - strength * float(x)
        out.append(c if factor >= 1.0 else
                   Candidate.model_construct(item_id=c.item_id, score=c.score * factor, sources=c.sources))
    out.sort(key=lambda c: (-c.score, c.item_id))
    return out
