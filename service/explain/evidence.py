"""Why an item is in the answer, read from the ranking itself: the evidence a reason may
rest on, and nothing else.

For each recommended item: the history items that pulled it in and how strongly (their
share of its item-item CF score: co-liked and comes-next parts, the same arithmetic the
CF source ranked it with), the item the request named ('like X'), the catalog values
the item really shares with each of them, the request's wishes it meets, and its own
catalog facts (year, creators, rating). A blurb may say only what is here; the fact
sentence (sentences.py) says it in the person's language."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from service.types import Item

# Catalog attributes that are facts about an item rather than things to share.
FACT_KEYS = ("year", "authors", "director", "directors", "brand", "creator", "average_rating", "rating")
# What kind of thing an item is, read from the attributes its catalog gives it: a reason
# must not call a film something to read (or a book something to watch).
MEDIUM_BY_ATTRIBUTE = (("authors", "book"), ("brand", "device"), ("genres", "film"))


def values(item: Item) -> list[str]:
    """The item's list-attribute values (genres, tags, authors...), in catalog order."""
    out: list[str] = []
    for v in item.attributes.values():
        if isinstance(v, list):
            out.extend(str(x) for x in v if str(x) not in out)
    return out


def shared_values(a: Item, b: Item) -> list[str]:
    """The values both items really carry (case-insensitive), in `a`'s order."""
    theirs = {v.casefold() for v in values(b)}
    return [v for v in values(a) if v.casefold() in theirs]


def attribute_of(item: Item) -> dict[str, str]:
    """Each of the item's list values -> the attribute it is in ('Sci-Fi' -> 'genres')."""
    out: dict[str, str] = {}
    for k, v in item.attributes.items():
        if isinstance(v, list):
            for x in v:
                out.setdefault(str(x), k)
    return out


def medium(item: Item) -> str | None:
    for key, kind in MEDIUM_BY_ATTRIBUTE:
        if key in item.attributes:
            return kind
    return None


@dataclass(frozen=True)
class Contributor:
    """A history item behind a recommendation."""

    item_id: str
    title: str
    weight: float  # its share of the item's CF score, 0..1 (0: linked by shared values only)
    via: tuple[str, ...]  # "asked_like" | "co_liked" | "next" | "shared_values"
    shared: tuple[str, ...]  # catalog values the recommended item and this one both carry
    year: int | None = None


@dataclass(frozen=True)
class Evidence:
    item_id: str
    title: str
    because: tuple[Contributor, ...]  # strongest first
    asked: tuple[str, ...] = ()  # the request's wishes (catalog values) the item meets
    facts: dict = field(default_factory=dict)  # year, creators, rating, from the catalog
    values: tuple[str, ...] = ()  # the item's own catalog values: true of it, so sayable
    sources: dict = field(default_factory=dict)  # the ranking's score per candidate source
    medium: str | None = None
    attributes: dict = field(default_factory=dict)  # value -> the attribute it is in

    def all_genres(self, values) -> bool:
        return bool(values) and all(self.attributes.get(v) == "genres" for v in values)

    @property
    def top(self) -> Contributor | None:
        return self.because[0] if self.because else None

    def sayable(self) -> set[str]:
        """Catalog values a reason may attribute to the item (casefolded)."""
        return {v.casefold() for v in (*self.values, *self.asked)}

    def years(self) -> set[int]:
        out = {c.year for c in self.because if c.year}
        if isinstance(self.facts.get("year"), int):
            out.add(self.facts["year"])
        return out

    def as_dict(self) -> dict:
        d = asdict(self)
        d["because"] = [{**c, "via": list(c["via"]), "shared": list(c["shared"])} for c in d["because"]]
        return {**d, "asked": list(self.asked), "values": list(self.values)}


class EvidenceBuilder:
    """Evidence from the CF model and the catalog. `space` and `model` are the index's
    item space and item-item model (the ones the answer was ranked with)."""

    def __init__(self, space, model) -> None:
        self.space, self.model = space, model

    def contributions(self, item_id: str, history: list[str]) -> dict[str, tuple[float, float]]:
        """History item -> (co-liked part, comes-next part) of `item_id`'s CF score."""
        target = self.space.index.get(item_id)
        known = [h for h in history if h in self.space.index and h != item_id]
        if target is None or not known:
            return {}
        rows, sim, nxt = self.model.contributions(self.space.rows(known), target)
        out: dict[str, tuple[float, float]] = {}
        for r, s, t in zip(rows, sim, nxt):
            h = self.space.ids[r]
            a, b = out.get(h, (0.0, 0.0))
            out[h] = (a + float(s), b + float(t))
        return out

    def build(self, item: Item, history: dict[str, Item], sources: dict | None = None,
              asked_values: list[str] | None = None, prefer: list[str] = (), n: int = 2) -> Evidence:
        """`history`: the person's items (oldest first); `prefer`: items the request named."""
        hist = [h for h in history if h != item.item_id]
        parts = self.contributions(item.item_id, hist)
        total = sum(a + b for a, b in parts.values()) or 1.0

        def link(h: str, extra: tuple[str, ...] = ()) -> Contributor:
            a, b = parts.get(h, (0.0, 0.0))
            via = extra + (("co_liked",) if a > 0 else ()) + (("next",) if b > 0 else ())
            shared = tuple(shared_values(item, history[h]))
            if not via:
                via = ("shared_values",)
            year = history[h].attributes.get("year")
            return Contributor(h, history[h].title, round((a + b) / total, 3), via, shared,
                               year if isinstance(year, int) else None)

        chosen = [p for p in dict.fromkeys(prefer) if p in history and p != item.item_id][:n]
        out = [link(p, ("asked_like",)) for p in chosen]
        ranked = sorted((h for h in parts if sum(parts[h]) > 0 and h not in chosen),
                        key=lambda h: (-sum(parts[h]), hist.index(h)))
        out += [link(h) for h in ranked[: n - len(out)]]
        # the history items sharing the most values: where CF found too few links, and one
        # more when none of the links shares a value with the item (a property to state)
        taken = {c.item_id for c in out}
        by_overlap = [h for s, _k, h in sorted(((len(shared_values(item, history[h])), -k, h)
                                                for k, h in enumerate(hist) if h not in taken), reverse=True) if s > 0]
        want = max(n - len(out), 0 if any(c.shared for c in out) else 1)
        out += [link(h) for h in by_overlap[:want]]
        wishes = {v.casefold() for v in asked_values or []}
        asked = tuple(v for v in values(item) if v.casefold() in wishes)
        facts = {k: item.attributes[k] for k in FACT_KEYS if k in item.attributes}
        return Evidence(item.item_id, item.title, tuple(out), asked, facts, tuple(values(item)),
                        dict(sources or {}), medium(item), attribute_of(item))
