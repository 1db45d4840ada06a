"""Shared fixtures. Everything here is real (SQLite, Chroma in a temp dir, wordllama);
only unit tests of LLM prompt/parse/blend logic use a scripted fake LLM."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from service.settings import Settings
from service.store import Store, open_store
from service.types import Event, Item

# RECS_TEST_STORE=postgres runs the tests against PostgreSQL: every test (and every
# module-scoped server) gets a fresh database through RECS_STORE_URL, so tests run
# unchanged. Tests marked `both_stores` run on both stores in every run.
TEST_STORE = os.environ.get("RECS_TEST_STORE", "sqlite")

# Servers started by tests do not start the background trainer unless a test asks for it
# (tests/integration/test_trainer.py does); it would compete for the 2 cores.
os.environ.setdefault("RECS_TRAINER__ENABLED", "false")

SCIFI = [
    ("s1", "Star Voyage", "A starship crew explores a distant galaxy and fights alien invaders.", 1979),
    ("s2", "Robot Uprising", "Androids and robots rebel against humans in a dystopian future.", 1984),
    ("s3", "Mars Colony", "Astronauts build a colony on Mars and discover an alien signal.", 1990),
    ("s4", "Time Paradox", "A scientist travels through time and breaks the future.", 1995),
    ("s5", "Cyber Matrix", "A hacker learns reality is a computer simulation run by machines.", 1999),
    ("s6", "Galactic Empire", "Space battles between rebels and an evil galactic empire.", 2005),
]
KIDS = [
    ("k1", "Happy Puppy", "An animated cartoon about a funny puppy and his friends, for kids.", 1995),
    ("k2", "Princess Castle", "A musical cartoon fairy tale about a princess, for children.", 1998),
    ("k3", "Toy Friends", "Animated toys come alive in a funny family adventure for kids.", 2001),
    ("k4", "Ocean Fish", "A little cartoon fish gets lost in the ocean; a family film for children.", 2003),
    ("k5", "Jungle Song", "Singing jungle animals in a funny animated musical for kids.", 2008),
    ("k6", "Snow Magic", "An animated family fairy tale about a magic snow queen, for children.", 2013),
]


def catalog() -> list[Item]:
    items = [Item(item_id=i, title=t, text=x, attributes={"genres": ["Sci-Fi"], "year": y})
             for i, t, x, y in SCIFI]
    items += [Item(item_id=i, title=t, text=x, attributes={"genres": ["Animation", "Children"], "year": y})
              for i, t, x, y in KIDS]
    return items


def block_events() -> list[Event]:
    """Users u0..u9 watch sci-fi in order s1..s6; users u10..u19 watch kids k1..k6.
    Each user starts at a different point, so neighbours and 'next item' are obvious."""
    events = []
    for u in range(20):
        ids = [s[0] for s in (SCIFI if u < 10 else KIDS)]
        start = u % 3
        for t, item in enumerate(ids[start:start + 4]):
            events.append(Event(user_id=f"u{u}", item_id=item, type="view", timestamp=1000 + 10 * u + t))
    return events


def pytest_configure(config):
    config.addinivalue_line("markers", "both_stores: run on SQLite and on PostgreSQL")


def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker("both_stores") and "store_kind" in metafunc.fixturenames:
        metafunc.parametrize("store_kind", ["sqlite", "postgres"], indirect=True)


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL server for the session (or the one RECS_TEST_PG_ADMIN names)."""
    from tests.pg import ExistingPg, PgServer, admin_from_env, pg_bin

    admin = admin_from_env()
    if admin:
        yield ExistingPg(admin)
        return
    if pg_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; .ci/run installs Debian's postgresql")
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    server = PgServer().start()
    os.environ["RECS_TEST_PG_ADMIN"] = server.url()  # servers and pytest runs started by tests reuse it
    yield server
    os.environ.pop("RECS_TEST_PG_ADMIN", None)
    server.stop()


@pytest.fixture
def store_kind(request) -> str:
    return getattr(request, "param", TEST_STORE)


@pytest.fixture(scope="module", autouse=True)
def _module_database(request):
    """RECS_TEST_STORE=postgres: a fresh database for what a module sets up once."""
    if TEST_STORE != "postgres":
        yield
        return
    pg = request.getfixturevalue("pg_server")
    mp = pytest.MonkeyPatch()
    mp.setenv("RECS_STORE_URL", pg.new_database())
    yield
    mp.undo()


@pytest.fixture(autouse=True)
def _test_database(request, monkeypatch):
    """RECS_TEST_STORE=postgres: a fresh database per test."""
    if TEST_STORE == "postgres":
        monkeypatch.setenv("RECS_STORE_URL", request.getfixturevalue("pg_server").new_database())


@pytest.fixture
def settings(tmp_path: Path, store_kind: str, request) -> Settings:
    if store_kind == "postgres" and TEST_STORE != "postgres":
        url = request.getfixturevalue("pg_server").new_database()
        return Settings(data_dir=tmp_path / "data", store_url=url)
    if store_kind == "sqlite" and TEST_STORE == "postgres":
        return Settings(data_dir=tmp_path / "data", store_url=None)
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def store(settings: Settings) -> Store:
    s = open_store(settings)
    yield s
    s.close()


@pytest.fixture(scope="session")
def embedder():
    from service.embed import make_embedder

    return make_embedder("wordllama")


@pytest.fixture
def recommender(settings: Settings, store: Store, embedder):
    from service.pipeline import Recommender

    store.upsert_items(catalog())
    store.add_events(block_events())
    rec = Recommender(settings, store=store, embedder=embedder)
    rec.build_index()
    return rec
