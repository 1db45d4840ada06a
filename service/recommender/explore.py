"""A feed answer's last `exposure.explore` share of slots, given to little-known items
(service/exposure/explore.py); other answers stay as they are."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from service.candidates.catalog import CatalogView
from service.exposure import ExposureLog
from service.exposure.explore import Explorer, slots
from service.recommender.candidates import LiveIndex
from service.recommender.profiles import Profiles
from service.recommender.read import to_ranked
from service.recommender.results import Recommendation
from service.settings import ExposureSettings
from service.types import Candidate, CandidateRequest


class ExploreSlots:
    def __init__(self, cfg: ExposureSettings, catalog: CatalogView, live: LiveIndex, profiles: Profiles,
                 exposure: ExposureLog, explorer: Explorer) -> None:
        self.cfg, self.catalog, self.live, self.profiles = cfg, catalog, live, profiles
        self.exposure, self.explorer = exposure, explorer

    def explore(self, request: CandidateRequest, out: Recommendation) -> Recommendation:
        n = slots(request.k, self.cfg.explore)
        if not n or not request.user_id or request.history is not None or (request.query and request.query.strip()):
            return out
        fb = self.profiles.user_feedback(request.user_id)
        keep = out.items[: request.k - n]
        blocked = {*request.exclude_items, *fb.negatives, *(r.item_id for r in keep),
                   *self.exposure.cooling(request.user_id, set(fb.positives))}
        index = self.live.index
        space = index.space
        allowed = space.allowed(request.model_copy(update={"history": fb.positives,
                                                           "exclude_items": sorted(blocked)}))
        positives = np.zeros(len(space.ids))
        pop = index.model.popularity[: len(space.ids)]
        positives[: len(pop)] = pop
        prior = {r.item_id: 1.0 - i / len(out.items) for i, r in enumerate(out.items)}
        picks = self.explorer.pick(space.ids, space.index, allowed, positives, prior, n)
        extra = to_ranked(self.catalog, [Candidate.model_construct(item_id=i, score=t, sources={"explore": t})
                                         for i, t in picks])
        items = [*keep, *extra]
        return replace(out, items=[r.model_copy(update={"rank": pos + 1}) for pos, r in enumerate(items)])
