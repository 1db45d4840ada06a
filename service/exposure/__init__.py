"""Exposure: what the service showed to whom, and what that does to the next answer.

Every answer has an id, `<feed>-<page>`: a first page starts a feed, and a request that
sends `after: <id>` gets the next page of that feed, which leaves out everything the
feed's earlier pages showed. The answer's items are recorded for that person (unless the
request opts out), and so are the items of neutral events (`impression`), which clients
send for what was actually on screen.

An item shown `times` times that the person did not take cools down: it stays out of
their feed (requests without text, on the store's history) until `cooldown` seconds
after it was last shown. Text requests and chat are not cooled: a person who asks for
something by name should get it.
"""

from __future__ import annotations

import re
import time
import uuid
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from service.errors import InvalidInput
from service.feedback import Feedback
from service.settings import ExposureSettings
from service.store import Exposure, Store
from service.types import Event

_ANSWER_ID = re.compile(r"^([0-9a-f]{16})-([1-9][0-9]{0,5})$")


@dataclass(frozen=True)
class Page:
    """Where an answer sits: its feed, its page number, and what the feed showed before."""

    feed: str
    page: int
    before: tuple[str, ...] = ()

    @property
    def answer_id(self) -> str:
        return f"{self.feed}-{self.page}"


def cooling(shown: Iterable[Exposure], taken: Collection[str], times: int, cooldown: float,
            now: float) -> list[str]:
    """Items shown at least `times` times, the last of them less than `cooldown` seconds
    before `now`, that the person has not taken (sorted)."""
    if times < 1:
        return []
    count: Counter[str] = Counter()
    last: dict[str, float] = {}
    for x in shown:
        count[x.item_id] += 1
        last[x.item_id] = max(last.get(x.item_id, x.shown_at), x.shown_at)
    return sorted(i for i, n in count.items() if n >= times and now - last[i] < cooldown and i not in taken)


class ExposureLog:
    def __init__(self, store: Store, cfg: ExposureSettings, feedback: Feedback) -> None:
        self.store, self.cfg, self.feedback = store, cfg, feedback

    def page(self, user_id: str | None, after: str | None) -> Page:
        """A new feed's first page, or the page after the answer `after` names (which must
        have been recorded for this person)."""
        if after is None:
            return Page(uuid.uuid4().hex[:16], 1)
        m = _ANSWER_ID.match(after)
        if m is None:
            raise InvalidInput(f"after={after!r} is not a recommendation_id (send one an earlier answer returned)")
        if not user_id:
            raise InvalidInput("`after` needs the user_id the earlier page was shown to (an answer without one "
                               "is not recorded: send its items in exclude_items instead)")
        feed, page = m.group(1), int(m.group(2))
        before = self.store.feed_items(user_id, feed, page)
        if not before:
            raise InvalidInput(f"no recorded answer {after!r} for user {user_id!r} (it was a preview with "
                               "record_exposure false, for another user, or is too old): send its items in "
                               "exclude_items instead")
        return Page(feed, page + 1, tuple(before))

    def record(self, user_id: str | None, page: Page, item_ids: list[str], at: float | None = None) -> int:
        """Record an answer's items as shown to this person (nothing for an anonymous answer)."""
        if not user_id or not item_ids:
            return 0
        at = time.time() if at is None else at
        return self.store.add_exposures([Exposure(user_id, i, at, page.feed, page.page) for i in item_ids],
                                        self.cfg.keep)

    def impressions(self, events: Iterable[Event]) -> list[Exposure]:
        """The exposures a (type-resolved) batch reports: its neutral events (impressions),
        at their time. The store records each once however often it is sent."""
        neutral = self.feedback.exposure_types()
        return [Exposure(e.user_id, e.item_id, e.timestamp) for e in events if e.type in neutral]

    def shown(self, user_id: str) -> list[Exposure]:
        """What this person was shown (their recorded exposures, oldest first)."""
        return self.store.exposures(user_id)

    def cooling(self, user_id: str, taken: Collection[str], now: float | None = None,
                shown: list[Exposure] | None = None) -> list[str]:
        """The items cooling down for this person now (`shown`: their exposures, when
        already read)."""
        if self.cfg.times < 1:
            return []
        now = time.time() if now is None else now
        return cooling(self.shown(user_id) if shown is None else shown, taken, self.cfg.times,
                       self.cfg.cooldown, now)
