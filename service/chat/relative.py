"""Comparisons with an item referred to ('cheaper than the first one', 'about its price',
'for half the price'): the attribute bounded by that item's value."""

from __future__ import annotations

from service.chat.intent_state import Intent
from service.text.numbers import NumericConstraint, around
from service.text.vocabulary import Vocabulary

HALF = 0.6  # 'for half the price': at most this share of the item's price


def relative_ranges(intent: Intent, catalog, vocab: Vocabulary) -> None:
    """'cheaper than the first one': the attribute bounded by the referred item's value
    (strictly: that item itself is not cheaper than itself); 'something cheaper' after
    an answer: beyond every item it showed."""
    if not intent.relative or not intent.compared_with:
        return
    items = catalog.get_items(intent.compared_with).values()
    role_of = {a: r for r, a in vocab.roles.items()}
    for attr, side, words in intent.relative:
        values = [v for it in items for v in [it.attributes.get(attr)]
                  if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if not values:
            continue
        if side == "around":  # 'around the same price as the first one': either way of it
            lo, hi = around(role_of.get(attr), min(values), max(values))
            intent.ranges[:] = [r for r in intent.ranges if r.attribute != attr]
            intent.ranges.append(NumericConstraint(attr, lo, hi, 0, 0, f"{words}: {attr} {lo:g}-{hi:g}", guess=True))
            continue
        if side == "half":  # 'quelque chose de similaire pour moitié prix'
            cap = round(min(values) * HALF, 2)
            # an explicit bound said with it stands when tighter
            intent.ranges[:] = [r for r in intent.ranges
                                if r.attribute != attr or (r.lte is not None and r.lte < cap)]
            if not any(r.attribute == attr for r in intent.ranges):
                intent.ranges.append(NumericConstraint(attr, None, cap, 0, 0, f"{words}: {attr} <= {cap:g}",
                                                        guess=True))
            continue
        value = min(values) if side == "lower" else max(values)
        step = 1.0 if float(value).is_integer() and abs(value) >= 100 else abs(value) * 0.01 or 0.01
        c = (NumericConstraint(attr, None, value - step, 0, 0, f"{words}: {attr} < {value:g}") if side == "lower"
             else NumericConstraint(attr, value + step, None, 0, 0, f"{words}: {attr} > {value:g}"))
        same = [r for r in intent.ranges if r.attribute == attr and (r.lte is None) == (c.lte is None)]
        if any(r.lte <= c.lte if side == "lower" else r.gte >= c.gte for r in same):
            continue  # 'cheaper than the OnePlus 12, $550 tops': the tighter bound said stands
        intent.ranges[:] = [r for r in intent.ranges if r not in same]
        intent.ranges.append(c)
