"""The small sci-fi/kids catalog of tests/conftest.py as data the integration tests start
from: a data dir with the catalog, the block events and built indexes (`make_data`), or a
MovieLens-style CSV folder for the import and eval paths (`write_dataset`)."""

from __future__ import annotations

from service.pipeline import Recommender
from service.settings import LLMSettings, Settings
from service.store import open_store
from tests.conftest import KIDS, SCIFI, block_events, catalog


def make_data(path, **settings) -> Settings:
    """Settings for a data dir at `path` holding the catalog and block events, indexed; no
    LLM; `settings` adds to (or overrides) them."""
    s = Settings(**{"data_dir": path, "llm": LLMSettings(backend="none"), **settings})
    store = open_store(s)
    store.upsert_items(catalog())
    store.add_events(block_events())
    Recommender(s, store=store).build_index()
    store.close()
    return s


def write_dataset(d):
    """movies.csv and ratings.csv in a new folder `d`: 30 users each walk four steps
    through one block, cyclically, so every next item is seen mid-walk by others."""
    d.mkdir()
    rows = ["movieId,title,genres"] + [f'{i},"{t} ({y})",{"Sci-Fi" if i.startswith("s") else "Animation|Children"}'
                                       for i, t, _, y in SCIFI + KIDS]
    (d / "movies.csv").write_text("\n".join(rows) + "\n")
    ratings = ["userId,movieId,rating,timestamp"]
    for u in range(30):  # cyclic walks through a block: every next item is seen mid-walk by others
        block = SCIFI if u % 2 else KIDS
        start = u % 6
        ratings += [f"{u},{block[(start + t) % 6][0]},4.0,{100 + t}" for t in range(4)]
    (d / "ratings.csv").write_text("\n".join(ratings) + "\n")
    return d
