"""Candidate sources. Each returns scored candidates with provenance and honours the
request's filters, exclusions and seen items, behind one protocol."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from service.candidates.cf import ItemItemModel
from service.candidates.sequence import SequenceModel
from service.candidates.space import ItemSpace
from service.candidates.text_match import TextMatcher
from service.candidates.vectors import ChromaVectors, chroma_where
from service.types import Candidate, CandidateRequest


class CandidateSource(Protocol):
    name: str

    def candidates(self, request: CandidateRequest, k: int) -> list[Candidate]:
        """Up to k candidates, best first; never a filtered, excluded or seen item."""
        ...


def top_k(space: ItemSpace, scores: np.ndarray, mask: np.ndarray, k: int, name: str,
          min_score: float | None = None) -> list[Candidate]:
    """Best k allowed rows; ties go to the smaller row (= item id order)."""
    allowed = np.flatnonzero(mask & (scores > min_score) if min_score is not None else mask)
    if len(allowed) == 0 or k <= 0:
        return []
    s = scores[allowed]
    if len(allowed) > k:
        part = np.argpartition(-s, k - 1)[:k]
        allowed, s = allowed[part], s[part]
    order = np.lexsort((allowed, -s))
    return [
        Candidate(item_id=space.ids[r], score=float(s[j]), sources={name: float(s[j])})
        for j, r in ((j, allowed[j]) for j in order)
    ]


def from_history(space: ItemSpace, request: CandidateRequest, k: int, name: str,
                 score: Callable[[list[int]], np.ndarray]) -> list[Candidate]:
    """A source that scores every item from the request's history rows (none: nothing)."""
    rows = space.rows(request.history or [])
    if not rows:
        return []
    return top_k(space, score(rows), space.allowed(request), k, name, min_score=0.0)


class ItemItemCF:
    name = "cf"

    def __init__(self, space: ItemSpace, model: ItemItemModel) -> None:
        self.space, self.model = space, model

    def candidates(self, request: CandidateRequest, k: int) -> list[Candidate]:
        return from_history(self.space, request, k, self.name, self.model.score)


class SessionNeighbours:
    """Items that users with overlapping recent histories took (`sequence.py`)."""

    name = "sknn"

    def __init__(self, space: ItemSpace, seq: SequenceModel) -> None:
        self.space, self.seq = space, seq

    def candidates(self, request: CandidateRequest, k: int) -> list[Candidate]:
        return from_history(self.space, request, k, self.name,
                            lambda rows: self.seq.neighbour_scores(rows, len(self.space)))


class Popularity:
    name = "popularity"

    def __init__(self, space: ItemSpace, model: ItemItemModel) -> None:
        self.space, self.model = space, model

    def candidates(self, request: CandidateRequest, k: int) -> list[Candidate]:
        pop = self.model.popularity
        if len(pop) == 0:
            return []
        scores = np.log1p(pop) / np.log1p(max(float(pop.max()), 1.0))
        return top_k(self.space, scores, self.space.allowed(request), k, self.name)


class ChromaSemantic:
    """Nearest items in embedding space to the request's text (`mode="query"`) or to a
    recency-weighted mean of the user's latest items (`mode="profile"`).

    With `matrix` (the catalog's unit vectors, rows aligned with the space), a profile is
    searched exactly in process: one matrix-vector product instead of two Chroma calls
    (with a Chroma server: 6.5 ms of its CPU and two round trips per request, which held
    an API worker to 53 req/s instead of 72; `scripts/bench_scale.py`)."""

    def __init__(self, space: ItemSpace, vectors: ChromaVectors, mode: str = "query",
                 history: int = 10, half_life: float = 3.0, matrix: np.ndarray | None = None,
                 center: bool = True) -> None:
        if mode not in ("query", "profile"):
            raise ValueError("mode is 'query' or 'profile'")
        self.space, self.vectors, self.mode = space, vectors, mode
        fits = matrix is not None and len(matrix) == len(space)
        self.matrix = matrix if mode == "profile" and fits else None
        self._has_vector = self.matrix.any(axis=1) if self.matrix is not None else None
        # a request's text is matched exactly in process when the catalog's vectors are here
        self.text = TextMatcher(matrix, getattr(vectors.embedder, "query_dims", None), center) \
            if mode == "query" and fits else None
        self.name = f"semantic_{mode}"
        self.history, self.half_life = history, half_life
        self._list_attrs = {
            key for attrs in space.attributes for key, v in attrs.items() if isinstance(v, list)
        }

    def _query_vector(self, request: CandidateRequest) -> np.ndarray | None:
        if self.mode == "query":
            if not request.query or not request.query.strip():
                return None
            embedder = self.vectors.embedder
            embed = getattr(embedder, "embed_query", embedder.embed)
            context = [t for t in request.query_context if t and t.strip()]
            vecs = embed([request.query, *context])
            if not context:
                return vecs[0]
            v = vecs[0] + vecs[1:].mean(axis=0)  # the follow-up and what it follows, alike
            return v / max(float(np.linalg.norm(v)), 1e-9)
        recent = (request.history or [])[-self.history:]
        vecs = self._known_vectors(recent)
        if not vecs:
            return None
        present = [i for i in recent if i in vecs]
        w = np.power(0.5, np.arange(len(present) - 1, -1, -1) / self.half_life)
        v = np.sum([wi * vecs[i] for wi, i in zip(w, present)], axis=0)
        return v / max(float(np.linalg.norm(v)), 1e-9)

    def _known_vectors(self, item_ids: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        if self.matrix is not None:
            for i in item_ids:
                row = self.space.index.get(i)
                if row is not None and self._has_vector[row]:
                    out[i] = self.matrix[row]
        missing = [i for i in item_ids if i not in out]
        return {**out, **self.vectors.vectors(missing)} if missing else out

    def candidates(self, request: CandidateRequest, k: int) -> list[Candidate]:
        if len(self.space) == 0:
            return []
        vec = self._query_vector(request)
        if vec is None:
            return []
        if self.text is not None:
            mask = self.space.allowed(request) & self.text.has_vector
            return top_k(self.space, self.text.scores(vec), mask, k, self.name)
        if self.matrix is not None:
            scores = self.matrix @ vec.astype(np.float32)
            mask = self.space.allowed(request) & self._has_vector
            return top_k(self.space, scores, mask, k, self.name)
        mask = self.space.allowed(request)
        where = chroma_where(request.filters, self._list_attrs)
        blocked = len(request.exclude_items) + (len(request.history or []) if request.exclude_seen else 0)
        n = k + blocked + 10
        out: list[Candidate] = []
        for _ in range(3):  # widen the search if exclusions ate the results
            hits = self.vectors.query(vec, n, where)
            out = []
            for item_id, sim in hits:
                row = self.space.index.get(item_id)
                if row is not None and mask[row]:
                    out.append(Candidate(item_id=item_id, score=sim, sources={self.name: sim}))
            if len(out) >= k or len(hits) < n:
                break
            n *= 4
        return out[:k]
