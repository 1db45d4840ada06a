"""The store contract, on SQLite and on a real PostgreSQL server (every test runs on both)."""

import sqlite3
import threading

import pytest

from service.store import Exposure, SqliteStore, Store, open_store
from service.store.migrations import MIGRATIONS, PG_MIGRATIONS
from service.types import Event, Item

pytestmark = pytest.mark.both_stores


def test_schema_is_migrated_and_reopening_keeps_the_data(store: Store, settings, store_kind):
    if store_kind == "sqlite":
        conn = sqlite3.connect(settings.db_path)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    else:
        assert store.schema_version() == len(PG_MIGRATIONS)
    # Re-opening an up-to-date store applies nothing and keeps the data.
    store.upsert_items([Item(item_id="a", title="A")])
    again = open_store(settings)
    assert again.get_item("a").title == "A" and again.kind == store_kind
    again.close()


def test_both_dialects_have_the_same_numbered_migrations():
    assert len(MIGRATIONS) == len(PG_MIGRATIONS)


def test_upserts_are_idempotent(store: Store):
    assert store.changes() == 0
    store.upsert_items([Item(item_id="a", title="A", attributes={"genres": ["x"]})])
    assert store.changes() == 1
    store.upsert_items([Item(item_id="a", title="A2", attributes={"genres": ["y"]})])
    assert store.stats().items == 1
    assert store.get_item("a").title == "A2" and store.get_item("a").attributes == {"genres": ["y"]}
    ev = Event(user_id="u", item_id="a", type="view", timestamp=1)
    assert store.add_events([ev, ev]) == (1, 1)
    assert store.add_events([ev]) == (0, 1)
    assert store.stats().events == 1


def test_a_repeated_item_id_in_one_batch_keeps_the_last(store: Store):
    assert store.upsert_items([Item(item_id="a", title="first"), Item(item_id="a", title="last")]) >= 1
    assert store.get_item("a").title == "last" and store.stats().items == 1


def test_history_is_time_ordered_with_item_id_ties(store: Store):
    store.add_events([
        Event(user_id="u", item_id="b", timestamp=2), Event(user_id="u", item_id="a", timestamp=2),
        Event(user_id="u", item_id="c", timestamp=1), Event(user_id="v", item_id="z", timestamp=0),
    ])
    assert [h.item_id for h in store.history("u")] == ["c", "a", "b"]
    assert [h.item_id for h in store.history("u", limit=2)] == ["a", "b"]


def test_history_can_keep_only_some_types_before_the_limit(store: Store):
    """The request path reads the latest counted events: impressions must not eat the window."""
    store.add_events([
        Event(user_id="u", item_id="a", type="view", timestamp=1),
        Event(user_id="u", item_id="b", type="dislike", timestamp=2),
        Event(user_id="u", item_id="c", type="impression", timestamp=3),
        Event(user_id="u", item_id="d", type="impression", timestamp=4),
        Event(user_id="v", item_id="z", type="view", timestamp=5),
    ])
    assert [h.item_id for h in store.history("u", limit=2, types={"view", "dislike"})] == ["a", "b"]
    assert [(h.item_id, h.type) for h in store.history("u", types=["dislike"])] == [("b", "dislike")]
    assert store.history("u", types=[]) == []
    assert [h.item_id for h in store.history("u", limit=2)] == ["c", "d"]


def test_seen_items_are_distinct_newest_first_of_the_given_types(store: Store):
    store.add_events([
        Event(user_id="u", item_id="a", type="view", timestamp=1),
        Event(user_id="u", item_id="b", type="dislike", timestamp=2),
        Event(user_id="u", item_id="a", type="view", timestamp=5),  # seen again: newest
        Event(user_id="u", item_id="c", type="impression", timestamp=6),
        Event(user_id="v", item_id="z", type="view", timestamp=7),
    ])
    assert store.seen_items("u", {"view", "dislike"}, 10) == ["a", "b"]
    assert store.seen_items("u", {"view", "dislike"}, 1) == ["a"]
    assert store.seen_items("u", ["impression"], 10) == ["c"]
    assert store.seen_items("u", [], 10) == [] and store.seen_items("nobody", {"view"}, 10) == []
    # None: every type (the feedback table reads unknown types as a counted default)
    assert store.seen_items("u", None, 10) == ["c", "a", "b"]


