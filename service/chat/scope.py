"""Vague sizes and prices measured against what the rest of the request considers: 'un
iPhone con pantalla grande' is a big screen for an iPhone (the top quarter of the
iPhones' screens), 'un Motorola que no sea caro' a price low for a Motorola, 'the
cheapest with a Snapdragon 8 Elite' the cheapest third of those, not of the whole
catalog (which may leave one item, or none)."""

from __future__ import annotations

import re

import numpy as np

from service.chat.intent_state import Intent
from service.chat.plan import tightest_ranges
from service.types import Filters

MIN_CONSIDERED = 4  # fewer items than this: the catalog's own distribution stands
_BOUND = re.compile(r"(>=|<=) -?[\d.]+(?:e[-+]?\d+)?")


def within_considered(intent: Intent, space, filters: Filters) -> None:
    """Rewrite each bound read from a vague word (`NumericConstraint.level`) as that
    quantile of the items the request's other filters let through."""
    guesses = [c for c in intent.ranges if c.level is not None]
    if not guesses:
        return
    sure = tightest_ranges([c for c in intent.ranges if c.level is None])
    mask = space.filter_mask(filters.model_copy(update={"ranges": sure}))
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
