"""What `Chat.run` yields, typed, and the one accumulator that builds the answer from
them. Every surface (SSE, OpenAI chunks, MCP, the CLI) renders these events and reads the
answer from `ChatAnswer`; none keeps its own tally.

Order: `Planned`, `Items` (the ranked list, ready before any blurb), `Reply` (the
opening line), per item `BlurbDelta`s while the model writes (a higher attempt restarts
the item's text) and its final `Blurb`, then `Done` with the whole reply."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from service.chat.plan import ChatPlan
from service.explain import Blurb, BlurbDelta
from service.recommender.results import Recommendation
from service.types import Ranked


@dataclass(frozen=True)
class Planned:
    plan: ChatPlan


@dataclass(frozen=True)
class Items:
    recommendation: Recommendation


@dataclass(frozen=True)
class Reply:
    text: str  # the reply's opening line


@dataclass(frozen=True)
class Done:
    reply: str  # the whole reply: the opening line, then one numbered line per item


ChatEvent = Union[Planned, Items, Reply, BlurbDelta, Blurb, Done]


def numbered_line(n: int, item: Ranked, blurb: Blurb | None) -> str:
    """'2. Title — its blurb' (the title alone without one)."""
    return f"{n}. {item.title}" + (f" — {blurb.text}" if blurb else "")


@dataclass
class ChatAnswer:
    plan: ChatPlan | None = None
    recommendation: Recommendation | None = None
    header: str = ""
    blurbs: dict[str, Blurb] = field(default_factory=dict)  # item id -> its final blurb
    reply: str = ""  # the whole reply, once done
    released: int = 0  # numbered lines already given out by `release`

    def add(self, ev: ChatEvent) -> None:
        if isinstance(ev, Planned):
            self.plan = ev.plan
        elif isinstance(ev, Items):
            self.recommendation = ev.recommendation
        elif isinstance(ev, Reply):
            self.header += ev.text
        elif isinstance(ev, Blurb):
            self.blurbs[ev.item_id] = ev
        elif isinstance(ev, Done):
            self.reply = ev.reply

    @property
    def items(self) -> list[Ranked]:
        return self.recommendation.items if self.recommendation is not None else []

    def text(self) -> str:
        """The opening line and a numbered line per item, with the blurbs final so far."""
        items = self.items
        return "\n".join([self.header, *(numbered_line(n, r, self.blurbs.get(r.item_id))
                                         for n, r in enumerate(items, start=1))])

    def release(self, final: bool = False) -> list[str]:
        """The numbered lines not given out yet, in order, each once its item's blurb is
        final (`final`: all the rest, with or without one)."""
        out, items = [], self.items
        while self.released < len(items) and (final or items[self.released].item_id in self.blurbs):
            r = items[self.released]
            self.released += 1
            out.append(numbered_line(self.released, r, self.blurbs.get(r.item_id)))
        return out