def test_iteration_orders_are_byte_orders(store: Store):
    """Both stores order ids the same way (the derived index compares id lists)."""
    ids = ["b", "B", "a", "_x", "10", "9", "é"]
    store.upsert_items([Item(item_id=i, title=i) for i in ids])
    assert [it.item_id for it in store.iter_items()] == sorted(ids) == store.item_ids()
    store.add_events([Event(user_id=u, item_id="a", timestamp=1) for u in ("u2", "U1", "u10")])
    assert [r[0] for r in store.iter_events()] == sorted(["u2", "U1", "u10"])


def test_delete_item_removes_its_events_and_delete_user_forgets(store: Store):
    store.upsert_items([Item(item_id="a", title="A"), Item(item_id="b", title="B")])
    store.add_events([Event(user_id="u", item_id="a", timestamp=1), Event(user_id="u", item_id="b", timestamp=2),
                      Event(user_id="w", item_id="a", timestamp=3)])
    before = store.changes()
    assert store.delete_item("a") is True
    assert store.delete_item("a") is False
    assert store.changes() == before + 1  # processes that build from the store learn to rebuild
    assert [h.item_id for h in store.history("u")] == ["b"]
    assert store.delete_user("u") == 1
    assert store.delete_user("u") == 0
    assert store.changes() == before + 2
    assert not store.has_user("u") and store.stats().events == 0


def test_bulk_ingest_counts_duplicates_across_and_within_batches(store: Store):
    store.upsert_items([Item(item_id=f"i{n}", title=str(n)) for n in range(50)])
    batch = [Event(user_id=f"u{n % 37}", item_id=f"i{n % 50}", timestamp=n) for n in range(1000)]
    assert store.add_events(batch) == (1000, 0)
    assert store.add_events(batch[:10] + batch[:10] + [Event(user_id="new", item_id="i1", timestamp=5)]) == (1, 20)
    st = store.stats()
    assert (st.events, st.users) == (1001, 38) and store.users_with_events(27) == 37
    assert st.last_event_id >= 1001 and store.last_event_id() == st.last_event_id
    assert len(store.get_items([f"i{n}" for n in range(60)])) == 50


def test_meta_round_trips(store: Store):
    assert store.get_meta("k") is None
    store.set_meta("k", "1")
    store.set_meta("k", "2")
    assert store.get_meta("k") == "2"


def test_meta_defaults_and_forgotten_users(store: Store):
    assert store.meta_default("salt", "first") == "first"
    assert store.meta_default("salt", "second") == "first"  # whoever came first wins
    assert store.forgotten_after(0) == []
    store.add_forgotten("h1")
    store.add_forgotten("h2")
    rows = store.forgotten_after(0)
    assert [h for _, h in rows] == ["h1", "h2"] and store.forgotten_after(rows[0][0]) == [rows[1]]


def test_writes_from_another_connection_are_seen_at_once(store: Store, settings):
    """Two processes (here: two stores) on one database see each other's writes."""
    other = open_store(settings)
    other.upsert_items([Item(item_id="a", title="A")])
    other.add_events([Event(user_id="u", item_id="a", timestamp=1)])
    assert store.get_item("a") is not None and [h.item_id for h in store.history("u")] == ["a"]
    other.close()


def test_concurrent_writers_lose_nothing(store: Store, settings):
    store.upsert_items([Item(item_id="a", title="A")])
    errors = []

    def write(w: int) -> None:
        s = open_store(settings)
        try:
            for b in range(10):
                s.add_events([Event(user_id=f"w{w}", item_id="a", timestamp=b * 100 + n) for n in range(50)])
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            s.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert store.stats().events == 4 * 10 * 50 and store.stats().users == 4


