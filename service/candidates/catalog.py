"""The catalog as explanations, chat and the read path see it: the current item space
and CF model (swapped whole on each rebuild, so read them per request, not once) and
the store's item rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from service.candidates.cf import ItemItemModel
from service.candidates.index import CandidateIndex
from service.candidates.space import ItemSpace
from service.store import Store
from service.types import Item


class CatalogView(Protocol):
    @property
    def space(self) -> ItemSpace: ...

    @property
    def model(self) -> ItemItemModel: ...

    def popularity(self, item_ids: list[str]) -> dict[str, float]: ...

    def get_items(self, item_ids: list[str]) -> dict[str, Item]: ...

    def get_item(self, item_id: str) -> Item | None: ...


class LiveCatalog:
    """A `CatalogView` over whatever index `current` returns now."""

    def __init__(self, current: Callable[[], CandidateIndex], store: Store) -> None:
        self._current, self._store = current, store

    @property
    def space(self) -> ItemSpace:
        return self._current().space

    @property
    def model(self) -> ItemItemModel:
        return self._current().model

    def popularity(self, item_ids: list[str]) -> dict[str, float]:
        """log-popularity scaled to [0, 1] by the most popular item's."""
        index = self._current()
        pop = index.model.popularity
        top = float(np.log1p(pop.max())) if len(pop) else 1.0
        top = top or 1.0
        idx = index.space.index
        return {i: float(np.log1p(pop[idx[i]]) / (top or 1.0)) for i in item_ids if i in idx}

    def get_items(self, item_ids: list[str]) -> dict[str, Item]:
        return self._store.get_items(item_ids)

    def get_item(self, item_id: str) -> Item | None:
        return self._store.get_item(item_id)
