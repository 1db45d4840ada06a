"""Empty praise: phrases that would fit any title ("a must-watch", "a masterpiece",
"captivated audiences") and so say nothing about why this person might enjoy this one.
Small models reach for them when they have nothing specific to say. The service does
not reject them (a blurb may be grounded and still generic); `prompts compare` reports
how often each prompt produces them, so a variant that trades reasons for praise shows.

The one list: English phrases, matched on word boundaries, case-insensitive, with any
run of spaces or hyphens between words ("must watch" = "must-watch")."""

from __future__ import annotations

import re
from functools import cache

PHRASES = (
    "must-watch", "must-see", "must-read", "must-have",
    "masterpiece", "masterpieces", "masterful",
    "classic example", "timeless classic", "instant classic", "true classic", "cult classic",
    "praised for", "acclaimed", "critically acclaimed", "award-winning",
    "captivated audiences", "captivating audiences", "audiences worldwide", "beloved by",
    "stands the test of time", "stood the test of time", "one of the greatest", "one of the best",
    "a gem", "hidden gem", "tour de force", "unforgettable experience", "will not disappoint",
    "won't disappoint", "edge of your seat", "a treat for", "sure to delight", "not to be missed",
    "a favorite among", "a favorite of", "favorite of many", "fan favorite", "a great choice", "a great pick",
    "has been reimagined", "been reimagined",
)


@cache
def _pattern() -> re.Pattern[str]:
    alternatives = sorted((r"[\s-]+".join(map(re.escape, re.split(r"[\s-]+", p))) for p in PHRASES),
                          key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def praise(text: str) -> list[str]:
    """The empty-praise phrases in `text`, as written there, in order."""
    return [m.group(0) for m in _pattern().finditer(text)]