def test_an_unreachable_postgres_is_a_clear_error():
    from service.errors import StoreUnavailable
    from service.store.postgres import PostgresStore

    with pytest.raises(StoreUnavailable, match="RECS_STORE_URL") as e:
        PostgresStore("postgresql://u:secret@127.0.0.1:1/db", connect_timeout_s=1)
    assert "secret" not in str(e.value) and "127.0.0.1:1/db" in str(e.value)


def test_the_test_run_uses_the_store_it_was_asked_for(tmp_path):
    """RECS_TEST_STORE=postgres (tests/integration/test_api_on_postgres.py) really means
    PostgreSQL for settings built the way the API tests build them."""
    from service.settings import Settings
    from tests.conftest import TEST_STORE

    s = open_store(Settings(data_dir=tmp_path))
    try:
        assert s.kind == TEST_STORE
    finally:
        s.close()


def test_exposures_are_kept_per_person_bounded_and_in_order(store: Store):
    from service.store import Exposure

    shown = [Exposure("u", f"i{n}", 100.0 + n, "f1", 1) for n in range(5)]
    assert store.add_exposures(shown, keep=4) == 5
    store.add_exposures([Exposure("v", "i0", 50.0)], keep=4)
    mine = store.exposures("u")
    assert [x.item_id for x in mine] == ["i1", "i2", "i3", "i4"]  # the oldest went over the bound
    assert mine[0] == Exposure("u", "i1", 101.0, "f1", 1)
    assert store.exposures("v") == [Exposure("v", "i0", 50.0, None, None)]  # others untouched
    store.add_exposures([Exposure("u", "i9", 200.0, "f1", 2), Exposure("u", "i8", 200.0, "f2", 1)], keep=4)
    assert [x.item_id for x in store.exposures("u")] == ["i3", "i4", "i9", "i8"]
    assert store.feed_items("u", "f1", 1) == ["i3", "i4"]
    assert store.feed_items("u", "f1", 2) == ["i3", "i4", "i9"]
    assert store.feed_items("v", "f1", 2) == [] and store.add_exposures([], keep=4) == 0
    assert store.exposure_counts() == {"i3": 1, "i4": 1, "i9": 1, "i8": 1, "i0": 1}
    # an impression (no feed) is recorded once however often it is sent; answers every time
    assert store.add_exposures([Exposure("v", "i0", 50.0), Exposure("v", "i0", 60.0)], keep=4) == 1
    assert store.add_exposures([Exposure("v", "i0", 60.0, "f3", 1)] * 2, keep=4) == 2
    assert [(x.shown_at, x.feed) for x in store.exposures("v")] == [(50.0, None), (60.0, None), (60.0, "f3"),
                                                                  (60.0, "f3")]


def test_events_and_their_impressions_are_written_together(store: Store):
    from service.store import Exposure

    ev = [Event(user_id="u", item_id="a", type="impression", timestamp=5), Event(user_id="u", item_id="b", timestamp=6)]
    assert store.add_events(ev, [Exposure("u", "a", 5.0)], keep=10) == (2, 0)
    assert store.add_events(ev, [Exposure("u", "a", 5.0)], keep=10) == (0, 2)  # a retry: nothing twice
    assert store.exposures("u") == [Exposure("u", "a", 5.0)] and store.stats().events == 2


def test_forgetting_a_person_or_an_item_removes_their_exposures(store: Store):
    from service.store import Exposure

    store.upsert_items([Item(item_id=i, title=i) for i in ("a", "b")])
    store.add_exposures([Exposure(u, i, 1.0, "f", 1) for u in ("u", "v") for i in ("a", "b")], keep=10)
    store.delete_user("u")  # no events: the exposures go all the same
    assert store.exposures("u") == [] and len(store.exposures("v")) == 2
    store.delete_item("a")
    assert [x.item_id for x in store.exposures("v")] == ["b"]


def test_recording_exposure_leaves_event_writes_fully_synchronous(tmp_path):
    """Exposures are committed without an fsync; the connection goes back to FULL, so an
    acknowledged event still survives a power cut."""
    s = SqliteStore(tmp_path / "s.sqlite3")
    s.add_exposures([Exposure("u", "a", 1.0, "f" * 16, 1)], keep=10)
    assert s._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert [x.item_id for x in s.exposures("u")] == ["a"]
