"""Hard expectations of a chat request, checked against items' attributes: all of
`include`, at least one of `any`, none of `exclude` (values of `attr`, default
`genres`), every bound of `ranges` ({attribute: {gte, lte}}), and each of `and` (a list of
further such mappings, for a request that names values of more than one attribute). The format of
`scripts/chat_requests/*.yaml` and of the judged sets' `constraints`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def fits(attrs: Mapping, expected: Mapping) -> bool:
    if not all(fits(attrs, more) for more in expected.get("and", [])):
        return False
    raw = attrs.get(expected.get("attr", "genres"), [])
    values = set(raw if isinstance(raw, list) else [raw])
    for name, bounds in (expected.get("ranges") or {}).items():
        v = attrs.get(name)
        if not isinstance(v, int | float) or ("gte" in bounds and v < bounds["gte"]) or \
                ("lte" in bounds and v > bounds["lte"]):
            return False
    return (all(g in values for g in expected.get("include", []))
            and not any(g in values for g in expected.get("exclude", []))
            and (not expected.get("any") or any(g in values for g in expected["any"])))


def satisfaction(item_ids: Sequence[str], attributes: Mapping[str, Mapping], expected: Mapping,
                 achievable: int, k: int = 5) -> float:
    """Items of the top k that fit, over k or, when fewer items of the catalog fit at
    all (`achievable`), over that many."""
    top = list(dict.fromkeys(item_ids))[:k]
    hits = sum(fits(attributes[i], expected) for i in top if i in attributes)
    return hits / max(1, min(k, achievable))
