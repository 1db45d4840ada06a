"""What an event means: the one place that reads an event's type (and a rating's value)
as positive (with a weight), negative or neutral. Every reader of events (CF and
sequence matrices, popularity, the request-path history, the trainer's targets) asks
this, so a `dislike` or a 1-star rating is never counted as wanting more.

A person's latest signal on an item wins: viewed then disliked is a negative; disliked
then bought is a positive. Neutral events (impressions) are kept in the store and
change nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from itertools import groupby

from service.errors import InvalidInput
from service.settings import FeedbackSettings
from service.types import Event


class Kind(str, Enum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    NEUTRAL = "neutral"


@dataclass(frozen=True)
class Signal:
    kind: Kind
    weight: float = 0.0  # how much a positive counts (0 otherwise)


NEUTRAL = Signal(Kind.NEUTRAL)
NEGATIVE = Signal(Kind.NEGATIVE)


@dataclass(frozen=True)
class Split:
    """A person's events read as feedback: the positive item ids in time order (the
    profile), their weights, and the items they turned down."""

    positives: list[str]
    weights: list[float]
    negatives: list[str]
    latest_at: float | None  # time of the latest counted event (positive or negative), None without one


class Feedback:
    def __init__(self, cfg: FeedbackSettings) -> None:
        self.cfg = cfg
        self.types = cfg.types

    def known(self) -> list[str]:
        return sorted(self.types)

    def counted_types(self) -> set[str] | None:
        """The stored types whose events can count (positive or negative); None when any
        type can (unknown types are read as a default that counts)."""
        default = self.types.get(self.cfg.unknown)
        if default is not None and default.kind != "neutral":
            return None
        return {n for n, t in self.types.items() if t.kind != "neutral"}

    def exposure_types(self) -> set[str]:
        """The configured neutral types: an event of one says the item was shown."""
        return {n for n, t in self.types.items() if t.kind == "neutral"}

    def resolve(self, type_: str) -> str:
        """The type an incoming event is stored as: itself when known, the configured
        default otherwise, or InvalidInput naming the known types."""
        if type_ in self.types:
            return type_
        if self.cfg.unknown != "reject":
            return self.cfg.unknown
        raise InvalidInput(f"unknown event type {type_!r}: known types are {', '.join(self.known())} "
                           "(GET /v1/feedback-types says what each means)")

    def resolve_events(self, events: Iterable[Event]) -> list[Event]:
        """Events with their types resolved; the whole batch is refused on the first
        unknown type (nothing is stored)."""
        out = []
        for e in events:
            t = self.resolve(e.type)
            out.append(e if t == e.type else e.model_copy(update={"type": t}))
        return out

    def signal(self, type_: str, value: float | None) -> Signal:
        """What one stored event means. A type that is not configured (stored before
        the table changed) reads as the `unknown` default, or counts nowhere."""
        spec = self.types.get(type_)
        if spec is None:
            spec = self.types.get(self.cfg.unknown)
            if spec is None:
                return NEUTRAL
        if spec.kind == "positive":
            return Signal(Kind.POSITIVE, spec.weight)
        if spec.kind == "negative":
            return NEGATIVE
        if spec.kind == "rating":
            if value is not None and value >= spec.threshold:
                return Signal(Kind.POSITIVE, spec.weight)
            return NEGATIVE
        return NEUTRAL

    def split(self, entries: Sequence) -> Split:
        """One person's events (oldest first; `.item_id`, `.type`, `.value`, `.timestamp`)
        read as feedback, the latest positive or negative signal per item winning."""
        last: dict[str, tuple[int, Signal, float]] = {}
        for n, e in enumerate(entries):
            s = self.signal(e.type, e.value)
            if s.kind is not Kind.NEUTRAL:
                last[e.item_id] = (n, s, e.timestamp)
        negatives = {i for i, (_, s, _) in last.items() if s.kind is Kind.NEGATIVE}
        positives, weights = [], []
        for e in entries:
            s = self.signal(e.type, e.value)
            if s.kind is Kind.POSITIVE and e.item_id not in negatives:
                positives.append(e.item_id)
                weights.append(s.weight)
        latest = max((t for _, _, t in last.values()), default=None)
        return Split(positives, weights, sorted(negatives), latest)

    def liked(self, entries: Sequence, min_rating: float) -> list[str]:
        """The positives (as `split` reads them) a reason may say the person enjoyed: an
        item whose latest rating is below `min_rating` counts for ranking (ratings are
        positives by default) but 'which you enjoyed' would be false of it."""
        rated: dict[str, float] = {}
        for e in entries:
            spec = self.types.get(e.type)
            if spec is not None and spec.kind == "rating" and e.value is not None:
                rated[e.item_id] = e.value
        return [i for i in self.split(entries).positives if rated.get(i, min_rating) >= min_rating]

    def positive_rows(self, rows: Iterable[tuple]) -> Iterator[tuple]:
        """Event rows (user_id, item_id, type, value, timestamp), grouped by user as the
        store's `iter_events` yields them, keeping each user's positives only (an item
        the user's latest signal turned down drops out entirely)."""
        for _user, group in groupby(rows, key=lambda r: r[0]):
            group = list(group)
            final: dict[str, Kind] = {}
            for r in group:
                kind = self.signal(r[2], r[3]).kind
                if kind is not Kind.NEUTRAL:
                    final[r[1]] = kind
            for r in group:
                if final.get(r[1]) is Kind.POSITIVE and self.signal(r[2], r[3]).kind is Kind.POSITIVE:
                    yield r

    def describe(self) -> list[dict]:
        """Each type and what it means, for `GET /v1/feedback-types`."""
        out = []
        for name in self.known():
            t = self.types[name]
            if t.kind == "positive":
                meaning = f"positive (weight {t.weight:g}): more like this"
            elif t.kind == "negative":
                meaning = "negative: never recommended again to this person; similar items demoted"
            elif t.kind == "rating":
                meaning = (f"rating in `value`: positive (weight {t.weight:g}) at or above {t.threshold:g}, "
                           "negative below it")
            else:
                meaning = "neutral (an exposure): stored, counted nowhere"
            out.append({"type": name, "kind": t.kind, "weight": t.weight if t.kind in ("positive", "rating") else None,
                        "threshold": t.threshold, "meaning": meaning})
        return out
