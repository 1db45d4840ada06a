"""Leave-last-out split by time: each user's latest event (ties broken by item id) is
held out; everything before it is their history."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class HeldOut:
    user_id: str
    history: list[str]  # item ids, oldest first
    target: str
    at: float = float("inf")  # when the target was taken (known where the split had timestamps)


def user_sequences(events: Iterable[tuple]) -> dict[str, list[str]]:
    """events: (user_id, item_id, type, value, timestamp), any order."""
    per_user: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for user, item, _type, _value, ts in events:
        per_user[user].append((ts, item))
    return {u: [i for _, i in sorted(evts)] for u, evts in per_user.items()}


def leave_last_out(sequences: dict[str, list[str]], min_history: int = 1) -> list[HeldOut]:
    out = []
    for user in sorted(sequences):
        seq = sequences[user]
        if len(seq) < min_history + 1:
            continue
        target = seq[-1]
        history = seq[:-1]
        if target in history:  # a repeat is not a recommendation task
            continue
        out.append(HeldOut(user, history, target))
    return out


def holdout_latest(events: list[tuple]) -> tuple[list[tuple], list[HeldOut]]:
    """The one leave-last-out split, for evaluation and training alike.

    events: (user_id, item_id, type, value, timestamp). Returns the events that stay (all
    but exactly the held-out event of each held-out user) and the held-out users."""
    seqs = user_sequences(events)
    held = leave_last_out(seqs)
    target = {h.user_id: h.target for h in held}
    latest_ts: dict[str, float] = {}
    for user, item, _t, _v, ts in events:
        if target.get(user) == item:
            latest_ts[user] = max(latest_ts.get(user, -1e300), ts)
    kept = [e for e in events if not (target.get(e[0]) == e[1] and latest_ts.get(e[0]) == e[4])]
    return kept, held


def holdout_latest_positive(events: list[tuple], positives: list[tuple]) -> tuple[list[tuple], list[HeldOut]]:
    """Leave-last-out on what people wanted: each user's latest positive event
    (`positives`, a subset of `events`) is the target and their positive items before it
    the history. The kept events are all of `events` (negatives and exposures too) except,
    for a held-out user, the target event and anything after it."""
    _, held = holdout_latest(positives)
    target = {h.user_id: h.target for h in held}
    cut: dict[str, float] = {}
    for user, item, _t, _v, ts in positives:
        if target.get(user) == item:
            cut[user] = max(cut.get(user, -1e300), ts)
    kept = [e for e in events if e[0] not in cut or e[4] < cut[e[0]]
            or (e[4] == cut[e[0]] and e[1] != target[e[0]])]
    return kept, [HeldOut(h.user_id, h.history, h.target, cut[h.user_id]) for h in held]


def cross_fit_folds(n: int, folds: int = 2) -> list[int]:
    """Fold of each of n rows (round robin): rows of fold f are scored by what was fitted
    on the other folds, so nobody is ranked with weights fitted on their own answer."""
    return [i % folds for i in range(n)]


def sample(held: list[HeldOut], n: int | None, seed: int) -> list[HeldOut]:
    if n is None or n >= len(held):
        return held
    return random.Random(seed).sample(held, n)
