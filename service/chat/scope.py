"""Vague sizes and prices measured against what the rest of the request considers: 'un
iPhone con pantalla grande' is a big screen for an iPhone (the top quarter of the
iPhones' screens), 'un Motorola que no sea caro' a price low for a Motorola, 'the
cheapest with a Snapdragon 8 Elite' the cheapest third of those, not of the whole
catalog (which may leave one item, or none)."""

from __future__ import annotations

import re

import numpy as np

from service.chat.intent_state import Intent
from service.types import Filters

MIN_CONSIDERED = 4  # fewer items than this: the catalog's own distribution stands
_BOUND = re.compile(r"(>=|<=) -?[\d.]+(?:e[-+]?\d+)?")


def within_considered(intent: Intent, space, filters: Filters) -> None:
    """Rewrite each bound read from a vague word (`NumericConstraint.level`) as that
    quantile of the items the request's categorical filters let through (`filters`:
    values named, not those found by meaning, the least certain)."""
    guesses = [c for c in intent.ranges if c.level is not None]
    if not guesses or not (filters.include or filters.require or filters.exclude):
        return
    # the kind of item considered (a brand, a chip), not other sizes: 'charges really fast
    # but with a screen under 6.5 inches' is fast for any phone, not for a small one
    mask = space.filter_mask(filters.model_copy(update={"ranges": {}}))
    if mask.sum() < MIN_CONSIDERED:
        return
    rows = np.flatnonzero(mask)
    for c in guesses:
        values = [v for r in rows for v in [space.attributes[r].get(c.attribute)]
                  if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(values) < MIN_CONSIDERED:
            continue
        q = round(float(np.quantile(values, c.level)), 2)
        if c.gte is not None and c.lte is None:
            c.gte = q
        elif c.lte is not None and c.gte is None:
            c.lte = q
        else:
            continue
        c.why = _BOUND.sub(lambda m: f"{m.group(1)} {q:g}", c.why, count=1)
