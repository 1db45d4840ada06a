"""What the shop sells is no filter: in a laptop shop whose categories are 'laptop',
'gaming laptop', '2-in-1' and 'chromebook', 'un ordi portable', '笔记本' or 'a laptop'
names every item, not only those filed under the plain 'laptop'."""

from __future__ import annotations

from service.text.vocabulary import Vocabulary


def generic_values(vocab: Vocabulary, list_attributes: set[str]) -> set[tuple[str, str]]:
    """(attribute, value) pairs that name the shop's kind: the most common value of an
    attribute each item has one of, when it is a word of another of its values ('laptop'
    of 'gaming laptop')."""
    by_attr: dict[str, list[tuple[str, int]]] = {}
    for (attr, value), n in vocab.values.items():
        by_attr.setdefault(attr, []).append((value, n))
    out = set()
    for attr, vals in by_attr.items():
        if attr in list_attributes or len(vals) < 2:
            continue
        top, _n = max(vals, key=lambda v: v[1])
        if any(top.casefold() in v.casefold().split() for v, _m in vals if v != top):
            out.add((attr, top))
    return out


def without_kind(filters: dict[str, list[str]], generic: set[tuple[str, str]]) -> dict[str, list[str]]:
    """`filters` less the values that name the shop's kind."""
    kept = {a: [v for v in vals if (a, v) not in generic] for a, vals in filters.items()}
    return {a: vals for a, vals in kept.items() if vals}
