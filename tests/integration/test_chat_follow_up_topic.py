"""A follow-up refines what the conversation is about: over HTTP, with the real sentence
encoder, the earlier turn's topic still ranks the answer when the follow-up only adds
to it ('un film de vampires' ... 'moins romantique, je veux que ça fasse vraiment peur')."""

from __future__ import annotations

import httpx
import pytest

from service.api.app import create_app
from service.types import Event, Item
from tests.integration.api_server import serve
from tests.integration.test_chat_catalogs import make

FILMS = [  # (id, title, genres, tags)
    ("v1", "Dracula (1931)", ["Horror"], "vampire, count, castle, undead"),
    ("v2", "Nosferatu (1922)", ["Horror"], "vampire, silent, plague, undead"),
    ("v3", "Twilight (2008)", ["Romance", "Fantasy"], "vampire, teen romance, love triangle"),
    ("v4", "Vampire Kisses (2010)", ["Romance", "Comedy"], "vampire, romance, high school"),
    ("h1", "The Exorcist (1973)", ["Horror"], "demonic possession, priest"),
    ("h2", "Halloween (1978)", ["Horror"], "slasher, masked killer"),
    ("h3", "The Ring (2002)", ["Horror"], "cursed videotape, ghost"),
    ("h4", "Jaws (1975)", ["Horror", "Thriller"], "shark, beach, ocean"),
    ("c1", "Groundhog Day (1993)", ["Comedy", "Romance"], "time loop"),
    ("c2", "Airplane! (1980)", ["Comedy"], "parody, disaster"),
]


@pytest.fixture(scope="module")
def films(tmp_path_factory):
    items = [Item(item_id=i, title=t, text=f"{t}. Genres: {', '.join(g)}. Tags: {tags}.", attributes={"genres": g})
             for i, t, g, tags in FILMS]
    # every film as popular as the next: what ranks them is what the conversation means
    events = [Event(user_id=f"u{u}", item_id=i, timestamp=float(u)) for u in range(10) for i, *_ in FILMS]
    with serve(create_app(make(tmp_path_factory.mktemp("films"), items, events))) as base:
        yield base


def ask(base: str, messages: list[dict], k: int = 3) -> dict:
    r = httpx.post(base + "/v1/chat", json={"messages": messages, "k": k, "explain": False}, timeout=120)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("first,follow_up", [
    ("un film de vampires", "moins romantique, je veux que ça fasse vraiment peur"),
    ("a vampire movie", "less romantic, I want something really scary"),
    ("una de vampiros", "menos romántica, que dé miedo de verdad"),
])
def test_a_follow_up_keeps_the_topic_it_refines(films, first, follow_up):
    base = films
    one = ask(base, [{"role": "user", "content": first}], k=1)
    reply = ask(base, [{"role": "user", "content": first}, {"role": "assistant", "content": one["reply"]},
                       {"role": "user", "content": follow_up}])
    understood = reply["understood"]
    assert understood["follows"] and understood["query"], understood
    assert understood["filters"]["exclude"]["genres"] == ["Romance"], understood  # 'less romantic'
    # the vampire horror films the first answer did not show come first, before the
    # horror films about something else
    shown = {i["item_id"] for i in one["items"]}
    left = {"v1", "v2"} - shown
    got = [i["item_id"] for i in reply["items"]]
    assert set(got[:len(left)]) == left, (got, one["items"], understood)
