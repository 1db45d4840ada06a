"""What every catalog and event store offers: the contract the pipeline, the trainer and
the API rely on, met by SQLite (the default, one machine) and PostgreSQL (several
processes or machines). `tests/unit/test_store.py` runs the same tests on both.

Promises: a write is committed before the method returns (so a 2xx means stored);
upserts and repeated events are idempotent; event ids grow in commit order (the derived
indexes read "everything up to id N"); writing items and deleting a user or an item bump
the `changes` counter, so processes that build from the store know to rebuild when no
event came. Exposures keep each person's latest `keep` rows (in insertion order) and go
with the person (`delete_user`) or the item (`delete_item`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from service.types import Event, Item

CHANGES = "catalog_changes"  # meta key: item writes and deletions (of users, items) so far


@dataclass(frozen=True)
class HistoryEntry:
    item_id: str
    type: str
    value: float | None
    timestamp: float


@dataclass(frozen=True)
class StoreStats:
    items: int
    events: int
    users: int
    last_event_id: int


@dataclass(frozen=True)
class Exposure:
    """One item shown to one person: by an answer (its feed id and page) or reported by
    the client as an impression event (feed and page None)."""

    user_id: str
    item_id: str
    shown_at: float
    feed: str | None = None
    page: int | None = None


EventRow = tuple[str, str, str, "float | None", float]  # user_id, item_id, type, value, timestamp


@runtime_checkable
class Store(Protocol):
    kind: str  # "sqlite" or "postgres"
    shared: bool  # several processes (machines) write to it at once

    # items
    def upsert_items(self, items: Iterable[Item]) -> int: ...
    def get_item(self, item_id: str) -> Item | None: ...
    def get_items(self, item_ids: list[str]) -> dict[str, Item]: ...
    def iter_items(self) -> Iterator[Item]: ...
    def item_ids(self) -> list[str]: ...
    def delete_item(self, item_id: str) -> bool: ...

    # events
    def add_events(self, events: Iterable[Event], exposures: Sequence[Exposure] = (),
                   keep: int = 1) -> tuple[int, int]: ...
    def history(self, user_id: str, limit: int | None = None,
                types: Collection[str] | None = None) -> list[HistoryEntry]: ...
    def seen_items(self, user_id: str, types: Collection[str] | None, limit: int) -> list[str]: ...
    def has_user(self, user_id: str) -> bool: ...
    def delete_user(self, user_id: str) -> int: ...
    def iter_events(self) -> Iterator[EventRow]: ...

    # exposure: what was shown to whom (removed with the user or the item)
    def add_exposures(self, exposures: Iterable[Exposure], keep: int) -> int: ...
    def exposures(self, user_id: str) -> list[Exposure]: ...
    def feed_items(self, user_id: str, feed: str, up_to_page: int) -> list[str]: ...
    def exposure_counts(self) -> dict[str, int]: ...

    # bookkeeping
    def stats(self) -> StoreStats: ...
    def last_event_id(self) -> int: ...
    def users_with_events(self, at_least: int) -> int: ...
    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...
    def changes(self) -> int: ...
    def meta_default(self, key: str, value: str) -> str: ...
    def add_forgotten(self, user_hash: str) -> None: ...
    def forgotten_after(self, after_id: int) -> list[tuple[int, str]]: ...
    def close(self) -> None: ...
