"""The first end of a range said before a number: 'between 6.3 and' 6.5 inches, 'entre 20
et' 50 €, '20到' 50美元, '6.3 to' 6.5."""

from __future__ import annotations

import re

# the first end of a range whose second end carries the unit or currency: 'between 6.3 and', 'entre 6,3 et',
# '6.3 to', '6.3到' ('and' / 'et' / 'y' only after 'between' / 'entre')
_RANGE_BEFORE = re.compile(r"(?:(between|entre)\s+)?(\d{1,4}(?:[.,]\d{1,2})?)\s*(and|et|y|to|à|a|-|–|~|到|至)\s*$")
_TO = {"to", "à", "a", "-", "–", "~", "到", "至"}


def range_start(low: str, at: int, before: str) -> tuple[float, int, int] | None:
    """(value, start, end) of the first end of a range ending at `at`, if one does."""
    m = _RANGE_BEFORE.search(before)
    if not m or not (m.group(1) or m.group(3) in _TO):
        return None
    offset = at - len(before)
    return float(m.group(2).replace(",", ".")), offset + m.start(2), offset + m.end(2)
