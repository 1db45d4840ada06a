import sqlite3

from service.store import Store
from service.store.migrations import MIGRATIONS
from service.types import Event, Item


def test_schema_is_migrated_and_wal(store: Store, settings):
    conn = sqlite3.connect(settings.db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    # Re-opening an up-to-date store applies nothing and keeps the data.
    store.upsert_items([Item(item_id="a", title="A")])
    assert Store(settings.db_path).get_item("a").title == "A"


def test_upserts_are_idempotent(store: Store):
    store.upsert_items([Item(item_id="a", title="A", attributes={"genres": ["x"]})])
    store.upsert_items([Item(item_id="a", title="A2", attributes={"genres": ["y"]})])
    assert store.stats().items == 1
    assert store.get_item("a").title == "A2" and store.get_item("a").attributes == {"genres": ["y"]}
    ev = Event(user_id="u", item_id="a", type="view", timestamp=1)
    assert store.add_events([ev, ev]) == (1, 1)
    assert store.add_events([ev]) == (0, 1)
    assert store.stats().events == 1


def test_history_is_time_ordered_with_item_id_ties(store: Store):
    store.add_events([
        Event(user_id="u", item_id="b", timestamp=2), Event(user_id="u", item_id="a", timestamp=2),
        Event(user_id="u", item_id="c", timestamp=1), Event(user_id="v", item_id="z", timestamp=0),
    ])
    assert [h.item_id for h in store.history("u")] == ["c", "a", "b"]
    assert [h.item_id for h in store.history("u", limit=2)] == ["a", "b"]


def test_delete_item_removes_its_events_and_delete_user_forgets(store: Store):
    store.upsert_items([Item(item_id="a", title="A"), Item(item_id="b", title="B")])
    store.add_events([Event(user_id="u", item_id="a", timestamp=1), Event(user_id="u", item_id="b", timestamp=2),
                      Event(user_id="w", item_id="a", timestamp=3)])
    assert store.delete_item("a") is True
    assert store.delete_item("a") is False
    assert [h.item_id for h in store.history("u")] == ["b"]
    assert store.delete_user("u") == 1
    assert not store.has_user("u") and store.stats().events == 0
