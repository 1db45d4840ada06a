"""The catalog as every candidate source sees it: a fixed item order (ids <-> rows) and
attribute columns, so filters become boolean masks computed once per request."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from service.types import CandidateRequest, Filters, Item


def _as_list(value) -> list[str]:
    if isinstance(value, list):
        return [str(v).casefold() for v in value]
    return [str(value).casefold()]


def _as_number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


class ItemSpace:
    def __init__(self, items: Iterable[Item]) -> None:
        items = list(items)
        self.ids: list[str] = [it.item_id for it in items]
        self.index: dict[str, int] = {iid: i for i, iid in enumerate(self.ids)}
        self.titles: list[str] = [it.title for it in items]
        self.attributes: list[dict] = [dict(it.attributes) for it in items]
        self.alive = np.ones(len(self.ids), dtype=bool)  # False once deleted
        # Filter masks by filter, computed once: every source of a request asks again.
        self._masks: dict[str, np.ndarray] = {}
        self._derived: dict[str, object] = {}  # see derived()

    def _changed(self) -> None:
        self._masks.clear()
        self._derived.clear()

    def derived(self, name: str, build):
        """A view of the catalog built once (e.g. the title index), rebuilt after any
        change to the space. (Read once: another thread may clear the cache meanwhile.)"""
        view = self._derived.get(name)
        if view is None:
            view = self._derived[name] = build()
        return view

    def copy(self) -> "ItemSpace":
        """An independent copy (copy-on-write: requests in flight keep the old space)."""
        new = ItemSpace.__new__(ItemSpace)
        new.ids, new.index, new.titles = list(self.ids), dict(self.index), list(self.titles)
        new.attributes, new.alive = list(self.attributes), self.alive.copy()
        new._masks, new._derived = {}, {}
        return new

    def extend(self, items: list[Item]) -> None:
        for it in items:
            self.index[it.item_id] = len(self.ids)
            self.ids.append(it.item_id)
            self.titles.append(it.title)
            self.attributes.append(dict(it.attributes))
        self.alive = np.concatenate([self.alive, np.ones(len(items), dtype=bool)])
        self._changed()

    def update(self, item: Item) -> None:
        row = self.index[item.item_id]
        self.titles[row] = item.title
        self.attributes[row] = dict(item.attributes)
        self.alive[row] = True
        self._changed()

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self, item_ids: Iterable[str]) -> list[int]:
        return [self.index[i] for i in item_ids if i in self.index]

    def kill(self, item_id: str) -> None:
        """Hide a deleted item from every source until the next rebuild drops it."""
        row = self.index.get(item_id)
        if row is not None:
            self.alive[row] = False
            self._changed()

    def values(self, name: str) -> set[str]:
        """Every value an attribute takes (case-folded), e.g. all genres."""
        out: set[str] = set()
        for attrs in self.attributes:
            if name in attrs:
                out.update(_as_list(attrs[name]))
        return out

    # -- filters ----------------------------------------------------------------------
    def filter_mask(self, filters: Filters) -> np.ndarray:
        """Rows that are alive and pass the filters (a fresh array the caller may change)."""
        if filters.is_empty():
            return self.alive.copy()
        key = filters.model_dump_json()
        mask = self._masks.get(key)  # read once: another thread may clear the cache meanwhile
        if mask is None:
            if len(self._masks) > 256:
                self._masks.clear()
            mask = self._masks[key] = self._compute_mask(filters)
        return mask.copy()

    def _compute_mask(self, filters: Filters) -> np.ndarray:
        mask = self.alive.copy()
        for name, wanted in filters.include.items():
            want = {w.casefold() for w in wanted}
            mask &= np.fromiter(
                (bool(want & set(_as_list(a[name]))) if name in a else False for a in self.attributes),
                dtype=bool, count=len(self.ids),
            )
        for name, needed in filters.require.items():
            need = {w.casefold() for w in needed}
            mask &= np.fromiter(
                (need <= set(_as_list(a[name])) if name in a else False for a in self.attributes),
                dtype=bool, count=len(self.ids),
            )
        for name, unwanted in filters.exclude.items():
            drop = {w.casefold() for w in unwanted}
            mask &= np.fromiter(
                (not (drop & set(_as_list(a[name]))) if name in a else True for a in self.attributes),
                dtype=bool, count=len(self.ids),
            )
        for name, rng in filters.ranges.items():
            col = np.fromiter(
                (_as_number(a.get(name)) for a in self.attributes), dtype=float, count=len(self.ids)
            )
            ok = ~np.isnan(col)
            if rng.gte is not None:
                ok &= col >= rng.gte
            if rng.lte is not None:
                ok &= col <= rng.lte
            mask &= ok
        return mask

    def allowed(self, request: CandidateRequest) -> np.ndarray:
        """Rows a request may return: alive, passing filters, not excluded or seen."""
        mask = self.filter_mask(request.filters)
        if request.restrict_to is not None:
            only = np.zeros(len(self.ids), dtype=bool)
            only[self.rows(request.restrict_to)] = True
            mask &= only
        blocked = list(request.exclude_items)
        if request.exclude_seen and request.history:
            blocked.extend(request.history)
        rows = self.rows(blocked)
        if rows:
            mask[rows] = False
        return mask
