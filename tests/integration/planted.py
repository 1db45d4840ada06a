"""A small catalog with a planted next-item pattern that the candidate order misses and
a trained reranker learns: shared by the reranker, trainer and deployment tests."""

from __future__ import annotations

import random

from service.settings import FusionWeights
from service.types import Event, Item

PAIRS = [("a1", "b1"), ("a2", "b2"), ("a3", "b3"), ("a4", "b4")]
FILLER = [f"p{i}" for i in range(16)]


def planted_catalog() -> list[Item]:
    items = [Item(item_id=i, title=f"Filler film {i}", attributes={"genres": ["Drama"]}) for i in FILLER]
    for a, b in PAIRS:
        items.append(Item(item_id=a, title=f"Opening part {a}", attributes={"genres": ["Mystery"]}))
        items.append(Item(item_id=b, title=f"Closing part {b}", attributes={"genres": ["Mystery"]}))
    return items


def planted_events(users: int = 240, seed: int = 1) -> list[Event]:
    """Users take filler films, then some a_i, and then always b_i right after it;
    the pair lands at a varying distance from the end, so every split sees it."""
    rng = random.Random(seed)
    events = []
    for u in range(users):
        a, b = PAIRS[u % len(PAIRS)]
        prefix = rng.sample(FILLER, rng.randint(3, 6))
        suffix = rng.sample([f for f in FILLER if f not in prefix], rng.randint(0, 3))
        for t, item in enumerate(prefix + [a, b] + suffix):
            events.append(Event(user_id=f"u{u}", item_id=item, type="view", timestamp=1000.0 * u + t))
    return events


# the candidate order is told to trust popularity, so the planted next item must be learned
FUSION = FusionWeights(history={"cf": 0.3, "semantic_profile": 0.0, "popularity": 1.0})
